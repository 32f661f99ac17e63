internal import CByteScan
internal import CXXHash

/// XXH3-64 of a byte range (seed 0): with AVX2 where the CPU has it (`stacksift_xxh3`).
@inline(__always)
func xxh3(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 {
    guard let base = b.baseAddress, !b.isEmpty else { return 0x2D06_8005_38D3_94C2 }
    return stacksift_xxh3(base, b.count)
}

/// The same hash from libxxhash itself: what `xxh3` must equal (tests compare them).
func xxh3Library(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 {
    guard let base = b.baseAddress, !b.isEmpty else { return XXH3_64bits(nil, 0) }
    return XXH3_64bits(base, b.count)
}

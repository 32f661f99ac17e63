internal import CByteScan
internal import CXXHash

/// XXH3-64 of a byte range (seed 0): with AVX2 where the CPU has it (`stacksift_xxh3`).
@inline(__always)
func xxh3(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 {
    stacksift_xxh3(b.baseAddress, b.count)
}

/// The same hash from libxxhash itself: what `xxh3` must equal (tests compare them).
func xxh3Library(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 {
    XXH3_64bits(b.baseAddress, b.count)
}

internal import CXXHash

/// XXH3-64 of a byte range (seed 0).
@inline(__always)
func xxh3(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 {
    guard let base = b.baseAddress, !b.isEmpty else { return 0x2D06_8005_38D3_94C2 }
    return XXH3_64bits(base, b.count)
}

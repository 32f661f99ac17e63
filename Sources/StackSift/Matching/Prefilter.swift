/// Finds which of many literals occur in a text in one pass: a 64 Ki-bit table of the first two
/// bytes of every literal rejects almost every position with one load and one test, and only
/// positions whose byte pair starts some literal are compared in full.
public struct LiteralPrefilter: Sendable {
    public let literals: [[UInt8]]
    private var pairBits: [UInt64]
    /// pair → indices of literals starting with it
    private var buckets: [UInt16: [Int32]]
    /// Literals shorter than two bytes cannot be indexed; they always count as present.
    private let alwaysPresent: [Int]

    public init(literals: [String]) {
        self.literals = literals.map { Array($0.utf8) }
        pairBits = [UInt64](repeating: 0, count: 65_536 / 64)
        buckets = [:]
        var always: [Int] = []
        for (i, lit) in self.literals.enumerated() {
            if lit.count < 2 {
                always.append(i)
                continue
            }
            let key = UInt16(lit[0]) | UInt16(lit[1]) << 8
            pairBits[Int(key) >> 6] |= 1 << (UInt64(key) & 63)
            buckets[key, default: []].append(Int32(i))
        }
        alwaysPresent = always
    }

    /// Marks in `found` (one flag per literal) every literal present in `text`.
    @inline(__always)
    public func scan(_ text: UnsafeBufferPointer<UInt8>, into found: inout [Bool]) {
        for i in alwaysPresent { found[i] = true }
        let n = text.count
        guard n >= 2, let p = text.baseAddress else { return }
        pairBits.withUnsafeBufferPointer { bits in
            var i = 0
            let last = n - 1
            while i < last {
                let key = Int(p[i]) | Int(p[i + 1]) << 8
                if bits[key >> 6] & (1 << UInt64(key & 63)) != 0 {
                    for li in buckets[UInt16(key)]! {
                        let lit = literals[Int(li)]
                        if i + lit.count <= n, !found[Int(li)], lit.withUnsafeBufferPointer({ memcmp(p + i, $0.baseAddress!, lit.count) == 0 }) {
                            found[Int(li)] = true
                        }
                    }
                }
                i += 1
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import XCTest
@testable import StackSift
import CByteScan

/// `xxh3` runs the system header's XXH3 with AVX2 where the CPU has it: trace caches and file
/// fingerprints (kept in checkpoints) rely on it giving libxxhash's values, on every CPU.
final class HashingTests: XCTestCase {
    func testXXH3EqualsTheLibraryAtEveryLengthAndAlignment() {
        var rng = SplitMix64(seed: 11)
        let buffer: [UInt8] = (0..<9000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        var lengths = Array(0...300) + [511, 512, 513, 1023, 1024, 1025, 2047, 4096, 5000, 8191]
        lengths += (0..<40).map { _ in Int(rng.next() % 8000) }
        var checked = 0
        buffer.withUnsafeBufferPointer { all in
            for n in lengths {
                for start in [0, 1, 7, 33] where start + n <= all.count {
                    let b = UnsafeBufferPointer(rebasing: all[start..<(start + n)])
                    let want = xxh3Library(b)
                    XCTAssertEqual(xxh3(b), want, "length \(n) at \(start)")
                    if let base = b.baseAddress {
                        XCTAssertEqual(stacksift_xxh3_baseline(base, n), want, "baseline, length \(n) at \(start)")
                    }
                    checked += 1
                }
            }
        }
        XCTAssertGreaterThan(checked, 1000)
        // a known value: XXH3-64 of "abc" (seed 0)
        let abc = Array("abc".utf8)
        XCTAssertEqual(abc.withUnsafeBufferPointer { xxh3($0) }, 0x78AF_5F94_892F_3950)
    }
}

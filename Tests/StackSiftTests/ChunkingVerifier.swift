import XCTest

/// A tiny deterministic PRNG (SplitMix64), so random splits are the same on every run and a
/// failing split can be reproduced from its seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// A number in 0..<n.
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

/// Habit 8: a decoder or framer must give the same result whatever the chunking of its input.
/// Runs `process` on the input whole, byte by byte, and in `randomSplits` random splits, and
/// asserts every result equals the whole-input one. Returns the whole-input result.
enum ChunkingVerifier {
    typealias Chunks = [ArraySlice<UInt8>]

    /// The chunkings tried, each with a label for failure messages.
    static func chunkings(of input: [UInt8], randomSplits: Int, seed: UInt64) -> [(String, Chunks)] {
        var out: [(String, Chunks)] = []
        out.append(("whole", [input[...]]))
        out.append(("byte by byte", input.indices.map { input[$0..<($0 + 1)] }))
        var rng = SplitMix64(seed: seed)
        for run in 0..<randomSplits {
            out.append(("random split #\(run) (seed \(seed))", randomSplit(input, &rng)))
        }
        return out
    }

    /// Cuts `input` at random points: sometimes a few large chunks, sometimes many small ones,
    /// and sometimes with empty chunks in between (a reader may hand over zero bytes).
    static func randomSplit(_ input: [UInt8], _ rng: inout SplitMix64) -> Chunks {
        let n = input.count
        if n < 2 { return [input[...]] }
        let style = rng.next() % 3
        let maxCuts: Int
        switch style {
        case 0: maxCuts = min(n - 1, 4)
        case 1: maxCuts = min(n - 1, 64)
        default: maxCuts = min(n - 1, max(1, n / 16))
        }
        let cutCount = 1 + Int(rng.next() % UInt64(maxCuts))
        var cuts = Set<Int>()
        while cuts.count < cutCount { cuts.insert(1 + Int(rng.next() % UInt64(n - 1))) }
        var chunks: Chunks = []
        var start = 0
        for c in cuts.sorted() + [n] {
            chunks.append(input[start..<c])
            if rng.next() % 16 == 0 { chunks.append(input[c..<c]) }
            start = c
        }
        return chunks
    }

    @discardableResult
    static func verify<R: Equatable>(
        _ input: [UInt8], randomSplits: Int = 50, seed: UInt64 = 0x5EED_CAFE,
        file: StaticString = #filePath, line: UInt = #line,
        _ process: (Chunks) -> R
    ) -> R {
        let all = chunkings(of: input, randomSplits: randomSplits, seed: seed)
        let expected = process(all[0].1)
        for (label, chunks) in all.dropFirst() {
            let got = process(chunks)
            if got != expected {
                let cuts = chunks.prefix(8).map { "\($0.startIndex)..<\($0.endIndex)" }.joined(separator: ", ")
                XCTFail("\(label) of \(input.count) bytes gave a different result than the whole input (first chunks: \(cuts))",
                        file: file, line: line)
                return expected
            }
        }
        return expected
    }
}

final class ChunkingVerifierTests: XCTestCase {
    func testSplitsCoverTheInputExactly() {
        let input = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        for (label, chunks) in ChunkingVerifier.chunkings(of: input, randomSplits: 50, seed: 7) {
            XCTAssertEqual(Array(chunks.joined()), input, label)
        }
    }

    func testRandomSplitsAreDeterministicAndVaried() {
        let input = [UInt8](repeating: 65, count: 500)
        let a = ChunkingVerifier.chunkings(of: input, randomSplits: 50, seed: 42).map { $0.1.map(\.startIndex) }
        let b = ChunkingVerifier.chunkings(of: input, randomSplits: 50, seed: 42).map { $0.1.map(\.startIndex) }
        XCTAssertEqual(a, b)
        XCTAssertGreaterThan(Set(a.dropFirst(2)).count, 40, "random splits should differ from each other")
    }

    /// The verifier itself must catch a chunking-dependent processor.
    func testVerifierDetectsChunkDependence() {
        let input = Array("hello\nworld\n".utf8)
        let all = ChunkingVerifier.chunkings(of: input, randomSplits: 5, seed: 1)
        let counts = Set(all.map { $0.1.count })
        XCTAssertGreaterThan(counts.count, 1, "a processor returning the chunk count must see different values")
    }
}

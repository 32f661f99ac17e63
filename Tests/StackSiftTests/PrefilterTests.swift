import Foundation
import XCTest
@testable import StackSift

/// The literal prefilter finds exactly the literals a naive search finds: any window length,
/// both block widths (byte pairs for catalogs with 2–3 byte literals, hashed 3-byte blocks
/// otherwise), lines cut into parts walked at once, literals at line starts and ends,
/// overlapping literals and texts shorter than the window.
final class PrefilterTests: XCTestCase {

    static func naive(_ text: [UInt8], _ lits: [[UInt8]], excluding: Set<Int> = []) -> Set<Int32> {
        var found: Set<Int32> = []
        for (i, l) in lits.enumerated() where !excluding.contains(i) {
            if l.count < 2 { found.insert(Int32(i)); continue }
            if l.count > text.count { continue }
            for s in 0...(text.count - l.count) where text[s] == l[0] && Array(text[s..<(s + l.count)]) == l {
                found.insert(Int32(i))
                break
            }
        }
        return found
    }

    static func scanned(_ pf: LiteralPrefilter, _ text: [UInt8], count: Int) -> Set<Int32> {
        let hits = LiteralHits(count: count)
        hits.reset()
        text.withUnsafeBufferPointer { pf.scan($0, hits) }
        return Set((0..<hits.count).map { hits.list[$0] })
    }

    func testRandomLiteralsAndTexts() {
        var rng = SplitMix64(seed: 42)
        // A small alphabet, so literals occur often and overlap.
        let alphabet = Array("abcab c\t-".utf8)
        for round in 0..<400 {
            let minLen = [1, 2, 3, 4, 5, 8, 12][round % 7]
            let litCount = 1 + rng.below(20)
            var lits: [[UInt8]] = []
            for _ in 0..<litCount {
                let len = minLen + rng.below(6)
                lits.append((0..<len).map { _ in alphabet[rng.below(alphabet.count)] })
            }
            var excluding: Set<Int> = []
            if round % 3 == 0 { excluding.insert(rng.below(litCount)) }
            let pf = LiteralPrefilter(literals: lits.map { String(decoding: $0, as: UTF8.self) }, excluding: excluding)
            for _ in 0..<20 {
                // lengths around the window, the 48 / 128 split points and beyond
                let n = [0, 1, 3, 7, 8, 9, 47, 48, 49, 127, 128, 129, 200, 513][rng.below(14)] + rng.below(3)
                var text = (0..<n).map { _ in alphabet[rng.below(alphabet.count)] }
                // plant literals at the start, the end and at random places
                if n > 0, rng.below(2) == 0 {
                    let l = lits[rng.below(litCount)]
                    if l.count <= n {
                        let at = [0, n - l.count, rng.below(n - l.count + 1)][rng.below(3)]
                        text.replaceSubrange(at..<(at + l.count), with: l)
                    }
                }
                XCTAssertEqual(Self.scanned(pf, text, count: litCount), Self.naive(text, lits, excluding: excluding),
                               "round \(round), text \(String(decoding: text, as: UTF8.self).debugDescription)")
            }
        }
    }

    /// With nothing to index (every literal excluded or shorter than two bytes) a scan finds
    /// only the always-present literals, whatever the text.
    func testNothingIndexed() {
        let text = Array(String(repeating: "abc Exception x", count: 20).utf8)
        let excluded = LiteralPrefilter(literals: ["Exception", "abc"], excluding: [0, 1])
        XCTAssertEqual(Self.scanned(excluded, text, count: 2), [])
        let short = LiteralPrefilter(literals: ["a", ""])
        XCTAssertEqual(Self.scanned(short, text, count: 2), [0, 1])
        XCTAssertEqual(Self.scanned(LiteralPrefilter(literals: []), text, count: 0), [])
    }

    func testOverlappingAndNestedLiterals() {
        let lits = ["abcdabcd", "bcdabcda", "cdab", "abcdabcdabcd", "dabc", "xyzw"]
        let bytes = lits.map { Array($0.utf8) }
        let pf = LiteralPrefilter(literals: lits)
        for text in ["abcdabcdabcd", "xabcdabcdabcdx", "cdab", "dab", "", "abcdabcdabcdxyzw",
                     String(repeating: "abcd", count: 40), String(repeating: "q", count: 130) + "xyzw"] {
            let t = Array(text.utf8)
            XCTAssertEqual(Self.scanned(pf, t, count: lits.count), Self.naive(t, bytes), text)
        }
    }

    /// Which window of a literal is indexed decides only speed, so nothing else notices if the
    /// choice breaks: a literal longer than the window is indexed through one that does not end
    /// in a common trigram whenever it has such a window, and the window lies inside it.
    func testIndexedWindowAvoidsCommonEndings() {
        func common(_ l: [UInt8], _ end: Int) -> Bool {
            let g = l[(end - 3)..<end].map { $0 &- 65 < 26 ? $0 | 0x20 : $0 }
            return LiteralPrefilter.commonTrigrams.contains(String(decoding: g, as: UTF8.self))
        }
        let m = 8
        var moved = 0
        for lit in builtinCatalogForTests.patterns.flatMap(\.spec.literals) + ["Connection is not available", "Too many connections"] {
            let l = Array(lit.utf8)
            guard l.count > m else { continue }
            let o = LiteralPrefilter.quietestWindow(l, m)
            XCTAssertTrue(o >= 0 && o + m <= l.count, lit)
            if (0...(l.count - m)).contains(where: { !common(l, $0 + m) }) {
                XCTAssertFalse(common(l, o + m), "\(lit): window ends in \(String(decoding: l[(o + m - 3)..<(o + m)], as: UTF8.self))")
            }
            if o > 0 { moved += 1 }
        }
        XCTAssertGreaterThan(moved, 10, "most catalog literals start with ordinary text")
        XCTAssertEqual(LiteralPrefilter.quietestWindow(Array("Slow SQL".utf8), m), 0)
    }

    /// The analyzer's two prefilters (catalog literals; the hint literals no pattern uses)
    /// together find every literal, on real log lines with literals planted at line edges.
    func testCatalogLiteralsOnRealText() throws {
        let analyzer = EventAnalyzer(catalog: builtinCatalogForTests, signer: Signer())
        let pf = analyzer.prefilter, hintPf = analyzer.hintPrefilter
        let lits = pf.literals
        XCTAssertFalse(lits.isEmpty)
        var lines: [[UInt8]] = []
        let root = catalogTestsRepoRoot + "/samples"
        if let e = FileManager.default.enumerator(atPath: root) {
            for case let rel as String in e where rel.hasSuffix(".log") || rel.hasSuffix(".txt") {
                guard let d = FileManager.default.contents(atPath: root + "/" + rel) else { continue }
                lines += d.split(separator: 0x0A, omittingEmptySubsequences: false).prefix(1000).map { Array($0) }
            }
        }
        var rng = SplitMix64(seed: 7)
        let base = lines
        for l in base.prefix(1000) {
            let lit = lits[rng.below(lits.count)]
            lines.append(lit + l)
            lines.append(l + lit)
            lines.append(lit)
            lines.append(Array(lit.dropLast()))
        }
        for text in lines {
            let hits = LiteralHits(count: lits.count)
            hits.reset()
            text.withUnsafeBufferPointer {
                pf.scan($0, hits)
                hintPf.scan($0, hits)
            }
            let got = Set((0..<hits.count).map { hits.list[$0] })
            XCTAssertEqual(got, Self.naive(text, lits), String(decoding: text, as: UTF8.self))
        }
    }

    func testContainsFindsEscapedTrace() {
        let needle = Array("\\n\\tat ".utf8)
        func check(_ s: String) -> Bool {
            let hay = Array(s.utf8)
            return needle.withUnsafeBufferPointer { nd in
                hay.withUnsafeBufferPointer { EventAnalyzer.contains($0, nd.baseAddress!, nd.count) }
            }
        }
        XCTAssertTrue(check("x: boom\\n\\tat com.foo.Bar.baz(Bar.java:1)"))
        XCTAssertTrue(check("\\n\\tat "))
        XCTAssertFalse(check("\\n\\tat"))
        XCTAssertFalse(check("C:\\temp\\n\\t at x"))
        XCTAssertTrue(check("\\\\n\\tat \\n\\tat "))
        XCTAssertFalse(check(""))
        // the quick reject reads sixteen bytes a step: the needle at every offset of lines of
        // every length up to three steps, and a lone backslash anywhere is not enough
        for length in 7...50 {
            for at in 0...(length - 7) {
                var s = String(repeating: "x", count: at) + "\\n\\tat "
                s += String(repeating: "y", count: length - at - 7)
                XCTAssertTrue(check(s), "needle at \(at) of \(length)")
                var t = Array(repeating: UInt8(ascii: "x"), count: length)
                t[at] = UInt8(ascii: "\\")
                XCTAssertFalse(check(String(decoding: t, as: UTF8.self)), "backslash at \(at) of \(length)")
            }
        }
    }
}

import XCTest
@testable import StackSift

/// The streaming decoders against the reference CLI tools, every case through the chunking
/// verifier. Fixtures are made at test time from ~200 KB of generated log text, so LZ4 frames
/// with 64 KB blocks (`-B4`) hold several blocks.
final class DecoderTests: XCTestCase {
    static let text = LogText.make(approximateBytes: 200_000)
    var original: [UInt8] { Self.text.bytes }

    // MARK: helpers

    /// Compares large byte arrays without dumping them into the failure message.
    func assertBytes(_ got: [UInt8], _ expected: [UInt8], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        if got == expected { return }
        let common = zip(got, expected).prefix { $0 == $1 }.count
        XCTFail("\(what): got \(got.count) bytes, expected \(expected.count); first difference at byte \(common)", file: file, line: line)
    }

    func assertPrefix(_ got: [UInt8], of full: [UInt8], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertLessThanOrEqual(got.count, full.count, what, file: file, line: line)
        if got.count <= full.count, got[...] != full[..<got.count] {
            let common = zip(got, full).prefix { $0 == $1 }.count
            XCTFail("\(what): the \(got.count) delivered bytes are not a prefix of the original (differ at \(common))", file: file, line: line)
        }
    }

    /// Decodes through the chunking verifier and expects exactly `expected`, no error, all input consumed.
    func assertRoundTrip(_ compressed: [UInt8], _ expected: [UInt8], _ make: () -> any StreamDecoder, _ what: String,
                         file: StaticString = #filePath, line: UInt = #line) {
        let outcome = ChunkingVerifier.verify(compressed, file: file, line: line) { decode(make, $0) }
        XCTAssertNil(outcome.error, "\(what): \(outcome.error?.description ?? "")", file: file, line: line)
        assertBytes(outcome.bytes, expected, what, file: file, line: line)
        XCTAssertEqual(outcome.consumed, Int64(compressed.count), "\(what): every input byte is consumed", file: file, line: line)
    }

    /// A hand-written skippable frame: magic 0x184D2A5? LE, 4-byte LE size, payload.
    func skippable(_ payload: [UInt8], nibble: UInt8 = 0) -> [UInt8] {
        let magic: UInt32 = 0x184D_2A50 | UInt32(nibble & 0x0F)
        let size = UInt32(payload.count)
        return withUnsafeBytes(of: magic.littleEndian, Array.init) + withUnsafeBytes(of: size.littleEndian, Array.init) + payload
    }

    /// The layout of one LZ4 frame: FLG, where each block's data lies, where the frame ends.
    struct LZ4Layout {
        var flg: UInt8
        var bd: UInt8
        var blocks: [Range<Int>]
        var end: Int
        var contentChecksum: Bool { flg & 0x04 != 0 }
        var blockChecksum: Bool { flg & 0x10 != 0 }
        var contentSize: Bool { flg & 0x08 != 0 }
        var independent: Bool { flg & 0x20 != 0 }
    }

    func lz4Layout(_ f: [UInt8], at start: Int = 0) -> LZ4Layout {
        func u32(_ i: Int) -> UInt32 { UInt32(f[i]) | UInt32(f[i + 1]) << 8 | UInt32(f[i + 2]) << 16 | UInt32(f[i + 3]) << 24 }
        precondition(u32(start) == 0x184D_2204, "not an LZ4 frame")
        let flg = f[start + 4]
        var p = start + 6 + (flg & 0x08 != 0 ? 8 : 0) + (flg & 0x01 != 0 ? 4 : 0) + 1
        var blocks: [Range<Int>] = []
        while true {
            let size = Int(u32(p) & 0x7FFF_FFFF)
            p += 4
            if size == 0 { break }
            blocks.append(p..<(p + size))
            p += size + (flg & 0x10 != 0 ? 4 : 0)
        }
        if flg & 0x04 != 0 { p += 4 }
        return LZ4Layout(flg: flg, bd: f[start + 5], blocks: blocks, end: p)
    }

    /// Offset of the first literal byte of a block (the first sequence of an independent block
    /// always starts with literals). Flipping it changes the decoded text for certain.
    func firstLiteral(_ f: [UInt8], _ block: Range<Int>) -> Int {
        var p = block.lowerBound
        let token = f[p]
        precondition(token >> 4 > 0, "block starts without literals")
        p += 1
        if token >> 4 == 15 {
            while f[p] == 255 { p += 1 }
            p += 1
        }
        return p
    }

    // MARK: passthrough

    func testPassthroughDeliversBytesUnchanged() {
        assertRoundTrip(original, original, { PassthroughDecoder() }, "passthrough")
        let empty = decodeWhole({ PassthroughDecoder() }, [])
        XCTAssertEqual(empty.bytes, [])
        XCTAssertNil(empty.error)
    }

    // MARK: LZ4

    func testLZ4FrameVariantsDecodeToTheOriginal() throws {
        let variants: [(args: [String], check: (LZ4Layout) -> Bool)] = [
            ([], { $0.contentChecksum && !$0.blockChecksum && !$0.contentSize }),
            (["--content-size"], { $0.contentSize && $0.contentChecksum }),
            (["-BX"], { $0.blockChecksum && $0.contentChecksum }),
            (["--no-frame-crc"], { !$0.contentChecksum }),
            (["-BD"], { !$0.independent }),
            (["-BX", "--no-frame-crc", "--content-size"], { $0.blockChecksum && !$0.contentChecksum && $0.contentSize }),
            (["-BX", "-BD", "--content-size"], { $0.blockChecksum && !$0.independent && $0.contentChecksum }),
        ]
        for (args, check) in variants {
            let compressed = try Tool.lz4(original, args)
            let layout = lz4Layout(compressed)
            XCTAssertTrue(check(layout), "lz4 \(args) did not produce the expected frame flags (FLG 0x\(String(layout.flg, radix: 16)))")
            XCTAssertEqual(layout.bd >> 4 & 7, 4, "-B4 means 64 KB blocks")
            XCTAssertGreaterThanOrEqual(layout.blocks.count, 3, "the fixture must span several blocks")
            XCTAssertEqual(layout.end, compressed.count)
            assertRoundTrip(compressed, original, { LZ4FrameDecoder() }, "lz4 \(args)")
        }
    }

    func testLZ4ConcatenatedFramesWithDifferentChecksumModes() throws {
        let (a, b) = Self.text.halves()
        let frames = try Tool.lz4(a, ["-BX"]) + Tool.lz4(b, ["--no-frame-crc"]) + Tool.lz4(a) + Tool.lz4(b, ["--content-size", "-BD"])
        assertRoundTrip(frames, a + b + a + b, { LZ4FrameDecoder() }, "four concatenated LZ4 frames")
    }

    func testLZ4SkippableFramesAreSkipped() throws {
        let (a, b) = Self.text.halves()
        var junk = SplitMix64(seed: 9)
        let payload = (0..<300).map { _ in UInt8(truncatingIfNeeded: junk.next()) }
        let stream = try skippable(Array("metadata the decoder must not emit".utf8))
            + Tool.lz4(a)
            + skippable(payload, nibble: 0xF)
            + skippable([], nibble: 3)
            + Tool.lz4(b, ["-BX"])
            + skippable(Array("trailer".utf8), nibble: 7)
        assertRoundTrip(stream, a + b, { LZ4FrameDecoder() }, "LZ4 frames with skippable frames around them")
        let onlySkippable = skippable(payload)
        assertRoundTrip(onlySkippable, [], { LZ4FrameDecoder() }, "a stream of one skippable frame")
    }

    /// After a skippable frame the next frame's checksum mode must still be honoured: a bad
    /// content checksum there is caught.
    func testLZ4ChecksumCheckedAfterSkippableFrame() throws {
        let (a, _) = Self.text.halves()
        var frame = try Tool.lz4(a)
        frame[frame.count - 1] ^= 0x01
        let stream = skippable(Array("x".utf8)) + frame
        let kind = ChunkingVerifier.verify(stream) { decode({ LZ4FrameDecoder() }, $0).error?.kind }
        XCTAssertEqual(kind, .checksum)
    }

    func testLZ4FlippedLiteralIsDetected() throws {
        for args in [[], ["-BX"], ["--content-size"]] {
            let compressed = try Tool.lz4(original, args)
            let layout = lz4Layout(compressed)
            for blockIndex in [0, 2] {
                var bad = compressed
                bad[firstLiteral(compressed, layout.blocks[blockIndex])] ^= 0x20
                let outcome = ChunkingVerifier.verify(bad, randomSplits: 20) { chunks -> DecodeError.Kind? in
                    decode({ LZ4FrameDecoder() }, chunks).error?.kind
                }
                XCTAssertNotNil(outcome, "lz4 \(args): a flipped byte in block \(blockIndex) went unnoticed")
                if let outcome {
                    XCTAssertTrue([.checksum, .corrupt].contains(outcome), "lz4 \(args) block \(blockIndex): \(outcome)")
                }
            }
        }
    }

    /// With block checksums a damaged block is rejected before it is decoded, so exactly the
    /// blocks before it must have been delivered ("throws after having delivered every byte
    /// decoded before the damage"), whatever the chunking.
    func testLZ4DeliversEveryBlockBeforeADamagedOne() throws {
        let compressed = try Tool.lz4(original, ["-BX"])
        let layout = lz4Layout(compressed)
        var bad = compressed
        bad[firstLiteral(compressed, layout.blocks[2])] ^= 0x20
        struct Seen: Equatable { var bytes: [UInt8]; var kind: DecodeError.Kind? }
        let seen = ChunkingVerifier.verify(bad) { chunks -> Seen in
            let o = decode({ LZ4FrameDecoder() }, chunks)
            // where within the damaged block the error is noticed depends on the chunking
            let damaged = (layout.blocks[2].lowerBound - 4)...(layout.blocks[2].upperBound + 4)
            XCTAssertTrue(o.error.map { damaged.contains(Int($0.offset)) } ?? false,
                          "offset \(o.error?.offset ?? -1) lies in the damaged block \(damaged)")
            return Seen(bytes: o.bytes, kind: o.error?.kind)
        }
        XCTAssertEqual(seen.kind, .corrupt)
        XCTAssertEqual(seen.bytes.count, 2 * 65_536, "the two intact 64 KB blocks before the damaged one are delivered")
        assertPrefix(seen.bytes, of: original, "bytes before the damage")
    }

    /// A damaged block size field (or EndMark) is noticed only when liblz4 reads it, after the
    /// intact block before it: that block is still delivered, and the offset names the field.
    func testLZ4BadBlockSizeFieldKeepsTheBlockBeforeIt() throws {
        let compressed = try Tool.lz4(original)
        let layout = lz4Layout(compressed)
        XCTAssertGreaterThanOrEqual(layout.blocks.count, 3)
        func damage(_ field: Int) -> [UInt8] {
            var bad = compressed
            bad.replaceSubrange(field..<(field + 4), with: [0xFF, 0xFF, 0xFF, 0x7F])
            return bad
        }
        let cases: [(String, Int, Int)] = [
            ("second block's size field", layout.blocks[1].lowerBound - 4, 65_536),
            ("EndMark", layout.blocks.last!.upperBound, original.count),
        ]
        for (what, field, kept) in cases {
            struct Seen: Equatable { var bytes: Int; var kind: DecodeError.Kind? }
            let seen = ChunkingVerifier.verify(damage(field)) { chunks -> Seen in
                let o = decode({ LZ4FrameDecoder() }, chunks)
                // fed byte by byte, the field is read when its last byte arrives
                XCTAssertTrue(o.error.map { (field...(field + 3)).contains(Int($0.offset)) } ?? false,
                              "\(what): offset \(o.error?.offset ?? -1) is not the field at \(field)")
                return Seen(bytes: o.bytes.count, kind: o.error?.kind)
            }
            XCTAssertEqual(seen, Seen(bytes: kept, kind: .corrupt), what)
        }
    }

    func testLZ4CorruptContentChecksumIsDetected() throws {
        // Content checksum verified by the decoder itself (no block checksums).
        var plain = try Tool.lz4(original)
        plain[plain.count - 2] ^= 0x01
        let outcome = ChunkingVerifier.verify(plain) { decode({ LZ4FrameDecoder() }, $0) }
        XCTAssertEqual(outcome.error?.kind, .checksum)
        XCTAssertEqual(outcome.error?.offset, Int64(plain.count - 4), "the offset names the checksum field")
        assertBytes(outcome.bytes, original, "all data is delivered before the checksum is found wrong")

        // Block checksums present: liblz4 checks the content checksum too.
        var checked = try Tool.lz4(original, ["-BX"])
        checked[checked.count - 1] ^= 0x80
        let kind = ChunkingVerifier.verify(checked, randomSplits: 20) { decode({ LZ4FrameDecoder() }, $0).error?.kind }
        XCTAssertNotNil(kind, "a wrong content checksum in a block-checksummed frame went unnoticed")

        // A bad checksum in the first of two frames is not masked by the second.
        let (a, b) = Self.text.halves()
        var first = try Tool.lz4(a)
        first[first.count - 4] ^= 0x10
        let two = first + (try Tool.lz4(b))
        let twoOutcome = ChunkingVerifier.verify(two, randomSplits: 20) { decode({ LZ4FrameDecoder() }, $0) }
        XCTAssertEqual(twoOutcome.error?.kind, .checksum)
        XCTAssertEqual(twoOutcome.error?.offset, Int64(first.count - 4))
    }

    func testLZ4BadMagicIsCorrupt() {
        let outcome = decodeWhole({ LZ4FrameDecoder() }, Array("2023-10-10 not lz4 at all".utf8))
        XCTAssertEqual(outcome.error?.kind, .corrupt)
        XCTAssertEqual(outcome.error?.offset, 0)
    }

    // MARK: gzip

    func testGzipRoundTripAndMultiMember() throws {
        let gz = try Tool.gzip(original)
        XCTAssertEqual(Array(gz.prefix(2)), [0x1F, 0x8B])
        assertRoundTrip(gz, original, { GzipDecoder() }, "gzip")

        let (a, b) = Self.text.halves()
        let members = try Tool.gzip(a) + Tool.gzip(b) + Tool.gzip(a)
        assertRoundTrip(members, a + b + a, { GzipDecoder() }, "three gzip members")
    }

    func testGzipTrailingZeroPaddingIsTolerated() throws {
        let gz = try Tool.gzip(original) + [UInt8](repeating: 0, count: 512)
        assertRoundTrip(gz, original, { GzipDecoder() }, "gzip with zero padding")
    }

    func testGzipCorruptionIsReportedWithAnOffset() throws {
        let gz = try Tool.gzip(original)

        var method = gz
        method[2] = 7  // compression method other than deflate
        let m = ChunkingVerifier.verify(method) { decode({ GzipDecoder() }, $0) }
        XCTAssertEqual(m.error?.kind, .corrupt)
        XCTAssertEqual(m.error?.offset, 2, "the method byte itself, not where zlib stopped reading")
        XCTAssertEqual(m.bytes, [])

        // the same damage in a second member names that member's byte; reserved flag bits, byte 3
        let first = try Tool.gzip(Array("first member\n".utf8))
        let second = ChunkingVerifier.verify(first + method) { decode({ GzipDecoder() }, $0) }
        XCTAssertEqual(second.error?.kind, .corrupt)
        XCTAssertEqual(second.error?.offset, Int64(first.count + 2))
        XCTAssertEqual(second.bytes, Array("first member\n".utf8))
        var flags = gz
        flags[3] |= 0xE0
        let f = ChunkingVerifier.verify(flags) { decode({ GzipDecoder() }, $0).error }
        XCTAssertEqual(f?.kind, .corrupt)
        XCTAssertEqual(f?.offset, 3)

        var middle = gz
        middle[gz.count / 2] ^= 0xFF
        let mid = decodeWhole({ GzipDecoder() }, middle)
        XCTAssertEqual(mid.error?.kind, .corrupt, mid.description)
        if let off = mid.error?.offset {
            XCTAssertGreaterThan(off, 10)
            XCTAssertLessThanOrEqual(off, Int64(gz.count))
        }
        assertPrefix(Array(mid.bytes.prefix(1000)), of: original, "the start, before the damage")

        var crc = gz
        crc[gz.count - 6] ^= 0x01  // CRC32 of the member
        let c = ChunkingVerifier.verify(crc) { decode({ GzipDecoder() }, $0).error }
        XCTAssertEqual(c?.kind, .corrupt)
        if let off = c?.offset {
            XCTAssertGreaterThanOrEqual(off, Int64(gz.count - 8), "offset at the trailer")
            XCTAssertLessThanOrEqual(off, Int64(gz.count))
        }

        let trailing = gz + Array("garbage after the member".utf8)
        let t = ChunkingVerifier.verify(trailing) { decode({ GzipDecoder() }, $0) }
        XCTAssertEqual(t.error?.kind, .corrupt)
        XCTAssertEqual(t.error?.offset, Int64(gz.count))
        assertBytes(t.bytes, original, "the member before the garbage is delivered")
    }

    // MARK: decoding into targets

    /// A target like the segmenter's slots, only harsher: rooms of ever-changing sizes (often
    /// smaller than asked for, down to one byte), and every room overwritten with junk as soon
    /// as its bytes are taken, as a recycled slot would be. A decoder that kept reading earlier
    /// output from the target (LZ4 linked blocks) would decode wrong bytes.
    final class ShiftingTarget: DecodeTarget {
        private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 5 << 20, alignment: 16)
        private let sizes = [1, 5, 65_535, 65_536, 200_000, 4 << 20, 3, 70_000, 5 << 20]
        private var turn = 0
        private var offset = 0
        private var room = 0
        var bytes: [UInt8] = []

        deinit { buffer.deallocate() }

        func reserve(_ minimum: Int) -> UnsafeMutableRawBufferPointer {
            room = sizes[turn % sizes.count]
            turn += 1
            // a different place in the buffer each time
            offset = room < buffer.count / 2 ? (turn * 4_097) % (buffer.count - room) : 0
            return UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<(offset + room)])
        }

        func commit(_ count: Int) {
            XCTAssertLessThanOrEqual(count, room)
            bytes.append(contentsOf: buffer[offset..<(offset + count)])
            buffer.baseAddress!.initializeMemory(as: UInt8.self, repeating: 0xEE, count: buffer.count)
        }
    }

    func decodeInto(_ make: () -> any StreamDecoder, _ chunks: ChunkingVerifier.Chunks) -> DecodeOutcome {
        let d = make()
        let target = ShiftingTarget()
        for c in chunks {
            var failure: DecodeError?
            c.withUnsafeBytes { buf in
                do { try d.feed(buf, into: target) } catch let e as DecodeError { failure = e } catch {}
            }
            if let failure { return DecodeOutcome(bytes: target.bytes, error: failure, consumed: d.consumed) }
        }
        do { try d.finish() } catch { return DecodeOutcome(bytes: target.bytes, error: error, errorInFinish: true, consumed: d.consumed) }
        return DecodeOutcome(bytes: target.bytes, error: nil, consumed: d.consumed)
    }

    func testEveryDecoderWritesIntoChangingRoomsExactly() throws {
        let (a, b) = Self.text.halves()
        let cases: [(String, [UInt8], [UInt8], () -> any StreamDecoder)] = [
            ("lz4, 64 KB independent blocks", try Tool.lz4(original), original, { LZ4FrameDecoder() }),
            ("lz4, linked blocks and block checksums", try Tool.lz4(original, ["-BD", "-BX"]), original, { LZ4FrameDecoder() }),
            ("lz4, 4 MB linked blocks", try Tool.lz4(original + original, ["-B7", "-BD"]), original + original, { LZ4FrameDecoder() }),
            ("lz4, concatenated frames", try Tool.lz4(a, ["-BD"]) + skippable([1, 2, 3]) + Tool.lz4(b), a + b, { LZ4FrameDecoder() }),
            ("gzip, two members", try Tool.gzip(a) + Tool.gzip(b), a + b, { GzipDecoder() }),
            ("zstd, two frames", try Tool.zstd(a) + Tool.zstd(b), a + b, { ZstdDecoder() }),
            ("plain", original, original, { PassthroughDecoder() }),
        ]
        for (what, input, expected, make) in cases {
            var rng = SplitMix64(seed: 77)
            for chunks in [[input[...]], ChunkingVerifier.randomSplit(input, &rng), ChunkingVerifier.randomSplit(input, &rng)] {
                let outcome = decodeInto(make, chunks)
                XCTAssertNil(outcome.error, "\(what): \(outcome.error?.description ?? "")")
                assertBytes(outcome.bytes, expected, "\(what) in \(chunks.count) chunks")
                XCTAssertEqual(outcome.consumed, Int64(input.count), what)
            }
        }
    }

    func testLZ4IntoTargetsKeepsEveryBlockBeforeADamagedOne() throws {
        let compressed = try Tool.lz4(original, ["-BX", "-BD"])
        let layout = lz4Layout(compressed)
        var damaged = compressed
        damaged[firstLiteral(compressed, layout.blocks[2])] ^= 0x20
        var rng = SplitMix64(seed: 5)
        for chunks in [[damaged[...]], ChunkingVerifier.randomSplit(damaged, &rng)] {
            let outcome = decodeInto({ LZ4FrameDecoder() }, chunks)
            XCTAssertEqual(outcome.error?.kind, .corrupt)
            XCTAssertEqual(outcome.bytes.count, 2 * 65_536, "the two intact blocks before the damaged one")
            assertPrefix(outcome.bytes, of: original, "output before the damage")
        }
    }

    // MARK: zstd

    func testZstdRoundTripMultiFrameAndSkippable() throws {
        let z = try Tool.zstd(original)
        XCTAssertEqual(Array(z.prefix(4)), [0x28, 0xB5, 0x2F, 0xFD])
        assertRoundTrip(z, original, { ZstdDecoder() }, "zstd")

        let (a, b) = Self.text.halves()
        let frames = try Tool.zstd(a) + Tool.zstd(b, ["--no-check", "-19"]) + skippable(Array("zstd skippable".utf8), nibble: 5) + Tool.zstd(a)
        assertRoundTrip(frames, a + b + a, { ZstdDecoder() }, "zstd frames with a skippable frame")
    }

    func testZstdCorruptionIsDetected() throws {
        let z = try Tool.zstd(original)
        var middle = z
        middle[z.count / 2] ^= 0xFF
        let mid = decodeWhole({ ZstdDecoder() }, middle)
        XCTAssertEqual(mid.error?.kind, .corrupt, mid.description)

        var checksum = z
        checksum[z.count - 1] ^= 0x01  // the frame's XXH64-based content checksum
        let c = ChunkingVerifier.verify(checksum) { decode({ ZstdDecoder() }, $0).error?.kind }
        XCTAssertEqual(c, .corrupt)
    }

    /// The blocks of one zstd frame: where each block header lies (RFC 8878 §3.1.1).
    func zstdBlockHeaders(_ f: [UInt8]) -> [Int] {
        let fhd = f[4]
        let single = fhd & 0x20 != 0
        let fcs = [single ? 1 : 0, 2, 4, 8][Int(fhd >> 6)]
        var p = 5 + (single ? 0 : 1) + [0, 1, 2, 4][Int(fhd & 3)] + fcs
        var headers: [Int] = []
        while true {
            let h = Int(f[p]) | Int(f[p + 1]) << 8 | Int(f[p + 2]) << 16
            headers.append(p)
            p += 3 + ((h >> 1) & 3 == 1 ? 1 : h >> 3)
            if h & 1 == 1 { return headers }
        }
    }

    /// A damaged block header in the middle of a frame: the blocks before it are delivered (zstd
    /// reports no output for a call that fails) and the offset names the damaged header.
    func testZstdDamagedBlockKeepsTheBlocksBeforeIt() throws {
        let z = try Tool.zstd(original, ["-1"])
        let headers = zstdBlockHeaders(z)
        XCTAssertGreaterThanOrEqual(headers.count, 2)
        let last = headers.last!
        var bad = z
        bad[last] |= 0x06  // block type 3: reserved
        struct Seen: Equatable { var bytes: [UInt8]; var kind: DecodeError.Kind? }
        let seen = ChunkingVerifier.verify(bad) { chunks -> Seen in
            let o = decode({ ZstdDecoder() }, chunks)
            XCTAssertTrue(o.error.map { (last...(last + 2)).contains(Int($0.offset)) } ?? false,
                          "offset \(o.error?.offset ?? -1) is not the damaged header at \(last)")
            return Seen(bytes: o.bytes, kind: o.error?.kind)
        }
        XCTAssertEqual(seen.kind, .corrupt)
        XCTAssertEqual(seen.bytes.count, (headers.count - 1) * 131_072, "every 128 KiB block before the damaged one")
        assertPrefix(seen.bytes, of: original, "bytes before the damage")
    }

    /// A frame demanding a 2 GB window (`zstd --long=31` from a pipe) is refused as a limit,
    /// not reported as corrupt data, and decodes when the limit is raised.
    func testZstdWindowLimit() throws {
        guard let exe = Tool.path("zstd") else { throw XCTSkip("zstd is not installed") }
        let dir = try TempDir()
        let input = try dir.write("in.txt", original)
        let output = dir.url.appendingPathComponent("out.zst")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "'\(exe)' -q --long=31 -c < '\(input)' > '\(output.path)'"]
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        let z = [UInt8](try Data(contentsOf: output))
        let refused = decodeWhole({ ZstdDecoder() }, z)
        XCTAssertEqual(refused.error?.kind, .limit, refused.error?.description ?? "no error")
        let allowed = decodeWhole({ ZstdDecoder(windowLogMax: 31) }, z)
        XCTAssertNil(allowed.error)
        assertBytes(allowed.bytes, original, "zstd --long=31 with windowLogMax 31")
    }

    // MARK: all formats

    func testTruncatedInputThrowsTruncatedAfterDeliveringAPrefix() throws {
        let formats: [(String, [UInt8], () -> any StreamDecoder)] = [
            ("lz4", try Tool.lz4(original), { LZ4FrameDecoder() }),
            ("lz4 -BX --content-size", try Tool.lz4(original, ["-BX", "--content-size"]), { LZ4FrameDecoder() }),
            ("gzip", try Tool.gzip(original), { GzipDecoder() }),
            ("zstd", try Tool.zstd(original), { ZstdDecoder() }),
        ]
        for (name, full, make) in formats {
            let layout = name.hasPrefix("lz4") ? lz4Layout(full) : nil
            for cut in [full.count / 2, full.count / 3, full.count - 1, 3, 1] {
                let truncated = Array(full.prefix(cut))
                let outcome = ChunkingVerifier.verify(truncated, randomSplits: cut > 1000 ? 50 : 10) { decode(make, $0) }
                XCTAssertEqual(outcome.error?.kind, .truncated, "\(name) cut at \(cut): \(outcome)")
                XCTAssertTrue(outcome.errorInFinish, "\(name) cut at \(cut): truncation is found by finish()")
                XCTAssertEqual(outcome.error?.offset, Int64(cut), "\(name) cut at \(cut): offset is the end of the input")
                assertPrefix(outcome.bytes, of: original, "\(name) cut at \(cut)")
                if let layout {
                    // LZ4 blocks are all or nothing: every block complete before the cut is delivered
                    let checksum = layout.blockChecksum ? 4 : 0
                    let complete = layout.blocks.filter { $0.upperBound + checksum <= cut }.count
                    XCTAssertEqual(outcome.bytes.count, min(complete * 65_536, original.count), "\(name) cut at \(cut): complete blocks delivered")
                } else if name == "gzip" && cut == full.count / 2 {
                    XCTAssertGreaterThan(outcome.bytes.count, original.count / 3, "gzip: deflate output before the cut is delivered")
                }
                if cut == full.count - 1 {
                    // only the last byte of a trailer is missing: all of the text was decoded
                    assertBytes(outcome.bytes, original, "\(name) without its last byte")
                }
            }
        }
    }

    func testEmptyInputIsAnEmptyStream() {
        for make in [{ PassthroughDecoder() }, { LZ4FrameDecoder() }, { GzipDecoder() }, { ZstdDecoder() }] as [() -> any StreamDecoder] {
            let outcome = decode(make, [])
            XCTAssertEqual(outcome.bytes, [])
            XCTAssertNil(outcome.error)
            let withEmptyChunk = decode(make, [[][...], [][...]])
            XCTAssertNil(withEmptyChunk.error)
        }
    }

    func testMakeDecoderMatchesFormat() throws {
        let fixtures: [(InputFormat, [UInt8])] = [
            (.plain, original), (.lz4, try Tool.lz4(original)), (.gzip, try Tool.gzip(original)), (.zstd, try Tool.zstd(original)),
        ]
        for (format, bytes) in fixtures {
            let sniffed = bytes.withUnsafeBytes { InputFormat.sniff($0) }
            XCTAssertEqual(sniffed, .format(format))
            let outcome = ChunkingVerifier.verify(bytes, randomSplits: 10) { decode({ format.makeDecoder() }, $0) }
            assertBytes(outcome.bytes, original, "\(format) through makeDecoder()")
        }
    }

    // MARK: sniffing

    func sniff(_ bytes: [UInt8], checkBinary: Bool = true) -> InputFormat.Sniffed {
        bytes.withUnsafeBytes { InputFormat.sniff($0, checkBinary: checkBinary) }
    }

    func testSniffMagics() throws {
        XCTAssertEqual(sniff([0x04, 0x22, 0x4D, 0x18, 0x64, 0x40, 0xA7]), .format(.lz4))
        XCTAssertEqual(sniff([0x28, 0xB5, 0x2F, 0xFD, 0x24, 0x00]), .format(.zstd))
        XCTAssertEqual(sniff([0x1F, 0x8B, 0x08, 0x00]), .format(.gzip))
        // Skippable frames are shared by LZ4 and zstd: the frame after decides.
        XCTAssertEqual(sniff(skippable([1, 2, 3]) + [0x28, 0xB5, 0x2F, 0xFD, 0x24]), .format(.zstd))
        XCTAssertEqual(sniff(skippable([1, 2, 3], nibble: 0xA) + [0x04, 0x22, 0x4D, 0x18, 0x64]), .format(.lz4))
        XCTAssertEqual(sniff(skippable([UInt8](repeating: 7, count: 64)).prefix(20).map { $0 }), .format(.lz4))
        XCTAssertEqual(sniff([0x02, 0x21, 0x4C, 0x18, 0, 0, 0, 0]), .unsupported("legacy LZ4 format (lz4 -l)"))
        XCTAssertEqual(sniff([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00, 0x00]), .unsupported("xz"))
        XCTAssertEqual(sniff(Array("BZh91AY&SY".utf8) + [0x12, 0x34]), .unsupported("bzip2"))
        XCTAssertEqual(sniff([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00]), .unsupported("zip"))

        XCTAssertEqual(sniff(try Tool.lz4(original)), .format(.lz4))
        XCTAssertEqual(sniff(try Tool.lz4(original, ["-BX", "--content-size"])), .format(.lz4))
        XCTAssertEqual(sniff(try Tool.gzip(original)), .format(.gzip))
        XCTAssertEqual(sniff(try Tool.zstd(original)), .format(.zstd))
    }

    /// A compressed file whose first byte is damaged is reported as damaged, not read as text
    /// or skipped as binary: one bit off a magic number, or binary under a compressed name.
    func testDamagedStartIsRecognised() throws {
        func damaged(_ b: [UInt8], _ path: String = "app.log.1") -> InputFormat? {
            b.withUnsafeBytes { InputFormat.damagedStart($0, path: path)?.0 }
        }
        for (format, compressed) in [(InputFormat.gzip, try Tool.gzip(original)), (.lz4, try Tool.lz4(original)), (.zstd, try Tool.zstd(original))] {
            XCTAssertNil(damaged(compressed), "\(format) intact is not damaged")
            for bit in 0..<8 {
                var b = compressed
                b[0] ^= UInt8(1) << bit
                XCTAssertEqual(damaged(b), format, "\(format) with bit \(bit) of byte 0 flipped")
            }
            var zeroed = compressed
            zeroed.replaceSubrange(0..<4, with: [0, 0, 0, 0])
            XCTAssertNil(damaged(zeroed), "\(format): far from any magic, under a plain name")
            XCTAssertEqual(damaged(zeroed, "app.log.1" + [InputFormat.gzip: ".gz", .lz4: ".lz4", .zstd: ".zst"][format]!), format, "named \(format)")
        }
        XCTAssertNil(damaged(original, "app.log.1.gz"), "text under a .gz name is text")
        let message = try Tool.gzip(original).enumerated().map { $0.offset == 0 ? 0x1E : $0.element }.withUnsafeBytes { InputFormat.damagedStart($0, path: "x")?.1 }
        XCTAssertEqual(message?.hasPrefix("damaged gzip data: the file starts with 1e 8b 08"), true, message ?? "")
    }

    func testSniffPlainAndBinary() {
        XCTAssertEqual(sniff(original), .format(.plain))
        XCTAssertEqual(sniff([]), .format(.plain))
        XCTAssertEqual(sniff(Array("short".utf8)), .format(.plain))
        // ANSI colours and a stray NUL do not make a log binary.
        let coloured = Array("\u{1B}[31mERROR\u{1B}[0m something\n2023-10-10 16:30:38 INFO ok\u{0}\n".utf8) + Array(original.prefix(2000))
        XCTAssertEqual(sniff(coloured), .format(.plain))

        var rng = SplitMix64(seed: 3)
        let blob = (0..<4096).map { _ in UInt8(truncatingIfNeeded: rng.next() % 32) }
        XCTAssertEqual(sniff(blob), .binary)
        XCTAssertEqual(sniff(blob, checkBinary: false), .format(.plain), "binary is only classified when asked")
        let elf: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0] + [UInt8](repeating: 0, count: 120)
        XCTAssertEqual(sniff(elf), .binary)
    }
}

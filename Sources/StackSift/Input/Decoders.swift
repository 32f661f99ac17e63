internal import CLZ4
internal import CXXHash
internal import CZlib
internal import CZstd

/// Why a compressed stream could not be decoded to its end.
public struct DecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable {
        case truncated, corrupt, checksum, limit, io
    }
    public var kind: Kind
    public var message: String
    /// Byte offset in the compressed input at (or just after) which the damage was found.
    public var offset: Int64

    public init(_ kind: Kind, _ message: String, offset: Int64) {
        self.kind = kind
        self.message = message
        self.offset = offset
    }

    public var description: String { "\(message) at byte offset \(offset)" }
}

/// A streaming decoder: compressed bytes in, decompressed bytes out, memory bounded by its
/// own buffers whatever the size of the input.
public protocol StreamDecoder: AnyObject {
    /// Decodes `input`, handing decoded bytes to `sink` (zero or more calls). On corrupt input it
    /// throws after having delivered every byte decoded before the damage.
    func feed(_ input: UnsafeRawBufferPointer, _ sink: (UnsafeRawBufferPointer) -> Void) throws(DecodeError)
    /// End of input: throws `.truncated` when the stream stopped inside a frame.
    func finish() throws(DecodeError)
    /// Compressed bytes consumed so far.
    var consumed: Int64 { get }
    /// Like `feed(_:_:)`, but decodes into `target`'s room (the framing buffers) where the
    /// format allows, saving a copy of every byte. By default: `feed` and a copy.
    func feed(_ input: UnsafeRawBufferPointer, into target: DecodeTarget) throws(DecodeError)
}

extension StreamDecoder {
    public func feed(_ input: UnsafeRawBufferPointer, into target: DecodeTarget) throws(DecodeError) {
        try feed(input) { target.write($0) }
    }
}

/// Where a decoder can write decoded bytes itself: the segmenter's pool slots.
public protocol DecodeTarget: AnyObject {
    /// Free room at the end of the current buffer, never empty: at least `minimum` bytes when
    /// the target can give that much (a decoder that needs a whole block in one piece asks for
    /// the block size; with less it still works, through a copy of its own).
    func reserve(_ minimum: Int) -> UnsafeMutableRawBufferPointer
    /// The first `count` bytes of the last room reserved now hold decoded data.
    func commit(_ count: Int)
}

extension DecodeTarget {
    /// Copies `bytes` in, room after room.
    public func write(_ bytes: UnsafeRawBufferPointer) {
        guard let src = bytes.baseAddress else { return }
        var off = 0
        while off < bytes.count {
            let room = reserve(1)
            let n = min(room.count, bytes.count - off)
            room.baseAddress!.copyMemory(from: src + off, byteCount: n)
            commit(n)
            off += n
        }
    }
}

/// The `feed(_:_:)` of a decoder that writes into targets: into its own `buffer`, each piece
/// handed to `sink`.
func feedThrough(_ buffer: UnsafeMutableRawBufferPointer, _ sink: (UnsafeRawBufferPointer) -> Void,
                 _ decode: (DecodeTarget) throws(DecodeError) -> Void) throws(DecodeError) {
    try withoutActuallyEscaping(sink) { sink throws(DecodeError) in try decode(BufferTarget(buffer, sink)) }
}

/// A target over one fixed buffer that hands each commit to a sink (the `feed(_:_:)` path of
/// a decoder that writes into targets).
final class BufferTarget: DecodeTarget {
    private let room: UnsafeMutableRawBufferPointer
    private let sink: (UnsafeRawBufferPointer) -> Void

    init(_ room: UnsafeMutableRawBufferPointer, _ sink: @escaping (UnsafeRawBufferPointer) -> Void) {
        self.room = room
        self.sink = sink
    }

    func reserve(_ minimum: Int) -> UnsafeMutableRawBufferPointer { room }
    func commit(_ count: Int) { if count > 0 { sink(UnsafeRawBufferPointer(rebasing: room[0..<count])) } }
}

/// Plain text: bytes pass through.
public final class PassthroughDecoder: StreamDecoder {
    public private(set) var consumed: Int64 = 0
    public init() {}
    public func feed(_ input: UnsafeRawBufferPointer, _ sink: (UnsafeRawBufferPointer) -> Void) throws(DecodeError) {
        consumed += Int64(input.count)
        if !input.isEmpty { sink(input) }
    }
    public func finish() throws(DecodeError) {}
}

private let outputCapacity = 256 * 1024
/// liblz4 decodes a block straight into the caller's buffer only when a whole block (up to
/// 4 MiB) fits; a smaller buffer costs an extra copy of every byte.
let lz4OutputCapacity = 4 * 1024 * 1024

/// LZ4 frame format (lz4 CLI output): concatenated and skippable frames. liblz4's own checksum
/// pass is slow (~1.4 GB/s), so frames whose blocks carry no checksum are decoded with
/// `skipChecksums` and their content checksum is verified here with XXH32 (3–5 GB/s on the
/// project's VM: about a third of the decoding thread's time, and `lz4 -dc` pays it too).
public final class LZ4FrameDecoder: StreamDecoder {
    private var dctx: OpaquePointer?
    private let out: UnsafeMutableRawPointer
    private let xxh: OpaquePointer
    public private(set) var consumed: Int64 = 0
    /// Bytes of a frame start held back until its flags are known (magic + FLG).
    private var head: [UInt8] = []
    private var atFrameStart = true
    private var verifyContent = false
    private var libraryChecks = false
    private var lastFour: UInt32 = 0
    private var frameStartOffset: Int64 = 0
    /// liblz4's hint: the input that completes the current block plus the next block's header.
    /// Each call is fed that much less the header, and the header in a call of its own: on error
    /// liblz4 reports no output for the call, so a damaged block (or block header) must never
    /// share a call with the intact block before it, and the error's offset is then the start
    /// of the damaged part.
    private var hint = Int.max

    public init() {
        var ctx: OpaquePointer?
        let rc = LZ4F_createDecompressionContext(&ctx, UInt32(LZ4F_VERSION))
        precondition(LZ4F_isError(rc) == 0, "LZ4F_createDecompressionContext failed")
        dctx = ctx
        out = UnsafeMutableRawPointer.allocate(byteCount: lz4OutputCapacity, alignment: 16)
        xxh = XXH32_createState()
    }

    deinit {
        LZ4F_freeDecompressionContext(dctx)
        out.deallocate()
        XXH32_freeState(xxh)
    }

    public func feed(_ input: UnsafeRawBufferPointer, _ sink: (UnsafeRawBufferPointer) -> Void) throws(DecodeError) {
        try feedThrough(UnsafeMutableRawBufferPointer(start: out, count: lz4OutputCapacity), sink) { t throws(DecodeError) in try feed(input, into: t) }
    }

    /// Decodes straight into `target`: a block goes into the target's room in one piece when the
    /// room holds a whole block (liblz4 decodes through a buffer of its own otherwise).
    public func feed(_ input: UnsafeRawBufferPointer, into target: DecodeTarget) throws(DecodeError) {
        guard var p = input.baseAddress else { return }
        var remaining = input.count
        while remaining > 0 {
            if atFrameStart {
                // Hold back the first bytes of a frame until magic and FLG are known, because the
                // checksum mode must be chosen before liblz4 sees the frame.
                let need = 5 - head.count
                let take = min(need, remaining)
                head.append(contentsOf: UnsafeRawBufferPointer(start: p, count: take))
                p += take
                remaining -= take
                if head.count < 5 { return }
                try startFrame()
                let held = head
                head.removeAll(keepingCapacity: true)
                atFrameStart = false
                var failure: DecodeError?
                held.withUnsafeBytes { buf in
                    do { try decompress(buf.baseAddress!, buf.count, target) } catch let e as DecodeError { failure = e } catch {}
                }
                if let failure { throw failure }
                continue
            }
            let used = try decompress(p, remaining, target)
            p += used
            remaining -= used
        }
    }

    private func startFrame() throws(DecodeError) {
        frameStartOffset = consumed
        let magic = UInt32(head[0]) | UInt32(head[1]) << 8 | UInt32(head[2]) << 16 | UInt32(head[3]) << 24
        if magic == 0x184D_2204 {
            let flg = head[4]
            let blockChecksums = flg & 0x10 != 0
            let contentChecksum = flg & 0x04 != 0
            // Block checksums can only be checked inside liblz4; then let it check everything.
            libraryChecks = blockChecksums
            verifyContent = contentChecksum && !blockChecksums
        } else if magic & 0xFFFF_FFF0 == 0x184D_2A50 {
            libraryChecks = false
            verifyContent = false
        } else {
            throw DecodeError(.corrupt, "not an LZ4 frame (bad magic number 0x\(String(magic, radix: 16)))", offset: consumed)
        }
        if verifyContent { XXH32_reset(xxh, 0) }
    }

    /// Feeds up to `count` bytes of one frame; returns how many were consumed (stops at frame end).
    @discardableResult
    private func decompress(_ src: UnsafeRawPointer, _ count: Int, _ target: DecodeTarget) throws(DecodeError) -> Int {
        var options = LZ4F_decompressOptions_t()
        options.skipChecksums = libraryChecks ? 0 : 1
        var used = 0
        while true {
            var srcSize = min(count - used, self.hint > lz4BlockHeaderSize ? self.hint - lz4BlockHeaderSize : self.hint)
            let room = target.reserve(lz4OutputCapacity)
            var dstSize = room.count
            let hint = LZ4F_decompress(dctx, room.baseAddress, &dstSize, src + used, &srcSize, &options)
            if LZ4F_isError(hint) != 0 {
                throw DecodeError(.corrupt, "corrupt LZ4 data (\(lz4ErrorText(hint)))", offset: consumed)
            }
            if srcSize > 0 { noteConsumed(src + used, srcSize) }
            used += srcSize
            if dstSize > 0 {
                if verifyContent { XXH32_update(xxh, room.baseAddress, dstSize) }
                target.commit(dstSize)
            }
            if hint == 0 {
                self.hint = Int.max
                try endFrame()
                return used
            }
            self.hint = hint
            if used == count && dstSize < room.count { return used }
            if srcSize == 0 && dstSize == 0 { return used }
        }
    }

    private func noteConsumed(_ p: UnsafeRawPointer, _ n: Int) {
        consumed += Int64(n)
        // Keep the last four bytes seen: at frame end they are the content checksum.
        let start = max(0, n - 4)
        for i in start..<n { lastFour = lastFour >> 8 | UInt32(p.load(fromByteOffset: i, as: UInt8.self)) << 24 }
    }

    private func endFrame() throws(DecodeError) {
        if verifyContent {
            let digest = XXH32_digest(xxh)
            if digest != lastFour {
                throw DecodeError(.checksum, "LZ4 content checksum mismatch in the frame starting at byte \(frameStartOffset)", offset: consumed - 4)
            }
        }
        atFrameStart = true
        verifyContent = false
        libraryChecks = false
    }

    public func finish() throws(DecodeError) {
        if !head.isEmpty {
            throw DecodeError(.truncated, "truncated LZ4 frame header", offset: consumed + Int64(head.count))
        }
        if !atFrameStart {
            throw DecodeError(.truncated, "truncated LZ4 frame (the input ended inside the frame starting at byte \(frameStartOffset))", offset: consumed)
        }
    }
}

private let lz4BlockHeaderSize = 4

/// liblz4's error name, with what it means where the name misleads: "maxBlockSize_invalid" is
/// raised for a block's size field, not only for the frame header's block-size byte.
private func lz4ErrorText(_ code: Int) -> String {
    let name = String(cString: LZ4F_getErrorName(code)).replacingOccurrences(of: "ERROR_", with: "")
    switch name {
    case "maxBlockSize_invalid": return "\(name): a block size field exceeds the frame's maximum block size"
    case "blockChecksum_invalid": return "\(name): a block's checksum does not match its data"
    case "decompressionFailed": return "\(name): a block's compressed data is damaged"
    default: return name
    }
}

/// gzip (RFC 1952) through zlib's inflate, multi-member files included.
public final class GzipDecoder: StreamDecoder {
    private let stream: UnsafeMutablePointer<z_stream>
    private let out: UnsafeMutableRawPointer
    public private(set) var consumed: Int64 = 0
    private var inMember = false
    private var memberStart: Int64 = 0
    /// After a member ends, bytes that follow must start another member (or be zero padding).
    private var betweenMembers = false
    private var paddingOnly = true

    public init() {
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        out = UnsafeMutableRawPointer.allocate(byteCount: outputCapacity, alignment: 16)
        // 15 + 16: gzip wrapper only, largest window.
        let rc = stacksift_inflateInit2(stream, 15 + 16)
        precondition(rc == Z_OK, "inflateInit2 failed: \(rc)")
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        out.deallocate()
    }

    public func feed(_ input: UnsafeRawBufferPointer, _ sink: (UnsafeRawBufferPointer) -> Void) throws(DecodeError) {
        try feedThrough(UnsafeMutableRawBufferPointer(start: out, count: outputCapacity), sink) { t throws(DecodeError) in try feed(input, into: t) }
    }

    public func feed(_ input: UnsafeRawBufferPointer, into target: DecodeTarget) throws(DecodeError) {
        guard let base = input.baseAddress else { return }
        var offset = 0
        while offset < input.count {
            if betweenMembers {
                // zero padding after the last member is tolerated (tape/blocked writers add it)
                let b = base.load(fromByteOffset: offset, as: UInt8.self)
                if b == 0 {
                    offset += 1
                    consumed += 1
                    continue
                }
                if !paddingOnly || b != 0x1F {
                    throw DecodeError(.corrupt, "trailing bytes after the last gzip member are not a gzip member", offset: consumed)
                }
                betweenMembers = false
                inflateReset(stream)
            }
            if !inMember {
                inMember = true
                memberStart = consumed
            }
            stream.pointee.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: UInt8.self) + offset)
            stream.pointee.avail_in = UInt32(input.count - offset)
            var rc: Int32 = Z_OK
            repeat {
                let room = target.reserve(outputCapacity)
                let roomSize = min(room.count, Int(UInt32.max))
                stream.pointee.next_out = room.baseAddress!.assumingMemoryBound(to: UInt8.self)
                stream.pointee.avail_out = UInt32(roomSize)
                let before = Int(stream.pointee.avail_in)
                rc = inflate(stream, Z_NO_FLUSH)
                let used = before - Int(stream.pointee.avail_in)
                consumed += Int64(used)
                offset += used
                let produced = roomSize - Int(stream.pointee.avail_out)
                target.commit(produced)
                if rc == Z_STREAM_END {
                    inMember = false
                    betweenMembers = true
                    break
                }
                if rc == Z_BUF_ERROR && used == 0 && produced == 0 { break }
                if rc != Z_OK && rc != Z_BUF_ERROR {
                    let why = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(rc)"
                    throw DecodeError(.corrupt, "corrupt gzip data (\(why)) in the member starting at byte \(memberStart)",
                                      offset: Self.damagedByte(why, memberStart: memberStart) ?? consumed)
                }
            } while stream.pointee.avail_in > 0 || stream.pointee.avail_out == 0
        }
    }

    /// Where a damaged member header is damaged: zlib reads the header in pieces and stops a
    /// few bytes past the byte it rejects, so for the header's own errors the byte is known
    /// better than zlib's position (RFC 1952: the method is byte 2 of a member, the flags byte 3).
    static func damagedByte(_ why: String, memberStart: Int64) -> Int64? {
        switch why {
        case "unknown compression method": return memberStart + 2
        case "unknown header flags set": return memberStart + 3
        default: return nil
        }
    }

    public func finish() throws(DecodeError) {
        if inMember {
            throw DecodeError(.truncated, "truncated gzip member (the input ended inside the member starting at byte \(memberStart))", offset: consumed)
        }
    }
}

/// zstd frames (multi-frame, skippable frames) with a cap on the window a frame may demand, so
/// a hostile or `--long=31` file cannot make the decoder allocate gigabytes.
public final class ZstdDecoder: StreamDecoder {
    private let dctx: OpaquePointer
    private let out: UnsafeMutableRawPointer
    public private(set) var consumed: Int64 = 0
    private var inFrame = false
    /// zstd's hint for the next call's input (see `feed`).
    private var hint = zstdFrameStartHint
    public static let defaultWindowLogMax: Int32 = 27

    public init(windowLogMax: Int32 = ZstdDecoder.defaultWindowLogMax) {
        dctx = ZSTD_createDCtx()
        ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, windowLogMax)
        out = UnsafeMutableRawPointer.allocate(byteCount: outputCapacity, alignment: 16)
    }

    deinit {
        ZSTD_freeDCtx(dctx)
        out.deallocate()
    }

    public func feed(_ input: UnsafeRawBufferPointer, _ sink: (UnsafeRawBufferPointer) -> Void) throws(DecodeError) {
        try feedThrough(UnsafeMutableRawBufferPointer(start: out, count: outputCapacity), sink) { t throws(DecodeError) in try feed(input, into: t) }
    }

    public func feed(_ input: UnsafeRawBufferPointer, into target: DecodeTarget) throws(DecodeError) {
        // With no input, ZSTD_decompressStream still answers "more to come", which would make a
        // stream that ended cleanly look truncated.
        guard let base = input.baseAddress, !input.isEmpty else { return }
        var pos = 0
        while true {
            // On error zstd reports neither the output nor the input position of the call, so a
            // call holds one block's content, or one header, never a damaged block together with
            // the intact ones before it: zstd's hint is the next block's content plus the header
            // after it, and the header goes in a call of its own.
            let limit = hint > zstdBlockHeaderSize ? hint - zstdBlockHeaderSize : hint
            var inBuf = ZSTD_inBuffer(src: base, size: pos + min(input.count - pos, limit), pos: pos)
            let room = target.reserve(outputCapacity)
            var outBuf = ZSTD_outBuffer(dst: room.baseAddress, size: room.count, pos: 0)
            let rc = ZSTD_decompressStream(dctx, &outBuf, &inBuf)
            if ZSTD_isError(rc) != 0 {
                let name = String(cString: ZSTD_getErrorName(rc))
                let kind: DecodeError.Kind = ZSTD_getErrorCode(rc) == ZSTD_error_frameParameter_windowTooLarge ? .limit : .corrupt
                throw DecodeError(kind, "corrupt or unsupported zstd data (\(name))", offset: consumed)
            }
            let used = inBuf.pos - pos
            consumed += Int64(used)
            pos = inBuf.pos
            target.commit(outBuf.pos)
            inFrame = rc != 0
            // A new frame starts with a header of unknown length: feed it a few bytes at a time.
            hint = rc == 0 ? zstdFrameStartHint : (used == 0 && outBuf.pos == 0 ? Int.max : rc)
            if pos == input.count && outBuf.pos < outBuf.size { return }
        }
    }

    public func finish() throws(DecodeError) {
        if inFrame {
            throw DecodeError(.truncated, "truncated zstd frame (the input ended inside a frame)", offset: consumed)
        }
    }
}

private let zstdBlockHeaderSize = 3
/// The input of a frame's first call: the magic number and the frame header's first byte.
private let zstdFrameStartHint = 5 + zstdBlockHeaderSize

import Foundation

/// Counters of what the framer tolerated rather than rejected.
public struct LineStats: Sendable, Codable, Equatable {
    public var lines = 0
    /// Lines longer than the limit: cut at the limit, the rest of the line dropped.
    public var truncatedLines = 0
    /// Lines holding bytes that are not valid UTF-8.
    public var invalidUTF8Lines = 0
    /// Lines holding NUL bytes.
    public var nulLines = 0
    public init() {}

    public mutating func add(_ o: LineStats) {
        lines += o.lines
        truncatedLines += o.truncatedLines
        invalidUTF8Lines += o.invalidUTF8Lines
        nulLines += o.nulLines
    }
}

/// Bytes → lines. LF or CRLF endings (a CR/LF pair split across two chunks included), a
/// maximum line length (the longer line is cut and flagged, never fatal), invalid UTF-8 and
/// NUL bytes tolerated and counted. Memory is bounded by `maxLineLength`.
public struct LineFramer {
    public let maxLineLength: Int
    public private(set) var stats = LineStats()
    private var carry: [UInt8] = []
    private var carryCut = false

    public static let defaultMaxLineLength = 1 << 20

    public init(maxLineLength: Int = LineFramer.defaultMaxLineLength) {
        self.maxLineLength = max(16, maxLineLength)
        carry.reserveCapacity(4096)
    }

    /// Hands every complete line in `chunk` (without its LF/CRLF) to `onLine`; keeps the
    /// unterminated tail for the next call. `cut` is true for a line cut at the limit.
    @inline(__always)
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, _ onLine: (UnsafeBufferPointer<UInt8>, _ cut: Bool) -> Void) {
        guard let base = chunk.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        let end = base + chunk.count
        var p = base
        while p < end {
            let rest = end - p
            guard let nl = memchr(p, 0x0A, rest) else {
                appendCarry(p, rest)
                return
            }
            let q = UnsafePointer(nl.assumingMemoryBound(to: UInt8.self))
            let len = q - p
            if carry.isEmpty && !carryCut {
                emit(p, len, cut: false, onLine)
            } else {
                appendCarry(p, len)
                let cut = carryCut
                carry.withUnsafeBufferPointer { buf in emit(buf.baseAddress!, buf.count, cut: cut, onLine) }
                carry.removeAll(keepingCapacity: true)
                carryCut = false
            }
            p = q + 1
        }
    }

    /// End of input: the last line, if it had no newline.
    public mutating func finish(_ onLine: (UnsafeBufferPointer<UInt8>, _ cut: Bool) -> Void) {
        if !carry.isEmpty || carryCut {
            let cut = carryCut
            carry.withUnsafeBufferPointer { buf in
                emitRaw(buf.baseAddress ?? UnsafePointer(bitPattern: 1)!, buf.count, cut: cut, onLine)
            }
            carry.removeAll(keepingCapacity: true)
            carryCut = false
        }
    }

    private mutating func appendCarry(_ p: UnsafePointer<UInt8>, _ n: Int) {
        let room = maxLineLength + 1 - carry.count  // +1 keeps a possible CR before the cut check
        if n <= room {
            carry.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
        } else {
            if room > 0 { carry.append(contentsOf: UnsafeBufferPointer(start: p, count: room)) }
            carryCut = true
        }
    }

    @inline(__always)
    private mutating func emit(_ p: UnsafePointer<UInt8>, _ n0: Int, cut: Bool, _ onLine: (UnsafeBufferPointer<UInt8>, Bool) -> Void) {
        var n = n0
        if n > 0 && p[n - 1] == 0x0D { n -= 1 }
        emitRaw(p, n, cut: cut, onLine)
    }

    @inline(__always)
    private mutating func emitRaw(_ p: UnsafePointer<UInt8>, _ n0: Int, cut: Bool, _ onLine: (UnsafeBufferPointer<UInt8>, Bool) -> Void) {
        var n = n0
        var isCut = cut
        if n > maxLineLength {
            n = maxLineLength
            isCut = true
        }
        stats.lines += 1
        if isCut { stats.truncatedLines += 1 }
        let (high, nul) = Self.scan(p, n)
        if nul { stats.nulLines += 1 }
        if high && !Self.validUTF8(p, n, allowCutTail: isCut) { stats.invalidUTF8Lines += 1 }
        onLine(UnsafeBufferPointer(start: p, count: n), isCut)
    }

    /// Word-at-a-time check for non-ASCII and NUL bytes.
    @inline(__always)
    static func scan(_ p: UnsafePointer<UInt8>, _ n: Int) -> (high: Bool, nul: Bool) {
        var acc: UInt64 = 0
        var zero: UInt64 = 0
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i + 8 <= n {
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            acc |= w
            zero |= (w &- 0x0101_0101_0101_0101) & ~w & 0x8080_8080_8080_8080
            i += 8
        }
        var nul = zero != 0
        while i < n {
            let c = p[i]
            acc |= UInt64(c)
            if c == 0 { nul = true }
            i += 1
        }
        return (acc & 0x8080_8080_8080_8080 != 0, nul)
    }

    static func validUTF8(_ p: UnsafePointer<UInt8>, _ n: Int, allowCutTail: Bool) -> Bool {
        var i = 0
        while i < n {
            let c = p[i]
            if c < 0x80 { i += 1; continue }
            let need: Int
            if c >= 0xC2 && c <= 0xDF { need = 1 } else if c >= 0xE0 && c <= 0xEF { need = 2 } else if c >= 0xF0 && c <= 0xF4 { need = 3 } else { return false }
            // a sequence running past the end is invalid, unless the line was cut there
            if i + need >= n { return allowCutTail }
            for k in 1...need where p[i + k] & 0xC0 != 0x80 { return false }
            if need == 2 {
                let c1 = p[i + 1]
                if (c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F) { return false }
            } else if need == 3 {
                let c1 = p[i + 1]
                if (c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 > 0x8F) { return false }
            }
            i += need + 1
        }
        return true
    }
}

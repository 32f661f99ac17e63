import Foundation
internal import CByteScan

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
public final class LineFramer {
    public let maxLineLength: Int
    public private(set) var stats = LineStats()
    /// The unterminated tail of the previous chunk (raw storage: this is the per-line hot path).
    private var carryBase: UnsafeMutablePointer<UInt8>
    private var carryCount = 0
    private var carryCapacity = 4096
    private var carryCut = false
    private var clearCarry = false
    private var cursor: UnsafePointer<UInt8>?
    private var end: UnsafePointer<UInt8>?
    /// Start of the loaded chunk, for `lineEndInChunk`.
    private var chunkBase: UnsafePointer<UInt8>?

    public static let defaultMaxLineLength = 1 << 20

    public init(maxLineLength: Int = LineFramer.defaultMaxLineLength) {
        self.maxLineLength = max(16, maxLineLength)
        carryBase = .allocate(capacity: carryCapacity)
    }

    deinit { carryBase.deallocate() }

    /// Back to the state of a new framer (buffers kept).
    func reset() {
        stats = LineStats()
        carryCount = 0
        carryCut = false
        clearCarry = false
        cursor = nil
    }

    /// Hands every complete line in `chunk` (without its LF/CRLF) to `onLine`; keeps the
    /// unterminated tail for the next call. `cut` is true for a line cut at the limit.
    @inline(__always)
    public func feed(_ chunk: UnsafeRawBufferPointer, _ onLine: (UnsafeBufferPointer<UInt8>, _ cut: Bool) -> Void) {
        load(chunk)
        while let (line, cut) = next() { onLine(line, cut) }
    }

    /// Starts iterating the lines of `chunk` with `next()`. The chunk must stay valid until
    /// `next()` returns nil.
    @inline(__always)
    public func load(_ chunk: UnsafeRawBufferPointer) {
        guard let base = chunk.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            cursor = nil
            return
        }
        cursor = UnsafePointer(base)
        chunkBase = cursor
        end = UnsafePointer(base) + chunk.count
    }

    /// The line `next()` last returned lies in the loaded chunk exactly as read, its LF right
    /// after it (no CR removed, not cut): the assembler may then keep it in place.
    private(set) var lastInPlace = false
    /// False when the line `next()` last returned holds no backslash (true when not known).
    private(set) var lastMayHoldBackslash = true

    /// Bytes of the loaded chunk up to and including the newline of the line `next()` just
    /// returned: followers checkpoint at line boundaries. Only valid right after `next()`
    /// returned a line.
    var lineEndInChunk: Int {
        guard let c = cursor, let b = chunkBase else { return 0 }
        return c - b
    }

    /// The next complete line of the loaded chunk, valid until the following call; nil when
    /// the rest of the chunk is an unterminated tail (kept for the next chunk).
    @inline(__always)
    public func next() -> (UnsafeBufferPointer<UInt8>, Bool)? {
        if clearCarry {
            carryCount = 0
            carryCut = false
            clearCarry = false
        }
        guard let p = cursor, let end, p < end else {
            cursor = nil
            return nil
        }
        // one pass finds the LF and whether a byte ≥ 0x80 or a NUL comes before it
        var odd: UInt32 = 0
        let at = stacksift_scan_line(p, end - p, &odd)
        guard at >= 0 else {
            appendCarry(p, end - p)
            cursor = nil
            return nil
        }
        cursor = p + at + 1
        if carryCount == 0 && !carryCut {
            // within the chunk: only a line with a byte ≥ 0x80 or a NUL is looked at again
            let r = line(p, at, cut: false, stripCR: true, clean: odd & UInt32(STACKSIFT_SCAN_HIGH | STACKSIFT_SCAN_NUL) == 0)
            lastInPlace = r.0.count == at
            lastMayHoldBackslash = odd & UInt32(STACKSIFT_SCAN_BACKSLASH) != 0
            return r
        }
        lastInPlace = false
        lastMayHoldBackslash = true
        appendCarry(p, at)
        clearCarry = true
        return line(UnsafePointer(carryBase), carryCount, cut: carryCut, stripCR: true, clean: false)
    }

    /// End of input: the last line, if it had no newline.
    public func finish(_ onLine: (UnsafeBufferPointer<UInt8>, _ cut: Bool) -> Void) {
        if let (l, cut) = finishLine() { onLine(l, cut) }
    }

    /// End of input: the unterminated last line, if any (valid until the next call).
    public func finishLine() -> (UnsafeBufferPointer<UInt8>, Bool)? {
        if clearCarry {
            carryCount = 0
            carryCut = false
            clearCarry = false
        }
        guard carryCount > 0 || carryCut else { return nil }
        clearCarry = true
        return line(UnsafePointer(carryBase), carryCount, cut: carryCut, stripCR: false, clean: false)
    }

    private func appendCarry(_ p: UnsafePointer<UInt8>, _ n: Int) {
        let room = maxLineLength + 1 - carryCount  // +1 keeps a possible CR before the cut check
        let take = min(n, max(0, room))
        if take < n { carryCut = true }
        guard take > 0 else { return }
        if carryCount + take > carryCapacity {
            var c = carryCapacity * 2
            while c < carryCount + take { c *= 2 }
            let nb = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
            nb.update(from: carryBase, count: carryCount)
            carryBase.deallocate()
            carryBase = nb
            carryCapacity = c
        }
        (carryBase + carryCount).update(from: p, count: take)
        carryCount += take
    }

    @inline(__always)
    private func line(_ p: UnsafePointer<UInt8>, _ n0: Int, cut: Bool, stripCR: Bool, clean: Bool) -> (UnsafeBufferPointer<UInt8>, Bool) {
        var n = n0
        if stripCR && n > 0 && p[n - 1] == 0x0D { n -= 1 }
        var isCut = cut
        if n > maxLineLength {
            n = maxLineLength
            isCut = true
        }
        stats.lines += 1
        if isCut { stats.truncatedLines += 1 }
        if !clean {
            // the same scan as `next`'s; a line holds no LF, so it covers all `n` bytes
            var odd: UInt32 = 0
            _ = stacksift_scan_line(p, n, &odd)
            if odd & UInt32(STACKSIFT_SCAN_NUL) != 0 { stats.nulLines += 1 }
            if odd & UInt32(STACKSIFT_SCAN_HIGH) != 0 && !Self.validUTF8(p, n, allowCutTail: isCut) {
                stats.invalidUTF8Lines += 1
            }
        }
        return (UnsafeBufferPointer(start: p, count: n), isCut)
    }

    static func validUTF8(_ p: UnsafePointer<UInt8>, _ n: Int, allowCutTail: Bool) -> Bool {
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i < n {
            // skip ASCII eight bytes at a time
            while i + 8 <= n, raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { i += 8 }
            guard i < n else { break }
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

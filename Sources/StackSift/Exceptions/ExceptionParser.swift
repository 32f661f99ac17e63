// Exception-chain parser: turns one assembled log event into an `ExceptionChain`.
//
// Works on the event's UTF-8 bytes with plain scanning (no regex engine). The event is split
// into lines, optionally unescaped (one-line traces with literal `\n\tat`), stripped of a
// per-line prefix common to its frame lines (`[stdout] `, `app_1  | `, …), and classified line
// by line (frame, `... N more`, `Caused by:`, `Suppressed:`, header, other). A small state
// machine then builds the chain: outermost throwable first, each cause after it, `Suppressed:`
// blocks attached to their owner by indentation. Spring `nested exception is` and MyBatis
// `### Cause:` texts add causes that no `Caused by:` printed. Abandoned-connection and
// leak-detection traces (Druid, DBCP, dbcp2, HikariCP, Tomcat JDBC, c3p0) give `openStack`.

import Foundation  // memchr only

public enum ExceptionParser {
    /// At most this many frames are kept per throwable (and for an open stack).
    public static let maxFramesPerThrowable = 2000
    /// At most this many throwables (causes, suppressed and their causes included) per event.
    public static let maxThrowables = 64
    /// Longer events are cut to this many bytes before parsing.
    static let maxEventBytes = 16 << 20
    /// At most this many lines are looked at.
    static let maxLines = 200_000
    /// Message continuation caps (per throwable).
    static let maxMessageLines = 400
    static let maxMessageBytes = 64 << 10

    /// Parses one log event (its lines joined by "\n"; line 0 is the log record's own line, e.g.
    /// "2023-10-10 16:30:38.123 [http-nio-8080-exec-1] ERROR c.a.OrderController - place failed").
    /// Returns nil when the event carries no throwable and no open stack.
    public static func parse(_ event: String) -> ExceptionChain? { parse(event, frames: nil) }

    /// `parse`, looking frame lines up in (and adding them to) `frames` first.
    static func parse(_ event: String, frames: FrameCache?) -> ExceptionChain? {
        var bytes = Array(event.utf8)
        if bytes.isEmpty { return nil }
        if bytes.count > maxEventBytes { bytes.removeSubrange(maxEventBytes...) }
        if EPScan.needsUnescape(bytes) { bytes = EPScan.unescapeTriggerLines(bytes) }
        var lines = EPScan.splitLines(bytes, maxLines: maxLines)
        EPScan.stripCommonPrefix(bytes, &lines)
        var engine = EPEngine(bytes: bytes, ranges: lines, frames: frames)
        return engine.run()
    }
}

/// Parsed frame lines by their bytes (from `at` to the end of the line). A distinct trace is
/// mostly frames seen in other traces (the framework's, the application's entry points), and
/// building a frame's strings is most of parsing it. One per analyzer: not shared between
/// threads.
final class FrameCache {
    private var map: [UInt64: (frame: StackFrame, after: Int32)] = [:]
    static let limit = 32_768

    init() {}

    @inline(__always)
    fileprivate func frame(_ b: [UInt8], _ s: Int, _ e: Int) -> (StackFrame, Int)? {
        let h = b.withUnsafeBufferPointer { xxh3(UnsafeBufferPointer(rebasing: $0[s..<e])) }
        if let hit = map[h] { return (hit.frame, s + Int(hit.after)) }
        guard let (f, after) = EPFrames.parse(b, s, e) else { return nil }
        if map.count >= Self.limit { map.removeAll(keepingCapacity: true) }
        map[h] = (f, Int32(after - s))
        return (f, after)
    }
}

// MARK: - Byte helpers

@inline(__always) private func epWS(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }
@inline(__always) private func epDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
@inline(__always) private func epUpper(_ c: UInt8) -> Bool { c >= 0x41 && c <= 0x5A }
@inline(__always) private func epIsLower(_ c: UInt8) -> Bool { c >= 0x61 && c <= 0x7A }
@inline(__always) private func epAlpha(_ c: UInt8) -> Bool { epUpper(c) || epIsLower(c) }
/// Java identifier byte (ASCII part plus any non-ASCII byte, so CJK identifiers pass).
@inline(__always) private func epIdent(_ c: UInt8) -> Bool {
    epAlpha(c) || epDigit(c) || c == 0x5F /* _ */ || c == 0x24 /* $ */ || c >= 0x80
}
@inline(__always) private func epIdentStart(_ c: UInt8) -> Bool {
    epAlpha(c) || c == 0x5F || c == 0x24 || c >= 0x80
}
@inline(__always) private func epLowercased(_ c: UInt8) -> UInt8 { epUpper(c) ? c | 0x20 : c }

private extension Array where Element == UInt8 {
    func epString(_ s: Int, _ e: Int) -> String {
        if e <= s { return "" }
        return withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[s..<e]), as: UTF8.self) }
    }
    /// Index of the next `byte` at or after `i` (memchr), or `count`.
    func epNext(_ byte: UInt8, from i: Int) -> Int {
        if i >= count { return count }
        return withUnsafeBufferPointer { p -> Int in
            guard let base = p.baseAddress, let hit = memchr(base + i, Int32(byte), count - i) else { return count }
            return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
        }
    }
    func epSkipWS(_ i: Int, _ e: Int) -> Int {
        var i = i
        while i < e && epWS(self[i]) { i += 1 }
        return i
    }
    func epTrimEnd(_ s: Int, _ e: Int) -> Int {
        var e = e
        while e > s && (epWS(self[e - 1]) || self[e - 1] == 0x0D) { e -= 1 }
        return e
    }
    /// Does `self[i...]` (bounded by `e`) start with `lit`? Case-sensitive.
    func epHas(_ lit: [UInt8], at i: Int, _ e: Int) -> Bool {
        if i < 0 || i + lit.count > e { return false }
        var k = 0
        while k < lit.count { if self[i + k] != lit[k] { return false }; k += 1 }
        return true
    }
    /// Case-insensitive (ASCII) variant; `lit` must be lowercase.
    func epHasCI(_ lit: [UInt8], at i: Int, _ e: Int) -> Bool {
        if i < 0 || i + lit.count > e { return false }
        var k = 0
        while k < lit.count { if epLowercased(self[i + k]) != lit[k] { return false }; k += 1 }
        return true
    }
    /// First index of `lit` in `self[s..<e]`, or nil.
    func epFind(_ lit: [UInt8], _ s: Int, _ e: Int) -> Int? {
        guard let f = lit.first, lit.count <= e - s else { return nil }
        var i = s
        let last = e - lit.count
        while i <= last {
            if self[i] == f && epHas(lit, at: i, e) { return i }
            i += 1
        }
        return nil
    }
}

private func epLit(_ s: StaticString) -> [UInt8] {
    Array(UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
}

private enum EPLit {
    static let nestedIs = epLit("nested exception is")
    static let nestedSep = epLit("; nested exception is")
    static let cause = epLit("Cause:")
    static let hashes = epLit("###")
    static let suppressed = epLit("suppressed:")
    static let wrappedBy = epLit("wrapped by:")
    static let exInThread = epLit("Exception in thread \"")
    static let threadState = epLit("java.lang.Thread.State:")
    static let caused = epLit("caused")
    static let ownerThreadState = epLit("ownerThread current state is")
    static let atSp = epLit("at ")
    static let atTab = epLit("at\t")
    static let causedBy = epLit("Caused by:")
    static let exception = epLit("Exception")
    static let suffixes = [epLit("Error"), epLit("Throwable"), epLit("Fault"), epLit("Failure")]
    static let dots = epLit("...")
    static let syslogTab = epLit("#011")
    static let prio = epLit(" prio=")
    static let nid = epLit(" nid=")
}

// MARK: - Pre-processing: lines, unescaping, common prefixes

fileprivate struct EPRange { var s: Int; var e: Int }

fileprivate enum EPScan {
    static func splitLines(_ b: [UInt8], maxLines: Int) -> [EPRange] {
        var out: [EPRange] = []
        var s = 0
        let n = b.count
        while s < n && out.count < maxLines {
            let i = b.epNext(0x0A, from: s)
            if i >= n { break }
            var e = i
            if e > s && b[e - 1] == 0x0D { e -= 1 }
            out.append(EPRange(s: s, e: e))
            s = i + 1
        }
        if s < n && out.count < maxLines {
            var e = n
            if e > s && b[e - 1] == 0x0D { e -= 1 }
            out.append(EPRange(s: s, e: e))
        }
        return out
    }

    /// A literal (escaped) trace marker: `\tat `, `\nat `, `\n    at `, `\nCaused by:`.
    static func triggerAt(_ b: [UInt8], _ i: Int, _ e: Int) -> Bool {
        // b[i] == backslash
        guard i + 1 < e else { return false }
        let c = b[i + 1]
        if c == 0x74 /* t */ {
            return b.epHas(EPLit.atSp, at: i + 2, e) || b.epHas(EPLit.atTab, at: i + 2, e)
        }
        if c == 0x6E /* n */ {
            var j = i + 2
            while j < e && b[j] == 0x20 { j += 1 }
            if b.epHas(EPLit.atSp, at: j, e) { return true }
            if b.epHas(EPLit.causedBy, at: j, e) { return true }
            // "\n\tat" is caught at the next backslash; "\n\\tat" likewise.
        }
        return false
    }

    static func lineHasTrigger(_ b: [UInt8], _ s: Int, _ e: Int) -> Bool {
        var i = s
        while i < e {
            if b[i] == 0x5C && triggerAt(b, i, e) { return true }
            i += 1
        }
        return false
    }

    static func needsUnescape(_ b: [UInt8]) -> Bool {
        let n = b.count
        var i = b.epNext(0x5C, from: 0)
        while i < n {
            if triggerAt(b, i, n) { return true }
            i = b.epNext(0x5C, from: i + 1)
        }
        return false
    }

    /// Unescapes `\n`, `\t`, `\r`, `\"` (any run of backslashes before them) on the lines
    /// that carry an escaped trace; other lines are copied as they are.
    static func unescapeTriggerLines(_ b: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        for (k, r) in splitLines(b, maxLines: Int.max).enumerated() {
            if k > 0 { out.append(0x0A) }
            guard lineHasTrigger(b, r.s, r.e) else {
                out.append(contentsOf: b[r.s..<r.e])
                continue
            }
            var i = r.s
            while i < r.e {
                let c = b[i]
                if c != 0x5C { out.append(c); i += 1; continue }
                var j = i
                while j < r.e && b[j] == 0x5C { j += 1 }
                if j < r.e {
                    switch b[j] {
                    case 0x6E: out.append(0x0A); i = j + 1; continue
                    case 0x74: out.append(0x09); i = j + 1; continue
                    case 0x72: i = j + 1; continue
                    case 0x22: out.append(0x22); i = j + 1; continue
                    default: break
                    }
                }
                out.append(contentsOf: b[i..<j])
                i = j
            }
        }
        return out
    }

    /// Finds a per-line prefix shared by the frame lines (`[stdout] \tat …`, `app_1  | at …`,
    /// fixed-width timestamps) and removes it from every line that carries it. Digits in the
    /// prefix match any digit.
    static func stripCommonPrefix(_ b: [UInt8], _ lines: inout [EPRange]) {
        var direct = 0
        var counts: [[UInt8]: Int] = [:]
        var examined = 0
        for r in lines {
            examined += 1
            if examined > 5000 { break }
            let t = b.epSkipWS(r.s, r.e)
            if t + 3 < r.e && b[t] == 0x61 && b[t + 1] == 0x74 && epWS(b[t + 2]) { direct += 1; continue }
            // search "at" preceded by whitespace or punctuation, within 160 bytes
            var k = t + 1
            let limit = min(r.e - 3, r.s + 160)
            while k <= limit {
                if b[k] == 0x61 && b[k + 1] == 0x74 && epWS(b[k + 2])
                    && ((!epIdent(b[k - 1]) && b[k - 1] != 0x2E) || b.epHas(EPLit.syslogTab, at: k - 4, k)) {
                    if EPFrames.scan(b, k, r.e) != nil {
                        var pe = b.epTrimEnd(r.s, k)
                        while pe - r.s >= 4 && b.epHas(EPLit.syslogTab, at: pe - 4, pe) { pe = b.epTrimEnd(r.s, pe - 4) }
                        if pe > r.s {
                            var skel = Array(b[r.s..<pe])
                            for x in 0..<skel.count where epDigit(skel[x]) { skel[x] = 0x30 }
                            counts[skel, default: 0] += 1
                        }
                        break
                    }
                }
                k += 1
            }
        }
        guard let best = counts.max(by: { a, c in a.value < c.value || (a.value == c.value && a.key.count > c.key.count) }),
              best.value >= 2, best.value >= direct else { return }
        let skel = best.key
        for idx in lines.indices {
            let r = lines[idx]
            guard r.e - r.s >= skel.count else { continue }
            var ok = true
            var x = 0
            while x < skel.count {
                let c = b[r.s + x]
                if skel[x] == 0x30 { if !epDigit(c) { ok = false; break } } else if c != skel[x] { ok = false; break }
                x += 1
            }
            if ok { lines[idx].s += skel.count }
        }
    }
}

// MARK: - Frames

fileprivate enum EPFrames {
    /// Positions of one frame line's parts (no allocation).
    struct Scan {
        var nameStart: Int, moduleEnd: Int, classStart: Int, lastDot: Int, open: Int, close: Int, end: Int
    }

    /// Checks the shape `at [module/]pkg.Class.method(Location)` starting at `s` (which must
    /// point at `at`) without building anything.
    static func scan(_ b: [UInt8], _ s: Int, _ e: Int) -> Scan? {
        guard e - s >= 6, b[s] == 0x61, b[s + 1] == 0x74, epWS(b[s + 2]) else { return nil }
        let nameStart = b.epSkipWS(s + 2, e)
        var p = nameStart
        var open = -1
        var moduleEnd = -1
        var seenDollar = false
        var lastDot = -1
        while p < e {
            let c = b[p]
            if c == 0x28 /* ( */ { open = p; break }
            switch c {
            case 0x3C /* < */:
                // allowed only where a method name starts: <init>, <clinit>
                if lastDot != p - 1 { return nil }
            case 0x20, 0x09, 0x22, 0x2C, 0x3B, 0x3D, 0x3A, 0x5B, 0x5D, 0x7B, 0x7D, 0x29, 0x27:
                return nil
            case 0x24: seenDollar = true
            case 0x2F /* / */: if !seenDollar { moduleEnd = p }
            case 0x2E: lastDot = p
            default: break
            }
            p += 1
        }
        guard open > nameStart else { return nil }
        var close = open + 1
        while close < e && b[close] != 0x29 { if b[close] == 0x28 { return nil }; close += 1 }
        guard close < e else { return nil }
        let classStart = moduleEnd >= 0 ? moduleEnd + 1 : nameStart
        guard lastDot > classStart, lastDot < open - 1, epIdentStart(b[classStart]) else { return nil }
        return Scan(nameStart: nameStart, moduleEnd: moduleEnd, classStart: classStart, lastDot: lastDot,
                    open: open, close: close, end: e)
    }

    /// Builds the frame of a successful `scan`.
    static func build(_ b: [UInt8], _ sc: Scan) -> StackFrame {
        let e = sc.end
        var module: String? = nil
        if sc.moduleEnd > sc.nameStart {
            if b[sc.moduleEnd - 1] == 0x2F { module = b.epString(sc.nameStart, sc.moduleEnd + 1) } // app//
            else { module = b.epString(sc.nameStart, sc.moduleEnd) }
        }
        var frame = StackFrame(className: b.epString(sc.classStart, sc.lastDot), method: b.epString(sc.lastDot + 1, sc.open))
        frame.module = module
        // location: File.java:123 | File.java | Unknown Source | Native Method | <generated>
        let ls = sc.open + 1, le = sc.close
        if le > ls {
            var locEnd = le
            var colon = -1
            var q = le - 1
            while q >= ls { if b[q] == 0x3A { colon = q; break }; if !epDigit(b[q]) { break }; q -= 1 }
            if colon >= 0 && colon < le - 1 && le - colon <= 10 {
                var n = 0
                for x in (colon + 1)..<le { n = n * 10 + Int(b[x] - 0x30) }
                frame.line = n
                locEnd = colon
            }
            if locEnd > ls {
                let loc = b.epString(ls, locEnd)
                if b[ls] == 0x3C || b[ls..<locEnd].contains(0x20) { frame.note = loc } else { frame.file = loc }
            }
        }
        // Logback / Log4j2 jar suffix: ` ~[druid-1.2.8.jar:1.2.8]`, ` [spring-core.jar:?]`, ` ~[?:?]`
        var r = b.epSkipWS(sc.close + 1, e)
        if r < e && (b[r] == 0x7E || b[r] == 0x5B) {
            let js = r
            if b[r] == 0x7E { r += 1 }
            if r < e && b[r] == 0x5B {
                var q = r + 1
                while q < e && b[q] != 0x5D && q - r < 300 { q += 1 }
                if q < e && b[q] == 0x5D { frame.jar = b.epString(js, q + 1) }
            }
        }
        return frame
    }

    static func parse(_ b: [UInt8], _ s: Int, _ e: Int) -> (StackFrame, Int)? {
        guard let sc = scan(b, s, e) else { return nil }
        return (build(b, sc), sc.close + 1)
    }
}

// MARK: - Headers

fileprivate struct EPHeader {
    var className: String
    var message: String
    var strong: Bool
}

fileprivate enum EPHeaders {
    /// Is a simple class name exception-like (`…Exception…`, `…Error`, `…Throwable`, …)?
    static func exceptionLike(_ b: [UInt8], _ s: Int, _ e: Int) -> Bool {
        if b.epFind(EPLit.exception, s, e) != nil { return true }
        for suf in EPLit.suffixes {
            if e - s >= suf.count && b.epHas(suf, at: e - suf.count, e) { return true }
        }
        return false
    }

    /// Scans a (qualified) Java class name at `s`. Returns (end, lastSegmentStart, dots).
    static func scanClassName(_ b: [UInt8], _ s: Int, _ e: Int) -> (Int, Int, Int)? {
        guard s < e, epIdentStart(b[s]) else { return nil }
        var p = s
        var segStart = s
        var dots = 0
        while p < e {
            let c = b[p]
            if epIdent(c) { p += 1; continue }
            if c == 0x2E && p + 1 < e && epIdentStart(b[p + 1]) {
                dots += 1; p += 1; segStart = p; continue
            }
            break
        }
        return (p, segStart, dots)
    }

    /// `pkg.Class: message` or `pkg.Class` alone, starting at `s` (after any whitespace).
    /// `lenient` accepts unqualified names (after `Caused by:`) and any terminator.
    static func parse(_ b: [UInt8], _ s: Int, _ e0: Int, requireQualified: Bool) -> EPHeader? {
        let e = b.epTrimEnd(s, e0)
        let s = b.epSkipWS(s, e)
        guard let (ne, seg, dots) = scanClassName(b, s, e) else { return nil }
        if requireQualified {
            guard dots >= 1, epUpper(b[seg]) || b[seg] == 0x24 else { return nil }
        }
        if b.epHas(EPLit.threadState, at: s, e) { return nil }
        let strong = exceptionLike(b, seg, ne)
        var msg = ""
        if ne == e {
            // class alone
        } else if b[ne] == 0x3A {
            msg = b.epString(b.epSkipWS(ne + 1, e), e)
        } else {
            return nil
        }
        return EPHeader(className: b.epString(s, ne), message: msg, strong: strong)
    }

    /// After `Caused by:`: a qualified class followed by anything (` - msg`, ` msg`).
    static func parseLoose(_ b: [UInt8], _ s0: Int, _ e0: Int) -> EPHeader? {
        let e = b.epTrimEnd(s0, e0)
        let s = b.epSkipWS(s0, e)
        guard let (ne, seg, dots) = scanClassName(b, s, e), dots >= 1, epUpper(b[seg]) else { return nil }
        var m = ne
        while m < e && (epWS(b[m]) || b[m] == 0x3A || b[m] == 0x2D) { m += 1 }
        return EPHeader(className: b.epString(s, ne), message: b.epString(m, e), strong: exceptionLike(b, seg, ne))
    }

    /// `Caused by:` prefix with tolerance for typos (`Casued by:`), a missing space after the
    /// colon, or a missing colon. Returns the index where the header starts and whether a colon
    /// was present.
    static func causePrefix(_ b: [UInt8], _ s: Int, _ e: Int) -> (Int, Bool)? {
        var p = s
        while p < e && epAlpha(b[p]) && p - s <= 9 { p += 1 }
        let w1 = p - s
        guard w1 >= 4, w1 <= 8, epLowercased(b[s]) == 0x63 /* c */ else { return nil }
        var q = p
        while q < e && epWS(b[q]) { q += 1 }
        guard q > p, q + 2 <= e, epLowercased(b[q]) == 0x62, epLowercased(b[q + 1]) == 0x79 else { return nil }
        q += 2
        if q < e && epAlpha(b[q]) { return nil }
        var word = [UInt8](); word.reserveCapacity(w1)
        for x in s..<p { word.append(epLowercased(b[x])) }
        guard editDistanceAtMostOne(word, EPLit.caused) else { return nil }
        let r = b.epSkipWS(q, e)
        if r < e && b[r] == 0x3A { return (b.epSkipWS(r + 1, e), true) }
        guard r > q else { return nil }
        return (r, false)
    }

    /// Optimal string alignment distance ≤ 1 (one insertion, deletion, substitution or swap).
    static func editDistanceAtMostOne(_ a: [UInt8], _ c: [UInt8]) -> Bool {
        if a == c { return true }
        let n = a.count, m = c.count
        if abs(n - m) > 1 { return false }
        var i = 0
        while i < n && i < m && a[i] == c[i] { i += 1 }
        if n == m {
            if Array(a[(i + 1)...]) == Array(c[(i + 1)...]) { return true }
            if i + 1 < n && a[i] == c[i + 1] && a[i + 1] == c[i] && Array(a[(i + 2)...]) == Array(c[(i + 2)...]) { return true }
            return false
        }
        if n > m { return Array(a[(i + 1)...]) == Array(c[i...]) }
        return Array(a[i...]) == Array(c[(i + 1)...])
    }

    /// First exception-like qualified class named in `b[s..<e]` followed by `:` or the end
    /// (`… - java.lang.IllegalStateException: boom`), used when frames follow a line with no header.
    static func findMention(_ b: [UInt8], _ s: Int, _ e0: Int) -> EPHeader? {
        let e = b.epTrimEnd(s, e0)
        var i = s
        while i < e {
            let c = b[i]
            if epIdentStart(c) && (i == s || (!epIdent(b[i - 1]) && b[i - 1] != 0x2E)) {
                guard let (ne, seg, dots) = scanClassName(b, i, e) else { i += 1; continue }
                if dots >= 1 && epUpper(b[seg]) && exceptionLike(b, seg, ne) {
                    if ne == e { return EPHeader(className: b.epString(i, ne), message: "", strong: true) }
                    if b[ne] == 0x3A {
                        return EPHeader(className: b.epString(i, ne), message: b.epString(b.epSkipWS(ne + 1, e), e), strong: true)
                    }
                }
                i = max(ne, i + 1)
                continue
            }
            i += 1
        }
        return nil
    }

    /// Causes named inside a message: Spring `nested exception is X: msg` and MyBatis
    /// `### … Cause: X: msg`, in order of appearance.
    static func nestedCauses(_ message: String) -> [EPHeader] {
        let b = Array(message.utf8)
        let n = b.count
        guard n > 8 else { return [] }
        var out: [EPHeader] = []
        var lineStart = 0
        var lineIsHash = b.epHas(EPLit.hashes, at: b.epSkipWS(0, n), n)
        var i = 0
        while i < n {
            let c = b[i]
            if c == 0x0A {
                lineStart = i + 1
                lineIsHash = b.epHas(EPLit.hashes, at: b.epSkipWS(lineStart, n), n)
                i += 1; continue
            }
            var hs = -1
            if c == 0x6E && b.epHas(EPLit.nestedIs, at: i, n) {
                var p = i + EPLit.nestedIs.count
                if p < n && b[p] == 0x3A { p += 1 }
                while p < n && (epWS(b[p]) || b[p] == 0x0A || b[p] == 0x0D) { p += 1 }
                hs = p
            } else if c == 0x43 && lineIsHash && b.epHas(EPLit.cause, at: i, n) && (i == lineStart || !epIdent(b[i - 1])) {
                hs = b.epSkipWS(i + EPLit.cause.count, n)
            }
            if hs >= 0 {
                var le = hs
                while le < n && b[le] != 0x0A { le += 1 }
                if let (ne, seg, dots) = scanClassName(b, hs, le), dots >= 1, epUpper(b[seg]), exceptionLike(b, seg, ne) {
                    var msg = ""
                    if ne < le && b[ne] == 0x3A {
                        let ms = b.epSkipWS(ne + 1, le)
                        let me = b.epFind(EPLit.nestedSep, ms, le) ?? le
                        msg = b.epString(ms, b.epTrimEnd(ms, me))
                    }
                    if out.count < ExceptionParser.maxThrowables {
                        out.append(EPHeader(className: b.epString(hs, ne), message: msg, strong: true))
                    }
                    i = ne
                    continue
                }
            }
            i += 1
        }
        return out
    }
}

// MARK: - Line classification

fileprivate enum EPKind {
    case frame(StackFrame)
    case omitted(Int)
    case ellipsis
    case cause(EPHeader)
    case wrapped(EPHeader)
    case suppressed(EPHeader)
    case header(EPHeader)
    case blank
    case other
}

fileprivate struct EPLine {
    var s: Int
    var e: Int
    var indent: Int
    var kind: EPKind

    var isFrame: Bool { if case .frame = kind { return true }; return false }
    var isBlank: Bool { if case .blank = kind { return true }; return false }
}

// MARK: - Builders

fileprivate final class EPThrowable {
    var className: String
    var messageLines: [String]
    var messageBytes: Int
    var frames: [StackFrame] = []
    var omitted = 0
    var suppressed: [EPContext] = []

    init(_ h: EPHeader) {
        className = h.className
        messageLines = [h.message]
        messageBytes = h.message.utf8.count
    }

    func appendMessage(_ line: String) {
        guard messageLines.count < ExceptionParser.maxMessageLines,
              messageBytes < ExceptionParser.maxMessageBytes else { return }
        messageLines.append(line)
        messageBytes += line.utf8.count + 1
    }

    var message: String {
        var lo = 0, hi = messageLines.count
        while lo < hi && messageLines[lo].allSatisfy({ $0 == " " || $0 == "\t" }) { lo += 1 }
        while hi > lo && messageLines[hi - 1].allSatisfy({ $0 == " " || $0 == "\t" }) { hi -= 1 }
        return messageLines[lo..<hi].joined(separator: "\n")
    }
}

fileprivate final class EPContext {
    var chain: [EPThrowable] = []
    let indent: Int
    init(indent: Int) { self.indent = indent }
}

// MARK: - Engine

fileprivate struct EPEngine {
    let b: [UInt8]
    var lines: [EPLine] = []
    var created = 0

    let frames: FrameCache?

    init(bytes: [UInt8], ranges: [EPRange], frames: FrameCache? = nil) {
        b = bytes
        self.frames = frames
        lines.reserveCapacity(ranges.count)
        for r in ranges { classify(r.s, r.e) }
    }

    /// A frame line from `at` (at `t`), through the cache when there is one.
    private func frameLine(_ t: Int, _ e: Int) -> (StackFrame, Int)? {
        if let frames { return frames.frame(b, t, e) }
        return EPFrames.parse(b, t, e)
    }

    private mutating func classify(_ s: Int, _ e0: Int) {
        let e = b.epTrimEnd(s, e0)
        var indent = 0
        var t = s
        while t < e {
            if epWS(b[t]) { indent += b[t] == 0x09 ? 4 : 1; t += 1; continue }
            // rsyslog escapes a tab as "#011"
            if b[t] == 0x23 && b.epHas(EPLit.syslogTab, at: t, e) { indent += 4; t += 4; continue }
            break
        }
        if t >= e { lines.append(EPLine(s: s, e: e, indent: indent, kind: .blank)); return }
        let c = b[t]
        // frame
        if c == 0x61, let (f, after) = frameLine(t, e) {
            lines.append(EPLine(s: s, e: e, indent: indent, kind: .frame(f)))
            // "at …(Thread.java:745) Caused by: org.postgresql…" — two lines run together
            let r = b.epSkipWS(after, e)
            if r < e, epLowercased(b[r]) == 0x63, EPHeaders.causePrefix(b, r, e) != nil {
                classify(r, e)
            }
            return
        }
        // "... N more", "... N common frames omitted", "... ..."
        if c == 0x2E && b.epHas(EPLit.dots, at: t, e) {
            var p = t + 3
            while p < e && b[p] == 0x2E { p += 1 }
            p = b.epSkipWS(p, e)
            var n = 0, digits = 0
            while p < e && epDigit(b[p]) && digits < 10 { n = n * 10 + Int(b[p] - 0x30); p += 1; digits += 1 }
            if digits > 0 && (p == e || epWS(b[p])) {
                lines.append(EPLine(s: s, e: e, indent: indent, kind: .omitted(n)))
            } else {
                lines.append(EPLine(s: s, e: e, indent: indent, kind: .ellipsis))
            }
            return
        }
        if epLowercased(c) == 0x63, let (hs, colon) = EPHeaders.causePrefix(b, t, e) {
            if let h = EPHeaders.parse(b, hs, e, requireQualified: !colon), colon || h.strong {
                lines.append(EPLine(s: s, e: e, indent: indent, kind: .cause(h)))
                return
            }
            // "Caused by: pkg.SomeException - message" and other odd separators
            if colon, let h = EPHeaders.parseLoose(b, hs, e) {
                lines.append(EPLine(s: s, e: e, indent: indent, kind: .cause(h)))
                return
            }
        }
        if epLowercased(c) == 0x73 && b.epHasCI(EPLit.suppressed, at: t, e) {
            if let h = EPHeaders.parse(b, t + EPLit.suppressed.count, e, requireQualified: false) {
                lines.append(EPLine(s: s, e: e, indent: indent, kind: .suppressed(h)))
                return
            }
        }
        if epLowercased(c) == 0x77 && b.epHasCI(EPLit.wrappedBy, at: t, e) {
            if let h = EPHeaders.parse(b, t + EPLit.wrappedBy.count, e, requireQualified: false) {
                lines.append(EPLine(s: s, e: e, indent: indent, kind: .wrapped(h)))
                return
            }
        }
        if c == 0x45 && b.epHas(EPLit.exInThread, at: t, e) {
            var q = t + EPLit.exInThread.count
            while q < e && b[q] != 0x22 { q += 1 }
            if q < e, var h = EPHeaders.parse(b, q + 1, e, requireQualified: false) {
                h.strong = true
                lines.append(EPLine(s: s, e: e, indent: indent, kind: .header(h)))
                return
            }
        }
        if let h = EPHeaders.parse(b, t, e, requireQualified: true) {
            lines.append(EPLine(s: s, e: e, indent: indent, kind: .header(h)))
            return
        }
        lines.append(EPLine(s: s, e: e, indent: indent, kind: .other))
    }

    private func text(_ l: EPLine) -> String { b.epString(l.s, l.e) }

    // MARK: run

    mutating func run() -> ExceptionChain? {
        if let open = openStack() {
            var idx: [Int] = []
            for i in lines.indices where !open.excluded.contains(i) { idx.append(i) }
            let ts = parseChain(idx, allowHeaderless: false)
            return ExceptionChain(throwables: ts, openStack: open.frames)
        }
        let ts = parseChain(Array(lines.indices), allowHeaderless: !looksLikeThreadDump())
        return ts.isEmpty ? nil : ExceptionChain(throwables: ts)
    }

    private func looksLikeThreadDump() -> Bool {
        for l in lines.prefix(8) {
            let t = b.epSkipWS(l.s, l.e)
            if b.epHas(EPLit.threadState, at: t, l.e) { return true }
        }
        if let l0 = lines.first, l0.s < l0.e, b[l0.s] == 0x22 {
            if b.epFind(EPLit.prio, l0.s, l0.e) != nil || b.epFind(EPLit.nid, l0.s, l0.e) != nil { return true }
        }
        return false
    }

    // MARK: open stacks

    private static let markers: [[UInt8]] = [
        epLit("abandon connection, owner thread"),                          // Druid
        epLit("abandon connection, open stackTrace"),                       // Druid before 1.0.15
        epLit("by the following code was never closed"),                    // DBCP 1.x
        epLit("by the following code has not been returned to the pool"),  // dbcp2 / pool2
        epLit("Connection leak detection triggered"),                       // HikariCP
        epLit("Apparent connection leak detected"),                         // HikariCP
        epLit("Connection has been abandoned"),                             // Tomcat JDBC
        epLit("has been marked suspect, possibly abandoned"),               // Tomcat JDBC
        epLit("A checked-out resource is overdue"),                         // c3p0
        epLit("Overdue resource check-out stack trace"),                    // c3p0
    ]

    private func lineHasMarker(_ l: EPLine) -> Bool {
        let e = min(l.e, l.s + 4096)   // markers sit near the start of their line
        for m in Self.markers where b.epFind(m, l.s, e) != nil { return true }
        return false
    }

    /// A throwable header that only carries an open stack (`java.lang.Exception` with no
    /// message, pool2 `…$Snapshot`, DBCP `AbandonedObjectException`, Hikari's `Apparent
    /// connection leak detected`, c3p0 `DEBUG STACK TRACE`).
    private func isMarkerHeader(_ l: EPLine) -> Bool {
        guard case .header(let h) = l.kind else { return false }
        if lineHasMarker(l) { return true }
        if (h.className == "java.lang.Exception" || h.className == "java.lang.Throwable") &&
            (h.message.isEmpty || h.message.hasPrefix("DEBUG STACK TRACE")) { return true }
        if h.className.hasSuffix("$Snapshot") || h.className.hasSuffix("AbandonedObjectException")
            || h.className.hasSuffix("AbandonedObjectCreatedException") { return true }
        return false
    }

    private func openStack() -> (frames: [StackFrame], excluded: Set<Int>)? {
        var m = -1
        for (i, l) in lines.enumerated() {
            if l.isFrame || i > 24 { break }
            if lineHasMarker(l) { m = i; break }
        }
        guard m >= 0 else { return nil }
        var excluded: Set<Int> = [m]
        var i = m + 1
        while i < lines.count && lines[i].isBlank { excluded.insert(i); i += 1 }
        if i < lines.count, isMarkerHeader(lines[i]) { excluded.insert(i); i += 1 }
        var frames: [StackFrame] = []
        while i < lines.count, case .frame(let f) = lines[i].kind {
            if frames.count < ExceptionParser.maxFramesPerThrowable { frames.append(f) }
            excluded.insert(i); i += 1
        }
        // Druid: "ownerThread current state is RUNNABLE, current stackTrace" + frames
        if i < lines.count, b.epFind(EPLit.ownerThreadState, lines[i].s, lines[i].e) != nil {
            excluded.insert(i); i += 1
            while i < lines.count {
                switch lines[i].kind {
                case .frame, .omitted, .ellipsis: excluded.insert(i); i += 1; continue
                default: break
                }
                break
            }
        }
        return (frames, excluded)
    }

    // MARK: chain

    private mutating func make(_ h: EPHeader) -> EPThrowable? {
        guard created < ExceptionParser.maxThrowables else { return nil }
        created += 1
        return EPThrowable(h)
    }

    private func kindStartsThrowable(_ idx: [Int], _ k: Int) -> Bool {
        switch lines[idx[k]].kind {
        case .cause, .wrapped, .suppressed: return true
        case .header(let h):
            if h.strong { return true }
            if k + 1 < idx.count {
                switch lines[idx[k + 1]].kind {
                case .frame, .cause: return true
                default: return false
                }
            }
            return false
        default: return false
        }
    }

    private mutating func parseChain(_ idx: [Int], allowHeaderless: Bool) -> [ThrowableInfo] {
        // find the start
        var start = -1
        var headerless = false
        for k in idx.indices {
            if kindStartsThrowable(idx, k) { start = k; break }
            if allowHeaderless && lines[idx[k]].isFrame { start = k; headerless = true; break }
        }
        guard start >= 0 else { return [] }

        let root: EPContext
        var k = start
        if headerless {
            var h = EPHeader(className: "", message: "", strong: false)
            var j = start - 1
            while j >= 0 && j >= start - 16 {
                let l = lines[idx[j]]
                if let m = EPHeaders.findMention(b, l.s, l.e) { h = m; break }
                j -= 1
            }
            root = EPContext(indent: 0)
            guard let t = make(h) else { return [] }
            root.chain.append(t)
        } else {
            let l = lines[idx[k]]
            root = EPContext(indent: l.indent)
            let h: EPHeader
            switch l.kind {
            case .cause(let x), .wrapped(let x), .suppressed(let x), .header(let x): h = x
            default: return []
            }
            guard let t = make(h) else { return [] }
            root.chain.append(t)
            k += 1
        }
        var reversed = false
        if case .wrapped = lines[idx[start]].kind { reversed = true }

        var stack: [EPContext] = [root]
        var inMessage = !headerless
        var afterFrames = false

        // Set when a throwable could not be created (cap reached): its lines are dropped
        // instead of being attached to the previous throwable.
        var dropping = false

        func current() -> EPThrowable? { dropping ? nil : stack.last?.chain.last }

        while k < idx.count {
            let l = lines[idx[k]]
            switch l.kind {
            case .frame(let f):
                if let t = current(), t.frames.count < ExceptionParser.maxFramesPerThrowable { t.frames.append(f) }
                inMessage = false; afterFrames = true
            case .omitted(let n):
                current()?.omitted = n
                inMessage = false; afterFrames = true
            case .ellipsis:
                if inMessage { current()?.appendMessage(text(l)) }
            case .cause(let h), .wrapped(let h):
                if case .wrapped = l.kind { reversed = true }
                dropping = !addCause(h, indent: l.indent, root: root, stack: &stack)
                inMessage = true; afterFrames = false
            case .suppressed(let h):
                while stack.count > 1 && stack[stack.count - 1].indent >= l.indent { stack.removeLast() }
                if let owner = stack.last?.chain.last, let t = make(h) {
                    let ctx = EPContext(indent: l.indent)
                    ctx.chain.append(t)
                    owner.suppressed.append(ctx)
                    stack.append(ctx)
                    dropping = false
                } else {
                    dropping = true
                }
                inMessage = true; afterFrames = false
            case .header(let h):
                if headerless && root.chain.count == 1 && stack.count == 1 && root.chain[0].className.isEmpty
                    && (h.strong || kindStartsThrowable(idx, k)) {
                    // Frames of nothing named (an excerpt or rotated file that starts mid-trace),
                    // then a throwable of its own: that one is the event's exception.
                    return parseChain(Array(idx[k...]), allowHeaderless: false)
                }
                if inMessage {
                    current()?.appendMessage(text(l))
                } else if afterFrames && (h.strong || kindStartsThrowable(idx, k)) {
                    dropping = !addCause(h, indent: l.indent, root: root, stack: &stack)
                    inMessage = true; afterFrames = false
                } else {
                    afterFrames = false
                }
            case .blank:
                if inMessage { current()?.appendMessage("") }
            case .other:
                if inMessage { current()?.appendMessage(text(l)) } else { afterFrames = false }
            }
            k += 1
        }

        var chain = finalize(root.chain)
        if reversed { chain.reverse() }
        return chain
    }

    @discardableResult
    private mutating func addCause(_ h: EPHeader, indent: Int, root: EPContext, stack: inout [EPContext]) -> Bool {
        // Pop suppressed contexts that this cause cannot belong to: those indented deeper, and
        // (when the trace lost its indentation) those at the root's own indent.
        while stack.count > 1 {
            let top = stack[stack.count - 1]
            if top.indent > indent || top.indent <= root.indent { stack.removeLast() } else { break }
        }
        guard let t = make(h) else { return false }
        stack[stack.count - 1].chain.append(t)
        return true
    }

    /// Adds causes named by `nested exception is` / MyBatis `Cause:` that no explicit
    /// throwable of the chain already gives, right after the nearest enclosing one.
    private mutating func mergeNested(_ chain: [EPThrowable]) -> [EPThrowable] {
        var list = chain
        for t in chain {
            let nested = EPHeaders.nestedCauses(t.message)
            if nested.isEmpty { continue }
            guard var anchor = list.firstIndex(where: { $0 === t }) else { continue }
            for h in nested {
                if let found = list.firstIndex(where: { $0.className == h.className }) {
                    if found > anchor { anchor = found }
                    continue
                }
                guard let n = make(h) else { break }
                list.insert(n, at: anchor + 1)
                anchor += 1
            }
        }
        return list
    }

    /// Merges nested causes (recursively into suppressed chains) and freezes the builders.
    private mutating func finalize(_ chain: [EPThrowable]) -> [ThrowableInfo] {
        var out: [ThrowableInfo] = []
        for t in mergeNested(chain) {
            var sup: [[ThrowableInfo]] = []
            for ctx in t.suppressed { sup.append(finalize(ctx.chain)) }
            out.append(ThrowableInfo(className: t.className, message: t.message, frames: t.frames,
                                     framesOmitted: t.omitted, suppressed: sup))
        }
        return out
    }
}

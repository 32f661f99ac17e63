/// Container log wrappers, unwrapped before framing: Docker's json-file lines
/// (`{"log":"…\n","stream":"stdout","time":"…"}`, long lines split into records without `\n`)
/// and CRI (`2023-10-10T16:30:38.123456789Z stdout F msg`, `P` for a partial line).
public struct ContainerUnwrapper {
    public enum Mode: String, Sendable, Codable { case none, docker, cri }
    public private(set) var mode: Mode
    private var pending: [UInt8] = []
    /// A line is being joined, possibly still empty (Docker's `{"log":"\n"}` is a blank line).
    /// Read by followers: a checkpoint must not fall inside a joined line.
    private(set) var hasPending = false
    private var decided = false
    private let maxLineLength: Int

    public init(mode: Mode? = nil, maxLineLength: Int = LineFramer.defaultMaxLineLength) {
        self.mode = mode ?? .none
        decided = mode != nil
        self.maxLineLength = maxLineLength
    }

    /// Decides the mode from the first non-empty line of a file.
    static func detect(_ line: UnsafeBufferPointer<UInt8>) -> Mode {
        let n = line.count
        if n >= 9, line[0] == UInt8(ascii: "{"), startsWithJSONKeyLog(line) { return .docker }
        if n >= 32, isCRI(line) != nil { return .cri }
        return .none
    }

    private static func startsWithJSONKeyLog(_ l: UnsafeBufferPointer<UInt8>) -> Bool {
        let key = Array("\"log\":".utf8)
        var i = 1
        while i < l.count, l[i] == UInt8(ascii: " ") { i += 1 }
        guard i + key.count <= l.count else { return false }
        for k in 0..<key.count where l[i + k] != key[k] { return false }
        return true
    }

    /// Returns (isPartial, payloadStart) when the line has the CRI shape.
    private static func isCRI(_ l: UnsafeBufferPointer<UInt8>) -> (Bool, Int)? {
        // RFC3339Nano timestamp, space, stream, space, P|F, space
        guard l.count > 20, l[4] == UInt8(ascii: "-"), l[10] == UInt8(ascii: "T") else { return nil }
        var i = 11
        while i < l.count, l[i] != UInt8(ascii: " ") { i += 1 }
        i += 1
        let streamStart = i
        while i < l.count, l[i] != UInt8(ascii: " ") { i += 1 }
        let stream = i - streamStart
        guard stream == 6, i + 2 < l.count + 1 else { return nil }
        i += 1
        guard i < l.count else { return nil }
        let tag = l[i]
        guard tag == UInt8(ascii: "P") || tag == UInt8(ascii: "F") else { return nil }
        let payload = i + 1 < l.count ? i + 2 : l.count
        return (tag == UInt8(ascii: "P"), min(payload, l.count))
    }

    /// True once the input is known to be unwrapped text: lines pass through untouched.
    public var passthrough: Bool { decided && mode == .none }

    /// Unwraps one physical line into zero or more logical lines.
    public mutating func feed(_ line: UnsafeBufferPointer<UInt8>, _ out: (UnsafeBufferPointer<UInt8>) -> Void) {
        if !decided {
            if line.isEmpty { out(line); return }
            mode = Self.detect(line)
            decided = true
        }
        switch mode {
        case .none:
            out(line)
        case .cri:
            guard let (partial, start) = Self.isCRI(line) else {
                flushPending(out)
                out(line)
                return
            }
            let payload = UnsafeBufferPointer(rebasing: line[start...])
            if partial {
                appendPending(payload)
            } else if !hasPending {
                out(payload)
            } else {
                appendPending(payload)
                flushPending(out)
            }
        case .docker:
            guard let (text, ends) = Self.dockerLog(line) else {
                flushPending(out)
                out(line)
                return
            }
            text.withUnsafeBufferPointer { appendPending($0) }
            if ends { flushPending(out) }
        }
    }

    public mutating func finish(_ out: (UnsafeBufferPointer<UInt8>) -> Void) {
        flushPending(out)
    }

    private mutating func appendPending(_ b: UnsafeBufferPointer<UInt8>) {
        hasPending = true
        let room = maxLineLength - pending.count
        if room > 0 { pending.append(contentsOf: UnsafeBufferPointer(rebasing: b[..<min(b.count, room)])) }
    }

    private mutating func flushPending(_ out: (UnsafeBufferPointer<UInt8>) -> Void) {
        guard hasPending else { return }
        hasPending = false
        // a payload may itself hold several lines
        pending.withUnsafeBufferPointer { buf in
            var start = 0
            for i in 0..<buf.count where buf[i] == 0x0A {
                out(UnsafeBufferPointer(rebasing: buf[start..<i]))
                start = i + 1
            }
            out(UnsafeBufferPointer(rebasing: buf[start...]))
        }
        pending.removeAll(keepingCapacity: true)
    }

    /// The unescaped `log` value and whether it ended with a newline.
    static func dockerLog(_ l: UnsafeBufferPointer<UInt8>) -> ([UInt8], Bool)? {
        let key = Array("\"log\":".utf8)
        var i = 0
        // find "log": key
        search: while i + key.count < l.count {
            for k in 0..<key.count where l[i + k] != key[k] {
                i += 1
                continue search
            }
            break
        }
        guard i + key.count < l.count else { return nil }
        i += key.count
        while i < l.count, l[i] == UInt8(ascii: " ") { i += 1 }
        guard i < l.count, l[i] == UInt8(ascii: "\"") else { return nil }
        i += 1
        var out: [UInt8] = []
        out.reserveCapacity(l.count)
        while i < l.count {
            let c = l[i]
            if c == UInt8(ascii: "\"") { break }
            if c != UInt8(ascii: "\\") {
                out.append(c)
                i += 1
                continue
            }
            guard i + 1 < l.count else { break }
            let e = l[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                guard i + 4 <= l.count, var cp = hex4(l, i) else { return nil }
                i += 4
                if cp >= 0xD800 && cp < 0xDC00, i + 6 <= l.count, l[i] == UInt8(ascii: "\\"), l[i + 1] == UInt8(ascii: "u"),
                   let lo = hex4(l, i + 2), lo >= 0xDC00 && lo < 0xE000 {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
                    i += 6
                }
                let scalar = Unicode.Scalar(cp) ?? "\u{FFFD}"
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            default: out.append(e)
            }
        }
        var ends = false
        while let last = out.last, last == 0x0A || last == 0x0D {
            if last == 0x0A { ends = true }
            out.removeLast()
        }
        return (out, ends)
    }

    private static func hex4(_ l: UnsafeBufferPointer<UInt8>, _ i: Int) -> UInt32? {
        var v: UInt32 = 0
        for k in 0..<4 {
            let c = l[i + k]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: return nil
            }
            v = v << 4 | d
        }
        return v
    }
}

/// Messages the JDK words differently from one version to the next. One fault logged by a
/// JDK 8 host and by a JDK 17 host must be one signature, so before a root cause's message is
/// templated into a key it is brought to one wording here. Each rule names a JDK change:
///
/// | exception | JDK 8 | JDK 11 / 17 | key |
/// |---|---|---|---|
/// | `NullPointerException` with frames | no message | `Cannot invoke "…" because "…" is null` (14+) | no message: the throw site tells NPEs apart |
/// | `ArrayIndexOutOfBoundsException`, `IndexOutOfBoundsException`, `StringIndexOutOfBoundsException` with frames | `5`, `Index: 5, Size: 3`, `String index out of range: 5` | `Index 5 out of bounds for length 3`, `begin 0, end 5, length 3` | no message |
/// | `ClassCastException` | `A cannot be cast to B` | `class A cannot be cast to class B (A and B are in unnamed module of loader 'app')` | `A cannot be cast to B` |
/// | `java.net.*` | `Connection refused (Connection refused)`, `Broken pipe (Write failed)`, `connect timed out` | `Connection refused`, `Broken pipe`, `Connect timed out` (13+) | the JDK 8 cause in parentheses dropped; `connect timed out` |
/// | `NumberFormatException` | `For input string: "zz"` | `For input string: "zz" under radix 16` | without the radix |
/// | any | `Foo$$Lambda$12/1834188994` | `Foo$$Lambda$12/0x0000000800c0b840`, `Foo$$Lambda/0x…` (21) | `Foo$$Lambda` |
///
/// Messages written by applications and libraries are never touched: only these JDK classes,
/// whose messages the JDK itself composes.
enum JDKMessages {
    /// Classes whose message is left out of the key when the throwable has frames.
    static let messageIgnoredWithFrames: Set<String> = [
        "java.lang.NullPointerException",
        "java.lang.ArrayIndexOutOfBoundsException",
        "java.lang.IndexOutOfBoundsException",
        "java.lang.StringIndexOutOfBoundsException",
    ]

    /// The message to template into the key of root cause `className`, and a note for `why`
    /// when a rule changed it.
    static func keyMessage(className: String, message: String, hasFrames: Bool) -> (message: String, note: String?) {
        if hasFrames, messageIgnoredWithFrames.contains(className) {
            let simple = className.split(separator: ".").last.map(String.init) ?? className
            return ("", message.isEmpty ? nil
                : "message of \(simple) ignored (the JDK words it differently by version; the frames tell faults apart)")
        }
        var m = withoutLambdaIds(message)
        switch className {
        case "java.lang.ClassCastException":
            m = classCastJDK8Wording(m)
        case "java.lang.NumberFormatException":
            m = cutSuffix(m, from: " under radix ")
        default:
            if className.hasPrefix("java.net.") { m = socketJDK13Wording(m) }
        }
        return (m, m == message ? nil : "message brought to one wording across JDK versions: \(m)")
    }

    /// `class A cannot be cast to class B (A and B are in …)` → `A cannot be cast to B`.
    static func classCastJDK8Wording(_ m: String) -> String {
        guard m.hasPrefix("class ") || m.hasPrefix("interface ") else { return m }
        var s = Substring(m)
        s = s.dropFirst(s.hasPrefix("class ") ? 6 : 10)
        guard let cast = s.range(of: " cannot be cast to ") else { return m }
        var target = s[cast.upperBound...]
        if target.hasPrefix("class ") { target = target.dropFirst(6) } else if target.hasPrefix("interface ") { target = target.dropFirst(10) }
        // the module and loader note JDK 11 appends
        if let note = target.range(of: " ("), target.hasSuffix(")") { target = target[..<note.lowerBound] }
        return String(s[..<cast.lowerBound]) + " cannot be cast to " + target
    }

    /// JDK 8's socket messages end with the failed call's own text in parentheses
    /// (`Connection refused (Connection refused)`, `No route to host (Host unreachable)`,
    /// `Address already in use (Bind failed)`); JDK 13's NIO sockets say `Connect timed out`
    /// where JDK 8 said `connect timed out`.
    static func socketJDK13Wording(_ m: String) -> String {
        if m == "Connect timed out" { return "connect timed out" }
        guard m.hasSuffix(")"), let open = m.range(of: " (", options: .backwards) else { return m }
        let inner = m[open.upperBound..<m.index(before: m.endIndex)]
        // letters and spaces only: a parenthesised host, port or path is kept
        guard !inner.isEmpty, inner.utf8.allSatisfy({ ($0 | 0x20) &- 97 < 26 || $0 == 32 }) else { return m }
        return String(m[..<open.lowerBound])
    }

    /// `Foo$$Lambda$12/0x…`, `Foo$$Lambda$12/1834188994` and `Foo$$Lambda/0x…` → `Foo$$Lambda`:
    /// the number and hidden-class id differ between runs and JDKs.
    static func withoutLambdaIds(_ m: String) -> String {
        guard m.contains("$$Lambda") else { return m }
        var out: [UInt8] = []
        let b = Array(m.utf8)
        let marker = Array("$$Lambda".utf8)
        var i = 0
        while i < b.count {
            if b[i] == 0x24, i + marker.count <= b.count, b[i..<(i + marker.count)].elementsEqual(marker) {
                out += marker
                var j = i + marker.count
                if j < b.count, b[j] == 0x24 {          // `$12`
                    var k = j + 1
                    while k < b.count, b[k] &- 48 < 10 { k += 1 }
                    if k > j + 1 { j = k }
                }
                if j < b.count, b[j] == 0x2F {          // `/0x…` or `/1834188994`
                    var k = j + 1
                    while k < b.count, b[k] &- 48 < 10 || (b[k] | 0x20) &- 97 < 6 || b[k] == 0x78 { k += 1 }
                    if k > j + 1 { j = k }
                }
                i = j
                continue
            }
            out.append(b[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func cutSuffix(_ m: String, from marker: String) -> String {
        guard let r = m.range(of: marker, options: .backwards) else { return m }
        let rest = m[r.upperBound...]
        guard !rest.isEmpty, rest.utf8.allSatisfy({ $0 &- 48 < 10 }) else { return m }
        return String(m[..<r.lowerBound])
    }
}

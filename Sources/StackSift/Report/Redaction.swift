/// Masks secrets in log text before a report shows it: JDBC and URL passwords, `Authorization`
/// headers, `password=` / `secret:` / `token=` / `apikey` key-value pairs and AWS access key
/// ids. The key, the scheme and the structure stay visible (`password=***`), so the reader still
/// sees where a secret was; only the value goes.
///
/// Not thread-safe (one match scratch, reused): a renderer makes its own.
public final class Redactor {
    public let enabled: Bool
    private let scratch: MatchScratch

    public static let mask = "***"

    /// Each rule masks its `v` group (the whole match when it has none). `needles`: the rule
    /// can only match text holding one of them (ASCII, compared case-insensitively), so most
    /// text — stack traces — skips the regex, whose leading classes would be tried at every byte.
    /// `assigned`: the needle must be followed by an optional quote, blanks and `=` or `:`, as
    /// the rule's regex requires (`key` alone is in every other Java class name).
    struct Rule: Sendable {
        let name: String
        let regex: Regex
        let needles: [[UInt8]]
        let assigned: Bool
    }

    // The patterns are fixed strings written here; a compile failure is a programming error.
    static let rules: [Rule] = [
        // scheme://user:password@host — the password, not the user.
        ("userinfo", false, ["://"], #"(?i)\b[a-z][a-z0-9+.-]{1,20}://[^\s:/@'"<>]{1,256}:(?<v>[^\s@/'"<>]{1,256})@"#),
        // Authorization: Bearer abc / Proxy-Authorization: Basic xyz / "Authorization":"…"
        ("authorization", true, ["authorization"], #"(?i)\b(?:proxy-)?authorization["']?\s*[:=]\s*["']?(?:(?:bearer|basic|digest|token|negotiate|aws4-hmac-sha256)\s+)?(?<v>[^\s"',;]{1,4096})"#),
        // password=…, "apiKey": "…", db.secret: …, access_token=…, x-api-key: …
        ("key-value", true, ["password", "passwd", "pwd", "secret", "token", "key", "credential", "credentials"], #"(?i)(?<![a-z0-9])["']?[a-z0-9_.-]{0,40}(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|credentials?)["']?\s*(?:=|:|=>)\s*(?|"(?<v>[^"\n]{1,4096})"|'(?<v>[^'\n]{1,4096})'|(?<v>[^\s&;,"'<>(){}\[\]]{1,4096}))"#),
        // AWS access key ids.
        ("aws-key", false, ["akia", "asia", "agpa", "aida", "aroa", "anpa"], #"\b(?<v>(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[0-9A-Z]{16})\b"#),
    ].map { Rule(name: $0.0, regex: try! Regex($0.3), needles: $0.2.map { Array($0.utf8) }, assigned: $0.1) }

    public init(enabled: Bool = true) {
        self.enabled = enabled
        scratch = MatchScratch(maxCaptureCount: Self.rules.map(\.regex.captureCount).max() ?? 1)
    }

    public func callAsFunction(_ text: String) -> String { redact(text) }

    public func redact(_ text: String) -> String {
        guard enabled, !text.isEmpty else { return text }
        var out = text
        let candidates = Self.candidateRules(text)
        for (i, rule) in Self.rules.enumerated() where candidates & (1 << i) != 0 { out = apply(rule.regex, out) }
        return out
    }

    /// ASCII letters folded to lower case, other bytes unchanged.
    private static let fold: [UInt8] = (0...255).map { (c: Int) -> UInt8 in
        let b = UInt8(c)
        return b &- 0x41 < 26 ? b | 0x20 : b
    }

    /// Hash of three folded bytes (collisions only add candidates).
    @inline(__always) private static func hash3(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> Int {
        let k = UInt32(a) << 16 | UInt32(b) << 8 | UInt32(c)
        return Int((k &* 2_654_435_761) >> 16)
    }

    /// Hash of a needle's first three folded bytes → the rules (bit i = rule i) it may start.
    private static let starts: [UInt8] = {
        var t = [UInt8](repeating: 0, count: 65_536)
        for (i, r) in rules.enumerated() {
            for n in r.needles { t[hash3(n[0], n[1], n[2])] |= 1 << i }
        }
        return t
    }()

    /// The rules that can match `text` (bit i = rule i), in one pass over its bytes: a rule can
    /// only match text that holds one of its needles (followed by an assignment, for some).
    static func candidateRules(_ text: String) -> UInt8 {
        var text = text
        let all = UInt8((1 << rules.count) - 1)
        return text.withUTF8 { b -> UInt8 in
            let n = b.count
            guard n >= 3 else { return 0 }
            return fold.withUnsafeBufferPointer { fold in
                starts.withUnsafeBufferPointer { starts in
                    var found: UInt8 = 0
                    var c0 = fold[Int(b[0])], c1 = fold[Int(b[1])]
                    var i = 2
                    while i < n {
                        let c2 = fold[Int(b[i])]
                        let m = starts[hash3(c0, c1, c2)] & ~found
                        c0 = c1
                        c1 = c2
                        i += 1
                        guard m != 0 else { continue }
                        let at = i - 3
                        for (ri, rule) in rules.enumerated() where m & (1 << ri) != 0 {
                            if rule.needles.contains(where: { Self.holds(b, fold, at, $0, assigned: rule.assigned) }) { found |= 1 << ri }
                        }
                        if found == all { break }
                    }
                    return found
                }
            }
        }
    }

    /// Whether `needle` is at `at` (folded), followed by `["']?\s*[=:]` when `assigned`.
    @inline(__always)
    private static func holds(_ b: UnsafeBufferPointer<UInt8>, _ fold: UnsafeBufferPointer<UInt8>, _ at: Int, _ needle: [UInt8], assigned: Bool) -> Bool {
        let n = b.count
        guard at + needle.count <= n else { return false }
        for k in 0..<needle.count where fold[Int(b[at + k])] != needle[k] { return false }
        guard assigned else { return true }
        var j = at + needle.count
        if j < n, b[j] == UInt8(ascii: "\"") || b[j] == UInt8(ascii: "'") { j += 1 }
        // PCRE2's \s: space, \t, \n, \v, \f, \r
        while j < n, b[j] == 0x20 || (b[j] >= 0x09 && b[j] <= 0x0D) { j += 1 }
        return j < n && (b[j] == UInt8(ascii: "=") || b[j] == UInt8(ascii: ":"))
    }

    private func apply(_ regex: Regex, _ text: String) -> String {
        let v = regex.groupNames.first { $0.1 == "v" }?.0 ?? 0
        var pieces: [Range<Int>] = []
        var bytes: [UInt8] = []
        forEachMatch(regex, in: text, scratch: scratch) { m in
            bytes = m.bytes
            if let r = m.ranges[v] ?? m.ranges[0], !r.isEmpty { pieces.append(r) }
        }
        guard !pieces.isEmpty else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var at = 0
        for r in pieces {
            out += bytes[at..<r.lowerBound]
            out += Array(Self.mask.utf8)
            at = r.upperBound
        }
        out += bytes[at...]
        return String(decoding: out, as: UTF8.self)
    }
}

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

    /// Each rule masks its `v` group (the whole match when it has none).
    struct Rule: Sendable {
        let name: String
        let regex: Regex
    }

    // The patterns are fixed strings written here; a compile failure is a programming error.
    static let rules: [Rule] = [
        // scheme://user:password@host — the password, not the user.
        ("userinfo", #"(?i)\b[a-z][a-z0-9+.-]{1,20}://[^\s:/@'"<>]{1,256}:(?<v>[^\s@/'"<>]{1,256})@"#),
        // Authorization: Bearer abc / Proxy-Authorization: Basic xyz / "Authorization":"…"
        ("authorization", #"(?i)\b(?:proxy-)?authorization["']?\s*[:=]\s*["']?(?:(?:bearer|basic|digest|token|negotiate|aws4-hmac-sha256)\s+)?(?<v>[^\s"',;]{1,4096})"#),
        // password=…, "apiKey": "…", db.secret: …, access_token=…, x-api-key: …
        ("key-value", #"(?i)(?<![a-z0-9])["']?[a-z0-9_.-]{0,40}(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|credentials?)["']?\s*(?:=|:|=>)\s*(?|"(?<v>[^"\n]{1,4096})"|'(?<v>[^'\n]{1,4096})'|(?<v>[^\s&;,"'<>(){}\[\]]{1,4096}))"#),
        // AWS access key ids.
        ("aws-key", #"\b(?<v>(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[0-9A-Z]{16})\b"#),
    ].map { Rule(name: $0.0, regex: try! Regex($0.1)) }

    public init(enabled: Bool = true) {
        self.enabled = enabled
        scratch = MatchScratch(maxCaptureCount: Self.rules.map(\.regex.captureCount).max() ?? 1)
    }

    public func callAsFunction(_ text: String) -> String { redact(text) }

    public func redact(_ text: String) -> String {
        guard enabled, !text.isEmpty else { return text }
        var out = text
        for rule in Self.rules { out = apply(rule.regex, out) }
        return out
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

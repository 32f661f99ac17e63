import Foundation

/// Log text inside Markdown: it must never break the document.
public enum MarkdownText {
    /// Inline text in a table cell or paragraph: HTML and Markdown specials escaped, pipes and
    /// newlines neutralised.
    public static func inline(_ s: String, max: Int = 160) -> String {
        var out = ""
        out.reserveCapacity(min(s.count, max) + 8)
        var n = 0
        for ch in s {
            if n >= max { out += "…"; break }
            switch ch {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "|": out += "\\|"
            case "`", "*", "_", "[", "]", "\\", "#": out += "\\" + String(ch)
            case "\n", "\r", "\t": out += " "
            default: out.append(ch)
            }
            n += 1
        }
        return out
    }

    /// A paragraph of prose written by a rule, with values from the logs inside: backtick code
    /// spans are kept as code (re-fenced), everything else is escaped as `inline` text. Spans are
    /// found as CommonMark finds them (a run of N backticks closes at the next run of exactly N),
    /// and a run that closes nothing is escaped, so log text cannot open a span or a tag.
    public static func prose(_ s: String) -> String {
        let chars = Array(s)
        var out = ""
        var plain = ""
        func flushPlain() {
            if !plain.isEmpty { out += inline(plain, max: Int.max); plain = "" }
        }
        var i = 0
        while i < chars.count {
            guard chars[i] == "`" else { plain.append(chars[i]); i += 1; continue }
            var n = 0
            while i + n < chars.count, chars[i + n] == "`" { n += 1 }
            var j = i + n
            var close: Int?
            while j < chars.count {
                if chars[j] == "`" {
                    var m = 0
                    while j + m < chars.count, chars[j + m] == "`" { m += 1 }
                    if m == n { close = j; break }
                    j += m
                } else {
                    j += 1
                }
            }
            if let close {
                flushPlain()
                out += code(String(chars[(i + n)..<close]), max: Int.max)
                i = close + n
            } else {
                plain += String(repeating: "`", count: n)
                i += n
            }
        }
        flushPlain()
        return out
    }

    /// `code` for a table cell: GitHub and GitLab split cells on `|` even inside code spans, and
    /// read `\|` there as a literal pipe.
    public static func cellCode(_ s: String, max: Int = 160) -> String {
        code(s, max: max).replacingOccurrences(of: "|", with: "\\|")
    }

    /// Inline code span whose fence is longer than any backtick run inside.
    public static func code(_ s: String, max: Int = 160) -> String {
        var t = String(s.prefix(max)).replacingOccurrences(of: "\n", with: " ")
        if s.count > max { t += "…" }
        let fence = String(repeating: "`", count: longestBacktickRun(t) + 1)
        let pad = t.hasPrefix("`") || t.hasSuffix("`") ? " " : ""
        return fence + pad + t + pad + fence
    }

    /// A fenced block whose fence is longer than any backtick run inside.
    public static func fenced(_ s: String, info: String = "text") -> String {
        let fence = String(repeating: "`", count: Swift.max(3, longestBacktickRun(s) + 1))
        return fence + info + "\n" + s + (s.hasSuffix("\n") ? "" : "\n") + fence + "\n"
    }

    static func longestBacktickRun(_ s: String) -> Int {
        var best = 0, run = 0
        for c in s.utf8 {
            if c == UInt8(ascii: "`") { run += 1; best = Swift.max(best, run) } else { run = 0 }
        }
        return best
    }

    public static func bytes(_ n: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var v = Double(n)
        var u = 0
        while v >= 1024 && u < units.count - 1 { v /= 1024; u += 1 }
        return u == 0 ? "\(n) B" : String(format: "%.1f %@", v, units[u])
    }
}

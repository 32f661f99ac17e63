/// One match found by `forEachMatch`: capture ranges are byte offsets into `bytes`.
struct RegexMatch {
    let bytes: [UInt8]
    /// Index 0 is the whole match; nil for a group that did not take part.
    let ranges: [Range<Int>?]

    func string(_ group: Int) -> String? {
        guard group < ranges.count, let r = ranges[group] else { return nil }
        return String(decoding: bytes[r], as: UTF8.self)
    }
}

/// Calls `body` for every non-overlapping match of `regex` in `text`, left to right.
func forEachMatch(_ regex: Regex, in text: String, scratch: MatchScratch, _ body: (RegexMatch) -> Void) {
    let bytes = Array(text.utf8)
    var from = 0
    bytes.withUnsafeBufferPointer { all in
        while from <= all.count {
            // Matching a suffix loses look-behind context before `from`; the callers' patterns
            // only look behind for a word boundary, which the end of a previous match satisfies.
            let rest = UnsafeBufferPointer(rebasing: all[from...])
            guard scratch.match(regex, rest) == .matched, let whole = scratch.group(0) else { return }
            let ranges = (0...regex.captureCount).map { g in
                scratch.group(g).map { ($0.lowerBound + from)..<($0.upperBound + from) }
            }
            body(RegexMatch(bytes: bytes, ranges: ranges))
            from += Swift.max(whole.upperBound, whole.lowerBound + 1)
        }
    }
}

/// Counts per bucket as one line of block characters: `▁` for an empty bucket, `▂`…`█` scaled
/// to the largest count, so a single event still shows against a peak of hundreds.
public func sparkline(_ counts: [Int]) -> String {
    let levels: [Character] = ["▂", "▃", "▄", "▅", "▆", "▇", "█"]
    let peak = counts.max() ?? 0
    var out = ""
    out.reserveCapacity(counts.count * 3)
    for n in counts {
        if n <= 0 || peak == 0 {
            out.append("▁")
        } else {
            out.append(levels[min(levels.count - 1, (n * levels.count - 1) / peak)])
        }
    }
    return out
}

/// `sparkline` of a series downsampled to at most `width` characters (each character the sum
/// of the buckets it covers), for table cells.
public func sparkline(_ counts: [Int], width: Int) -> String {
    guard counts.count > width, width > 0 else { return sparkline(counts) }
    let per = (counts.count + width - 1) / width
    var merged: [Int] = []
    var i = 0
    while i < counts.count {
        merged.append(counts[i..<min(counts.count, i + per)].reduce(0, +))
        i += per
    }
    return sparkline(merged)
}

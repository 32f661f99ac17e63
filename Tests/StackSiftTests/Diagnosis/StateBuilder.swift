import Foundation
import XCTest
@testable import StackSift

/// Small analysis states written by hand, for rule and timeline tests: a few patterns with
/// counts, fields and times, and a few signatures.
struct StateBuilder {
    var state = AnalysisState()

    /// 2023-10-10 10:00:00 UTC.
    static let t0: Int64 = 1_696_932_000_000
    static let minute: Int64 = 60_000

    /// The built-in catalog's categories, so the rules see real pattern ids.
    static let categories: [String: String] = {
        (try? PatternCatalog.standard().categoryByID) ?? [:]
    }()

    var input: DiagnosisInput { DiagnosisInput(state: state, categories: Self.categories) }

    /// `count` matches of pattern `id`, one every `every` minutes from `t0 + start` minutes,
    /// spread round-robin over `sources`. `fields` are numeric values every match reports;
    /// `text` are text-field values with their counts.
    @discardableResult
    mutating func pattern(_ id: String, _ count: Int, start: Int64 = 0, every: Int64 = 1, sources: [String] = ["app.log"],
                          fields: [String: Int64] = [:], ranges: [String: ClosedRange<Int64>] = [:],
                          text: [String: [String: Int]] = [:]) -> StateBuilder {
        var p = state.patterns[id] ?? PatternStat(id: id)
        for i in 0..<count {
            let t = Self.t0 + (start + Int64(i) * every) * Self.minute
            p.count += 1
            p.firstSeen = minOpt(p.firstSeen, t)
            p.lastSeen = maxOpt(p.lastSeen, t)
            p.perMinute[minuteOf(t), default: 0] += 1
            p.sources[sources[i % sources.count], default: 0] += 1
            var values = fields
            for (name, r) in ranges {
                values[name] = count == 1 ? r.lowerBound : r.lowerBound + (r.upperBound - r.lowerBound) * Int64(i) / Int64(count - 1)
            }
            for (name, v) in values {
                if p.fields[name] == nil { p.fields[name] = FieldStat(v, at: t) } else { p.fields[name]!.add(v, at: t) }
                let m = minuteOf(t)
                if p.fieldsPerMinute[name]?[m] == nil { p.fieldsPerMinute[name, default: [:]][m] = FieldStat(v, at: t) } else { p.fieldsPerMinute[name]![m]!.add(v, at: t) }
            }
        }
        for (name, values) in text {
            for (v, n) in values.sorted(by: { $0.key < $1.key }) { p.textFields[name, default: TextFieldStat()].add(v, count: n) }
        }
        state.patterns[id] = p
        return self
    }

    /// A signature of `count` events, one a minute from `t0 + start` minutes.
    @discardableResult
    mutating func signature(_ id: String, _ count: Int, start: Int64 = 0, rootCause: String? = nil, exception: String? = nil,
                            frames: [String] = [], patterns: Set<String> = [], message: String = "",
                            sources: [String] = ["app.log"], exemplar: String = "") -> StateBuilder {
        let key = SignatureKey(id: id, kind: rootCause == nil ? "message" : "exception", exception: exception ?? rootCause,
                               rootCause: rootCause, message: message, frames: frames, why: ["test"], key: id)
        var s = SignatureStat(key: key)
        for i in 0..<count {
            let t = Self.t0 + (start + Int64(i)) * Self.minute
            s.count += 1
            s.firstSeen = minOpt(s.firstSeen, t)
            s.lastSeen = maxOpt(s.lastSeen, t)
            s.perMinute[minuteOf(t), default: 0] += 1
            s.sources[sources[i % sources.count], default: 0] += 1
        }
        s.patterns = patterns
        s.exemplar = exemplar
        s.exemplarOrder = EventOrder(time: Self.t0 + start * Self.minute, source: 0, ordinal: 1)
        state.signatures[id] = s
        return self
    }

    /// A leak / abandoned trace signature: rootCause `open-stack`, keyed on `frames`.
    @discardableResult
    mutating func leakSite(_ id: String, _ count: Int, frames: [String], pattern: String = "dbcp.abandoned-trace", start: Int64 = 0) -> StateBuilder {
        signature(id, count, start: start, rootCause: "open-stack", exception: "java.lang.Exception", frames: frames, patterns: [pattern])
    }
}

/// The ids of `findings`, in order.
func ids(_ findings: [Finding]) -> [String] { findings.map(\.id) }

/// Fails unless `finding` carries a value `name` = `value` in some evidence.
func assertValue(_ finding: Finding?, _ name: String, _ value: String, file: StaticString = #filePath, line: UInt = #line) {
    let values = finding?.evidence.compactMap { $0.values?[name] } ?? []
    XCTAssertTrue(values.contains(value), "\(finding?.id ?? "nil"): \(name) = \(value) not in \(values)", file: file, line: line)
}

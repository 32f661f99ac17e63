import Foundation

/// The analysis state written by `analyze --save-state` and read by `merge` (and the
/// checkpoint of `tail`): everything a report is made from, so states from several hosts
/// or shards merge into the report of the whole.
public struct SavedAnalysis: Sendable, Codable {
    public static let schema = "stacksift.state/1"
    public var schema: String = SavedAnalysis.schema
    /// The signature algorithm version; states of different versions do not merge.
    public var signatureAlgorithm: Int = Signer.algorithmVersion
    public var files: [FileReport]
    public var errors: [InputError]
    public var state: AnalysisState

    public init(_ r: AnalysisResult) {
        files = r.files
        errors = r.errors
        state = r.state
    }

    public init(files: [FileReport], errors: [InputError], state: AnalysisState) {
        self.files = files
        self.errors = errors
        self.state = state
    }

    public func encoded() throws -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return try enc.encode(self)
    }

    public static func decode(_ data: Data, path: String) throws(StateError) -> SavedAnalysis {
        let s: SavedAnalysis
        do {
            s = try JSONDecoder().decode(SavedAnalysis.self, from: data)
        } catch {
            let (why, offset) = Self.explain(error, data)
            throw StateError(path: path, message: "not a stacksift state file (\(why))", offset: offset)
        }
        guard s.schema == SavedAnalysis.schema else {
            throw StateError(path: path, message: "unsupported state schema '\(s.schema)' (this stacksift reads \(SavedAnalysis.schema))")
        }
        guard s.signatureAlgorithm == Signer.algorithmVersion else {
            throw StateError(path: path, message: "written with signature algorithm v\(s.signatureAlgorithm); this stacksift uses v\(Signer.algorithmVersion) and would regroup — re-run analyze")
        }
        if let problem = s.inconsistency() {
            throw StateError(path: path, message: "damaged state file (\(problem))")
        }
        return s
    }

    /// What a decoding error means, in words, and the byte offset where the JSON breaks.
    static func explain(_ error: Error, _ data: Data) -> (String, Int64?) {
        func at(_ path: [CodingKey]) -> String {
            path.isEmpty ? "at the top level" : "at " + path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }
        }
        guard let e = error as? DecodingError else { return ("\(error)", nil) }
        switch e {
        case .dataCorrupted(let c):
            if data.isEmpty { return ("the file is empty", 0) }
            if c.codingPath.isEmpty { return invalidJSON(data) }
            return ("bad value \(at(c.codingPath)): \(c.debugDescription)", nil)
        case .keyNotFound(let k, let c):
            return ("missing \"\(k.stringValue)\" \(at(c.codingPath))", nil)
        case .typeMismatch(let t, let c):
            return ("expected \(t) \(at(c.codingPath))", nil)
        case .valueNotFound(let t, let c):
            return ("expected \(t), found null, \(at(c.codingPath))", nil)
        @unknown default:
            return ("\(error)", nil)
        }
    }

    /// Where JSON that does not parse breaks. JSONDecoder does not say; JSONSerialization does,
    /// in words ("… around character 12.", "Unexpected end of file …").
    private static func invalidJSON(_ data: Data) -> (String, Int64?) {
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            return ("not valid JSON", nil)
        } catch {
            let detail = ((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "")
                .trimmingCharacters(in: CharacterSet(charactersIn: ". "))
            var offset: Int64?
            if let r = detail.range(of: "character ") { offset = Int64(detail[r.upperBound...].prefix { $0.isNumber }) }
            if detail.localizedCaseInsensitiveContains("end of file") { offset = Int64(data.count) }
            return ("not valid JSON" + (detail.isEmpty ? "" : ": \(detail)"), offset)
        }
    }

    /// The largest count a state may hold: far beyond any real run, and small enough that
    /// millions of merged states cannot overflow a sum.
    public static let maxCount = 1 << 40

    /// The first thing in a decoded state that no run can have written: a map key that is not
    /// its entry's id (ids must be unique for the timeline and the report), or a count that is
    /// negative or out of range.
    func inconsistency() -> String? {
        func bad(_ n: Int) -> Bool { n < 0 || n > Self.maxCount }
        func badCount(_ what: String, _ n: Int) -> String? { bad(n) ? "\(what) is \(n)" : nil }
        func badMap<K>(_ what: String, _ m: [K: Int]) -> String? {
            m.first { bad($0.value) }.map { "\(what)[\($0.key)] is \($0.value)" }
        }
        for (i, f) in files.enumerated() {
            for (name, n) in [("lines", f.lines), ("events", f.events), ("truncatedLines", f.truncatedLines),
                              ("invalidUTF8Lines", f.invalidUTF8Lines), ("nulLines", f.nulLines), ("tooLongEvents", f.tooLongEvents),
                              ("bytes", Int(clamping: f.bytes)), ("compressedBytes", Int(clamping: f.compressedBytes))] {
                if let p = badCount("files[\(i)].\(name)", n) { return p }
            }
        }
        for (k, p) in state.patterns {
            let w = "patterns[\(k)]"
            if p.id != k { return "\(w) holds pattern \(p.id)" }
            if let x = badCount("\(w).count", p.count) ?? badMap("\(w).sources", p.sources) ?? badMap("\(w).perMinute", p.perMinute) { return x }
            for (name, f) in p.fields { if let x = badCount("\(w).fields[\(name)].count", f.count) { return x } }
            for (name, t) in p.textFields {
                if let x = badMap("\(w).textFields[\(name)]", t.values) ?? badCount("\(w).textFields[\(name)].overflow", t.overflow) { return x }
            }
            for (name, series) in p.fieldsPerMinute {
                if let f = series.values.first(where: { bad($0.count) }) { return "\(w).fieldsPerMinute[\(name)] count is \(f.count)" }
            }
        }
        for (k, sig) in state.signatures {
            let w = "signatures[\(k)]"
            if sig.key.id != k { return "\(w) holds signature \(sig.key.id)" }
            if let x = badCount("\(w).count", sig.count) ?? badMap("\(w).sources", sig.sources) ?? badMap("\(w).perMinute", sig.perMinute) { return x }
        }
        return badCount("overflowEvents", state.overflowEvents) ?? badCount("limitHits", state.limitHits)
    }

    /// Merging is associative and commutative on the state; file lists are concatenated in
    /// argument order.
    public mutating func merge(_ o: SavedAnalysis, maxSignatures: Int = AnalysisState.defaultMaxSignatures) {
        files += o.files
        errors += o.errors
        state.merge(o.state, maxSignatures: maxSignatures)
    }

    public func result(stage: Stage = .full, elapsed: Double = 0) -> AnalysisResult {
        AnalysisResult(files: files, errors: errors, state: state, elapsedSeconds: elapsed, stage: stage)
    }
}

public struct StateError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    /// Where in the file the JSON breaks, when the decoder says.
    public var offset: Int64?

    public init(path: String, message: String, offset: Int64? = nil) {
        self.path = path
        self.message = message
        self.offset = offset
    }

    public var description: String { "\(path): \(message)" + (offset.map { " (at byte offset \($0))" } ?? "") }
    public var inputError: InputError { InputError(path: path, message: message, offset: offset) }
}

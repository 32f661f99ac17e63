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
            throw StateError(path: path, message: "not a stacksift state file (\(error))")
        }
        guard s.schema == SavedAnalysis.schema else {
            throw StateError(path: path, message: "unsupported state schema '\(s.schema)' (this stacksift reads \(SavedAnalysis.schema))")
        }
        guard s.signatureAlgorithm == Signer.algorithmVersion else {
            throw StateError(path: path, message: "written with signature algorithm v\(s.signatureAlgorithm); this stacksift uses v\(Signer.algorithmVersion) and would regroup — re-run analyze")
        }
        return s
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
    public var description: String { "\(path): \(message)" }
}

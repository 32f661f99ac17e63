import Dispatch
import Foundation

/// How far the pipeline runs: for benchmarking each stage's cost.
public enum Stage: String, Sendable, Codable, CaseIterable {
    /// Read and decompress only.
    case decode
    /// … and split into lines and events.
    case frame
    /// … and match patterns, parse exceptions, sign and cluster.
    case full
}

public struct AnalysisOptions: Sendable {
    public var timeZone: TimeZone = .current
    public var maxLineLength = LineFramer.defaultMaxLineLength
    public var limits = EventAssembler.Limits()
    public var stage: Stage = .full
    public var appPackages: [String] = []
    public var maxSignatures = AnalysisState.defaultMaxSignatures
    /// Worker threads; 0 = one per core.
    public var workers = 0
    /// Size of the buffers one input is read and decoded into: a whole LZ4 block (4 MiB at
    /// most) and the tail of the previous buffer, so blocks decode straight into them. Jobs (cut
    /// at event starts, so that both cores can frame and analyse one input) hold at least two.
    /// Small values in tests put cuts everywhere.
    public var segmentSize = 4 << 20 + 64 << 10
    /// Counts what has been read so far, for a progress display; nil = not counted.
    public var progress: ReadProgress?
    /// Only events in [since, until) (epoch ms) are analysed; all are still read and counted.
    public var since: Int64?
    public var until: Int64?
    public init() {}
}

/// What the pipeline has read so far, updated per chunk (not per line) and readable from
/// another thread: the CLI's progress line.
public final class ReadProgress: @unchecked Sendable {
    // SAFETY: every access goes through `lock`.
    private let lock = NSLock()
    private var bytes: Int64 = 0
    private var files = 0

    public init() {}

    func add(bytes n: Int) {
        lock.lock()
        bytes += Int64(n)
        lock.unlock()
    }

    func fileDone() {
        lock.lock()
        files += 1
        lock.unlock()
    }

    /// (decompressed bytes read, inputs finished)
    public var snapshot: (bytes: Int64, files: Int) {
        lock.lock()
        defer { lock.unlock() }
        return (bytes, files)
    }
}

/// What happened to one input.
public struct FileReport: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable { case ok, partial, unreadable, skipped }
    public var path: String
    public var format: String
    public var container: String?
    public var compressedBytes: Int64 = 0
    /// Decompressed bytes.
    public var bytes: Int64 = 0
    public var lines = 0
    public var events = 0
    public var truncatedLines = 0
    public var invalidUTF8Lines = 0
    public var nulLines = 0
    public var tooLongEvents = 0
    public var firstTime: Int64?
    public var lastTime: Int64?
    public var status: Status = .ok
    public var error: InputError?
    public var note: String?

    public init(path: String, format: String) {
        self.path = path
        self.format = format
    }
}

/// The outcome of a run: per-input reports, errors, and the merged analysis state.
public struct AnalysisResult: Sendable {
    public var files: [FileReport]
    public var errors: [InputError]
    public var state: AnalysisState
    public var elapsedSeconds: Double
    public var stage: Stage

    public var bytes: Int64 { files.reduce(0) { $0 + $1.bytes } }
    public var lines: Int { files.reduce(0) { $0 + $1.lines } }
    public var events: Int { files.reduce(0) { $0 + $1.events } }
    public var firstTime: Int64? { files.compactMap(\.firstTime).min() }
    public var lastTime: Int64? { files.compactMap(\.lastTime).max() }
    public var filesRead: Int { files.filter { $0.status != .skipped && $0.status != .unreadable }.count }
    /// True when every input was read completely.
    public var complete: Bool { errors.isEmpty }
}

/// The batch pipeline: sources → (decode → lines → events → analysis) per file, files spread
/// over the cores, per-worker states merged at the end (merge order does not matter).
public final class Analysis: @unchecked Sendable {
    public let options: AnalysisOptions
    public let catalog: PatternCatalog

    public init(options: AnalysisOptions, catalog: PatternCatalog) {
        self.options = options
        self.catalog = catalog
    }

    public func run(_ sources: [InputSource], discoveryErrors: [InputError] = []) -> AnalysisResult {
        let start = DispatchTime.now()
        let cores = options.workers > 0 ? options.workers : max(1, ProcessInfo.processInfo.activeProcessorCount)
        let workers = min(cores, max(1, sources.count))
        // With fewer files than cores, each file gets a decode thread of its own.
        let pipelined = sources.count < cores && cores > 1
        // Each file's analysis is merged in file order, whatever worker read it and whenever it
        // finished: so what a capped state keeps (--max-signatures) does not depend on thread
        // scheduling. Finished files wait only until the files before them are merged.
        let shared = Locked((next: 0, reports: [FileReport?](repeating: nil, count: sources.count),
                             pending: [Int: AnalysisState](), nextToMerge: 0, merged: AnalysisState()))
        let signer = Signer(appPackages: options.appPackages)
        let maxSignatures = options.maxSignatures

        let traces = TraceCache()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            let analyzer = options.stage == .full
                ? EventAnalyzer(catalog: catalog, signer: signer, maxSignatures: options.maxSignatures, traces: traces) : nil
            while true {
                let i = shared.withLock { s in
                    defer { s.next += 1 }
                    return s.next
                }
                if i >= sources.count { break }
                let r = FileProcessor(options: options, analyzer: analyzer, sourceIndex: i).process(sources[i], pipelined: pipelined)
                options.progress?.fileDone()
                var fileState: AnalysisState?
                if let analyzer {
                    fileState = analyzer.state
                    analyzer.state = AnalysisState()
                }
                shared.withLock { s in
                    s.reports[i] = r
                    guard let fileState else { return }
                    s.pending[i] = fileState
                    while let next = s.pending.removeValue(forKey: s.nextToMerge) {
                        s.merged.merge(next, maxSignatures: maxSignatures)
                        s.nextToMerge += 1
                    }
                }
            }
        }
        let (reports, merged) = shared.withLock { ($0.reports, $0.merged) }
        let files = reports.map { $0! }
        var errors = discoveryErrors
        errors += files.compactMap(\.error)
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        return AnalysisResult(files: files, errors: errors, state: merged, elapsedSeconds: elapsed, stage: options.stage)
    }
}

import Foundation
import XCTest
@testable import StackSift

/// The package root, found from this file's path (Tests/StackSiftTests/Report/…).
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

let utc = TimeZone(identifier: "UTC")!

/// Runs the full pipeline over `paths` with the built-in catalog.
func analyze(_ paths: [String], zone: TimeZone = utc, workers: Int = 0) throws -> AnalysisResult {
    var options = AnalysisOptions()
    options.timeZone = zone
    options.workers = workers
    let (sources, errors) = Discovery.expand(paths)
    return Analysis(options: options, catalog: try PatternCatalog.standard()).run(sources, discoveryErrors: errors)
}

/// `result` with every path shown relative to `base` (`/…/samples/001-x/host-a/app.log` →
/// `001-x/host-a/app.log`), so that reports do not depend on where the checkout lives.
func relativize(_ result: AnalysisResult, to base: String) -> AnalysisResult {
    let prefix = base.hasSuffix("/") ? base : base + "/"
    func rel(_ p: String) -> String { p.hasPrefix(prefix) ? String(p.dropFirst(prefix.count)) : p }
    func relKeys(_ d: [String: Int]) -> [String: Int] { Dictionary(d.map { (rel($0.key), $0.value) }, uniquingKeysWith: +) }
    var r = result
    r.files = r.files.map { f in
        var f = f
        f.path = rel(f.path)
        if let e = f.error { f.error!.path = rel(e.path) }
        return f
    }
    r.errors = r.errors.map { var e = $0; e.path = rel(e.path); return e }
    for k in r.state.patterns.keys { r.state.patterns[k]!.sources = relKeys(r.state.patterns[k]!.sources) }
    for k in r.state.signatures.keys { r.state.signatures[k]!.sources = relKeys(r.state.signatures[k]!.sources) }
    return r
}

/// The report of a scenario directory, as the snapshot tests and CLI users see it with
/// `--timezone UTC`.
func scenarioReport(_ dir: URL, base: URL, zone: TimeZone = utc, workers: Int = 0) throws -> Report {
    let result = relativize(try analyze([dir.path], zone: zone, workers: workers), to: base.path)
    var options = ReportOptions()
    options.timeZone = zone
    return Report(result: result, catalog: try PatternCatalog.standard(), options: options)
}

/// The scenario directories under `dir` (`000-…` … `004-…`), sorted.
func scenarios(in dir: URL) -> [URL] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
    return names.filter { $0.first?.isNumber == true }.sorted().map { dir.appendingPathComponent($0) }
}

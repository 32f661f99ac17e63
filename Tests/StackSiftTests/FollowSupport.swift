import Foundation
import XCTest
@testable import StackSift

#if canImport(Glibc)
import Glibc
#endif

/// Log lines with a unique `seq=N`, so a test can check that every event arrived exactly once.
enum SeqLog {
    /// 2024-05-01 10:00:00 UTC.
    static let base: Int64 = 1_714_557_600_000

    /// One single-line event, `ms` after `base` (default: n × 10 ms).
    static func line(_ n: Int, at ms: Int64? = nil, level: String = "INFO", text: String = "order processed") -> String {
        "\(LogText.format(base + (ms ?? Int64(n) * 10))) \(level) [main] c.e.OrderService - \(text) seq=\(n)\n"
    }

    static func lines(_ r: ClosedRange<Int>) -> String { r.map { line($0) }.joined() }

    /// A three-line event: an ERROR header with a stack trace.
    static func trace(_ n: Int, exception: String = "java.lang.IllegalStateException", at ms: Int64? = nil) -> String {
        "\(LogText.format(base + (ms ?? Int64(n) * 10))) ERROR [main] c.e.OrderService - failed seq=\(n)\n"
            + "\(exception): broken order\n"
            + "\tat com.example.OrderService.load(OrderService.java:42)\n"
            + "\tat com.example.OrderController.get(OrderController.java:17)\n"
    }

    /// The `seq=` numbers in an event's text.
    static func seqs(in text: String) -> [Int] {
        var out: [Int] = []
        var rest = Substring(text)
        while let r = rest.range(of: "seq=") {
            let digits = rest[r.upperBound...].prefix(while: \.isNumber)
            if let n = Int(digits) { out.append(n) }
            rest = rest[r.upperBound...]
        }
        return out
    }
}

/// Writes like a logging library: appends through a descriptor it keeps (across a rename, as a
/// process does until it reopens its log).
final class LogWriter {
    let fd: Int32
    init(_ path: String, append: Bool = true) {
        fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : 0), 0o644)
        precondition(fd >= 0, "cannot open \(path): \(String(cString: strerror(errno)))")
    }
    deinit { close(fd) }

    func write(_ s: String) {
        let b = Array(s.utf8)
        var done = 0
        while done < b.count {
            let n = b.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, b.count - done) }
            precondition(n > 0, "write failed")
            done += n
        }
    }
}

func appendText(_ path: String, _ s: String) { LogWriter(path).write(s) }

func inode(_ path: String) -> UInt64? { FileStatus.of(path: path).map { $0.identity.inode } }

/// Runs a `Follower` on a thread of its own, with short timings, collecting alerts, notes and
/// every analysed event.
final class FollowHarness: @unchecked Sendable {
    let follower: Follower
    let alerts = Locked([Alert]())
    let notes = Locked([FollowNote]())
    let events = Locked([(String, String)]())
    private let done = DispatchSemaphore(value: 0)
    private let outcome = Locked(AnalysisResult?.none)
    private let failure = Locked((any Error)?.none)

    static func configuration(_ paths: [String], polling: Bool) -> FollowConfiguration {
        var c = FollowConfiguration(paths: paths)
        c.polling = polling
        c.pollInterval = 0.05
        // With inotify, only inotify may wake the follower for anything a test checks: a missing
        // wake-up shows as a timeout instead of hiding behind the safety rescan.
        c.rescanInterval = polling ? 0.05 : 30
        c.idleFlush = 0.2
        c.rotateWait = 1.0
        c.settle = 0.2
        c.checkpointInterval = 0.2
        c.reportInterval = 0.5
        c.findingsInterval = 0.2
        return c
    }

    static let emptyCatalog = PatternCatalog(patterns: [])
    static let standardCatalog: PatternCatalog = try! PatternCatalog.standard()

    static var utc: AnalysisOptions {
        var o = AnalysisOptions()
        o.timeZone = TimeZone(identifier: "UTC")!
        return o
    }

    init(_ configuration: FollowConfiguration, catalog: PatternCatalog = FollowHarness.emptyCatalog,
         render: (@Sendable (AnalysisResult) -> String)? = nil, diagnose: (@Sendable (AnalysisResult) -> [Finding])? = nil) {
        var hooks = FollowHooks()
        let (alerts, notes, events) = (self.alerts, self.notes, self.events)
        hooks.alert = { a in alerts.withLock { $0.append(a) } }
        hooks.note = { n in notes.withLock { $0.append(n) } }
        hooks.event = { p, t in events.withLock { $0.append((p, t)) } }
        hooks.renderReport = render
        hooks.diagnose = diagnose
        follower = Follower(configuration: configuration, options: Self.utc, catalog: catalog, hooks: hooks)
    }

    /// Starts the loop and waits for its first pass (files present at start have been opened,
    /// watches are in place).
    func start(file: StaticString = #filePath, line: UInt = #line) {
        let (f, out, fail, done) = (follower, outcome, failure, self.done)
        Thread.detachNewThread {
            do {
                let r = try f.run()
                out.withLock { $0 = r }
            } catch {
                fail.withLock { $0 = error }
            }
            done.signal()
        }
        waitFor("the first pass", file: file, line: line) { $0.passes >= 1 }
    }

    var snapshot: FollowSnapshot { follower.snapshot() }

    /// Polls until `condition` holds or 10 s pass (then fails with the last snapshot).
    @discardableResult
    func waitFor(_ what: String, timeout: Double = 10, file: StaticString = #filePath, line: UInt = #line,
                 _ condition: (FollowSnapshot) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition(follower.snapshot()) { return true }
            usleep(10_000)
        }
        let s = follower.snapshot()
        XCTFail("timed out waiting for \(what): events \(s.events), files \(s.files.map { "\($0.path)=\($0.events)" }), notes \(notes.withLock { $0.map(\.message) })",
                file: file, line: line)
        return false
    }

    func waitForEvents(_ n: Int, file: StaticString = #filePath, line: UInt = #line) {
        waitFor("\(n) events", file: file, line: line) { $0.events >= n }
    }

    /// Stops the loop and returns the final analysis.
    func stop(file: StaticString = #filePath, line: UInt = #line) -> AnalysisResult? {
        follower.stop()
        if done.wait(timeout: .now() + 10) == .timedOut {
            XCTFail("the follower did not stop within 10 s", file: file, line: line)
            return nil
        }
        if let e = failure.withLock({ $0 }) { XCTFail("run() threw: \(e)", file: file, line: line) }
        return outcome.withLock { $0 }
    }

    /// Every seq number seen, sorted.
    var seqs: [Int] { events.withLock { $0.flatMap { SeqLog.seqs(in: $0.1) } }.sorted() }
    var noteMessages: [String] { notes.withLock { $0.map { "\($0.path ?? ""): \($0.message)" } } }
}

/// Checks a run's final result: exactly `expected` events in total, and every seq in `seqs`
/// exactly once.
func assertExactlyOnce(_ h: FollowHarness, _ r: AnalysisResult?, events expected: Int, seqs: ClosedRange<Int>,
                       file: StaticString = #filePath, line: UInt = #line) {
    guard let r else { return XCTFail("no result", file: file, line: line) }
    XCTAssertEqual(r.events, expected, "events in the final report: \(r.files.map { "\($0.path)=\($0.events)" }); notes: \(h.noteMessages)", file: file, line: line)
    let got = h.seqs
    let want = Array(seqs)
    if got != want {
        let dup = Dictionary(grouping: got, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
        let missing = Set(want).subtracting(got).sorted()
        XCTFail("seqs: \(got.count) seen, \(want.count) expected; duplicated \(dup.prefix(20)), missing \(missing.prefix(20)); notes: \(h.noteMessages)",
                file: file, line: line)
    }
}

import Foundation
import XCTest
@testable import StackSift

#if canImport(Glibc)
import Glibc
#endif

/// `stacksift tail` as a user runs it: the built binary in a child process, alerts read from its
/// stdout, stopped with SIGTERM.
final class TailCommandTests: XCTestCase {
    /// The `stacksift` executable built next to this test bundle.
    func executable() throws -> URL {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("stacksift"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("stacksift"),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(".build/debug/stacksift"),
        ]
        for c in candidates where FileManager.default.isExecutableFile(atPath: c.path) { return c }
        throw XCTSkip("the stacksift executable was not found next to the tests (run `swift build` first)")
    }

    /// Collects a pipe's output on a thread of its own.
    final class Output: @unchecked Sendable {
        let text = Locked("")
        init(_ pipe: Pipe) {
            let handle = pipe.fileHandleForReading
            let text = self.text
            Thread.detachNewThread {
                while true {
                    let d = handle.availableData
                    if d.isEmpty { break }
                    text.withLock { $0 += String(decoding: d, as: UTF8.self) }
                }
            }
        }
        var lines: [String] { text.withLock { $0.split(separator: "\n").map(String.init) } }
    }

    func wait(_ what: String, timeout: Double = 10, _ condition: () -> Bool) {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return }
            usleep(20_000)
        }
        XCTFail("timed out waiting for \(what)")
    }

    func testTailFollowsAlertsAndWritesReportAndStateOnSIGTERM() throws {
        let exe = try executable()
        let dir = try TempDir()
        let logs = dir.url.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let log = logs.appendingPathComponent("app.log").path
        let state = dir.url.appendingPathComponent("state.json").path
        let report = dir.url.appendingPathComponent("report.json").path
        appendText(log, SeqLog.lines(1...10) + SeqLog.trace(11))

        let p = Process()
        p.executableURL = exe
        p.arguments = ["tail", logs.path, "--state", state, "--report", report, "--every", "0.3", "--format", "ndjson",
                       "--poll-interval", "0.05", "--idle-flush", "0.2", "--timezone", "UTC"]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        let stdout = Output(out), stderr = Output(err)
        try p.run()
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }

        wait("the first alert") { stdout.lines.count >= 1 }
        appendText(log, SeqLog.lines(12...20) + SeqLog.trace(21, exception: "java.io.UncheckedIOException"))
        wait("the second alert") { stdout.lines.count >= 2 }
        wait("the report") { FileManager.default.fileExists(atPath: report) }

        // as `timeout` stops a command: SIGTERM to the child, then to its process group. The
        // repeat is the same request, not a second "exit now".
        kill(p.processIdentifier, SIGTERM)
        usleep(50_000)
        if p.isRunning { kill(p.processIdentifier, SIGTERM) }
        wait("the exit") { !p.isRunning }
        XCTAssertEqual(p.terminationReason, .exit)
        XCTAssertEqual(p.terminationStatus, 0, "stderr: \(stderr.text.withLock { $0 })")
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp-") }
        XCTAssertEqual(left, [], "no temporary file is left behind")

        let alerts = try stdout.lines.map { try JSONDecoder().decode(Alert.self, from: Data($0.utf8)) }
        XCTAssertEqual(alerts.map(\.kind), [.newSignature, .newSignature], "\(stdout.lines)")
        XCTAssertEqual(alerts.map { $0.exemplar.contains("seq=11") }, [true, false])
        XCTAssertEqual(alerts.last?.exemplar.contains("seq=21"), true)

        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as? [String: Any]
        let inputs = json?["inputs"] as? [String: Any]
        // 10 lines, a trace, 9 lines, a trace
        XCTAssertEqual(inputs?["events"] as? Int, 21, "the report at exit covers every event, the last trace included")
        let saved = try SavedAnalysis.decode(try Data(contentsOf: URL(fileURLWithPath: state)), path: state)
        XCTAssertEqual(saved.files.reduce(0) { $0 + $1.events }, 21)
        XCTAssertEqual(saved.state.signatures.count, 2)
    }

    /// A state or report with nowhere to go: refused before anything is followed (73), and a
    /// run whose last checkpoint could not be written does not exit 0.
    func testTailRefusesStateItCannotWriteAndSaysWhenTheLastWriteFailed() throws {
        let exe = try executable()
        let dir = try TempDir()
        let log = dir.url.appendingPathComponent("app.log").path
        appendText(log, SeqLog.lines(1...3))
        func run(_ args: [String]) throws -> (Int32, String) {
            let p = Process()
            p.executableURL = exe
            p.arguments = ["tail", log] + args
            let err = Pipe()
            p.standardOutput = FileHandle.nullDevice
            p.standardError = err
            try p.run()
            let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            return (p.terminationStatus, text)
        }
        let missing = dir.url.appendingPathComponent("no/such/dir/s.state").path
        let (code, text) = try run(["--state", missing])
        XCTAssertEqual(code, 73)
        XCTAssertTrue(text.contains("cannot write the state file \(missing)") && text.contains("No such file or directory"), text)
        let (code2, text2) = try run(["--report", dir.path])
        XCTAssertEqual(code2, 73)
        XCTAssertTrue(text2.contains("is a directory"), text2)

        // the state's directory disappears while following
        let stateDir = dir.url.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: stateDir, withIntermediateDirectories: true)
        let state = stateDir.appendingPathComponent("s.state").path
        let p = Process()
        p.executableURL = exe
        p.arguments = ["tail", log, "--state", state, "--poll-interval", "0.05", "--checkpoint-every", "0.1"]
        let err = Pipe()
        p.standardOutput = FileHandle.nullDevice
        p.standardError = err
        let stderr = Output(err)
        try p.run()
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        wait("the first checkpoint") { FileManager.default.fileExists(atPath: state) }
        try FileManager.default.removeItem(at: stateDir)
        kill(p.processIdentifier, SIGTERM)
        wait("the exit") { !p.isRunning }
        XCTAssertEqual(p.terminationStatus, 73, stderr.text.withLock { $0 })
        wait("the message") { stderr.text.withLock { $0.contains("stopped without writing \(state)") } }
    }

    func testTailRejectsStandardInput() throws {
        let exe = try executable()
        let p = Process()
        p.executableURL = exe
        p.arguments = ["tail", "-"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 64)
    }
}

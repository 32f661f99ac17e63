import Foundation
import XCTest
@testable import StackSift

/// The follower's framing and its checkpoint boundary. The property that makes restarts exact:
/// stop anywhere, resume a fresh sink at `commitOffset` with the committed counters, and the
/// events and counters of the two halves add up to those of one uninterrupted read.
final class FollowSinkTests: XCTestCase {
    struct Run {
        var events: [String] = []
        var counters = InputCounters()
    }

    static var options: AnalysisOptions {
        var o = AnalysisOptions()
        o.timeZone = TimeZone(identifier: "UTC")!
        return o
    }

    /// Feeds `bytes[from...]` in `chunks`-sized pieces to a sink starting at `from`.
    func read(_ bytes: [UInt8], from: Int, to: Int? = nil, chunk: Int, finish: Bool, previousTime: Int64? = nil,
              container: ContainerUnwrapper.Mode? = nil) -> (Run, FollowSink) {
        let box = Locked([String]())
        let sink = FollowSink(options: Self.options, startOffset: Int64(from), previousTime: previousTime, container: container) { e in
            box.withLock { $0.append("\(e.time.map(String.init) ?? "-")|\(e.text)") }
        }
        var i = from
        let end = to ?? bytes.count
        while i < end {
            let j = min(end, i + chunk)
            bytes[i..<j].withUnsafeBytes { sink.feed($0) }
            i = j
        }
        if finish { sink.finish() }
        var run = Run()
        run.events = box.withLock { $0 }
        run.counters = sink.committed
        return (run, sink)
    }

    func sum(_ a: InputCounters, _ b: InputCounters) -> InputCounters {
        var r = FileReport(path: "", format: "")
        a.add(to: &r)
        b.add(to: &r)
        var c = InputCounters()
        c.bytes = r.bytes
        c.lines = LineStats()
        c.lines.lines = r.lines
        c.lines.truncatedLines = r.truncatedLines
        c.lines.invalidUTF8Lines = r.invalidUTF8Lines
        c.lines.nulLines = r.nulLines
        c.events = r.events
        c.tooLongEvents = r.tooLongEvents
        c.firstTime = r.firstTime
        c.lastTime = r.lastTime
        return c
    }

    func checkRestartAnywhere(_ text: [UInt8], _ name: String, container: ContainerUnwrapper.Mode? = nil) {
        let (whole, _) = read(text, from: 0, chunk: 4096, finish: true, container: container)
        XCTAssertGreaterThan(whole.events.count, 3, name)
        var rng = SplitMix64(seed: 7)
        var cuts = Array(stride(from: 0, through: text.count, by: max(1, text.count / 97)))
        for _ in 0..<40 { cuts.append(Int(rng.next() % UInt64(text.count + 1))) }
        for cut in cuts {
            let chunk = 1 + Int(rng.next() % 300)
            let (first, s1) = read(text, from: 0, to: cut, chunk: chunk, finish: false, container: container)
            let resume = Int(s1.commitOffset)
            XCTAssertLessThanOrEqual(resume, cut, "\(name): the boundary never passes what was read")
            let (second, _) = read(text, from: resume, chunk: chunk, finish: true, previousTime: s1.commitPreviousTime,
                                   container: s1.containerMode)
            XCTAssertEqual(first.events + second.events, whole.events, "\(name): stop at \(cut), resume at \(resume)")
            XCTAssertEqual(sum(first.counters, second.counters), whole.counters, "\(name): counters, stop at \(cut)")
        }
    }

    func testRestartAnywhereGivesTheUninterruptedEvents() {
        let text = LogText.make(approximateBytes: 30_000, seed: 41).bytes
        checkRestartAnywhere(text, "generated log")
    }

    func testRestartAnywhereWithUntimedEventsAndCRLF() {
        let text = Array(("2024-05-01 10:00:00,000 INFO [main] a - one\r\n"
            + "ERROR no timestamp here, inherits the previous time\r\n"
            + "\tat x.Y.z(Y.java:1)\r\n"
            + "orphan continuation\r\n"
            + "2024-05-01 10:00:01,000 WARN [main] a - two\r\n"
            + "WARN another untimed\n"
            + "2024-05-01 10:00:02,000 INFO [main] a - three\n"
            + "last line without newline").utf8)
        checkRestartAnywhere(text, "untimed + CRLF")
    }

    func testRestartAnywhereInCRILogs() {
        var s = ""
        for i in 0..<30 {
            s += "2024-05-01T10:00:\(String(format: "%02d", i)).000000000Z stdout P 2024-05-01 10:00:\(String(format: "%02d", i)),000 ERROR [main] a - part \(i) "
            s += "\n2024-05-01T10:00:\(String(format: "%02d", i)).000000001Z stdout F continued\n"
            s += "2024-05-01T10:00:\(String(format: "%02d", i)).000000002Z stdout F \tat x.Y.z(Y.java:\(i))\n"
        }
        checkRestartAnywhere(Array(s.utf8), "CRI partial lines")
    }

    /// An idle flush completes the open event and moves the boundary past it; a held partial
    /// line stays out of it.
    func testFlushPendingKeepsPartialLine() {
        let text = Array(("2024-05-01 10:00:00,000 ERROR [main] a - boom\n\tat x.Y.z(Y.java:1)\n2024-05-01 10:00:01,000 INFO [main] a - par").utf8)
        let (run, sink) = read(text, from: 0, chunk: 7, finish: false)
        XCTAssertEqual(run.events.count, 0, "the trace is still open")
        XCTAssertTrue(sink.open)
        XCTAssertTrue(sink.hasPartialLine)
        XCTAssertEqual(sink.commitOffset, 0)
        sink.flushPending()
        let lineEnd = text.lastIndex(of: 0x0A)! + 1
        XCTAssertFalse(sink.open)
        XCTAssertEqual(Int(sink.commitOffset), lineEnd, "after a flush: the end of the last complete line")
        XCTAssertEqual(sink.committed.events, 1)
        XCTAssertEqual(sink.committed.lines.lines, 2)
        XCTAssertEqual(sink.committed.bytes, Int64(lineEnd))
    }
}

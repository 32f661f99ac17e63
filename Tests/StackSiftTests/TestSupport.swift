import Foundation
import XCTest
@testable import StackSift

// MARK: - External compressors

/// Runs the `lz4`, `gzip` and `zstd` command-line tools to make compressed fixtures at test time,
/// so the decoders are checked against the reference implementations, not against themselves.
enum Tool {
    static func path(_ name: String) -> String? {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for d in dirs + ["/usr/bin", "/usr/local/bin", "/bin"] {
            let p = "\(d)/\(name)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    /// `tool args… <input file>` with stdout captured; fails the test (by throwing) when the tool
    /// is missing or exits non-zero.
    static func compress(_ data: [UInt8], _ tool: String, _ args: [String]) throws -> [UInt8] {
        guard let exe = path(tool) else { throw XCTSkip("\(tool) is not installed") }
        let dir = try TempDir()
        let input = dir.url.appendingPathComponent("input")
        let output = dir.url.appendingPathComponent("output")
        try Data(data).write(to: input)
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let out = try FileHandle(forWritingTo: output)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: exe)
        process.arguments = args + [input.path]
        process.standardOutput = out
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try out.close()
        guard process.terminationStatus == 0 else {
            throw ToolError(message: "\(tool) \(args.joined(separator: " ")) exited with \(process.terminationStatus)")
        }
        return [UInt8](try Data(contentsOf: output))
    }

    static func lz4(_ data: [UInt8], _ args: [String] = []) throws -> [UInt8] { try compress(data, "lz4", ["-q", "-c", "-B4"] + args) }
    static func gzip(_ data: [UInt8]) throws -> [UInt8] { try compress(data, "gzip", ["-c", "-n"]) }
    static func zstd(_ data: [UInt8], _ args: [String] = []) throws -> [UInt8] { try compress(data, "zstd", ["-q", "-c"] + args) }

    struct ToolError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}

/// A temporary directory removed when the value goes away.
final class TempDir {
    let url: URL
    var path: String { url.path }

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("stacksift-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: file)
        return file.path
    }
}

// MARK: - Generated log text

/// Log-like text with a known number of lines and events: timestamped records, some carrying a
/// stack trace with `\tat`, `Caused by:` and `... N more` lines, some non-ASCII text.
struct LogText {
    var bytes: [UInt8]
    var lines: Int
    var events: Int
    /// Epoch ms of the first and last record (the timestamps are UTC wall-clock times).
    var firstTime: Int64
    var lastTime: Int64

    /// 2023-10-10 16:00:00.000 UTC, just before the first record
    static let start: Int64 = 1_696_953_600_000

    static func make(approximateBytes: Int, seed: UInt64 = 1) -> LogText {
        var rng = SplitMix64(seed: seed)
        var out: [UInt8] = []
        out.reserveCapacity(approximateBytes + 4096)
        var lines = 0
        var events = 0
        var t = start
        let loggers = ["c.e.OrderService", "c.e.PaymentClient", "com.zaxxer.hikari.pool.HikariPool", "o.a.c.c.C.[Tomcat].[localhost]"]
        let words = ["order", "payment", "connection", "pool", "timeout", "retry", "café", "user", "request", "Größe", "数据库"]
        var first: Int64?
        var last = t
        while out.count < approximateBytes {
            t += Int64(rng.next() % 900)
            if first == nil { first = t }
            last = t
            events += 1
            let level = ["INFO ", "WARN ", "ERROR", "DEBUG"][Int(rng.next() % 4)]
            let logger = loggers[Int(rng.next() % UInt64(loggers.count))]
            var msg = ""
            for _ in 0..<(3 + Int(rng.next() % 12)) { msg += words[Int(rng.next() % UInt64(words.count))] + " " }
            msg += "id=\(rng.next() % 100_000)"
            out += Array("\(Self.format(t)) \(level) [http-nio-8080-exec-\(rng.next() % 20)] \(logger) - \(msg)\n".utf8)
            lines += 1
            if rng.next() % 5 == 0 {
                let trace = [
                    "java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms.",
                    "\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)",
                    "\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:181)",
                    "\tat com.example.OrderService.load(OrderService.java:\(rng.next() % 500))",
                    "Caused by: java.net.SocketTimeoutException: Read timed out",
                    "\tat java.base/java.net.SocketInputStream.read(SocketInputStream.java:168)",
                    "\t... \(rng.next() % 40) more",
                ]
                let n = 2 + Int(rng.next() % UInt64(trace.count - 1))
                for l in trace.prefix(n) {
                    out += Array(l.utf8)
                    out.append(0x0A)
                    lines += 1
                }
            }
        }
        return LogText(bytes: out, lines: lines, events: events, firstTime: first ?? start, lastTime: last)
    }

    /// `yyyy-MM-dd HH:mm:ss,SSS` in UTC, through Foundation's Calendar (independent of the
    /// timestamp code under test).
    static func format(_ ms: Int64) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        let date = Date(timeIntervalSince1970: TimeInterval(ms / 1000))
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func p2(_ v: Int?) -> String { let v = v ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        let milli = Int(ms % 1000)
        let m3 = milli < 10 ? "00\(milli)" : milli < 100 ? "0\(milli)" : "\(milli)"
        return "\(c.year!)-\(p2(c.month))-\(p2(c.day)) \(p2(c.hour)):\(p2(c.minute)):\(p2(c.second)),\(m3)"
    }

    /// Splits at a line boundary near the middle (for multi-frame and multi-member files).
    func halves() -> ([UInt8], [UInt8]) {
        var mid = bytes.count / 2
        while mid < bytes.count, bytes[mid - 1] != 0x0A { mid += 1 }
        return (Array(bytes[..<mid]), Array(bytes[mid...]))
    }
}

// MARK: - Expected times

/// Epoch milliseconds of a wall-clock time in `zone`, computed with Foundation's Calendar (never
/// with the code under test).
func epochMillis(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int, _ ms: Int = 0, zone: String = "UTC") -> Int64 {
    var cal = Calendar(identifier: .gregorian)
    cal.timeZone = TimeZone(identifier: zone)!
    let date = cal.date(from: DateComponents(year: y, month: mo, day: d, hour: h, minute: mi, second: s))!
    return Int64(date.timeIntervalSince1970.rounded()) * 1000 + Int64(ms)
}

// MARK: - Decoding

/// What a decoder made of a sequence of chunks: the bytes it delivered, and the first error
/// (from `feed` or `finish`) with where it was raised.
struct DecodeOutcome: Equatable, CustomStringConvertible {
    var bytes: [UInt8]
    var error: DecodeError?
    var errorInFinish = false
    var consumed: Int64

    var description: String { "\(bytes.count) bytes, error: \(error.map(\.description) ?? "none")" }
}

func decode(_ make: () -> any StreamDecoder, _ chunks: ChunkingVerifier.Chunks) -> DecodeOutcome {
    let d = make()
    var out: [UInt8] = []
    for c in chunks {
        var failure: DecodeError?
        c.withUnsafeBytes { buf in
            do {
                try d.feed(buf) { out.append(contentsOf: $0) }
            } catch let e as DecodeError {
                failure = e
            } catch {}
        }
        if let failure { return DecodeOutcome(bytes: out, error: failure, consumed: d.consumed) }
    }
    do {
        try d.finish()
    } catch {
        return DecodeOutcome(bytes: out, error: error, errorInFinish: true, consumed: d.consumed)
    }
    return DecodeOutcome(bytes: out, error: nil, consumed: d.consumed)
}

func decodeWhole(_ make: () -> any StreamDecoder, _ input: [UInt8]) -> DecodeOutcome {
    decode(make, [input[...]])
}

// MARK: - Framing chain

/// One assembled event, copied out of the assembler's buffer.
struct Ev: Equatable, CustomStringConvertible {
    var time: Int64?
    var text: String
    var lineCount: Int
    var flags: EventFlags
    var headerEnd: Int

    var lines: [String] { text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
    var description: String { "Ev(time: \(time.map(String.init) ?? "nil"), lines: \(lineCount), flags: \(flags.rawValue), \(text.debugDescription))" }

    init(_ v: EventView) {
        time = v.time
        text = v.text
        lineCount = v.lineCount
        flags = v.flags
        headerEnd = v.headerEnd
    }
}

struct ChainResult: Equatable {
    var events: [Ev]
    var stats: LineStats
    var mode: ContainerUnwrapper.Mode
    var tooLongEvents: Int
}

/// LineFramer → ContainerUnwrapper → EventAssembler, wired as the pipeline's Sink wires them.
func runChain(_ chunks: ChunkingVerifier.Chunks, zone: String = "UTC", maxLineLength: Int = LineFramer.defaultMaxLineLength,
              limits: EventAssembler.Limits = .init(), container: ContainerUnwrapper.Mode? = nil, inPlace: Bool = false) -> ChainResult {
    let framer = LineFramer(maxLineLength: maxLineLength)
    var unwrapper = ContainerUnwrapper(mode: container, maxLineLength: maxLineLength)
    let assembler = EventAssembler(parser: TimestampParser(zone: ZoneResolver(TimeZone(identifier: zone)!)), limits: limits)
    let assemblers = SourceAssemblers(assembler)
    var events: [Ev] = []
    func logical(_ l: UnsafeBufferPointer<UInt8>, _ source: Int, _ cut: Bool) {
        assemblers(source).feed(l, cut: cut) { events.append(Ev($0)) }
    }
    for c in chunks {
        c.withUnsafeBytes { buf in
            if inPlace {
                // as the pipeline's Sink does for unwrapped text: events lent from the chunk
                framer.load(buf)
                while let (line, cut) = framer.next() {
                    if unwrapper.passthrough {
                        if assembler.push(line, cut: cut, inPlace: framer.lastInPlace) { events.append(Ev(assembler.completed!)) }
                    } else {
                        unwrapper.feed(line) { l, source in logical(l, source, cut) }
                    }
                }
                assembler.detach()
            } else {
                framer.feed(buf) { line, cut in
                    unwrapper.feed(line) { l, source in logical(l, source, cut) }
                }
            }
        }
    }
    framer.finish { line, cut in
        unwrapper.feed(line) { l, source in logical(l, source, cut) }
    }
    unwrapper.finish { l in assembler.feed(l, cut: false) { events.append(Ev($0)) } }
    assemblers.finish { e, _ in events.append(Ev(e)) }
    XCTAssertEqual(assemblers.events, events.count, "the assemblers' event counter must match the events emitted")
    return ChainResult(events: events, stats: framer.stats, mode: unwrapper.mode, tooLongEvents: assemblers.tooLongEvents)
}

func runChain(_ text: String, zone: String = "UTC", limits: EventAssembler.Limits = .init()) -> ChainResult {
    let bytes = Array(text.utf8)
    return runChain([bytes[...]], zone: zone, limits: limits)
}

/// A Spring Boot error with its trace (a cause, frames, `... N common frames omitted`), then the
/// next record: 8 lines, 2 events.
let springBootErrorThenOK = [
    "2023-10-10 16:00:01.123 ERROR 1234 --- [nio-8080-exec-1] c.a.web.OrderController : failed",
    "org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection",
    "\tat org.springframework.jdbc.datasource.DataSourceUtils.getConnection(DataSourceUtils.java:83)",
    "\tat com.acme.dao.OrderDao.find(OrderDao.java:42)",
    "Caused by: java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms.",
    "\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)",
    "\t... 12 common frames omitted",
    "2023-10-10 16:00:02.001  INFO 1234 --- [nio-8080-exec-2] c.a.web.OrderController : ok",
]

import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads one input to its end: sniff → decode → lines → container unwrap → events → analyzer.
/// A corrupt or truncated input keeps every complete line decoded before the damage.
struct FileProcessor {
    let options: AnalysisOptions
    let analyzer: EventAnalyzer?
    let sourceIndex: Int
    static let chunkSize = 1 << 20

    func process(_ source: InputSource, pipelined: Bool) -> FileReport {
        var report = FileReport(path: source.path, format: "unknown")
        if let reason = source.skipReason {
            report.status = .skipped
            report.format = "—"
            report.note = reason
            return report
        }
        let fd: Int32 = source.isStdin ? 0 : open(source.path, O_RDONLY)
        if fd < 0 {
            report.status = .unreadable
            report.error = InputError(path: source.path, message: "cannot open: \(String(cString: strerror(errno)))", offset: nil)
            return report
        }
        defer { if !source.isStdin { close(fd) } }
        var chunk = [UInt8](repeating: 0, count: Self.chunkSize)
        // First bytes decide the format.
        var filled = 0
        while filled < 65_536 {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, Self.chunkSize - filled) }
            if n < 0 {
                if errno == EINTR { continue }
                report.status = .unreadable
                report.error = InputError(path: source.path, message: "read error: \(String(cString: strerror(errno)))", offset: Int64(filled))
                return report
            }
            if n == 0 { break }
            filled += n
        }
        let sniffed = chunk.withUnsafeBytes { InputFormat.sniff(UnsafeRawBufferPointer(rebasing: $0[0..<filled]), checkBinary: source.fromWalk, path: source.path) }
        let format: InputFormat
        switch sniffed {
        case .format(let f): format = f
        case .damaged(let damaged, let why):
            report.status = .unreadable
            report.format = damaged.rawValue
            report.error = InputError(path: source.path, message: why, offset: 0)
            return report
        case .binary:
            report.status = .skipped
            report.format = "binary"
            report.note = "skipped: binary content"
            return report
        case .unsupported(let what):
            report.format = what
            if source.fromWalk {
                report.status = .skipped
                report.note = "skipped: \(what) is not supported (plain, gzip, lz4 and zstd are)"
            } else {
                report.status = .unreadable
                report.error = InputError(path: source.path, message: "\(what) compression is not supported (plain, gzip, lz4 and zstd are)", offset: 0)
            }
            return report
        }
        report.format = format.rawValue
        report.compressedBytes = Int64(filled)

        let decoder = format.makeDecoder()
        var failure: DecodeError?
        var ioError: InputError?
        // Reads and decodes on this thread, into `target`'s buffers.
        func produce(into target: DecodeTarget) {
            // plain text is read straight into the target, the rest goes through `chunk`
            let plain = format == .plain
            do {
                try feedBytes(decoder, chunk, filled, target)
                while true {
                    let n: Int
                    if plain {
                        let room = target.reserve(Self.chunkSize)
                        n = read(fd, room.baseAddress!, min(room.count, Self.chunkSize))
                    } else {
                        n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, Self.chunkSize) }
                    }
                    if n < 0 {
                        if errno == EINTR { continue }
                        ioError = InputError(path: source.path, message: "read error: \(String(cString: strerror(errno)))", offset: report.compressedBytes)
                        break
                    }
                    if n == 0 { break }
                    report.compressedBytes += Int64(n)
                    if plain { target.commit(n) } else { try feedBytes(decoder, chunk, n, target) }
                }
                if ioError == nil { try decoder.finish() }
            } catch let e as DecodeError {
                failure = e
            } catch {}
        }

        if options.stage == .decode {
            var bytes: Int64 = 0
            // room for a whole LZ4 block, as in a segmenter slot
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: lz4OutputCapacity, alignment: 64)
            defer { buffer.deallocate() }
            produce(into: BufferTarget(buffer) { b in
                bytes += Int64(b.count)
                options.progress?.add(bytes: b.count)
            })
            report.bytes = bytes
        } else {
            let results = JobResults(maxSignatures: options.maxSignatures)
            // Pipelined: this thread reads, decodes and cuts, and frames jobs of its own whenever
            // the pool has no free slot; `threads` more threads frame the others. (Three busy
            // threads sharing two cores would starve the decoder, which the others wait on.)
            let cores = options.workers > 0 ? options.workers : ProcessInfo.processInfo.activeProcessorCount
            let threads = pipelined ? max(1, cores - 1) : 0
            let pool = SlotPool(count: threads == 0 ? 2 : (threads + 1) * 2 + 2, size: options.segmentSize)
            // runner and queue 0 are this thread's; the others have a thread each
            let runners = (0...threads).map { i in
                JobRunner(options: options, analyzer: i == 0 ? analyzer : analyzer.map { EventAnalyzer(like: $0) },
                          source: source.path, sourceIndex: sourceIndex, results: results)
            }
            let queues = runners.map { _ in SegmentQueue() }
            let done = DispatchSemaphore(value: 0)
            for i in 1..<queues.count {
                let work = Handoff((queue: queues[i], runner: runners[i], pool: pool))
                Thread.detachNewThread {
                    let (queue, runner, pool) = work.value
                    while let s = queue.pop() {
                        runner.run(s)
                        pool.give(s.slot)
                    }
                    runner.close()
                    done.signal()
                }
            }
            // this thread's own segments, framed when it would otherwise wait
            func runOwn() -> Bool {
                guard let s = queues[0].pop(waiting: false) else { return false }
                runners[0].run(s)
                pool.give(s.slot)
                return true
            }
            var current = 0
            let segmenter = Segmenter(pool: pool, zone: options.timeZone, maxLineLength: options.maxLineLength) { s in
                if s.startsJob {
                    // a job stays with one runner; a new one goes to the least loaded, workers
                    // before this thread on a tie
                    current = queues.indices.min { a, b in
                        (queues[a].queuedBytes, a == 0 ? 1 : 0) < (queues[b].queuedBytes, b == 0 ? 1 : 0)
                    }!
                }
                queues[current].push(s)
                if threads == 0 { _ = runOwn() }
            }
            if threads > 0 { segmenter.help = runOwn }
            produce(into: segmenter)
            segmenter.finish()
            while runOwn() {}
            runners[0].close()
            for q in queues.dropFirst() { q.close() }
            for _ in 1..<queues.count { done.wait() }
            results.fill(&report)
            if let analyzer { analyzer.state = results.state }
        }
        if let failure {
            report.status = .partial
            report.error = InputError(path: source.path, message: failure.message, offset: failure.offset)
        } else if let ioError {
            report.status = .partial
            report.error = ioError
        }
        return report
    }
}

/// Feeds the first `count` bytes of `buffer` to `decoder`.
func feedBytes(_ decoder: any StreamDecoder, _ buffer: [UInt8], _ count: Int, _ target: DecodeTarget) throws(DecodeError) {
    var failure: DecodeError?
    buffer.withUnsafeBytes { b in
        do {
            try decoder.feed(UnsafeRawBufferPointer(rebasing: b[0..<count]), into: target)
        } catch let e as DecodeError {
            failure = e
        } catch {}
    }
    if let failure { throw failure }
}

/// Decoded bytes → lines → events → analyzer, with the per-input counters.
final class Sink {
    let framer: LineFramer
    var unwrapper: ContainerUnwrapper
    /// When the input was last modified: the year of syslog stamps (see `ContainerUnwrapper`).
    private let modified: Int64?
    /// Source 0's assembler: every line of an ordinary log.
    let assembler: EventAssembler
    /// Every source's, for an input that interleaves several (see `SourceAssemblers`).
    let assemblers: SourceAssemblers
    let analyzer: EventAnalyzer?
    /// `analyzer`, unretained (it lives as long as this sink): calling through a strong
    /// reference cost a retain and a release per event (≈2% of a full run's CPU).
    private let analyzerRef: Unmanaged<EventAnalyzer>?
    let stage: Stage
    let source: String
    let sourceIndex: Int
    var bytes: Int64 = 0
    var ordinal = 0
    let since: Int64?
    let until: Int64?
    let progress: ReadProgress?

    init(options: AnalysisOptions, analyzer: EventAnalyzer?, source: String, sourceIndex: Int) {
        framer = LineFramer(maxLineLength: options.maxLineLength)
        modified = source == "-" ? nil : FileStatus.of(path: source).map { $0.mtime / 1_000_000_000 }
        unwrapper = ContainerUnwrapper(maxLineLength: options.maxLineLength, reference: modified)
        sourceTable = unwrapper.sources
        assembler = EventAssembler(parser: TimestampParser(zone: ZoneResolver(options.timeZone)), limits: options.limits)
        assemblers = SourceAssemblers(assembler)
        self.analyzer = analyzer
        analyzerRef = analyzer.map { Unmanaged.passUnretained($0) }
        since = options.since
        until = options.until
        progress = options.progress
        self.stage = options.stage
        self.source = source
        self.sourceIndex = sourceIndex
    }

    @inline(__always)
    func feed(_ b: UnsafeRawBufferPointer) {
        bytes += Int64(b.count)
        progress?.add(bytes: b.count)
        if stage == .decode { return }
        // strong locals held across the loop: binding an unowned(unsafe) alias per line cost a
        // retain and a release per line
        let f = framer
        let a = assembler
        f.load(b)
        while let (line, cut) = f.next() {
            if passthrough {
                if a.push(line, cut: cut, inPlace: f.lastInPlace, mayHoldBackslash: f.lastMayHoldBackslash) { onEvent(a.completed!) }
            } else {
                onLine(line, cut)
            }
        }
        // the chunk is recycled after this call
        a.detach()
    }

    /// `unwrapper.passthrough`, copied (not read through the struct on every line).
    private var passthrough = false

    private func onLine(_ line: UnsafeBufferPointer<UInt8>, _ cut: Bool) {
        if passthrough {
            if assembler.push(line, cut: cut) { onEvent(assembler.completed!) }
            return
        }
        unwrapper.feed(line) { l, source in
            let a = self.assemblers(source)
            if a.push(l, cut: cut) { self.onEvent(a.completed!, from: source) }
        }
        passthrough = unwrapper.passthrough
    }

    /// An event of the input (the hot path: `source` is read in place, not passed on).
    @inline(__always)
    private func onEvent(_ e: EventView) {
        ordinal += 1
        guard let analyzerRef, inWindow(e) else { return }
        analyzerRef._withUnsafeGuaranteedRef { $0.analyze(e, source: source, sourceIndex: sourceIndex, ordinal: ordinal) }
    }

    @inline(__always)
    private func inWindow(_ e: EventView) -> Bool {
        if since != nil || until != nil {
            guard let t = e.time else { return false }
            if let since, t < since { return false }
            if let until, t >= until { return false }
        }
        return true
    }

    /// An event of one source of an interleaved stream: the input's sources are its pods or
    /// services (`pods.log [pod/orders-1/app]`) when their prefixes name them.
    private func onEvent(_ e: EventView, from sub: Int) {
        guard sub > 0, sourceTable.namesInputs else { return onEvent(e) }
        while sourceNames.count < sub {
            sourceNames.append("\(source) [\(sourceTable.name(sourceNames.count + 1) ?? "?")]")
        }
        onEvent(e, name: sourceNames[sub - 1])
    }

    /// The current unwrapper's source table (a reference: the unwrapper itself cannot be read
    /// while it feeds lines), and the names of the sources so far.
    private var sourceTable: SourceTable
    private var sourceNames: [String] = []

    private func onEvent(_ e: EventView, name: String) {
        ordinal += 1
        guard let analyzerRef, inWindow(e) else { return }
        analyzerRef._withUnsafeGuaranteedRef { $0.analyze(e, source: name, sourceIndex: sourceIndex, ordinal: ordinal) }
    }

    /// Starts job `job` of the input: fresh framing state; jobs after the first start at an
    /// event of a text (unwrapped) input.
    func reset(job: Int) {
        framer.reset()
        assemblers.reset()
        unwrapper = job == 0 ? ContainerUnwrapper(maxLineLength: framer.maxLineLength, reference: modified)
            : ContainerUnwrapper(mode: ContainerUnwrapper.Mode.none, maxLineLength: framer.maxLineLength)
        passthrough = unwrapper.passthrough
        sourceTable = unwrapper.sources
        sourceNames.removeAll()
        bytes = 0
        // event order within the input: job number, then the event's place in the job
        ordinal = job << 40
    }

    func finish() {
        if stage == .decode { return }
        if let (line, cut) = framer.finishLine() { onLine(line, cut) }
        unwrapper.finish { l in if self.assembler.push(l, cut: false) { self.onEvent(self.assembler.completed!) } }
        assemblers.finish { onEvent($0, from: $1) }
    }

    func fill(_ r: inout JobResult) {
        r.counters = InputCounters(bytes: bytes, lines: framer.stats, events: assemblers.events, tooLongEvents: assemblers.tooLongEvents,
                                   firstTime: assemblers.firstTime, lastTime: assemblers.lastTime)
        r.container = unwrapper.mode
    }
}

/// What a stretch of one input contributed to its report (a batch job, or a followed file's
/// generation up to a checkpoint).
struct InputCounters: Equatable {
    /// Decoded bytes.
    var bytes: Int64 = 0
    var lines = LineStats()
    var events = 0
    var tooLongEvents = 0
    var firstTime: Int64?
    var lastTime: Int64?

    mutating func add(_ o: InputCounters) {
        bytes += o.bytes
        lines.add(o.lines)
        events += o.events
        tooLongEvents += o.tooLongEvents
        firstTime = minOpt(firstTime, o.firstTime)
        lastTime = maxOpt(lastTime, o.lastTime)
    }

    /// Adds these counters to a file's report.
    func add(to r: inout FileReport) {
        r.bytes += bytes
        r.lines += lines.lines
        r.truncatedLines += lines.truncatedLines
        r.invalidUTF8Lines += lines.invalidUTF8Lines
        r.nulLines += lines.nulLines
        r.events += events
        r.tooLongEvents += tooLongEvents
        r.firstTime = minOpt(r.firstTime, firstTime)
        r.lastTime = maxOpt(r.lastTime, lastTime)
    }
}

/// What one job of an input found: its counters and its share of the analysis.
struct JobResult {
    var counters = InputCounters()
    var container = ContainerUnwrapper.Mode.none
    var state: AnalysisState?
}

/// Jobs' results, merged in job order whatever thread finished them when: so what a capped
/// state keeps does not depend on scheduling. Only the jobs finished out of order wait.
final class JobResults: @unchecked Sendable {
    // SAFETY: every field is only touched with `lock` held.
    private let lock = NSLock()
    private var pending: [Int: JobResult] = [:]
    private var next = 0
    private var counters = InputCounters()
    private var container = ContainerUnwrapper.Mode.none
    /// Built by merging every job's state in order; the merge also turns the winning exemplars'
    /// bytes into text.
    private var merged = AnalysisState()
    private let maxSignatures: Int

    init(maxSignatures: Int) { self.maxSignatures = maxSignatures }

    func add(_ job: Int, _ r: JobResult) {
        lock.lock()
        defer { lock.unlock() }
        pending[job] = r
        while let r = pending.removeValue(forKey: next) {
            counters.add(r.counters)
            if next == 0 { container = r.container }
            if let s = r.state { merged.merge(s, maxSignatures: maxSignatures) }
            next += 1
        }
    }

    var state: AnalysisState {
        lock.lock()
        defer { lock.unlock() }
        return merged
    }

    func fill(_ r: inout FileReport) {
        lock.lock()
        defer { lock.unlock() }
        counters.add(to: &r)
        r.container = container == .none ? nil : container.rawValue
    }
}

/// One worker's framing and analysis of the jobs it is given, one segment after another.
final class JobRunner: @unchecked Sendable {
    // SAFETY: used by one thread at a time (created on one, then handed to its worker).
    private let sink: Sink
    private let analyzer: EventAnalyzer?
    private let results: JobResults
    private var job = -1

    init(options: AnalysisOptions, analyzer: EventAnalyzer?, source: String, sourceIndex: Int, results: JobResults) {
        sink = Sink(options: options, analyzer: analyzer, source: source, sourceIndex: sourceIndex)
        self.analyzer = analyzer
        self.results = results
        analyzer?.state = AnalysisState()
        analyzer?.deferExemplars = true
    }

    func run(_ s: Segment) {
        if s.startsJob {
            close()
            job = s.job
            sink.reset(job: s.job)
        }
        sink.feed(s.bytes)
    }

    /// Ends the current job and hands its result over.
    func close() {
        guard job >= 0 else { return }
        sink.finish()
        var r = JobResult()
        sink.fill(&r)
        if let analyzer {
            r.state = analyzer.state
            analyzer.state = AnalysisState()
        }
        results.add(job, r)
        job = -1
    }
}

/// The segments waiting for one worker, in order.
final class SegmentQueue: @unchecked Sendable {
    // SAFETY: every field is only touched with `cond` locked.
    private let cond = NSCondition()
    private var items: [Segment] = []
    private var head = 0
    private var closed = false
    private var bytes = 0

    /// Bytes queued and not yet taken (a hint for where the next job goes).
    var queuedBytes: Int {
        cond.lock()
        defer { cond.unlock() }
        return bytes
    }

    func push(_ s: Segment) {
        cond.lock()
        items.append(s)
        bytes += s.count
        cond.signal()
        cond.unlock()
    }

    func close() {
        cond.lock()
        closed = true
        cond.broadcast()
        cond.unlock()
    }

    /// The next segment, waiting for one (unless `waiting` is false); nil once closed and
    /// drained, or when there is none and not waiting.
    func pop(waiting: Bool = true) -> Segment? {
        cond.lock()
        defer { cond.unlock() }
        while waiting && head == items.count && !closed { cond.wait() }
        guard head < items.count else { return nil }
        let s = items[head]
        head += 1
        bytes -= s.count
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        }
        return s
    }
}

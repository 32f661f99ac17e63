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
        let sniffed = chunk.withUnsafeBytes { InputFormat.sniff(UnsafeRawBufferPointer(rebasing: $0[0..<filled]), checkBinary: source.fromWalk) }
        let format: InputFormat
        switch sniffed {
        case .format(let f): format = f
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

        let sink = Sink(options: options, analyzer: analyzer, source: source.path, sourceIndex: sourceIndex)
        let decoder = format.makeDecoder()
        var failure: DecodeError?
        var ioError: InputError?

        if pipelined && format != .plain {
            // decode on a second thread, frame and analyse on this one
            let pipe = ChunkPipe(slots: 4, size: Self.chunkSize)
            let first = Array(chunk[0..<filled])
            let producerDone = DispatchSemaphore(value: 0)
            let box = Handoff((decoder: decoder, failure: DecodeError?.none, io: InputError?.none, bytes: Int64(filled)))
            let path = source.path
            Thread.detachNewThread {
                let decoder = box.value.decoder
                var prodFailure: DecodeError?
                var prodIO: InputError?
                var prodBytes = box.value.bytes
                var readBuf = [UInt8](repeating: 0, count: Self.chunkSize)
                do {
                    try feedBytes(decoder, first, first.count) { pipe.write($0) }
                    while true {
                        let n = readBuf.withUnsafeMutableBytes { read(fd, $0.baseAddress!, Self.chunkSize) }
                        if n < 0 {
                            if errno == EINTR { continue }
                            prodIO = InputError(path: path, message: "read error: \(String(cString: strerror(errno)))", offset: prodBytes)
                            break
                        }
                        if n == 0 { break }
                        prodBytes += Int64(n)
                        try feedBytes(decoder, readBuf, n) { pipe.write($0) }
                    }
                    if prodIO == nil { try decoder.finish() }
                } catch let e as DecodeError {
                    prodFailure = e
                } catch {}
                box.value.failure = prodFailure
                box.value.io = prodIO
                box.value.bytes = prodBytes
                pipe.close()
                producerDone.signal()
            }
            pipe.drain { sink.feed($0) }
            producerDone.wait()
            failure = box.value.failure
            ioError = box.value.io
            report.compressedBytes = box.value.bytes
        } else {
            do {
                try feedBytes(decoder, chunk, filled) { sink.feed($0) }
                while true {
                    let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, Self.chunkSize) }
                    if n < 0 {
                        if errno == EINTR { continue }
                        ioError = InputError(path: source.path, message: "read error: \(String(cString: strerror(errno)))", offset: report.compressedBytes)
                        break
                    }
                    if n == 0 { break }
                    report.compressedBytes += Int64(n)
                    try feedBytes(decoder, chunk, n) { sink.feed($0) }
                }
                if ioError == nil { try decoder.finish() }
            } catch let e as DecodeError {
                failure = e
            } catch {}
        }
        sink.finish()
        sink.fill(&report)
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
func feedBytes(_ decoder: any StreamDecoder, _ buffer: [UInt8], _ count: Int, _ sink: (UnsafeRawBufferPointer) -> Void) throws(DecodeError) {
    var failure: DecodeError?
    buffer.withUnsafeBytes { b in
        do {
            try decoder.feed(UnsafeRawBufferPointer(rebasing: b[0..<count]), sink)
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
    let assembler: EventAssembler
    // Aliases without reference counting, for the per-line path (the strong refs keep them alive).
    private unowned(unsafe) let fastFramer: LineFramer
    private unowned(unsafe) let fastAssembler: EventAssembler
    let analyzer: EventAnalyzer?
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
        unwrapper = ContainerUnwrapper(maxLineLength: options.maxLineLength)
        assembler = EventAssembler(parser: TimestampParser(zone: ZoneResolver(options.timeZone)), limits: options.limits)
        fastFramer = framer
        fastAssembler = assembler
        self.analyzer = analyzer
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
        let f = fastFramer
        f.load(b)
        while let (line, cut) = f.next() { onLine(line, cut) }
    }

    @inline(__always)
    private func onLine(_ line: UnsafeBufferPointer<UInt8>, _ cut: Bool) {
        if unwrapper.passthrough {
            let a = fastAssembler
            if a.push(line, cut: cut) { onEvent(a.completed!) }
            return
        }
        unwrapper.feed(line) { l in
            if self.assembler.push(l, cut: cut) { self.onEvent(self.assembler.completed!) }
        }
    }

    @inline(__always)
    private func onEvent(_ e: EventView) {
        ordinal += 1
        guard let analyzer else { return }
        if since != nil || until != nil {
            guard let t = e.time else { return }
            if let since, t < since { return }
            if let until, t >= until { return }
        }
        analyzer.analyze(e, source: source, sourceIndex: sourceIndex, ordinal: ordinal)
    }

    func finish() {
        if stage == .decode { return }
        if let (line, cut) = framer.finishLine() { onLine(line, cut) }
        unwrapper.finish { l in if self.assembler.push(l, cut: false) { self.onEvent(self.assembler.completed!) } }
        if assembler.finish() { onEvent(assembler.completed!) }
    }

    func fill(_ r: inout FileReport) {
        r.bytes = bytes
        r.lines = framer.stats.lines
        r.truncatedLines = framer.stats.truncatedLines
        r.invalidUTF8Lines = framer.stats.invalidUTF8Lines
        r.nulLines = framer.stats.nulLines
        r.events = assembler.events
        r.tooLongEvents = assembler.tooLongEvents
        r.firstTime = assembler.firstTime
        r.lastTime = assembler.lastTime
        r.container = unwrapper.mode == .none ? nil : unwrapper.mode.rawValue
    }
}

/// A bounded single-producer/single-consumer queue of byte chunks: the decoder thread fills
/// fixed buffers, the framing thread drains them; memory stays at `slots × size`.
final class ChunkPipe: @unchecked Sendable {
    private let cond = NSCondition()
    private var free: [UnsafeMutableRawBufferPointer]
    private var full: [(UnsafeMutableRawBufferPointer, Int)] = []
    private var current: UnsafeMutableRawBufferPointer?
    private var used = 0
    private var closed = false
    private let all: [UnsafeMutableRawBufferPointer]

    init(slots: Int, size: Int) {
        all = (0..<slots).map { _ in UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 64) }
        free = all
    }

    deinit { for b in all { b.deallocate() } }

    /// Producer side: copies `bytes` into the current buffer, handing full buffers over.
    func write(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count {
            if current == nil {
                cond.lock()
                while free.isEmpty { cond.wait() }
                current = free.removeLast()
                cond.unlock()
                used = 0
            }
            let buf = current!
            let n = min(buf.count - used, bytes.count - offset)
            (buf.baseAddress! + used).copyMemory(from: bytes.baseAddress! + offset, byteCount: n)
            used += n
            offset += n
            if used == buf.count { hand() }
        }
    }

    private func hand() {
        guard let buf = current else { return }
        cond.lock()
        full.append((buf, used))
        cond.signal()
        cond.unlock()
        current = nil
        used = 0
    }

    func close() {
        if current != nil && used > 0 { hand() } else if let c = current {
            cond.lock(); free.append(c); cond.unlock()
            current = nil
        }
        cond.lock()
        closed = true
        cond.broadcast()
        cond.unlock()
    }

    /// Consumer side: runs `body` on each chunk in order until the producer closes.
    func drain(_ body: (UnsafeRawBufferPointer) -> Void) {
        while true {
            cond.lock()
            while full.isEmpty && !closed { cond.wait() }
            if full.isEmpty && closed {
                cond.unlock()
                return
            }
            let (buf, n) = full.removeFirst()
            cond.unlock()
            body(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buf)[0..<n]))
            cond.lock()
            free.append(buf)
            cond.signal()
            cond.unlock()
        }
    }
}

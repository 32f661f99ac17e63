import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A piece of one input's decoded stream, in a pool slot. Segments are grouped into jobs: a job
/// starts at a line that opens a timestamped event, so each job frames and analyses on its own
/// (no line, event or "previous time" crosses from one job into the next) and jobs of one file
/// can run on both cores.
struct Segment: @unchecked Sendable {
    // SAFETY: the slot is owned by whoever holds the segment; it goes back to the pool after use.
    let slot: UnsafeMutableRawBufferPointer
    let count: Int
    /// Jobs are numbered from 0 in stream order; results merge in that order.
    let job: Int
    /// The first segment of its job (else it continues the previous segment's job).
    let startsJob: Bool

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: slot.baseAddress, count: count) }
}

/// Fixed buffers shared by the producer and the workers: memory stays at `count × size`.
final class SlotPool: @unchecked Sendable {
    // SAFETY: `free` is only touched with `cond` locked.
    private let cond = NSCondition()
    private var free: [UnsafeMutableRawBufferPointer]
    private let all: [UnsafeMutableRawBufferPointer]
    let size: Int

    init(count: Int, size: Int) {
        self.size = size
        all = (0..<count).map { _ in UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 64) }
        free = all
    }

    deinit { for b in all { b.deallocate() } }

    /// A free slot. While there is none, `help` is called (without the lock) as long as it
    /// finds work to do; then the caller waits for a slot.
    func take(helping help: (() -> Bool)? = nil) -> UnsafeMutableRawBufferPointer {
        while true {
            cond.lock()
            if free.isEmpty, let help {
                cond.unlock()
                if help() { continue }
                cond.lock()
            }
            while free.isEmpty { cond.wait() }
            let b = free.removeLast()
            cond.unlock()
            return b
        }
    }

    func give(_ b: UnsafeMutableRawBufferPointer) {
        cond.lock()
        free.append(b)
        cond.signal()
        cond.unlock()
    }
}

/// Decoded bytes → segments of about `pool.size` bytes; decoders write into the slots
/// themselves (`DecodeTarget`), so decoded bytes are not copied again. A slot is handed over
/// when it has no room left for the next write (see `reserve`), cut before its last complete
/// line that opens a timestamped event (found with the assembler's own header test, so the cut
/// falls exactly where sequential framing would start an event); the bytes after the cut move
/// to the next slot. With no such line in the slot (one event or line longer than
/// a slot), or in a container-wrapped input (Docker/CRI joins lines across records), the next
/// segment continues the same job. The cuts depend only on the bytes, so the results do not
/// depend on how the input was chunked, compressed, or spread over threads.
final class Segmenter: DecodeTarget {
    private let pool: SlotPool
    private let probe: EventAssembler
    private let maxLineLength: Int
    private let emit: (Segment) -> Void
    /// Work the producer does rather than wait for a free slot (see `SlotPool.take`).
    var help: (() -> Bool)?
    private var slot: UnsafeMutableRawBufferPointer
    private var used = 0
    private var job = -1
    private var nextStartsJob = true
    /// Bytes handed over in the current job; a job is cut only once it holds `minJobBytes`
    /// (each job costs a state merge: fewer, larger jobs than slots).
    private var jobBytes = 0
    private let minJobBytes: Int
    /// Container or JSON log detection done (as the unwrapper decides: see `ContainerUnwrapper.decide`).
    private var decided = false
    /// A container-wrapped input or a JSON log: one job, never cut.
    private var wrapped = false
    /// Non-empty lines looked at while undecided.
    private var undecidedLines = 0

    init(pool: SlotPool, zone: TimeZone, maxLineLength: Int, minJobBytes: Int? = nil, emit: @escaping (Segment) -> Void) {
        self.pool = pool
        // slots are handed over at least half full: this makes a job of two slots' worth
        self.minJobBytes = minJobBytes ?? pool.size + pool.size / 2
        probe = EventAssembler(parser: TimestampParser(zone: ZoneResolver(zone)))
        self.maxLineLength = maxLineLength
        self.emit = emit
        slot = pool.take()
    }

    /// The free end of the current slot. A full slot, or one at least half full with less room
    /// than `minimum`, is cut first (so a decoder can put a whole block straight into a slot).
    func reserve(_ minimum: Int) -> UnsafeMutableRawBufferPointer {
        let size = slot.count
        if used == size || (size - used < minimum && used >= size / 2) { cut(final: false) }
        return UnsafeMutableRawBufferPointer(rebasing: slot[used...])
    }

    func commit(_ count: Int) {
        used += count
    }

    /// End of input: hands over what is left.
    func finish() {
        if used > 0 || job < 0 { cut(final: true) } else { pool.give(slot) }
    }

    private func cut(final: Bool) {
        let base = slot.baseAddress!.assumingMemoryBound(to: UInt8.self)
        if !decided { decide(base) }
        let at = final || wrapped || !decided || jobBytes + used < minJobBytes ? 0 : findCut(base)
        let end = at > 0 ? at : used
        if nextStartsJob { job += 1 }
        // the bytes after a cut open the next job
        jobBytes = at > 0 ? 0 : jobBytes + end
        let segment = Segment(slot: slot, count: end, job: job, startsJob: nextStartsJob)
        if final {
            emit(segment)
            return
        }
        // the tail moves before the segment is handed over: a worker may recycle the slot at once
        let next = pool.take(helping: help)
        let tail = used - end
        if tail > 0 { next.baseAddress!.copyMemory(from: UnsafeRawPointer(base + end), byteCount: tail) }
        emit(segment)
        slot = next
        used = tail
        nextStartsJob = at > 0
    }

    /// Container (or JSON log) detection on the complete lines, as the unwrapper decides.
    private func decide(_ base: UnsafeMutablePointer<UInt8>) {
        var start = 0
        while start < used {
            guard let nl = memchr(base + start, 0x0A, used - start) else { return }
            let lineEnd = UnsafeMutablePointer(nl.assumingMemoryBound(to: UInt8.self)) - base
            let line = trimmedLine(base, start, lineEnd)
            if !line.isEmpty {
                if let mode = ContainerUnwrapper.decide(line, ordinal: undecidedLines) {
                    wrapped = mode != .none
                    decided = true
                    return
                }
                undecidedLines += 1
            }
            start = lineEnd + 1
        }
    }

    /// A line as the framer hands it over: without its CR, cut at the maximum length.
    private func trimmedLine(_ base: UnsafeMutablePointer<UInt8>, _ start: Int, _ end: Int) -> UnsafeBufferPointer<UInt8> {
        var n = end - start
        if n > 0 && base[start + n - 1] == 0x0D { n -= 1 }
        return UnsafeBufferPointer(start: base + start, count: min(n, maxLineLength))
    }

    /// Start of the last complete line (not the slot's first) that opens a timestamped event,
    /// or 0 when there is none.
    private func findCut(_ base: UnsafeMutablePointer<UInt8>) -> Int {
        var lineEnd = Self.lastNewline(base, before: used)
        while lineEnd > 0 {
            let prev = Self.lastNewline(base, before: lineEnd)
            let start = prev + 1
            if start == 0 { return 0 }
            // a line the framer would cut is never a cut point (its header could differ)
            if lineEnd - start <= maxLineLength, let h = probe.header(trimmedLine(base, start, lineEnd)), h.time != nil {
                return start
            }
            lineEnd = prev
        }
        return 0
    }

    /// Index of the last LF before `end`, or -1.
    private static func lastNewline(_ base: UnsafeMutablePointer<UInt8>, before end: Int) -> Int {
        var i = end - 1
        while i >= 0 && base[i] != 0x0A { i -= 1 }
        return i
    }
}

/// The follower's framing of one file: decoded bytes → lines → container unwrap → events, as the
/// batch `Sink` does, plus the checkpoint boundary.
///
/// The boundary (`commitOffset`) is where the event still open starts. Every event before it has
/// been handed to `emit` (and so analysed); nothing at or after it has. A checkpoint stores that
/// offset with the counters up to it, and a restart re-reads from there: the open event and a
/// held partial line are read again, and nothing is counted twice or missed.
final class FollowSink {
    let framer: LineFramer
    private(set) var unwrapper: ContainerUnwrapper
    let assembler: EventAssembler
    /// Decoded offset this sink started at (0, or a checkpoint's offset).
    let startOffset: Int64
    /// Decoded bytes fed so far, as an absolute offset.
    private(set) var offset: Int64
    /// End of the last complete line.
    private(set) var lineEnd: Int64
    private(set) var commitOffset: Int64
    /// Counters from `startOffset` to `commitOffset`.
    private(set) var committed = InputCounters()
    /// The time an untimed event at `commitOffset` would inherit.
    private(set) var commitPreviousTime: Int64?
    /// An event is being assembled (lines pushed since the last completion by flush).
    private(set) var open = false

    private var emitted = InputCounters()
    private var lastEmittedTime: Int64?
    // Where the physical line that began the pending container-joined line started.
    private var groupStart: Int64
    private var groupStats = LineStats()
    private let emit: (EventView) -> Void

    init(options: AnalysisOptions, startOffset: Int64, previousTime: Int64?, container: ContainerUnwrapper.Mode?,
         emit: @escaping (EventView) -> Void) {
        framer = LineFramer(maxLineLength: options.maxLineLength)
        unwrapper = ContainerUnwrapper(mode: container, maxLineLength: options.maxLineLength)
        assembler = EventAssembler(parser: TimestampParser(zone: ZoneResolver(options.timeZone)), limits: options.limits)
        assembler.previousTime = previousTime
        self.startOffset = startOffset
        offset = startOffset
        lineEnd = startOffset
        commitOffset = startOffset
        groupStart = startOffset
        commitPreviousTime = previousTime
        lastEmittedTime = previousTime
        self.emit = emit
    }

    /// Bytes after the last newline, held until their newline arrives.
    var hasPartialLine: Bool { offset > lineEnd }

    /// The container format, once known (`.none` once known to be plain text).
    var containerMode: ContainerUnwrapper.Mode? {
        if unwrapper.passthrough { return ContainerUnwrapper.Mode.none }
        // a prefix's shape is learnt again from the lines after a restart
        return unwrapper.mode == .none || unwrapper.mode == .prefixed ? nil : unwrapper.mode
    }

    func feed(_ chunk: UnsafeRawBufferPointer) {
        let chunkStart = offset
        offset += Int64(chunk.count)
        framer.load(chunk)
        while true {
            let before = framer.stats
            guard let (line, cut) = framer.next() else { break }
            let start = lineEnd
            lineEnd = chunkStart + Int64(framer.lineEndInChunk)
            physical(line, cut, start, before)
        }
    }

    private func physical(_ line: UnsafeBufferPointer<UInt8>, _ cut: Bool, _ start: Int64, _ before: LineStats) {
        if unwrapper.passthrough {
            logical(line, cut, start, before)
            return
        }
        if !unwrapper.hasPending {
            groupStart = start
            groupStats = before
        }
        let (s, b) = (groupStart, groupStats)
        unwrapper.feed(line) { l in self.logical(l, cut, s, b) }
    }

    private func logical(_ line: UnsafeBufferPointer<UInt8>, _ cut: Bool, _ start: Int64, _ before: LineStats) {
        if assembler.push(line, cut: cut) {
            deliver(assembler.completed!)
            commit(at: start, stats: before)
        }
        open = true
    }

    private func deliver(_ e: EventView) {
        emitted.events += 1
        if e.flags.contains(.tooLong) { emitted.tooLongEvents += 1 }
        if let t = e.time {
            emitted.firstTime = minOpt(emitted.firstTime, t)
            emitted.lastTime = maxOpt(emitted.lastTime, t)
        }
        // An untimed event carries the previous timed event's time: after it, that is still the
        // time the next untimed event inherits.
        lastEmittedTime = e.time
        emit(e)
    }

    private func commit(at start: Int64, stats: LineStats) {
        commitOffset = start
        committed = emitted
        committed.bytes = start - startOffset
        committed.lines = stats
        commitPreviousTime = lastEmittedTime
    }

    /// The file went quiet: completes the open event (a trace that ended a burst). Lines that
    /// continue it later form an event of their own, as after the end of a file. A partial line
    /// stays held.
    func flushPending() {
        guard open else { return }
        if assembler.finish() { deliver(assembler.completed!) }
        open = false
        if unwrapper.passthrough || !unwrapper.hasPending {
            commit(at: lineEnd, stats: framer.stats)
        } else {
            commit(at: groupStart, stats: groupStats)
        }
    }

    /// End of this generation of the file (let go, truncated, fully decoded): everything held is
    /// completed, the unterminated last line included.
    func finish() {
        if let (line, cut) = framer.finishLine() {
            let before = framer.stats
            physical(line, cut, lineEnd, before)
            lineEnd = offset
        }
        unwrapper.finish { l in self.logical(l, false, self.groupStart, self.groupStats) }
        if open, assembler.finish() { deliver(assembler.completed!) }
        open = false
        commit(at: offset, stats: framer.stats)
    }
}

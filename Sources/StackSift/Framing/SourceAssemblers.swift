/// One `EventAssembler` per source of an input that interleaves several programs' lines
/// (`kubectl logs -l app=x --prefix`, `docker compose logs`, syslog from several hosts): each
/// source's lines make its own events, so that one pod's header does not end another pod's
/// stack trace. The sources are numbered by `ContainerUnwrapper.feed(_:sourced:)`; source 0
/// (lines that name none, and every line of an ordinary log) is `first`. Each source keeps its
/// own open event and its own "previous time" for untimed events.
final class SourceAssemblers {
    let first: EventAssembler
    /// Sources 1, 2, …, made when first met.
    private var others: [EventAssembler] = []

    init(_ first: EventAssembler) {
        self.first = first
    }

    /// The assembler of `source`.
    @inline(__always)
    func callAsFunction(_ source: Int) -> EventAssembler {
        source == 0 ? first : other(source)
    }

    private func other(_ source: Int) -> EventAssembler {
        while others.count < source {
            others.append(EventAssembler(parser: first.parser, limits: first.limits))
        }
        return others[source - 1]
    }

    /// Back to a single source (buffers kept).
    func reset() {
        first.reset()
        for a in others { a.reset() }
    }

    /// End of input: the open event of every source, in source order, with its source.
    func finish(_ emit: (EventView, Int) -> Void) {
        first.finish { emit($0, 0) }
        for (i, a) in others.enumerated() { a.finish { emit($0, i + 1) } }
    }

    var events: Int { others.reduce(first.events) { $0 + $1.events } }
    var tooLongEvents: Int { others.reduce(first.tooLongEvents) { $0 + $1.tooLongEvents } }
    var firstTime: Int64? { others.reduce(first.firstTime) { minOpt($0, $1.firstTime) } }
    var lastTime: Int64? { others.reduce(first.lastTime) { maxOpt($0, $1.lastTime) } }
}

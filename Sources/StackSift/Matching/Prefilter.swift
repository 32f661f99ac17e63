/// Finds which of many literals occur in a text in one pass, Wu–Manber style: a table over
/// byte pairs says how far the window of the shortest literal length can jump, so a line of
/// ordinary log text is crossed a few bytes per step; only windows ending in a pair that ends
/// some literal's prefix are compared in full. Memory is fixed (two 64 Ki tables).
public struct LiteralPrefilter: Sendable {
    public let literals: [[UInt8]]
    /// All literals back to back (`flatStart[i]..<flatStart[i+1]`): no nested arrays to
    /// retain on the hot path.
    private let flat: [UInt8]
    private let flatStart: [Int32]
    /// Window length: the shortest indexed literal.
    private let m: Int
    /// pair (little-endian bytes i-1, i) → how far the window may move.
    private let shift: [UInt8]
    /// pair → range in `candidates` of the literals whose prefix window ends with it (CSR).
    private let candidateStart: [Int32]
    private let candidates: [Int32]
    /// Literals shorter than two bytes cannot be indexed; they always count as present.
    private let alwaysPresent: [Int]

    public init(literals: [String]) {
        let lits = literals.map { Array($0.utf8) }
        self.literals = lits
        var fl: [UInt8] = []
        var fs: [Int32] = []
        for l in lits {
            fs.append(Int32(fl.count))
            fl += l
        }
        fs.append(Int32(fl.count))
        flat = fl
        flatStart = fs
        var always: [Int] = []
        var indexed: [Int] = []
        for (i, l) in lits.enumerated() { if l.count < 2 { always.append(i) } else { indexed.append(i) } }
        alwaysPresent = always
        let m = min(255, indexed.map { lits[$0].count }.min() ?? 2)
        self.m = m
        var shift = [UInt8](repeating: UInt8(m - 1), count: 65_536)
        var lists = [[Int32]](repeating: [], count: 65_536)
        for i in indexed {
            let l = lits[i]
            for j in 0..<(m - 1) {
                let key = Int(l[j]) | Int(l[j + 1]) << 8
                let s = UInt8(m - 2 - j)
                if s < shift[key] { shift[key] = s }
            }
            let last = Int(l[m - 2]) | Int(l[m - 1]) << 8
            lists[last].append(Int32(i))
        }
        var starts = [Int32](repeating: 0, count: 65_537)
        var flat: [Int32] = []
        for k in 0..<65_536 {
            starts[k] = Int32(flat.count)
            flat += lists[k]
        }
        starts[65_536] = Int32(flat.count)
        self.shift = shift
        candidateStart = starts
        candidates = flat
    }

    /// Records in `hits` every literal present in `text` not yet recorded for this event.
    @inline(__always)
    func scan(_ text: UnsafeBufferPointer<UInt8>, _ hits: LiteralHits) {
        for i in alwaysPresent { hits.mark(Int32(i)) }
        let n = text.count
        guard n >= m, let p = text.baseAddress else { return }
        let m = self.m
        shift.withUnsafeBufferPointer { sh in
            candidateStart.withUnsafeBufferPointer { cs in
                candidates.withUnsafeBufferPointer { cand in
                    flat.withUnsafeBufferPointer { fl in
                        flatStart.withUnsafeBufferPointer { fs in
                            var pos = m - 1
                            while pos < n {
                                let key = Int(p[pos - 1]) | Int(p[pos]) << 8
                                let s = Int(sh[key])
                                if s > 0 {
                                    pos += s
                                    continue
                                }
                                let start = pos - (m - 1)
                                var c = Int(cs[key])
                                let end = Int(cs[key + 1])
                                while c < end {
                                    let li = cand[c]
                                    if !hits.isMarked(li) {
                                        let ls = Int(fs[Int(li)]), len = Int(fs[Int(li) + 1]) - ls
                                        if start + len <= n, memcmp(p + start, fl.baseAddress! + ls, len) == 0 {
                                            hits.mark(li)
                                        }
                                    }
                                    c += 1
                                }
                                pos += 1
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The literals found in the current event: a mark per literal stamped with the event's serial
/// number (so nothing is reset between events) and the list of hits.
final class LiteralHits {
    private let marks: UnsafeMutablePointer<UInt32>
    let list: UnsafeMutablePointer<Int32>
    private(set) var count = 0
    private var serial: UInt32 = 1
    private let capacity: Int

    init(count n: Int) {
        capacity = max(1, n)
        marks = .allocate(capacity: capacity)
        marks.initialize(repeating: 0, count: capacity)
        list = .allocate(capacity: capacity)
    }

    deinit {
        marks.deallocate()
        list.deallocate()
    }

    /// Starts a new event.
    @inline(__always)
    func reset() {
        count = 0
        serial &+= 1
        if serial == 0 {
            marks.update(repeating: 0, count: capacity)
            serial = 1
        }
    }

    @inline(__always) func isMarked(_ i: Int32) -> Bool { marks[Int(i)] == serial }

    /// The hits in ascending order (sorted in place: no allocation per event).
    @inline(__always)
    func sorted() -> UnsafeMutableBufferPointer<Int32> {
        var b = UnsafeMutableBufferPointer(start: list, count: count)
        if count > 1 { b.sort() }
        return b
    }

    @inline(__always)
    func mark(_ i: Int32) {
        if marks[Int(i)] == serial { return }
        marks[Int(i)] = serial
        list[count] = i
        count += 1
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

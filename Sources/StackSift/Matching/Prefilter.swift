/// Finds which of many literals occur in a text in one pass, Wu–Manber style: a table over
/// blocks of three bytes (hashed) says how far the window of the shortest literal length can
/// jump, so a line of ordinary log text is crossed several bytes per step; only windows ending
/// in a block that ends some literal's indexed window (its least ordinary stretch of that
/// length, see `quietestWindow`) are compared in full. Three-byte blocks rather than byte
/// pairs: pairs like `e ` or `in` end a window somewhere in almost every word, and each such
/// window costs a verification. Memory is fixed (a 16 KiB shift table, so it
/// stays in L1, and a 64 KiB candidate index), allocated once so the scan touches no reference-counted storage.
public struct LiteralPrefilter: @unchecked Sendable {
    public let literals: [[UInt8]]
    /// Owns the raw tables below (freed with the last copy of the prefilter).
    private let storage: Storage
    /// All literals back to back (`flatStart[i]..<flatStart[i+1]`).
    private let flat: UnsafePointer<UInt8>
    private let flatStart: UnsafePointer<Int32>
    /// Window length: the shortest indexed literal.
    private let m: Int
    /// Block hash → how far the window may move. With `m < 4` (only user catalogs can have
    /// such short literals) blocks are byte pairs, indexed directly.
    private let shift: UnsafePointer<UInt8>
    private let wide: Bool
    /// block → range in `candidates` of the literals whose window ends with it (CSR).
    private let candidateStart: UnsafePointer<Int32>
    /// Literal index, where its window starts in it, and the window's first four bytes (little
    /// endian; `wide` only), so most false candidates are rejected without a call to memcmp.
    private let candidates: UnsafePointer<Int32>
    private let candidateOffset: UnsafePointer<Int32>
    private let candidateHead: UnsafePointer<UInt32>
    /// Literals shorter than two bytes cannot be indexed; they always count as present.
    private let alwaysPresent: [Int32]
    /// No literal is indexed: a scan has nothing to find (and would otherwise step through
    /// the text a byte at a time).
    private let nothingIndexed: Bool
    /// The indexed literals as short as the window: they set how far a step can move.
    let windowSetters: [Int]

    /// Bytes of the window through which every literal is looked for (0: nothing indexed).
    var windowLength: Int { nothingIndexed ? 0 : m }
    /// The farthest one step of the scan can move: the window less a block, plus one.
    var maxStep: Int { nothingIndexed ? 0 : m - (wide ? 3 : 2) + 1 }

    static let hashBits = 14
    static let tableSize = 1 << hashBits

    final class Storage: @unchecked Sendable {
        var blocks: [UnsafeMutableRawPointer] = []
        func alloc<T>(_ values: [T]) -> UnsafePointer<T> {
            let p = UnsafeMutablePointer<T>.allocate(capacity: max(1, values.count))
            p.initialize(from: values, count: values.count)
            blocks.append(UnsafeMutableRawPointer(p))
            return UnsafePointer(p)
        }
        deinit { for b in blocks { b.deallocate() } }
    }

    /// Hash of the three bytes ending at the window end, from the little-endian word whose top
    /// three bytes they are. Collisions only lower shifts (and add candidates), so they are safe.
    @inline(__always)
    static func hash3(_ word: UInt32) -> Int {
        Int(((word >> 8) &* 0x9E37_79B1) >> UInt32(32 - hashBits))
    }

    public init(literals: [String]) {
        self.init(literals: literals, excluding: [])
    }

    /// `excluding`: literals the caller finds by other means; they are never reported and do
    /// not shorten the window.
    init(literals: [String], excluding: Set<Int>) {
        let lits = literals.map { Array($0.utf8) }
        self.literals = lits
        let storage = Storage()
        self.storage = storage
        var fl: [UInt8] = []
        var fs: [Int32] = []
        for l in lits {
            fs.append(Int32(fl.count))
            fl += l
        }
        fs.append(Int32(fl.count))
        flat = storage.alloc(fl)
        flatStart = storage.alloc(fs)
        var always: [Int32] = []
        var indexed: [Int] = []
        for (i, l) in lits.enumerated() where !excluding.contains(i) {
            if l.count < 2 { always.append(Int32(i)) } else { indexed.append(i) }
        }
        alwaysPresent = always
        nothingIndexed = indexed.isEmpty
        let m = min(255, indexed.map { lits[$0].count }.min() ?? 2)
        self.m = m
        windowSetters = indexed.filter { min(255, lits[$0].count) == m }
        let wide = m >= 4
        self.wide = wide
        let size = wide ? Self.tableSize : 65_536
        let b = wide ? 3 : 2
        var shift = [UInt8](repeating: UInt8(m - b + 1), count: size)
        var lists = [[Int32]](repeating: [], count: size)
        // Each literal is found through one window of m of its bytes, anywhere in it (Wu–Manber
        // takes the first m): the walk verifies every window whose last block ends a window, so
        // a window ending in `ion` or `ent` would be verified on almost every line of English.
        let offset: [Int] = lits.map { l in wide && l.count > m ? Self.quietestWindow(l, m) : 0 }
        func key(_ l: [UInt8], endingAt j: Int) -> Int {
            if wide { return Self.hash3(UInt32(l[j - 2]) << 8 | UInt32(l[j - 1]) << 16 | UInt32(l[j]) << 24) }
            return Int(l[j - 1]) | Int(l[j]) << 8
        }
        for i in indexed {
            let l = lits[i], o = offset[i]
            for j in (b - 1)..<m {
                let k = key(l, endingAt: o + j)
                let s = UInt8(m - 1 - j)
                if s < shift[k] { shift[k] = s }
            }
            lists[key(l, endingAt: o + m - 1)].append(Int32(i))
        }
        var starts = [Int32](repeating: 0, count: size + 1)
        var cand: [Int32] = []
        var offs: [Int32] = []
        var heads: [UInt32] = []
        for k in 0..<size {
            starts[k] = Int32(cand.count)
            for i in lists[k] {
                cand.append(i)
                let l = lits[Int(i)], o = offset[Int(i)]
                offs.append(Int32(o))
                heads.append(wide ? UInt32(l[o]) | UInt32(l[o + 1]) << 8 | UInt32(l[o + 2]) << 16 | UInt32(l[o + 3]) << 24 : 0)
            }
        }
        starts[size] = Int32(cand.count)
        self.shift = storage.alloc(shift)
        candidateStart = storage.alloc(starts)
        candidates = storage.alloc(cand)
        candidateOffset = storage.alloc(offs)
        candidateHead = storage.alloc(heads)
    }

    /// Trigrams frequent in English and in Java log text (lower case): a window ending in one
    /// would be verified on many lines.
    static let commonTrigrams: Set<String> = [
        "acc", "ace", "age", "ail", "ain", "ali", "all", "ame", "and", "ang", "ant", "are", "arn", "art",
        "ase", "ass", "ate", "ati", "ava", "bas", "ble", "bug", "cal", "cce", "cee", "cep", "ces", "clo",
        "col", "com", "con", "cti", "dat", "deb", "ded", "der", "dle", "ead", "ear", "eat", "ebu", "ect",
        "eed", "ell", "eme", "ent", "ept", "ere", "err", "ers", "ery", "ess", "est", "eve", "exc", "fai",
        "for", "get", "han", "hat", "her", "his", "hre", "ial", "ica", "ice", "ide", "ies", "ile", "ime",
        "ine", "inf", "ing", "ini", "int", "ion", "ist", "ith", "iti", "ity", "ive", "jav", "led", "ler",
        "lic", "lle", "los", "low", "man", "men", "mpl", "nal", "nce", "nec", "nfo", "nne", "not", "nte",
        "nti", "nul", "omp", "one", "onn", "ons", "ool", "ope", "ore", "ort", "ose", "oun", "our", "ous",
        "out", "ove", "pen", "per", "ple", "poo", "pre", "pro", "pti", "ran", "rat", "rea", "red", "req",
        "res", "ror", "rre", "rro", "sed", "ser", "ses", "set", "sin", "sio", "sql", "ssi", "sta", "sto",
        "str", "suc", "tar", "ted", "ter", "tha", "the", "thi", "thr", "tim", "tio", "top", "tor", "tra",
        "ucc", "uer", "ues", "ull", "use", "ver", "vic", "war", "was", "wit", "xce"
    ]

    /// Where the window of `m` bytes through which `l` is found should start: the one whose
    /// last three bytes are least like ordinary text (a common trigram, spaces and common
    /// lower-case letters weigh most), the first of equals. Only speed depends on the choice.
    static func quietestWindow(_ l: [UInt8], _ m: Int) -> Int {
        func weight(_ c: UInt8) -> Int {
            switch c {
            case 0x20: return 10
            case UInt8(ascii: "e"), UInt8(ascii: "t"), UInt8(ascii: "a"), UInt8(ascii: "o"), UInt8(ascii: "i"),
                 UInt8(ascii: "n"), UInt8(ascii: "s"), UInt8(ascii: "r"): return 6
            case UInt8(ascii: "h"), UInt8(ascii: "l"), UInt8(ascii: "d"), UInt8(ascii: "c"), UInt8(ascii: "u"), UInt8(ascii: "m"): return 4
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "-"), UInt8(ascii: "_"),
                 UInt8(ascii: "/"), UInt8(ascii: "="), UInt8(ascii: ","): return 4
            case UInt8(ascii: "a")...UInt8(ascii: "z"): return 2
            default: return 1
            }
        }
        var best = 0, bestScore = Int.max
        for o in 0...(l.count - m) {
            let e = o + m
            var score = weight(l[e - 3]) + weight(l[e - 2]) + weight(l[e - 1])
            let lower = l[(e - 3)..<e].map { $0 &- 65 < 26 ? $0 | 0x20 : $0 }
            if Self.commonTrigrams.contains(String(decoding: lower, as: UTF8.self)) { score += 20 }
            if score < bestScore {
                best = o
                bestScore = score
            }
        }
        return best
    }

    /// Records in `hits` every literal present in `text` not yet recorded for this event.
    @inline(__always)
    func scan(_ text: UnsafeBufferPointer<UInt8>, _ hits: LiteralHits) {
        markAlwaysPresent(hits)
        scanIndexed(text, hits)
    }

    /// The literals that count as present in any text (once per event is enough).
    @inline(__always)
    func markAlwaysPresent(_ hits: LiteralHits) {
        if alwaysPresent.isEmpty { return }
        for i in alwaysPresent { hits.mark(i) }
    }

    /// `scan` without the always-present literals.
    @inline(__always)
    func scanIndexed(_ text: UnsafeBufferPointer<UInt8>, _ hits: LiteralHits) {
        let n = text.count
        guard n >= m, !nothingIndexed, let p = text.baseAddress else { return }
        if wide { scanWide(p, n, hits) } else { scanPairs(p, n, hits) }
    }

    @inline(__always)
    private func scanWide(_ p: UnsafePointer<UInt8>, _ n: Int, _ hits: LiteralHits) {
        let m = self.m, sh = shift, raw = UnsafeRawPointer(p)
        // One step of a walk whose window ends at `pos`. m >= 4, so the word ending there lies
        // inside the text.
        @inline(__always) func step(_ pos: inout Int) {
            let k = Self.hash3(raw.loadUnaligned(fromByteOffset: pos - 3, as: UInt32.self))
            let s = Int(sh[k])
            if s == 0 { verify(p, n, pos - (m - 1), k, hits) }
            pos += s == 0 ? 1 : s
        }
        // Each step waits on the previous step's table load, so a single walk leaves the core
        // mostly idle. A line is therefore cut into parts walked at once, independently: a walk
        // over the windows starting in [s, t) ends where the next part's begins
        // (t + m - 1), and a shift never skips a window that could match, so together they
        // visit every window a single walk would need.
        if n >= 128 {
            let q = n / 4
            var a0 = m - 1, a1 = q + m - 1, a2 = 2 * q + m - 1, a3 = 3 * q + m - 1
            // (a long first literal can push a part's end past the text)
            let e0 = min(a1, n), e1 = min(a2, n), e2 = min(a3, n)
            // Walks still going keep stepping together when one is done: run one after another,
            // the leftovers left the core waiting on each load again.
            while a0 < e0 || a1 < e1 || a2 < e2 || a3 < n {
                if a0 < e0 { step(&a0) }
                if a1 < e1 { step(&a1) }
                if a2 < e2 { step(&a2) }
                if a3 < n { step(&a3) }
            }
        } else if n >= 48 {
            let mid = n / 2
            var a0 = m - 1, a1 = mid + m - 1
            let e0 = min(a1, n)
            while a0 < e0 || a1 < n {
                if a0 < e0 { step(&a0) }
                if a1 < n { step(&a1) }
            }
        } else {
            var a = m - 1
            while a < n { step(&a) }
        }
    }

    @inline(__always)
    private func scanPairs(_ p: UnsafePointer<UInt8>, _ n: Int, _ hits: LiteralHits) {
        let m = self.m, sh = shift
        var pos = m - 1
        while pos < n {
            let k = Int(p[pos - 1]) | Int(p[pos]) << 8
            let s = Int(sh[k])
            if s > 0 {
                pos += s
                continue
            }
            verify(p, n, pos - (m - 1), k, hits)
            pos += 1
        }
    }

    /// Compares the literals whose window ends with block `k` with the text, their window at
    /// `window`.
    @inline(never)
    private func verify(_ p: UnsafePointer<UInt8>, _ n: Int, _ window: Int, _ k: Int, _ hits: LiteralHits) {
        var c = Int(candidateStart[k])
        let end = Int(candidateStart[k + 1])
        let head: UInt32 = wide ? UnsafeRawPointer(p + window).loadUnaligned(as: UInt32.self) : 0
        while c < end {
            let li = candidates[c]
            if candidateHead[c] == head, !hits.isMarked(li) {
                let ls = Int(flatStart[Int(li)]), len = Int(flatStart[Int(li) + 1]) - ls
                let start = window - Int(candidateOffset[c])
                if start >= 0, start + len <= n, memcmp(p + start, flat + ls, len) == 0 {
                    hits.mark(li)
                }
            }
            c += 1
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

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How `tail` follows: paths, timings, where state and report go. Times are in seconds.
public struct FollowConfiguration: Sendable {
    /// Files (followed by name, like `tail -F`) and directories (their current and future
    /// files).
    public var paths: [String]
    /// Never use inotify.
    public var polling = false
    /// How often to look when polling.
    public var pollInterval = 0.25
    /// With inotify: look anyway this often (symlink targets elsewhere, lost events).
    public var rescanInterval = 1.0
    /// A file quiet this long has its open event completed (a trace that ended a burst).
    public var idleFlush = 2.0
    /// A file no longer reachable by a followed name is read until it has not grown for this
    /// long, then let go (a writer may keep writing to a renamed file for a while).
    public var rotateWait = 5.0
    /// A compressed file that appears while following is read once its size stopped changing
    /// for this long (it may still be being compressed).
    public var settle = 1.0
    /// A file idle this long, with nothing held, gives back its descriptor and buffers.
    public var inactiveClose = 300.0
    /// Read compressed history files (false: ignore them).
    public var readHistory = true
    public var statePath: String?
    public var checkpointInterval = 2.0
    public var reportPath: String?
    public var reportInterval = 30.0
    /// How often diagnosis rules are evaluated while new events arrive.
    public var findingsInterval = 2.0
    public var bursts = BurstRule()
    /// Reports of files let go, kept individually; older ones are folded into one line.
    public var maxHistoryReports = 1000
    /// Bytes read from one file before the others get their turn.
    public var readBudget = 8 << 20

    public init(paths: [String]) { self.paths = paths }
}

/// Something the user should know that is not an alert: a file appeared, was truncated or
/// replaced, a checkpoint did not match, a write failed.
public struct FollowNote: Sendable, Equatable {
    public enum Level: String, Sendable { case info, warning }
    public var level: Level
    public var path: String?
    public var message: String
}

/// Where the follower reports: library code never prints.
public struct FollowHooks: Sendable {
    public var alert: @Sendable (Alert) -> Void = { _ in }
    public var note: @Sendable (FollowNote) -> Void = { _ in }
    /// Renders the `--report` file from the analysis so far (Markdown or JSON).
    public var renderReport: (@Sendable (AnalysisResult) -> String)?
    /// The diagnosis findings of the analysis so far; a finding that becomes true is alerted.
    public var diagnose: (@Sendable (AnalysisResult) -> [Finding])?
    /// Every analysed event: source path and text (tests).
    public var event: (@Sendable (String, String) -> Void)?
    public init() {}
}

/// Counters published after every pass, readable from any thread while `run()` goes on.
public struct FollowSnapshot: Sendable {
    public var passes = 0
    public var events = 0
    public var lines = 0
    /// Files being followed now.
    public var followed = 0
    public var files: [FileReport] = []
    public var signatures: [String: Int] = [:]
    public var alerts = 0
    public var checkpoints = 0
    public var reports = 0
    public var usesInotify = false
    /// Raw bytes read from the files followed now.
    public var bytesRead: Int64 = 0
    /// Followed files holding a descriptor (the others are dormant).
    public var open = 0
}

/// Follows files and directories across rotation, analysing events as they complete, raising
/// alerts, and keeping a checkpoint and a report.
///
/// One thread runs the loop (`run()` blocks until `stop()`): scan names (stat; readdir for
/// directories) → read what grew → complete events of files gone quiet → let go of files rotated
/// away and drained → checkpoint, report, findings → sleep until inotify, a timer or `stop()`.
///
/// Files are keyed by identity (device + inode). A name now pointing to another inode (rename +
/// create, delete + create, a symlink retargeted) means a new file, read from its start, while the
/// old one is drained until quiet. A file shorter than the offset read, or whose first bytes
/// changed, was truncated (copytruncate) or rewritten: what is left of the old content in a copy
/// beside it is read first, then the file again from its start.
public final class Follower: @unchecked Sendable {
    // SAFETY: every stored property except `stopRequested`, `published` and the watcher's wake
    // pipe is touched only by the thread inside `run()`; those three are thread-safe.
    public let configuration: FollowConfiguration
    public let options: AnalysisOptions
    public let catalog: PatternCatalog
    let hooks: FollowHooks

    private let analyzer: EventAnalyzer
    private let detector: AlertDetector
    private let watcher: Watcher
    private var watcherProblem: String?
    private let stopRequested = Locked(false)
    private let published = Locked(FollowSnapshot())

    private var files: [FileIdentity: FollowedFile] = [:]
    private var history: [FileReport] = []
    private var errors: [InputError] = []
    private var ignored: [FileIdentity: Checkpoint.Ignored] = [:]
    private var retired: [Fingerprint] = []
    /// Checkpoint entries not yet matched to a file, and the reports they own.
    private var pending: [FileIdentity: (Checkpoint.Entry, FileReport)] = [:]
    private var activeFindings: Set<String> = []
    private var nextSourceIndex = 0
    private var noted: Set<String> = []
    private var waiting: Set<String> = []
    /// Identities found by the last scan.
    private var lastSeen: Set<FileIdentity> = []
    private var excluded: Set<String> = []
    private var buffer = [UInt8](repeating: 0, count: 256 * 1024)
    private let start = monotonicSeconds()

    private var changedSinceCheckpoint = true
    private var changedSinceReport = true
    private var changedSinceFindings = false
    private var changedSincePublish = true
    private var nextCheckpoint = 0.0
    private var nextReport = 0.0
    private var nextFindings = 0.0
    private var alertCount = 0
    private var checkpointCount = 0
    /// The checkpoint or report files whose latest write failed: after `run`, the ones the run
    /// ended without (the command's exit status says so).
    public private(set) var unwritten: Set<String> = []
    private var reportCount = 0
    private var passes = 0

    public init(configuration: FollowConfiguration, options: AnalysisOptions, catalog: PatternCatalog, hooks: FollowHooks) {
        self.configuration = configuration
        self.options = options
        self.catalog = catalog
        self.hooks = hooks
        analyzer = EventAnalyzer(catalog: catalog, signer: Signer(appPackages: options.appPackages), maxSignatures: options.maxSignatures)
        detector = AlertDetector(catalog: catalog, rule: configuration.bursts)
        var problem: String?
        watcher = Watcher(polling: configuration.polling) { problem = $0 }
        watcherProblem = problem
        for p in [configuration.statePath, configuration.reportPath].compactMap({ $0 }) {
            if let dir = FileIO.resolved(FileIO.parent(p)) { excluded.insert(FileIO.join(dir, (p as NSString).lastPathComponent)) }
        }
    }

    /// Ends `run()` after a last read: pending events are completed, state and report written.
    /// Safe from any thread (a signal handler's queue, a test).
    public func stop() {
        stopRequested.withLock { $0 = true }
        watcher.wakePipe.wake()
    }

    public func snapshot() -> FollowSnapshot { published.withLock { $0 } }

    public var usesInotify: Bool { watcher.usesInotify }

    /// Follows until `stop()`. Returns the analysis of everything read since the first start.
    /// Throws only when the checkpoint cannot be used at all.
    @discardableResult
    public func run() throws(StateError) -> AnalysisResult {
        if let watcherProblem { note(.warning, nil, watcherProblem) }
        try loadCheckpoint()
        var initial = true
        var scanDue = true
        var nextRescan = 0.0
        while true {
            let stopping = stopRequested.withLock { $0 }
            let now = monotonicSeconds()
            if scanDue || !watcher.usesInotify || watcher.degraded || now >= nextRescan {
                scan(now, initial: initial)
                nextRescan = now + configuration.rescanInterval
            }
            if !pending.isEmpty { resolveUnmatched(now) }
            initial = false
            let more = readAll(now)
            if stopping { break }
            housekeeping(now)
            periodic(now)
            publish()
            let reason = watcher.wait(more ? 0 : timeout(now))
            scanDue = reason.contains(.names)
            if reason.contains(.content) && !scanDue { wakeDormant(watcher.takeModified(), monotonicSeconds()) }
        }
        for f in files.values { f.sink?.flushPending() }
        changed()
        runFindings()
        writeCheckpoint()
        writeReport()
        publish()
        // Descriptors are not held past the run: a deleted file's inode is freed now.
        for f in files.values { f.closeDescriptor() }
        return result()
    }

    // MARK: - Names

    /// Finds what the followed paths name now, and what became of the files followed so far.
    private func scan(_ now: Double, initial: Bool) {
        var seen: [FileIdentity: (String, FileStatus)] = [:]
        var order: [FileIdentity] = []
        var dirs: Set<String> = []
        // A target that could not be looked at (permissions, descriptors exhausted) says nothing
        // about its files: none of them is taken for gone on such a scan.
        var incomplete = false
        func add(_ path: String, _ st: FileStatus) {
            guard seen[st.identity] == nil else { return }
            seen[st.identity] = (path, st)
            order.append(st.identity)
            if FileStatus.isSymlink(path), let r = FileIO.resolved(path) { dirs.insert(FileIO.parent(r)) }
        }
        for target in configuration.paths {
            dirs.insert(FileIO.parent(target))
            guard let st = FileStatus.of(path: target) else {
                if errno != ENOENT && errno != ENOTDIR {
                    incomplete = true
                    noteOnce(.warning, target, "cannot be looked at: \(String(cString: strerror(errno)))")
                } else if waiting.insert(target).inserted {
                    note(.info, target, "does not exist (yet); waiting for it to appear")
                }
                continue
            }
            if waiting.remove(target) != nil { note(.info, target, "has appeared; following it") }
            if st.isDirectory {
                dirs.insert(target)
                guard let names = FileIO.list(target) else {
                    incomplete = true
                    noteOnce(.warning, target, "cannot read the directory: \(String(cString: strerror(errno)))")
                    continue
                }
                let real = FileIO.resolved(target) ?? target
                let paths = names.filter { !$0.hasPrefix(".") && !excluded.contains(FileIO.join(real, $0)) }
                    .map { FileIO.join(target, $0) }
                for p in Discovery.rotationOrder(paths) {
                    guard let est = FileStatus.of(path: p), est.isRegular else { continue }
                    add(p, est)
                }
            } else if st.isRegular {
                add(target, st)
            } else {
                noteOnce(.warning, target, "is neither a regular file nor a directory; not followed")
            }
        }
        for id in order {
            let (path, st) = seen[id]!
            if let f = files[id] {
                f.path = path
                f.unreachableSince = nil
                if f.isDormant && (st.size != f.lastSize || st.mtime != f.lastMtime) { reopen(f, now) }
            } else if let ig = ignored[id] {
                if ig.size == st.size || ig.skipped { continue }
                ignored[id] = nil
                discovered(id, path, st, now, initial: initial, announce: false)
            } else {
                discovered(id, path, st, now, initial: initial)
            }
        }
        lastSeen = Set(order)
        watcher.watch(dirs) { note(.warning, nil, $0) }
        if incomplete { return }
        for id in Array(ignored.keys) where seen[id] == nil { ignored[id] = nil }
        for f in Array(files.values) where seen[f.identity] == nil {
            if f.unreachableSince == nil { f.unreachableSince = now }
            guard f.isDormant else { continue }
            // renamed out of sight while closed: look for it beside its old name
            if let (p, _) = locate(f.identity, near: f.path) {
                f.path = p
                f.lastSize = -1
                reopen(f, now)
            } else {
                letGo(f)
            }
        }
    }

    /// A file not followed before.
    private func discovered(_ id: FileIdentity, _ path: String, _ st: FileStatus, _ now: Double, initial: Bool, announce: Bool = true) {
        if let (entry, report) = pending[id] {
            // kept pending (and retried next scan) when the file cannot be opened now
            if resume(entry, report, at: path, now) { pending[id] = nil }
            return
        }
        let fd = FileIO.openRead(path)
        guard fd >= 0 else {
            noteOnce(.warning, path, "cannot open: \(String(cString: strerror(errno)))")
            return
        }
        guard FileStatus.of(fd: fd)?.identity == id else {
            close(fd)  // replaced between stat and open: the next scan sees the new one
            return
        }
        let f = FollowedFile(identity: id, path: path, sourceIndex: takeSourceIndex(), now: now)
        f.fd = fd
        f.appearedLate = !initial
        files[id] = f
        if !initial && announce { note(.info, path, "new file; reading it from the start") }
        changed()
    }

    /// A file of the checkpoint found again: resumes at its offset if it still holds what was
    /// read, else reads it again (after reading what is left in a copy of the old content).
    @discardableResult
    private func resume(_ e: Checkpoint.Entry, _ report: FileReport, at path: String, _ now: Double) -> Bool {
        let fd = FileIO.openRead(path)
        guard fd >= 0, let st = FileStatus.of(fd: fd), st.identity == e.identity else {
            if fd >= 0 { close(fd) } else { noteOnce(.warning, path, "cannot open: \(String(cString: strerror(errno)))") }
            return false
        }
        let f = FollowedFile(identity: e.identity, path: path, sourceIndex: e.sourceIndex, now: now)
        f.fd = fd
        f.base = report
        f.base.path = path
        let format = InputFormat(rawValue: e.format) ?? .plain
        f.kind = format == .plain ? .plain : .compressed(format)
        files[f.identity] = f
        let intact = FileIO.matches(fd, head: e.head, marker: format == .plain ? e.marker : nil,
                                    offset: format == .plain ? e.offset : 0, size: st.size)
        if intact {
            f.head = FileIO.pread(fd, count: e.head.length, at: 0)
            f.resumeOffset = e.offset
            f.resumePreviousTime = e.previousTime
            f.resumeContainer = e.container.flatMap(ContainerUnwrapper.Mode.init(rawValue:))
            if format == .plain {
                f.readOffset = e.offset
            } else {
                f.decoder = format.makeDecoder()
                f.skipDecoded = e.offset
                f.quiet = true
                f.storedContent = e.content
            }
            return true
        }
        note(.warning, path, "changed while stacksift was stopped (truncated, replaced or rewritten); reading it again from the start")
        if format == .plain, let (cp, cst, cfd) = findCopy(near: path, excluding: e.identity, test: { fd, st in
            FileIO.matches(fd, head: e.head, marker: e.marker, offset: e.offset, size: st.size)
        }) {
            // copytruncate while stopped: the rest of the old content is in the copy
            let c = FollowedFile(identity: cst.identity, path: cp, sourceIndex: e.sourceIndex, now: now)
            c.fd = cfd
            c.kind = .plain
            c.base = report
            c.base.path = cp
            c.head = FileIO.pread(cfd, count: e.head.length, at: 0)
            c.readOffset = e.offset
            c.resumeOffset = e.offset
            c.resumePreviousTime = e.previousTime
            c.resumeContainer = e.container.flatMap(ContainerUnwrapper.Mode.init(rawValue:))
            files[c.identity] = c
            ignored[c.identity] = nil
            note(.info, cp, "holds the rest of \(path) from before the truncation; reading it from offset \(e.offset)")
            f.base = FileReport(path: path, format: "plain")
            f.sourceIndex = takeSourceIndex()
        } else if format != .plain {
            history.append(report)
            f.base = FileReport(path: path, format: e.format)
        }
        // read again from the start, as a new generation of the same file
        f.kind = .unclassified
        f.readOffset = 0
        return true
    }

    /// Checkpoint entries whose file was not found by name: renamed while stopped (looked for
    /// beside the old name), or gone.
    private func resolveUnmatched(_ now: Double) {
        for (id, (entry, report)) in pending where !lastSeen.contains(id) {
            pending[id] = nil
            if let (p, _) = locate(id, near: entry.path), resume(entry, report, at: p, now) {
                files[id]?.unreachableSince = now
                note(.info, p, "is \(entry.path) renamed while stacksift was stopped; reading the rest of it")
            } else {
                history.append(report)
                if let c = entry.content ?? (entry.format == "plain" ? entry.head : nil) { retire(c) }
                note(.info, entry.path, "is gone since the last run; its events stay in the report")
            }
        }
    }

    /// A regular file with this identity in the directory of `path`.
    private func locate(_ id: FileIdentity, near path: String) -> (String, FileStatus)? {
        let dir = FileIO.parent(path)
        guard let names = FileIO.list(dir) else { return nil }
        for n in names.sorted() {
            let p = FileIO.join(dir, n)
            if let st = FileStatus.of(path: p), st.isRegular, st.identity == id { return (p, st) }
        }
        return nil
    }

    /// A file beside `path`, not followed on its own, for which `test` holds: the copy
    /// copytruncate left of the old content. The caller replaces any `files` entry it has.
    private func findCopy(near path: String, excluding: FileIdentity,
                          test: (Int32, FileStatus) -> Bool) -> (String, FileStatus, Int32)? {
        let dir = FileIO.parent(path)
        guard let names = FileIO.list(dir) else { return nil }
        for n in Discovery.rotationOrder(names.filter { !$0.hasPrefix(".") }) {
            let p = FileIO.join(dir, n)
            guard let st = FileStatus.of(path: p), st.isRegular, st.identity != excluding else { continue }
            // followed on its own; unless just discovered and not yet read (a copy found in the
            // same scan as the truncation)
            if let other = files[st.identity], other.kind != .unclassified || other.readOffset > 0 { continue }
            let fd = FileIO.openRead(p)
            guard fd >= 0 else { continue }
            if let fst = FileStatus.of(fd: fd), fst.identity == st.identity, test(fd, fst) { return (p, fst, fd) }
            close(fd)
        }
        return nil
    }

    /// A dormant file changed (or was found under another name): reopen it and continue where
    /// it was, if it still holds what was read.
    private func reopen(_ f: FollowedFile, _ now: Double) {
        let fd = FileIO.openRead(f.path)
        guard fd >= 0, let st = FileStatus.of(fd: fd), st.identity == f.identity else {
            if fd >= 0 { close(fd) }
            return
        }
        f.fd = fd
        f.lastActivity = now
        if case .plain = f.kind,
           !FileIO.matches(fd, head: f.headFingerprint, marker: f.storedMarker, offset: f.readOffset, size: st.size) {
            restartGeneration(f, now, why: "changed while it was closed (truncated or rewritten); reading it again from the start")
        }
    }

    /// inotify named files written: a dormant one among them is reopened (polling and rescans
    /// find them by stat).
    private func wakeDormant(_ paths: Set<String>, _ now: Double) {
        guard !paths.isEmpty else { return }
        for f in files.values where f.isDormant && paths.contains(f.path) {
            if let st = FileStatus.of(path: f.path), st.identity == f.identity, st.size != f.lastSize || st.mtime != f.lastMtime {
                reopen(f, now)
            }
        }
    }

    // MARK: - Reading

    /// Reads what grew in every open file; true when some file has more than its budget.
    private func readAll(_ now: Double) -> Bool {
        var more = false
        for f in files.values.sorted(by: { $0.sourceIndex < $1.sourceIndex }) where !f.isDormant {
            // an earlier file of this pass may have replaced it (copytruncate's copy taken over)
            guard files[f.identity] === f else { continue }
            if f.kind == .unclassified { classify(f, now) }
            guard files[f.identity] === f else { continue }
            switch f.kind {
            case .unclassified: break
            case .plain: if readPlain(f, now) { more = true }
            case .compressed: if readCompressed(f, now) { more = true }
            }
        }
        return more
    }

    /// Decides from the first bytes what a file is: a plain log (followed), compressed history
    /// (read once), binary or unsupported (skipped), or a copy of a followed file (ignored).
    private func classify(_ f: FollowedFile, _ now: Double) {
        f.classifyAt = nil
        guard let st = FileStatus.of(fd: f.fd), st.size > 0 else { return }
        let head = FileIO.pread(f.fd, count: Int(min(st.size, 64 * 1024)), at: 0)
        // A few bytes without a newline may be the start of a compressed file's magic.
        if head.count < 16 && !head.contains(0x0A) && now - f.firstSeen < configuration.idleFlush {
            f.classifyAt = f.firstSeen + configuration.idleFlush
            return
        }
        let explicit = configuration.paths.contains(f.path)
        let sniffed = head.withUnsafeBytes { InputFormat.sniff($0, checkBinary: !explicit, path: f.path) }
        switch sniffed {
        case .format(.plain):
            // A file appearing while following may be a copy still being written: give it a
            // moment to reach a full fingerprint before deciding.
            if f.appearedLate, !explicit, head.count < Fingerprint.headLength, now - f.firstSeen < configuration.settle {
                f.classifyAt = f.firstSeen + configuration.settle
                return
            }
            if f.appearedLate, !explicit, head.count >= Fingerprint.headLength {
                let fp = Fingerprint(Array(head.prefix(Fingerprint.headLength)))
                if let owner = files.values.first(where: { $0 !== f && $0.kind == .plain && $0.head.count == Fingerprint.headLength && Fingerprint($0.head) == fp }) {
                    // copytruncate's copy (or any copy) of a followed file: its content is read
                    // through the original; what it holds beyond is taken when the original is
                    // truncated
                    ignore(f, st, "a copy of \(owner.path)")
                    return
                }
            }
            f.kind = .plain
            f.base.format = "plain"
        case .format(let format):
            guard configuration.readHistory else {
                ignore(f, st, "compressed history (--no-history)", skipped: "not read: compressed history (--no-history)")
                return
            }
            if f.appearedLate {
                if st.size != f.lastSize || st.mtime != f.lastMtime {
                    f.lastSize = st.size
                    f.lastMtime = st.mtime
                    f.lastActivity = now
                }
                if now - f.lastActivity < configuration.settle {
                    f.classifyAt = f.lastActivity + configuration.settle
                    return
                }
            }
            let decoded = Self.decodeHead(head, format)
            let fp = Fingerprint(decoded)
            if !decoded.isEmpty, let (owner, followedPlain) = knownContent(fp, except: f) {
                ignore(f, st, "the same content as \(owner)")
                if followedPlain {
                    note(.info, f.path, "holds the same content as \(owner) so far; not read again (if \(owner) is truncated, what this holds beyond is read then)")
                } else {
                    note(.info, f.path, "holds the same content as \(owner); not read again")
                }
                return
            }
            f.kind = .compressed(format)
            f.base.format = format.rawValue
            f.decoder = format.makeDecoder()
            f.decodedHead = decoded
            f.head = Array(head.prefix(Fingerprint.headLength))
            f.quiet = true
        case .damaged(_, let why):
            addError(InputError(path: f.path, message: why, offset: 0))
            note(.warning, f.path, why + "; not read")
            ignore(f, st, "damaged", skipped: "not read: \(why)")
            return
        case .binary:
            ignore(f, st, "binary content", skipped: "skipped: binary content")
        case .unsupported(let what):
            ignore(f, st, "\(what) is not supported", skipped: "skipped: \(what) is not supported (plain, gzip, lz4 and zstd are)")
        }
        changed()
    }

    /// The first decoded bytes (up to a fingerprint's length) of a compressed file's head.
    static func decodeHead(_ raw: [UInt8], _ format: InputFormat) -> [UInt8] {
        let d = format.makeDecoder()
        var out: [UInt8] = []
        raw.withUnsafeBytes { b in
            try? d.feed(b) { chunk in
                if out.count < Fingerprint.headLength { out.append(contentsOf: chunk.prefix(Fingerprint.headLength - out.count)) }
            }
        }
        return out
    }

    /// The name of a file whose content begins as `fp` says (followed now, or read earlier), and
    /// whether it is a plain file still followed (whose rest a copy may hold after a truncation).
    private func knownContent(_ fp: Fingerprint, except: FollowedFile) -> (name: String, followedPlain: Bool)? {
        for f in files.values where f !== except {
            if let c = f.contentFingerprint, c == fp { return (f.path, f.kind == .plain) }
        }
        if retired.contains(fp) { return ("a file read earlier", false) }
        return nil
    }

    private func ignore(_ f: FollowedFile, _ st: FileStatus, _ reason: String, skipped: String? = nil) {
        let head = FileIO.pread(f.fd, count: Fingerprint.headLength, at: 0)
        ignored[f.identity] = Checkpoint.Ignored(path: f.path, device: f.identity.device, inode: f.identity.inode,
                                                 size: st.size, head: Fingerprint(head), reason: reason, skipped: skipped != nil)
        if files[f.identity] === f { files[f.identity] = nil }
        f.closeDescriptor()
        if let skipped {
            var r = FileReport(path: f.path, format: f.base.format)
            r.status = .skipped
            r.note = skipped
            history.append(r)
        }
        changed()
    }

    private func sink(_ f: FollowedFile) -> FollowSink {
        if let s = f.sink { return s }
        f.nextOrdinal = f.base.events
        let s = FollowSink(options: options, startOffset: f.resumeOffset, previousTime: f.resumePreviousTime,
                           container: f.resumeContainer) { [unowned self, unowned f] e in self.analyzed(e, f) }
        f.sink = s
        return s
    }

    /// Reads a plain file from its offset to its end (or the budget); detects truncation.
    private func readPlain(_ f: FollowedFile, _ now: Double) -> Bool {
        guard let st = FileStatus.of(fd: f.fd) else { return false }
        let statChanged = st.size != f.lastSize || st.mtime != f.lastMtime
        f.lastSize = st.size
        f.lastMtime = st.mtime
        if !statChanged && st.size == f.readOffset { return false }
        if st.size < f.readOffset {
            restartGeneration(f, now, why: "truncated (now \(st.size) bytes, \(f.readOffset) were read); reading it again from the start")
            return true
        }
        if statChanged, !f.head.isEmpty, FileIO.pread(f.fd, count: f.head.count, at: 0) != f.head {
            restartGeneration(f, now, why: "rewritten (its first bytes changed); reading it again from the start")
            return true
        }
        let s = sink(f)
        var budget = configuration.readBudget
        var progressed = false
        while budget > 0 {
            let want = min(buffer.count, budget)
            let n = buffer.withUnsafeMutableBytes { b in
                // SAFETY: reads at most `want` ≤ `b.count` bytes into the buffer.
                Glibc.pread(f.fd, b.baseAddress!, want, off_t(f.readOffset))
            }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            buffer.withUnsafeBytes { b in
                let chunk = UnsafeRawBufferPointer(rebasing: b[0..<n])
                f.readOffset += Int64(n)
                s.feed(chunk)
            }
            budget -= n
            progressed = true
        }
        if progressed {
            f.extendHead()
            f.lastActivity = now
            changed()
        }
        return budget <= 0
    }

    /// Reads a compressed file once, in slices; at its end the file is let go for good.
    private func readCompressed(_ f: FollowedFile, _ now: Double) -> Bool {
        guard let decoder = f.decoder else { return false }
        let s = sink(f)
        var budget = configuration.readBudget
        var failure: DecodeError?
        var atEnd = false
        while budget > 0 {
            let n = buffer.withUnsafeMutableBytes { b in
                // SAFETY: reads at most `b.count` bytes into the buffer.
                Glibc.pread(f.fd, b.baseAddress!, min(b.count, budget), off_t(f.readOffset))
            }
            if n < 0 && errno == EINTR { continue }
            if n < 0 {
                failure = DecodeError(.io, "read error: \(String(cString: strerror(errno)))", offset: f.readOffset)
                break
            }
            if n == 0 {
                atEnd = true
                break
            }
            f.readOffset += Int64(n)
            budget -= n
            buffer.withUnsafeBytes { b in
                do {
                    try decoder.feed(UnsafeRawBufferPointer(rebasing: b[0..<n])) { out in
                        let from = f.decodedOffset
                        f.decodedOffset += Int64(out.count)
                        guard f.decodedOffset > f.skipDecoded else { return }
                        let skip = Int(max(0, f.skipDecoded - from))
                        s.feed(UnsafeRawBufferPointer(rebasing: out[skip...]))
                    }
                } catch let e as DecodeError {
                    failure = e
                } catch {}
            }
            if failure != nil { break }
        }
        if !atEnd && failure == nil {
            changed()
            return true
        }
        if failure == nil {
            do { try decoder.finish() } catch { failure = error }
        }
        if let failure {
            let e = InputError(path: f.path, message: failure.message, offset: failure.offset)
            f.base.status = .partial
            f.base.error = e
            addError(e)
            note(.warning, f.path, "\(failure.message) (at byte offset \(failure.offset)); keeping the lines decoded before it")
        }
        f.base.compressedBytes = f.readOffset
        if let st = FileStatus.of(fd: f.fd) {
            ignored[f.identity] = Checkpoint.Ignored(path: f.path, device: f.identity.device, inode: f.identity.inode,
                                                     size: st.size, head: Fingerprint(f.head), reason: "read", skipped: false)
        }
        letGo(f)
        return false
    }

    /// The file no longer holds what was read (truncated, rewritten, replaced under its inode).
    /// What was read so far is finished; if a copy beside it holds the rest of the old content,
    /// the old generation continues in the copy; the file is then read again from its start.
    private func restartGeneration(_ f: FollowedFile, _ now: Double, why: String) {
        note(.warning, f.path, why)
        let oldHead = f.head
        let readOffset = f.readOffset
        // copytruncate's copy: plain, or already compressed (logrotate's `compress` without
        // `delaycompress` gzips the copy at once). A plain copy is taken first: while it still
        // exists, a compressed one may be half written.
        var compressed: (InputFormat, [UInt8], [UInt8])?
        if !oldHead.isEmpty, let (cp, cst, cfd) = findCopy(near: f.path, excluding: f.identity, test: { fd, st in
            st.size >= Int64(oldHead.count) && FileIO.pread(fd, count: oldHead.count, at: 0) == oldHead
        }) ?? findCopy(near: f.path, excluding: f.identity, test: { fd, st in
            let raw = FileIO.pread(fd, count: Int(min(st.size, 64 * 1024)), at: 0)
            guard case .format(let format) = raw.withUnsafeBytes({ InputFormat.sniff($0, checkBinary: false) }), format != .plain else { return false }
            let decoded = Self.decodeHead(raw, format)
            guard decoded.starts(with: oldHead) else { return false }
            compressed = (format, decoded, Array(raw.prefix(Fingerprint.headLength)))
            return true
        }) {
            // The followed object moves to the copy with its open event, held line and counters;
            // the original gets a fresh one.
            let fresh = FollowedFile(identity: f.identity, path: f.path, sourceIndex: takeSourceIndex(), now: now)
            fresh.fd = f.fd
            fresh.kind = .unclassified
            files[f.identity] = fresh
            f.identity = cst.identity
            f.path = cp
            f.fd = cfd
            f.lastSize = -1
            f.lastActivity = now
            f.unreachableSince = nil
            if let (format, decoded, raw) = compressed {
                // decoded from the start, the bytes already read dropped
                f.kind = .compressed(format)
                f.base.format = format.rawValue
                f.decoder = format.makeDecoder()
                f.skipDecoded = readOffset
                f.decodedOffset = 0
                f.decodedHead = decoded
                f.head = raw
                f.readOffset = 0
            }
            files[cst.identity] = f
            ignored[cst.identity] = nil
            note(.info, cp, "holds the rest of \(fresh.path) from before the truncation; reading it from "
                 + (compressed == nil ? "offset \(readOffset)" : "decoded offset \(readOffset)"))
            changed()
            return
        }
        f.sink?.finish()
        f.retireSink()
        // a later compressed copy of the old content is then known as read
        if !oldHead.isEmpty { retire(Fingerprint(oldHead)) }
        f.kind = .unclassified
        f.readOffset = 0
        f.resumeOffset = 0
        f.head = []
        f.storedHead = nil
        f.storedMarker = nil
        f.lastSize = -1
        f.lastActivity = now
        changed()
    }

    // MARK: - Events

    private func analyzed(_ e: EventView, _ f: FollowedFile) {
        f.nextOrdinal += 1
        analyzer.analyze(e, source: f.path, sourceIndex: f.sourceIndex, ordinal: f.nextOrdinal)
        changedSinceFindings = true
        if let probe = hooks.event { probe(f.path, e.text) }
        guard !f.quiet, let id = analyzer.lastSignature, let s = analyzer.signature(id) else { return }
        var out: [Alert] = []
        let raised = wallMillis()
        detector.observe(s, time: e.time ?? raised, source: f.path, raised: raised, into: &out)
        for a in out { raise(a) }
    }

    private func raise(_ a: Alert) {
        alertCount += 1
        hooks.alert(a)
    }

    // MARK: - Time-driven work

    private func housekeeping(_ now: Double) {
        for f in Array(files.values) where !f.isDormant {
            if let s = f.sink, s.open, now - f.lastActivity >= configuration.idleFlush {
                s.flushPending()
                changed()
            }
            if let since = f.unreachableSince {
                if now - max(since, f.lastActivity) >= configuration.rotateWait { letGo(f) }
                continue
            }
            if case .plain = f.kind, now - f.lastActivity >= configuration.inactiveClose, f.sink.map({ !$0.open && !$0.hasPartialLine }) ?? true {
                f.retireSink()
                f.storedMarker = FileIO.marker(f.fd, before: f.readOffset)
                f.closeDescriptor()
                changedSincePublish = true
            }
        }
    }

    /// Drained and no longer reachable (or read to its end): its report goes to history.
    private func letGo(_ f: FollowedFile) {
        f.sink?.finish()
        f.retireSink()
        // a file never classified (empty, or gone before a byte was read) leaves no trace
        if f.kind != .unclassified || f.base.events > 0 || f.base.bytes > 0 {
            history.append(f.report())
            if history.count > configuration.maxHistoryReports { foldHistory() }
        }
        if let c = f.contentFingerprint { retire(c) }
        if files[f.identity] === f { files[f.identity] = nil }
        f.closeDescriptor()
        changed()
    }

    private func retire(_ fp: Fingerprint) {
        retired.append(fp)
        if retired.count > 1000 { retired.removeFirst(retired.count - 1000) }
    }

    /// Keeps memory flat over weeks of rotation: the oldest reports become one summary line.
    private func foldHistory() {
        let keep = configuration.maxHistoryReports / 2
        let old = history.prefix(history.count - keep)
        var sum = FileReport(path: "(\(old.count) earlier files)", format: "mixed")
        for r in old {
            if r.path.hasPrefix("("), let n = Int(r.path.dropFirst().prefix(while: \.isNumber)) {
                sum.path = "(\(old.count - 1 + n) earlier files)"
            }
            sum.bytes += r.bytes
            sum.compressedBytes += r.compressedBytes
            sum.lines += r.lines
            sum.events += r.events
            sum.truncatedLines += r.truncatedLines
            sum.invalidUTF8Lines += r.invalidUTF8Lines
            sum.nulLines += r.nulLines
            sum.tooLongEvents += r.tooLongEvents
            sum.firstTime = minOpt(sum.firstTime, r.firstTime)
            sum.lastTime = maxOpt(sum.lastTime, r.lastTime)
        }
        history = [sum] + history.suffix(keep)
    }

    private func periodic(_ now: Double) {
        if changedSinceFindings, now >= nextFindings {
            let t = monotonicSeconds()
            runFindings()
            nextFindings = now + max(configuration.findingsInterval, 10 * (monotonicSeconds() - t))
        }
        if changedSinceCheckpoint, now >= nextCheckpoint, configuration.statePath != nil {
            let t = monotonicSeconds()
            writeCheckpoint()
            nextCheckpoint = now + max(configuration.checkpointInterval, 10 * (monotonicSeconds() - t))
        }
        if changedSinceReport, now >= nextReport, configuration.reportPath != nil {
            let t = monotonicSeconds()
            writeReport()
            nextReport = now + max(configuration.reportInterval, 10 * (monotonicSeconds() - t))
        }
    }

    /// Seconds until something is due: idle flushes, drains, settles, writes, the next look.
    private func timeout(_ now: Double) -> Double {
        var due = now + (watcher.usesInotify && !watcher.degraded ? configuration.rescanInterval : configuration.pollInterval)
        for f in files.values where !f.isDormant {
            if let s = f.sink, s.open { due = min(due, f.lastActivity + configuration.idleFlush) }
            if let since = f.unreachableSince { due = min(due, max(since, f.lastActivity) + configuration.rotateWait) }
            if let at = f.classifyAt { due = min(due, at) }
            if case .plain = f.kind, f.unreachableSince == nil { due = min(due, f.lastActivity + configuration.inactiveClose) }
        }
        if changedSinceFindings, hooks.diagnose != nil { due = min(due, nextFindings) }
        if changedSinceCheckpoint, configuration.statePath != nil { due = min(due, nextCheckpoint) }
        if changedSinceReport, configuration.reportPath != nil { due = min(due, nextReport) }
        return max(0.001, due - now + 0.002)
    }

    private func runFindings() {
        changedSinceFindings = false
        guard let diagnose = hooks.diagnose else { return }
        let findings = diagnose(result())
        let now = wallMillis()
        for f in findings where !activeFindings.contains(f.id) {
            let count = f.evidence.compactMap(\.count).max() ?? 0
            let first = f.evidence.first.map { e in [e.label, e.signature ?? e.pattern ?? ""].filter { !$0.isEmpty }.joined(separator: " ") } ?? ""
            raise(Alert(kind: .finding, severity: f.severity, time: now, raised: now, finding: f.id, title: f.title,
                        count: count, exemplar: first, incident: true))
        }
        let ids = Set(findings.map(\.id))
        if ids != activeFindings {
            activeFindings = ids
            changedSinceCheckpoint = true
        }
    }

    // MARK: - State and report

    /// Everything read since the first start: files let go, then the followed ones.
    public func result() -> AnalysisResult {
        var reports = history + pending.values.map(\.1).sorted { $0.path < $1.path }
        let live = files.values.filter { $0.kind != .unclassified || $0.base.events > 0 }.sorted { $0.sourceIndex < $1.sourceIndex }
        reports += live.map { $0.report() }
        return AnalysisResult(files: reports, errors: errors, state: analyzer.state,
                              elapsedSeconds: monotonicSeconds() - start, stage: options.stage)
    }

    private func writeCheckpoint() {
        guard let path = configuration.statePath else { return }
        changedSinceCheckpoint = false
        var reports = history
        var entries: [Checkpoint.Entry] = []
        // entries of the last checkpoint whose file could not be opened yet: kept as they were
        for (e, r) in pending.values.sorted(by: { $0.0.path < $1.0.path }) {
            var e = e
            e.report = reports.count
            entries.append(e)
            reports.append(r)
        }
        let live = files.values.filter { $0.kind != .unclassified || $0.base.events > 0 }.sorted { $0.sourceIndex < $1.sourceIndex }
        for f in live {
            let offset = f.commitOffset
            var format = "plain"
            var marker: Fingerprint?
            var content: Fingerprint?
            switch f.kind {
            case .compressed(let fmt):
                format = fmt.rawValue
                content = f.contentFingerprint
            case .plain, .unclassified:
                marker = f.fd >= 0 ? FileIO.marker(f.fd, before: offset) : (offset == f.readOffset ? f.storedMarker : nil)
            }
            entries.append(Checkpoint.Entry(
                path: f.path, device: f.identity.device, inode: f.identity.inode,
                head: f.kind == .unclassified ? Fingerprint([]) : f.headFingerprint, marker: marker, offset: offset,
                format: format, container: f.container?.rawValue, previousTime: f.previousTime,
                sourceIndex: f.sourceIndex, report: reports.count, content: content))
            reports.append(f.report())
        }
        let cp = Checkpoint(analysis: SavedAnalysis(files: reports, errors: errors, state: analyzer.state),
                            follow: Checkpoint.Follow(files: entries, ignored: ignored.values.sorted { $0.path < $1.path },
                                                      retired: retired, findings: activeFindings.sorted(),
                                                      nextSourceIndex: nextSourceIndex, written: wallMillis()))
        do {
            try AtomicFile.write(try cp.encoded(), to: path)
            checkpointCount += 1
            unwritten.remove(path)
        } catch let e as StateError {
            noteOnce(.warning, path, "cannot write the checkpoint: \(e.message)")
            changedSinceCheckpoint = true
            unwritten.insert(path)
        } catch {
            noteOnce(.warning, path, "cannot encode the checkpoint: \(error)")
            unwritten.insert(path)
        }
    }

    private func writeReport() {
        guard let path = configuration.reportPath, let render = hooks.renderReport else { return }
        changedSinceReport = false
        do {
            try AtomicFile.write(Data(render(result()).utf8), to: path)
            reportCount += 1
            unwritten.remove(path)
        } catch {
            noteOnce(.warning, path, "cannot write the report: \(error.message)")
            changedSinceReport = true
            unwritten.insert(path)
        }
    }

    private func loadCheckpoint() throws(StateError) {
        guard let path = configuration.statePath, FileManager.default.fileExists(atPath: path) else { return }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StateError(path: path, message: "cannot read the checkpoint")
        }
        let cp: Checkpoint
        do {
            cp = try Checkpoint.decode(data, path: path)
        } catch {
            // Never resume at a wrong offset, never lose the old file: set it aside, start over.
            let aside = path + ".invalid-\(wallMillis())"
            if rename(path, aside) != 0 { throw error }
            note(.warning, path, "\(error.message); moved it to \(aside) and starting from scratch")
            return
        }
        analyzer.state = cp.analysis.state
        errors = cp.analysis.errors
        var owned = Set<Int>()
        for e in cp.follow.files where e.report >= 0 && e.report < cp.analysis.files.count {
            owned.insert(e.report)
            pending[e.identity] = (e, cp.analysis.files[e.report])
        }
        history = cp.analysis.files.enumerated().filter { !owned.contains($0.offset) }.map(\.element)
        for i in cp.follow.ignored { ignored[i.identity] = i }
        retired = cp.follow.retired
        activeFindings = Set(cp.follow.findings)
        nextSourceIndex = cp.follow.nextSourceIndex
        note(.info, path, "resuming: \(cp.follow.files.count) file(s), \(cp.analysis.files.reduce(0) { $0 + $1.events }) events so far")
    }

    // MARK: - Small things

    private func takeSourceIndex() -> Int {
        defer { nextSourceIndex += 1 }
        return nextSourceIndex
    }

    private func changed() {
        changedSinceCheckpoint = true
        changedSinceReport = true
        changedSincePublish = true
    }

    private func addError(_ e: InputError) {
        errors.append(e)
        if errors.count > 1000 { errors.removeFirst(errors.count - 1000) }
    }

    private func note(_ level: FollowNote.Level, _ path: String?, _ message: String) {
        hooks.note(FollowNote(level: level, path: path, message: message))
    }

    private func noteOnce(_ level: FollowNote.Level, _ path: String?, _ message: String) {
        if noted.insert("\(path ?? "")\u{0}\(message)").inserted { note(level, path, message) }
    }

    private func publish() {
        passes += 1
        let compute = changedSincePublish
        changedSincePublish = false
        let r = compute ? result() : nil
        let sigs = compute ? analyzer.state.signatures.mapValues(\.count) : nil
        let (a, c, rp, p, n, ino) = (alertCount, checkpointCount, reportCount, passes, files.count, watcher.usesInotify)
        let bytesRead = files.values.reduce(Int64(0)) { $0 + $1.readOffset }
        let openFiles = files.values.filter { !$0.isDormant }.count
        published.withLock { s in
            s.passes = p
            s.alerts = a
            s.checkpoints = c
            s.reports = rp
            s.followed = n
            s.usesInotify = ino
            s.bytesRead = bytesRead
            s.open = openFiles
            if let r {
                s.files = r.files
                s.events = r.events
                s.lines = r.lines
            }
            if let sigs { s.signatures = sigs }
        }
    }
}

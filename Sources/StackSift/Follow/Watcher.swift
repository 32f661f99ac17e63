#if canImport(Glibc)
import Glibc
#endif

/// Wakes a sleeping follower from another thread (`stop()`, signals): a non-blocking pipe the
/// wait polls alongside the inotify descriptor.
final class WakePipe: @unchecked Sendable {
    // SAFETY: both descriptors are set once in `init` and only closed in `deinit`; `write` and
    // `read` on a pipe are safe from any thread.
    let readFD: Int32
    let writeFD: Int32

    init() {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
        }
        readFD = fds[0]
        writeFD = fds[1]
    }

    deinit {
        if readFD >= 0 { close(readFD) }
        if writeFD >= 0 { close(writeFD) }
    }

    func wake() {
        var b: UInt8 = 1
        _ = write(writeFD, &b, 1)
    }

    func drain() {
        var buf = [UInt8](repeating: 0, count: 64)
        while read(readFD, &buf, buf.count) > 0 {}
    }
}

/// Why a wait ended.
struct WakeReason: OptionSet {
    let rawValue: UInt8
    /// A followed file was written.
    static let content = WakeReason(rawValue: 1)
    /// Names changed (created, deleted, moved, attributes, queue overflow): re-scan.
    static let names = WakeReason(rawValue: 2)
    /// `wake()` was called.
    static let woken = WakeReason(rawValue: 4)
}

/// Tells the follower when to look again: inotify on the directories that hold what is followed
/// (a directory watch also reports writes to the files in it), or nothing but the timeout when
/// polling. inotify is only a wake-up: the follower re-stats what it follows either way, so a
/// lost, coalesced or overflowed event costs latency, never data, and both modes give the same
/// results.
final class Watcher {
    private(set) var usesInotify: Bool
    private var inotifyFD: Int32 = -1
    let wakePipe = WakePipe()
    /// Watched directory path → (watch descriptor, identity of the directory watched).
    private var watches: [String: (wd: Int32, id: FileIdentity)] = [:]
    /// Watch descriptor → directory path, to name the files events are about.
    private var directoryOf: [Int32: String] = [:]
    /// Paths of files written since the last `takeModified()`.
    private var modified: Set<String> = []
    /// Set when a watch could not be added (limit reached): fall back to the poll interval.
    private(set) var degraded = false
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    static let mask = UInt32(IN_MODIFY | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_CLOSE_WRITE
        | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
    static let nameEvents = UInt32(IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF
        | IN_MOVE_SELF | IN_Q_OVERFLOW | IN_IGNORED | IN_UNMOUNT)

    /// `polling`: never use inotify. `failure` receives why inotify is unavailable.
    init(polling: Bool, failure: (String) -> Void) {
        usesInotify = false
        guard !polling else { return }
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        if fd < 0 {
            failure("inotify is not available (\(String(cString: strerror(errno)))); polling instead")
            return
        }
        inotifyFD = fd
        usesInotify = true
    }

    deinit {
        if inotifyFD >= 0 { close(inotifyFD) }
    }

    /// Makes the watched set equal `directories`: adds missing watches, re-adds a directory that
    /// was replaced under the same name, drops watches no longer wanted.
    func watch(_ directories: Set<String>, failure: (String) -> Void) {
        guard usesInotify else { return }
        for dir in directories {
            guard let st = FileStatus.of(path: dir), st.isDirectory else {
                if let old = watches.removeValue(forKey: dir) { _ = inotify_rm_watch(inotifyFD, old.wd) }
                continue
            }
            if let w = watches[dir], w.id == st.identity { continue }
            let wd = inotify_add_watch(inotifyFD, dir, Self.mask)
            if wd < 0 {
                if !degraded {
                    failure("cannot watch \(dir) with inotify (\(String(cString: strerror(errno)))); polling it instead")
                }
                degraded = true
                continue
            }
            watches[dir] = (wd, st.identity)
            directoryOf[wd] = dir
        }
        for (dir, w) in watches where !directories.contains(dir) {
            // The same directory may still be watched under another spelling: only remove a
            // descriptor no remaining entry uses.
            watches.removeValue(forKey: dir)
            if !watches.values.contains(where: { $0.wd == w.wd }) {
                _ = inotify_rm_watch(inotifyFD, w.wd)
                directoryOf[w.wd] = nil
            }
        }
    }

    /// Sleeps until an inotify event, a `wake()`, or `timeout` seconds.
    func wait(_ timeout: Double) -> WakeReason {
        var fds = [pollfd(fd: wakePipe.readFD, events: Int16(POLLIN), revents: 0)]
        if usesInotify { fds.append(pollfd(fd: inotifyFD, events: Int16(POLLIN), revents: 0)) }
        let ms = Int32(max(0, min(timeout, 3600)) * 1000 + 0.5)
        var n: Int32
        repeat {
            n = poll(&fds, nfds_t(fds.count), ms)
        } while n < 0 && errno == EINTR
        var reason: WakeReason = []
        if n <= 0 { return reason }
        if fds[0].revents != 0 {
            wakePipe.drain()
            reason.insert(.woken)
        }
        if fds.count > 1, fds[1].revents != 0 { reason.formUnion(drainEvents()) }
        return reason
    }

    /// Paths (as the watched directory was spelled + the file's name) written since the last
    /// call: dormant files among them are reopened without a full scan.
    func takeModified() -> Set<String> {
        defer { modified = [] }
        return modified
    }

    /// Reads every queued inotify event: their kinds, and the names of the files written.
    private func drainEvents() -> WakeReason {
        var reason: WakeReason = []
        while true {
            let n = buffer.withUnsafeMutableBytes { read(inotifyFD, $0.baseAddress!, $0.count) }
            if n <= 0 { break }
            var i = 0
            buffer.withUnsafeBytes { b in
                // struct inotify_event { int wd; uint32_t mask; uint32_t cookie; uint32_t len; char name[]; }
                // SAFETY: every load is bounds-checked against `n`, the bytes the kernel wrote.
                while i + 16 <= n {
                    let wd = b.loadUnaligned(fromByteOffset: i, as: Int32.self)
                    let mask = b.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self)
                    let len = Int(b.loadUnaligned(fromByteOffset: i + 12, as: UInt32.self))
                    if mask & Self.nameEvents != 0 {
                        reason.insert(.names)
                    } else {
                        reason.insert(.content)
                        if len > 0, let dir = directoryOf[wd], i + 16 + len <= n {
                            let name = UnsafeRawBufferPointer(rebasing: b[(i + 16)..<(i + 16 + len)]).prefix { $0 != 0 }
                            if modified.count < 10_000 { modified.insert(FileIO.join(dir, String(decoding: name, as: UTF8.self))) }
                        }
                    }
                    i += 16 + len
                }
            }
        }
        return reason
    }
}

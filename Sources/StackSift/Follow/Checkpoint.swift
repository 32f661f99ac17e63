import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What `tail --state` writes: a `SavedAnalysis` (the analysis of everything read since the
/// first start, so `stacksift merge` reads a checkpoint like any saved state) extended with a
/// `follow` section: per followed file, where to resume.
///
/// Each file's `offset` is the start of its event still open when the checkpoint was taken (or
/// the end of its last complete line when none was): exactly the bytes before it are counted in
/// the analysis. A restart re-reads from there: an event open at the stop, and a line held
/// without its newline, are read again; nothing is missed or counted twice.
public struct Checkpoint: Codable, Sendable {
    public static let schema = "stacksift.tail/1"

    /// A followed file: identity, where to resume, and how to recognise that it is still the
    /// same content.
    public struct Entry: Codable, Sendable {
        public var path: String
        public var device: UInt64
        public var inode: UInt64
        /// XXH3 of the first bytes (up to 1 KiB) of the current generation.
        public var head: Fingerprint
        /// XXH3 of the bytes just before `offset` (plain files).
        public var marker: Fingerprint?
        /// Decoded offset up to which everything is in the analysis.
        public var offset: Int64
        public var format: String
        public var container: String?
        /// The time an untimed event at `offset` inherits.
        public var previousTime: Int64?
        public var sourceIndex: Int
        /// This file's report in `analysis.files`.
        public var report: Int
        /// First decoded bytes' fingerprint (compressed files): dedupes `x.1` against `x.1.gz`.
        public var content: Fingerprint?

        var identity: FileIdentity { FileIdentity(device: device, inode: inode) }
    }

    /// A file deliberately not read (again): compressed history already read, a copy, binary.
    public struct Ignored: Codable, Sendable {
        public var path: String
        public var device: UInt64
        public var inode: UInt64
        public var size: Int64
        public var head: Fingerprint
        public var reason: String
        /// Listed under Skipped (binary, unsupported, --no-history): stays skipped while the
        /// file exists, whatever its size. Otherwise a change of size has it looked at again.
        public var skipped: Bool

        var identity: FileIdentity { FileIdentity(device: device, inode: inode) }
    }

    /// The `follow` section.
    public struct Follow: Codable, Sendable {
        public var schema = Checkpoint.schema
        public var files: [Entry]
        public var ignored: [Ignored]
        /// Content fingerprints of files read to their end and let go (bounded).
        public var retired: [Fingerprint]
        /// Findings already alerted while they hold.
        public var findings: [String]
        public var nextSourceIndex: Int
        /// Wall-clock time of the write (epoch ms).
        public var written: Int64
    }

    /// Every file's report (live files' entries point at theirs), errors and the state.
    public var analysis: SavedAnalysis
    public var follow: Follow

    public init(analysis: SavedAnalysis, follow: Follow) {
        self.analysis = analysis
        self.follow = follow
    }

    private enum Keys: String, CodingKey { case follow }

    public init(from decoder: any Decoder) throws {
        analysis = try SavedAnalysis(from: decoder)
        follow = try decoder.container(keyedBy: Keys.self).decode(Follow.self, forKey: .follow)
    }

    public func encode(to encoder: any Encoder) throws {
        try analysis.encode(to: encoder)
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(follow, forKey: .follow)
    }

    public func encoded() throws -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return try enc.encode(self)
    }

    public static func decode(_ data: Data, path: String) throws(StateError) -> Checkpoint {
        let analysis = try SavedAnalysis.decode(data, path: path)
        let follow: Follow
        do {
            follow = try JSONDecoder().decode(FollowOnly.self, from: data).follow
        } catch {
            throw StateError(path: path, message: "a saved state but not a tail checkpoint (no valid follow section: \(error))")
        }
        guard follow.schema == Checkpoint.schema else {
            throw StateError(path: path, message: "unsupported checkpoint schema '\(follow.schema)' (this stacksift reads \(Checkpoint.schema))")
        }
        return Checkpoint(analysis: analysis, follow: follow)
    }

    private struct FollowOnly: Decodable { var follow: Follow }
}

/// Replaces a file atomically: a temporary file in the same directory, fsync, rename, fsync of
/// the directory. A reader (or a crash) sees the old content or the new, never a torn file.
public enum AtomicFile {
    /// Temporaries being written now, for `abandon()`.
    nonisolated(unsafe) private static var inProgress: Set<String> = []
    private static let lock = NSLock()

    /// Removes the temporaries of writes still in progress: called before an exit that does not
    /// wait for them (a second SIGINT), so no `.name.tmp-PID` file is left behind.
    public static func abandon() {
        lock.lock()
        defer { lock.unlock() }
        for tmp in inProgress { unlink(tmp) }
    }

    /// Whether `path` can be written as `write` writes it (a temporary beside it, renamed over
    /// it), checked by doing so with no content: a long-running command says at its start, not
    /// at its first write, that its state or report has nowhere to go.
    public static func probe(_ path: String) throws(StateError) {
        var st = stat()
        if stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFDIR {
            throw StateError(path: path, message: "is a directory")
        }
        let tmp = temporary(for: path)
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StateError(path: path, message: "cannot create \(tmp): \(String(cString: strerror(errno)))") }
        close(fd)
        unlink(tmp)
    }

    /// Where `path` is written before it is renamed into place: beside it, hidden, so a
    /// followed directory holding the report does not pick the temporary up.
    static func temporary(for path: String) -> String {
        FileIO.join(FileIO.parent(path), ".\((path as NSString).lastPathComponent).tmp-\(getpid())")
    }

    public static func write(_ data: Data, to path: String) throws(StateError) {
        let dir = FileIO.parent(path)
        let tmp = temporary(for: path)
        lock.lock()
        inProgress.insert(tmp)
        lock.unlock()
        defer {
            lock.lock()
            inProgress.remove(tmp)
            lock.unlock()
        }
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StateError(path: path, message: "cannot create \(tmp): \(String(cString: strerror(errno)))") }
        var failure: String?
        data.withUnsafeBytes { b in
            var done = 0
            while done < b.count {
                // SAFETY: the source range stays inside `b`.
                let n = Glibc.write(fd, b.baseAddress! + done, b.count - done)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 {
                    failure = "cannot write \(tmp): \(String(cString: strerror(errno)))"
                    return
                }
                done += n
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = "cannot sync \(tmp): \(String(cString: strerror(errno)))" }
        close(fd)
        if failure == nil, rename(tmp, path) != 0 { failure = "cannot replace \(path): \(String(cString: strerror(errno)))" }
        if let failure {
            unlink(tmp)
            throw StateError(path: path, message: failure)
        }
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            _ = fsync(dfd)
            close(dfd)
        }
    }
}

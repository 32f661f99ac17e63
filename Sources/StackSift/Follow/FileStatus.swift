import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Which file a name or descriptor refers to: device and inode, compared as `tail -F` does.
public struct FileIdentity: Hashable, Codable, Sendable, CustomStringConvertible {
    public var device: UInt64
    public var inode: UInt64

    public init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }

    public var description: String { "\(device):\(inode)" }
}

/// XXH3 of some bytes and how many were hashed. As a file's head fingerprint (its first bytes, up
/// to `headLength`) it tells a new file that reuses an inode from the file that was followed; as
/// a marker (the bytes just before an offset) it tells a file rewritten past that offset.
public struct Fingerprint: Codable, Equatable, Hashable, Sendable {
    public static let headLength = 1024
    public var length: Int
    public var hash: UInt64

    public init(length: Int, hash: UInt64) {
        self.length = length
        self.hash = hash
    }

    public init(_ bytes: [UInt8]) {
        length = bytes.count
        hash = bytes.withUnsafeBufferPointer { xxh3($0) }
    }

    /// A full-length head: long enough that two different logs sharing it is implausible.
    public var isFull: Bool { length >= Fingerprint.headLength }
}

/// What `stat` says about a path or descriptor, reduced to what following needs.
struct FileStatus {
    var identity: FileIdentity
    var size: Int64
    var isRegular: Bool
    var isDirectory: Bool
    /// The `S_IFMT` bits of the mode.
    var type: UInt32
    var links: Int
    /// Modification time in nanoseconds: with the size, tells "changed since last look".
    var mtime: Int64

    init(_ st: stat) {
        identity = FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
        size = Int64(st.st_size)
        let kind = st.st_mode & UInt32(S_IFMT)
        isRegular = kind == UInt32(S_IFREG)
        isDirectory = kind == UInt32(S_IFDIR)
        type = kind
        links = Int(st.st_nlink)
        mtime = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
    }

    /// `FIFO`, `socket`, `character device`, … (for messages).
    var kindName: String {
        switch type {
        case UInt32(S_IFREG): "regular file"
        case UInt32(S_IFDIR): "directory"
        case UInt32(S_IFIFO): "FIFO"
        case UInt32(S_IFSOCK): "socket"
        case UInt32(S_IFCHR): "character device"
        case UInt32(S_IFBLK): "block device"
        default: "special file"
        }
    }

    /// `stat` (symlinks followed): nil when the name does not resolve.
    static func of(path: String) -> FileStatus? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return FileStatus(st)
    }

    static func of(fd: Int32) -> FileStatus? {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        return FileStatus(st)
    }

    /// True when `path` itself is a symbolic link.
    static func isSymlink(_ path: String) -> Bool {
        var st = stat()
        guard lstat(path, &st) == 0 else { return false }
        return st.st_mode & UInt32(S_IFMT) == UInt32(S_IFLNK)
    }
}

enum FileIO {
    /// Opens for reading without blocking on a FIFO and without leaking into child processes.
    static func openRead(_ path: String) -> Int32 {
        open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
    }

    /// Up to `count` bytes at `offset` (fewer at end of file, empty on error).
    static func pread(_ fd: Int32, count: Int, at offset: Int64) -> [UInt8] {
        guard count > 0, offset >= 0 else { return [] }
        var out = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = out.withUnsafeMutableBytes { b in
                // SAFETY: the destination stays inside `out`, which holds `count` bytes.
                Glibc.pread(fd, b.baseAddress! + got, count - got, off_t(offset) + off_t(got))
            }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            got += n
        }
        out.removeSubrange(got...)
        return out
    }

    /// The fingerprint of the first `length` bytes of the file, nil when it has fewer.
    static func hash(_ fd: Int32, length: Int, at offset: Int64) -> Fingerprint? {
        let b = pread(fd, count: length, at: offset)
        guard b.count == length else { return nil }
        return Fingerprint(b)
    }

    /// The marker for `offset`: the bytes just before it (up to a fingerprint's length).
    static func marker(_ fd: Int32, before offset: Int64) -> Fingerprint? {
        let n = Int(min(Int64(Fingerprint.headLength), offset))
        guard n > 0 else { return nil }
        return hash(fd, length: n, at: offset - Int64(n))
    }

    /// True when the file still holds what `head` and `marker` describe, up to `offset`: the
    /// test before resuming at a stored offset (a file truncated, replaced or rewritten under
    /// the same inode fails it).
    static func matches(_ fd: Int32, head: Fingerprint, marker: Fingerprint?, offset: Int64, size: Int64) -> Bool {
        guard size >= offset, size >= Int64(head.length) else { return false }
        if head.length > 0, hash(fd, length: head.length, at: 0) != head { return false }
        if let marker, marker.length > 0 {
            guard offset >= Int64(marker.length), hash(fd, length: marker.length, at: offset - Int64(marker.length)) == marker else { return false }
        }
        return true
    }

    /// A directory's entries ("." and ".." left out). A name that is not valid UTF-8 cannot be
    /// opened through a Swift string: it comes back apart, its non-ASCII bytes escaped for
    /// display (`caf\xE9.log`). `failure` is the system's reason when the directory cannot be read.
    static func entries(_ dir: String) -> (names: [String], undecodable: [String], failure: String?) {
        guard let d = opendir(dir) else { return ([], [], String(cString: strerror(errno))) }
        defer { closedir(d) }
        var names: [String] = [], undecodable: [String] = []
        while let e = readdir(d) {
            let bytes = withUnsafeBytes(of: e.pointee.d_name) { Array($0.prefix(while: { $0 != 0 })) }
            if bytes == [0x2E] || bytes == [0x2E, 0x2E] { continue }
            if let name = String(validating: bytes, as: UTF8.self) {
                names.append(name)
            } else {
                undecodable.append(bytes.map { $0 < 0x80 ? String(UnicodeScalar($0)) : "\\x" + String($0, radix: 16, uppercase: true) }.joined())
            }
        }
        return (names, undecodable, nil)
    }

    /// Names in a directory, nil when it cannot be read. A name that is not UTF-8 comes escaped:
    /// opening it fails, and the follower's warning then names it readably.
    static func list(_ dir: String) -> [String]? {
        let e = entries(dir)
        return e.failure == nil ? e.names + e.undecodable : nil
    }

    static func parent(_ path: String) -> String {
        let p = (path as NSString).deletingLastPathComponent
        return p.isEmpty ? "." : p
    }

    static func join(_ dir: String, _ name: String) -> String {
        dir.hasSuffix("/") ? dir + name : dir + "/" + name
    }

    /// The path a symlink chain ends at (nil when it dangles).
    static func resolved(_ path: String) -> String? {
        guard let r = realpath(path, nil) else { return nil }
        defer { free(r) }
        return String(cString: r)
    }
}

/// Seconds on a clock that never jumps (deadlines, idle times).
@inline(__always) func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Wall-clock epoch milliseconds (alert times for events without a timestamp).
@inline(__always) func wallMillis() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}

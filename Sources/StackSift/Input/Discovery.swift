import Foundation

/// One input to read: a file or standard input.
public struct InputSource: Sendable, Hashable {
    public let path: String
    public let isStdin: Bool
    /// Found by walking a directory (binary files there are skipped, not read).
    public let fromWalk: Bool
    /// Why the input is listed but not opened (a FIFO or socket met in a directory walk, which
    /// could block the run forever); nil for inputs to read.
    public let skipReason: String?

    public init(path: String, isStdin: Bool = false, fromWalk: Bool = false, skipReason: String? = nil) {
        self.path = path
        self.isStdin = isStdin
        self.fromWalk = fromWalk
        self.skipReason = skipReason
    }

    public static let stdin = InputSource(path: "-", isStdin: true)
}

/// A file that was deliberately not read, and why.
public struct SkipNote: Sendable, Codable, Equatable {
    public var path: String
    public var reason: String
}

/// An input that could not be read completely: the path, what went wrong, and where.
public struct InputError: Sendable, Codable, Equatable {
    public var path: String
    public var message: String
    /// Byte offset in the (compressed) input, when the problem has a position.
    public var offset: Int64?

    /// The error as stderr shows it: path, message and, when known, the byte offset.
    public var diagnostic: String {
        "stacksift: \(path): \(message)" + (offset.map { " (at byte offset \($0))" } ?? "") + "\n"
    }
}

/// Expands command-line paths into the inputs to read, in a stable order: directories walked
/// recursively (hidden entries skipped), rotated sets oldest first
/// (`app.log.3.gz`, `app.log.2`, `app.log.1`, `app.log`).
public enum Discovery {
    public static func expand(_ args: [String]) -> (sources: [InputSource], errors: [InputError]) {
        var sources: [InputSource] = []
        var errors: [InputError] = []
        var seen: Set<String> = []
        let fm = FileManager.default
        for arg in args {
            if arg == "-" {
                sources.append(.stdin)
                continue
            }
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: arg, isDirectory: &isDir) else {
                // the shell passed bytes that are not UTF-8: the argument arrived with U+FFFD
                let why = arg.contains("\u{FFFD}") ? "no such file, or a name that is not valid UTF-8 (stacksift cannot open those by name; rename it, e.g. with convmv)"
                    : "no such file or directory"
                errors.append(InputError(path: arg, message: why, offset: nil))
                continue
            }
            if !isDir.boolValue {
                if seen.insert(arg).inserted { sources.append(InputSource(path: arg)) }
                continue
            }
            var files: [String] = []
            var special: [String: String] = [:]
            walk(arg, into: &files, special: &special, errors: &errors)
            for f in rotationOrder(files) where seen.insert(f).inserted {
                sources.append(InputSource(path: f, fromWalk: true, skipReason: special[f]))
            }
        }
        return (sources, errors)
    }

    /// The files under `dir` (hidden entries skipped, symlinked directories not entered),
    /// spelled from `dir` as the user wrote it. What cannot be read or named is an error, never
    /// silently left out: a dangling symbolic link, a name `stat` refuses. A FIFO, socket or
    /// device is listed in `special` with why it is not read: opening a FIFO nobody writes
    /// would block the run (named on the command line, it is read: `<(kubectl logs …)`).
    private static func walk(_ dir: String, into files: inout [String], special: inout [String: String],
                             errors: inout [InputError]) {
        let (names, undecodable, failure) = FileIO.entries(dir)
        if let failure {
            errors.append(InputError(path: dir, message: "cannot read directory: \(failure)", offset: nil))
            return
        }
        for n in undecodable where !n.hasPrefix(".") {
            errors.append(InputError(path: FileIO.join(dir, n), message: "the file name is not valid UTF-8, so stacksift cannot open it; rename it (e.g. with convmv)", offset: nil))
        }
        for n in names.sorted() where !n.hasPrefix(".") {
            let p = FileIO.join(dir, n)
            guard let st = FileStatus.of(path: p) else {
                let why = errno == ENOENT && FileStatus.isSymlink(p)
                    ? "dangling symbolic link (its target does not exist)"
                    : "cannot stat: \(String(cString: strerror(errno)))"
                errors.append(InputError(path: p, message: why, offset: nil))
                continue
            }
            if st.isRegular {
                files.append(p)
            } else if st.isDirectory {
                if !FileStatus.isSymlink(p) { walk(p, into: &files, special: &special, errors: &errors) }
            } else {
                files.append(p)
                special[p] = "skipped: not a regular file (\(st.kindName)); name it on the command line to read it"
            }
        }
    }

    static let compressionSuffixes = [".gz", ".lz4", ".zst", ".zstd", ".gzip"]

    /// (directory, base name without rotation index and compression suffix, rotation index).
    static func rotationKey(_ path: String) -> (String, String, Int?) {
        let ns = path as NSString
        let dir = ns.deletingLastPathComponent
        var name = ns.lastPathComponent
        for s in compressionSuffixes where name.hasSuffix(s) {
            name = String(name.dropLast(s.count))
            break
        }
        if let dot = name.lastIndex(of: "."), let n = Int(name[name.index(after: dot)...]), name[name.index(after: dot)...].allSatisfy(\.isNumber) {
            return (dir, String(name[..<dot]), n)
        }
        // app-1.log style is ambiguous with dates; leave it to lexical order
        return (dir, name, nil)
    }

    /// Oldest first within a rotated set: highest index first, the live file (no index) last.
    public static func rotationOrder(_ paths: [String]) -> [String] {
        paths.sorted { a, b in
            let ka = rotationKey(a), kb = rotationKey(b)
            if ka.0 != kb.0 { return ka.0 < kb.0 }
            if ka.1 != kb.1 { return ka.1 < kb.1 }
            switch (ka.2, kb.2) {
            case let (x?, y?): return x != y ? x > y : a < b
            case (_?, nil): return true
            case (nil, _?): return false
            case (nil, nil): return a < b
            }
        }
    }
}

import Foundation
import XCTest
@testable import StackSift

/// Expanding command-line paths: rotation order, directory walks, missing paths.
final class DiscoveryTests: XCTestCase {
    /// Every permutation of a small array (for "in any input order").
    func permutations<T>(_ a: [T]) -> [[T]] {
        if a.count <= 1 { return [a] }
        var out: [[T]] = []
        for i in a.indices {
            var rest = a
            let x = rest.remove(at: i)
            for p in permutations(rest) { out.append([x] + p) }
        }
        return out
    }

    func testRotatedSetOldestFirstInAnyInputOrder() {
        let expected = ["app.log.3.gz", "app.log.2", "app.log.1", "app.log"]
        for p in permutations(expected) {
            XCTAssertEqual(Discovery.rotationOrder(p), expected, "input order \(p)")
        }
        let dirs = expected.map { "/var/log/app/" + $0 }
        XCTAssertEqual(Discovery.rotationOrder(dirs.reversed()), dirs)
    }

    func testRotationIndexIsNumeric() {
        let expected = ["app.log.11", "app.log.10", "app.log.9", "app.log.2", "app.log.1", "app.log"]
        var rng = SplitMix64(seed: 4)
        for _ in 0..<30 {
            XCTAssertEqual(Discovery.rotationOrder(expected.shuffled(using: &rng)), expected)
        }
    }

    func testCompressionSuffixesAndMixedSets() {
        let expected = ["app.log.4.zst", "app.log.3.lz4", "app.log.2.gz", "app.log.1", "app.log"]
        var rng = SplitMix64(seed: 5)
        for _ in 0..<30 {
            XCTAssertEqual(Discovery.rotationOrder(expected.shuffled(using: &rng)), expected)
        }
        XCTAssertEqual(Discovery.rotationKey("/x/app.log.3.gz").1, "app.log")
        XCTAssertEqual(Discovery.rotationKey("/x/app.log.3.gz").2, 3)
        XCTAssertEqual(Discovery.rotationKey("/x/app.log").2, nil)
        XCTAssertEqual(Discovery.rotationKey("/x/app.log.gz").1, "app.log")
        XCTAssertEqual(Discovery.rotationKey("/x/catalina.2023-10-10.log").2, nil, "a date is not a rotation index")
    }

    func testDifferentBasesAndDirectoriesAreSortedApart() {
        let expected = [
            "logs/a.log.2.gz", "logs/a.log.1", "logs/a.log",
            "logs/b.log.1", "logs/b.log",
            "logs/sub/a.log.1", "logs/sub/a.log",
        ]
        var rng = SplitMix64(seed: 6)
        for _ in 0..<30 {
            let got = Discovery.rotationOrder(expected.shuffled(using: &rng))
            XCTAssertEqual(got, expected)
        }
    }

    // MARK: walking

    func testDirectoryWalkSkipsHiddenAndDescends() throws {
        let dir = try TempDir()
        let visible = ["app.log", "app.log.1", "app.log.2.gz", "nested/deeper/worker.log", "nested/svc.log"]
        let hidden = [".hidden.log", ".git/config", "nested/.cache/x.log", ".secret/inner/visible-name.log"]
        for f in visible + hidden { try dir.write(f, Array("x\n".utf8)) }

        let (sources, errors) = Discovery.expand([dir.path])
        XCTAssertEqual(errors, [])
        let rel = sources.map { String($0.path.dropFirst(dir.path.count + 1)) }
        XCTAssertEqual(rel, ["app.log.2.gz", "app.log.1", "app.log", "nested/svc.log", "nested/deeper/worker.log"])
        XCTAssertTrue(sources.allSatisfy(\.fromWalk))
        XCTAssertTrue(sources.allSatisfy { !$0.isStdin })
    }

    func testDisplayedPathsKeepTheUsersSpelling() throws {
        let dir = try TempDir()
        try dir.write("a.log", Array("x\n".utf8))
        let withSlash = Discovery.expand([dir.path + "/"]).sources.map(\.path)
        XCTAssertEqual(withSlash, [dir.path + "/a.log"])
    }

    func testFilesStdinDuplicatesAndMissingPaths() throws {
        let dir = try TempDir()
        let file = try dir.write("explicit.log", Array("x\n".utf8))
        let missing = dir.path + "/does-not-exist.log"
        let (sources, errors) = Discovery.expand([file, "-", missing, file, dir.path])
        XCTAssertEqual(sources.map(\.path), [file, "-"], "a file named twice (and found again by the walk) is read once")
        XCTAssertFalse(sources[0].fromWalk, "a file named on the command line is not from a walk")
        XCTAssertTrue(sources[1].isStdin)
        XCTAssertEqual(errors.count, 1)
        XCTAssertEqual(errors.first?.path, missing)
        XCTAssertEqual(errors.first?.message, "no such file or directory")
        XCTAssertNil(errors.first?.offset)
    }

    func testOnlyMissingPaths() {
        let (sources, errors) = Discovery.expand(["/nonexistent/stacksift/a.log", "/nonexistent/stacksift/dir/"])
        XCTAssertEqual(sources, [])
        XCTAssertEqual(errors.map(\.path), ["/nonexistent/stacksift/a.log", "/nonexistent/stacksift/dir/"])
    }

    func testEmptyDirectory() throws {
        let dir = try TempDir()
        let (sources, errors) = Discovery.expand([dir.path])
        XCTAssertEqual(sources, [])
        XCTAssertEqual(errors, [])
    }
    /// A walk never drops a file silently: a name that is not UTF-8 (a Latin-1 `café.log`) cannot
    /// be opened through a String, so it is an error naming it; hidden entries and symlinked
    /// directories are left out as before, a nested directory is walked.
    func testWalkNamesWhatItCannotOpen() throws {
        let dir = try TempDir()
        try dir.write("ok.log", Array("x\n".utf8))
        try dir.write("sub/nested.log", Array("y\n".utf8))
        try dir.write(".hidden.log", Array("z\n".utf8))
        XCTAssertEqual(symlink(dir.url.appendingPathComponent("sub").path, dir.url.appendingPathComponent("loop").path), 0)
        // "caf\xE9.log\0"
        let latin1: [CChar] = Array("caf".utf8CString.dropLast()) + [CChar(bitPattern: 0xE9)] + Array(".log".utf8CString)
        let fd = (dir.url.path + "/").withCString { prefix -> Int32 in
            let path = Array(UnsafeBufferPointer(start: prefix, count: strlen(prefix))) + latin1
            return open(path, O_CREAT | O_WRONLY, 0o644)
        }
        XCTAssertGreaterThanOrEqual(fd, 0)
        close(fd)
        let (sources, errors) = Discovery.expand([dir.path])
        XCTAssertEqual(sources.map { ($0.path as NSString).lastPathComponent }, ["ok.log", "nested.log"])
        XCTAssertEqual(errors.map { ($0.path as NSString).lastPathComponent }, ["caf\\xE9.log"])
        XCTAssertTrue(errors.first?.message.contains("not valid UTF-8") ?? false, "\(errors)")
    }

    /// A dangling symbolic link in a walk is an error naming it; a FIFO is listed as skipped
    /// (opening one nobody writes would block the run) and the rest is read.
    func testWalkReportsDanglingLinksAndSkipsFIFOs() throws {
        let dir = try TempDir()
        let ok = try dir.write("ok.log", Array("2023-10-10 08:00:00.000 INFO x - y\n".utf8))
        XCTAssertEqual(symlink(dir.url.appendingPathComponent("gone.log.1").path, dir.url.appendingPathComponent("app.log").path), 0)
        let fifo = dir.url.appendingPathComponent("pipe.log").path
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        let (sources, errors) = Discovery.expand([dir.path])
        XCTAssertEqual(errors.map { ($0.path as NSString).lastPathComponent }, ["app.log"])
        XCTAssertEqual(errors.first?.message, "dangling symbolic link (its target does not exist)")
        XCTAssertEqual(sources.map(\.path), [ok, fifo])
        XCTAssertNil(sources[0].skipReason)
        XCTAssertEqual(sources[1].skipReason, "skipped: not a regular file (FIFO); name it on the command line to read it")
        let r = Analysis(options: utcOptions(), catalog: builtinCatalogForTests).run(sources, discoveryErrors: errors)
        XCTAssertEqual(r.files.first { $0.path == fifo }?.status, .skipped)
        XCTAssertEqual(r.files.first { $0.path == ok }?.lines, 1)
        XCTAssertFalse(r.complete, "the dangling link makes the run partial")
    }
}

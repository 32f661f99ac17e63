import Foundation

/// An unsafe pointer handed to the threads of `parallelChunks`: each thread touches only its
/// own element, and the pointer outlives them.
private struct SharedPointer<T>: @unchecked Sendable {
    let p: UnsafeMutablePointer<T>
}

/// Splits `0..<count` into `ways` contiguous ranges, runs `body` on each on its own thread
/// (`DispatchQueue.concurrentPerform`) and returns the results in range order. For the
/// serial tail of a run (the report), where the analysis threads are done and the cores idle.
func parallelChunks<T>(_ count: Int, ways: Int = ProcessInfo.processInfo.activeProcessorCount, _ body: (Range<Int>) -> T) -> [T] {
    let ways = max(1, min(ways, count))
    if ways == 1 { return [body(0..<count)] }
    let out = SharedPointer(p: UnsafeMutablePointer<T>.allocate(capacity: ways))
    defer {
        out.p.deinitialize(count: ways)
        out.p.deallocate()
    }
    withoutActuallyEscaping(body) { body in
        let work = SharedPointer(p: UnsafeMutablePointer<(Range<Int>) -> T>.allocate(capacity: 1))
        work.p.initialize(to: body)
        DispatchQueue.concurrentPerform(iterations: ways) { k in
            (out.p + k).initialize(to: work.p.pointee(k * count / ways ..< (k + 1) * count / ways))
        }
        work.p.deinitialize(count: 1)
        work.p.deallocate()
    }
    return Array(UnsafeBufferPointer(start: out.p, count: ways))
}

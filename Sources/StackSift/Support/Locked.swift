import Foundation

/// A value shared between threads, every access under one lock.
final class Locked<Value>: @unchecked Sendable {
    // SAFETY: `value` is only touched inside `withLock`.
    private var value: Value
    private let lock = NSLock()
    init(_ value: Value) { self.value = value }
    func withLock<R>(_ body: (inout Value) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}

/// Hands a non-Sendable value to exactly one other thread, which alone uses it from then on.
final class Handoff<Value>: @unchecked Sendable {
    // SAFETY: ownership moves to the receiving thread; the sender no longer touches it until
    // the receiver signals completion.
    var value: Value
    init(_ value: Value) { self.value = value }
}

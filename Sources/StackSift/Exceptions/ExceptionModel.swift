/// One frame of a Java stack trace, as printed by `Throwable.printStackTrace`.
public struct StackFrame: Sendable, Hashable, Codable {
    /// Fully qualified declaring class, e.g. `com.acme.order.OrderService$Inner`.
    public var className: String
    /// Method name, e.g. `place`, `lambda$place$3`, `<init>`.
    public var method: String
    /// Source file (`OrderService.java`) or nil when the frame names none.
    public var file: String?
    /// Line number when printed.
    public var line: Int?
    /// `Native Method`, `Unknown Source`, `<generated>` … when the location is not file:line.
    public var note: String?
    /// Module or class-loader prefix (`java.base`, `app//`, `java.sql@17.0.2`), kept apart.
    public var module: String?
    /// Jar suffix printed by Logback (`[spring-jdbc-5.3.20.jar:5.3.20]`, `~[?:?]`), kept apart.
    public var jar: String?

    public init(className: String, method: String, file: String? = nil, line: Int? = nil,
                note: String? = nil, module: String? = nil, jar: String? = nil) {
        self.className = className
        self.method = method
        self.file = file
        self.line = line
        self.note = note
        self.module = module
        self.jar = jar
    }
}

/// One throwable of a chain: the outermost exception or one of its `Caused by:` causes.
public struct ThrowableInfo: Sendable, Hashable, Codable {
    /// Fully qualified class, e.g. `com.alibaba.druid.pool.GetConnectionTimeoutException`.
    public var className: String
    /// Message with continuation lines joined by `\n`; empty when none was printed.
    public var message: String
    public var frames: [StackFrame]
    /// The N of `... N more` / `... N common frames omitted`, 0 when absent.
    public var framesOmitted: Int
    /// `Suppressed:` throwables attached to this one (each with its own causes flattened in order).
    public var suppressed: [[ThrowableInfo]]

    public init(className: String, message: String = "", frames: [StackFrame] = [],
                framesOmitted: Int = 0, suppressed: [[ThrowableInfo]] = []) {
        self.className = className
        self.message = message
        self.frames = frames
        self.framesOmitted = framesOmitted
        self.suppressed = suppressed
    }

    /// Simple class name (`GetConnectionTimeoutException`).
    public var simpleName: String {
        if let dot = className.lastIndex(of: ".") { return String(className[className.index(after: dot)...]) }
        return className
    }
}

/// What the exception parser found in one event.
public struct ExceptionChain: Sendable, Hashable, Codable {
    /// Outermost first, then each `Caused by:` in order; the last is the root cause.
    /// Empty for an open stack without an exception header.
    public var throwables: [ThrowableInfo]
    /// Frames of an abandoned-connection / leak-detection trace (the code that borrowed the
    /// connection), when the event is such a trace. For Druid `abandon connection` this is the
    /// `open stackTrace` part only.
    public var openStack: [StackFrame]?

    public init(throwables: [ThrowableInfo], openStack: [StackFrame]? = nil) {
        self.throwables = throwables
        self.openStack = openStack
    }

    public var outermost: ThrowableInfo? { throwables.first }
    public var rootCause: ThrowableInfo? { throwables.last }
}

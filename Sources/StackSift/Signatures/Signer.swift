/// The identity of a cluster: one fault is one signature, however its line numbers, proxies
/// and lambdas vary, and two different faults never share one.
public struct SignatureKey: Sendable, Hashable, Codable {
    /// `"v1:"` + 12 lowercase hex digits of the FNV-1a 64 hash of `key` (top 48 bits).
    /// Stable across runs, machines and builds of the same algorithm version.
    public var id: String
    /// `"exception"` or `"message"`.
    public var kind: String
    /// Outermost exception class (display only; not part of the key unless application code).
    public var exception: String?
    /// Innermost exception class, or `"open-stack"` for leak / abandoned-connection traces.
    public var rootCause: String?
    /// The message template that is part of the key (root cause's for exceptions, the log
    /// message's for the message kind).
    public var message: String
    /// The normalised frames that are part of the key, nearest to the throw first.
    public var frames: [String]
    /// Why the events of this signature were grouped: each rule that fired, in words.
    public var why: [String]
    /// The full normalised text that was hashed.
    public var key: String

    public init(id: String, kind: String, exception: String?, rootCause: String?, message: String,
                frames: [String], why: [String], key: String) {
        self.id = id
        self.kind = kind
        self.exception = exception
        self.rootCause = rootCause
        self.message = message
        self.frames = frames
        self.why = why
        self.key = key
    }
}

/// Builds a `SignatureKey` from one event.
///
/// What goes into the key of an exception:
/// 1. the root cause's class and the first `messageWords` words of its message template, in
///    one wording across JDK versions (`JDKMessages`);
/// 2. the library that threw the root cause (first non-JDK frame's framework prefix, or `app`);
/// 3. the wrapper classes that are application code (framework wrappers are dropped);
/// 4. up to `maxFrames` in-app frames nearest to the throw, after normalisation and recursion
///    collapsing, stopping at an entry point once one frame is in: a class named like one
///    (controller, job, listener, …) or a method a dispatcher calls (`entryDispatchers`). A
///    chain with no in-app frame takes its top library frames instead, the JDK's left out.
public struct Signer: Sendable {
    /// Bump when anything that changes ids changes (rules, lists, key layout, hash).
    public static let algorithmVersion = 4
    /// In-app frames kept in the key.
    public static let maxFrames = 3
    /// Words of the root cause's message template kept in the key.
    public static let messageWords = 8
    /// Frames examined per stack; deeper frames never reach the key anyway.
    static let maxScannedFrames = 256

    /// Simple-name suffixes of classes where requests and jobs enter application code. Frames
    /// from the first such class on (after at least one frame) are the *entry path*: which
    /// caller reached the fault, not where it is, so they do not split a signature.
    public static let entryPointClassSuffixes: [String] = [
        "Controller", "Resource", "Endpoint", "Servlet", "Filter", "Interceptor", "Job", "Task",
        "Scheduler", "Listener", "Consumer", "Subscriber", "Application",
    ]

    public let packages: FrameworkPackages

    public init(appPackages: [String] = []) {
        packages = FrameworkPackages(appPackages: appPackages)
    }

    public init(packages: FrameworkPackages) {
        self.packages = packages
    }

    /// Signs one event's exception chain. `logMessage` (the log record's own message) only
    /// counts when the chain has no frames at all, or no throwables and no open stack.
    public func sign(chain: ExceptionChain, logMessage: String) -> SignatureKey {
        if let open = chain.openStack, !open.isEmpty {
            return signOpenStack(chain: chain, openStack: open)
        }
        guard !chain.throwables.isEmpty else { return signMessage(logMessage) }

        let ts = chain.throwables
        let full = Self.fullStacks(ts)
        let rootIndex = ts.count - 1
        let root = ts[rootIndex]
        var why: [String] = []

        let (jdkWording, wordingNote) = JDKMessages.keyMessage(
            className: root.className, message: Self.firstLine(root.message), hasFrames: !full[rootIndex].isEmpty)
        let (message, words) = Self.messageKey(jdkWording)
        why.append("root cause: \(root.className)")
        if let wordingNote { why.append(wordingNote) }
        if message.isEmpty {
            if wordingNote == nil { why.append("root cause has no message") }
        } else if words > Self.messageWords {
            why.append("message template of root cause (first \(Self.messageWords) of \(words) words): \(message)")
        } else {
            why.append("message template of root cause: \(message)")
        }

        var appWrappers: [String] = []
        for t in ts.dropLast() {
            if packages.isInApp(t.className) {
                appWrappers.append(t.className)
                why.append("wrapper \(t.className) kept (application code)")
            } else {
                why.append("wrapper \(t.className) ignored (framework)")
            }
        }

        let site = throwSite(full[rootIndex])
        switch site {
        case "": break
        case "app": why.append("thrown in: application code (first non-JDK frame of root cause)")
        case "jdk": why.append("thrown in: JDK (no non-JDK frame in root cause)")
        default: why.append("thrown in: \(site) (first non-JDK frame of root cause)")
        }

        var counts = RuleCounts()
        var picked = Picked()
        var source = -1
        for i in stride(from: rootIndex, through: 0, by: -1) {
            let p = pick(full[i], .inApp, counts: &counts)
            if !p.frames.isEmpty { picked = p; source = i; break }
        }
        if source == rootIndex {
            why.append("in-app frames of root cause: " + picked.frames.joined(separator: ", "))
        } else if source >= 0 {
            why.append("in-app frames of \(ts[source].className) (root cause has none): "
                + picked.frames.joined(separator: ", "))
        } else if let i = (0...rootIndex).reversed().first(where: { !full[$0].isEmpty }) {
            let (p, jdkOnly) = pickOutsideApp(full[i])
            picked = p
            why.append("no in-app frame in the chain: top " + (jdkOnly ? "JDK" : "library") + " frames of "
                + (i == rootIndex ? "root cause" : ts[i].className) + " used: "
                + picked.frames.joined(separator: ", "))
        }
        why += picked.notes
        if let summary = counts.summary { why.append(summary) }
        let suppressed = ts.reduce(0) { $0 + $1.suppressed.count }
        if suppressed > 0 { why.append("suppressed exceptions ignored: \(suppressed)") }

        var logKey = ""
        if picked.frames.isEmpty {
            logKey = Self.messageKey(logMessage).0
            why.append("no frames: log message template used: \(logKey)")
        }

        let key = [
            "v\(Self.algorithmVersion)",
            "kind=exception",
            "root=" + root.className,
            "message=" + message,
            "thrown-in=" + site,
            "app-wrappers=" + appWrappers.joined(separator: ","),
            "frames=" + picked.frames.joined(separator: ";"),
            "log=" + logKey,
        ].joined(separator: "\n")
        return SignatureKey(id: Self.id(for: key), kind: "exception", exception: ts[0].className,
                            rootCause: root.className, message: message, frames: picked.frames,
                            why: why, key: key)
    }

    /// Signs a one-line incident message (`HikariPool-3 - Starting...`) by its template.
    public func signMessage(_ logMessage: String) -> SignatureKey {
        signMessage(template: Self.messageTemplate(logMessage))
    }

    /// What a message signature is keyed by: the template of the message's first line.
    static func messageTemplate(_ logMessage: String) -> String {
        MessageTemplate.template(firstLine(logMessage))
    }

    /// The signature of a message whose template is `template` (see `messageTemplate`).
    func signMessage(template: String) -> SignatureKey {
        let key = ["v\(Self.algorithmVersion)", "kind=message", "message=" + template].joined(separator: "\n")
        return SignatureKey(id: Self.id(for: key), kind: "message", exception: nil, rootCause: nil,
                            message: template, frames: [],
                            why: ["message template of first line: \(template)"], key: key)
    }

    /// A leak / abandoned-connection trace: one signature per leak site, the first in-app
    /// frames of the stack that borrowed the connection.
    private func signOpenStack(chain: ExceptionChain, openStack: [StackFrame]) -> SignatureKey {
        var why: [String] = ["open stack (connection borrowed here and not returned)"]
        var message = ""
        var cls = ""
        if let t = chain.throwables.first {
            cls = t.className
            message = Self.messageKey(t.message).0
            why.append("trace header: \(t.className)" + (message.isEmpty ? "" : ": \(message)"))
        }
        var counts = RuleCounts()
        var picked = pick(openStack, .inApp, counts: &counts)
        if !picked.frames.isEmpty {
            why.append("leak site (in-app frames of open stack): " + picked.frames.joined(separator: ", "))
        } else {
            let (p, jdkOnly) = pickOutsideApp(openStack)
            picked = p
            why.append("no in-app frame in open stack: top " + (jdkOnly ? "JDK" : "library") + " frames used: "
                + picked.frames.joined(separator: ", "))
        }
        why += picked.notes
        if let summary = counts.summary { why.append(summary) }
        let key = [
            "v\(Self.algorithmVersion)",
            "kind=open-stack",
            "header=" + cls,
            "message=" + message,
            "frames=" + picked.frames.joined(separator: ";"),
        ].joined(separator: "\n")
        return SignatureKey(id: Self.id(for: key), kind: "exception", exception: chain.throwables.first?.className,
                            rootCause: "open-stack", message: message, frames: picked.frames,
                            why: why, key: key)
    }

    // MARK: - pieces

    /// Each throwable's complete stack: a cause prints only the frames it does not share with
    /// its enclosing throwable and ends with `... N more`; those N are the enclosing stack's
    /// last N. Built as index views, so no frame is copied.
    static func fullStacks(_ ts: [ThrowableInfo]) -> [FullStack] {
        var full: [FullStack] = []
        full.reserveCapacity(ts.count)
        for (i, t) in ts.enumerated() {
            var refs: [FullStack.Ref] = []
            refs.reserveCapacity(t.frames.count)
            for f in t.frames.indices { refs.append(.init(t: Int32(i), f: Int32(f))) }
            if i > 0, t.framesOmitted > 0 {
                refs += full[i - 1].refs.suffix(min(t.framesOmitted, full[i - 1].refs.count))
            }
            full.append(FullStack(ts: ts, refs: refs))
        }
        return full
    }

    /// First non-empty line, templated, cut to `messageWords` words; and the total word count.
    static func messageKey(_ message: String) -> (String, Int) {
        let template = MessageTemplate.template(firstLine(message))
        guard !template.isEmpty else { return ("", 0) }
        // The template has single spaces between words and none at the ends.
        var t = template
        let (words, cut) = t.withUTF8 { b -> (Int, Int) in
            var words = 1, cut = b.count
            for i in 0..<b.count where b[i] == 32 {
                if words == messageWords { cut = i }
                words += 1
            }
            return (words, cut)
        }
        if words <= messageWords { return (template, words) }
        return (String(template.utf8.prefix(cut))!, words)
    }

    /// The first line with a non-blank byte (the whole message when it has one line).
    static func firstLine(_ s: String) -> String {
        let u = s.utf8
        var start = u.startIndex
        var blank = true
        var i = u.startIndex
        while i < u.endIndex {
            let c = u[i]
            if c == 10 || c == 13 {
                if !blank { return String(u[start..<i])! }
                start = u.index(after: i)
            } else if c != 32, c != 9 {
                blank = false
            }
            i = u.index(after: i)
        }
        if start == u.startIndex { return s }
        return blank ? "" : String(u[start...])!
    }

    /// Where the root cause was thrown, at library granularity: the framework prefix of its
    /// first non-JDK, non-generated frame, `app` for application code, `jdk` when every frame
    /// is the JDK's, empty without frames. Keeps a DB socket timeout and an HTTP socket timeout
    /// raised under the same application method apart.
    func throwSite(_ frames: FullStack) -> String {
        guard !frames.isEmpty else { return "" }
        for f in frames.prefix(Self.maxScannedFrames) {
            let n = FrameNormalizer.normalize(f)
            if n.isGenerated || packages.isJDK(n.className) { continue }
            return packages.frameworkPrefix(of: n.className) ?? "app"
        }
        return "jdk"
    }

    struct Picked {
        var frames: [String] = []
        var notes: [String] = []
    }

    /// Which frames `pick` takes.
    enum PickMode {
        /// Application code only, up to an entry point.
        case inApp
        /// Library frames, the JDK's left out: a JDK 8 and a JDK 17 host run the same
        /// libraries over different JDK internals (`SocketOutputStream.socketWrite0` against
        /// `NioSocketImpl.implWrite`).
        case libraries
        /// Every frame (a stack of JDK frames only).
        case any
    }

    /// The top frames of one stack: normalised, generated frames skipped, the frames `mode`
    /// takes, recursion collapsed, cut at `maxFrames` or at an entry point. Scanning stops at
    /// the first frame not taken, so a deep stack costs no more than its top.
    func pick<C: RandomAccessCollection<StackFrame>>(_ stack: C, _ mode: PickMode, counts: inout RuleCounts) -> Picked
    where C.Index == Int {
        guard let (start, period) = Self.recursiveTail(stack) else { return pickTop(stack, mode, counts: &counts) }
        // The stack ends inside a recursion (a StackOverflowError prints 1,024 frames of it):
        // where its printed top enters the cycle depends on where the stack overflowed, so the
        // cycle is read from one fixed frame of it (the least by name), whatever the phase.
        let cycle = Array(stack[start..<(start + period)])
        let names = cycle.map { FrameNormalizer.normalize($0).text }
        let r = (0..<period).min { a, b in
            for k in 0..<period where names[(a + k) % period] != names[(b + k) % period] {
                return names[(a + k) % period] < names[(b + k) % period]
            }
            return false
        } ?? 0
        let rotated = (0..<period).map { cycle[(r + $0) % period] }
        var p = pickTop(Array(stack[stack.startIndex..<start]) + rotated + rotated, mode, counts: &counts)
        p.notes.append("stack ends in a recursion of \(period) frame\(period == 1 ? "" : "s"): read from the same frame of the cycle whatever the phase")
        return p
    }

    /// Where the stack's repeating tail starts and its period, when its last frames repeat
    /// (at least three times, six frames or more): the printed stack ends inside a recursion.
    static func recursiveTail<C: RandomAccessCollection<StackFrame>>(_ stack: C) -> (Int, Int)? where C.Index == Int {
        let n = stack.count
        guard n >= 6 else { return nil }
        @inline(__always) func same(_ a: Int, _ b: Int) -> Bool {
            stack[a].method == stack[b].method && stack[a].className == stack[b].className
        }
        let last = stack.endIndex - 1
        for period in 1...min(16, n / 3) where (0..<period).allSatisfy({ same(last - $0, last - $0 - period) }) {
            var s = last - period
            while s > stack.startIndex, same(s - 1, s - 1 + period) { s -= 1 }
            if stack.endIndex - s >= max(3 * period, 6) { return (s, period) }
        }
        return nil
    }

    func pickTop<C: RandomAccessCollection<StackFrame>>(_ stack: C, _ mode: PickMode, counts: inout RuleCounts) -> Picked
    where C.Index == Int {
        var picked = Picked()
        var repeated = 0
        for i in stack.indices.prefix(Self.maxScannedFrames) {
            let n = FrameNormalizer.normalize(stack[i])
            counts.add(n.rules)
            if n.isGenerated { continue }
            switch mode {
            case .inApp: if !packages.isInApp(n.className) { continue }
            case .libraries: if packages.isJDK(n.className) { continue }
            case .any: break
            }
            let text = n.text
            // Recursion: a frame already taken nearer the throw is dropped, so `A A A`,
            // `A B A B A B` and `A B A` give the same frames at any depth or phase.
            if picked.frames.contains(text) { repeated += 1; continue }
            if picked.frames.count == Self.maxFrames {
                picked.notes.append("frames from \(text) on ignored (beyond the top \(Self.maxFrames))")
                break
            }
            if mode == .inApp, !picked.frames.isEmpty {
                if Self.isEntryPoint(n.className) {
                    picked.notes.append("frames from \(text) on ignored (entry path)")
                    break
                }
                if let caller = Self.dispatcher(calling: stack, at: i) {
                    picked.notes.append("frames from \(text) on ignored (entry path: called by \(caller))")
                    break
                }
            }
            picked.frames.append(text)
        }
        if repeated > 0 { picked.notes.insert("recursion collapsed: \(repeated) repeated frames dropped", at: 0) }
        return picked
    }

    /// Library frames of `stack`, or all its frames when it holds nothing but the JDK's.
    func pickOutsideApp<C: RandomAccessCollection<StackFrame>>(_ stack: C) -> (picked: Picked, jdkOnly: Bool)
    where C.Index == Int {
        var counted = RuleCounts()   // the in-app pass already counted these frames
        let p = pick(stack, .libraries, counts: &counted)
        if !p.frames.isEmpty { return (p, false) }
        return (pick(stack, .any, counts: &counted), true)
    }

    /// Frameworks and JDK classes that call into application code where a request, message,
    /// job or thread enters it, whatever the application class is named: a `@Scheduled`
    /// method in `ScheduledTasks`, a `@KafkaListener` in `OrderEvents`, a `Runnable` handed to
    /// an executor. A method is matched by `class.method`; `class.*` matches any method.
    /// Spring AOP's reflective calls (`AopUtils.invokeJoinpointUsingReflection`) are not
    /// here on purpose: they call a service from another service, not from outside.
    public static let entryDispatchers: Set<String> = [
        // threads and executors
        "java.lang.Thread.run",
        "java.util.concurrent.ThreadPoolExecutor.runWorker",
        "java.util.concurrent.FutureTask.run",
        "java.util.concurrent.FutureTask.runAndReset",
        "java.util.concurrent.Executors$RunnableAdapter.call",
        "java.util.concurrent.CompletableFuture$AsyncSupply.run",
        "java.util.concurrent.CompletableFuture$AsyncRun.run",
        "java.util.TimerThread.mainLoop",
        // schedulers
        "org.springframework.scheduling.support.ScheduledMethodRunnable.run",
        "org.springframework.scheduling.quartz.QuartzJobBean.execute",
        "org.quartz.core.JobRunShell.run",
        "com.xxl.job.core.handler.impl.MethodJobHandler.execute",
        "com.xxl.job.core.thread.JobThread.run",
        // web and RPC handlers
        "org.springframework.web.method.support.InvocableHandlerMethod.doInvoke",
        "org.springframework.web.reactive.result.method.InvocableHandlerMethod.*",
        "javax.servlet.http.HttpServlet.service",
        "jakarta.servlet.http.HttpServlet.service",
        "org.apache.catalina.core.ApplicationFilterChain.internalDoFilter",
        "io.grpc.stub.ServerCalls$UnaryServerCallHandler$UnaryServerCallListener.onHalfClose",
        // messages and events
        "org.springframework.messaging.handler.invocation.InvocableHandlerMethod.doInvoke",
        "org.springframework.context.event.ApplicationListenerMethodAdapter.doInvoke",
        "org.springframework.kafka.listener.KafkaMessageListenerContainer$ListenerConsumer.*",
        "org.springframework.jms.listener.AbstractMessageListenerContainer.doInvokeListener",
        "org.springframework.amqp.rabbit.listener.AbstractMessageListenerContainer.doInvokeListener",
        "org.apache.rocketmq.client.impl.consumer.ConsumeMessageConcurrentlyService$ConsumeRequest.run",
        "org.apache.rocketmq.client.impl.consumer.ConsumeMessageOrderlyService$ConsumeRequest.run",
    ]

    /// Reflection between a dispatcher and the method it calls.
    static let reflectionPrefixes = ["sun.reflect.", "jdk.internal.reflect.", "java.lang.reflect.", "java.lang.invoke."]
    /// Proxy machinery between a caller and a proxied bean (`@Transactional`, `@Scheduled` with
    /// a lock, `@Retryable`): the CGLIB and AOP invocation chain.
    static let proxyChainPrefixes = [
        "org.springframework.aop.", "org.springframework.cglib.proxy.", "org.aopalliance.",
        "org.springframework.transaction.interceptor.", "org.springframework.cache.interceptor.",
        "org.springframework.retry.interceptor.", "org.springframework.retry.support.",
        "org.springframework.validation.beanvalidation.", "org.springframework.security.access.intercept.",
        "org.springframework.security.authorization.method.",
    ]

    /// An AOP Alliance interceptor's `invoke` (`TransactionInterceptor.invoke`, ShedLock's
    /// `…$LockingInterceptor.invoke`): a link of a proxy's chain, whoever wrote it.
    static func isInterceptor(_ n: NormalizedFrame) -> Bool {
        n.method == "invoke" && n.className.hasSuffix("Interceptor")
    }

    /// The dispatcher that calls frame `i` of `stack` (`class.method`), looking through
    /// reflection, generated frames and a proxy's interceptor chain; nil when its caller is
    /// anything else (a service calling a proxied service is not an entry).
    static func dispatcher<C: RandomAccessCollection<StackFrame>>(calling stack: C, at i: Int) -> String?
    where C.Index == Int {
        for j in (i + 1)..<min(stack.endIndex, i + 48) {
            let n = FrameNormalizer.normalize(stack[j])
            if n.isGenerated || reflectionPrefixes.contains(where: { n.className.hasPrefix($0) }) { continue }
            // the chain, and the CGLIB proxy class whose method starts it
            if proxyChainPrefixes.contains(where: { n.className.hasPrefix($0) }) || isInterceptor(n) || n.rules.contains(.cglib) { continue }
            let text = n.text
            return entryDispatchers.contains(text) || entryDispatchers.contains(n.className + ".*") ? text : nil
        }
        return nil
    }

    static func isEntryPoint(_ className: String) -> Bool {
        var name = className
        return name.withUTF8 { b in
            // Simple name of the outermost class: after the last `.`, before the first `$` after it.
            var start = 0, end = b.count
            for i in 0..<b.count {
                let c = b[i]
                if c == UInt8(ascii: ".") { start = i + 1; end = b.count }
                else if c == UInt8(ascii: "$"), end == b.count { end = i }
            }
            outer: for suffix in entryPointSuffixBytes where end - start >= suffix.count {
                let from = end - suffix.count
                for k in 0..<suffix.count where b[from + k] != suffix[k] { continue outer }
                return true
            }
            return false
        }
    }

    private static let entryPointSuffixBytes = entryPointClassSuffixes.map { Array($0.utf8) }

    // MARK: - id

    /// `v1:` + the top 48 bits of FNV-1a 64 over the key's UTF-8, as 12 lowercase hex digits.
    /// FNV is written out here on purpose: Swift's `Hasher` is seeded per process.
    static func id(for key: String) -> String {
        var k = key
        let h = k.withUTF8 { b -> UInt64 in
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for c in b { h = (h ^ UInt64(c)) &* 0x0000_0100_0000_01b3 }
            return h
        }
        let hex = String(h >> 16, radix: 16)
        return "v\(algorithmVersion):" + String(repeating: "0", count: 12 - hex.count) + hex
    }
}

/// One throwable's complete stack, as references into the chain's frame arrays.
struct FullStack: RandomAccessCollection {
    struct Ref { var t: Int32; var f: Int32 }
    let ts: [ThrowableInfo]
    let refs: [Ref]
    var startIndex: Int { 0 }
    var endIndex: Int { refs.count }
    subscript(i: Int) -> StackFrame {
        let r = refs[i]
        return ts[Int(r.t)].frames[Int(r.f)]
    }
}

/// How often each normalisation rule fired on the frames examined while signing one event.
struct RuleCounts {
    private var counts = [Int](repeating: 0, count: NormalizationRule.allCases.count)

    mutating func add(_ rules: NormalizationRules) {
        // Bit i is the i-th case of `NormalizationRule` (see `NormalizationRule.bit`).
        var bits = rules.rawValue
        while bits != 0 {
            counts[bits.trailingZeroBitCount] += 1
            bits &= bits - 1
        }
    }

    /// `frame normalisation: line-number ×12, lambda ×2, cglib ×1`, or nil when none fired.
    var summary: String? {
        let parts = NormalizationRule.allCases.enumerated().compactMap { i, r in
            counts[i] > 0 ? "\(r.rawValue) ×\(counts[i])" : nil
        }
        return parts.isEmpty ? nil : "frame normalisation: " + parts.joined(separator: ", ")
    }
}

/// A normalisation rule that can fire on a stack frame. The raw value is the name shown in
/// "why grouped" explanations.
public enum NormalizationRule: String, Sendable, CaseIterable, Codable {
    /// `(Foo.java:42)`, `(Native Method)`, `(Unknown Source)` dropped.
    case lineNumber = "line-number"
    /// Module / class-loader prefix (`java.base/`, `app//`, `java.sql@17.0.2/`) dropped.
    case jdkModule = "jdk-module"
    /// Logback's jar suffix (`~[spring-jdbc-5.3.20.jar:5.3.20]`) dropped.
    case jar
    /// `Foo$$Lambda$123/0x…`, `Foo$$Lambda/0x…`, `Foo$$Lambda$123/456` → `Foo$$Lambda`;
    /// `lambda$place$3` → `lambda$place`; Scala `$anonfun$run$1` → `$anonfun$run`; Kotlin
    /// `place$lambda$0` / `place$lambda-0` → `place$lambda`, `Foo$place$1` → `Foo$place`;
    /// Scala 2.11 `Foo$$anonfun$place$1` → `Foo$$anonfun$place`; Groovy `Foo$_place_closure1`
    /// → `Foo$_place_closure`.
    case lambda
    /// Other hidden classes: `LambdaForm$MH/0x…` → `LambdaForm$MH`.
    case hiddenClass = "hidden-class"
    /// `$Proxy12`, `com.sun.proxy.$Proxy12`, `jdk.proxy2.$Proxy57` → `$Proxy`.
    case proxy
    /// `$$EnhancerBySpringCGLIB$$…`, `$$FastClassBySpringCGLIB$$…`, `$$SpringCGLIB$$0`,
    /// `CGLIB$place$0` → base class / `CGLIB$place`.
    case cglib
    /// `_$$_javassist_12`, `_$$_jvst…` → base class.
    case javassist
    /// `$HibernateProxy$AbCdEf12`, `$HibernateProxy` (Hibernate 6.6+) → base class.
    case hibernateProxy = "hibernate-proxy"
    /// `$$EnhancerByGuice$$…`, `$$FastClassByGuice$$…` → base class.
    case guice
    /// `$ByteBuddy$aBcD1234` → base class.
    case bytebuddy
    /// `$MockitoMock$123456`, `$$EnhancerByMockitoWithCGLIB$$…` → base class.
    case mockito
    /// `GeneratedMethodAccessor12`, `GeneratedConstructorAccessor45`,
    /// `GeneratedSerializationConstructorAccessor7` → without the number.
    case accessor
    /// javac's synthetic `access$000` → `access$`, and machinery (JDK 11 has no such frame).
    case syntheticAccessor = "synthetic-accessor"
    /// Clojure `$fn__1234` → `$fn`.
    case clojure
    /// Object address `@1a2b3c` dropped.
    case address
    /// Framework-generated subclasses that only forward a call: Quarkus ArC `Foo_Subclass`,
    /// `Foo_Subclass$$function$$3`, `Foo_ClientProxy`; Micronaut `$Foo$Definition$Intercepted`,
    /// `$Foo$Definition$Exec`, `$FooDefinition$Intercepted` (skipped like proxies).
    case generatedSubclass = "generated-subclass"

    var bit: UInt32 {
        switch self {
        case .lineNumber: 1 << 0
        case .jdkModule: 1 << 1
        case .jar: 1 << 2
        case .lambda: 1 << 3
        case .hiddenClass: 1 << 4
        case .proxy: 1 << 5
        case .cglib: 1 << 6
        case .javassist: 1 << 7
        case .hibernateProxy: 1 << 8
        case .guice: 1 << 9
        case .bytebuddy: 1 << 10
        case .mockito: 1 << 11
        case .accessor: 1 << 12
        case .syntheticAccessor: 1 << 13
        case .clojure: 1 << 14
        case .address: 1 << 15
        case .generatedSubclass: 1 << 16
        }
    }
}

/// A set of `NormalizationRule`s, one bit each.
public struct NormalizationRules: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ rule: NormalizationRule) { rawValue = rule.bit }

    public mutating func insert(_ rule: NormalizationRule) { formUnion(NormalizationRules(rule)) }
    public func contains(_ rule: NormalizationRule) -> Bool { rawValue & rule.bit != 0 }
    /// The rules in declaration order.
    public var rules: [NormalizationRule] { NormalizationRule.allCases.filter { contains($0) } }
    public var names: [String] { rules.map(\.rawValue) }
}

/// One frame after normalisation.
public struct NormalizedFrame: Sendable, Hashable {
    /// Class without module, generated suffixes, hidden-class ids or addresses.
    public var className: String
    public var method: String
    public var rules: NormalizationRules
    /// True for pure machinery that never names application logic: lambda trampolines
    /// (`$$Lambda`), JDK proxies, reflection accessors, CGLIB fast classes and `CGLIB$…` methods.
    public var isGenerated: Bool

    /// `class.method`, the stable form used in signatures.
    public var text: String { className + "." + method }
}

/// Turns a `StackFrame` into a stable `class.method`: everything that differs between builds,
/// JVMs or runs of the same code (line numbers, modules, generated-class ids) is removed, and
/// everything that tells two pieces of code apart (enclosing method of a lambda, base class of
/// a proxy) is kept.
public enum FrameNormalizer {
    public static func normalize(_ frame: StackFrame) -> NormalizedFrame {
        var rules = NormalizationRules()
        if frame.line != nil { rules.insert(.lineNumber) }
        if let m = frame.module, !m.isEmpty { rules.insert(.jdkModule) }
        if let j = frame.jar, !j.isEmpty { rules.insert(.jar) }
        var generated = false
        let cls = normalizeClass(frame.className, module: frame.module, rules: &rules, generated: &generated)
        let method = normalizeMethod(frame.method, rules: &rules, generated: &generated)
        // Spring 6 names its CGLIB fast classes like the proxy (`Config$$SpringCGLIB$$2.invoke`,
        // 6.1: `$$SpringCGLIB$$FastClass$$0`), where Spring 5 said `$$FastClassBySpringCGLIB$$`.
        if !generated, rules.contains(.cglib), method == "invoke" || frame.className.contains("$$SpringCGLIB$$FastClass"),
           frame.className.contains("$$SpringCGLIB$$") {
            generated = true
        }
        return NormalizedFrame(className: cls, method: method, rules: rules, isGenerated: generated)
    }

    /// Convenience: the `class.method` text only.
    public static func text(_ frame: StackFrame) -> String { normalize(frame).text }

    // MARK: - class names

    private static let dollar = UInt8(ascii: "$"), slash = UInt8(ascii: "/"), at = UInt8(ascii: "@")
    private static let dot = UInt8(ascii: "."), underscore = UInt8(ascii: "_")

    static func normalizeClass(_ name: String, module: String?, rules: inout NormalizationRules,
                               generated: inout Bool) -> String {
        // Fast path: plain `com.acme.Foo` (no `$`, `/`, `@`) that is not a reflection accessor.
        let plain = withBytes(name) { b -> Bool in
            var lastDot = -1
            for i in 0..<b.count {
                let c = b[i]
                if c == dollar || c == slash || c == at || c == underscore { return false }
                if c == dot { lastDot = i }
            }
            if lastDot < 0, module != nil { return false }
            return !hasPrefix(b, at: lastDot + 1, generatedPrefix)
        }
        if plain { return name }

        var a = Array(name.utf8)
        // A parser that split `Foo$$Lambda$12/0x…` at its `/` leaves the hidden-class id as the
        // "class"; put the halves back together.
        if let module, !module.isEmpty, isHiddenSuffix(a[...]) {
            a = Array(module.utf8) + [slash] + a
        }
        var hiddenStripped = false
        if let s = a.lastIndex(of: slash) {
            if s > 0, s + 1 < a.count, isHiddenSuffix(a[(s + 1)...]) {
                a.removeSubrange(s...)
                hiddenStripped = true
            }
            if let m = a.lastIndex(of: slash) {
                a.removeSubrange(...m)
                rules.insert(.jdkModule)
            }
        }
        if a.contains(dollar) {
            // One pass over the `$`s: the earliest generated-class marker is cut to the end.
            var p = 0
            scan: while p < a.count {
                if a[p] == dollar {
                    if hasPrefix(a, at: p, lambdaMarker) {
                        a.removeSubrange((p + lambdaMarker.count)...)
                        rules.insert(.lambda)
                        generated = true
                        hiddenStripped = false
                        break scan
                    }
                    for (marker, rule, isGenerated) in suffixMarkers {
                        let at = marker[0] == dollar ? p : p - 1   // `_$$_javassist_` starts before the `$`
                        if at > 0, hasPrefix(a, at: at, marker) {
                            a.removeSubrange(at...)
                            rules.insert(rule)
                            if isGenerated { generated = true }
                            break scan
                        }
                    }
                }
                p += 1
            }
            if a.count > hibernateSuffix.count, a.suffix(hibernateSuffix.count).elementsEqual(hibernateSuffix) {
                a.removeLast(hibernateSuffix.count)
                rules.insert(.hibernateProxy)
            }
            if jvmLanguageLambda(&a) { rules.insert(.lambda) }
            // Simple name `$Proxy<digits>`: the package depends on the JDK and the loader.
            let simpleStart = (a.lastIndex(of: dot).map { $0 + 1 }) ?? 0
            if hasPrefix(a, at: simpleStart, proxyMarker), simpleStart + proxyMarker.count < a.count,
               a[(simpleStart + proxyMarker.count)...].allSatisfy(isDigit) {
                a = proxyMarker
                rules.insert(.proxy)
                generated = true
            }
            // Clojure `$fn__1234`.
            var from = 0
            while let r = find(a, clojureMarker, from: from) {
                var e = r.upperBound
                while e < a.count, isDigit(a[e]) { e += 1 }
                if e > r.upperBound {
                    a.removeSubrange((r.upperBound - 2)..<e)   // drop `__` and the digits
                    rules.insert(.clojure)
                }
                from = r.lowerBound + 3
            }
        }
        if isForwardingSubclass(a) {
            rules.insert(.generatedSubclass)
            generated = true
        }
        if hiddenStripped { rules.insert(.hiddenClass) }
        // Reflection accessors: `GeneratedMethodAccessor12` → `GeneratedMethodAccessor`.
        let simpleStart = (a.lastIndex(of: dot).map { $0 + 1 }) ?? 0
        if hasPrefix(a, at: simpleStart, generatedPrefix) {
            for acc in accessorNames where hasPrefix(a, at: simpleStart, acc) {
                let numStart = simpleStart + acc.count
                if numStart < a.count, a[numStart...].allSatisfy(isDigit) {
                    a.removeSubrange(numStart...)
                    rules.insert(.accessor)
                    generated = true
                }
                break
            }
        }
        // Object address `Foo@1a2b3c`.
        if let p = a.lastIndex(of: at), p > 0, p + 1 < a.count, a[(p + 1)...].allSatisfy(isHex) {
            a.removeSubrange(p...)
            rules.insert(.address)
        }
        return String(decoding: a, as: UTF8.self)
    }

    // MARK: - method names

    static func normalizeMethod(_ name: String, rules: inout NormalizationRules, generated: inout Bool) -> String {
        guard withBytes(name, { $0.contains(dollar) }) else { return name }
        var a = Array(name.utf8)
        if a.starts(with: lambdaMethod) {
            // javac `lambda$place$3` → `lambda$place`; ECJ `lambda$0` → `lambda$`.
            let rest = a[lambdaMethod.count...]
            if !rest.isEmpty, rest.allSatisfy(isDigit) {
                a.removeSubrange(lambdaMethod.count...)
            } else {
                stripTrailingDollarNumber(&a)
            }
            rules.insert(.lambda)
        } else if let r = find(a, kotlinLambda) ?? find(a, kotlinLambdaDash),
                  r.upperBound < a.count, a[r.upperBound...].allSatisfy(isDigit) {
            // Kotlin `place$lambda$0`, `place$lambda-0` → `place$lambda`.
            a.removeSubrange((r.upperBound - 1)...)
            rules.insert(.lambda)
        } else if find(a, anonfunMarker) != nil {
            // Scala `$anonfun$run$1` / `$anonfun$run$1$adapted` → `$anonfun$run` / `…$adapted`.
            removeDollarNumbers(&a)
            rules.insert(.lambda)
        } else if a.starts(with: cglibMethod) {
            stripTrailingDollarNumber(&a)
            rules.insert(.cglib)
            generated = true
        } else if a.starts(with: accessMethod), a.count > accessMethod.count,
                  a[accessMethod.count...].allSatisfy(isDigit) {
            a.removeSubrange(accessMethod.count...)
            rules.insert(.syntheticAccessor)
            // JDK 11's nestmates call private members directly: the frame exists only on
            // JDK 8, so it must not take a place in a signature.
            generated = true
        } else {
            return name
        }
        return String(decoding: a, as: UTF8.self)
    }

    // MARK: - byte helpers

    private static let lambdaMarker = Array("$$Lambda".utf8)
    private static let proxyMarker = Array("$Proxy".utf8)
    private static let clojureMarker = Array("$fn__".utf8)
    private static let generatedPrefix = Array("Generated".utf8)
    private static let accessorNames = [
        Array("GeneratedSerializationConstructorAccessor".utf8),
        Array("GeneratedConstructorAccessor".utf8),
        Array("GeneratedMethodAccessor".utf8),
    ]
    private static let lambdaMethod = Array("lambda$".utf8)
    private static let anonfunMarker = Array("$anonfun$".utf8)
    private static let cglibMethod = Array("CGLIB$".utf8)
    private static let accessMethod = Array("access$".utf8)
    private static let kotlinLambda = Array("$lambda$".utf8)
    private static let kotlinLambdaDash = Array("$lambda-".utf8)
    private static let hibernateSuffix = Array("$HibernateProxy".utf8)
    private static let quarkusMarkers = [Array("_Subclass".utf8), Array("_ClientProxy".utf8)]
    private static let micronautMarkers = [Array("Definition$Intercepted".utf8), Array("Definition$Exec".utf8)]
    private static let closureMarker = Array("_closure".utf8)

    /// Quarkus ArC and Micronaut classes generated to forward a call to the bean
    /// (`OrderService_Subclass`, `…_Subclass$$function$$3`, `…_ClientProxy`,
    /// `$OrderService$Definition$Intercepted`, `$OrderServiceDefinition$Exec`).
    static func isForwardingSubclass(_ a: [UInt8]) -> Bool {
        let simpleStart = (a.lastIndex(of: dot).map { $0 + 1 }) ?? 0
        for m in quarkusMarkers {
            if let r = find(a, m, from: simpleStart), r.upperBound == a.count || a[r.upperBound] == dollar { return true }
        }
        guard simpleStart < a.count, a[simpleStart] == dollar else { return false }
        for m in micronautMarkers {
            if let r = find(a, m, from: simpleStart), r.upperBound == a.count || a[r.upperBound] == dollar { return true }
        }
        return false
    }

    /// Numbered lambda classes of other JVM languages, whose number changes with unrelated
    /// edits: Kotlin `Foo$place$1` (a lowercase enclosing method before the number; Java's
    /// anonymous `Foo$1` names no method and is kept), Scala 2.11 `Foo$$anonfun$place$1`,
    /// Groovy `Foo$_place_closure1`. Returns whether a number was dropped.
    static func jvmLanguageLambda(_ a: inout [UInt8]) -> Bool {
        if find(a, anonfunMarker) != nil {
            let before = a.count
            removeDollarNumbers(&a)
            return a.count != before
        }
        var e = a.count
        while e > 0, isDigit(a[e - 1]) { e -= 1 }
        guard e < a.count, e > 0 else { return false }
        if a[e - 1] == dollar {
            // `…$place$1`: the segment before is a method name
            var s = e - 1
            while s > 0, a[s - 1] != dollar, a[s - 1] != dot { s -= 1 }
            guard s > 0, a[s - 1] == dollar, s < e - 1, a[s] &- 97 < 26 else { return false }
            a.removeSubrange((e - 1)...)
            return true
        }
        if e >= closureMarker.count, a[(e - closureMarker.count)..<e].elementsEqual(closureMarker) {
            a.removeSubrange(e...)
            return true
        }
        return false
    }

    /// Generated-subclass markers, cut from the marker to the end of the class name.
    /// Order matters where one marker contains another.
    private static let suffixMarkers: [([UInt8], NormalizationRule, Bool)] = [
        (Array("$$EnhancerBySpringCGLIB$$".utf8), .cglib, false),
        (Array("$$FastClassBySpringCGLIB$$".utf8), .cglib, true),
        (Array("$$SpringCGLIB$$".utf8), .cglib, false),
        (Array("$$EnhancerByGuice$$".utf8), .guice, false),
        (Array("$$FastClassByGuice$$".utf8), .guice, true),
        (Array("$$EnhancerByMockitoWithCGLIB$$".utf8), .mockito, false),
        (Array("$$EnhancerByCGLIB$$".utf8), .cglib, false),
        (Array("$$FastClassByCGLIB$$".utf8), .cglib, true),
        (Array("$$EnhancerBy".utf8), .cglib, false),
        (Array("$$FastClassBy".utf8), .cglib, true),
        (Array("_$$_javassist_".utf8), .javassist, false),
        (Array("_$$_jvst".utf8), .javassist, false),
        (Array("$HibernateProxy$".utf8), .hibernateProxy, false),
        (Array("$$ByteBuddy$$".utf8), .bytebuddy, false),
        (Array("$ByteBuddy$".utf8), .bytebuddy, false),
        (Array("$MockitoMock$".utf8), .mockito, false),
    ]

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c &- 48 < 10 }
    @inline(__always) static func isHex(_ c: UInt8) -> Bool {
        c &- 48 < 10 || (c | 0x20) &- 97 < 6
    }

    /// `0x0000000800c4b440` or `2081171245`: the id after a hidden class's `/`.
    private static func isHiddenSuffix(_ s: ArraySlice<UInt8>) -> Bool {
        guard !s.isEmpty else { return false }
        var body = s
        if s.count > 2, s[s.startIndex] == UInt8(ascii: "0"), s[s.startIndex + 1] | 0x20 == UInt8(ascii: "x") {
            body = s[(s.startIndex + 2)...]
            return body.allSatisfy(isHex)
        }
        return body.allSatisfy(isDigit)
    }

    /// Runs `body` over the string's UTF-8 without copying when the storage is contiguous.
    @inline(__always)
    private static func withBytes<R>(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let r = s.utf8.withContiguousStorageIfAvailable(body) { return r }
        return Array(s.utf8).withUnsafeBufferPointer(body)
    }

    @inline(__always)
    private static func hasPrefix<C: RandomAccessCollection<UInt8>>(_ a: C, at i: Int, _ p: [UInt8]) -> Bool
    where C.Index == Int {
        guard i >= a.startIndex, i + p.count <= a.endIndex else { return false }
        for k in 0..<p.count where a[i + k] != p[k] { return false }
        return true
    }

    private static func find(_ a: [UInt8], _ needle: [UInt8], from: Int = 0) -> Range<Int>? {
        guard needle.count <= a.count, from <= a.count - needle.count else { return nil }
        let first = needle[0]
        var i = from
        let last = a.count - needle.count
        while i <= last {
            if a[i] == first {
                var j = 1
                while j < needle.count, a[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i..<(i + needle.count) }
            }
            i += 1
        }
        return nil
    }

    /// `name$3` → `name`.
    private static func stripTrailingDollarNumber(_ a: inout [UInt8]) {
        var e = a.count
        while e > 0, isDigit(a[e - 1]) { e -= 1 }
        if e < a.count, e > 0, a[e - 1] == dollar { a.removeSubrange((e - 1)...) }
    }

    /// Removes every `$<digits>` segment (`$anonfun$run$1$adapted` → `$anonfun$run$adapted`).
    private static func removeDollarNumbers(_ a: inout [UInt8]) {
        var out: [UInt8] = []
        out.reserveCapacity(a.count)
        var i = 0
        while i < a.count {
            if a[i] == dollar {
                var e = i + 1
                while e < a.count, isDigit(a[e]) { e += 1 }
                if e > i + 1, e == a.count || a[e] == dollar { i = e; continue }
            }
            out.append(a[i])
            i += 1
        }
        a = out
    }
}

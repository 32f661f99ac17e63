/// Which stack frames are application code and which are context (JDK, frameworks, drivers).
///
/// A frame is *in-app* when its (normalised) class is under none of `FrameworkPackages.prefixes`;
/// when the user names the application's packages (`--app-package`), exactly the classes under
/// them are.
/// Only in-app frames identify *where* a fault happened; framework frames only say *how*.
public struct FrameworkPackages: Sendable {
    /// Package prefixes whose frames are context, not application code.
    ///
    /// To extend: add the package with its trailing dot (`"org.example.lib."`), keep the group
    /// order, and add a case to `FrameworkPackagesTests` if the package is easy to confuse with
    /// application code. Do not add a prefix that an application of ours could live under
    /// (e.g. `org.apache.` as a whole: Apache DolphinScheduler *is* the application in seed 000).
    /// Changing this list changes signature ids: bump `Signer.algorithmVersion` when you do.
    public static let prefixes: [String] = [
        // JDK and language runtimes
        "java.", "javax.", "jakarta.", "jdk.", "sun.", "com.sun.", "com.oracle.",
        "org.w3c.", "org.xml.", "org.ietf.", "kotlin.", "kotlinx.", "scala.", "groovy.",
        "org.codehaus.groovy.", "org.apache.groovy.", "clojure.",
        // Spring, AOP, proxies, DI
        "org.springframework.", "org.aspectj.", "net.bytebuddy.", "net.sf.cglib.", "javassist.",
        "com.google.inject.", "org.mockito.", "org.junit.", "junit.", "org.testng.",
        // ORM / SQL mappers
        "org.apache.ibatis.", "org.mybatis.", "com.baomidou.mybatisplus.", "tk.mybatis.",
        "com.github.pagehelper.", "org.hibernate.", "org.jooq.", "org.apache.shardingsphere.",
        // connection pools
        "com.alibaba.druid.", "com.zaxxer.hikari.", "org.apache.commons.dbcp.",
        "org.apache.commons.dbcp2.", "org.apache.commons.pool.", "org.apache.commons.pool2.",
        "org.apache.tomcat.", "com.mchange.", "com.jolbox.bonecp.",
        // JDBC drivers
        "com.mysql.", "org.mariadb.", "org.postgresql.", "oracle.jdbc.", "oracle.net.",
        "com.microsoft.sqlserver.", "net.sourceforge.jtds.", "com.ibm.db2.", "org.h2.",
        "org.hsqldb.", "org.sqlite.", "dm.jdbc.",
        // servlet containers and servers
        "org.apache.catalina.", "org.apache.coyote.", "org.apache.jasper.", "io.undertow.",
        "org.eclipse.jetty.", "org.glassfish.", "org.jboss.", "io.netty.", "io.vertx.",
        // reactive, RPC, HTTP clients, messaging
        "reactor.", "io.reactivex.", "rx.", "feign.", "io.grpc.", "okhttp3.", "okio.",
        "retrofit2.", "org.apache.http.", "org.apache.hc.", "org.apache.cxf.",
        "org.apache.dubbo.", "com.alibaba.dubbo.", "org.apache.kafka.", "org.apache.rocketmq.",
        "com.rabbitmq.", "io.lettuce.", "redis.clients.", "org.redisson.",
        // general-purpose libraries
        "com.google.common.", "com.google.gson.", "com.google.protobuf.",
        "com.fasterxml.jackson.", "com.alibaba.fastjson.", "com.alibaba.fastjson2.",
        "org.apache.commons.lang.", "org.apache.commons.lang3.", "org.apache.commons.io.",
        "org.apache.commons.collections.", "org.apache.commons.collections4.",
        "org.apache.commons.beanutils.", "cn.hutool.",
        // logging, metrics, tracing
        "ch.qos.logback.", "org.slf4j.", "org.apache.logging.", "org.apache.log4j.",
        "io.micrometer.", "brave.", "io.opentelemetry.", "io.opentracing.",
        "org.apache.skywalking.",
        // schedulers and cloud plumbing
        "org.quartz.", "com.xxl.job.", "com.netflix.", "io.github.resilience4j.",
        "com.alibaba.nacos.", "com.alibaba.csp.sentinel.", "com.alibaba.cloud.",
        "io.seata.", "org.apache.seata.", "org.apache.shiro.",
        // more frameworks, pools and clients (frames under them are not where a fault is)
        "io.quarkus.", "io.smallrye.", "io.micronaut.", "io.agroal.", "io.r2dbc.",
        "com.mongodb.", "org.bson.", "org.elasticsearch.", "co.elastic.", "com.datastax.",
        "software.amazon.awssdk.", "com.amazonaws.", "com.github.benmanes.caffeine.",
        "org.ehcache.", "net.sf.ehcache.", "com.hazelcast.", "org.infinispan.",
        "org.flywaydb.", "liquibase.", "org.jobrunr.", "dev.failsafe.", "net.jodah.failsafe.",
        "graphql.", "io.temporal.", "org.camunda.", "org.thymeleaf.", "freemarker.",
        "org.apache.poi.", "io.jsonwebtoken.", "com.nimbusds.", "org.keycloak.", "weblogic.",
        "com.ibm.ws.", "org.apache.ignite.",
    ]

    /// The JDK's own packages: skipped when looking for the library that threw.
    public static let jdkPrefixes: [String] = [
        "java.", "javax.", "jdk.", "sun.", "com.sun.", "org.w3c.", "org.xml.", "org.ietf.",
    ]

    private let frameworkTable: PrefixTable
    private let jdkTable: PrefixTable
    private let appTable: PrefixTable
    private let hasAppPackages: Bool

    /// - Parameters:
    ///   - appPackages: `--app-package` values (`com.acme` or `com.acme.`); a class under one of
    ///     them is in-app even when it is also under a framework prefix.
    ///   - additionalFrameworkPrefixes: more context packages, appended to `prefixes`.
    public init(appPackages: [String] = [], additionalFrameworkPrefixes: [String] = []) {
        frameworkTable = PrefixTable(Self.prefixes + additionalFrameworkPrefixes.map(Self.packagePrefix))
        jdkTable = PrefixTable(Self.jdkPrefixes)
        appTable = PrefixTable(appPackages.filter { !$0.isEmpty }.map(Self.packagePrefix))
        hasAppPackages = appPackages.contains { !$0.isEmpty }
    }

    /// True when frames of `className` are application code: under an `--app-package` when
    /// some were given (then nothing else is), otherwise under no framework prefix.
    public func isInApp(_ className: String) -> Bool {
        if hasAppPackages { return isUnderAppPackage(className) }
        return frameworkTable.match(className) == nil
    }

    /// The framework prefix `className` is under, or nil when it is application code.
    public func frameworkPrefix(of className: String) -> String? {
        if isUnderAppPackage(className) { return nil }
        // with --app-package, an unlisted library is still not the application
        return frameworkTable.match(className) ?? (hasAppPackages ? "other library" : nil)
    }

    /// True for the JDK's own classes (not application code even with `--app-package`).
    public func isJDK(_ className: String) -> Bool {
        jdkTable.match(className) != nil
    }

    private func isUnderAppPackage(_ className: String) -> Bool {
        appTable.match(className) != nil
    }

    /// `com.acme` → `com.acme.`; a prefix already ending in `.` or `$` is kept.
    private static func packagePrefix(_ p: String) -> String {
        (p.hasSuffix(".") || p.hasSuffix("$")) ? p : p + "."
    }
}

/// A set of package prefixes (each ending in `.` or `$`), matched in one pass over the class
/// name's bytes: a running FNV-1a hash is looked up at each `.`/`$` in a small open-addressing
/// table, and a hit is confirmed byte by byte. The shortest matching prefix wins.
private struct PrefixTable: Sendable {
    private var prefixes: [String] = []
    private var bytes: [[UInt8]] = []
    /// Slot → index into `prefixes` + 1 (0 = empty); `hashes` holds each slot's full hash.
    private var slots: [Int32]
    private var hashes: [UInt64]
    private let mask: Int
    private var maxLength = 0

    init(_ list: [String]) {
        var unique: [String] = []
        for p in list where !p.isEmpty && !unique.contains(p) { unique.append(p) }
        var capacity = 16
        while capacity < unique.count * 4 { capacity <<= 1 }
        mask = capacity - 1
        slots = [Int32](repeating: 0, count: capacity)
        hashes = [UInt64](repeating: 0, count: capacity)
        for p in unique {
            let b = Array(p.utf8)
            var h = Self.basis
            for c in b { h = Self.step(h, c) }
            prefixes.append(p)
            bytes.append(b)
            maxLength = max(maxLength, b.count)
            var i = Int(truncatingIfNeeded: h) & mask
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = Int32(prefixes.count)
            hashes[i] = h
        }
    }

    func match(_ className: String) -> String? {
        if prefixes.isEmpty { return nil }
        if let r = className.utf8.withContiguousStorageIfAvailable({ match($0) }) { return r }
        return Array(className.utf8).withUnsafeBufferPointer { match($0) }
    }

    private func match(_ b: UnsafeBufferPointer<UInt8>) -> String? {
        var h = Self.basis
        let n = min(b.count, maxLength)
        for i in 0..<n {
            let c = b[i]
            h = Self.step(h, c)
            guard c == 46 || c == 36 else { continue }   // `.` `$`
            var s = Int(truncatingIfNeeded: h) & mask
            while slots[s] != 0 {
                if hashes[s] == h {
                    let e = Int(slots[s]) - 1
                    let cand = bytes[e]
                    if cand.count == i + 1, cand.withUnsafeBufferPointer({ memEqual($0, b) }) { return prefixes[e] }
                }
                s = (s + 1) & mask
            }
        }
        return nil
    }

    @inline(__always) private func memEqual(_ p: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        for k in 0..<p.count where p[k] != b[k] { return false }
        return true
    }

    private static let basis: UInt64 = 0xcbf2_9ce4_8422_2325
    @inline(__always) private static func step(_ h: UInt64, _ c: UInt8) -> UInt64 {
        (h ^ UInt64(c)) &* 0x0000_0100_0000_01b3
    }
}

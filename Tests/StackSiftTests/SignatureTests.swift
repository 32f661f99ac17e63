import Foundation
import XCTest
@testable import StackSift

// MARK: - test-only trace reader (the real parser lives in Exceptions/; these tests must not need it)

/// `com.acme.Foo.bar(Foo.java:12)`, `java.base/java.net.X.y(Native Method)`, `app//com.acme.Foo.bar(Foo.java:1)`.
private func frame(_ text: String) -> StackFrame {
    var s = Substring(text.trimmingCharacters(in: .whitespaces))
    if s.hasPrefix("at ") { s = s.dropFirst(3) }
    var jar: String?
    if let sp = s.firstIndex(of: " "), s[sp...].contains("[") {
        jar = String(s[s.index(after: sp)...])
        s = s[..<sp]
    }
    var loc: Substring = ""
    if let p = s.firstIndex(of: "(") {
        loc = s[s.index(after: p)..<(s.lastIndex(of: ")") ?? s.endIndex)]
        s = s[..<p]
    }
    var module: String?
    if let slash = s.firstIndex(of: "/"), !s[..<slash].contains("$"), s[..<slash].count < 40,
       !s[s.index(after: slash)...].allSatisfy({ $0.isHexDigit || $0 == "x" || $0 == "." || $0.isLetter }) || s[..<slash].hasPrefix("java.") || s[..<slash] == "app" {
        // module / class-loader prefix: `java.base/`, `app//`
        module = String(s[..<slash])
        s = s[s.index(after: slash)...]
        if s.hasPrefix("/") { s = s.dropFirst() }
    }
    let dot = s.lastIndex(of: ".")!
    let cls = String(s[..<dot]), method = String(s[s.index(after: dot)...])
    var file: String?, line: Int?, note: String?
    if let colon = loc.lastIndex(of: ":"), let n = Int(loc[loc.index(after: colon)...]) {
        file = String(loc[..<colon]); line = n
    } else if loc.hasSuffix(".java") {
        file = String(loc)
    } else if !loc.isEmpty {
        note = String(loc)
    }
    return StackFrame(className: cls, method: method, file: file, line: line, note: note, module: module, jar: jar)
}

/// Reads a `printStackTrace` text: header, `at` lines, `Caused by:`, `... N more`.
private func chain(_ text: String) -> ExceptionChain {
    var ts: [ThrowableInfo] = []
    for raw in text.split(separator: "\n") {
        let line = raw.trimmingCharacters(in: .whitespaces)
        if line.isEmpty { continue }
        if line.hasPrefix("at ") {
            ts[ts.count - 1].frames.append(frame(line))
        } else if line.hasPrefix("..."), let n = Int(line.split(separator: " ")[1]) {
            ts[ts.count - 1].framesOmitted = n
        } else {
            let header = line.hasPrefix("Caused by: ") ? String(line.dropFirst(11)) : line
            if let r = header.range(of: ": ") {
                ts.append(ThrowableInfo(className: String(header[..<r.lowerBound]), message: String(header[r.upperBound...])))
            } else {
                ts.append(ThrowableInfo(className: header))
            }
        }
    }
    return ExceptionChain(throwables: ts)
}

private func openStack(_ text: String) -> [StackFrame] {
    text.split(separator: "\n").map { String($0) }.filter { $0.contains("at ") }.map(frame)
}

// MARK: - fixtures

/// A Druid pool timeout under Spring's JdbcTemplate, reached from `OrderController.list`.
private let druidViaSpring = """
org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection; nested exception is com.alibaba.druid.pool.GetConnectionTimeoutException: wait millis 5000, active 20, maxActive 20, creating 0
\tat org.springframework.jdbc.datasource.DataSourceUtils.getConnection(DataSourceUtils.java:84)
\tat org.springframework.jdbc.core.JdbcTemplate.execute(JdbcTemplate.java:376)
\tat org.springframework.jdbc.core.JdbcTemplate.query(JdbcTemplate.java:465)
\tat com.acme.order.OrderDao.findByCustomer(OrderDao.java:41)
\tat com.acme.order.OrderService.listOrders(OrderService.java:77)
\tat com.acme.order.OrderService$$EnhancerBySpringCGLIB$$1a2b3c4d.listOrders(<generated>)
\tat com.acme.web.OrderController.list(OrderController.java:30)
\tat sun.reflect.GeneratedMethodAccessor12.invoke(Unknown Source)
\tat sun.reflect.DelegatingMethodAccessorImpl.invoke(DelegatingMethodAccessorImpl.java:43)
\tat java.lang.reflect.Method.invoke(Method.java:498)
\tat org.springframework.web.method.support.InvocableHandlerMethod.doInvoke(InvocableHandlerMethod.java:205)
\tat javax.servlet.http.HttpServlet.service(HttpServlet.java:750)
\tat java.lang.Thread.run(Thread.java:748)
Caused by: com.alibaba.druid.pool.GetConnectionTimeoutException: wait millis 5000, active 20, maxActive 20, creating 0
\tat com.alibaba.druid.pool.DruidDataSource.getConnectionInternal(DruidDataSource.java:1512)
\tat com.alibaba.druid.pool.DruidDataSource.getConnectionDirect(DruidDataSource.java:1255)
\tat com.alibaba.druid.pool.DruidDataSource.getConnection(DruidDataSource.java:1235)
\tat org.springframework.jdbc.datasource.DataSourceUtils.fetchConnection(DataSourceUtils.java:158)
\tat org.springframework.jdbc.datasource.DataSourceUtils.doGetConnection(DataSourceUtils.java:116)
\tat org.springframework.jdbc.datasource.DataSourceUtils.getConnection(DataSourceUtils.java:79)
\t... 12 more
"""

/// The same Druid timeout at the same application code, reached through MyBatis (mapper proxy).
private let druidViaMyBatis = """
org.mybatis.spring.MyBatisSystemException: nested exception is org.apache.ibatis.exceptions.PersistenceException:
Caused by: org.apache.ibatis.exceptions.PersistenceException: ### Error querying database.  Cause: com.alibaba.druid.pool.GetConnectionTimeoutException: wait millis 60010, active 12, maxActive 12, creating 0, createErrorCount 3
\tat org.apache.ibatis.exceptions.ExceptionFactory.wrapException(ExceptionFactory.java:30)
\tat org.apache.ibatis.session.defaults.DefaultSqlSession.selectList(DefaultSqlSession.java:153)
\tat org.mybatis.spring.SqlSessionTemplate$SqlSessionInterceptor.invoke(SqlSessionTemplate.java:427)
\tat com.sun.proxy.$Proxy87.selectList(Unknown Source)
\tat org.apache.ibatis.binding.MapperMethod.execute(MapperMethod.java:82)
\tat org.apache.ibatis.binding.MapperProxy.invoke(MapperProxy.java:59)
\tat com.sun.proxy.$Proxy88.findByCustomer(Unknown Source)
\tat com.acme.order.OrderDao.findByCustomer(OrderDao.java:55)
\tat com.acme.order.OrderService.listOrders(OrderService.java:80)
\tat com.acme.order.OrderService$$EnhancerBySpringCGLIB$$99ffee00.listOrders(<generated>)
\tat com.acme.web.OrderController.list(OrderController.java:31)
\tat java.lang.Thread.run(Thread.java:748)
Caused by: com.alibaba.druid.pool.GetConnectionTimeoutException: wait millis 60010, active 12, maxActive 12, creating 0, createErrorCount 3
\tat com.alibaba.druid.pool.DruidDataSource.getConnectionInternal(DruidDataSource.java:1512)
\tat com.alibaba.druid.pool.DruidDataSource.getConnectionDirect(DruidDataSource.java:1255)
\tat org.mybatis.spring.transaction.SpringManagedTransaction.openConnection(SpringManagedTransaction.java:80)
\t... 10 more
"""

/// A MySQL read timeout inside the application's own DAO, with JDK 8 frame spellings.
private let readTimeoutJDK8 = """
com.mysql.cj.jdbc.exceptions.CommunicationsException: Communications link failure

Caused by: java.net.SocketTimeoutException: Read timed out
\tat java.net.SocketInputStream.socketRead0(Native Method)
\tat java.net.SocketInputStream.socketRead(SocketInputStream.java:116)
\tat com.mysql.cj.protocol.ReadAheadInputStream.fill(ReadAheadInputStream.java:107)
\tat com.mysql.cj.jdbc.ClientPreparedStatement.executeQuery(ClientPreparedStatement.java:1003)
\tat com.acme.report.ReportDao.load(ReportDao.java:88)
\tat com.acme.report.ReportService.build(ReportService.java:12)
\tat com.acme.report.ReportWorker.run(ReportWorker.java:30)
\tat java.lang.Thread.run(Thread.java:748)
"""

/// The same fault on JDK 17: module prefixes, `app//` class-loader prefixes, new line numbers.
private let readTimeoutJDK17 = """
com.mysql.cj.jdbc.exceptions.CommunicationsException: Communications link failure

Caused by: java.net.SocketTimeoutException: Read timed out
\tat java.base/java.net.SocketInputStream.socketRead0(Native Method)
\tat java.base/java.net.SocketInputStream.socketRead(SocketInputStream.java:115)
\tat com.mysql.cj.protocol.ReadAheadInputStream.fill(ReadAheadInputStream.java:107)
\tat com.mysql.cj.jdbc.ClientPreparedStatement.executeQuery(ClientPreparedStatement.java:1003)
\tat app//com.acme.report.ReportDao.load(ReportDao.java:91)
\tat app//com.acme.report.ReportService.build(ReportService.java:14)
\tat app//com.acme.report.ReportWorker.run(ReportWorker.java:31)
\tat java.base/java.lang.Thread.run(Thread.java:833)
"""

final class SignatureTests: XCTestCase {
    private let signer = Signer()

    private func sign(_ text: String, _ log: String = "request failed") -> SignatureKey {
        signer.sign(chain: chain(text), logMessage: log)
    }

    private func assertSame(_ a: SignatureKey, _ b: SignatureKey, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.id, b.id, "\n--- a ---\n\(a.key)\n--- b ---\n\(b.key)", file: file, line: line)
    }

    private func assertApart(_ a: SignatureKey, _ b: SignatureKey, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNotEqual(a.id, b.id, "\n\(a.key)", file: file, line: line)
        XCTAssertNotEqual(a.key, b.key, file: file, line: line)
    }

    // MARK: what goes into the key

    func testDruidTimeoutKeyIsRootCauseLibraryAndTopInAppFrames() {
        let s = sign(druidViaSpring)
        XCTAssertEqual(s.kind, "exception")
        XCTAssertEqual(s.exception, "org.springframework.jdbc.CannotGetJdbcConnectionException")
        XCTAssertEqual(s.rootCause, "com.alibaba.druid.pool.GetConnectionTimeoutException")
        XCTAssertEqual(s.message, "wait millis <NUM>, active <NUM>, maxActive <NUM>, creating")
        XCTAssertEqual(s.frames, ["com.acme.order.OrderDao.findByCustomer", "com.acme.order.OrderService.listOrders"])
        XCTAssertEqual(s.key, """
            v4
            kind=exception
            root=com.alibaba.druid.pool.GetConnectionTimeoutException
            message=wait millis <NUM>, active <NUM>, maxActive <NUM>, creating
            thrown-in=com.alibaba.druid.
            app-wrappers=
            frames=com.acme.order.OrderDao.findByCustomer;com.acme.order.OrderService.listOrders
            log=
            """)
        XCTAssertTrue(s.why.contains("wrapper org.springframework.jdbc.CannotGetJdbcConnectionException ignored (framework)"), "\(s.why)")
        XCTAssertTrue(s.why.contains { $0.hasPrefix("in-app frames of root cause: com.acme.order.OrderDao.findByCustomer") }, "\(s.why)")
        XCTAssertTrue(s.why.contains("frames from com.acme.web.OrderController.list on ignored (entry path)"), "\(s.why)")
        XCTAssertTrue(s.why.contains("recursion collapsed: 1 repeated frames dropped"), "\(s.why)")   // the CGLIB proxy of listOrders
        XCTAssertTrue(s.why.contains { $0.hasPrefix("frame normalisation: line-number ×") && $0.contains("cglib ×1") }, "\(s.why)")
    }

    /// Where a library the list does not know throws, the application's frames under it still
    /// tell two callers apart once `--app-package` names the application.
    func testAppPackagesSeparateCallersOfAnUnlistedLibrary() {
        func agroal(_ caller: String) -> String {
            """
            java.sql.SQLException: Sorry, acquisition timeout!
            \tat net.example.pool.ConnectionPool.handlerFromSharedCache(ConnectionPool.java:320)
            \tat net.example.pool.ConnectionPool.getConnection(ConnectionPool.java:248)
            \tat net.example.pool.DataSource.getConnection(DataSource.java:86)
            \tat com.acme.\(caller)(X.java:10)
            \tat com.acme.web.OrderController.create(OrderController.java:5)
            """
        }
        let s = Signer(appPackages: ["com.acme"])
        let a = s.sign(chain: chain(agroal("order.OrderDao.find")), logMessage: "x")
        let b = s.sign(chain: chain(agroal("stock.StockDao.reserve")), logMessage: "x")
        assertApart(a, b)
        XCTAssertEqual(a.frames, ["com.acme.order.OrderDao.find"])
    }

    /// Quarkus ArC and Micronaut forward calls through generated subclasses: they neither split
    /// a fault (direct call or intercepted) nor use up the key's frames (two callers stay apart).
    func testForwardingSubclassesAreSkipped() {
        func quarkus(_ caller: String, intercepted: Bool) -> String {
            let via = intercepted ? """
            \tat com.acme.OrderService_Subclass.place$$superforward(Unknown Source)
            \tat com.acme.OrderService_Subclass$$function$$7.apply(Unknown Source)
            \tat io.quarkus.arc.impl.AroundInvokeInvocationContext.proceed(AroundInvokeInvocationContext.java:73)
            \tat com.acme.OrderService_Subclass.place(Unknown Source)
            \tat com.acme.OrderService_ClientProxy.place(Unknown Source)

            """ : ""
            return """
            java.lang.IllegalStateException: no stock
            \tat com.acme.OrderService.place(OrderService.java:40)
            \(via)\tat com.acme.\(caller)(X.java:10)
            \tat com.acme.web.OrderResource.create(OrderResource.java:5)
            """
        }
        assertSame(sign(quarkus("CheckoutService.checkout", intercepted: true)), sign(quarkus("CheckoutService.checkout", intercepted: false)))
        assertApart(sign(quarkus("CheckoutService.checkout", intercepted: true)), sign(quarkus("ImportService.importOrders", intercepted: true)))
        let k = sign(quarkus("CheckoutService.checkout", intercepted: true))
        XCTAssertEqual(k.frames, ["com.acme.OrderService.place", "com.acme.CheckoutService.checkout"])
        XCTAssertTrue(k.why.contains { $0.contains("generated-subclass ×") }, "\(k.why)")
    }

    /// Lambdas of Kotlin, Scala and Groovy renumber with unrelated edits, as Java's do.
    func testJVMLanguageLambdaNumbersDoNotSplit() {
        func kt(_ n: Int) -> String {
            """
            java.lang.IllegalStateException: no stock
            \tat com.acme.OrderService.place$lambda$\(n)(OrderService.kt:40)
            \tat com.acme.OrderService$place$\(n + 1).invokeSuspend(OrderService.kt:41)
            \tat com.acme.OrderService$_place_closure\(n).doCall(OrderService.groovy:9)
            """
        }
        assertSame(sign(kt(0)), sign(kt(3)))
    }

    /// Pins the algorithm: if this changes, ids of every stored baseline change — bump
    /// `Signer.algorithmVersion` and update this value on purpose.
    func testIdIsStableForAFixedInput() {
        let s = sign(druidViaSpring)
        XCTAssertEqual(s.id, Signer.id(for: s.key))
        XCTAssertEqual(s.id, "v4:acc208a3d2e0")   // checked independently (Python FNV-1a 64 of s.key)
        XCTAssertEqual(Signer.id(for: ""), "v4:cbf29ce48422")   // FNV-1a 64 offset basis, top 48 bits
        XCTAssertEqual(Signer.id(for: "a"), "v4:af63dc4c8601")  // FNV-1a 64("a") = af63dc4c8601ec8c
        XCTAssertTrue(s.id.hasPrefix("v\(Signer.algorithmVersion):"))
        XCTAssertEqual(s.id.count, 15)
    }

    func testIdIsSameFromFreshSignersAndCodableRoundTrip() throws {
        let a = Signer().sign(chain: chain(druidViaSpring), logMessage: "x")
        let b = Signer(appPackages: []).sign(chain: chain(druidViaSpring), logMessage: "y")
        XCTAssertEqual(a, b)
        let data = try JSONEncoder().encode(a)
        XCTAssertEqual(try JSONDecoder().decode(SignatureKey.self, from: data), a)
    }

    // MARK: must hold together

    func testDifferentLineNumbersAndNumbersInMessage() {
        var shifted = druidViaSpring
        for (from, to) in [("OrderDao.java:41", "OrderDao.java:43"), ("OrderService.java:77", "OrderService.java:90"),
                           ("DruidDataSource.java:1512", "DruidDataSource.java:1498"), ("wait millis 5000, active 20", "wait millis 60010, active 3")] {
            shifted = shifted.replacingOccurrences(of: from, with: to)
        }
        assertSame(sign(druidViaSpring), sign(shifted))
    }

    func testProxyNumbersDiffer() {
        let a = sign(druidViaMyBatis)
        let b = sign(druidViaMyBatis.replacingOccurrences(of: "$Proxy88", with: "$Proxy12")
            .replacingOccurrences(of: "$Proxy87", with: "$Proxy57"))
        assertSame(a, b)
    }

    func testProxyPackagesDifferAcrossJDKs() {
        let jdk8 = sign(druidViaMyBatis.replacingOccurrences(of: "com.sun.proxy.$Proxy88", with: "com.sun.proxy.$Proxy12"))
        let jdk17 = sign(druidViaMyBatis.replacingOccurrences(of: "com.sun.proxy.$Proxy88", with: "jdk.proxy2.$Proxy57"))
        assertSame(jdk8, jdk17)
    }

    func testCglibHashesDiffer() {
        assertSame(sign(druidViaSpring),
                   sign(druidViaSpring.replacingOccurrences(of: "$$EnhancerBySpringCGLIB$$1a2b3c4d", with: "$$EnhancerBySpringCGLIB$$77aa00ff")))
        // Spring 6 naming is the same class too.
        assertSame(sign(druidViaSpring),
                   sign(druidViaSpring.replacingOccurrences(of: "$$EnhancerBySpringCGLIB$$1a2b3c4d", with: "$$SpringCGLIB$$0")))
    }

    private let lazyLoad = """
    org.hibernate.LazyInitializationException: failed to lazily initialize a collection of role: com.acme.shop.Order.items, could not initialize proxy - no Session
    \tat org.hibernate.collection.internal.AbstractPersistentCollection.throwLazyInitializationException(AbstractPersistentCollection.java:606)
    \tat org.hibernate.proxy.pojo.bytebuddy.ByteBuddyInterceptor.intercept(ByteBuddyInterceptor.java:56)
    \tat com.acme.shop.Order$HibernateProxy$AbCdEf12.getItems(Unknown Source)
    \tat com.acme.shop.InvoiceBuilder.build(InvoiceBuilder.java:31)
    \tat com.acme.shop.BillingJob.run(BillingJob.java:12)
    """

    func testHibernateProxySuffixDiffers() {
        let a = sign(lazyLoad)
        let b = sign(lazyLoad.replacingOccurrences(of: "$HibernateProxy$AbCdEf12", with: "$HibernateProxy$zZ9yX8wV"))
        assertSame(a, b)
        XCTAssertEqual(a.frames, ["com.acme.shop.Order.getItems", "com.acme.shop.InvoiceBuilder.build"])
        // javassist-era Hibernate names the same proxy differently: still the same class.
        assertSame(a, sign(lazyLoad.replacingOccurrences(of: "$HibernateProxy$AbCdEf12", with: "_$$_javassist_12")))
        assertSame(a, sign(lazyLoad.replacingOccurrences(of: "$HibernateProxy$AbCdEf12", with: "_$$_jvst9f_3")))
    }

    func testGuiceEnhancerDiffers() {
        let trace = """
        java.lang.IllegalStateException: no tenant bound
        \tat com.acme.tenant.TenantContext.current(TenantContext.java:20)
        \tat com.acme.billing.BillingService$$EnhancerByGuice$$1a2b3c.charge(<generated>)
        \tat com.google.inject.internal.InterceptorStackCallback.intercept(InterceptorStackCallback.java:52)
        \tat com.acme.billing.BillingResource.post(BillingResource.java:40)
        """
        let a = sign(trace)
        assertSame(a, sign(trace.replacingOccurrences(of: "$$EnhancerByGuice$$1a2b3c", with: "$$EnhancerByGuice$$ff00aa")))
        XCTAssertEqual(a.frames, ["com.acme.tenant.TenantContext.current", "com.acme.billing.BillingService.charge"])
        XCTAssertTrue(a.why.contains { $0.contains("guice ×1") }, "\(a.why)")
    }

    func testReflectionAccessorNumbersDiffer() {
        // Accessors are generated machinery: they never take an in-app slot, and their
        // number never matters even when only framework frames are left.
        let noApp = """
        java.lang.NullPointerException
        \tat sun.reflect.GeneratedMethodAccessor12.invoke(Unknown Source)
        \tat sun.reflect.DelegatingMethodAccessorImpl.invoke(DelegatingMethodAccessorImpl.java:43)
        \tat java.lang.reflect.Method.invoke(Method.java:498)
        """
        assertSame(sign(noApp), sign(noApp.replacingOccurrences(of: "GeneratedMethodAccessor12", with: "GeneratedMethodAccessor57")))
        assertSame(sign(druidViaSpring), sign(druidViaSpring.replacingOccurrences(of: "GeneratedMethodAccessor12", with: "GeneratedMethodAccessor57")))
    }

    func testJDK8AndJDK17Spellings() {
        let a = sign(readTimeoutJDK8), b = sign(readTimeoutJDK17)
        assertSame(a, b)
        XCTAssertEqual(a.frames, ["com.acme.report.ReportDao.load", "com.acme.report.ReportService.build"])
        XCTAssertTrue(a.key.contains("thrown-in=com.mysql.\n"), a.key)
        // Also when the JDK frames are all there is.
        let native8 = "java.net.SocketException: Connection reset\n\tat java.net.SocketInputStream.socketRead0(Native Method)\n\tat java.net.SocketInputStream.read(SocketInputStream.java:150)"
        let native17 = "java.net.SocketException: Connection reset\n\tat java.base/java.net.SocketInputStream.socketRead0(Native Method)\n\tat java.base/java.net.SocketInputStream.read(SocketInputStream.java:140)"
        let n8 = sign(native8), n17 = sign(native17)
        assertSame(n8, n17)
        XCTAssertEqual(n8.frames, ["java.net.SocketInputStream.socketRead0", "java.net.SocketInputStream.read"])
        XCTAssertTrue(n17.why.contains { $0.contains("jdk-module ×2") }, "\(n17.why)")
    }

    // MARK: JDK versions word messages differently

    /// The same throw site on a JDK 8 and a JDK 17 host, each message as that JDK words it.
    func testJDKWordingOfMessagesDoesNotSplit() {
        func at(_ header: String) -> String {
            header + "\n\tat com.acme.order.OrderService.price(OrderService.java:51)\n\tat com.acme.order.OrderApi.quote(OrderApi.java:20)"
        }
        let pairs: [(String, String)] = [
            ("java.lang.NullPointerException",
             #"java.lang.NullPointerException: Cannot invoke "com.acme.order.Item.getPrice()" because "item" is null"#),
            ("java.net.ConnectException: Connection refused (Connection refused)", "java.net.ConnectException: Connection refused"),
            ("java.net.NoRouteToHostException: No route to host (Host unreachable)", "java.net.NoRouteToHostException: No route to host"),
            ("java.net.SocketException: Broken pipe (Write failed)", "java.net.SocketException: Broken pipe"),
            ("java.net.SocketTimeoutException: connect timed out", "java.net.SocketTimeoutException: Connect timed out"),
            ("java.lang.ClassCastException: com.acme.order.Item cannot be cast to com.acme.order.Priced",
             "java.lang.ClassCastException: class com.acme.order.Item cannot be cast to class com.acme.order.Priced (com.acme.order.Item and com.acme.order.Priced are in unnamed module of loader 'app')"),
            ("java.lang.ClassCastException: com.acme.order.OrderService$$Lambda$12/1834188994 cannot be cast to java.lang.Runnable",
             "java.lang.ClassCastException: class com.acme.order.OrderService$$Lambda$12/0x0000000800c0b840 cannot be cast to class java.lang.Runnable (com.acme.order.OrderService$$Lambda$12/0x0000000800c0b840 is in unnamed module of loader 'app'; java.lang.Runnable is in module java.base of loader 'bootstrap')"),
            ("java.lang.ArrayIndexOutOfBoundsException: 5", "java.lang.ArrayIndexOutOfBoundsException: Index 5 out of bounds for length 3"),
            ("java.lang.IndexOutOfBoundsException: Index: 5, Size: 3", "java.lang.IndexOutOfBoundsException: Index 5 out of bounds for length 3"),
            ("java.lang.StringIndexOutOfBoundsException: String index out of range: 9",
             "java.lang.StringIndexOutOfBoundsException: begin 0, end 9, length 3"),
            (#"java.lang.NumberFormatException: For input string: "zz""#,
             #"java.lang.NumberFormatException: For input string: "zz" under radix 16"#),
        ]
        for (jdk8, jdk17) in pairs {
            let a = sign(at(jdk8)), b = sign(at(jdk17))
            assertSame(a, b)
            XCTAssertEqual(a.frames, ["com.acme.order.OrderService.price", "com.acme.order.OrderApi.quote"])
        }
        let helpful = sign(at(pairs[0].1))
        XCTAssertEqual(helpful.message, "")
        XCTAssertTrue(helpful.why.contains { $0.hasPrefix("message of NullPointerException ignored") }, "\(helpful.why)")
        let refused = sign(at(pairs[1].0))
        XCTAssertEqual(refused.message, "Connection refused")
        XCTAssertTrue(refused.why.contains("message brought to one wording across JDK versions: Connection refused"), "\(refused.why)")
        XCTAssertEqual(sign(at(pairs[5].1)).message, "com.acme.order.Item cannot be cast to com.acme.order.Priced")
        XCTAssertEqual(sign(at(pairs[6].0)).message, "com.acme.order.OrderService$$Lambda cannot be cast to java.lang.Runnable")
    }

    /// Only the JDK's own wording is touched: messages that say something else stay apart.
    func testJDKWordingRulesKeepOtherMessagesApart() {
        func at(_ header: String) -> String {
            header + "\n\tat com.acme.order.OrderService.price(OrderService.java:51)"
        }
        // an application's parentheses are its own
        assertApart(sign(at("java.lang.IllegalStateException: order closed (by customer)")),
                    sign(at("java.lang.IllegalStateException: order closed")))
        // a parenthesised address is not JDK 8's echo of the failed call
        XCTAssertEqual(sign(at("java.net.ConnectException: Connection refused (db.acme.internal:3306)")).message,
                       "Connection refused (<HOSTPORT>)")
        assertApart(sign(at("java.net.ConnectException: Connection refused")),
                    sign(at("java.net.SocketTimeoutException: connect timed out")))
        assertApart(sign(at("java.lang.ClassCastException: com.acme.A cannot be cast to com.acme.B")),
                    sign(at("java.lang.ClassCastException: com.acme.A cannot be cast to com.acme.C")))
        // a frameless NullPointerException keeps its message (it has nothing else)
        let frameless = signer.sign(chain: chain(#"java.lang.NullPointerException: Cannot invoke "Item.getPrice()" because "item" is null"#),
                                    logMessage: "x")
        XCTAssertEqual(frameless.message, "Cannot invoke <STR> because <STR> is null")
    }

    /// No application frame at all: the library frames are the key, not the JDK internals that
    /// differ between JDK 8's `SocketOutputStream` and JDK 13's `NioSocketImpl`.
    func testFaultsWithoutAppFramesIgnoreJDKInternals() {
        let tomcat = """
        \tat org.apache.catalina.connector.OutputBuffer.realWriteBytes(OutputBuffer.java:351)
        \tat org.apache.catalina.connector.OutputBuffer.flushByteBuffer(OutputBuffer.java:815)
        \tat org.apache.catalina.connector.OutputBuffer.doFlush(OutputBuffer.java:310)
        \tat org.apache.catalina.connector.OutputBuffer.flush(OutputBuffer.java:272)
        """
        let jdk8 = """
        org.apache.catalina.connector.ClientAbortException: java.net.SocketException: Broken pipe (Write failed)
        \(tomcat)
        Caused by: java.net.SocketException: Broken pipe (Write failed)
        \tat java.net.SocketOutputStream.socketWrite0(Native Method)
        \tat java.net.SocketOutputStream.socketWrite(SocketOutputStream.java:111)
        \tat java.net.SocketOutputStream.write(SocketOutputStream.java:155)
        \tat org.apache.tomcat.util.net.SocketWrapperBase.doWrite(SocketWrapperBase.java:793)
        \(tomcat)
        """
        let jdk17 = """
        org.apache.catalina.connector.ClientAbortException: java.net.SocketException: Broken pipe
        \(tomcat)
        Caused by: java.net.SocketException: Broken pipe
        \tat java.base/sun.nio.ch.NioSocketImpl.implWrite(NioSocketImpl.java:420)
        \tat java.base/sun.nio.ch.NioSocketImpl.write(NioSocketImpl.java:440)
        \tat java.base/sun.nio.ch.NioSocketImpl$2.write(NioSocketImpl.java:826)
        \tat java.base/java.net.Socket$SocketOutputStream.write(Socket.java:1035)
        \tat org.apache.tomcat.util.net.SocketWrapperBase.doWrite(SocketWrapperBase.java:793)
        \(tomcat)
        """
        let a = sign(jdk8), b = sign(jdk17)
        assertSame(a, b)
        XCTAssertEqual(a.frames, ["org.apache.tomcat.util.net.SocketWrapperBase.doWrite",
                                  "org.apache.catalina.connector.OutputBuffer.realWriteBytes",
                                  "org.apache.catalina.connector.OutputBuffer.flushByteBuffer"])
        XCTAssertTrue(a.why.contains { $0.hasPrefix("no in-app frame in the chain: top library frames of root cause used") }, "\(a.why)")
    }

    /// A DAO fault reached through one service from a controller, a `@Scheduled` method, a
    /// `@KafkaListener`, a Quartz job and an executor's `Runnable`: the classes are not named like
    /// entry points, but the framework that calls them is known, so the fault is one signature.
    func testMethodsCalledByDispatchersAreEntryPaths() {
        let fault = """
        java.sql.SQLIntegrityConstraintViolationException: Duplicate entry '42' for key 'uk_order_no'
        \tat com.mysql.cj.jdbc.ClientPreparedStatement.executeUpdate(ClientPreparedStatement.java:1061)
        \tat com.acme.order.OrderDao.insert(OrderDao.java:40)
        \tat com.acme.order.OrderService.create(OrderService.java:77)
        """
        let reflection8 = """
        \tat sun.reflect.NativeMethodAccessorImpl.invoke0(Native Method)
        \tat sun.reflect.NativeMethodAccessorImpl.invoke(NativeMethodAccessorImpl.java:62)
        \tat sun.reflect.DelegatingMethodAccessorImpl.invoke(DelegatingMethodAccessorImpl.java:43)
        \tat java.lang.reflect.Method.invoke(Method.java:498)
        """
        let callers = [
            "\tat com.acme.order.OrderController.create(OrderController.java:30)",
            """
            \tat com.acme.order.ScheduledTasks.sweep(ScheduledTasks.java:18)
            \(reflection8)
            \tat org.springframework.scheduling.support.ScheduledMethodRunnable.run(ScheduledMethodRunnable.java:84)
            \tat org.springframework.scheduling.support.DelegatingErrorHandlingRunnable.run(DelegatingErrorHandlingRunnable.java:54)
            """,
            """
            \tat com.acme.order.OrderEvents.onOrder(OrderEvents.java:25)
            \tat jdk.internal.reflect.GeneratedMethodAccessor88.invoke(Unknown Source)
            \tat java.base/jdk.internal.reflect.DelegatingMethodAccessorImpl.invoke(DelegatingMethodAccessorImpl.java:43)
            \tat java.base/java.lang.reflect.Method.invoke(Method.java:568)
            \tat org.springframework.messaging.handler.invocation.InvocableHandlerMethod.doInvoke(InvocableHandlerMethod.java:169)
            \tat org.springframework.kafka.listener.adapter.HandlerAdapter.invoke(HandlerAdapter.java:56)
            """,
            """
            \tat com.acme.order.OrderSweeper.execute(OrderSweeper.java:12)
            \tat org.quartz.core.JobRunShell.run(JobRunShell.java:202)
            """,
            """
            \tat com.acme.order.Backfill.lambda$start$0(Backfill.java:33)
            \tat com.acme.order.Backfill$$Lambda$412/1140459609.run(Unknown Source)
            \tat java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1149)
            \tat java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:624)
            \tat java.lang.Thread.run(Thread.java:748)
            """,
        ]
        let keys = callers.map { sign(fault + "\n" + $0) }
        for k in keys.dropFirst() { assertSame(keys[0], k) }
        XCTAssertEqual(keys[0].frames, ["com.acme.order.OrderDao.insert", "com.acme.order.OrderService.create"])
        XCTAssertTrue(keys[1].why.contains(
            "frames from com.acme.order.ScheduledTasks.sweep on ignored (entry path: called by org.springframework.scheduling.support.ScheduledMethodRunnable.run)"),
            "\(keys[1].why)")
        // the fault in the dispatched method itself keeps that method
        let inJob = sign("java.lang.IllegalStateException: sweep failed\n" + callers[3])
        XCTAssertEqual(inJob.frames, ["com.acme.order.OrderSweeper.execute"])
    }

    /// Spring AOP calls a service through reflection too, but from another service: those
    /// callers are not entry paths, so the same DAO under two services stays two signatures.
    func testSpringAOPReflectionIsNotAnEntryPath() {
        func via(_ caller: String) -> String {
            """
            java.sql.SQLException: Lock wait timeout exceeded; try restarting transaction
            \tat com.acme.stock.StockDao.lock(StockDao.java:40)
            \tat com.acme.stock.StockService.reserve(StockService.java:77)
            \tat sun.reflect.GeneratedMethodAccessor31.invoke(Unknown Source)
            \tat sun.reflect.DelegatingMethodAccessorImpl.invoke(DelegatingMethodAccessorImpl.java:43)
            \tat java.lang.reflect.Method.invoke(Method.java:498)
            \tat org.springframework.aop.support.AopUtils.invokeJoinpointUsingReflection(AopUtils.java:344)
            \tat org.springframework.aop.framework.ReflectiveMethodInvocation.invokeJoinpoint(ReflectiveMethodInvocation.java:198)
            \tat org.springframework.transaction.interceptor.TransactionInterceptor.invoke(TransactionInterceptor.java:119)
            \tat org.springframework.aop.framework.CglibAopProxy$DynamicAdvisedInterceptor.intercept(CglibAopProxy.java:691)
            \tat com.acme.stock.StockService$$EnhancerBySpringCGLIB$$5b7f3a1c.reserve(<generated>)
            \tat \(caller)
            """
        }
        let checkout = sign(via("com.acme.cart.CheckoutService.placeOrder(CheckoutService.java:60)"))
        let refund = sign(via("com.acme.refund.RefundService.restock(RefundService.java:22)"))
        assertApart(checkout, refund)
        XCTAssertEqual(checkout.frames.last, "com.acme.cart.CheckoutService.placeOrder")
    }

    /// A private method of an outer class called from its inner class: JDK 8 goes through a
    /// synthetic `access$000`, JDK 11's nestmates call it directly.
    func testSyntheticAccessorsDoNotSplitJDK8From11() {
        let jdk8 = """
        java.lang.IllegalStateException: ledger closed
        \tat com.acme.ledger.Ledger.post(Ledger.java:80)
        \tat com.acme.ledger.Ledger.access$000(Ledger.java:20)
        \tat com.acme.ledger.Ledger$Poster.run(Ledger.java:95)
        \tat com.acme.ledger.Batch.flush(Batch.java:12)
        """
        let jdk11 = jdk8.replacingOccurrences(of: "\tat com.acme.ledger.Ledger.access$000(Ledger.java:20)\n", with: "")
        assertSame(sign(jdk8), sign(jdk11))
        XCTAssertEqual(sign(jdk8).frames, ["com.acme.ledger.Ledger.post", "com.acme.ledger.Ledger$Poster.run", "com.acme.ledger.Batch.flush"])
    }

    func testSameFaultFromTwoControllers() {
        let fromAdmin = druidViaSpring
            .replacingOccurrences(of: "com.acme.web.OrderController.list(OrderController.java:30)",
                                  with: "com.acme.admin.AdminOrderController.export(AdminOrderController.java:99)")
        assertSame(sign(druidViaSpring), sign(fromAdmin))
        // …and from a scheduled job instead of a controller.
        let fromJob = druidViaSpring
            .replacingOccurrences(of: "com.acme.web.OrderController.list(OrderController.java:30)",
                                  with: "com.acme.jobs.NightlyExportJob.execute(NightlyExportJob.java:21)")
        assertSame(sign(druidViaSpring), sign(fromJob))
    }

    func testEntryPathBeyondTopFramesDoesNotSplit() {
        // No entry-point naming: the top three in-app frames are the key, deeper callers are not.
        let base = """
        java.lang.IllegalArgumentException: bad sku
        \tat com.acme.catalog.Sku.parse(Sku.java:10)
        \tat com.acme.catalog.SkuCodec.decode(SkuCodec.java:20)
        \tat com.acme.catalog.PriceLookup.find(PriceLookup.java:30)
        \tat com.acme.cart.Cart.add(Cart.java:40)
        \tat com.acme.cart.CartApi.post(CartApi.java:50)
        """
        let other = base.replacingOccurrences(of: "com.acme.cart.Cart.add(Cart.java:40)", with: "com.acme.wishlist.Wishlist.add(Wishlist.java:7)")
            .replacingOccurrences(of: "com.acme.cart.CartApi.post(CartApi.java:50)", with: "com.acme.wishlist.WishlistApi.put(WishlistApi.java:8)")
        let a = sign(base)
        assertSame(a, sign(other))
        XCTAssertEqual(a.frames.count, Signer.maxFrames)
        XCTAssertTrue(a.why.contains("frames from com.acme.cart.Cart.add on ignored (beyond the top 3)"), "\(a.why)")
    }

    func testSameRootCauseInDifferentFrameworkWrappers() {
        let spring = sign(druidViaSpring), mybatis = sign(druidViaMyBatis)
        assertSame(spring, mybatis)
        XCTAssertNotEqual(spring.exception, mybatis.exception)   // the wrapper is still shown
        // A wrapper-less print of the same root cause is the same fault too.
        let bare = druidViaSpring.components(separatedBy: "Caused by: ")[1]
            .replacingOccurrences(of: "\t... 12 more", with: """
            \tat org.springframework.jdbc.core.JdbcTemplate.execute(JdbcTemplate.java:376)
            \tat com.acme.order.OrderDao.findByCustomer(OrderDao.java:41)
            \tat com.acme.order.OrderService.listOrders(OrderService.java:77)
            \tat com.acme.web.OrderController.list(OrderController.java:30)
            """)
        assertSame(spring, sign(bare))
    }

    func testLambdaClassesAndMethodsAcrossJDKs() {
        let jdk8 = """
        java.lang.IllegalStateException: closed
        \tat com.acme.feed.FeedService.lambda$refresh$3(FeedService.java:40)
        \tat com.acme.feed.FeedService$$Lambda$123/2081171245.accept(Unknown Source)
        \tat java.util.ArrayList.forEach(ArrayList.java:1257)
        \tat com.acme.feed.FeedService.refresh(FeedService.java:39)
        """
        let jdk17 = jdk8.replacingOccurrences(of: "$$Lambda$123/2081171245", with: "$$Lambda$456/0x0000000800c4b440")
            .replacingOccurrences(of: "lambda$refresh$3", with: "lambda$refresh$5")
        let jdk21 = jdk8.replacingOccurrences(of: "$$Lambda$123/2081171245", with: "$$Lambda/0x000001f0010c8a00")
        let a = sign(jdk8)
        assertSame(a, sign(jdk17))
        assertSame(a, sign(jdk21))
        XCTAssertEqual(a.frames, ["com.acme.feed.FeedService.lambda$refresh", "com.acme.feed.FeedService.refresh"])
    }

    func testRecursionDepthDoesNotSplit() {
        func trace(depth: Int) -> String {
            var lines = ["java.lang.StackOverflowError", "\tat com.acme.tree.Node.visit(Node.java:10)"]
            for _ in 0..<depth {
                lines.append("\tat com.acme.tree.Node.visitChildren(Node.java:20)")
                lines.append("\tat com.acme.tree.Node.visit(Node.java:12)")
            }
            lines.append("\tat com.acme.tree.Tree.walk(Tree.java:5)")
            return lines.joined(separator: "\n")
        }
        let a = sign(trace(depth: 1)), b = sign(trace(depth: 40))
        assertSame(a, b)
        XCTAssertEqual(a.frames, ["com.acme.tree.Node.visit", "com.acme.tree.Node.visitChildren", "com.acme.tree.Tree.walk"])
        XCTAssertTrue(b.why.contains { $0.hasPrefix("recursion collapsed") }, "\(b.why)")
        // Plain self-recursion.
        let selfRec = (["java.lang.StackOverflowError"] + Array(repeating: "\tat com.acme.Fib.f(Fib.java:3)", count: 200)
            + ["\tat com.acme.Main.main(Main.java:1)"]).joined(separator: "\n")
        XCTAssertEqual(sign(selfRec).frames, ["com.acme.Fib.f", "com.acme.Main.main"])
    }

    /// A StackOverflowError prints 1,024 frames of the recursion and none below it; where
    /// the print enters the cycle depends on where the stack overflowed.
    func testRecursionPhaseDoesNotSplitAStackThatEndsInTheCycle() {
        let cycle = ["\tat com.acme.catalog.CategoryTree.visit(CategoryTree.java:44)",
                     "\tat com.acme.catalog.CategoryNode.accept(CategoryNode.java:21)",
                     "\tat com.acme.catalog.CategoryTree.visitChildren(CategoryTree.java:51)"]
        func trace(phase: Int, frames: Int = 60, top: [String] = []) -> String {
            (["java.lang.StackOverflowError: null"] + top + (0..<frames).map { cycle[($0 + phase) % 3] }).joined(separator: "\n")
        }
        let a = sign(trace(phase: 0))
        for phase in 1..<3 { assertSame(a, sign(trace(phase: phase, frames: 61 + phase))) }
        // overflowing inside a JDK call made from the recursion
        assertSame(a, sign(trace(phase: 2, top: ["\tat java.util.HashMap.hash(HashMap.java:339)"])))
        XCTAssertEqual(Set(a.frames), ["com.acme.catalog.CategoryTree.visit", "com.acme.catalog.CategoryNode.accept",
                                       "com.acme.catalog.CategoryTree.visitChildren"])
        XCTAssertTrue(a.why.contains { $0.hasPrefix("stack ends in a recursion of 3 frames") }, "\(a.why)")
        // a cycle longer than the frames kept, and a different recursion, still apart
        let five = (0..<5).map { "\tat com.acme.expr.Node\($0).eval(Node\($0).java:9)" }
        func long(_ phase: Int) -> String {
            (["java.lang.StackOverflowError"] + (0..<50).map { five[($0 + phase) % 5] }).joined(separator: "\n")
        }
        assertSame(sign(long(0)), sign(long(3)))
        assertApart(a, sign(long(1)))
        // a recursion with the entry path printed below it is not rotated: the phase is the fault's
        let entered = trace(phase: 1, frames: 12) + "\n\tat com.acme.catalog.Rebuild.run(Rebuild.java:9)"
        XCTAssertEqual(sign(entered).frames.first, "com.acme.catalog.CategoryNode.accept")
    }

    /// A `@Scheduled` bean behind a CGLIB proxy with an interceptor chain (a lock, a
    /// transaction) is entered by the scheduler as much as a plain one is.
    func testEntryThroughAProxysInterceptorChainDoesNotSplit() {
        let top = """
        java.lang.IllegalArgumentException: quantity must be positive
        \tat com.acme.shop.order.OrderValidator.check(OrderValidator.java:25)
        \tat com.acme.shop.order.OrderService.placeOrder(OrderService.java:88)
        \tat com.acme.shop.order.OrderService$$FastClassBySpringCGLIB$$5d3c2b1a.invoke(<generated>)
        \tat org.springframework.cglib.proxy.MethodProxy.invoke(MethodProxy.java:218)
        \tat org.springframework.aop.framework.CglibAopProxy$CglibMethodInvocation.invokeJoinpoint(CglibAopProxy.java:793)
        \tat org.springframework.aop.framework.ReflectiveMethodInvocation.proceed(ReflectiveMethodInvocation.java:163)
        \tat org.springframework.transaction.interceptor.TransactionInterceptor.invoke(TransactionInterceptor.java:119)
        \tat org.springframework.aop.framework.CglibAopProxy$DynamicAdvisedInterceptor.intercept(CglibAopProxy.java:708)
        \tat com.acme.shop.order.OrderService$$EnhancerBySpringCGLIB$$a4b3c2d1.placeOrder(<generated>)
        """
        let controller = top + """

        \tat com.acme.shop.web.OrderController.create(OrderController.java:52)
        \tat org.springframework.web.method.support.InvocableHandlerMethod.doInvoke(InvocableHandlerMethod.java:205)
        """
        let job = top + """

        \tat com.acme.shop.job.NightlyReorder.reorderAll(NightlyReorder.java:19)
        \tat com.acme.shop.job.NightlyReorder$$FastClassBySpringCGLIB$$77aa11bb.invoke(<generated>)
        \tat org.springframework.cglib.proxy.MethodProxy.invoke(MethodProxy.java:218)
        \tat org.springframework.aop.framework.ReflectiveMethodInvocation.proceed(ReflectiveMethodInvocation.java:163)
        \tat org.springframework.transaction.interceptor.TransactionInterceptor$1.proceedWithInvocation(TransactionInterceptor.java:123)
        \tat org.springframework.transaction.interceptor.TransactionAspectSupport.invokeWithinTransaction(TransactionAspectSupport.java:388)
        \tat org.springframework.transaction.interceptor.TransactionInterceptor.invoke(TransactionInterceptor.java:119)
        \tat net.javacrumbs.shedlock.spring.aop.MethodProxyScheduledLockAdvisor$LockingInterceptor.invoke(MethodProxyScheduledLockAdvisor.java:86)
        \tat org.springframework.aop.framework.CglibAopProxy$DynamicAdvisedInterceptor.intercept(CglibAopProxy.java:708)
        \tat com.acme.shop.job.NightlyReorder$$EnhancerBySpringCGLIB$$9c8d7e6f.reorderAll(<generated>)
        \tat sun.reflect.NativeMethodAccessorImpl.invoke0(Native Method)
        \tat java.lang.reflect.Method.invoke(Method.java:498)
        \tat org.springframework.scheduling.support.ScheduledMethodRunnable.run(ScheduledMethodRunnable.java:84)
        \tat java.lang.Thread.run(Thread.java:750)
        """
        let a = sign(controller), b = sign(job)
        assertSame(a, b)
        XCTAssertEqual(b.frames, ["com.acme.shop.order.OrderValidator.check", "com.acme.shop.order.OrderService.placeOrder"])
        XCTAssertTrue(b.why.contains { $0.contains("entry path: called by org.springframework.scheduling.support.ScheduledMethodRunnable.run") }, "\(b.why)")
        // a service calling a proxied service is not an entry, chain or no chain
        let service = top + "\n\tat com.acme.shop.order.Reorders.replay(Reorders.java:40)\n\tat com.acme.shop.web.OrderController.replay(OrderController.java:60)"
        XCTAssertEqual(sign(service).frames.last, "com.acme.shop.order.Reorders.replay")
    }

    /// Spring 6 names CGLIB fast classes like the proxy: `$$SpringCGLIB$$2.invoke`.
    func testSpring6FastClassIsMachineryAsSpring5s() {
        let spring5 = """
        java.lang.IllegalStateException: pool init failed
        \tat com.acme.shop.config.PoolFactory.create(PoolFactory.java:30)
        \tat com.acme.shop.config.DataSourceConfig.dataSource(DataSourceConfig.java:22)
        \tat com.acme.shop.config.DataSourceConfig$$EnhancerBySpringCGLIB$$3f2a1b0c.CGLIB$dataSource$0(<generated>)
        \tat com.acme.shop.config.DataSourceConfig$$FastClassBySpringCGLIB$$8d7e6f5a.invoke(<generated>)
        \tat org.springframework.cglib.proxy.MethodProxy.invokeSuper(MethodProxy.java:244)
        \tat com.acme.shop.config.DataSourceConfig$$EnhancerBySpringCGLIB$$3f2a1b0c.dataSource(<generated>)
        \tat com.acme.shop.ShopApplication.main(ShopApplication.java:10)
        """
        let spring6 = spring5.replacingOccurrences(of: "$$EnhancerBySpringCGLIB$$3f2a1b0c", with: "$$SpringCGLIB$$0")
            .replacingOccurrences(of: "$$FastClassBySpringCGLIB$$8d7e6f5a", with: "$$SpringCGLIB$$2")
        let spring61 = spring6.replacingOccurrences(of: "$$SpringCGLIB$$2", with: "$$SpringCGLIB$$FastClass$$0")
        assertSame(sign(spring5), sign(spring6))
        assertSame(sign(spring5), sign(spring61))
        XCTAssertFalse(sign(spring6).frames.contains("com.acme.shop.config.DataSourceConfig.invoke"))
    }

    func testElidedCommonFramesEqualFullyPrintedFrames() {
        // Logback's `... N common frames omitted` and a full print give the same root stack.
        let full = sign(druidViaSpring)
        let rootOnly = druidViaSpring.replacingOccurrences(of: "\t... 12 more", with: "\t... 12 common frames omitted")
        assertSame(full, sign(rootOnly))
    }

    // MARK: must stay apart

    func testDifferentLambdasInDifferentClassesStayApart() {
        let a = """
        java.lang.NullPointerException
        \tat com.acme.ui.SaveButton.lambda$onClick$0(SaveButton.java:12)
        \tat com.acme.ui.SaveButton$$Lambda$12/0x0000000800c4b440.handle(Unknown Source)
        \tat javafx.event.EventDispatcher.dispatch(EventDispatcher.java:10)
        """
        let b = a.replacingOccurrences(of: "SaveButton", with: "DeleteButton")
        assertApart(sign(a), sign(b))
        // Same class, lambdas in different methods.
        assertApart(sign(a), sign(a.replacingOccurrences(of: "lambda$onClick$0", with: "lambda$onHover$0")))
    }

    func testSameRootCauseFromDifferentApplicationMethodsStaysApart() {
        let other = readTimeoutJDK8.replacingOccurrences(of: "com.acme.report.ReportDao.load(ReportDao.java:88)",
                                                         with: "com.acme.report.ReportDao.loadSummary(ReportDao.java:120)")
        assertApart(sign(readTimeoutJDK8), sign(other))
    }

    func testSameExceptionClassWithDifferentMessageTemplatesStaysApart() {
        let missingTable = """
        org.springframework.jdbc.BadSqlGrammarException: PreparedStatementCallback; bad SQL grammar
        Caused by: java.sql.SQLSyntaxErrorException: Table 'shop.orders' doesn't exist
        \tat com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:120)
        \tat com.acme.order.OrderDao.findByCustomer(OrderDao.java:41)
        """
        let unknownColumn = missingTable.replacingOccurrences(of: "Table 'shop.orders' doesn't exist", with: "Unknown column 'x' in 'field list'")
        let otherTable = missingTable.replacingOccurrences(of: "shop.orders", with: "shop.order_items")
        assertApart(sign(missingTable), sign(unknownColumn))
        assertSame(sign(missingTable), sign(otherTable))
    }

    func testApplicationWrapperDiffersStaysApart() {
        let root = """
        Caused by: java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms.
        \tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)
        \tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:197)
        \tat com.acme.pay.PaymentDao.save(PaymentDao.java:20)
        """
        let a = sign("com.acme.pay.PaymentFailedException: payment 42 failed\n" + root)
        let b = sign("com.acme.pay.RefundFailedException: refund 42 failed\n" + root)
        assertApart(a, b)
        XCTAssertTrue(a.why.contains("wrapper com.acme.pay.PaymentFailedException kept (application code)"), "\(a.why)")
        // With a framework wrapper instead, the same root cause is one fault regardless of the wrapper.
        let c = sign("org.springframework.transaction.CannotCreateTransactionException: Could not open JDBC Connection for transaction\n" + root)
        let d = sign("org.hibernate.exception.JDBCConnectionException: Unable to acquire JDBC Connection\n" + root)
        assertSame(c, d)
        assertApart(a, c)
    }

    func testDatabaseAndHttpTimeoutsUnderTheSameMethodStayApart() {
        let http = """
        java.net.SocketTimeoutException: Read timed out
        \tat java.net.SocketInputStream.socketRead0(Native Method)
        \tat okhttp3.internal.http1.Http1ExchangeCodec.readResponseHeaders(Http1ExchangeCodec.kt:180)
        \tat com.acme.report.ReportDao.load(ReportDao.java:88)
        \tat com.acme.report.ReportService.build(ReportService.java:12)
        """
        assertApart(sign(readTimeoutJDK8), sign(http))
    }

    func testHikariAndDruidTimeoutsStayApart() {
        let hikari = druidViaSpring.replacingOccurrences(of: "com.alibaba.druid.pool.GetConnectionTimeoutException: wait millis 5000, active 20, maxActive 20, creating 0",
                                                        with: "java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms.")
        assertApart(sign(druidViaSpring), sign(hikari))
    }

    // MARK: in-app selection

    func testAppPackagesWin() {
        let druidOnly = """
        com.alibaba.druid.pool.GetConnectionTimeoutException: wait millis 5000, active 8, maxActive 8, creating 0
        \tat com.alibaba.druid.pool.DruidDataSource.getConnectionInternal(DruidDataSource.java:1512)
        \tat com.alibaba.druid.pool.DruidDataSource.getConnection(DruidDataSource.java:1235)
        \tat org.springframework.jdbc.datasource.DataSourceUtils.fetchConnection(DataSourceUtils.java:158)
        \tat org.springframework.jdbc.datasource.DataSourceUtils.doGetConnection(DataSourceUtils.java:116)
        """
        let plain = Signer().sign(chain: chain(druidOnly), logMessage: "")
        XCTAssertTrue(plain.why.contains { $0.hasPrefix("no in-app frame in the chain: top library frames of root cause used") }, "\(plain.why)")
        XCTAssertEqual(plain.frames, ["com.alibaba.druid.pool.DruidDataSource.getConnectionInternal",
                                      "com.alibaba.druid.pool.DruidDataSource.getConnection",
                                      "org.springframework.jdbc.datasource.DataSourceUtils.fetchConnection"])
        let mine = Signer(appPackages: ["com.alibaba.druid"]).sign(chain: chain(druidOnly), logMessage: "")
        XCTAssertEqual(mine.frames, ["com.alibaba.druid.pool.DruidDataSource.getConnectionInternal",
                                     "com.alibaba.druid.pool.DruidDataSource.getConnection"])
        XCTAssertTrue(mine.key.contains("thrown-in=app\n"), mine.key)
    }

    func testWrapperFramesUsedWhenRootCauseHasNoInAppFrames() {
        // An executor's worker-thread cause has only framework frames; the caller's frames locate it.
        let trace = """
        java.util.concurrent.ExecutionException: java.lang.IllegalStateException: pool closed
        \tat java.util.concurrent.FutureTask.report(FutureTask.java:122)
        \tat java.util.concurrent.FutureTask.get(FutureTask.java:192)
        \tat com.acme.sync.Syncer.await(Syncer.java:33)
        Caused by: java.lang.IllegalStateException: pool closed
        \tat org.apache.commons.pool2.impl.GenericObjectPool.assertOpen(GenericObjectPool.java:10)
        \tat java.util.concurrent.FutureTask.run(FutureTask.java:266)
        \tat java.lang.Thread.run(Thread.java:748)
        """
        let s = sign(trace)
        XCTAssertEqual(s.frames, ["com.acme.sync.Syncer.await"])
        XCTAssertTrue(s.why.contains { $0.hasPrefix("in-app frames of java.util.concurrent.ExecutionException (root cause has none)") }, "\(s.why)")
        XCTAssertTrue(s.key.contains("thrown-in=org.apache.commons.pool2.\n"), s.key)
    }

    func testFramelessExceptionUsesLogMessage() {
        let a = signer.sign(chain: chain("java.sql.SQLException: Too many connections"), logMessage: "sync of tenant 7 failed")
        let b = signer.sign(chain: chain("java.sql.SQLException: Too many connections"), logMessage: "sync of tenant 9 failed")
        let c = signer.sign(chain: chain("java.sql.SQLException: Too many connections"), logMessage: "report export failed")
        assertSame(a, b)
        assertApart(a, c)
        XCTAssertTrue(a.key.hasSuffix("log=sync of tenant <NUM> failed"), a.key)
    }

    // MARK: open stacks (leak sites)

    private let druidAbandon = """
    \tat com.alibaba.druid.pool.DruidDataSource.getConnectionDirect(DruidDataSource.java:1428)
    \tat com.alibaba.druid.pool.DruidDataSource.getConnection(DruidDataSource.java:1255)
    \tat org.mybatis.spring.transaction.SpringManagedTransaction.openConnection(SpringManagedTransaction.java:80)
    \tat com.sun.proxy.$Proxy91.selectList(Unknown Source)
    \tat com.acme.stock.StockDao.reserve(StockDao.java:44)
    \tat com.acme.stock.StockService.reserve(StockService.java:60)
    \tat com.acme.web.StockController.reserve(StockController.java:18)
    """

    func testOpenStacksGroupByLeakSite() {
        let a = signer.sign(chain: ExceptionChain(throwables: [], openStack: openStack(druidAbandon)),
                            logMessage: "abandon connection, owner thread: http-nio-8080-exec-5, connected at : 1696926638123, open stackTrace")
        let moved = druidAbandon.replacingOccurrences(of: "StockDao.java:44", with: "StockDao.java:47")
            .replacingOccurrences(of: "$Proxy91", with: "$Proxy12")
            .replacingOccurrences(of: "com.acme.web.StockController.reserve(StockController.java:18)",
                                  with: "com.acme.web.CheckoutController.pay(CheckoutController.java:70)")
        let b = signer.sign(chain: ExceptionChain(throwables: [], openStack: openStack(moved)),
                            logMessage: "abandon connection, owner thread: Worker-2, connected at : 1696926999999, open stackTrace")
        assertSame(a, b)
        XCTAssertEqual(a.kind, "exception")
        XCTAssertEqual(a.rootCause, "open-stack")
        XCTAssertNil(a.exception)
        XCTAssertEqual(a.frames, ["com.acme.stock.StockDao.reserve", "com.acme.stock.StockService.reserve"])

        let otherSite = druidAbandon.replacingOccurrences(of: "com.acme.stock.StockDao.reserve(StockDao.java:44)",
                                                          with: "com.acme.stock.StockDao.release(StockDao.java:90)")
        let c = signer.sign(chain: ExceptionChain(throwables: [], openStack: openStack(otherSite)), logMessage: "")
        assertApart(a, c)
        // A leak trace is never the same signature as an exception with the same frames.
        let asException = signer.sign(chain: ExceptionChain(throwables: [ThrowableInfo(className: "java.lang.Exception", frames: openStack(druidAbandon))]), logMessage: "")
        assertApart(a, asException)
    }

    func testHikariLeakTraceWithHeader() {
        let header = ThrowableInfo(className: "java.lang.Exception", message: "Apparent connection leak detected")
        let a = signer.sign(chain: ExceptionChain(throwables: [header], openStack: openStack(druidAbandon)), logMessage: "")
        XCTAssertEqual(a.exception, "java.lang.Exception")
        XCTAssertEqual(a.message, "Apparent connection leak detected")
        XCTAssertEqual(a.frames, ["com.acme.stock.StockDao.reserve", "com.acme.stock.StockService.reserve"])
    }

    // MARK: message kind

    func testMessagesGroupByTemplate() {
        let a = signer.signMessage("HikariPool-3 - Starting...")
        let b = signer.signMessage("HikariPool-17 - Starting...")
        let c = signer.signMessage("HikariPool-3 - Shutdown initiated...")
        assertSame(a, b)
        assertApart(a, c)
        XCTAssertEqual(a.kind, "message")
        XCTAssertEqual(a.message, "HikariPool-<NUM> - Starting...")
        XCTAssertEqual(a.frames, [])
        // An empty chain is signed as a message.
        assertSame(a, signer.sign(chain: ExceptionChain(throwables: []), logMessage: "HikariPool-9 - Starting..."))
    }

    func testMessageKeyKeepsOnlyTheFirstWordsOfTheFirstLine() {
        let (k, n) = Signer.messageKey("wait millis 5000, active 20, maxActive 20, creating 0, createErrorCount 4, runningSqlCount 2 : select 1\nrunningSqlCount 1 : select 2")
        XCTAssertEqual(k, "wait millis <NUM>, active <NUM>, maxActive <NUM>, creating")
        XCTAssertEqual(n, 16)
        XCTAssertEqual(Signer.messageKey("\n\n### Error querying database.  Cause: x\n### more").0, "### Error querying database. Cause: x")
        XCTAssertEqual(Signer.messageKey("").0, "")
    }

    func testCollapseRecursion() {
        func frames(_ names: String) -> [String] {
            let t = ThrowableInfo(className: "java.lang.StackOverflowError",
                                  frames: names.split(separator: " ").map { StackFrame(className: "com.acme.X", method: String($0)) })
            return signer.sign(chain: ExceptionChain(throwables: [t]), logMessage: "").frames.map { String($0.dropFirst(11)) }
        }
        XCTAssertEqual(frames("a a a b"), ["a", "b"])
        XCTAssertEqual(frames("a b a b a b c"), ["a", "b", "c"])
        XCTAssertEqual(frames("a b c a b c d"), ["a", "b", "c"])
        XCTAssertEqual(frames("a b a c"), ["a", "b", "c"])
        XCTAssertEqual(frames("b a b a c"), ["b", "a", "c"])
    }

    func testEntryPointNames() {
        XCTAssertTrue(Signer.isEntryPoint("com.acme.web.OrderController"))
        XCTAssertTrue(Signer.isEntryPoint("com.acme.web.OrderController$1"))
        XCTAssertTrue(Signer.isEntryPoint("com.acme.jobs.NightlyExportJob"))
        XCTAssertFalse(Signer.isEntryPoint("com.acme.order.OrderService"))
        XCTAssertFalse(Signer.isEntryPoint("com.acme.order.ControllerSupport"))
    }

    func testLogMessageDoesNotSplitAChainWithFrames() {
        let c = chain(druidViaSpring)
        var ids = Set<String>()
        for i in 0..<200 { ids.insert(signer.sign(chain: c, logMessage: "order \(i) failed for user u\(i)").id) }
        XCTAssertEqual(ids.count, 1)
    }
}

final class FrameNormalizerTests: XCTestCase {
    private func n(_ cls: String, _ method: String = "m", module: String? = nil, line: Int? = nil, jar: String? = nil) -> NormalizedFrame {
        FrameNormalizer.normalize(StackFrame(className: cls, method: method, line: line, module: module, jar: jar))
    }

    /// Each rule with examples that must trigger it (and the result) and examples that must not.
    func testEveryRuleFiresOnItsExamplesOnly() {
        let cases: [(NormalizationRule, [(StackFrame, String)], [StackFrame])] = [
            (.lineNumber, [(StackFrame(className: "com.a.B", method: "m", file: "B.java", line: 3), "com.a.B.m")],
             [StackFrame(className: "com.a.B", method: "m", note: "Native Method")]),
            (.jdkModule, [(StackFrame(className: "java.net.SocketInputStream", method: "read", module: "java.base"), "java.net.SocketInputStream.read"),
                          (StackFrame(className: "java.base/java.net.SocketInputStream", method: "read"), "java.net.SocketInputStream.read"),
                          (StackFrame(className: "app//com.acme.Foo", method: "bar"), "com.acme.Foo.bar"),
                          (StackFrame(className: "java.sql@17.0.2/java.sql.DriverManager", method: "getConnection"), "java.sql.DriverManager.getConnection")],
             [StackFrame(className: "com.acme.Foo", method: "bar")]),
            (.jar, [(StackFrame(className: "com.a.B", method: "m", jar: "~[a-1.0.jar:1.0]"), "com.a.B.m")],
             [StackFrame(className: "com.a.B", method: "m")]),
            (.lambda, [(StackFrame(className: "com.acme.Foo$$Lambda$123/0x0000000800c4b440", method: "apply"), "com.acme.Foo$$Lambda.apply"),
                       (StackFrame(className: "com.acme.Foo$$Lambda/0x000001f0010c8a00", method: "apply"), "com.acme.Foo$$Lambda.apply"),
                       (StackFrame(className: "com.acme.Foo$$Lambda$123/456789", method: "apply"), "com.acme.Foo$$Lambda.apply"),
                       (StackFrame(className: "0x0000000800c4b440", method: "apply", module: "com.acme.Foo$$Lambda$123"), "com.acme.Foo$$Lambda.apply"),
                       (StackFrame(className: "com.acme.Foo", method: "lambda$place$3"), "com.acme.Foo.lambda$place"),
                       (StackFrame(className: "com.acme.Foo", method: "lambda$null$12"), "com.acme.Foo.lambda$null"),
                       (StackFrame(className: "com.acme.Foo", method: "lambda$0"), "com.acme.Foo.lambda$"),
                       (StackFrame(className: "com.acme.Job", method: "$anonfun$run$1$adapted"), "com.acme.Job.$anonfun$run$adapted"),
                       // Kotlin, Scala 2.11 and Groovy spellings: the number goes, the method stays
                       (StackFrame(className: "com.acme.OrderService", method: "place$lambda$2"), "com.acme.OrderService.place$lambda"),
                       (StackFrame(className: "com.acme.OrderService", method: "place$lambda-0"), "com.acme.OrderService.place$lambda"),
                       (StackFrame(className: "com.acme.OrderService$place$1", method: "invokeSuspend"), "com.acme.OrderService$place.invokeSuspend"),
                       (StackFrame(className: "com.acme.OrderService$$anonfun$place$3", method: "apply"), "com.acme.OrderService$$anonfun$place.apply"),
                       (StackFrame(className: "com.acme.OrderService$_place_closure2", method: "doCall"), "com.acme.OrderService$_place_closure.doCall")],
             [StackFrame(className: "com.acme.Foo$1", method: "run"), StackFrame(className: "com.acme.Lambdas", method: "lambda"),
              StackFrame(className: "com.acme.Outer$Inner$1", method: "run"), StackFrame(className: "com.acme.Foo", method: "lambda-0"),
              StackFrame(className: "com.acme.Foo$closure", method: "x")]),
            (.hiddenClass, [(StackFrame(className: "java.lang.invoke.LambdaForm$MH/0x0000000800c4c840", method: "invoke"), "java.lang.invoke.LambdaForm$MH.invoke")],
             [StackFrame(className: "java.lang.invoke.LambdaForm$MH", method: "invoke")]),
            (.proxy, [(StackFrame(className: "$Proxy123", method: "query"), "$Proxy.query"),
                      (StackFrame(className: "com.sun.proxy.$Proxy12", method: "query"), "$Proxy.query"),
                      (StackFrame(className: "jdk.proxy2.$Proxy57", method: "query"), "$Proxy.query")],
             [StackFrame(className: "com.acme.$ProxyFactory", method: "make"), StackFrame(className: "com.acme.ProxyHolder", method: "m")]),
            (.cglib, [(StackFrame(className: "com.acme.Svc$$EnhancerBySpringCGLIB$$1a2b3c4d", method: "run"), "com.acme.Svc.run"),
                      (StackFrame(className: "com.acme.Svc$$FastClassBySpringCGLIB$$1a2b3c4d", method: "invoke"), "com.acme.Svc.invoke"),
                      (StackFrame(className: "com.acme.Svc$$SpringCGLIB$$0", method: "run"), "com.acme.Svc.run"),
                      (StackFrame(className: "com.acme.Svc$$EnhancerByCGLIB$$abc", method: "run"), "com.acme.Svc.run"),
                      (StackFrame(className: "com.acme.Svc", method: "CGLIB$run$0"), "com.acme.Svc.CGLIB$run")],
             [StackFrame(className: "com.acme.CglibHelper", method: "run")]),
            (.javassist, [(StackFrame(className: "com.acme.User_$$_javassist_12", method: "getName"), "com.acme.User.getName"),
                          (StackFrame(className: "com.acme.User_$$_jvst9f_3", method: "getName"), "com.acme.User.getName")],
             [StackFrame(className: "javassist.util.proxy.ProxyFactory", method: "create")]),
            (.hibernateProxy, [(StackFrame(className: "com.acme.Order$HibernateProxy$AbCdEf12", method: "getItems"), "com.acme.Order.getItems"),
                               (StackFrame(className: "com.acme.Order$HibernateProxy", method: "getItems"), "com.acme.Order.getItems")],
             [StackFrame(className: "org.hibernate.proxy.HibernateProxy", method: "x")]),
            (.guice, [(StackFrame(className: "com.acme.Svc$$EnhancerByGuice$$1a2b3c", method: "run"), "com.acme.Svc.run"),
                      (StackFrame(className: "com.acme.Svc$$FastClassByGuice$$1a2b3c", method: "invoke"), "com.acme.Svc.invoke")],
             [StackFrame(className: "com.google.inject.internal.Guice", method: "x")]),
            (.bytebuddy, [(StackFrame(className: "com.acme.Svc$ByteBuddy$aBcD1234", method: "run"), "com.acme.Svc.run"),
                          (StackFrame(className: "com.acme.Svc$ByteBuddy$aBcD1234$auxiliary$xYz", method: "call"), "com.acme.Svc.call")],
             [StackFrame(className: "net.bytebuddy.ByteBuddy", method: "make")]),
            (.mockito, [(StackFrame(className: "com.acme.Svc$MockitoMock$123456", method: "run"), "com.acme.Svc.run"),
                        (StackFrame(className: "com.acme.Svc$$EnhancerByMockitoWithCGLIB$$1a2b", method: "run"), "com.acme.Svc.run")],
             [StackFrame(className: "org.mockito.Mockito", method: "mock")]),
            (.accessor, [(StackFrame(className: "sun.reflect.GeneratedMethodAccessor123", method: "invoke"), "sun.reflect.GeneratedMethodAccessor.invoke"),
                         (StackFrame(className: "jdk.internal.reflect.GeneratedConstructorAccessor45", method: "newInstance"), "jdk.internal.reflect.GeneratedConstructorAccessor.newInstance"),
                         (StackFrame(className: "sun.reflect.GeneratedSerializationConstructorAccessor7", method: "newInstance"), "sun.reflect.GeneratedSerializationConstructorAccessor.newInstance")],
             [StackFrame(className: "com.acme.GeneratedReport", method: "x"), StackFrame(className: "sun.reflect.DelegatingMethodAccessorImpl", method: "invoke")]),
            (.syntheticAccessor, [(StackFrame(className: "com.acme.Outer", method: "access$000"), "com.acme.Outer.access$")],
             [StackFrame(className: "com.acme.Outer", method: "access$foo")]),
            (.clojure, [(StackFrame(className: "clojure.core$map$fn__4785", method: "invoke"), "clojure.core$map$fn.invoke")],
             [StackFrame(className: "clojure.core$map", method: "invoke")]),
            (.address, [(StackFrame(className: "com.acme.Worker@1a2b3c", method: "run"), "com.acme.Worker.run")],
             [StackFrame(className: "com.acme.Worker", method: "run")]),
            (.generatedSubclass, [
                (StackFrame(className: "com.acme.OrderService_Subclass", method: "place$$superforward"), "com.acme.OrderService_Subclass.place$$superforward"),
                (StackFrame(className: "com.acme.OrderService_Subclass$$function$$3", method: "apply"), "com.acme.OrderService_Subclass$$function$$3.apply"),
                (StackFrame(className: "com.acme.OrderService_ClientProxy", method: "place"), "com.acme.OrderService_ClientProxy.place"),
                (StackFrame(className: "com.acme.$PricingService$Definition$Intercepted", method: "$$access$$price"), "com.acme.$PricingService$Definition$Intercepted.$$access$$price"),
                (StackFrame(className: "com.acme.$PricingServiceDefinition$Exec", method: "dispatch"), "com.acme.$PricingServiceDefinition$Exec.dispatch")],
             [StackFrame(className: "com.acme.Order_Subclassifier", method: "x"), StackFrame(className: "com.acme.Definition$Exec", method: "x"),
              StackFrame(className: "com.acme.snake_case_name", method: "x")]),
        ]
        for (rule, triggering, nonTriggering) in cases {
            for (f, expected) in triggering {
                let r = FrameNormalizer.normalize(f)
                XCTAssertEqual(r.text, expected, "\(rule.rawValue): \(f)")
                XCTAssertTrue(r.rules.contains(rule), "\(rule.rawValue) should fire on \(f); fired: \(r.rules.names)")
            }
            for f in nonTriggering {
                let r = FrameNormalizer.normalize(f)
                XCTAssertFalse(r.rules.contains(rule), "\(rule.rawValue) must not fire on \(f)")
                XCTAssertEqual(r.text, f.className + "." + f.method, "\(f) must be left alone")
            }
        }
        // Every rule has examples.
        XCTAssertEqual(Set(cases.map(\.0)), Set(NormalizationRule.allCases))
    }

    func testRuleNames() {
        XCTAssertEqual(NormalizationRule.allCases.map(\.rawValue), [
            "line-number", "jdk-module", "jar", "lambda", "hidden-class", "proxy", "cglib", "javassist",
            "hibernate-proxy", "guice", "bytebuddy", "mockito", "accessor", "synthetic-accessor", "clojure", "address",
            "generated-subclass",
        ])
        let r = n("com.acme.Svc$$EnhancerBySpringCGLIB$$1a2b3c4d", "lambda$run$2", module: "app", line: 9)
        XCTAssertEqual(r.rules.names, ["line-number", "jdk-module", "lambda", "cglib"])
    }

    func testRuleBitsFollowDeclarationOrder() {
        // `RuleCounts` indexes its counters by bit position.
        for (i, r) in NormalizationRule.allCases.enumerated() { XCTAssertEqual(r.bit, 1 << UInt32(i), r.rawValue) }
    }

    func testGeneratedFrames() {
        XCTAssertTrue(n("com.sun.proxy.$Proxy12").isGenerated)
        XCTAssertTrue(n("com.acme.Foo$$Lambda$1/0x1").isGenerated)
        XCTAssertTrue(n("sun.reflect.GeneratedMethodAccessor1").isGenerated)
        XCTAssertTrue(n("com.acme.Svc$$FastClassBySpringCGLIB$$ab").isGenerated)
        XCTAssertTrue(n("com.acme.Svc", "CGLIB$run$0").isGenerated)
        XCTAssertFalse(n("com.acme.Svc$$EnhancerBySpringCGLIB$$ab").isGenerated)   // names the proxied call
        XCTAssertFalse(n("com.acme.Order$HibernateProxy$x").isGenerated)
        XCTAssertFalse(n("com.acme.Foo", "lambda$run$0").isGenerated)
        XCTAssertTrue(n("com.acme.OrderService_Subclass").isGenerated)
        XCTAssertTrue(n("com.acme.$OrderService$Definition$Intercepted").isGenerated)
        XCTAssertFalse(n("com.acme.Order_Subclassifier").isGenerated)
        XCTAssertTrue(n("com.acme.Outer", "access$000").isGenerated)   // JDK 11 nestmates have none
        XCTAssertFalse(n("com.acme.Outer", "access$foo").isGenerated)
    }

    func testPlainFramesAreUntouched() {
        let r = n("com.acme.order.OrderService$Inner", "place")
        XCTAssertEqual(r.text, "com.acme.order.OrderService$Inner.place")
        XCTAssertEqual(r.rules, [])
        XCTAssertFalse(r.isGenerated)
    }
}

final class FrameworkPackagesTests: XCTestCase {
    func testFrameworkAndAppClasses() {
        let p = FrameworkPackages()
        for c in ["java.lang.Thread", "javax.sql.DataSource", "jakarta.servlet.Filter", "sun.nio.ch.NioSocketImpl",
                  "com.sun.proxy.$Proxy1", "org.springframework.jdbc.core.JdbcTemplate", "com.alibaba.druid.pool.DruidDataSource",
                  "com.zaxxer.hikari.pool.HikariPool", "org.apache.commons.dbcp.PoolingDataSource",
                  "org.apache.commons.pool.impl.GenericObjectPool", "com.mysql.cj.jdbc.ConnectionImpl",
                  "org.postgresql.core.v3.ConnectionFactoryImpl", "oracle.jdbc.driver.T4CConnection", "reactor.core.publisher.Mono",
                  "feign.SynchronousMethodHandler", "com.baomidou.mybatisplus.core.override.MybatisMapperProxy"] {
            XCTAssertFalse(p.isInApp(c), c)
            XCTAssertNotNil(p.frameworkPrefix(of: c), c)
        }
        for c in ["com.acme.order.OrderService", "org.apache.dolphinscheduler.server.worker.SqlTask", "Main",
                  "com.alibaba.shop.Cart", "javaxx.Foo", "org.springframeworkx.Foo", "reactorx.Foo"] {
            XCTAssertTrue(p.isInApp(c), c)
            XCTAssertNil(p.frameworkPrefix(of: c), c)
        }
        XCTAssertEqual(p.frameworkPrefix(of: "org.apache.commons.dbcp2.PoolingDataSource"), "org.apache.commons.dbcp2.")
    }

    func testAppPackagesWinAndMatchWholeSegments() {
        let p = FrameworkPackages(appPackages: ["org.springframework.samples", "com.acme."])
        XCTAssertTrue(p.isInApp("org.springframework.samples.petclinic.OwnerController"))
        XCTAssertFalse(p.isInApp("org.springframework.samplesx.Foo"))
        XCTAssertFalse(p.isInApp("org.springframework.jdbc.core.JdbcTemplate"))
        XCTAssertTrue(p.isJDK("java.lang.Thread"))
        XCTAssertFalse(p.isJDK("com.mysql.cj.Foo"))
        // named packages are the whole application: an unlisted library is not part of it
        XCTAssertFalse(p.isInApp("io.unlisted.pool.Pool"))
        XCTAssertEqual(p.frameworkPrefix(of: "io.unlisted.pool.Pool"), "other library")
        XCTAssertTrue(FrameworkPackages().isInApp("io.unlisted.pool.Pool"))
    }


    func testBriefListIsCovered() {
        let required = """
        java. javax. jakarta. jdk. sun. com.sun. kotlin. scala. org.springframework. org.apache.ibatis. org.mybatis.
        org.hibernate. com.alibaba.druid. com.zaxxer.hikari. org.apache.commons.dbcp. org.apache.commons.dbcp2.
        org.apache.commons.pool. org.apache.commons.pool2. org.apache.tomcat. org.apache.catalina. org.apache.coyote.
        io.netty. com.fasterxml.jackson. com.mysql. org.postgresql. oracle.jdbc. com.mchange. org.aspectj. net.bytebuddy.
        org.junit. io.undertow. org.eclipse.jetty. reactor. io.reactivex. feign. com.google.common. com.google.inject.
        ch.qos.logback. org.slf4j. org.apache.logging. io.micrometer. brave. io.opentelemetry. org.quartz.
        com.baomidou.mybatisplus. org.apache.dubbo. com.alibaba.dubbo. io.grpc. okhttp3. org.apache.http. org.apache.kafka.
        """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        for p in required { XCTAssertTrue(FrameworkPackages.prefixes.contains(p), p) }
    }

    func testListIsWellFormed() {
        for prefix in FrameworkPackages.prefixes {
            XCTAssertTrue(prefix.hasSuffix("."), prefix)
            XCTAssertFalse(prefix.contains(" "), prefix)
        }
        XCTAssertEqual(Set(FrameworkPackages.prefixes).count, FrameworkPackages.prefixes.count, "duplicates")
    }
}

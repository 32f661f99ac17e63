import Foundation
import XCTest
@testable import StackSift

// MARK: - A generated corpus whose true faults are known

/// Two hosts, two deploys each, nine true faults. Everything that is not the fault varies:
/// host, Logback or Log4j2 layout, JDK 8 or JDK 17 frame spelling (`java.base/`,
/// `jdk.internal.reflect`, `jdk.proxy2`) and internals (JDK 8's `PlainSocketImpl` against
/// JDK 13's `NioSocketImpl`), JDK 8 or JDK 17 wording of messages (helpful NullPointerException
/// messages, `Connection refused (Connection refused)`), the entry path above the fault
/// (controllers, jobs, listeners, and methods named like none of them that a scheduler, a Kafka
/// container or an executor calls), and a redeploy halfway that shifts every line number and
/// every generated name (`$ProxyNN`, `$$EnhancerBySpringCGLIB$$hex`, `GeneratedMethodAccessorNN`,
/// `$$Lambda$NN/0x…`, `lambda$x$N`). Times are unique across the corpus, so "first" and "last"
/// are exact.
struct FaultCorpus {
    struct Env {
        var host: Int
        var deploy: Int
        var jdk17: Bool
        var logback: Bool
    }

    struct Fault {
        var name: String
        var rootCause: String
        /// First frame of the signature key (nearest in-app frame, or the leak site).
        var topFrame: String
        var patterns: [String]
        var weight: Int
    }

    struct File {
        var name: String          // "host-a/app.log.1"
        var text: String
        var eventStarts: [Int]    // byte offsets where events begin
        var events: Int { eventStarts.count }
    }

    struct Tally: Equatable {
        var count = 0
        var first = Int64.max
        var last = Int64.min
        var perFile: [String: Int] = [:]
    }

    var files: [File]
    var tallies: [Int: Tally]           // fault index → what the analysis must find
    var exceptionEvents: Int { tallies.values.reduce(0) { $0 + $1.count } }

    static let hosts = ["host-a", "host-b"]
    /// 2023-10-10 08:00:00 UTC
    static let start: Int64 = 1_696_924_800_000
    static let redeploy: Int64 = start + 4 * 3_600_000

    static let faults: [Fault] = [
        Fault(name: "druid timeout from OrderDao.insert via MyBatis", rootCause: "com.alibaba.druid.pool.GetConnectionTimeoutException",
              topFrame: "com.acme.order.dao.OrderDao.insert",
              patterns: ["druid.get-connection-timeout", "spring.cannot-get-connection", "mybatis.cannot-get-connection"], weight: 5),
        Fault(name: "druid timeout from InventoryDao.reserve via JdbcTemplate", rootCause: "com.alibaba.druid.pool.GetConnectionTimeoutException",
              topFrame: "com.acme.inventory.dao.InventoryDao.reserve",
              patterns: ["druid.get-connection-timeout", "spring.cannot-get-connection"], weight: 3),
        Fault(name: "NPE in a lambda of ReportService", rootCause: "java.lang.NullPointerException",
              topFrame: "com.acme.report.ReportService.lambda$build", patterns: [], weight: 3),
        Fault(name: "NPE in a lambda of InvoiceService", rootCause: "java.lang.NullPointerException",
              topFrame: "com.acme.billing.InvoiceService.lambda$total", patterns: [], weight: 2),
        Fault(name: "Hikari leak at TenantSqlRunner.run", rootCause: "open-stack",
              topFrame: "com.acme.tenant.TenantSqlRunner.run", patterns: ["hikari.leak-detection"], weight: 2),
        Fault(name: "Hikari leak at AuditDao.append", rootCause: "open-stack",
              topFrame: "com.acme.audit.AuditDao.append", patterns: ["hikari.leak-detection"], weight: 2),
        Fault(name: "MySQL link failure (socket read timeout) in PaymentDao.settle", rootCause: "java.net.SocketTimeoutException",
              topFrame: "com.acme.payment.dao.PaymentDao.settle",
              patterns: ["mysql.communications-link-failure", "jdbc.socket-read-timeout"], weight: 3),
        Fault(name: "client went away while Tomcat wrote a response (no application frame)", rootCause: "java.io.IOException",
              topFrame: "org.apache.tomcat.util.net.NioChannel.write", patterns: [], weight: 2),
        Fault(name: "pricing service refused the connection in PricingClient.fetch", rootCause: "java.net.ConnectException",
              topFrame: "com.acme.pricing.PricingClient.fetch", patterns: [], weight: 2),
    ]

    /// Host a logs with Logback, host b with Log4j2; host a moves from JDK 8 to 17 at the
    /// redeploy, host b the other way round.
    static func env(host: Int, deploy: Int) -> Env {
        Env(host: host, deploy: deploy, jdk17: (host == 0) == (deploy == 1), logback: host == 0)
    }

    // MARK: frame spelling

    /// Renders frames (the text after `at `) for one JVM and deploy.
    struct R {
        var env: Env
        func shifted(_ line: Int) -> Int { line + env.deploy * (11 + line % 7) }
        var jdkJar: String { env.logback ? (env.jdk17 ? " ~[na:na]" : " ~[na:1.8.0_362]") : "" }
        func simple(_ cls: String) -> String {
            let last = cls.split(separator: ".").last.map(String.init) ?? cls
            return String(last.split(separator: "$").first ?? Substring(last))
        }
        func app(_ cls: String, _ m: String, _ line: Int) -> String {
            "\(cls).\(m)(\(simple(cls)).java:\(shifted(line)))" + (env.logback ? " ~[classes/:na]" : "")
        }
        func lib(_ cls: String, _ m: String, _ line: Int, _ jar: String) -> String {
            "\(cls).\(m)(\(simple(cls)).java:\(shifted(line)))" + (env.logback ? " ~[\(jar)]" : "")
        }
        func jdk(_ cls: String, _ m: String, _ l8: Int, _ l17: Int) -> String {
            (env.jdk17 ? "java.base/" : "") + "\(cls).\(m)(\(simple(cls)).java:\(env.jdk17 ? l17 : l8))" + jdkJar
        }
        func native(_ cls: String, _ m: String) -> String {
            (env.jdk17 ? "java.base/" : "") + "\(cls).\(m)(Native Method)" + jdkJar
        }
        func hex(_ v: UInt64, _ digits: Int) -> String {
            let s = String(v, radix: 16)
            return String(repeating: "0", count: max(0, digits - s.count)) + s
        }
        var gen: UInt64 { UInt64(env.deploy * 7 + env.host * 3 + 1) }
        func proxy(_ m: String, _ base: Int) -> String {
            let n = base + env.deploy * 13 + env.host * 2
            return (env.jdk17 ? "jdk.proxy2/jdk.proxy2.$Proxy\(n)" : "com.sun.proxy.$Proxy\(n)") + ".\(m)(Unknown Source)" + (env.logback ? " ~[na:na]" : "")
        }
        func enhancer(_ base: String, _ m: String) -> String {
            "\(base)$$EnhancerBySpringCGLIB$$\(hex(0x9e37_79b9 &* gen &+ UInt64(base.utf8.count), 8)).\(m)(<generated>)" + (env.logback ? " ~[classes/:na]" : "")
        }
        func fastClass(_ base: String) -> String {
            "\(base)$$FastClassBySpringCGLIB$$\(hex(0x85eb_ca6b &* gen &+ UInt64(base.utf8.count), 8)).invoke(<generated>)" + (env.logback ? " ~[classes/:na]" : "")
        }
        func accessor(_ base: Int) -> String {
            let n = base + env.deploy * 37 + env.host * 5
            return (env.jdk17 ? "jdk.internal.reflect" : "sun.reflect") + ".GeneratedMethodAccessor\(n).invoke(Unknown Source)" + (env.logback ? " ~[na:na]" : "")
        }
        func delegating() -> String {
            (env.jdk17 ? "java.base/jdk.internal.reflect" : "sun.reflect") + ".DelegatingMethodAccessorImpl.invoke(DelegatingMethodAccessorImpl.java:43)" + jdkJar
        }
        func ctorAccessor(_ base: Int) -> String {
            let n = base + env.deploy * 9 + env.host * 4
            return (env.jdk17 ? "jdk.internal.reflect" : "sun.reflect") + ".GeneratedConstructorAccessor\(n).newInstance(Unknown Source)" + (env.logback ? " ~[na:na]" : "")
        }
        func methodInvoke() -> String { jdk("java.lang.reflect.Method", "invoke", 498, 568) }
        func reflective(_ base: Int) -> [String] { [accessor(base), delegating(), methodInvoke()] }
        func lambdaClass(_ owner: String, _ iface: String, _ base: Int) -> String {
            let n = base + env.deploy * 31 + env.host * 3
            let suffix = env.jdk17 ? "0x" + hex(0x0000_0008_00c3_b440 &+ UInt64(n) &* 0x240, 16) : String(1_831_932_724 + n * 7919)
            return "\(owner)$$Lambda$\(n)/\(suffix).\(iface)(Unknown Source)" + (env.logback ? " ~[classes/:na]" : "")
        }
        func lambdaBody(_ owner: String, _ enclosing: String, _ line: Int) -> String {
            app(owner, "lambda$\(enclosing)$\(env.deploy == 0 ? 0 : 3)", line)
        }
        // entry paths: a controller under Spring MVC and Tomcat, a scheduled job, an MQ listener
        func controller(_ cls: String, _ m: String, _ line: Int, _ n: Int) -> [String] {
            [app(cls, m, line)] + reflective(200 + n) + [
                lib("org.springframework.web.method.support.InvocableHandlerMethod", "doInvoke", 205, "spring-web-5.3.9.jar:5.3.9"),
                lib("org.springframework.web.servlet.mvc.method.annotation.ServletInvocableHandlerMethod", "invokeAndHandle", 117, "spring-webmvc-5.3.9.jar:5.3.9"),
                lib("org.springframework.web.servlet.DispatcherServlet", "doDispatch", 1067, "spring-webmvc-5.3.9.jar:5.3.9"),
                lib("org.springframework.web.servlet.FrameworkServlet", "processRequest", 1006, "spring-webmvc-5.3.9.jar:5.3.9"),
                lib("org.apache.catalina.core.ApplicationFilterChain", "internalDoFilter", 231, "tomcat-embed-core-9.0.50.jar:9.0.50"),
                app("com.acme.common.web.TraceFilter", "doFilter", 44),
                lib("org.apache.catalina.core.ApplicationFilterChain", "doFilter", 166, "tomcat-embed-core-9.0.50.jar:9.0.50"),
                lib("org.apache.tomcat.util.threads.TaskThread$WrappingRunnable", "run", 61, "tomcat-embed-core-9.0.50.jar:9.0.50"),
                jdk("java.lang.Thread", "run", 748, 833),
            ]
        }
        func job(_ cls: String, _ m: String, _ line: Int) -> [String] {
            [app(cls, m, line)] + reflective(90) + [
                lib("org.springframework.scheduling.support.ScheduledMethodRunnable", "run", 84, "spring-context-5.3.9.jar:5.3.9"),
                jdk("java.util.concurrent.Executors$RunnableAdapter", "call", 511, 539),
                jdk("java.util.concurrent.FutureTask", "runAndReset", 308, 305),
                jdk("java.util.concurrent.ThreadPoolExecutor", "runWorker", 1149, 1136),
                jdk("java.util.concurrent.ThreadPoolExecutor$Worker", "run", 624, 635),
                jdk("java.lang.Thread", "run", 748, 833),
            ]
        }
        /// A `@KafkaListener` method: Spring's messaging handler calls it through reflection.
        func kafka(_ cls: String, _ m: String, _ line: Int) -> [String] {
            [app(cls, m, line)] + reflective(150) + [
                lib("org.springframework.messaging.handler.invocation.InvocableHandlerMethod", "doInvoke", 169, "spring-messaging-5.3.9.jar:5.3.9"),
                lib("org.springframework.messaging.handler.invocation.InvocableHandlerMethod", "invoke", 119, "spring-messaging-5.3.9.jar:5.3.9"),
                lib("org.springframework.kafka.listener.adapter.HandlerAdapter", "invoke", 56, "spring-kafka-2.7.4.jar:2.7.4"),
                lib("org.springframework.kafka.listener.adapter.MessagingMessageListenerAdapter", "invokeHandler", 347, "spring-kafka-2.7.4.jar:2.7.4"),
                lib("org.springframework.kafka.listener.adapter.RecordMessagingMessageListenerAdapter", "onMessage", 92, "spring-kafka-2.7.4.jar:2.7.4"),
                lib("org.springframework.kafka.listener.KafkaMessageListenerContainer$ListenerConsumer", "doInvokeOnMessage", 2336, "spring-kafka-2.7.4.jar:2.7.4"),
                lib("org.springframework.kafka.listener.KafkaMessageListenerContainer$ListenerConsumer", "run", 1230, "spring-kafka-2.7.4.jar:2.7.4"),
                jdk("java.util.concurrent.Executors$RunnableAdapter", "call", 511, 539),
                jdk("java.util.concurrent.FutureTask", "run", 266, 264),
                jdk("java.lang.Thread", "run", 748, 833),
            ]
        }
        /// A lambda handed to an executor.
        func executor(_ cls: String, _ enclosing: String, _ line: Int) -> [String] {
            [lambdaBody(cls, enclosing, line), lambdaClass(cls, "run", 640),
             jdk("java.util.concurrent.ThreadPoolExecutor", "runWorker", 1149, 1136),
             jdk("java.util.concurrent.ThreadPoolExecutor$Worker", "run", 624, 635),
             jdk("java.lang.Thread", "run", 748, 833)]
        }
        func listener(_ cls: String, _ m: String, _ line: Int) -> [String] {
            [app(cls, m, line),
             lib("org.apache.rocketmq.client.impl.consumer.ConsumeMessageConcurrentlyService$ConsumeRequest", "run", 476, "rocketmq-client-4.9.4.jar:4.9.4"),
             jdk("java.util.concurrent.Executors$RunnableAdapter", "call", 511, 539),
             jdk("java.util.concurrent.FutureTask", "run", 266, 264),
             jdk("java.util.concurrent.ThreadPoolExecutor", "runWorker", 1149, 1136),
             jdk("java.util.concurrent.ThreadPoolExecutor$Worker", "run", 624, 635),
             jdk("java.lang.Thread", "run", 748, 833)]
        }
    }

    /// One rendered event before layout: who logged it, and its throwables' full stacks.
    struct Body {
        var thread: String
        var level: String
        var logger: String
        var message: String
        /// Outermost first; each header may hold continuation lines.
        var throwables: [(header: String, full: [String])]
    }

    static func body(fault: Int, _ r: R, _ rng: inout SplitMix64) -> Body {
        let exec = "http-nio-8080-exec-\(1 + rng.next() % 200)"
        switch fault {
        case 0, 1:
            let wait = 5000 + Int(rng.next() % 40), active = 25 + Int(rng.next() % 6)
            let druid = "com.alibaba.druid.pool.GetConnectionTimeoutException: wait millis \(wait), active \(active), maxActive 30, creating 0"
            let spring = "org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection; nested exception is " + druid
            let druidFrames = [
                r.lib("com.alibaba.druid.pool.DruidDataSource", "getConnectionInternal", 1512, "druid-1.2.8.jar:1.2.8"),
                r.lib("com.alibaba.druid.pool.DruidDataSource", "getConnectionDirect", 1255, "druid-1.2.8.jar:1.2.8"),
                r.lib("com.alibaba.druid.pool.DruidDataSource", "getConnection", 1235, "druid-1.2.8.jar:1.2.8"),
                r.lib("org.springframework.jdbc.datasource.DataSourceUtils", "fetchConnection", 158, "spring-jdbc-5.3.9.jar:5.3.9"),
                r.lib("org.springframework.jdbc.datasource.DataSourceUtils", "doGetConnection", 116, "spring-jdbc-5.3.9.jar:5.3.9"),
            ]
            if fault == 0 {
                let (entryFrames, thread) = [
                    (r.controller("com.acme.order.web.OrderController", "create", 57, 1), exec),
                    (r.controller("com.acme.order.web.MobileOrderController", "place", 33, 2), exec),
                    (r.job("com.acme.order.job.OrderRetryJob", "retryPending", 41), "scheduling-1"),
                    (r.job("com.acme.order.schedule.OrderTasks", "retryPending", 41), "scheduling-1"),
                    (r.kafka("com.acme.order.mq.OrderEvents", "onOrder", 19), "org.springframework.kafka.KafkaListenerEndpointContainer#0-0-C-1"),
                ][Int(rng.next() % 5)]
                let app = [
                    r.proxy("insert", 130),
                    r.app("com.acme.order.dao.OrderDao", "insert", 41),
                    r.app("com.acme.order.service.OrderService", "placeOrder", 88),
                    r.fastClass("com.acme.order.service.OrderService"),
                    r.lib("org.springframework.cglib.proxy.MethodProxy", "invoke", 218, "spring-core-5.3.9.jar:5.3.9"),
                    r.lib("org.springframework.aop.framework.CglibAopProxy$CglibMethodInvocation", "invokeJoinpoint", 793, "spring-aop-5.3.9.jar:5.3.9"),
                    r.lib("org.springframework.aop.framework.ReflectiveMethodInvocation", "proceed", 163, "spring-aop-5.3.9.jar:5.3.9"),
                    r.lib("org.springframework.transaction.interceptor.TransactionInterceptor", "invoke", 119, "spring-tx-5.3.9.jar:5.3.9"),
                    r.lib("org.springframework.aop.framework.CglibAopProxy$DynamicAdvisedInterceptor", "intercept", 708, "spring-aop-5.3.9.jar:5.3.9"),
                    r.enhancer("com.acme.order.service.OrderService", "placeOrder"),
                ] + entryFrames
                let outer = [
                    r.lib("org.mybatis.spring.MyBatisExceptionTranslator", "translateExceptionIfPossible", 96, "mybatis-spring-2.0.6.jar:2.0.6"),
                    r.lib("org.mybatis.spring.SqlSessionTemplate$SqlSessionInterceptor", "invoke", 441, "mybatis-spring-2.0.6.jar:2.0.6"),
                    r.proxy("insert", 112),
                    r.lib("org.mybatis.spring.SqlSessionTemplate", "insert", 272, "mybatis-spring-2.0.6.jar:2.0.6"),
                    r.lib("org.apache.ibatis.binding.MapperMethod", "execute", 62, "mybatis-3.5.7.jar:3.5.7"),
                    r.lib("org.apache.ibatis.binding.MapperProxy$PlainMethodInvoker", "invoke", 145, "mybatis-3.5.7.jar:3.5.7"),
                    r.lib("org.apache.ibatis.binding.MapperProxy", "invoke", 86, "mybatis-3.5.7.jar:3.5.7"),
                ] + app
                let persistence = [
                    r.lib("org.apache.ibatis.exceptions.ExceptionFactory", "wrapException", 30, "mybatis-3.5.7.jar:3.5.7"),
                    r.lib("org.apache.ibatis.session.defaults.DefaultSqlSession", "update", 199, "mybatis-3.5.7.jar:3.5.7"),
                    r.lib("org.apache.ibatis.session.defaults.DefaultSqlSession", "insert", 184, "mybatis-3.5.7.jar:3.5.7"),
                ] + r.reflective(300) + Array(outer[1...])
                let cannotGet = [
                    r.lib("org.springframework.jdbc.datasource.DataSourceUtils", "getConnection", 82, "spring-jdbc-5.3.9.jar:5.3.9"),
                    r.lib("org.mybatis.spring.transaction.SpringManagedTransaction", "openConnection", 80, "mybatis-spring-2.0.6.jar:2.0.6"),
                    r.lib("org.mybatis.spring.transaction.SpringManagedTransaction", "getConnection", 67, "mybatis-spring-2.0.6.jar:2.0.6"),
                    r.lib("org.apache.ibatis.executor.BaseExecutor", "getConnection", 337, "mybatis-3.5.7.jar:3.5.7"),
                    r.lib("org.apache.ibatis.executor.SimpleExecutor", "prepareStatement", 86, "mybatis-3.5.7.jar:3.5.7"),
                    r.lib("org.apache.ibatis.executor.SimpleExecutor", "doUpdate", 49, "mybatis-3.5.7.jar:3.5.7"),
                    r.lib("org.apache.ibatis.executor.BaseExecutor", "update", 117, "mybatis-3.5.7.jar:3.5.7"),
                    r.lib("org.apache.ibatis.executor.CachingExecutor", "update", 76, "mybatis-3.5.7.jar:3.5.7"),
                ] + Array(persistence[1...])
                let root = druidFrames + Array(cannotGet[0...])
                let block = """

                ### Error updating database.  Cause: \(spring)
                ### The error may exist in com/acme/order/mapper/OrderMapper.xml
                ### The error may involve com.acme.order.mapper.OrderMapper.insert
                ### The error occurred while executing an update
                ### Cause: \(spring)
                """
                return Body(thread: thread, level: "ERROR", logger: "com.acme.order.web.GlobalExceptionHandler",
                            message: "request failed: order \(100_000 + rng.next() % 900_000)",
                            throwables: [
                                ("org.mybatis.spring.MyBatisSystemException: nested exception is org.apache.ibatis.exceptions.PersistenceException: " + block, outer),
                                ("org.apache.ibatis.exceptions.PersistenceException: " + block, persistence),
                                (spring, cannotGet),
                                (druid, root),
                            ])
            }
            let (entryFrames, thread) = [
                (r.controller("com.acme.inventory.web.InventoryController", "reserve", 29, 3), exec),
                (r.controller("com.acme.inventory.web.CartController", "checkout", 71, 4), exec),
                (r.job("com.acme.inventory.job.StockSyncJob", "sync", 22), "scheduling-1"),
                (r.executor("com.acme.inventory.StockRebalancer", "rebalance", 28), "rebalance-\(1 + rng.next() % 4)"),
            ][Int(rng.next() % 4)]
            let outer = [
                r.lib("org.springframework.jdbc.datasource.DataSourceUtils", "getConnection", 82, "spring-jdbc-5.3.9.jar:5.3.9"),
                r.lib("org.springframework.jdbc.core.JdbcTemplate", "execute", 376, "spring-jdbc-5.3.9.jar:5.3.9"),
                r.lib("org.springframework.jdbc.core.JdbcTemplate", "update", 866, "spring-jdbc-5.3.9.jar:5.3.9"),
                r.app("com.acme.inventory.dao.InventoryDao", "reserve", 63),
                r.app("com.acme.inventory.service.InventoryService", "reserve", 35),
            ] + entryFrames
            return Body(thread: thread, level: "ERROR", logger: "com.acme.inventory.service.InventoryService",
                        message: "reserve failed for sku \(rng.next() % 10_000)",
                        throwables: [(spring, outer), (druid, druidFrames + outer)])

        case 2, 3:
            let isReport = fault == 2
            let owner = isReport ? "com.acme.report.ReportService" : "com.acme.billing.InvoiceService"
            let enclosing = isReport ? "build" : "total"
            let (entryFrames, thread) = isReport ? [
                (r.controller("com.acme.report.web.ReportController", "monthly", 40, 5), exec),
                (r.controller("com.acme.report.web.ReportController", "export", 66, 6), exec),
                (r.job("com.acme.report.job.ReportJob", "nightly", 18), "scheduling-1"),
            ][Int(rng.next() % 3)] : [
                (r.controller("com.acme.billing.web.InvoiceController", "show", 25, 7), exec),
                (r.listener("com.acme.billing.mq.InvoiceListener", "onMessage", 52), "ConsumeMessageThread_\(1 + rng.next() % 20)"),
            ][Int(rng.next() % 2)]
            // ReportService's NPE comes from Objects.requireNonNull (no message on any JDK);
            // InvoiceService's from the JVM itself, which JDK 14+ explains in its message.
            let frames = (isReport ? [r.jdk("java.util.Objects", "requireNonNull", 203, 208)] : []) + [
                r.lambdaBody(owner, enclosing, isReport ? 77 : 140),
                r.lambdaClass(owner, "apply", isReport ? 412 : 977),
                r.jdk("java.util.stream.ReferencePipeline$3$1", "accept", 193, 197),
                r.jdk("java.util.ArrayList$ArrayListSpliterator", "forEachRemaining", 1382, 1625),
                r.jdk("java.util.stream.AbstractPipeline", "copyInto", 482, 509),
                r.jdk("java.util.stream.AbstractPipeline", "wrapAndCopyInto", 472, 499),
                r.jdk("java.util.stream.ReduceOps$ReduceOp", "evaluateSequential", 708, 921),
                r.jdk("java.util.stream.AbstractPipeline", "evaluate", 234, 234),
                r.jdk("java.util.stream.ReferencePipeline", "collect", 499, 682),
                r.app(owner, enclosing, isReport ? 80 : 143),
                r.fastClass(owner),
                r.lib("org.springframework.cglib.proxy.MethodProxy", "invoke", 218, "spring-core-5.3.9.jar:5.3.9"),
                r.lib("org.springframework.aop.framework.CglibAopProxy$DynamicAdvisedInterceptor", "intercept", 708, "spring-aop-5.3.9.jar:5.3.9"),
                r.enhancer(owner, enclosing),
            ] + entryFrames
            return Body(thread: thread, level: "ERROR", logger: isReport ? "com.acme.report.web.ReportController" : "com.acme.billing.InvoiceService",
                        message: isReport ? "report \(rng.next() % 500) failed" : "cannot total invoice INV-\(rng.next() % 99_999)",
                        throwables: [(!isReport && r.env.jdk17
                            ? #"java.lang.NullPointerException: Cannot invoke "java.math.BigDecimal.add(java.math.BigDecimal)" because "total" is null"#
                            : "java.lang.NullPointerException", frames)])

        case 7:
            let socket = r.env.jdk17 ? [
                r.native("sun.nio.ch.SocketDispatcher", "write0"),
                r.jdk("sun.nio.ch.SocketDispatcher", "write", 62, 62),
                r.jdk("sun.nio.ch.IOUtil", "writeFromNativeBuffer", 132, 132),
                r.jdk("sun.nio.ch.IOUtil", "write", 97, 97),
                r.jdk("sun.nio.ch.IOUtil", "write", 53, 53),
                r.jdk("sun.nio.ch.SocketChannelImpl", "write", 532, 532),
            ] : [
                r.native("sun.nio.ch.FileDispatcherImpl", "write0"),
                r.jdk("sun.nio.ch.SocketDispatcher", "write", 47, 47),
                r.jdk("sun.nio.ch.IOUtil", "writeFromNativeBuffer", 93, 93),
                r.jdk("sun.nio.ch.IOUtil", "write", 65, 65),
                r.jdk("sun.nio.ch.SocketChannelImpl", "write", 471, 471),
            ]
            let tomcat = "tomcat-embed-core-9.0.50.jar:9.0.50"
            let outer = [
                r.lib("org.apache.catalina.connector.OutputBuffer", "realWriteBytes", 353, tomcat),
                r.lib("org.apache.catalina.connector.OutputBuffer", "flushByteBuffer", 784, tomcat),
                r.lib("org.apache.catalina.connector.OutputBuffer", "append", 689, tomcat),
                r.lib("org.apache.catalina.connector.CoyoteOutputStream", "write", 96, tomcat),
                r.lib("com.fasterxml.jackson.core.json.UTF8JsonGenerator", "_flushBuffer", 2171, "jackson-core-2.12.4.jar:2.12.4"),
                r.lib("org.springframework.http.converter.json.AbstractJackson2HttpMessageConverter", "writeInternal", 400, "spring-web-5.3.9.jar:5.3.9"),
                r.lib("org.springframework.web.servlet.mvc.method.annotation.RequestResponseBodyMethodProcessor", "handleReturnValue", 181, "spring-webmvc-5.3.9.jar:5.3.9"),
                r.lib("org.springframework.web.servlet.DispatcherServlet", "doDispatch", 1067, "spring-webmvc-5.3.9.jar:5.3.9"),
                r.lib("org.apache.catalina.core.StandardWrapperValve", "invoke", 197, tomcat),
                r.lib("org.apache.tomcat.util.net.NioEndpoint$SocketProcessor", "doRun", 1707, tomcat),
                r.lib("org.apache.tomcat.util.threads.TaskThread$WrappingRunnable", "run", 61, tomcat),
                r.jdk("java.lang.Thread", "run", 748, 833),
            ]
            let root = socket + [
                r.lib("org.apache.tomcat.util.net.NioChannel", "write", 138, tomcat),
                r.lib("org.apache.tomcat.util.net.NioBlockingSelector", "write", 101, tomcat),
                r.lib("org.apache.tomcat.util.net.NioSelectorPool", "write", 152, tomcat),
                r.lib("org.apache.tomcat.util.net.SocketWrapperBase", "doWrite", 764, tomcat),
            ] + outer
            return Body(thread: exec, level: "ERROR", logger: "org.apache.catalina.core.ContainerBase.[Tomcat].[localhost].[/].[dispatcherServlet]",
                        message: "Servlet.service() for servlet [dispatcherServlet] threw exception",
                        throwables: [("org.apache.catalina.connector.ClientAbortException: java.io.IOException: Broken pipe", outer),
                                     ("java.io.IOException: Broken pipe", root)])

        case 8:
            let refused = r.env.jdk17 ? "Connection refused" : "Connection refused (Connection refused)"
            let (entryFrames, thread) = [
                (r.controller("com.acme.pricing.web.QuoteController", "quote", 31, 10), exec),
                (r.executor("com.acme.pricing.PriceWarmer", "warm", 19), "warmer-\(1 + rng.next() % 2)"),
            ][Int(rng.next() % 2)]
            let socket = r.env.jdk17 ? [
                r.native("sun.nio.ch.Net", "pollConnect"),
                r.jdk("sun.nio.ch.Net", "pollConnectNow", 672, 672),
                r.jdk("sun.nio.ch.NioSocketImpl", "timedFinishConnect", 542, 542),
                r.jdk("sun.nio.ch.NioSocketImpl", "connect", 597, 597),
                r.jdk("java.net.SocksSocketImpl", "connect", 327, 327),
                r.jdk("java.net.Socket", "connect", 633, 633),
            ] : [
                r.native("java.net.PlainSocketImpl", "socketConnect"),
                r.jdk("java.net.AbstractPlainSocketImpl", "doConnect", 350, 350),
                r.jdk("java.net.AbstractPlainSocketImpl", "connectToAddress", 206, 206),
                r.jdk("java.net.AbstractPlainSocketImpl", "connect", 188, 188),
                r.jdk("java.net.SocksSocketImpl", "connect", 392, 392),
                r.jdk("java.net.Socket", "connect", 607, 607),
            ]
            let http = "httpclient-4.5.13.jar:4.5.13"
            let outer = [
                r.lib("org.apache.http.impl.conn.DefaultHttpClientConnectionOperator", "connect", 156, http),
                r.lib("org.apache.http.impl.conn.PoolingHttpClientConnectionManager", "connect", 376, http),
                r.lib("org.apache.http.impl.execchain.MainClientExec", "establishRoute", 393, http),
                r.lib("org.apache.http.impl.execchain.MainClientExec", "execute", 236, http),
                r.lib("org.apache.http.impl.client.InternalHttpClient", "doExecute", 185, http),
                r.lib("org.apache.http.impl.client.CloseableHttpClient", "execute", 83, http),
                r.app("com.acme.pricing.PricingClient", "fetch", 44),
                r.app("com.acme.pricing.PriceService", "quote", 23),
            ] + entryFrames
            let root = socket + [
                r.lib("org.apache.http.conn.socket.PlainConnectionSocketFactory", "connectSocket", 75, http),
                r.lib("org.apache.http.impl.conn.DefaultHttpClientConnectionOperator", "connect", 142, http),
            ] + Array(outer[1...])
            return Body(thread: thread, level: "WARN", logger: "com.acme.pricing.PricingClient",
                        message: "price lookup failed, using cached price for sku \(rng.next() % 10_000)",
                        throwables: [("org.apache.http.conn.HttpHostConnectException: Connect to pricing.acme.internal:8080 [pricing.acme.internal/10.0.3.7] failed: " + refused, outer),
                                     ("java.net.ConnectException: " + refused, root)])

        case 4, 5:
            let tenant = fault == 4
            let (entryFrames, _) = tenant ? [
                (r.job("com.acme.tenant.job.TenantSyncJob", "execute", 30), ""),
                (r.controller("com.acme.tenant.web.TenantController", "sync", 48, 8), ""),
            ][Int(rng.next() % 2)] : [
                (r.controller("com.acme.order.web.OrderController", "create", 57, 1), ""),
                (r.listener("com.acme.payment.mq.PaymentListener", "onMessage", 33), ""),
            ][Int(rng.next() % 2)]
            let site = tenant ? [
                r.app("com.acme.tenant.TenantSqlRunner", "run", 57),
                r.app("com.acme.tenant.TenantSyncService", "syncAll", 102),
                r.enhancer("com.acme.tenant.TenantSyncService", "syncAll"),
            ] : [
                r.app("com.acme.audit.AuditDao", "append", 23),
                r.app("com.acme.audit.AuditService", "record", 61),
                r.enhancer("com.acme.audit.AuditService", "record"),
            ]
            let frames = [
                r.lib("com.zaxxer.hikari.HikariDataSource", "getConnection", 128, "HikariCP-4.0.3.jar:na"),
                r.lib("org.springframework.jdbc.datasource.DataSourceUtils", "fetchConnection", 159, "spring-jdbc-5.3.9.jar:5.3.9"),
                r.lib("org.springframework.jdbc.datasource.DataSourceUtils", "doGetConnection", 117, "spring-jdbc-5.3.9.jar:5.3.9"),
                r.lib("org.springframework.jdbc.datasource.DataSourceUtils", "getConnection", 80, "spring-jdbc-5.3.9.jar:5.3.9"),
                r.lib("org.springframework.jdbc.core.JdbcTemplate", "execute", 376, "spring-jdbc-5.3.9.jar:5.3.9"),
            ] + site + entryFrames
            let conn = "com.mysql.cj.jdbc.ConnectionImpl@" + r.hex(rng.next() % 0xffff_ffff, 8)
            return Body(thread: "HikariPool-1 housekeeper", level: "WARN", logger: "com.zaxxer.hikari.pool.ProxyLeakTask",
                        message: "Connection leak detection triggered for \(conn) on thread \(exec), stack trace follows",
                        throwables: [("java.lang.Exception: Apparent connection leak detected", frames)])

        default:
            let (entryFrames, thread) = [
                (r.job("com.acme.payment.job.SettlementJob", "run", 52), "scheduling-1"),
                (r.controller("com.acme.payment.web.PaymentController", "confirm", 90, 9), exec),
            ][Int(rng.next() % 2)]
            let ms = 30_000 + Int(rng.next() % 900)
            let comma = "\(ms / 1000),\(String(format: "%03d", ms % 1000))"
            let link = "Communications link failure\n\nThe last packet successfully received from the server was \(comma) milliseconds ago. The last packet sent successfully to the server was \(comma) milliseconds ago."
            let outer = [
                r.lib("org.springframework.jdbc.support.SQLStateSQLExceptionTranslator", "doTranslate", 110, "spring-jdbc-5.3.9.jar:5.3.9"),
                r.lib("org.springframework.jdbc.support.AbstractFallbackSQLExceptionTranslator", "translate", 72, "spring-jdbc-5.3.9.jar:5.3.9"),
                r.lib("org.springframework.jdbc.core.JdbcTemplate", "translateException", 1443, "spring-jdbc-5.3.9.jar:5.3.9"),
                r.lib("org.springframework.jdbc.core.JdbcTemplate", "execute", 651, "spring-jdbc-5.3.9.jar:5.3.9"),
                r.lib("org.springframework.jdbc.core.JdbcTemplate", "update", 907, "spring-jdbc-5.3.9.jar:5.3.9"),
                r.app("com.acme.payment.dao.PaymentDao", "settle", 77),
                r.app("com.acme.payment.service.PaymentService", "settle", 45),
                r.fastClass("com.acme.payment.service.PaymentService"),
                r.lib("org.springframework.aop.framework.CglibAopProxy$DynamicAdvisedInterceptor", "intercept", 708, "spring-aop-5.3.9.jar:5.3.9"),
                r.enhancer("com.acme.payment.service.PaymentService", "settle"),
            ] + entryFrames
            let comm = [
                r.lib("com.mysql.cj.jdbc.exceptions.SQLError", "createCommunicationsException", 174, "mysql-connector-java-8.0.28.jar:8.0.28"),
                r.lib("com.mysql.cj.jdbc.exceptions.SQLExceptionsMapping", "translateException", 64, "mysql-connector-java-8.0.28.jar:8.0.28"),
                r.lib("com.mysql.cj.jdbc.ClientPreparedStatement", "executeInternal", 953, "mysql-connector-java-8.0.28.jar:8.0.28"),
                r.lib("com.mysql.cj.jdbc.ClientPreparedStatement", "executeUpdateInternal", 1098, "mysql-connector-java-8.0.28.jar:8.0.28"),
                r.lib("com.mysql.cj.jdbc.ClientPreparedStatement", "executeLargeUpdate", 1046, "mysql-connector-java-8.0.28.jar:8.0.28"),
                r.lib("com.zaxxer.hikari.pool.HikariProxyPreparedStatement", "executeUpdate", 1, "HikariCP-4.0.3.jar:na"),
                r.lib("org.springframework.jdbc.core.JdbcTemplate", "lambda$update$2", 867, "spring-jdbc-5.3.9.jar:5.3.9"),
                r.lib("org.springframework.jdbc.core.JdbcTemplate", "execute", 632, "spring-jdbc-5.3.9.jar:5.3.9"),
            ] + Array(outer[4...])
            let cj = [
                r.ctorAccessor(60),
                r.lib("com.mysql.cj.exceptions.ExceptionFactory", "createException", 61, "mysql-connector-java-8.0.28.jar:8.0.28"),
                r.lib("com.mysql.cj.exceptions.ExceptionFactory", "createCommunicationsException", 105, "mysql-connector-java-8.0.28.jar:8.0.28"),
                r.lib("com.mysql.cj.protocol.a.NativeProtocol", "readMessage", 563, "mysql-connector-java-8.0.28.jar:8.0.28"),
                r.lib("com.mysql.cj.protocol.a.NativeProtocol", "sendQueryPacket", 1006, "mysql-connector-java-8.0.28.jar:8.0.28"),
            ] + Array(comm[2...])
            let socket = (r.env.jdk17 ? [
                r.jdk("sun.nio.ch.NioSocketImpl", "timedRead", 288, 288),
                r.jdk("sun.nio.ch.NioSocketImpl", "implRead", 314, 314),
                r.jdk("sun.nio.ch.NioSocketImpl", "read", 355, 355),
                r.jdk("sun.nio.ch.NioSocketImpl$1", "read", 808, 808),
                r.jdk("java.net.Socket$SocketInputStream", "read", 966, 966),
            ] : [
                r.native("java.net.SocketInputStream", "socketRead0"),
                r.jdk("java.net.SocketInputStream", "socketRead", 116, 116),
                r.jdk("java.net.SocketInputStream", "read", 171, 171),
                r.jdk("java.net.SocketInputStream", "read", 141, 141),
            ]) + [
                r.lib("com.mysql.cj.protocol.ReadAheadInputStream", "fill", 107, "mysql-connector-java-8.0.28.jar:8.0.28"),
                r.lib("com.mysql.cj.protocol.ReadAheadInputStream", "readFromUnderlyingStreamIfNecessary", 150, "mysql-connector-java-8.0.28.jar:8.0.28"),
                r.lib("com.mysql.cj.protocol.ReadAheadInputStream", "read", 180, "mysql-connector-java-8.0.28.jar:8.0.28"),
                r.lib("com.mysql.cj.protocol.FullReadInputStream", "readFully", 64, "mysql-connector-java-8.0.28.jar:8.0.28"),
                r.lib("com.mysql.cj.protocol.a.SimplePacketReader", "readHeader", 63, "mysql-connector-java-8.0.28.jar:8.0.28"),
            ] + Array(cj[3...])
            return Body(thread: thread, level: "ERROR", logger: "com.acme.payment.service.PaymentService",
                        message: "settlement of batch \(rng.next() % 1000) failed",
                        throwables: [
                            ("org.springframework.dao.RecoverableDataAccessException: PreparedStatementCallback; SQL [update payment set status = ? where id = ?]; \(link); nested exception is com.mysql.cj.jdbc.exceptions.CommunicationsException: \(link)", outer),
                            ("com.mysql.cj.jdbc.exceptions.CommunicationsException: " + link, comm),
                            ("com.mysql.cj.exceptions.CJCommunicationsException: " + link, cj),
                            ("java.net.SocketTimeoutException: Read timed out", socket),
                        ])
        }
    }

    // MARK: layout

    static func timestamp(_ t: Int64, _ sep: String) -> String {
        LogText.format(t).replacingOccurrences(of: ",", with: sep)
    }

    static func abbreviate(_ logger: String) -> String {
        let parts = logger.split(separator: ".")
        return (parts.dropLast().map { String($0.prefix(1)) } + [String(parts.last!)]).joined(separator: ".")
    }

    /// One event as the host's logging framework prints it (Java's `printStackTrace` rules for
    /// causes: frames in common with the enclosing trace are folded into `... N more`).
    static func render(_ b: Body, time: Int64, env: Env) -> String {
        let level = b.level.padding(toLength: 5, withPad: " ", startingAt: 0)
        var out = env.logback
            ? "\(timestamp(time, ".")) [\(b.thread)] \(level) \(abbreviate(b.logger)) - \(b.message)\n"
            : "\(timestamp(time, ",")) \(level) [\(b.thread)] \(b.logger): \(b.message)\n"
        var enclosing: [String] = []
        for (i, t) in b.throwables.enumerated() {
            out += (i == 0 ? "" : "Caused by: ") + t.header + "\n"
            var m = t.full.count - 1, n = enclosing.count - 1
            while i > 0 && m >= 0 && n >= 0 && t.full[m] == enclosing[n] { m -= 1; n -= 1 }
            let common = t.full.count - 1 - m
            if m >= 0 { for f in t.full[0...m] { out += "\tat " + f + "\n" } }
            if common > 0 { out += env.logback ? "\t... \(common) common frames omitted\n" : "\t... \(common) more\n" }
            enclosing = t.full
        }
        return out
    }

    static func noise(_ time: Int64, env: Env, _ rng: inout SplitMix64) -> String {
        let lines = [
            ("http-nio-8080-exec-\(1 + rng.next() % 200)", "INFO", "com.acme.order.web.OrderController", "order \(rng.next() % 1_000_000) created in \(rng.next() % 90) ms"),
            ("scheduling-1", "INFO", "com.acme.report.job.ReportJob", "report job done, \(rng.next() % 40) reports"),
            ("http-nio-8080-exec-\(1 + rng.next() % 200)", "WARN", "com.acme.common.web.TraceFilter", "slow request GET /api/orders/\(rng.next() % 99999) took \(900 + rng.next() % 900) ms"),
            ("HikariPool-1 housekeeper", "DEBUG", "com.zaxxer.hikari.pool.HikariPool", "HikariPool-1 - Pool stats (total=10, active=\(rng.next() % 10), idle=\(rng.next() % 10), waiting=0)"),
        ]
        let (thread, level, logger, msg) = lines[Int(rng.next() % UInt64(lines.count))]
        return render(Body(thread: thread, level: level, logger: logger, message: msg, throwables: []), time: time, env: env)
    }

    static func make(seed: UInt64 = 0xC1A5_7E25, eventsPerPhase: Int = 110) -> FaultCorpus {
        var rng = SplitMix64(seed: seed)
        var texts: [[String]] = [[], [], [], []]           // (host, deploy) → events
        var times: [[Int64]] = [[], [], [], []]
        var tallies: [Int: Tally] = [:]
        let weights = faults.enumerated().flatMap { i, f in Array(repeating: i, count: f.weight) }
        func fileName(_ host: Int, _ deploy: Int) -> String { "\(hosts[host])/app.log" + (deploy == 0 ? ".1" : "") }
        for deploy in 0..<2 {
            var t = deploy == 0 ? start : redeploy
            // each JVM starts its pool
            for host in 0..<2 {
                let env = env(host: host, deploy: deploy)
                for stage in ["Starting...", "Start completed."] {
                    t += 250
                    texts[host * 2 + deploy].append(render(Body(thread: "main", level: "INFO", logger: "com.zaxxer.hikari.HikariDataSource",
                                                                 message: "HikariPool-1 - \(stage)", throwables: []), time: t, env: env))
                    times[host * 2 + deploy].append(t)
                }
            }
            for _ in 0..<eventsPerPhase {
                for _ in 0..<Int(rng.next() % 3) {
                    t += 1 + Int64(rng.next() % 20_000)
                    let host = Int(rng.next() % 2)
                    texts[host * 2 + deploy].append(noise(t, env: env(host: host, deploy: deploy), &rng))
                    times[host * 2 + deploy].append(t)
                }
                t += 1 + Int64(rng.next() % 60_000)
                let host = Int(rng.next() % 2)
                let fault = weights[Int(rng.next() % UInt64(weights.count))]
                let env = env(host: host, deploy: deploy)
                texts[host * 2 + deploy].append(render(body(fault: fault, R(env: env), &rng), time: t, env: env))
                times[host * 2 + deploy].append(t)
                var tally = tallies[fault] ?? Tally()
                tally.count += 1
                tally.first = min(tally.first, t)
                tally.last = max(tally.last, t)
                tally.perFile[fileName(host, deploy), default: 0] += 1
                tallies[fault] = tally
            }
            precondition(t < (deploy == 0 ? redeploy : redeploy + 8 * 3_600_000), "the phases must not overlap")
        }
        var files: [File] = []
        for host in 0..<2 {
            for deploy in 0..<2 {
                var text = ""
                var starts: [Int] = []
                for e in texts[host * 2 + deploy] {
                    starts.append(text.utf8.count)
                    text += e
                }
                files.append(File(name: fileName(host, deploy), text: text, eventStarts: starts))
            }
        }
        return FaultCorpus(files: files, tallies: tallies)
    }

    /// Writes the files under `dir` (plain); returns their paths in a fixed order.
    func write(to dir: TempDir) throws -> [String] {
        try files.map { try dir.write($0.name, Array($0.text.utf8)) }
    }
}

// MARK: - Comparing results

/// What a signature looks like once input paths are reduced to `host/app.log[.1]` and the
/// exemplar's order to its time (input index and ordinal depend on how the input was split).
struct SignatureView: Equatable, CustomStringConvertible {
    var key: SignatureKey
    var count: Int
    var firstSeen: Int64?
    var lastSeen: Int64?
    var patterns: Set<String>
    var sources: [String: Int]
    var perMinute: [Int64: Int]
    var exemplar: String
    var exemplarTruncated: Bool
    var exemplarTime: Int64?

    var description: String { "\(key.id) \(key.rootCause ?? "-") \(key.frames.first ?? "") ×\(count) \(firstSeen ?? 0)…\(lastSeen ?? 0) \(sources)" }
}

/// `/tmp/…/host-a/app.log.1.gz` → `host-a/app.log.1`; `…/host-b/app.log.part2` → `host-b/app.log`.
func corpusName(_ path: String) -> String {
    var parts = path.split(separator: "/").suffix(2).map(String.init)
    var name = parts[1]
    for ext in [".gz", ".lz4", ".zst"] where name.hasSuffix(ext) { name = String(name.dropLast(ext.count)) }
    if let r = name.range(of: ".part") { name = String(name[..<r.lowerBound]) }
    parts[1] = name
    return parts.joined(separator: "/")
}

func normalizedSources(_ s: [String: Int]) -> [String: Int] {
    var out: [String: Int] = [:]
    for (k, v) in s { out[corpusName(k), default: 0] += v }
    return out
}

func signatureViews(_ st: AnalysisState) -> [String: SignatureView] {
    st.signatures.mapValues {
        SignatureView(key: $0.key, count: $0.count, firstSeen: $0.firstSeen, lastSeen: $0.lastSeen, patterns: $0.patterns,
                      sources: normalizedSources($0.sources), perMinute: $0.perMinute, exemplar: $0.exemplar,
                      exemplarTruncated: $0.exemplarTruncated, exemplarTime: $0.exemplarOrder?.time)
    }
}

/// The whole state with paths normalised and exemplar orders reduced to their time: what must
/// not depend on how the corpus was split, compressed, ordered or spread over workers.
func normalizedState(_ st: AnalysisState) -> AnalysisState {
    var s = st
    for k in s.signatures.keys {
        s.signatures[k]!.sources = normalizedSources(s.signatures[k]!.sources)
        if let o = s.signatures[k]!.exemplarOrder { s.signatures[k]!.exemplarOrder = EventOrder(time: o.time, source: 0, ordinal: 0) }
    }
    for k in s.patterns.keys {
        s.patterns[k]!.sources = normalizedSources(s.patterns[k]!.sources)
    }
    return s
}

/// Field-by-field differences, so a failure says what differs rather than dumping two states.
func stateDifferences(_ a: AnalysisState, _ b: AnalysisState) -> [String] {
    var out: [String] = []
    for k in Set(a.patterns.keys).union(b.patterns.keys).sorted() where a.patterns[k] != b.patterns[k] {
        out.append("pattern \(k): \(a.patterns[k].map { "\($0.count) \($0.sources)" } ?? "absent") vs \(b.patterns[k].map { "\($0.count) \($0.sources)" } ?? "absent")")
    }
    for k in Set(a.signatures.keys).union(b.signatures.keys).sorted() where a.signatures[k] != b.signatures[k] {
        let x = a.signatures[k], y = b.signatures[k]
        var what: [String] = []
        if x?.count != y?.count { what.append("count \(x?.count ?? -1) vs \(y?.count ?? -1)") }
        if x?.firstSeen != y?.firstSeen || x?.lastSeen != y?.lastSeen { what.append("times") }
        if x?.sources != y?.sources { what.append("sources \(x?.sources ?? [:]) vs \(y?.sources ?? [:])") }
        if x?.exemplar != y?.exemplar { what.append("exemplar") }
        if x?.exemplarOrder != y?.exemplarOrder { what.append("exemplarOrder \(String(describing: x?.exemplarOrder)) vs \(String(describing: y?.exemplarOrder))") }
        if x?.perMinute != y?.perMinute { what.append("perMinute") }
        if x?.patterns != y?.patterns { what.append("patterns") }
        if x?.key != y?.key { what.append("key (outer class / why): \(x?.key.exception ?? "-") \(x?.key.why.last ?? "") vs \(y?.key.exception ?? "-") \(y?.key.why.last ?? "")") }
        out.append("signature \(k) (\(x?.key.frames.first ?? y?.key.frames.first ?? "")): " + (what.isEmpty ? "other fields" : what.joined(separator: ", ")))
    }
    if a.overflowEvents != b.overflowEvents || a.overflowSignatures != b.overflowSignatures { out.append("overflow") }
    if a.limitHits != b.limitHits { out.append("limitHits \(a.limitHits) vs \(b.limitHits)") }
    if out.isEmpty && a != b { out.append("states differ in a field not listed here") }
    return out
}

// MARK: - Tests

final class ClusteringTests: XCTestCase {
    static let corpus = FaultCorpus.make()

    func run(_ paths: [String], workers: Int) -> AnalysisResult {
        Analysis(options: utcOptions(workers: workers), catalog: builtinCatalogForTests).run(paths.map { InputSource(path: $0) })
    }

    /// The generator itself: every nuisance really varies within every fault.
    func testCorpusVariesEveryNuisance() {
        let c = Self.corpus
        XCTAssertEqual(c.tallies.count, FaultCorpus.faults.count, "every fault occurs")
        for (i, t) in c.tallies.sorted(by: { $0.key < $1.key }) {
            XCTAssertEqual(Set(t.perFile.keys).count, 4, "\(FaultCorpus.faults[i].name) occurs on both hosts before and after the redeploy: \(t.perFile)")
        }
        let all = c.files.map(\.text).joined()
        for needle in ["java.base/", "jdk.internal.reflect.GeneratedMethodAccessor", "sun.reflect.GeneratedMethodAccessor",
                       "com.sun.proxy.$Proxy", "jdk.proxy2/jdk.proxy2.$Proxy", "$$EnhancerBySpringCGLIB$$", "$$Lambda$",
                       "/0x0000", "lambda$build$0", "lambda$build$3", "common frames omitted", "\t... ", " more\n",
                       "~[classes/:na]", "MobileOrderController", "OrderRetryJob", "InvoiceListener", "PaymentListener", "TenantSyncJob",
                       "OrderTasks.retryPending", "OrderEvents.onOrder", "StockRebalancer.lambda$rebalance$", "PriceWarmer.lambda$warm$",
                       "because \"total\" is null", "Connection refused (Connection refused)", "Connection refused\n",
                       "sun.nio.ch.FileDispatcherImpl.write0", "sun.nio.ch.SocketDispatcher.write0",
                       "java.net.PlainSocketImpl.socketConnect", "sun.nio.ch.NioSocketImpl.timedFinishConnect"] {
            XCTAssertTrue(all.contains(needle), "the corpus contains \(needle)")
        }
        XCTAssertGreaterThan(c.exceptionEvents, 150)
    }

    func testOneClusterPerTrueFault() throws {
        let c = Self.corpus
        let dir = try TempDir()
        let paths = try c.write(to: dir)
        let r = run(paths, workers: 1)
        XCTAssertTrue(r.complete, "\(r.errors)")
        XCTAssertEqual(r.files.map(\.events), c.files.map(\.events), "the framing sees the generator's events")
        let st = r.state
        let exceptions = st.signatures.values.filter { $0.key.kind == "exception" }
        XCTAssertEqual(exceptions.count, FaultCorpus.faults.count,
                       "one exception cluster per true fault:\n" + exceptions.map { "\($0.key.rootCause ?? "-") \($0.key.frames) ×\($0.count)" }.sorted().joined(separator: "\n"))
        for (i, f) in FaultCorpus.faults.enumerated() {
            let tally = c.tallies[i]!
            let matching = exceptions.filter { $0.key.rootCause == f.rootCause && $0.key.frames.first == f.topFrame }
            XCTAssertEqual(matching.count, 1, "\(f.name): exactly one cluster")
            guard let s = matching.first else { continue }
            XCTAssertEqual(s.count, tally.count, "\(f.name): count")
            XCTAssertEqual(s.firstSeen, tally.first, "\(f.name): first")
            XCTAssertEqual(s.lastSeen, tally.last, "\(f.name): last")
            XCTAssertEqual(normalizedSources(s.sources), tally.perFile, "\(f.name): per file")
            XCTAssertEqual(s.perMinute.values.reduce(0, +), tally.count, "\(f.name): per-minute series sums to the count")
            XCTAssertEqual(s.exemplarOrder?.time, tally.first, "\(f.name): the exemplar is the first event")
            XCTAssertTrue(Set(f.patterns).isSubset(of: s.patterns), "\(f.name): patterns \(s.patterns)")
            XCTAssertLessThanOrEqual(s.key.frames.count, Signer.maxFrames)
            XCTAssertFalse(s.key.frames.contains { f in
                               ["Controller", "Job.", "Listener", "OrderTasks", "OrderEvents", "Rebalancer", "Warmer"].contains { f.contains($0) } },
                           "\(f.name): the entry path is not part of the key: \(s.key.frames)")
        }
        // the pattern counts are the faults' counts
        func n(_ faults: [Int]) -> Int { faults.reduce(0) { $0 + c.tallies[$1]!.count } }
        XCTAssertEqual(st.patterns["druid.get-connection-timeout"]?.count, n([0, 1]))
        XCTAssertEqual(st.patterns["spring.cannot-get-connection"]?.count, n([0, 1]))
        XCTAssertEqual(st.patterns["mybatis.cannot-get-connection"]?.count, n([0]))
        XCTAssertEqual(st.patterns["hikari.leak-detection"]?.count, n([4, 5]))
        XCTAssertEqual(st.patterns["mysql.communications-link-failure"]?.count, n([6]))
        XCTAssertEqual(st.patterns["jdbc.socket-read-timeout"]?.count, n([6]))
        XCTAssertEqual(st.patterns["hikari.pool-start"]?.count, 8)
        XCTAssertEqual(st.patterns["druid.get-connection-timeout"]?.fields["maxActive"]?.max, 30)
        // the only other clusters are message templates: the two pool-start lines, the pool stats
        let messages = st.signatures.values.filter { $0.key.kind != "exception" }
        XCTAssertEqual(messages.filter { $0.patterns.contains("hikari.pool-start") }.map(\.count).sorted(), [4, 4], "\(messages.map(\.key.message))")
        XCTAssertTrue(messages.allSatisfy { $0.key.kind == "message" && $0.patterns.isSubset(of: ["hikari.pool-start", "hikari.pool-stats"]) },
                      "\(messages.map { "\($0.key.message) \($0.patterns)" })")
        XCTAssertEqual(messages.count, 3)
        XCTAssertEqual(st.limitHits, 0)
        XCTAssertEqual(st.overflowEvents, 0)
    }

    /// Same ids, counts, times and exemplars whether the files are read plain or compressed
    /// (each decoder hands over its own chunk sizes), in any order, with one or two workers.
    func testIDsDoNotDependOnEncodingOrderOrWorkers() throws {
        let c = Self.corpus
        let plainDir = try TempDir()
        let plain = try c.write(to: plainDir)
        let baseline = signatureViews(run(plain, workers: 1).state)
        XCTAssertFalse(baseline.isEmpty)

        let packed = try TempDir()
        var compressed: [String] = []
        for (i, f) in c.files.enumerated() {
            let bytes = Array(f.text.utf8)
            switch i {
            case 0: compressed.append(try packed.write(f.name + ".gz", Tool.gzip(bytes)))
            case 1: compressed.append(try packed.write(f.name + ".lz4", Tool.lz4(bytes)))
            case 2: compressed.append(try packed.write(f.name + ".zst", Tool.zstd(bytes)))
            default:
                // two gzip members, cut in the middle of an event
                let cut = bytes.count / 2
                compressed.append(try packed.write(f.name + ".gz", Tool.gzip(Array(bytes[..<cut])) + Tool.gzip(Array(bytes[cut...]))))
            }
        }
        var rng = SplitMix64(seed: 77)
        let runs: [(String, [String], Int)] = [
            ("compressed, 1 worker", compressed, 1),
            ("compressed, 2 workers", compressed, 2),
            ("plain reversed, 2 workers", plain.reversed(), 2),
            ("compressed shuffled, 2 workers", compressed.shuffled(using: &rng), 2),
            ("mixed shuffled, 1 worker", [plain[0], compressed[1], plain[2], compressed[3]].shuffled(using: &rng), 1),
        ]
        let plainState = normalizedState(run(plain, workers: 1).state)
        for (label, paths, workers) in runs {
            let r = run(paths, workers: workers)
            XCTAssertTrue(r.complete, "\(label): \(r.errors)")
            let views = signatureViews(r.state)
            XCTAssertEqual(Set(views.keys), Set(baseline.keys), "\(label): the same signature ids")
            for (id, v) in baseline where views[id] != v {
                XCTFail("\(label): signature \(id) differs:\n  \(v)\n  \(views[id].map(\.description) ?? "absent")")
            }
            XCTAssertEqual(stateDifferences(normalizedState(r.state), plainState), [], "\(label): the whole state")
        }
    }

    /// The chunking of the decoded stream (random splits, byte by byte, or whatever a decoder
    /// emits) never changes an id or a count.
    func testIDsDoNotDependOnChunking() throws {
        let c = Self.corpus
        let file = c.files[2]   // host-b before the redeploy: Log4j2, JDK 17
        let bytes = Array(file.text.utf8)
        func analyse(_ chunks: ChunkingVerifier.Chunks) -> AnalysisState {
            let analyzer = EventAnalyzer(catalog: builtinCatalogForTests, signer: Signer())
            let sink = Sink(options: utcOptions(), analyzer: analyzer, source: "host-b/app.log.1", sourceIndex: 0)
            for chunk in chunks { chunk.withUnsafeBytes { sink.feed($0) } }
            sink.finish()
            return analyzer.state
        }
        let whole = ChunkingVerifier.verify(bytes, randomSplits: 12, seed: 0xC0FFEE) { analyse($0) }
        XCTAssertGreaterThan(whole.signatures.count, 4)
        XCTAssertEqual(whole.signatures.values.filter { $0.key.kind == "exception" }.reduce(0) { $0 + $1.count },
                       c.tallies.values.reduce(0) { $0 + ($1.perFile[file.name] ?? 0) })

        // through each decoder, the compressed input itself split at random
        var rng = SplitMix64(seed: 99)
        for (name, format, packed) in [("gzip", InputFormat.gzip, try Tool.gzip(bytes)), ("lz4", .lz4, try Tool.lz4(bytes)), ("zstd", .zstd, try Tool.zstd(bytes))] {
            for round in 0..<4 {
                let decoder = format.makeDecoder()
                let analyzer = EventAnalyzer(catalog: builtinCatalogForTests, signer: Signer())
                let sink = Sink(options: utcOptions(), analyzer: analyzer, source: "host-b/app.log.1", sourceIndex: 0)
                var sizes: [Int] = []
                for chunk in ChunkingVerifier.randomSplit(packed, &rng) {
                    try chunk.withUnsafeBytes { try decoder.feed($0) { out in sizes.append(out.count); sink.feed(out) } }
                }
                try decoder.finish()
                sink.finish()
                XCTAssertEqual(analyzer.state, whole, "\(name) round \(round) (decoded chunk sizes \(sizes.prefix(6))…)")
            }
        }
    }

    /// The analyzer counts per input and per minute in pending counters that it folds in when
    /// the input or the minute changes, or when `state` is read. One analyzer fed two inputs
    /// interleaved chunk by chunk (as `tail` does), its state read, reloaded and its
    /// per-signature view taken along the way, must end where two analyzers and a merge do.
    func testInterleavedInputsAndMidwayReadsKeepEveryCount() throws {
        let c = Self.corpus
        let names = ["host-a/app.log", "host-b/app.log.1"]
        let texts = [Array(c.files[0].text.utf8), Array(c.files[2].text.utf8)]
        var separate = AnalysisState()
        for i in 0..<2 {
            let analyzer = EventAnalyzer(catalog: builtinCatalogForTests, signer: Signer())
            let sink = Sink(options: utcOptions(), analyzer: analyzer, source: names[i], sourceIndex: i)
            texts[i].withUnsafeBytes { sink.feed($0) }
            sink.finish()
            separate.merge(analyzer.state)
        }
        XCTAssertGreaterThan(separate.signatures.count, 4)
        XCTAssertGreaterThan(separate.patterns.count, 0)

        let analyzer = EventAnalyzer(catalog: builtinCatalogForTests, signer: Signer())
        let sinks = (0..<2).map { Sink(options: utcOptions(), analyzer: analyzer, source: names[$0], sourceIndex: $0) }
        var rng = SplitMix64(seed: 0x7A11)
        var at = [0, 0]
        var step = 0
        while at[0] < texts[0].count || at[1] < texts[1].count {
            let i = at[0] < texts[0].count && (at[1] >= texts[1].count || rng.next() % 2 == 0) ? 0 : 1
            let n = min(texts[i].count - at[i], 1 + Int(rng.next() % 3000))
            texts[i][at[i]..<(at[i] + n)].withUnsafeBytes { sinks[i].feed($0) }
            at[i] += n
            step += 1
            if let id = analyzer.lastSignature {
                // the per-signature view (tail's alerts) agrees with the folded state
                XCTAssertEqual(analyzer.signature(id), analyzer.state.signatures[id], "step \(step)")
            }
            if step % 7 == 0 { analyzer.state = analyzer.state }
        }
        for s in sinks { s.finish() }
        XCTAssertEqual(stateDifferences(analyzer.state, separate), [])
        XCTAssertEqual(analyzer.state.signatures.values.reduce(0) { $0 + $1.sources.count }, separate.signatures.values.reduce(0) { $0 + $1.sources.count })
    }

    /// Analysing parts separately and merging equals analysing everything together.
    ///
    /// "Equal" here: every pattern and signature field is identical (count, first and last seen,
    /// fields, per-minute series, patterns, exemplar and its time), with input paths reduced to
    /// the file they came from (a part of a split file counts for that file) and the exemplar's
    /// order reduced to its time (input index and ordinal are positions within one run; times are
    /// unique in this corpus, so the exemplar itself is the same event). Per-part states also
    /// merge exactly (no normalisation) commutatively and associatively.
    func testMergeOfRandomPartitionsEqualsTheWhole() throws {
        let c = Self.corpus
        let dir = try TempDir()
        let whole = run(try c.write(to: dir), workers: 1)
        let expected = normalizedState(whole.state)
        var rng = SplitMix64(seed: 0x5EED_0003)

        for trial in 0..<20 {
            let trialDir = try TempDir()
            // split some files in two at a random event boundary
            var pieces: [String] = []
            for f in c.files {
                let bytes = Array(f.text.utf8)
                if rng.next() % 2 == 0, f.events > 2 {
                    let cut = f.eventStarts[1 + Int(rng.next() % UInt64(f.events - 1))]
                    pieces.append(try trialDir.write(f.name + ".part1", Array(bytes[..<cut])))
                    pieces.append(try trialDir.write(f.name + ".part2", Array(bytes[cut...])))
                } else {
                    pieces.append(try trialDir.write(f.name, bytes))
                }
            }
            // deal the pieces into 2…n groups (each non-empty), analyse each group on its own
            pieces.shuffle(using: &rng)
            let groups = 2 + Int(rng.next() % UInt64(pieces.count - 1))
            var parts = [[String]](repeating: [], count: groups)
            for (i, p) in pieces.enumerated() { parts[i < groups ? i : Int(rng.next() % UInt64(groups))].append(p) }
            var saved: [SavedAnalysis] = []
            for part in parts {
                var s = SavedAnalysis(run(part, workers: 1 + Int(rng.next() % 2)))
                if rng.next() % 2 == 0 {
                    // through the state file, as `analyze --save-state` + `merge` do
                    s = try SavedAnalysis.decode(s.encoded(), path: "part.json")
                }
                saved.append(s)
            }
            let label = "trial \(trial): \(pieces.count) pieces in \(groups) groups"

            // left fold in a random order
            saved.shuffle(using: &rng)
            var folded = saved[0]
            for s in saved.dropFirst() { folded.merge(s) }
            let diff = stateDifferences(normalizedState(folded.state), expected)
            XCTAssertEqual(diff, [], label)
            XCTAssertEqual(folded.files.count, pieces.count, label)
            for f in c.files {
                let reports = folded.files.filter { corpusName($0.path) == f.name }
                XCTAssertEqual(reports.reduce(0) { $0 + $1.events }, f.events, "\(label): events of \(f.name)")
                XCTAssertEqual(reports.reduce(0) { $0 + $1.bytes }, Int64(f.text.utf8.count), "\(label): bytes of \(f.name)")
            }

            // a random tree of merges (associativity), starting from empty states as well
            var pool = saved.map(\.state) + [AnalysisState()]
            while pool.count > 1 {
                let i = Int(rng.next() % UInt64(pool.count))
                let a = pool.remove(at: i)
                let j = Int(rng.next() % UInt64(pool.count))
                var b = pool.remove(at: j)
                b.merge(a)
                pool.append(b)
            }
            XCTAssertEqual(pool[0], folded.state, "\(label): any merge tree gives the same state")

            // exact commutativity and associativity on the raw part states
            let s = saved.map(\.state)
            if s.count >= 2 {
                var ab = s[0]; ab.merge(s[1])
                var ba = s[1]; ba.merge(s[0])
                XCTAssertEqual(ab, ba, "\(label): merge is commutative")
            }
            if s.count >= 3 {
                var left = s[0]; left.merge(s[1]); left.merge(s[2])
                var bc = s[1]; bc.merge(s[2])
                var right = s[0]; right.merge(bc)
                XCTAssertEqual(left, right, "\(label): merge is associative")
            }
        }
    }

    /// Two runs can each hold an event with the same (time, input index, ordinal), e.g. the first
    /// event of the first file of two hosts analysed separately at the same millisecond, or untimed
    /// events: the exemplar chosen must not depend on the merge order.
    /// Past the cap, the overflowed ids are a bottom-k sketch: memory stays at k ids, the count
    /// is exact below k and estimated above (within a few percent), and merging sketches in any
    /// order or grouping gives the sketch of the whole.
    func testOverflowSketchStaysSmallAndEstimatesDistinctIds() throws {
        var rng = SplitMix64(seed: 0x0F10)
        func id() -> String { "v\(Signer.algorithmVersion):" + String(rng.next() >> 16, radix: 16).leftPadded(12) }
        let ids = (0..<60_000).map { _ in id() }
        var whole = OverflowSketch()
        for i in ids + ids.prefix(1000) { whole.insert(i) }  // repeats count once
        XCTAssertEqual(whole.count, OverflowSketch.size)
        XCTAssertEqual(whole.ids, Set(ids.sorted().prefix(OverflowSketch.size)), "the smallest ids are kept")
        let (n, exact) = whole.distinct
        XCTAssertFalse(exact)
        XCTAssertEqual(Double(n), 60_000, accuracy: 60_000 * 0.06, "estimate \(n)")

        var parts = [OverflowSketch](repeating: OverflowSketch(), count: 3)
        for (i, x) in ids.enumerated() { parts[i % 3].insert(x) }
        for order in [[0, 1, 2], [2, 0, 1], [1, 2, 0]] {
            var m = OverflowSketch()
            for p in order { for x in parts[p].ids.shuffled(using: &rng) { m.insert(x) } }
            XCTAssertEqual(m, whole, "merge order \(order)")
        }

        var small = OverflowSketch()
        for i in ids.prefix(100) { small.insert(i) }
        XCTAssertTrue(small.distinct == (100, true))
        let round = try JSONDecoder().decode(OverflowSketch.self, from: JSONEncoder().encode(whole))
        XCTAssertEqual(round, whole)
        XCTAssertEqual(round.distinct.count, n, "a saved state estimates the same")
    }

    func testMergeIsCommutativeWhenExemplarOrdersTie() {
        let key = SignatureKey(id: "v1:000000000001", kind: "exception", exception: "E", rootCause: "E", message: "", frames: [], why: [], key: "k")
        func state(_ exemplar: String, source: String, time: Int64?) -> AnalysisState {
            var s = SignatureStat(key: key)
            s.count = 1
            s.firstSeen = time
            s.lastSeen = time
            s.sources = [source: 1]
            s.exemplar = exemplar
            s.exemplarOrder = EventOrder(time: time ?? Int64.max, source: 0, ordinal: 1)
            var st = AnalysisState()
            st.signatures[key.id] = s
            return st
        }
        for time in [Int64(1_696_924_800_000), nil] {
            let a = state("host-a trace", source: "host-a/app.log", time: time)
            let b = state("host-b trace", source: "host-b/app.log", time: time)
            var ab = a; ab.merge(b)
            var ba = b; ba.merge(a)
            XCTAssertEqual(ab, ba, "time \(String(describing: time))")
            XCTAssertEqual(ab.signatures[key.id]?.count, 2)
        }
    }

    /// With room for 5 signatures and 20 distinct faults: 5 kept with all their events, the other
    /// 15 counted in the overflow bucket; exemplars are capped and flagged.
    func testBoundedSignaturesAndExemplars() throws {
        var text = ""
        var t: Int64 = FaultCorpus.start
        var occurrences: [Int] = []
        // first occurrences in fault order, then repeats
        for j in 0..<20 { occurrences.append(j) }
        for j in 0..<20 { for _ in 0..<(j % 3) { occurrences.append(j) } }
        for j in occurrences {
            t += 1000
            let frames = j == 7 ? 400 : 3   // fault 7 has a trace far longer than the exemplar cap
            text += "\(FaultCorpus.timestamp(t, ".")) [worker-\(j)] ERROR c.a.Batch - step failed: 数据 \(j)\n"
            text += "java.lang.IllegalStateException: step \(j) failed\n"
            text += "\tat com.acme.f\(j).Worker\(j).run(Worker\(j).java:\(10 + j))\n"
            for k in 0..<frames { text += "\tat com.acme.f\(j).Step\(k).call(Step\(k).java:\(k + 1))\n" }
        }
        let total = occurrences.count
        var options = utcOptions()
        options.maxSignatures = 5
        let r = try analyzeText(text, options: options)
        let st = r.state
        XCTAssertEqual(st.signatures.count, 5)
        XCTAssertEqual(Set(st.signatures.values.map { $0.key.frames.first ?? "" }), Set((0..<5).map { "com.acme.f\($0).Worker\($0).run" }),
                       "the first five faults to appear are kept")
        for s in st.signatures.values {
            let j = Int(s.key.frames.first!.dropFirst("com.acme.f".count).prefix { $0.isNumber })!
            XCTAssertEqual(s.count, 1 + j % 3, "a kept signature keeps counting after the cap is reached")
        }
        XCTAssertEqual(st.overflowSignatures.count, 15)
        XCTAssertEqual(st.overflowEvents, total - st.signatures.values.reduce(0) { $0 + $1.count })
        XCTAssertEqual(st.overflowEvents, (5..<20).reduce(0) { $0 + 1 + $1 % 3 })

        // without the cap: fault 7's exemplar is cut at the cap, on a character boundary
        let all = try analyzeText(text).state
        XCTAssertEqual(all.signatures.count, 20)
        let long = all.signatures.values.first { $0.key.frames.first == "com.acme.f7.Worker7.run" }
        XCTAssertNotNil(long)
        XCTAssertTrue(long?.exemplarTruncated ?? false)
        XCTAssertLessThanOrEqual(long?.exemplar.utf8.count ?? .max, AnalysisState.exemplarCap)
        XCTAssertGreaterThan(long?.exemplar.utf8.count ?? 0, AnalysisState.exemplarCap - 4)
        XCTAssertFalse(long?.exemplar.contains("\u{FFFD}") ?? true)
        XCTAssertTrue(text.contains(long?.exemplar ?? "∅"), "the exemplar is a prefix of the event")
        for s in all.signatures.values where s.key.frames.first != "com.acme.f7.Worker7.run" {
            XCTAssertFalse(s.exemplarTruncated)
            XCTAssertTrue(s.exemplar.hasSuffix("(Step2.java:3)"), "a short exemplar is the whole event")
        }

        // spread over files and workers, the cap still holds and no event is lost
        let dir = try TempDir()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var files: [String] = []
        var chunk: [Substring] = []
        for l in lines {
            if l.hasPrefix("2023-"), chunk.count > 40 {
                files.append(try dir.write("part\(files.count).log", Array((chunk.joined(separator: "\n") + "\n").utf8)))
                chunk = []
            }
            chunk.append(l)
        }
        files.append(try dir.write("part\(files.count).log", Array(chunk.joined(separator: "\n").utf8)))
        XCTAssertGreaterThan(files.count, 3)
        options.workers = 2
        let spread = Analysis(options: options, catalog: builtinCatalogForTests).run(files.map { InputSource(path: $0) }).state
        XCTAssertEqual(spread.signatures.count, 5)
        XCTAssertEqual(spread.signatures.values.reduce(0) { $0 + $1.count } + spread.overflowEvents, total, "kept + overflow = every event")
        XCTAssertEqual(Set(spread.signatures.keys).union(spread.overflowSignatures.ids), Set(all.signatures.keys), "every id is kept or counted")

        // what the cap keeps does not depend on thread scheduling: files merge in file order
        options.workers = 1
        let serial = Analysis(options: options, catalog: builtinCatalogForTests).run(files.map { InputSource(path: $0) }).state
        XCTAssertEqual(serial, spread, "one worker and two workers keep the same signatures")
        options.workers = 2
        for _ in 0..<4 {
            let again = Analysis(options: options, catalog: builtinCatalogForTests).run(files.map { InputSource(path: $0) }).state
            XCTAssertEqual(again, spread, "repeated runs keep the same signatures")
        }
    }
}

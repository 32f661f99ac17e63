import Foundation
import XCTest
@testable import StackSift

/// Real-world excerpts in the shapes people post them (prefixes, lost indentation, wrapped
/// messages, typos in the surrounding text, container wrappers, CRLF), each run through the full
/// pipeline with the built-in catalog: the right pattern fires, the numbers come out, and the
/// event's signature names the right root cause. Then the five sample scenarios against their
/// `.truth.json`.
final class RecognitionTests: XCTestCase {

    struct Expect {
        var id: String
        var count = 1
        /// Numeric fields (every matching event in a fixture carries the same value).
        var fields: [String: Int64] = [:]
        /// Text fields: the value must be among the captured ones.
        var text: [String: String] = [:]
    }

    struct Fixture {
        var name: String
        var text: String
        /// Every pattern that must fire, with its count; no other pattern may fire.
        var expects: [Expect]
        /// Root causes (`key.rootCause`) of the signatures that carry `expects[0].id`;
        /// "-" stands for a message signature (no throwable).
        var roots: Set<String>
        /// First key frame of the exception signature of `expects[0].id`: the in-app frame
        /// nearest the throw, or the leak site of an open stack.
        var topFrame: String?
        /// First time `expects[0].id` was seen (epoch ms, UTC).
        var firstSeen: Int64?
    }

    /// The categories a negative fixture must never produce.
    static let incidentCategories: Set<String> = ["pool-timeout", "db-refused", "leak", "abandoned"]

    static func crlf(_ s: String) -> String { s.replacingOccurrences(of: "\n", with: "\r\n") }

    // MARK: - positive fixtures

    static let positives: [Fixture] = [
        // --- found by an acceptance audit (session 14) -----------------------------------
        Fixture(name: "druid abandon trace whose frames lost their tab: still one open stack, signed by its leak site",
                text: """
                2023-10-10 10:00:01.100 ERROR 4242 --- [Destroy-1842137] com.alibaba.druid.pool.DruidDataSource   : abandon connection, owner thread: http-nio-8080-exec-7, connected at : 1696931400000, open stackTrace
                at java.lang.Thread.getStackTrace(Thread.java:1559)
                at com.alibaba.druid.pool.DruidDataSource.getConnectionDirect(DruidDataSource.java:1481)
                at com.alibaba.druid.pool.DruidDataSource.getConnection(DruidDataSource.java:1396)
                at com.acme.shop.export.CsvExporter.openCursor(CsvExporter.java:91)
                at com.acme.shop.web.ExportController.download(ExportController.java:39)

                """,
                expects: [Expect(id: "druid.abandon-connection")],
                roots: ["open-stack"], topFrame: "com.acme.shop.export.CsvExporter.openCursor"),

        Fixture(name: "hikari timeout whose message a blog wrapped after 'available,'",
                text: """
                2023-10-10 16:30:38.123 ERROR 1 --- [nio-8080-exec-3] c.a.shop.web.ErrorHandler : query failed
                java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available,
                request timed out after 30000ms.
                \tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)
                \tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:197)
                \tat com.acme.shop.dao.OrderDao.load(OrderDao.java:57)

                """,
                expects: [Expect(id: "hikari.connection-timeout", fields: ["timeout": 30000, "poolNumber": 1])],
                roots: ["java.sql.SQLTransientConnectionException"], topFrame: "com.acme.shop.dao.OrderDao.load"),

        Fixture(name: "HikariCP 2.x timeout wording",
                text: """
                2017-03-02 11:04:12.301 ERROR [pool-3-thread-1] c.a.batch.Export - export failed
                java.sql.SQLTimeoutException: Timeout after 30000ms of waiting for a connection.
                \tat com.zaxxer.hikari.pool.BaseHikariPool.getConnection(BaseHikariPool.java:227)
                \tat com.zaxxer.hikari.HikariDataSource.getConnection(HikariDataSource.java:94)
                \tat com.acme.batch.Export.run(Export.java:33)

                """,
                expects: [Expect(id: "hikari.connection-timeout", fields: ["timeout": 30000])],
                roots: ["java.sql.SQLTimeoutException"], topFrame: "com.acme.batch.Export.run"),

        Fixture(name: "Oracle driver's own read timeout (IO Error / NetException)",
                text: """
                2023-10-10 16:30:38.123 ERROR 1 --- [nio-8080-exec-3] c.a.shop.web.ErrorHandler : query failed
                java.sql.SQLRecoverableException: IO Error: Socket read timed out
                \tat oracle.jdbc.driver.T4CConnection.doSetNetworkTimeout(T4CConnection.java:7920)
                \tat oracle.jdbc.driver.PhysicalConnection.setNetworkTimeout(PhysicalConnection.java:9367)
                \tat com.acme.shop.dao.LedgerDao.post(LedgerDao.java:41)
                Caused by: oracle.net.ns.NetException: Socket read timed out
                \tat oracle.net.ns.Packet.receive(Packet.java:339)
                \t... 3 more

                """,
                expects: [Expect(id: "jdbc.socket-read-timeout")],
                roots: ["oracle.net.ns.NetException"], topFrame: "com.acme.shop.dao.LedgerDao.post"),

        // --- Druid -----------------------------------------------------------------------
        Fixture(name: "druid timeout, pool says 0 active while PostgreSQL is full (seed 001, Logback, Chinese message)",
                text: """
                2023-10-10 16:30:38.123 [http-nio-8080-exec-7] ERROR c.t.o.web.GlobalExceptionHandler - 系统异常，请稍后重试
                org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection; nested exception is com.alibaba.druid.pool.GetConnectionTimeoutException: wait millis 5000, active 0, maxActive 30, creating 0, createErrorCount 13047
                \tat org.springframework.jdbc.datasource.DataSourceUtils.getConnection(DataSourceUtils.java:82)
                \tat org.mybatis.spring.transaction.SpringManagedTransaction.openConnection(SpringManagedTransaction.java:80)
                \tat com.tbase.order.service.OrderService.list(OrderService.java:57)
                \tat com.tbase.order.web.OrderController.list(OrderController.java:33)
                Caused by: com.alibaba.druid.pool.GetConnectionTimeoutException: wait millis 5000, active 0, maxActive 30, creating 0, createErrorCount 13047
                \tat com.alibaba.druid.pool.DruidDataSource.getConnectionInternal(DruidDataSource.java:1773)
                \tat com.alibaba.druid.pool.DruidDataSource.getConnectionDirect(DruidDataSource.java:1427)
                \tat com.alibaba.druid.pool.DruidDataSource.getConnection(DruidDataSource.java:1407)
                \tat org.springframework.jdbc.datasource.DataSourceUtils.fetchConnection(DataSourceUtils.java:158)
                \t... 4 common frames omitted
                Caused by: org.postgresql.util.PSQLException: FATAL: remaining connection slots are reserved for non-replication superuser connections
                \tat org.postgresql.core.v3.ConnectionFactoryImpl.doAuthentication(ConnectionFactoryImpl.java:613)
                \tat org.postgresql.core.v3.ConnectionFactoryImpl.tryConnect(ConnectionFactoryImpl.java:161)
                \tat com.alibaba.druid.pool.DruidAbstractDataSource.createPhysicalConnection(DruidAbstractDataSource.java:1657)
                \tat com.alibaba.druid.pool.DruidDataSource$CreateConnectionThread.run(DruidDataSource.java:2801)

                """,
                expects: [
                    Expect(id: "druid.get-connection-timeout", fields: ["wait": 5000, "active": 0, "maxActive": 30, "creating": 0, "createErrorCount": 13047]),
                    Expect(id: "postgres.too-many-connections", text: ["reason": "remaining connection slots are reserved for non-replication superuser connections"]),
                    Expect(id: "spring.cannot-get-connection", text: ["nested": "com.alibaba.druid.pool.GetConnectionTimeoutException"]),
                ],
                roots: ["org.postgresql.util.PSQLException"], firstSeen: epochMillis(2023, 10, 10, 16, 30, 38, 123)),

        Fixture(name: "druid timeout with active == maxActive, posted with the tabs lost and typos around it (log4j)",
                text: """
                2019-05-16 10:12:01,882 ERROR [DubboServerHandler-10.1.2.3:20880-thread-190] c.x.p.dao.impl.PayDaoImpl: quey pay order faild, orderNo=P2019051600017
                com.alibaba.druid.pool.GetConnectionTimeoutException: wait millis 60001, active 20, maxActive 20, creating 0, runningSqlCount 20 : select * from t_pay_order where order_no = ?
                at com.alibaba.druid.pool.DruidDataSource.getConnectionInternal(DruidDataSource.java:1512)
                at com.alibaba.druid.pool.DruidDataSource.getConnectionDirect(DruidDataSource.java:1255)
                at com.alibaba.druid.pool.DruidDataSource.getConnection(DruidDataSource.java:1235)
                at com.xpay.pay.dao.impl.PayDaoImpl.findByOrderNo(PayDaoImpl.java:77)
                at com.xpay.pay.service.PayQueryService.query(PayQueryService.java:41)

                """,
                expects: [Expect(id: "druid.get-connection-timeout", fields: ["wait": 60001, "active": 20, "maxActive": 20, "creating": 0, "runningSqlCount": 20])],
                roots: ["com.alibaba.druid.pool.GetConnectionTimeoutException"], topFrame: "com.xpay.pay.dao.impl.PayDaoImpl.findByOrderNo"),

        Fixture(name: "druid timeout whose message a blog wrapped after maxActive, frames indented by 4 spaces",
                text: """
                2021-11-02 09:00:11.002 ERROR 2231 --- [pool-5-thread-3] com.acme.sync.SyncTask : sync failed
                org.springframework.transaction.CannotCreateTransactionException: Could not open JDBC Connection for transaction; nested exception is com.alibaba.druid.pool.GetConnectionTimeoutException: wait millis 10000, active 8, maxActive 8,
                creating 0, createErrorCount 3
                    at org.springframework.jdbc.datasource.DataSourceTransactionManager.doBegin(DataSourceTransactionManager.java:309)
                    at com.acme.sync.SyncService$$EnhancerBySpringCGLIB$$6f1e2a3b.syncAll(<generated>)
                    at com.acme.sync.SyncTask.run(SyncTask.java:40)
                Caused by: com.alibaba.druid.pool.GetConnectionTimeoutException: wait millis 10000, active 8, maxActive 8,
                creating 0, createErrorCount 3
                    at com.alibaba.druid.pool.DruidDataSource.getConnectionInternal(DruidDataSource.java:1773)
                    at com.alibaba.druid.pool.DruidDataSource.getConnectionDirect(DruidDataSource.java:1427)
                    at org.springframework.jdbc.datasource.DataSourceTransactionManager.doBegin(DataSourceTransactionManager.java:265)
                    ... 3 common frames omitted

                """,
                expects: [
                    Expect(id: "druid.get-connection-timeout", fields: ["wait": 10000, "active": 8, "maxActive": 8, "creating": 0, "createErrorCount": 3]),
                    Expect(id: "spring.could-not-open-transaction", text: ["resource": "JDBC Connection"]),
                ],
                roots: ["com.alibaba.druid.pool.GetConnectionTimeoutException"], topFrame: "com.acme.sync.SyncService.syncAll"),

        Fixture(name: "druid create error, MySQL 5 Too many connections (Spring Boot layout, blank line, jar suffixes)",
                text: """
                2019-08-23 09:27:32.411 ERROR 12936 --- [eate-1704872741] com.alibaba.druid.pool.DruidDataSource   : create connection SQLException, url: jdbc:mysql://10.0.3.7:3306/orders?useUnicode=true&characterEncoding=utf-8&useSSL=false, errorCode 1040, state 08004

                com.mysql.jdbc.exceptions.jdbc4.MySQLNonTransientConnectionException: Data source rejected establishment of connection,  message from server: "Too many connections"
                \tat sun.reflect.NativeConstructorAccessorImpl.newInstance0(Native Method) ~[na:1.8.0_181]
                \tat sun.reflect.NativeConstructorAccessorImpl.newInstance(NativeConstructorAccessorImpl.java:62) ~[na:1.8.0_181]
                \tat java.lang.reflect.Constructor.newInstance(Constructor.java:423) ~[na:1.8.0_181]
                \tat com.mysql.jdbc.Util.handleNewInstance(Util.java:425) ~[mysql-connector-java-5.1.47.jar:5.1.47]
                \tat com.mysql.jdbc.SQLError.createSQLException(SQLError.java:944) ~[mysql-connector-java-5.1.47.jar:5.1.47]
                \tat com.mysql.jdbc.MysqlIO.doHandshake(MysqlIO.java:1130) ~[mysql-connector-java-5.1.47.jar:5.1.47]
                \tat com.mysql.jdbc.ConnectionImpl.coreConnect(ConnectionImpl.java:2336) ~[mysql-connector-java-5.1.47.jar:5.1.47]
                \tat com.alibaba.druid.pool.DruidAbstractDataSource.createPhysicalConnection(DruidAbstractDataSource.java:1558) ~[druid-1.1.10.jar:1.1.10]
                \tat com.alibaba.druid.pool.DruidDataSource$CreateConnectionThread.run(DruidDataSource.java:2188) ~[druid-1.1.10.jar:1.1.10]

                """,
                expects: [
                    Expect(id: "druid.create-connection-error", fields: ["errorCode": 1040], text: ["state": "08004", "kind": "SQLException"]),
                    Expect(id: "mysql.too-many-connections"),
                ],
                roots: ["com.mysql.jdbc.exceptions.jdbc4.MySQLNonTransientConnectionException"]),

        Fixture(name: "druid create error, Oracle listener ORA-12516 (ojdbc's blank line after the message)",
                text: """
                2021-03-02 11:00:01.002 ERROR [Druid-ConnectionPool-Create-99] com.alibaba.druid.pool.DruidDataSource - create connection SQLException, url: jdbc:oracle:thin:@10.1.1.5:1521:orcl, errorCode 12516, state 66000
                java.sql.SQLException: Listener refused the connection with the following error:
                ORA-12516, TNS:listener could not find available handler with matching protocol stack
                \u{20}
                \tat oracle.jdbc.driver.T4CConnection.logon(T4CConnection.java:774)
                \tat oracle.jdbc.driver.PhysicalConnection.connect(PhysicalConnection.java:688)
                \tat oracle.jdbc.driver.OracleDriver.connect(OracleDriver.java:691)
                \tat com.alibaba.druid.pool.DruidAbstractDataSource.createPhysicalConnection(DruidAbstractDataSource.java:1558)
                \tat com.alibaba.druid.pool.DruidDataSource$CreateConnectionThread.run(DruidDataSource.java:2188)
                Caused by: oracle.net.ns.NetException: Listener refused the connection with the following error:
                ORA-12516, TNS:listener could not find available handler with matching protocol stack
                \u{20}
                \tat oracle.net.ns.NSProtocolStream.negotiateConnection(NSProtocolStream.java:275)
                \tat oracle.net.ns.NSProtocol.connect(NSProtocol.java:264)
                \tat oracle.jdbc.driver.T4CConnection.connect(T4CConnection.java:1452)
                \t... 4 more

                """,
                expects: [
                    Expect(id: "druid.create-connection-error", fields: ["errorCode": 12516, "state": 66000]),
                    Expect(id: "oracle.too-many-connections", text: ["oraCode": "ORA-12516"]),
                ],
                roots: ["oracle.net.ns.NetException"]),

        Fixture(name: "druid abandon connection: open stack names the borrower (removeAbandoned + logAbandoned)",
                text: """
                2023-10-10 16:31:02.114 [Druid-ConnectionPool-Destroy-1704872741] ERROR com.alibaba.druid.pool.DruidDataSource - abandon connection, owner thread: http-nio-8080-exec-12, connected at : 1696926638123, open stackTrace
                \tat java.lang.Thread.getStackTrace(Thread.java:1559)
                \tat com.alibaba.druid.pool.DruidDataSource.getConnectionDirect(DruidDataSource.java:1491)
                \tat com.alibaba.druid.filter.FilterChainImpl.dataSource_connect(FilterChainImpl.java:5059)
                \tat com.alibaba.druid.pool.DruidDataSource.getConnection(DruidDataSource.java:1407)
                \tat org.springframework.jdbc.datasource.DataSourceUtils.fetchConnection(DataSourceUtils.java:158)
                \tat com.acme.report.dao.ReportDao.export(ReportDao.java:88)
                \tat com.acme.report.service.ReportService.exportAll(ReportService.java:40)
                ownerThread current state is TIMED_WAITING, current stackTrace
                \tat java.lang.Thread.sleep(Native Method)
                \tat com.acme.report.service.ReportService.poll(ReportService.java:61)

                """,
                expects: [Expect(id: "druid.abandon-connection", fields: ["connectedAt": 1_696_926_638_123],
                                 text: ["ownerThread": "http-nio-8080-exec-12", "ownerState": "TIMED_WAITING"])],
                roots: ["open-stack"], topFrame: "com.acme.report.dao.ReportDao.export"),

        Fixture(name: "druid stat logger JSON line",
                text: """
                2023-10-10 16:35:00.001 INFO  [Druid-ConnectionPool-Log-1704872741] c.a.d.p.DruidDataSourceStatLoggerImpl - {"url":"jdbc:postgresql://tbase:11000/app","dbType":"postgresql","name":"DataSource-1704872741","activeCount":0,"activePeak":2,"activePeakTime":"2023-10-10 16:30:01","poolingCount":2,"poolingPeak":5,"poolingPeakTime":"2023-10-10 16:10:00","connectCount":212586,"closeCount":212452,"physicalConnectCount":243,"physicalCloseCount":107}

                """,
                expects: [Expect(id: "druid.stat", fields: ["activeCount": 0, "poolingCount": 2, "connectCount": 212_586, "closeCount": 212_452,
                                                             "physicalConnectCount": 243, "physicalCloseCount": 107, "activePeak": 2],
                                 text: ["name": "DataSource-1704872741"])],
                roots: ["-"]),

        // --- HikariCP --------------------------------------------------------------------
        Fixture(name: "hikari timeout with pool stats, Spring Boot 'with root cause' form, JDK 11",
                text: """
                2023-10-10 16:30:38.123 ERROR 1 --- [nio-8080-exec-5] o.a.c.c.C.[.[.[/].[dispatcherServlet]    : Servlet.service() for servlet [dispatcherServlet] in context with path [] threw exception [Request processing failed; nested exception is org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection; nested exception is java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms (total=10, active=10, idle=0, waiting=34)] with root cause

                java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms (total=10, active=10, idle=0, waiting=34)
                \tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696) ~[HikariCP-5.1.0.jar:na]
                \tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:197) ~[HikariCP-5.1.0.jar:na]
                \tat com.zaxxer.hikari.HikariDataSource.getConnection(HikariDataSource.java:128) ~[HikariCP-5.1.0.jar:na]
                \tat org.springframework.jdbc.datasource.DataSourceUtils.fetchConnection(DataSourceUtils.java:159) ~[spring-jdbc-5.3.9.jar:5.3.9]
                \tat org.springframework.jdbc.core.JdbcTemplate.execute(JdbcTemplate.java:376) ~[spring-jdbc-5.3.9.jar:5.3.9]
                \tat com.acme.shop.repo.CartRepository.findByUser(CartRepository.java:44) ~[classes/:na]
                \tat com.acme.shop.web.CartController.get(CartController.java:31) ~[classes/:na]
                \tat java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke0(Native Method) ~[na:na]

                """,
                expects: [
                    Expect(id: "hikari.connection-timeout", fields: ["timeout": 30000, "total": 10, "active": 10, "idle": 0, "waiting": 34, "poolNumber": 1],
                           text: ["pool": "HikariPool-1"]),
                    Expect(id: "spring.cannot-get-connection", text: ["message": "Failed to obtain JDBC Connection"]),
                ],
                roots: ["java.sql.SQLTransientConnectionException"], topFrame: "com.acme.shop.repo.CartRepository.findByUser"),

        Fixture(name: "hikari timeout caused by a refused MySQL connection, via JPA (log4j2, one-line SqlExceptionHelper record first)",
                text: """
                2020-06-01 03:14:15,926 ERROR [scheduling-1] org.hibernate.engine.jdbc.spi.SqlExceptionHelper: HikariPool-2 - Connection is not available, request timed out after 30005ms.
                2020-06-01 03:14:15,930 ERROR [scheduling-1] com.acme.sync.SyncJob: sync failed
                org.springframework.transaction.CannotCreateTransactionException: Could not open JPA EntityManager for transaction; nested exception is org.hibernate.exception.JDBCConnectionException: Unable to acquire JDBC Connection
                \tat org.springframework.orm.jpa.JpaTransactionManager.doBegin(JpaTransactionManager.java:467)
                \tat org.springframework.transaction.support.AbstractPlatformTransactionManager.getTransaction(AbstractPlatformTransactionManager.java:400)
                \tat com.acme.sync.SyncService$$EnhancerBySpringCGLIB$$a1b2c3d4.pull(<generated>)
                \tat com.acme.sync.SyncJob.run(SyncJob.java:25)
                Caused by: org.hibernate.exception.JDBCConnectionException: Unable to acquire JDBC Connection
                \tat org.hibernate.exception.internal.SQLStateConversionDelegate.convert(SQLStateConversionDelegate.java:112)
                \tat org.hibernate.engine.jdbc.internal.LogicalConnectionManagedImpl.acquireConnectionIfNeeded(LogicalConnectionManagedImpl.java:108)
                \t... 4 more
                Caused by: java.sql.SQLTransientConnectionException: HikariPool-2 - Connection is not available, request timed out after 30005ms.
                \tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:695)
                \tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:197)
                \t... 6 more
                Caused by: com.mysql.cj.jdbc.exceptions.CommunicationsException: Communications link failure

                The last packet sent successfully to the server was 0 milliseconds ago. The driver has not received any packets from the server.
                \tat com.mysql.cj.jdbc.exceptions.SQLError.createCommunicationsException(SQLError.java:174)
                \tat com.mysql.cj.jdbc.ConnectionImpl.createNewIO(ConnectionImpl.java:836)
                \tat com.zaxxer.hikari.pool.PoolBase.newConnection(PoolBase.java:358)
                \tat com.zaxxer.hikari.pool.HikariPool$PoolEntryCreator.call(HikariPool.java:724)
                \tat java.util.concurrent.FutureTask.run(FutureTask.java:266)
                \tat java.lang.Thread.run(Thread.java:748)
                Caused by: java.net.ConnectException: Connection refused (Connection refused)
                \tat java.net.PlainSocketImpl.socketConnect(Native Method)
                \tat java.net.AbstractPlainSocketImpl.doConnect(AbstractPlainSocketImpl.java:350)
                \tat com.mysql.cj.protocol.StandardSocketFactory.connect(StandardSocketFactory.java:156)
                \t... 6 more

                """,
                expects: [
                    Expect(id: "hikari.connection-timeout", count: 2, fields: ["timeout": 30005, "poolNumber": 2]),
                    Expect(id: "mysql.communications-link-failure", fields: ["lastSentMs": 0]),
                    Expect(id: "spring.could-not-open-transaction", text: ["resource": "JPA EntityManager"]),
                    Expect(id: "hibernate.could-not-open-connection"),
                ],
                roots: ["-", "java.net.ConnectException"], firstSeen: epochMillis(2020, 6, 1, 3, 14, 15, 926)),

        Fixture(name: "hikari leak detection: open stack names the borrower",
                text: """
                2023-10-10 16:30:38.123 [HikariPool-3 housekeeper] WARN  com.zaxxer.hikari.pool.ProxyLeakTask - Connection leak detection triggered for com.mysql.cj.jdbc.ConnectionImpl@3c5b5d8a on thread http-nio-8080-exec-7, stack trace follows
                java.lang.Exception: Apparent connection leak detected
                \tat com.zaxxer.hikari.HikariDataSource.getConnection(HikariDataSource.java:128)
                \tat org.springframework.jdbc.datasource.DataSourceUtils.fetchConnection(DataSourceUtils.java:159)
                \tat org.springframework.jdbc.datasource.DataSourceUtils.doGetConnection(DataSourceUtils.java:117)
                \tat com.acme.tenant.TenantSqlRunner.run(TenantSqlRunner.java:57)
                \tat com.acme.tenant.TenantSyncTask.execute(TenantSyncTask.java:33)
                \tat java.base/java.lang.Thread.run(Thread.java:829)

                """,
                expects: [Expect(id: "hikari.leak-detection", fields: ["poolNumber": 3],
                                 text: ["connection": "com.mysql.cj.jdbc.ConnectionImpl@3c5b5d8a", "thread": "http-nio-8080-exec-7"])],
                roots: ["open-stack"], topFrame: "com.acme.tenant.TenantSqlRunner.run"),

        Fixture(name: "hikari pool start, DolphinScheduler worker layout (seed 000)",
                text: """
                [INFO] 2023-10-10 16:30:38.123 +0800 com.zaxxer.hikari.HikariDataSource:[110] - [taskAppId=TASK-10-2031-4471]:HikariPool-347 - Starting...
                [INFO] 2023-10-10 16:30:38.456 +0800 com.zaxxer.hikari.HikariDataSource:[123] - [taskAppId=TASK-10-2031-4471]:HikariPool-347 - Start completed.

                """,
                expects: [Expect(id: "hikari.pool-start", count: 2, fields: ["poolNumber": 347], text: ["pool": "HikariPool-347", "stage": "Start completed."])],
                roots: ["-"], firstSeen: epochMillis(2023, 10, 10, 8, 30, 38, 123)),

        Fixture(name: "hikari pool shutdown (Spring Boot, truncated thread name)",
                text: """
                2023-10-10 17:00:00.000  INFO 19 --- [ionShutdownHook] com.zaxxer.hikari.HikariDataSource       : HikariPool-1 - Shutdown initiated...
                2023-10-10 17:00:00.020  INFO 19 --- [ionShutdownHook] com.zaxxer.hikari.HikariDataSource       : HikariPool-1 - Shutdown completed.

                """,
                expects: [Expect(id: "hikari.pool-shutdown", count: 2, fields: ["poolNumber": 1], text: ["stage": "Shutdown initiated..."])],
                roots: ["-"]),

        Fixture(name: "hikari validation failed on a closed MySQL connection (seed 002; not counted as jdbc.connection-closed)",
                text: """
                2023-10-10T11:24:04.263+08:00  WARN 7 --- [nio-8080-exec-3] com.zaxxer.hikari.pool.PoolBase          : HikariPool-12 - Failed to validate connection com.mysql.cj.jdbc.ConnectionImpl@1f2e3d4c (No operations allowed after connection closed.). Possibly consider using a shorter maxLifetime value.

                """,
                expects: [Expect(id: "hikari.validation-failed", fields: ["poolNumber": 12],
                                 text: ["reason": "No operations allowed after connection closed.", "connection": "com.mysql.cj.jdbc.ConnectionImpl@1f2e3d4c"])],
                roots: ["-"], firstSeen: epochMillis(2023, 10, 10, 3, 24, 4, 263)),

        Fixture(name: "hikari housekeeper clock leap",
                text: """
                2021-08-13 20:16:15.441 [HikariPool-1 housekeeper] WARN  com.zaxxer.hikari.pool.HikariPool - HikariPool-1 - Thread starvation or clock leap detected (housekeeper delta=1m2s15ms949µs613ns).

                """,
                expects: [Expect(id: "hikari.housekeeper-clock-leap", fields: ["deltaMinutes": 1, "deltaSeconds": 2, "deltaMs": 15, "poolNumber": 1])],
                roots: ["-"]),

        Fixture(name: "hikari timeout as `docker logs` JSON lines",
                text: """
                {"log":"2023-10-10 16:30:38.123 ERROR 1 --- [nio-8080-exec-9] c.a.web.ErrorHandler : request faild\\n","stream":"stdout","time":"2023-10-10T16:30:38.124Z"}
                {"log":"java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30001ms.\\n","stream":"stdout","time":"2023-10-10T16:30:38.124Z"}
                {"log":"\\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)\\n","stream":"stdout","time":"2023-10-10T16:30:38.124Z"}
                {"log":"\\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:197)\\n","stream":"stdout","time":"2023-10-10T16:30:38.124Z"}
                {"log":"\\tat com.acme.web.OrderRepository.find(OrderRepository.java:22)\\n","stream":"stdout","time":"2023-10-10T16:30:38.124Z"}

                """,
                expects: [Expect(id: "hikari.connection-timeout", fields: ["timeout": 30001, "poolNumber": 1])],
                roots: ["java.sql.SQLTransientConnectionException"], topFrame: "com.acme.web.OrderRepository.find",
                firstSeen: epochMillis(2023, 10, 10, 16, 30, 38, 123)),

        Fixture(name: "hikari timeout as docker-compose output (`app_1  | ` prefix on every line)",
                text: """
                app_1  | 2023-10-10 16:30:38.123 ERROR 1 --- [nio-8080-exec-1] c.a.web.ErrorHandler : request failed
                app_1  |\u{20}
                app_1  | java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms.
                app_1  | \tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696) ~[HikariCP-4.0.3.jar:na]
                app_1  | \tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:197) ~[HikariCP-4.0.3.jar:na]
                app_1  | \tat com.acme.web.OrderRepository.find(OrderRepository.java:22) ~[classes/:na]

                """,
                expects: [Expect(id: "hikari.connection-timeout", fields: ["timeout": 30000, "poolNumber": 1])],
                roots: ["java.sql.SQLTransientConnectionException"], topFrame: "com.acme.web.OrderRepository.find"),

        // --- DBCP / commons-pool ---------------------------------------------------------
        Fixture(name: "dbcp 1.x exhausted under Hibernate 4 (seed 003), SqlExceptionHelper line first",
                text: """
                2015-03-18 14:21:33,187 ERROR [http-bio-8080-exec-112] org.hibernate.engine.jdbc.spi.SqlExceptionHelper - Cannot get a connection, pool error Timeout waiting for idle object
                2015-03-18 14:21:33,190 ERROR [http-bio-8080-exec-112] com.acme.web.ReportAction - load report faild
                org.hibernate.exception.GenericJDBCException: Could not open connection
                \tat org.hibernate.exception.internal.StandardSQLExceptionConverter.convert(StandardSQLExceptionConverter.java:54)
                \tat org.hibernate.engine.jdbc.spi.SqlExceptionHelper.convert(SqlExceptionHelper.java:126)
                \tat org.hibernate.engine.jdbc.internal.LogicalConnectionImpl.obtainConnection(LogicalConnectionImpl.java:221)
                \tat org.hibernate.internal.SessionImpl.beginTransaction(SessionImpl.java:1435)
                \tat com.acme.report.dao.ReportDao.loadMonthly(ReportDao.java:64)
                \tat com.acme.web.ReportAction.execute(ReportAction.java:38)
                Caused by: org.apache.commons.dbcp.SQLNestedException: Cannot get a connection, pool error Timeout waiting for idle object
                \tat org.apache.commons.dbcp.PoolingDataSource.getConnection(PoolingDataSource.java:114)
                \tat org.apache.commons.dbcp.BasicDataSource.getConnection(BasicDataSource.java:1044)
                \tat org.hibernate.service.jdbc.connections.internal.DatasourceConnectionProviderImpl.getConnection(DatasourceConnectionProviderImpl.java:141)
                \tat org.hibernate.engine.jdbc.internal.LogicalConnectionImpl.obtainConnection(LogicalConnectionImpl.java:214)
                \t... 4 more
                Caused by: java.util.NoSuchElementException: Timeout waiting for idle object
                \tat org.apache.commons.pool.impl.GenericObjectPool.borrowObject(GenericObjectPool.java:1174)
                \tat org.apache.commons.dbcp.PoolingDataSource.getConnection(PoolingDataSource.java:106)
                \t... 7 more

                """,
                expects: [
                    Expect(id: "dbcp.pool-exhausted", count: 2, text: ["reason": "Timeout waiting for idle object"]),
                    Expect(id: "hibernate.could-not-open-connection"),
                ],
                roots: ["-", "java.util.NoSuchElementException"], topFrame: "com.acme.report.dao.ReportDao.loadMonthly"),

        Fixture(name: "dbcp2 exhausted with borrowMaxWaitDuration (Spring, Logback `common frames omitted`)",
                text: """
                2024-02-01 09:15:22.481 [http-nio-8080-exec-42] ERROR c.a.booking.BookingService - booking failed
                org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection
                \tat org.springframework.jdbc.datasource.DataSourceUtils.getConnection(DataSourceUtils.java:84)
                \tat org.springframework.jdbc.core.JdbcTemplate.execute(JdbcTemplate.java:376)
                \tat com.acme.booking.BookingRepository.lock(BookingRepository.java:51)
                \tat com.acme.booking.BookingService.book(BookingService.java:29)
                Caused by: java.sql.SQLException: Cannot get a connection, pool error Timeout waiting for idle object, borrowMaxWaitDuration=PT10S
                \tat org.apache.commons.dbcp2.PoolingDataSource.getConnection(PoolingDataSource.java:159)
                \tat org.apache.commons.dbcp2.BasicDataSource.getConnection(BasicDataSource.java:1124)
                \tat org.springframework.jdbc.datasource.DataSourceUtils.fetchConnection(DataSourceUtils.java:160)
                \tat org.springframework.jdbc.datasource.DataSourceUtils.doGetConnection(DataSourceUtils.java:118)
                \t... 4 common frames omitted
                Caused by: java.util.NoSuchElementException: Timeout waiting for idle object, borrowMaxWaitDuration=PT10S
                \tat org.apache.commons.pool2.impl.GenericObjectPool.borrowObject(GenericObjectPool.java:337)
                \tat org.apache.commons.pool2.impl.GenericObjectPool.borrowObject(GenericObjectPool.java:246)
                \tat org.apache.commons.dbcp2.PoolingDataSource.getConnection(PoolingDataSource.java:141)
                \t... 7 common frames omitted

                """,
                expects: [
                    Expect(id: "dbcp.pool-exhausted", text: ["borrowMaxWaitDuration": "PT10S"]),
                    Expect(id: "spring.cannot-get-connection"),
                ],
                roots: ["java.util.NoSuchElementException"], topFrame: "com.acme.booking.BookingRepository.lock"),

        Fixture(name: "Tomcat-repackaged dbcp2 exhausted, posted bare (no log record, 4-space indentation)",
                text: """
                java.sql.SQLException: Cannot get a connection, pool error Timeout waiting for idle object
                    at org.apache.tomcat.dbcp.dbcp2.PoolingDataSource.getConnection(PoolingDataSource.java:142)
                    at org.apache.tomcat.dbcp.dbcp2.BasicDataSource.getConnection(BasicDataSource.java:1563)
                    at com.acme.legacy.DbUtil.getConn(DbUtil.java:31)
                    at com.acme.legacy.UserServlet.doGet(UserServlet.java:45)
                Caused by: java.util.NoSuchElementException: Timeout waiting for idle object
                    at org.apache.tomcat.dbcp.pool2.impl.GenericObjectPool.borrowObject(GenericObjectPool.java:448)
                    at org.apache.tomcat.dbcp.dbcp2.PoolingDataSource.getConnection(PoolingDataSource.java:134)
                    ... 3 more

                """,
                expects: [Expect(id: "dbcp.pool-exhausted")],
                roots: ["java.util.NoSuchElementException"], topFrame: "com.acme.legacy.DbUtil.getConn"),

        Fixture(name: "dbcp 1.x abandoned trace printed header-less into catalina.out, dated by its creation time",
                text: """
                10-Oct-2023 16:01:30.114 INFO [http-nio-8080-exec-3] org.apache.catalina.core.ApplicationContext.log SessionListener: session 40F53ACBFF50CC02 expired for user 549
                DBCP object created 2023-10-10 16:01:02 by the following code was never closed:
                java.lang.Exception
                \tat org.apache.commons.dbcp.AbandonedTrace.setStackTrace(AbandonedTrace.java:139)
                \tat org.apache.commons.dbcp.AbandonedObjectPool.borrowObject(AbandonedObjectPool.java:81)
                \tat org.apache.commons.dbcp.PoolingDataSource.getConnection(PoolingDataSource.java:106)
                \tat org.apache.commons.dbcp.BasicDataSource.getConnection(BasicDataSource.java:1044)
                \tat com.acme.wms.dao.StockDao.lock(StockDao.java:212)
                \tat com.acme.wms.service.StockService.reserve(StockService.java:88)
                \tat org.apache.catalina.core.ApplicationFilterChain.internalDoFilter(ApplicationFilterChain.java:231)
                10-Oct-2023 16:01:31.002 INFO [http-nio-8080-exec-9] org.apache.catalina.core.ApplicationContext.log SessionListener: session 7A1B expired for user 12

                """,
                expects: [Expect(id: "dbcp.abandoned-trace", text: ["created": "2023-10-10 16:01:02", "library": "DBCP"])],
                roots: ["open-stack"], topFrame: "com.acme.wms.dao.StockDao.lock", firstSeen: epochMillis(2023, 10, 10, 16, 1, 2)),

        Fixture(name: "dbcp 1.4 AbandonedObjectException form",
                text: """
                2023-10-10 16:07:00,001 INFO [main] com.acme.settle.SettlementJob - batch 42 started
                org.apache.commons.dbcp.AbandonedTrace$AbandonedObjectException: DBCP object created 2023-10-10 16:05:00 by the following code was never closed:
                \tat org.apache.commons.dbcp.AbandonedTrace.setStackTrace(AbandonedTrace.java:139)
                \tat org.apache.commons.dbcp.AbandonedObjectPool.borrowObject(AbandonedObjectPool.java:81)
                \tat org.apache.commons.dbcp.PoolingDataSource.getConnection(PoolingDataSource.java:106)
                \tat org.apache.commons.dbcp.BasicDataSource.getConnection(BasicDataSource.java:1044)
                \tat com.acme.settle.SettlementDao.sumDaily(SettlementDao.java:140)
                \tat com.acme.settle.SettlementJob.run(SettlementJob.java:52)

                """,
                expects: [Expect(id: "dbcp.abandoned-trace", text: ["created": "2023-10-10 16:05:00"])],
                roots: ["open-stack"], topFrame: "com.acme.settle.SettlementDao.sumDaily", firstSeen: epochMillis(2023, 10, 10, 16, 5, 0)),

        Fixture(name: "dbcp2 / pool2 abandoned trace (`Pooled object created`, zone offset)",
                text: """
                Pooled object created 2024-01-05 10:11:12 +0100 by the following code has not been returned to the pool:
                org.apache.commons.pool2.impl.ThrowableCallStack$Snapshot
                \tat org.apache.commons.pool2.impl.ThrowableCallStack.fillInStackTrace(ThrowableCallStack.java:59)
                \tat org.apache.commons.pool2.impl.GenericObjectPool.borrowObject(GenericObjectPool.java:468)
                \tat org.apache.commons.dbcp2.PoolingDataSource.getConnection(PoolingDataSource.java:134)
                \tat org.apache.commons.dbcp2.BasicDataSource.getConnection(BasicDataSource.java:753)
                \tat com.acme.crm.CustomerDao.search(CustomerDao.java:77)

                """,
                expects: [Expect(id: "dbcp.abandoned-trace", text: ["created": "2024-01-05 10:11:12 +0100", "library": "Pooled"])],
                roots: ["open-stack"], topFrame: "com.acme.crm.CustomerDao.search"),

        // --- Tomcat JDBC -----------------------------------------------------------------
        Fixture(name: "tomcat-jdbc pool empty, Spring Boot 1.5 'with root cause' form",
                text: """
                2018-04-12 10:22:31.187 ERROR 3456 --- [nio-8080-exec-51] o.a.c.c.C.[.[.[/].[dispatcherServlet]    : Servlet.service() for servlet [dispatcherServlet] in context with path [] threw exception [Request processing failed; nested exception is org.springframework.transaction.CannotCreateTransactionException: Could not open JPA EntityManager for transaction; nested exception is org.hibernate.exception.GenericJDBCException: Could not open connection] with root cause

                org.apache.tomcat.jdbc.pool.PoolExhaustedException: [http-nio-8080-exec-51] Timeout: Pool empty. Unable to fetch a connection in 30 seconds, none available[size:100; busy:100; idle:0; lastwait:30000].
                \tat org.apache.tomcat.jdbc.pool.ConnectionPool.borrowConnection(ConnectionPool.java:714) ~[tomcat-jdbc-8.5.29.jar:na]
                \tat org.apache.tomcat.jdbc.pool.ConnectionPool.getConnection(ConnectionPool.java:198) ~[tomcat-jdbc-8.5.29.jar:na]
                \tat org.apache.tomcat.jdbc.pool.DataSourceProxy.getConnection(DataSourceProxy.java:132) ~[tomcat-jdbc-8.5.29.jar:na]
                \tat org.hibernate.engine.jdbc.connections.internal.DatasourceConnectionProviderImpl.getConnection(DatasourceConnectionProviderImpl.java:122) ~[hibernate-core-5.0.12.Final.jar:5.0.12.Final]
                \tat com.acme.catalog.repo.ProductRepositoryImpl.search(ProductRepositoryImpl.java:58) ~[classes/:na]
                \tat com.acme.catalog.web.ProductController.search(ProductController.java:31) ~[classes/:na]

                """,
                expects: [
                    Expect(id: "tomcat-jdbc.pool-exhausted", fields: ["size": 100, "busy": 100, "idle": 0, "lastwait": 30000, "seconds": 30],
                           text: ["thread": "http-nio-8080-exec-51"]),
                    Expect(id: "spring.could-not-open-transaction"),
                    Expect(id: "hibernate.could-not-open-connection"),
                ],
                roots: ["org.apache.tomcat.jdbc.pool.PoolExhaustedException"], topFrame: "com.acme.catalog.repo.ProductRepositoryImpl.search"),

        Fixture(name: "tomcat-jdbc pool empty, message wrapped onto a second line by Hibernate's logger",
                text: """
                [ERROR] 2018-04-12 10:22:31,190 org.hibernate.engine.jdbc.spi.SqlExceptionHelper - [http-nio-8080-exec-51] Timeout: Pool empty. Unable to fetch a connection in 30 seconds,\u{20}
                none available[size:100; busy:99; idle:0; lastwait:30000].

                """,
                expects: [Expect(id: "tomcat-jdbc.pool-exhausted", fields: ["size": 100, "busy": 99, "idle": 0, "lastwait": 30000])],
                roots: ["-"], firstSeen: epochMillis(2018, 4, 12, 10, 22, 31, 190)),

        Fixture(name: "tomcat-jdbc abandoned connection (catalina.out, PoolCleaner thread)",
                text: """
                10-Oct-2023 16:30:38.123 WARNING [PoolCleaner[1562557367:1696926000000]] org.apache.tomcat.jdbc.pool.ConnectionPool.abandon Connection has been abandoned PooledConnection[com.mysql.cj.jdbc.ConnectionImpl@5f1e2d3c]:java.lang.Exception
                \tat org.apache.tomcat.jdbc.pool.ConnectionPool.getThreadDump(ConnectionPool.java:1163)
                \tat org.apache.tomcat.jdbc.pool.ConnectionPool.borrowConnection(ConnectionPool.java:852)
                \tat org.apache.tomcat.jdbc.pool.ConnectionPool.getConnection(ConnectionPool.java:198)
                \tat org.apache.tomcat.jdbc.pool.DataSourceProxy.getConnection(DataSourceProxy.java:132)
                \tat com.acme.billing.InvoiceDao.load(InvoiceDao.java:41)
                \tat com.acme.billing.InvoiceService.print(InvoiceService.java:19)

                """,
                expects: [Expect(id: "tomcat-jdbc.abandoned", text: ["connection": "com.mysql.cj.jdbc.ConnectionImpl@5f1e2d3c"])],
                roots: ["open-stack"], topFrame: "com.acme.billing.InvoiceDao.load", firstSeen: epochMillis(2023, 10, 10, 16, 30, 38, 123)),

        // --- c3p0 ------------------------------------------------------------------------
        Fixture(name: "c3p0 checkout timeout (log4j 1.x, typo in the record)",
                text: """
                2016-05-27 06:32:26,171 [http-nio-8080-exec-3] WARN  org.hibernate.engine.jdbc.spi.SqlExceptionHelper - SQL Error: 0, SQLState: null
                2016-05-27 06:32:26,172 [http-nio-8080-exec-3] ERROR com.acme.cms.ArticleDao - conection error
                java.sql.SQLException: An attempt by a client to checkout a Connection has timed out.
                \tat com.mchange.v2.sql.SqlUtils.toSQLException(SqlUtils.java:118)
                \tat com.mchange.v2.sql.SqlUtils.toSQLException(SqlUtils.java:77)
                \tat com.mchange.v2.c3p0.impl.C3P0PooledConnectionPool.checkoutPooledConnection(C3P0PooledConnectionPool.java:690)
                \tat com.mchange.v2.c3p0.impl.AbstractPoolBackedDataSource.getConnection(AbstractPoolBackedDataSource.java:140)
                \tat com.acme.cms.ArticleDao.list(ArticleDao.java:30)
                Caused by: com.mchange.v2.resourcepool.TimeoutException: A client timed out while waiting to acquire a resource from com.mchange.v2.resourcepool.BasicResourcePool@437c8e17 -- timeout at awaitAvailable()
                \tat com.mchange.v2.resourcepool.BasicResourcePool.awaitAvailable(BasicResourcePool.java:1467)
                \tat com.mchange.v2.resourcepool.BasicResourcePool.prelimCheckoutResource(BasicResourcePool.java:644)
                \tat com.mchange.v2.resourcepool.BasicResourcePool.checkoutResource(BasicResourcePool.java:554)
                \tat com.mchange.v2.c3p0.impl.C3P0PooledConnectionPool.checkoutAndMarkConnectionInUse(C3P0PooledConnectionPool.java:758)
                \t... 3 more

                """,
                expects: [Expect(id: "c3p0.checkout-timeout", text: ["resourcePool": "com.mchange.v2.resourcepool.BasicResourcePool@437c8e17"])],
                roots: ["com.mchange.v2.resourcepool.TimeoutException"], topFrame: "com.acme.cms.ArticleDao.list"),

        Fixture(name: "c3p0 APPARENT DEADLOCK with complete status and pool-thread stacks",
                text: """
                [2021-03-27 09:56:43,938] WARN [com.mchange.v2.async.ThreadPoolAsynchronousRunner] - com.mchange.v2.async.ThreadPoolAsynchronousRunner$DeadlockDetector@1798288e -- APPARENT DEADLOCK!!! Complete Status:\u{20}
                \tManaged Threads: 3
                \tActive Threads: 3
                \tActive Tasks:\u{20}
                \t\tcom.mchange.v2.resourcepool.BasicResourcePool$ScatteredAcquireTask@5383aba6
                \t\t\ton thread: C3P0PooledConnectionPoolManager[identityToken->2zqbe0b21v5l3gg18ukgc2|5a20452e]-HelperThread-#2
                \tPending Tasks:\u{20}
                \t\tcom.mchange.v2.resourcepool.BasicResourcePool$ScatteredAcquireTask@4e1c3a8d
                Pool thread stack traces:
                \tThread[C3P0PooledConnectionPoolManager[identityToken->2zqbe0b21v5l3gg18ukgc2|5a20452e]-HelperThread-#2,5,main]
                \t\tjava.net.PlainSocketImpl.socketConnect(Native Method)
                \t\tjava.net.AbstractPlainSocketImpl.doConnect(AbstractPlainSocketImpl.java:350)
                \t\tcom.mysql.jdbc.StandardSocketFactory.connect(StandardSocketFactory.java:211)

                """,
                expects: [Expect(id: "c3p0.apparent-deadlock", fields: ["managedThreads": 3, "activeThreads": 3], text: ["detail": "Complete Status:"])],
                roots: ["-"], firstSeen: epochMillis(2021, 3, 27, 9, 56, 43, 938)),

        // --- MySQL Connector/J -----------------------------------------------------------
        Fixture(name: "Connector/J 5.1 socketTimeout under slow SQL (seed 004): link failure caused by Read timed out",
                text: """
                2023-10-10 01:06:29,114 ERROR [pool-2-thread-5] com.acme.settle.SettlementJob - settle failed
                org.springframework.dao.RecoverableDataAccessException: PreparedStatementCallback; SQL [select sum(amount) from t_settle where day = ?]; Communications link failure

                The last packet successfully received from the server was 1,001 milliseconds ago.  The last packet sent successfully to the server was 1,001 milliseconds ago.; nested exception is com.mysql.jdbc.exceptions.jdbc4.CommunicationsException: Communications link failure

                The last packet successfully received from the server was 1,001 milliseconds ago.  The last packet sent successfully to the server was 1,001 milliseconds ago.
                \tat org.springframework.jdbc.support.SQLExceptionSubclassTranslator.doTranslate(SQLExceptionSubclassTranslator.java:98)
                \tat org.springframework.jdbc.core.JdbcTemplate.execute(JdbcTemplate.java:649)
                \tat org.springframework.jdbc.core.JdbcTemplate.query(JdbcTemplate.java:684)
                \tat com.acme.settle.SettlementDao.sumDaily(SettlementDao.java:140)
                \tat com.acme.settle.SettlementJob.run(SettlementJob.java:52)
                \tat java.lang.Thread.run(Thread.java:748)
                Caused by: com.mysql.jdbc.exceptions.jdbc4.CommunicationsException: Communications link failure

                The last packet successfully received from the server was 1,001 milliseconds ago.  The last packet sent successfully to the server was 1,001 milliseconds ago.
                \tat sun.reflect.NativeConstructorAccessorImpl.newInstance0(Native Method)
                \tat java.lang.reflect.Constructor.newInstance(Constructor.java:423)
                \tat com.mysql.jdbc.Util.handleNewInstance(Util.java:425)
                \tat com.mysql.jdbc.SQLError.createCommunicationsException(SQLError.java:990)
                \tat com.mysql.jdbc.MysqlIO.reuseAndReadPacket(MysqlIO.java:3562)
                \tat com.mysql.jdbc.PreparedStatement.executeQuery(PreparedStatement.java:2318)
                \tat org.apache.commons.dbcp.DelegatingPreparedStatement.executeQuery(DelegatingPreparedStatement.java:96)
                \tat org.springframework.jdbc.core.JdbcTemplate$1.doInPreparedStatement(JdbcTemplate.java:703)
                \tat org.springframework.jdbc.core.JdbcTemplate.execute(JdbcTemplate.java:633)
                \t... 4 more
                Caused by: java.net.SocketTimeoutException: Read timed out
                \tat java.net.SocketInputStream.socketRead0(Native Method)
                \tat java.net.SocketInputStream.socketRead(SocketInputStream.java:116)
                \tat java.net.SocketInputStream.read(SocketInputStream.java:171)
                \tat java.net.SocketInputStream.read(SocketInputStream.java:141)
                \tat com.mysql.jdbc.util.ReadAheadInputStream.fill(ReadAheadInputStream.java:101)
                \tat com.mysql.jdbc.util.ReadAheadInputStream.read(ReadAheadInputStream.java:174)
                \tat com.mysql.jdbc.MysqlIO.readFully(MysqlIO.java:3011)
                \tat com.mysql.jdbc.MysqlIO.reuseAndReadPacket(MysqlIO.java:3472)
                \t... 9 more

                """,
                expects: [
                    Expect(id: "mysql.communications-link-failure", fields: ["lastPacketMs": 1001, "lastSentMs": 1001]),
                    Expect(id: "jdbc.socket-read-timeout"),
                ],
                roots: ["java.net.SocketTimeoutException"], topFrame: "com.acme.settle.SettlementDao.sumDaily"),

        Fixture(name: "Connector/J 8 cannot reach the server at startup (Hikari pool init, JDK 17)",
                text: """
                2023-11-02 08:00:01.511 ERROR 1 --- [           main] com.zaxxer.hikari.pool.HikariPool        : HikariPool-1 - Exception during pool initialization.

                com.mysql.cj.jdbc.exceptions.CommunicationsException: Communications link failure

                The last packet sent successfully to the server was 0 milliseconds ago. The driver has not received any packets from the server.
                \tat com.mysql.cj.jdbc.exceptions.SQLError.createCommunicationsException(SQLError.java:175) ~[mysql-connector-j-8.0.33.jar:8.0.33]
                \tat com.mysql.cj.jdbc.exceptions.SQLExceptionsMapping.translateException(SQLExceptionsMapping.java:64) ~[mysql-connector-j-8.0.33.jar:8.0.33]
                \tat com.mysql.cj.jdbc.ConnectionImpl.createNewIO(ConnectionImpl.java:825) ~[mysql-connector-j-8.0.33.jar:8.0.33]
                \tat com.zaxxer.hikari.pool.PoolBase.newConnection(PoolBase.java:359) ~[HikariCP-5.0.1.jar:na]
                \tat com.zaxxer.hikari.pool.HikariPool.checkFailFast(HikariPool.java:554) ~[HikariCP-5.0.1.jar:na]
                \tat com.zaxxer.hikari.pool.HikariPool.<init>(HikariPool.java:98) ~[HikariCP-5.0.1.jar:na]
                \tat com.zaxxer.hikari.HikariDataSource.getConnection(HikariDataSource.java:111) ~[HikariCP-5.0.1.jar:na]
                Caused by: com.mysql.cj.exceptions.CJCommunicationsException: Communications link failure

                The last packet sent successfully to the server was 0 milliseconds ago. The driver has not received any packets from the server.
                \tat java.base/jdk.internal.reflect.NativeConstructorAccessorImpl.newInstance0(Native Method) ~[na:na]
                \tat com.mysql.cj.exceptions.ExceptionFactory.createException(ExceptionFactory.java:61) ~[mysql-connector-j-8.0.33.jar:8.0.33]
                \tat com.mysql.cj.protocol.a.NativeSocketConnection.connect(NativeSocketConnection.java:104) ~[mysql-connector-j-8.0.33.jar:8.0.33]
                \t... 6 common frames omitted
                Caused by: java.net.ConnectException: Connection refused
                \tat java.base/sun.nio.ch.Net.pollConnect(Native Method) ~[na:na]
                \tat java.base/sun.nio.ch.NioSocketImpl.timedFinishConnect(NioSocketImpl.java:547) ~[na:na]
                \tat java.base/java.net.Socket.connect(Socket.java:633) ~[na:na]
                \tat com.mysql.cj.protocol.StandardSocketFactory.connect(StandardSocketFactory.java:153) ~[mysql-connector-j-8.0.33.jar:8.0.33]
                \t... 9 common frames omitted

                """,
                expects: [
                    Expect(id: "mysql.communications-link-failure", fields: ["lastSentMs": 0], text: ["neverReceived": " The driver has not received any packets from the server."]),
                    Expect(id: "hikari.pool-init-failed", fields: ["poolNumber": 1]),
                ],
                roots: ["java.net.ConnectException"]),

        Fixture(name: "Connector/J 8 Too many connections while a new Hikari pool starts (seed 000, DolphinScheduler is app code)",
                text: """
                2023-10-10 16:12:38.253 ERROR 19 --- [task-2031] com.zaxxer.hikari.pool.HikariPool        : HikariPool-137 - Exception during pool initialization.

                java.sql.SQLNonTransientConnectionException: Data source rejected establishment of connection,  message from server: "Too many connections"
                \tat com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:110)
                \tat com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:97)
                \tat com.mysql.cj.jdbc.exceptions.SQLExceptionsMapping.translateException(SQLExceptionsMapping.java:122)
                \tat com.mysql.cj.jdbc.ConnectionImpl.createNewIO(ConnectionImpl.java:828)
                \tat com.zaxxer.hikari.pool.PoolBase.newConnection(PoolBase.java:358)
                \tat com.zaxxer.hikari.pool.HikariPool.checkFailFast(HikariPool.java:477)
                \tat com.zaxxer.hikari.pool.HikariPool.<init>(HikariPool.java:115)
                \tat com.zaxxer.hikari.HikariDataSource.<init>(HikariDataSource.java:81)
                \tat org.apache.dolphinscheduler.plugin.datasource.api.client.CommonDataSourceClient.initClient(CommonDataSourceClient.java:75)
                \tat org.apache.dolphinscheduler.plugin.task.sql.SqlTask.handle(SqlTask.java:149)

                """,
                expects: [
                    Expect(id: "mysql.too-many-connections"),
                    Expect(id: "hikari.pool-init-failed", fields: ["poolNumber": 137], text: ["pool": "HikariPool-137"]),
                ],
                roots: ["java.sql.SQLNonTransientConnectionException"],
                topFrame: "org.apache.dolphinscheduler.plugin.datasource.api.client.CommonDataSourceClient.initClient",
                firstSeen: epochMillis(2023, 10, 10, 16, 12, 38, 253)),

        Fixture(name: "Connector/J 5 Too many connections through DBCP's PoolableConnectionFactory",
                text: """
                2014-07-21 18:02:11,336 [main] ERROR com.acme.Startup - init failed
                org.apache.commons.dbcp.SQLNestedException: Cannot create PoolableConnectionFactory (Data source rejected establishment of connection,  message from server: "Too many connections")
                \tat org.apache.commons.dbcp.BasicDataSource.createPoolableConnectionFactory(BasicDataSource.java:1549)
                \tat org.apache.commons.dbcp.BasicDataSource.createDataSource(BasicDataSource.java:1388)
                \tat org.apache.commons.dbcp.BasicDataSource.getConnection(BasicDataSource.java:1044)
                \tat com.acme.Startup.init(Startup.java:21)
                Caused by: com.mysql.jdbc.exceptions.jdbc4.MySQLNonTransientConnectionException: Data source rejected establishment of connection,  message from server: "Too many connections"
                \tat sun.reflect.NativeConstructorAccessorImpl.newInstance0(Native Method)
                \tat com.mysql.jdbc.Util.handleNewInstance(Util.java:411)
                \tat com.mysql.jdbc.MysqlIO.doHandshake(MysqlIO.java:1112)
                \tat com.mysql.jdbc.ConnectionImpl.coreConnect(ConnectionImpl.java:2488)
                \t... 5 more

                """,
                expects: [
                    Expect(id: "mysql.too-many-connections"),
                    Expect(id: "dbcp.cannot-create-connection-factory"),
                ],
                roots: ["com.mysql.jdbc.exceptions.jdbc4.MySQLNonTransientConnectionException"], topFrame: "com.acme.Startup.init"),

        Fixture(name: "Connector/J 5 statement on a closed connection after abandoned removal (seed 004)",
                text: """
                2023-10-10 01:07:05,440 ERROR [pool-2-thread-5] com.acme.settle.SettlementJob - retry failed
                org.springframework.dao.RecoverableDataAccessException: PreparedStatementCallback; SQL [update t_settle set status = ? where id = ?]; No operations allowed after connection closed.; nested exception is com.mysql.jdbc.exceptions.jdbc4.MySQLNonTransientConnectionException: No operations allowed after connection closed.
                \tat org.springframework.jdbc.support.SQLExceptionSubclassTranslator.doTranslate(SQLExceptionSubclassTranslator.java:98)
                \tat org.springframework.jdbc.core.JdbcTemplate.update(JdbcTemplate.java:866)
                \tat com.acme.settle.SettlementDao.markDone(SettlementDao.java:160)
                Caused by: com.mysql.jdbc.exceptions.jdbc4.MySQLNonTransientConnectionException: No operations allowed after connection closed.
                \tat sun.reflect.NativeConstructorAccessorImpl.newInstance0(Native Method)
                \tat com.mysql.jdbc.SQLError.createSQLException(SQLError.java:989)
                \tat com.mysql.jdbc.ConnectionImpl.checkClosed(ConnectionImpl.java:1199)
                \tat com.mysql.jdbc.ConnectionImpl.prepareStatement(ConnectionImpl.java:4160)
                \t... 2 more

                """,
                expects: [Expect(id: "jdbc.connection-closed", text: ["message": "No operations allowed after connection closed"])],
                roots: ["com.mysql.jdbc.exceptions.jdbc4.MySQLNonTransientConnectionException"], topFrame: "com.acme.settle.SettlementDao.markDone"),

        Fixture(name: "Connector/J 5 connection idle past wait_timeout, posted with every tab lost",
                text: """
                com.mysql.jdbc.exceptions.jdbc4.CommunicationsException: The last packet successfully received from the server was 42,537,109 milliseconds ago.  The last packet sent successfully to the server was 42,537,110 milliseconds ago. is longer than the server configured value of 'wait_timeout'. You should consider either expiring and/or testing connection validity before use in your application, increasing the server configured values for client timeouts, or using the Connector/J connection property 'autoReconnect=true' to avoid this problem.
                at sun.reflect.GeneratedConstructorAccessor29.newInstance(Unknown Source)
                at sun.reflect.DelegatingConstructorAccessorImpl.newInstance(DelegatingConstructorAccessorImpl.java:45)
                at java.lang.reflect.Constructor.newInstance(Constructor.java:526)
                at com.mysql.jdbc.Util.handleNewInstance(Util.java:411)
                at com.mysql.jdbc.SQLError.createCommunicationsException(SQLError.java:1117)
                at com.mysql.jdbc.MysqlIO.send(MysqlIO.java:3851)
                at com.acme.legacy.UserDao.find(UserDao.java:40)
                Caused by: java.net.SocketException: Broken pipe
                at java.net.SocketOutputStream.socketWrite0(Native Method)
                at java.net.SocketOutputStream.socketWrite(SocketOutputStream.java:113)
                at com.mysql.jdbc.MysqlIO.send(MysqlIO.java:3832)
                ... 1 more

                """,
                expects: [
                    Expect(id: "mysql.communications-link-failure", fields: ["lastPacketMs": 42_537_109, "lastSentMs": 42_537_110]),
                    Expect(id: "mysql.wait-timeout-exceeded", fields: ["lastPacketMs": 42_537_109], text: ["variable": "wait_timeout"]),
                ],
                roots: ["java.net.SocketException"], topFrame: "com.acme.legacy.UserDao.find"),

        // --- PostgreSQL ------------------------------------------------------------------
        Fixture(name: "PostgreSQL sorry, too many clients already (Hikari pool init, Spring Boot)",
                text: """
                2022-09-14 07:45:10.007 ERROR 1 --- [           main] com.zaxxer.hikari.pool.HikariPool        : HikariPool-1 - Exception during pool initialization.

                org.postgresql.util.PSQLException: FATAL: sorry, too many clients already
                \tat org.postgresql.core.v3.ConnectionFactoryImpl.doAuthentication(ConnectionFactoryImpl.java:613) ~[postgresql-42.2.27.jar:42.2.27]
                \tat org.postgresql.core.v3.ConnectionFactoryImpl.tryConnect(ConnectionFactoryImpl.java:161) ~[postgresql-42.2.27.jar:42.2.27]
                \tat org.postgresql.Driver.makeConnection(Driver.java:465) ~[postgresql-42.2.27.jar:42.2.27]
                \tat com.zaxxer.hikari.pool.PoolBase.newConnection(PoolBase.java:358) ~[HikariCP-4.0.3.jar:na]
                \tat com.zaxxer.hikari.HikariDataSource.getConnection(HikariDataSource.java:112) ~[HikariCP-4.0.3.jar:na]

                """,
                expects: [
                    Expect(id: "postgres.too-many-connections", text: ["reason": "sorry, too many clients already"]),
                    Expect(id: "hikari.pool-init-failed", fields: ["poolNumber": 1]),
                ],
                roots: ["org.postgresql.util.PSQLException"]),

        Fixture(name: "PostgreSQL 16 wording via a Druid create error (TBase/PG, state 53300)",
                text: """
                2024-03-01 10:00:00.123 [Druid-ConnectionPool-Create-1704872741] ERROR com.alibaba.druid.pool.DruidDataSource - create connection SQLException, url: jdbc:postgresql://pg16:5432/app, errorCode 0, state 53300
                org.postgresql.util.PSQLException: FATAL: remaining connection slots are reserved for roles with the SUPERUSER attribute
                \tat org.postgresql.core.v3.ConnectionFactoryImpl.doAuthentication(ConnectionFactoryImpl.java:693)
                \tat org.postgresql.core.v3.ConnectionFactoryImpl.tryConnect(ConnectionFactoryImpl.java:203)
                \tat com.alibaba.druid.pool.DruidAbstractDataSource.createPhysicalConnection(DruidAbstractDataSource.java:1657)
                \tat com.alibaba.druid.pool.DruidDataSource$CreateConnectionThread.run(DruidDataSource.java:2801)

                """,
                expects: [
                    Expect(id: "postgres.too-many-connections", text: ["reason": "remaining connection slots are reserved for roles with the SUPERUSER attribute"]),
                    Expect(id: "druid.create-connection-error", fields: ["errorCode": 0, "state": 53300], text: ["url": "jdbc:postgresql://pg16:5432/app"]),
                ],
                roots: ["org.postgresql.util.PSQLException"]),

        Fixture(name: "PostgreSQL too many connections for role, Windows line endings, 4-space indentation",
                text: crlf("""
                2023-05-05 12:00:00,001 ERROR [main] o.s.boot.SpringApplication - Application run failed
                org.springframework.beans.factory.BeanCreationException: Error creating bean with name 'entityManagerFactory'
                    at org.springframework.beans.factory.support.AbstractAutowireCapableBeanFactory.initializeBean(AbstractAutowireCapableBeanFactory.java:1804)
                    at com.acme.inventory.InventoryApplication.main(InventoryApplication.java:12)
                Caused by: org.postgresql.util.PSQLException: FATAL: too many connections for role "app_rw"
                    at org.postgresql.core.v3.ConnectionFactoryImpl.doAuthentication(ConnectionFactoryImpl.java:646)
                    at org.postgresql.Driver.makeConnection(Driver.java:434)
                    ... 40 more

                """),
                expects: [Expect(id: "postgres.too-many-connections", text: ["role": "app_rw"])],
                roots: ["org.postgresql.util.PSQLException"], firstSeen: epochMillis(2023, 5, 5, 12, 0, 0, 1)),

        // --- Oracle ----------------------------------------------------------------------
        Fixture(name: "Oracle ORA-00020 processes exhausted (Chinese record, ojdbc blank line)",
                text: """
                2020-01-15 23:59:58.777 ERROR [http-nio-8080-exec-2] c.a.erp.GlobalErrorHandler - 数据库连接失败
                java.sql.SQLException: ORA-00020: maximum number of processes (300) exceeded

                \tat oracle.jdbc.driver.T4CTTIoer11.processError(T4CTTIoer11.java:494)
                \tat oracle.jdbc.driver.T4CTTIoer11.processError(T4CTTIoer11.java:441)
                \tat oracle.jdbc.driver.T4CTTIfun.processError(T4CTTIfun.java:1027)
                \tat oracle.jdbc.driver.T4CConnection.logon(T4CConnection.java:509)
                \tat oracle.jdbc.driver.PhysicalConnection.connect(PhysicalConnection.java:1005)
                \tat com.acme.erp.db.ConnectionFactory.open(ConnectionFactory.java:27)

                """,
                expects: [Expect(id: "oracle.too-many-connections", fields: ["processes": 300], text: ["oraCode": "ORA-00020"])],
                roots: ["java.sql.SQLException"], topFrame: "com.acme.erp.db.ConnectionFactory.open"),

        Fixture(name: "Oracle ORA-12519 listener refused, posted bare",
                text: """
                java.sql.SQLException: Listener refused the connection with the following error:
                ORA-12519, TNS:no appropriate service handler found
                \u{20}
                \tat oracle.jdbc.driver.T4CConnection.logon(T4CConnection.java:489)
                \tat oracle.jdbc.driver.PhysicalConnection.<init>(PhysicalConnection.java:553)
                \tat java.sql.DriverManager.getConnection(DriverManager.java:664)
                \tat com.acme.batch.ImportJob.connect(ImportJob.java:61)
                Caused by: oracle.net.ns.NetException: Listener refused the connection with the following error:
                ORA-12519, TNS:no appropriate service handler found
                \u{20}
                \tat oracle.net.ns.NSProtocol.connect(NSProtocol.java:399)
                \tat oracle.jdbc.driver.T4CConnection.connect(T4CConnection.java:1140)
                \t... 3 more

                """,
                expects: [Expect(id: "oracle.too-many-connections", text: ["oraCode": "ORA-12519"])],
                roots: ["oracle.net.ns.NetException"], topFrame: "com.acme.batch.ImportJob.connect"),

        // --- shapes found by checking posted excerpts (issue threads, Q&A, blogs) -------
        Fixture(name: "dbcp 1.2 (Tomcat 5.5 repackaged) says 'pool exhausted', posted without indentation",
                text: """
                org.apache.tomcat.dbcp.dbcp.SQLNestedException: Cannot get a connection, pool exhausted
                at org.apache.tomcat.dbcp.dbcp.PoolingDataSource.getConnection(PoolingDataSource.java:103)
                at org.apache.tomcat.dbcp.dbcp.BasicDataSource.getConnection(BasicDataSource.java:540)
                at com.acme.shop.CartDao.load(CartDao.java:44)

                """,
                expects: [Expect(id: "dbcp.pool-exhausted", text: ["reason": "pool exhausted"])],
                roots: ["org.apache.tomcat.dbcp.dbcp.SQLNestedException"], topFrame: "com.acme.shop.CartDao.load"),

        Fixture(name: "druid abandon connection before 1.0.15 (no owner thread, no time)",
                text: """
                2015-11-03 10:12:40,512 ERROR [Druid-ConnectionPool-Destroy-2] com.alibaba.druid.pool.DruidDataSource - abandon connection, open stackTrace
                \tat java.lang.Thread.getStackTrace(Thread.java:1552)
                \tat com.alibaba.druid.pool.DruidDataSource.getConnectionDirect(DruidDataSource.java:682)
                \tat com.alibaba.druid.pool.DruidDataSource.getConnection(DruidDataSource.java:655)
                \tat com.acme.batch.ImportJob.run(ImportJob.java:57)

                """,
                expects: [Expect(id: "druid.abandon-connection")],
                roots: ["open-stack"], topFrame: "com.acme.batch.ImportJob.run"),

        Fixture(name: "druid timeout logged by Hibernate's SqlExceptionHelper without the exception class",
                text: """
                2019-04-02 11:20:31,517 WARN http-nio-8080-exec-105 org.hibernate.engine.jdbc.spi.SqlExceptionHelper - SQL Error: 0, SQLState: null
                2019-04-02 11:20:31,517 ERROR http-nio-8080-exec-105 org.hibernate.engine.jdbc.spi.SqlExceptionHelper - wait millis 60015, active 2, maxActive 100, creating 1

                """,
                expects: [Expect(id: "druid.get-connection-timeout", fields: ["wait": 60015, "active": 2, "maxActive": 100, "creating": 1])],
                roots: ["-"], firstSeen: epochMillis(2019, 4, 2, 11, 20, 31, 517)),

        Fixture(name: "tomcat-jdbc pool empty, message broken after 'Pool empty.' and no space after the thread",
                text: """
                Caused by: org.apache.tomcat.jdbc.pool.PoolExhaustedException: [https-jsse-nio-8443-exec-9]Timeout: Pool empty.
                Unable to fetch a connection in 30 seconds, none available[size:400; busy:400; idle:0; lastwait:30000].
                \tat org.apache.tomcat.jdbc.pool.ConnectionPool.borrowConnection(ConnectionPool.java:674)
                \tat org.apache.tomcat.jdbc.pool.ConnectionPool.getConnection(ConnectionPool.java:188)
                \tat com.acme.portal.UserDao.find(UserDao.java:30)

                """,
                expects: [Expect(id: "tomcat-jdbc.pool-exhausted", fields: ["seconds": 30, "size": 400, "busy": 400, "idle": 0, "lastwait": 30000],
                                 text: ["thread": "https-jsse-nio-8443-exec-9"])],
                roots: ["org.apache.tomcat.jdbc.pool.PoolExhaustedException"], topFrame: "com.acme.portal.UserDao.find"),

        Fixture(name: "MySQL Too many connections inside a JSON log line's escaped stack_trace",
                text: """
                {"@timestamp":"2019-05-02T10:11:12.345Z","level":"ERROR","logger_name":"com.acme.Ingest","message":"cannot connect","stack_trace":"com.mysql.jdbc.exceptions.jdbc4.MySQLNonTransientConnectionException: Data source rejected establishment of connection,  message from server: \\"Too many connections\\"\\n\\tat com.mysql.jdbc.SQLError.createSQLException(SQLError.java:1015)\\n\\tat com.mysql.jdbc.MysqlIO.doHandshake(MysqlIO.java:1112)\\n\\tat com.acme.Ingest.open(Ingest.java:21)\\n"}

                """,
                expects: [Expect(id: "mysql.too-many-connections")],
                roots: ["com.mysql.jdbc.exceptions.jdbc4.MySQLNonTransientConnectionException"], topFrame: "com.acme.Ingest.open"),

        Fixture(name: "hikari 2.4 leak detection ('for connection …', housekeeper thread of 2.4)",
                text: """
                2016-05-12 09:14:03,221 WARN [Hikari housekeeper (pool HikariPool-0)] com.zaxxer.hikari.pool.LeakTask - Connection leak detection triggered for connection com.mysql.jdbc.JDBC4Connection@5e3c1d2a, stack trace follows
                java.lang.Exception: Apparent connection leak detected
                \tat com.acme.web.ReportServlet.doGet(ReportServlet.java:51)
                \tat javax.servlet.http.HttpServlet.service(HttpServlet.java:622)

                """,
                expects: [Expect(id: "hikari.leak-detection", text: ["connection": "com.mysql.jdbc.JDBC4Connection@5e3c1d2a"])],
                roots: ["open-stack"], topFrame: "com.acme.web.ReportServlet.doGet"),

        Fixture(name: "c3p0 0.9.1 APPARENT DEADLOCK status on one line",
                text: """
                2012-02-21 03:11:09,640 WARN [Timer-0] com.mchange.v2.async.ThreadPoolAsynchronousRunner - com.mchange.v2.async.ThreadPoolAsynchronousRunner$DeadlockDetector@5f2b8c -- APPARENT DEADLOCK!!! Complete Status: [num_managed_threads: 3, num_active: 3; activeTasks: com.mchange.v2.resourcepool.BasicResourcePool$AcquireTask@1a2b3c (com.mchange.v2.async.ThreadPoolAsynchronousRunner$PoolThread-#0)]

                """,
                expects: [Expect(id: "c3p0.apparent-deadlock", fields: ["managedThreads": 3, "activeThreads": 3], text: ["detail": "Complete Status:"])],
                roots: ["-"]),

        Fixture(name: "hikari pool start in Logback's default console layout (time of day, no date)",
                text: """
                14:00:30.182 [main] INFO  com.zaxxer.hikari.HikariDataSource - HikariPool-1 - Starting...
                14:00:30.514 [main] INFO  com.zaxxer.hikari.HikariDataSource - HikariPool-1 - Start completed.
                14:00:32.377 [main] INFO  com.zaxxer.hikari.HikariDataSource - HikariPool-2 - Starting...
                14:00:32.410 [main] INFO  com.zaxxer.hikari.HikariDataSource - HikariPool-2 - Start completed.

                """,
                expects: [Expect(id: "hikari.pool-start", count: 4, text: ["pool": "HikariPool-2", "stage": "Starting..."])],
                roots: ["-"]),

        Fixture(name: "MySQL Too many connections with a server's prefix on every line of the trace",
                text: """
                [15:40:53] [Server thread/INFO]: [Rollback] Enabling Rollback v1.6.5
                [15:40:53] [Server thread/WARN]: java.sql.SQLNonTransientConnectionException: Data source rejected establishment of connection,  message from server: "Too many connections"
                [15:40:53] [Server thread/WARN]: \tat com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:110)
                [15:40:53] [Server thread/WARN]: \tat com.mysql.cj.jdbc.ConnectionImpl.createNewIO(ConnectionImpl.java:833)
                [15:40:53] [Server thread/WARN]: \tat me.acme.rollback.Database.connect(Database.java:48)
                [15:40:54] [Server thread/INFO]: [Rollback] Disabling Rollback v1.6.5

                """,
                expects: [Expect(id: "mysql.too-many-connections")],
                roots: ["java.sql.SQLNonTransientConnectionException"], topFrame: "me.acme.rollback.Database.connect"),

        Fixture(name: "hikari timeout in a JSON log (Logstash encoder, as `kubectl logs` prints it)",
                text: """
                {"@timestamp":"2024-03-05T10:15:29.001+08:00","@version":"1","message":"Started ShopApplication in 7.1 seconds","logger_name":"com.acme.shop.ShopApplication","thread_name":"main","level":"INFO","level_value":20000}
                {"@timestamp":"2024-03-05T10:15:30.123+08:00","@version":"1","message":"Failed to load order 42","logger_name":"com.acme.shop.OrderService","thread_name":"http-nio-8080-exec-3","level":"ERROR","level_value":40000,"stack_trace":"java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30004ms (total=10, active=10, idle=0, waiting=7)\\n\\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)\\n\\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:181)\\n\\tat com.acme.shop.OrderService.load(OrderService.java:42)\\n"}

                """,
                expects: [Expect(id: "hikari.connection-timeout", fields: ["poolNumber": 1, "timeout": 30004, "total": 10, "active": 10, "idle": 0, "waiting": 7])],
                roots: ["java.sql.SQLTransientConnectionException"], topFrame: "com.acme.shop.OrderService.load",
                firstSeen: epochMillis(2024, 3, 5, 2, 15, 30, 123)),
    ]

    // MARK: - negative fixtures

    static let negatives: [(name: String, text: String)] = [
        ("an FTP server's 'Too many connections' is not MySQL's", """
        2023-10-10 16:30:38.123 ERROR 1 --- [   scheduling-1] c.a.ftp.Uploader : upload failed
        java.io.IOException: Error: Too many connections from this IP
        \tat com.acme.ftp.Uploader.connect(Uploader.java:48)
        \tat com.acme.ftp.Uploader.upload(Uploader.java:30)

        """),
        ("a Netty server's 'Too many connections' is not MySQL's", """
        2023-10-10 16:30:38.123 WARN 1 --- [ntLoopGroup-3-1] c.a.gw.Gateway : rejected
        java.lang.IllegalStateException: Too many connections
        \tat io.netty.channel.DefaultChannelPipeline.fireChannelActive(DefaultChannelPipeline.java:225)
        \tat com.acme.gw.ConnectionLimiter.channelActive(ConnectionLimiter.java:19)

        """),
        ("NullPointerException in a lambda (JDK 17 helpful message)", """
        2023-10-10 16:30:38.123 [http-nio-8080-exec-1] ERROR c.a.order.OrderController - place failed
        java.lang.NullPointerException: Cannot invoke "com.acme.order.Item.getPrice()" because "item" is null
        \tat com.acme.order.PriceCalculator.lambda$total$0(PriceCalculator.java:31)
        \tat java.base/java.util.stream.ReferencePipeline$3$1.accept(ReferencePipeline.java:197)
        \tat com.acme.order.PriceCalculator.total(PriceCalculator.java:33)
        \tat com.acme.order.OrderController.place(OrderController.java:52)

        """),
        ("IllegalArgumentException that talks about connections", """
        2023-10-10 16:30:38,123 ERROR [main] com.acme.config.PoolConfigurer: invalid pool settings
        java.lang.IllegalArgumentException: maxActive must be greater than 0 (connection pool 'orders' has maxActive=0, maxWait=60000)
        \tat com.acme.config.PoolConfigurer.validate(PoolConfigurer.java:44)
        \tat com.acme.config.PoolConfigurer.configure(PoolConfigurer.java:20)

        """),
        ("MySQL deadlock (not a pool problem)", """
        2023-10-10 16:30:38.123 ERROR [http-nio-8080-exec-4] c.a.stock.StockService - reserve failed
        org.springframework.dao.DeadlockLoserDataAccessException: PreparedStatementCallback; SQL [update stock set qty = qty - ? where sku = ?]; Deadlock found when trying to get lock; try restarting transaction; nested exception is com.mysql.cj.jdbc.exceptions.MySQLTransactionRollbackException: Deadlock found when trying to get lock; try restarting transaction
        \tat org.springframework.jdbc.support.SQLErrorCodeSQLExceptionTranslator.doTranslate(SQLErrorCodeSQLExceptionTranslator.java:267)
        \tat org.springframework.jdbc.core.JdbcTemplate.update(JdbcTemplate.java:867)
        \tat com.acme.stock.StockDao.decrement(StockDao.java:40)
        Caused by: com.mysql.cj.jdbc.exceptions.MySQLTransactionRollbackException: Deadlock found when trying to get lock; try restarting transaction
        \tat com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:123)
        \tat com.mysql.cj.jdbc.ClientPreparedStatement.executeUpdateInternal(ClientPreparedStatement.java:1061)
        \t... 3 more

        """),
        ("Kafka producer timeouts", """
        2023-10-10 16:30:38.123 ERROR [kafka-producer-network-thread | producer-1] c.a.events.EventPublisher - send failed
        org.apache.kafka.common.errors.TimeoutException: Expiring 12 record(s) for orders-3:120001 ms has passed since batch creation
        2023-10-10 16:30:39.123 ERROR [http-nio-8080-exec-2] c.a.events.EventPublisher - publish failed
        org.springframework.kafka.KafkaException: Send failed; nested exception is org.apache.kafka.common.errors.TimeoutException: Topic orders not present in metadata after 60000 ms.
        \tat org.springframework.kafka.core.KafkaTemplate.doSend(KafkaTemplate.java:666)
        \tat com.acme.events.EventPublisher.publish(EventPublisher.java:30)
        Caused by: org.apache.kafka.common.errors.TimeoutException: Topic orders not present in metadata after 60000 ms.

        """),
        ("okhttp 3 read timeout (JDK 8 socket frames, no JDBC driver)", """
        2023-10-10 16:30:38.123 WARN  [pool-4-thread-2] c.a.pay.GatewayClient - call to gateway failed, retrying
        java.net.SocketTimeoutException: Read timed out
        \tat java.net.SocketInputStream.socketRead0(Native Method)
        \tat java.net.SocketInputStream.socketRead(SocketInputStream.java:116)
        \tat java.net.SocketInputStream.read(SocketInputStream.java:171)
        \tat java.net.SocketInputStream.read(SocketInputStream.java:141)
        \tat okio.Okio$2.read(Okio.java:140)
        \tat okio.AsyncTimeout$2.read(AsyncTimeout.java:237)
        \tat okio.RealBufferedSource.indexOf(RealBufferedSource.java:358)
        \tat okio.RealBufferedSource.readUtf8LineStrict(RealBufferedSource.java:230)
        \tat okhttp3.internal.http1.Http1ExchangeCodec.readHeaderLine(Http1ExchangeCodec.java:242)
        \tat okhttp3.internal.http1.Http1ExchangeCodec.readResponseHeaders(Http1ExchangeCodec.java:213)
        \tat okhttp3.internal.connection.Exchange.readResponseHeaders(Exchange.java:115)
        \tat okhttp3.internal.http.CallServerInterceptor.intercept(CallServerInterceptor.java:94)
        \tat okhttp3.RealCall.execute(RealCall.java:81)
        \tat com.acme.pay.GatewayClient.charge(GatewayClient.java:58)

        """),
        ("okhttp 4 read timeout on JDK 17 (NioSocketImpl frames)", """
        2024-01-10 10:00:00.000 WARN  [DefaultDispatcher-worker-3] c.a.pay.GatewayClient - call failed
        java.net.SocketTimeoutException: Read timed out
        \tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)
        \tat java.base/sun.nio.ch.NioSocketImpl.implRead(NioSocketImpl.java:314)
        \tat java.base/sun.nio.ch.NioSocketImpl.read(NioSocketImpl.java:355)
        \tat java.base/sun.nio.ch.NioSocketImpl$1.read(NioSocketImpl.java:808)
        \tat java.base/java.net.Socket$SocketInputStream.read(Socket.java:966)
        \tat okio.InputStreamSource.read(JvmOkio.kt:94)
        \tat okio.AsyncTimeout$source$1.read(AsyncTimeout.kt:125)
        \tat okio.RealBufferedSource.indexOf(RealBufferedSource.kt:430)
        \tat okhttp3.internal.http1.HeadersReader.readLine(HeadersReader.kt:29)
        \tat com.acme.pay.GatewayClient.charge(GatewayClient.kt:58)

        """),
        ("RestTemplate (Apache HttpClient) read timeout", """
        2023-10-10 16:30:38.123 ERROR [http-nio-8080-exec-9] c.a.crm.SyncService - push failed
        org.springframework.web.client.ResourceAccessException: I/O error on POST request for "https://crm.example.com/api/push": Read timed out; nested exception is java.net.SocketTimeoutException: Read timed out
        \tat org.springframework.web.client.RestTemplate.doExecute(RestTemplate.java:785)
        \tat com.acme.crm.SyncService.push(SyncService.java:71)
        Caused by: java.net.SocketTimeoutException: Read timed out
        \tat java.net.SocketInputStream.socketRead0(Native Method)
        \tat java.net.SocketInputStream.read(SocketInputStream.java:171)
        \tat org.apache.http.impl.io.SessionInputBufferImpl.streamRead(SessionInputBufferImpl.java:137)
        \tat org.apache.http.impl.io.SessionInputBufferImpl.fillBuffer(SessionInputBufferImpl.java:153)
        \tat org.apache.http.impl.conn.DefaultHttpResponseParser.parseHead(DefaultHttpResponseParser.java:138)
        \t... 3 more

        """),
        ("Jedis pool exhausted (commons-pool2 NoSuchElementException, not DBCP)", """
        2023-10-10 16:30:38.123 ERROR [http-nio-8080-exec-3] c.a.cache.CacheService - cache get failed
        redis.clients.jedis.exceptions.JedisConnectionException: Could not get a resource from the pool
        \tat redis.clients.jedis.util.Pool.getResource(Pool.java:84)
        \tat com.acme.cache.CacheService.get(CacheService.java:22)
        Caused by: java.util.NoSuchElementException: Timeout waiting for idle object
        \tat org.apache.commons.pool2.impl.GenericObjectPool.borrowObject(GenericObjectPool.java:451)
        \tat org.apache.commons.pool2.impl.GenericObjectPool.borrowObject(GenericObjectPool.java:365)
        \tat redis.clients.jedis.util.Pool.getResource(Pool.java:75)
        \t... 1 more

        """),
        ("pool configuration dumps at startup", """
        2023-10-10 16:30:38.123 DEBUG [main] com.zaxxer.hikari.HikariConfig - connectionTimeout...............30000
        2023-10-10 16:30:38.123 DEBUG [main] com.zaxxer.hikari.HikariConfig - leakDetectionThreshold..........60000
        2023-10-10 16:30:38.123 DEBUG [main] com.zaxxer.hikari.HikariConfig - maximumPoolSize.................10
        2023-10-10 16:30:38.124 INFO  [main] c.a.Config - druid: maxActive=20, maxWait=60000, removeAbandoned=true, removeAbandonedTimeout=1800, logAbandoned=true
        2023-10-10 16:30:38.125 INFO  [main] c.a.Retry - retryOn=[com.alibaba.druid.pool.GetConnectionTimeoutException, java.net.SocketTimeoutException: Read timed out]

        """),
    ]

    // MARK: - running fixtures

    static let categoryByID: [String: String] = Dictionary(uniqueKeysWithValues: builtinCatalogForTests.patterns.map { ($0.spec.id, $0.spec.category) })

    func testPositiveFixtures() throws {
        XCTAssertGreaterThanOrEqual(Self.positives.count, 30)
        for fx in Self.positives {
            let r = try analyzeText(fx.text)
            let st = r.state
            let name = fx.name
            XCTAssertTrue(r.complete, name)
            let fired = Set(st.patterns.keys)
            XCTAssertEqual(fired, Set(fx.expects.map(\.id)), "\(name): patterns fired")
            for e in fx.expects {
                guard let p = st.patterns[e.id] else { continue }
                XCTAssertEqual(p.count, e.count, "\(name): \(e.id) count")
                for (f, v) in e.fields {
                    XCTAssertEqual(p.fields[f]?.min, v, "\(name): \(e.id).\(f) (got \(p.fields[f].map { "\($0.min)…\($0.max)" } ?? "nothing"))")
                    XCTAssertEqual(p.fields[f]?.max, v, "\(name): \(e.id).\(f)")
                }
                for (f, v) in e.text {
                    let got = p.textFields[f]?.values.keys.sorted() ?? []
                    XCTAssertTrue(got.contains(v), "\(name): \(e.id).\(f) = \(v.debugDescription), got \(got)")
                }
            }
            let primary = fx.expects[0].id
            let sigs = st.signatures.values.filter { $0.patterns.contains(primary) }
            XCTAssertEqual(Set(sigs.map { $0.key.rootCause ?? "-" }), fx.roots, "\(name): root causes")
            XCTAssertEqual(sigs.reduce(0) { $0 + $1.count }, fx.expects[0].count, "\(name): every matching event is in a signature")
            if let top = fx.topFrame {
                let exc = sigs.filter { $0.key.kind == "exception" }
                XCTAssertEqual(exc.count, 1, "\(name)")
                XCTAssertEqual(exc.first?.key.frames.first, top, "\(name): first key frame; why: \(exc.first?.key.why ?? [])")
            }
            if let t = fx.firstSeen {
                XCTAssertEqual(st.patterns[primary]?.firstSeen, t, "\(name): first seen")
            }
        }
    }

    func testNegativeFixturesFireNoPoolOrLimitPattern() throws {
        for (name, text) in Self.negatives {
            let r = try analyzeText(text)
            let fired = r.state.patterns.keys.sorted()
            let incidents = fired.filter { Self.incidentCategories.contains(Self.categoryByID[$0] ?? "") }
            XCTAssertEqual(incidents, [], "\(name): no pool-timeout / db-refused / leak / abandoned pattern")
            XCTAssertEqual(fired, [], "\(name): nothing at all should fire")
            // the exceptions themselves are still clustered
            if text.contains("\tat ") {
                XCTAssertFalse(r.state.signatures.isEmpty, "\(name): the exception is still signed")
            }
        }
    }

    /// `jdbc.socket-read-timeout` means a query outran the driver's socketTimeout; an HTTP
    /// client's read timeout is the same exception class but has nothing to do with the database,
    /// so the pattern requires a JDBC driver frame under the exception.
    func testSocketReadTimeoutNeedsAJDBCDriverFrame() throws {
        let jdbc = """
        2024-01-10 10:00:00.000 ERROR [exec-1] c.a.r.ReportDao - query failed
        org.postgresql.util.PSQLException: An I/O error occurred while sending to the backend.
        \tat org.postgresql.core.v3.QueryExecutorImpl.execute(QueryExecutorImpl.java:395)
        \tat com.acme.report.ReportDao.monthly(ReportDao.java:40)
        Caused by: java.net.SocketTimeoutException: Read timed out
        \tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)
        \tat java.base/sun.nio.ch.NioSocketImpl.implRead(NioSocketImpl.java:314)
        \tat java.base/sun.nio.ch.NioSocketImpl.read(NioSocketImpl.java:355)
        \tat java.base/sun.nio.ch.NioSocketImpl$1.read(NioSocketImpl.java:808)
        \tat java.base/java.net.Socket$SocketInputStream.read(Socket.java:966)
        \tat org.postgresql.core.VisibleBufferedInputStream.readMore(VisibleBufferedInputStream.java:161)
        \tat org.postgresql.core.PGStream.receiveChar(PGStream.java:453)
        \t... 2 more

        """
        let r = try analyzeText(jdbc)
        XCTAssertEqual(r.state.patterns["jdbc.socket-read-timeout"]?.count, 1, "under pgjdbc on JDK 17")
        XCTAssertEqual(r.state.patterns["postgres.io-error"]?.count, 1)
        XCTAssertEqual(r.state.signatures.values.first?.key.rootCause, "java.net.SocketTimeoutException")
        for (name, text) in Self.negatives where text.contains("Read timed out") {
            XCTAssertNil(try analyzeText(text).state.patterns["jdbc.socket-read-timeout"], name)
        }
    }

    // MARK: - samples against their truth

    struct Truth: Decodable {
        var incident_events: [String: Int]
        var incident_times: [String: [String: String]]
        var leak_sites: [String: Int]
        var files: [String: TruthFile]
        struct TruthFile: Decodable {
            var events: Int
            var lines: Int
            var incident_events: [String: Int]
        }
    }

    static func isoMillis(_ s: String) -> Int64 {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return Int64((f.date(from: s)!.timeIntervalSince1970 * 1000).rounded())
    }

    func testSamplesMatchTheirTruth() throws {
        let root = catalogTestsRepoRoot + "/samples"
        let scenarios = try FileManager.default.contentsOfDirectory(atPath: root).filter { !$0.hasPrefix(".") }.sorted()
        XCTAssertEqual(scenarios.count, 5, "\(scenarios)")
        for scenario in scenarios {
            let dir = root + "/" + scenario
            let truth = try JSONDecoder().decode(Truth.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/.truth.json")))
            let (sources, errors) = Discovery.expand([dir])
            XCTAssertEqual(errors, [], scenario)
            let r = Analysis(options: utcOptions(workers: 2), catalog: builtinCatalogForTests).run(sources)
            XCTAssertTrue(r.complete, "\(scenario): \(r.errors)")
            let st = r.state

            // The tool's documented reading where it differs from "text anywhere in the event".
            var expected = truth.incident_events
            if scenario.hasPrefix("002") {
                // `No operations allowed after connection closed` appears here only inside HikariCP's
                // WARN "Failed to validate connection … (No operations allowed after connection
                // closed.). Possibly consider using a shorter maxLifetime value." The catalog reads
                // that as hikari.validation-failed (a stale pooled connection), and
                // jdbc.connection-closed is scoped to exception lines, so it counts 0 here.
                XCTAssertEqual(expected["jdbc.connection-closed"], 5)
                expected["jdbc.connection-closed"] = 0
                XCTAssertEqual(st.patterns["hikari.validation-failed"]?.count, 5, "\(scenario): the 5 validation WARNs")
                XCTAssertEqual(st.patterns["hikari.validation-failed"]?.fields["poolNumber"].map { $0.count }, 5)
            }
            for (id, n) in expected.sorted(by: { $0.key < $1.key }) {
                XCTAssertEqual(st.patterns[id]?.count ?? 0, n, "\(scenario): \(id)")
                // first and last time of each id the truth dates
                if n > 0, let times = truth.incident_times[id], let first = times["first"], let last = times["last"] {
                    XCTAssertEqual(st.patterns[id]?.firstSeen, Self.isoMillis(first), "\(scenario): \(id) first seen")
                    XCTAssertEqual(st.patterns[id]?.lastSeen, Self.isoMillis(last), "\(scenario): \(id) last seen")
                }
            }
            // per file: the same counts, and the framing the truth was counted with
            for (rel, tf) in truth.files.sorted(by: { $0.key < $1.key }) {
                guard let fr = r.files.first(where: { $0.path == dir + "/" + rel }) else {
                    XCTFail("\(scenario): \(rel) was not read")
                    continue
                }
                XCTAssertEqual(fr.events, tf.events, "\(scenario)/\(rel): events")
                let one = Analysis(options: utcOptions(), catalog: builtinCatalogForTests).run([InputSource(path: fr.path)])
                for (id, n) in tf.incident_events where !(scenario.hasPrefix("002") && id == "jdbc.connection-closed") {
                    XCTAssertEqual(one.state.patterns[id]?.count ?? 0, n, "\(scenario)/\(rel): \(id)")
                }
            }
            // leak sites: the abandoned traces cluster by the code that borrowed the connection
            if !truth.leak_sites.isEmpty {
                var sites: [String: Int] = [:]
                for s in st.signatures.values where s.key.rootCause == "open-stack" {
                    sites[s.key.frames.first ?? "?", default: 0] += s.count
                }
                XCTAssertEqual(sites, truth.leak_sites, "\(scenario): leak sites")
            }
        }
    }
}

import XCTest
@testable import StackSift

final class ExceptionParserTests: XCTestCase {

    // MARK: helpers

    private func parse(_ s: String, file: StaticString = #filePath, line: UInt = #line) -> ExceptionChain {
        guard let c = ExceptionParser.parse(s) else {
            XCTFail("expected an exception chain", file: file, line: line)
            return ExceptionChain(throwables: [])
        }
        return c
    }

    private func classes(_ c: ExceptionChain) -> [String] { c.throwables.map(\.className) }

    // MARK: - Druid + PostgreSQL (seed 001 shape)

    /// The analyzer parses with a cache of frame lines shared by every trace it sees; a chain
    /// must come out the same as without one. The fault corpus's traces (four layouts, jar
    /// suffixes, module prefixes, lambdas, proxies, the same frames in many traces) and each
    /// of this file's fixtures, parsed in one stream through one cache.
    func testFrameCacheChangesNoChain() {
        var texts: [String] = []
        for f in ClusteringTests.corpus.files {
            var event = ""
            for line in f.text.split(separator: "\n", omittingEmptySubsequences: false) {
                if let c = line.first, c.isNumber || c == "[", !event.isEmpty {
                    texts.append(event)
                    event = ""
                }
                event += (event.isEmpty ? "" : "\n") + line
            }
            texts.append(event)
        }
        // the same frames run together with a cause, behind a prefix and with a lost tab
        texts.append("boom\njava.lang.IllegalStateException: x\n\tat com.a.B.c(B.java:1) Caused by: java.sql.SQLException: y\n\tat com.a.B.c(B.java:1)")
        texts.append("[stdout] boom\n[stdout] java.lang.IllegalStateException: x\n[stdout] \tat com.a.B.c(B.java:1)\n[stdout] \tat com.a.B.d(B.java:2)")
        texts.append("boom\njava.lang.IllegalStateException: x\nat com.a.B.c(B.java:1)\nat com.a.B.d(B.java:2)")
        let cache = FrameCache()
        var chains = 0
        for (i, t) in texts.enumerated() {
            let plain = ExceptionParser.parse(t)
            XCTAssertEqual(ExceptionParser.parse(t, frames: cache), plain, "event \(i)")
            if plain != nil { chains += 1 }
        }
        XCTAssertGreaterThan(chains, 100)
    }

    func testDruidTimeoutCausedByPSQLWithMergedCauseLine() {
        let event = """
        2023-10-10 16:30:38.123 [http-nio-8080-exec-1] ERROR c.a.OrderController - place failed
        com.alibaba.druid.pool.GetConnectionTimeoutException: wait millis 5000, active 0, maxActive 30, creating 0, createErrorCount 13047 
        \tat com.alibaba.druid.pool.DruidDataSource.getConnectionInternal(DruidDataSource.java:1773) 
        \tat com.alibaba.druid.pool.DruidDataSource.getConnectionDirect(DruidDataSource.java:1427) 
        \tat com.alibaba.druid.filter.FilterChainImpl.dataSource_connect(FilterChainImpl.java:5059) 
        \tat org.springframework.jdbc.datasource.DataSourceTransactionManager.doBegin(DataSourceTransactionManager.java:204) 
        \t... ...//省略的栈帧
        \tat java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1142) 
        \tat java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:617) 
        at java.lang.Thread.run(Thread.java:745) Caused by: org.postgresql.util.PSQLException: FATAL: remaining connection slots are reserved for non-replication superuser connections 
        \tat org.postgresql.core.v3.ConnectionFactoryImpl.doAuthentication(ConnectionFactoryImpl.java:693) 
        \tat org.postgresql.core.v3.ConnectionFactoryImpl.tryConnect(ConnectionFactoryImpl.java:203) 
        \tat org.postgresql.jdbc.PgConnection.<init>(PgConnection.java:263) 
        \tat com.alibaba.druid.pool.DruidAbstractDataSource.createPhysicalConnection(DruidAbstractDataSource.java:1659) 
        \tat com.alibaba.druid.pool.DruidDataSource$CreateConnectionThread.run(DruidDataSource.java:2838) 
        """
        let c = parse(event)
        XCTAssertEqual(classes(c), ["com.alibaba.druid.pool.GetConnectionTimeoutException", "org.postgresql.util.PSQLException"])
        let outer = c.throwables[0]
        XCTAssertEqual(outer.message, "wait millis 5000, active 0, maxActive 30, creating 0, createErrorCount 13047")
        XCTAssertEqual(outer.frames.count, 7)
        XCTAssertEqual(outer.frames.last, StackFrame(className: "java.lang.Thread", method: "run", file: "Thread.java", line: 745))
        XCTAssertEqual(outer.frames[5].className, "java.util.concurrent.ThreadPoolExecutor$Worker")
        let root = c.rootCause!
        XCTAssertEqual(root.simpleName, "PSQLException")
        XCTAssertEqual(root.message, "FATAL: remaining connection slots are reserved for non-replication superuser connections")
        XCTAssertEqual(root.frames.count, 5)
        XCTAssertEqual(root.frames[2].method, "<init>")
        XCTAssertEqual(root.frames[2].className, "org.postgresql.jdbc.PgConnection")
        XCTAssertEqual(root.frames[4].className, "com.alibaba.druid.pool.DruidDataSource$CreateConnectionThread")
        XCTAssertNil(c.openStack)
    }

    // MARK: - DBCP 1.x + Hibernate (seed 003 shape: fragment starting with "...", 4-space indentation)

    func testDbcpHibernateChainFromFragment() {
        let event = """
        ...
        Caused by: org.hibernate.exception.GenericJDBCException: Could not open connection
            at org.hibernate.exception.internal.StandardSQLExceptionConverter.convert(StandardSQLExceptionConverter.java:54)
            at org.hibernate.engine.jdbc.spi.SqlExceptionHelper.convert(SqlExceptionHelper.java:125)
            at org.springframework.orm.hibernate4.HibernateTransactionManager.doBegin(HibernateTransactionManager.java:426)
            ... 9 more
        Caused by: org.apache.commons.dbcp.SQLNestedException: Cannot get a connection, pool error Timeout waiting for idle object
            at org.apache.commons.dbcp.PoolingDataSource.getConnection(PoolingDataSource.java:114)
            at org.apache.commons.dbcp.BasicDataSource.getConnection(BasicDataSource.java:1044)
            at org.hibernate.internal.AbstractSessionImpl$NonContextualJdbcConnectionAccess.obtainConnection(AbstractSessionImpl.java:292)
            ... 12 more
        Caused by: java.util.NoSuchElementException: Timeout waiting for idle object
            at org.apache.commons.pool.impl.GenericObjectPool.borrowObject(GenericObjectPool.java:1174)
            at org.apache.commons.dbcp.PoolingDataSource.getConnection(PoolingDataSource.java:106)
            ... 16 more
        """
        let c = parse(event)
        XCTAssertEqual(classes(c), ["org.hibernate.exception.GenericJDBCException",
                                    "org.apache.commons.dbcp.SQLNestedException",
                                    "java.util.NoSuchElementException"])
        XCTAssertEqual(c.throwables.map(\.framesOmitted), [9, 12, 16])
        XCTAssertEqual(c.throwables.map { $0.frames.count }, [3, 3, 2])
        XCTAssertEqual(c.rootCause?.message, "Timeout waiting for idle object")
        XCTAssertEqual(c.throwables[1].message, "Cannot get a connection, pool error Timeout waiting for idle object")
        XCTAssertEqual(c.throwables[1].frames[2].className, "org.hibernate.internal.AbstractSessionImpl$NonContextualJdbcConnectionAccess")
    }

    func testDbcp1FullChainWithLogHeader() {
        let event = """
        2015-03-02 10:12:44,512 ERROR [http-bio-8080-exec-23] org.hibernate.engine.jdbc.spi.SqlExceptionHelper: Could not open connection
        org.springframework.transaction.CannotCreateTransactionException: Could not open Hibernate Session for transaction; nested exception is org.hibernate.exception.GenericJDBCException: Could not open connection
        \tat org.springframework.orm.hibernate4.HibernateTransactionManager.doBegin(HibernateTransactionManager.java:544)
        \tat org.springframework.transaction.support.AbstractPlatformTransactionManager.getTransaction(AbstractPlatformTransactionManager.java:373)
        Caused by: org.hibernate.exception.GenericJDBCException: Could not open connection
        \tat org.hibernate.exception.internal.StandardSQLExceptionConverter.convert(StandardSQLExceptionConverter.java:54)
        \t... 2 more
        Caused by: org.apache.commons.dbcp.SQLNestedException: Cannot get a connection, pool error Timeout waiting for idle object
        \tat org.apache.commons.dbcp.PoolingDataSource.getConnection(PoolingDataSource.java:114)
        \t... 3 more
        Caused by: java.util.NoSuchElementException: Timeout waiting for idle object
        \tat org.apache.commons.pool.impl.GenericObjectPool.borrowObject(GenericObjectPool.java:1174)
        \t... 4 more
        """
        let c = parse(event)
        // nested GenericJDBCException is given by a Caused by: no duplicate
        XCTAssertEqual(c.throwables.map(\.simpleName),
                       ["CannotCreateTransactionException", "GenericJDBCException", "SQLNestedException", "NoSuchElementException"])
        XCTAssertEqual(c.throwables[0].message, "Could not open Hibernate Session for transaction; nested exception is org.hibernate.exception.GenericJDBCException: Could not open connection")
        XCTAssertEqual(c.rootCause?.framesOmitted, 4)
    }

    // MARK: - HikariCP + Logback jar suffixes

    func testHikariTimeoutWithLogbackJarSuffixes() {
        let event = """
        2023-10-10 16:30:38.123 [http-nio-8080-exec-7] ERROR o.a.c.c.C.[.[.[/].[dispatcherServlet] - Servlet.service() for servlet [dispatcherServlet] in context with path [] threw exception [Request processing failed; nested exception is org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection; nested exception is java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms.] with root cause
        java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms.
        \tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696) ~[HikariCP-4.0.3.jar:na]
        \tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:197) ~[HikariCP-4.0.3.jar:na]
        \tat com.zaxxer.hikari.HikariDataSource.getConnection(HikariDataSource.java:128) ~[HikariCP-4.0.3.jar:na]
        \tat org.springframework.jdbc.datasource.DataSourceUtils.fetchConnection(DataSourceUtils.java:159) [spring-jdbc-5.3.20.jar:5.3.20]
        \tat com.acme.order.OrderService.place(OrderService.java:88) ~[classes/:na]
        \tat java.lang.Thread.run(Thread.java:748) [na:1.8.0_292]
        """
        let c = parse(event)
        XCTAssertEqual(classes(c), ["java.sql.SQLTransientConnectionException"])
        let t = c.throwables[0]
        XCTAssertEqual(t.message, "HikariPool-1 - Connection is not available, request timed out after 30000ms.")
        XCTAssertEqual(t.frames.count, 6)
        XCTAssertEqual(t.frames[0].jar, "~[HikariCP-4.0.3.jar:na]")
        XCTAssertEqual(t.frames[0].line, 696)
        XCTAssertEqual(t.frames[3].jar, "[spring-jdbc-5.3.20.jar:5.3.20]")
        XCTAssertEqual(t.frames[4], StackFrame(className: "com.acme.order.OrderService", method: "place",
                                               file: "OrderService.java", line: 88, jar: "~[classes/:na]"))
        XCTAssertEqual(t.frames[5].jar, "[na:1.8.0_292]")
    }

    func testLogbackCommonFramesOmittedAndSpringWrapper() {
        let event = """
        2023-10-10 16:30:38.123 [http-nio-8080-exec-7] ERROR c.a.OrderController - place failed
        org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection; nested exception is java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30005ms.
        \tat org.springframework.jdbc.datasource.DataSourceUtils.getConnection(DataSourceUtils.java:83) ~[spring-jdbc-5.3.20.jar:5.3.20]
        \tat org.springframework.jdbc.core.JdbcTemplate.execute(JdbcTemplate.java:646) ~[spring-jdbc-5.3.20.jar:5.3.20]
        \tat com.acme.order.OrderRepository.find(OrderRepository.java:41) ~[classes/:na]
        Caused by: java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30005ms.
        \tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:695) ~[HikariCP-4.0.3.jar:?]
        \tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:197) ~[HikariCP-4.0.3.jar:?]
        \t... 87 common frames omitted
        """
        let c = parse(event)
        XCTAssertEqual(classes(c), ["org.springframework.jdbc.CannotGetJdbcConnectionException",
                                    "java.sql.SQLTransientConnectionException"])
        XCTAssertEqual(c.rootCause?.framesOmitted, 87)
        XCTAssertEqual(c.rootCause?.frames.count, 2)
        XCTAssertEqual(c.rootCause?.frames[0].jar, "~[HikariCP-4.0.3.jar:?]")
        XCTAssertEqual(c.outermost?.framesOmitted, 0)
        XCTAssertEqual(c.outermost?.frames.count, 3)
    }

    // MARK: - JDK 9+ frame spellings

    func testJdk17ModulesLambdasAndNotes() {
        let event = """
        2023-10-10T16:30:38.123+08:00 ERROR 1 --- [main] com.acme.App : boom
        java.sql.SQLException: Connection is closed
        \tat java.sql/java.sql.DriverManager.getConnection(DriverManager.java:681)
        \tat java.sql@17.0.2/java.sql.DriverManager.getConnection(DriverManager.java:229)
        \tat app//com.acme.order.OrderService.lambda$place$3(OrderService.java:52)
        \tat com.acme.order.OrderService$$Lambda$1234/0x0000000800c0b448.accept(Unknown Source)
        \tat com.acme.order.OrderService$$Lambda$30/2081171245.apply(Unknown Source)
        \tat java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke0(Native Method)
        \tat com.acme.order.OrderService$$EnhancerBySpringCGLIB$$7f1c2a.place(<generated>)
        \tat java.base/java.lang.Thread.run(Thread.java:833) ~[?:?]
        \tat Main.main(Main.java)
        """
        let c = parse(event)
        let f = c.throwables[0].frames
        XCTAssertEqual(f.count, 9)
        XCTAssertEqual(f[0], StackFrame(className: "java.sql.DriverManager", method: "getConnection", file: "DriverManager.java", line: 681, module: "java.sql"))
        XCTAssertEqual(f[1].module, "java.sql@17.0.2")
        XCTAssertEqual(f[2], StackFrame(className: "com.acme.order.OrderService", method: "lambda$place$3", file: "OrderService.java", line: 52, module: "app//"))
        XCTAssertEqual(f[3], StackFrame(className: "com.acme.order.OrderService$$Lambda$1234/0x0000000800c0b448", method: "accept", note: "Unknown Source"))
        XCTAssertEqual(f[4].className, "com.acme.order.OrderService$$Lambda$30/2081171245")
        XCTAssertNil(f[4].module)
        XCTAssertEqual(f[5], StackFrame(className: "jdk.internal.reflect.NativeMethodAccessorImpl", method: "invoke0", note: "Native Method", module: "java.base"))
        XCTAssertEqual(f[6].note, "<generated>")
        XCTAssertNil(f[6].file)
        XCTAssertEqual(f[7], StackFrame(className: "java.lang.Thread", method: "run", file: "Thread.java", line: 833, module: "java.base", jar: "~[?:?]"))
        XCTAssertEqual(f[8], StackFrame(className: "Main", method: "main", file: "Main.java"))
    }

    // MARK: - MySQL Connector/J

    func testMySQL8CommunicationsLinkFailureMultilineMessage() {
        let event = """
        2023-10-10 16:30:38,123 ERROR [pool-3-thread-1] com.acme.job.SyncJob: sync failed
        com.mysql.cj.jdbc.exceptions.CommunicationsException: Communications link failure

        The last packet successfully received from the server was 1,001 milliseconds ago. The last packet sent successfully to the server was 1,002 milliseconds ago.
        \tat com.mysql.cj.jdbc.exceptions.SQLError.createCommunicationsException(SQLError.java:174)
        \tat com.mysql.cj.jdbc.exceptions.SQLExceptionsMapping.translateException(SQLExceptionsMapping.java:64)
        \tat com.mysql.cj.jdbc.ClientPreparedStatement.executeInternal(ClientPreparedStatement.java:953)
        Caused by: com.mysql.cj.exceptions.CJCommunicationsException: Communications link failure

        The last packet successfully received from the server was 1,001 milliseconds ago. The last packet sent successfully to the server was 1,002 milliseconds ago.
        \tat java.base/jdk.internal.reflect.NativeConstructorAccessorImpl.newInstance0(Native Method)
        \tat com.mysql.cj.exceptions.ExceptionFactory.createException(ExceptionFactory.java:61)
        \t... 3 more
        Caused by: java.net.SocketTimeoutException: Read timed out
        \tat java.base/java.net.SocketInputStream.socketRead0(Native Method)
        \tat java.base/java.net.SocketInputStream.read(SocketInputStream.java:168)
        \t... 5 more
        """
        let c = parse(event)
        XCTAssertEqual(c.throwables.map(\.simpleName), ["CommunicationsException", "CJCommunicationsException", "SocketTimeoutException"])
        let msg = "Communications link failure\n\nThe last packet successfully received from the server was 1,001 milliseconds ago. The last packet sent successfully to the server was 1,002 milliseconds ago."
        XCTAssertEqual(c.throwables[0].message, msg)
        XCTAssertEqual(c.throwables[1].message, msg)
        XCTAssertEqual(c.throwables.map { $0.frames.count }, [3, 2, 2])
        XCTAssertEqual(c.rootCause?.message, "Read timed out")
        XCTAssertEqual(c.rootCause?.frames[0].note, "Native Method")
        XCTAssertEqual(c.rootCause?.frames[0].module, "java.base")
    }

    func testMySQL5CommunicationsExceptionSecondLine() {
        let event = """
        2019-06-01 03:12:09 [ERROR] [pool-1-thread-4] com.acme.dao.BaseDao - query failed
        com.mysql.jdbc.exceptions.jdbc4.CommunicationsException: Communications link failure
        The last packet successfully received from the server was 1,001 milliseconds ago.  The last packet sent successfully to the server was 1,001 milliseconds ago.
        \tat sun.reflect.NativeConstructorAccessorImpl.newInstance0(Native Method)
        \tat sun.reflect.NativeConstructorAccessorImpl.newInstance(NativeConstructorAccessorImpl.java:62)
        \tat com.mysql.jdbc.Util.handleNewInstance(Util.java:425)
        \tat com.mysql.jdbc.SQLError.createCommunicationsException(SQLError.java:990)
        \tat com.mysql.jdbc.MysqlIO.reuseAndReadPacket(MysqlIO.java:3562)
        Caused by: java.net.SocketTimeoutException: Read timed out
        \tat java.net.SocketInputStream.socketRead0(Native Method)
        \tat java.net.SocketInputStream.read(SocketInputStream.java:171)
        \tat com.mysql.jdbc.util.ReadAheadInputStream.fill(ReadAheadInputStream.java:101)
        \t... 36 more
        """
        let c = parse(event)
        XCTAssertEqual(c.outermost?.className, "com.mysql.jdbc.exceptions.jdbc4.CommunicationsException")
        XCTAssertEqual(c.outermost?.message, "Communications link failure\nThe last packet successfully received from the server was 1,001 milliseconds ago.  The last packet sent successfully to the server was 1,001 milliseconds ago.")
        XCTAssertEqual(c.outermost?.frames.count, 5)
        XCTAssertEqual(c.outermost?.frames[0], StackFrame(className: "sun.reflect.NativeConstructorAccessorImpl", method: "newInstance0", note: "Native Method"))
        XCTAssertEqual(c.rootCause?.className, "java.net.SocketTimeoutException")
        XCTAssertEqual(c.rootCause?.framesOmitted, 36)
    }

    func testMySQLTooManyConnections() {
        let event = """
        2023-10-10 16:30:38.123 [Druid-ConnectionPool-Create-1290163434] ERROR c.a.druid.pool.DruidDataSource - create connection SQLException, url: jdbc:mysql://10.0.0.5:3306/ds, errorCode 1040, state 08004
        com.mysql.jdbc.exceptions.jdbc4.MySQLNonTransientConnectionException: Data source rejected establishment of connection,  message from server: "Too many connections"
        \tat sun.reflect.GeneratedConstructorAccessor44.newInstance(Unknown Source)
        \tat sun.reflect.DelegatingConstructorAccessorImpl.newInstance(DelegatingConstructorAccessorImpl.java:45)
        \tat com.mysql.jdbc.MysqlIO.doHandshake(MysqlIO.java:1112)
        \tat com.alibaba.druid.pool.DruidAbstractDataSource.createPhysicalConnection(DruidAbstractDataSource.java:1659)
        \tat com.alibaba.druid.pool.DruidDataSource$CreateConnectionThread.run(DruidDataSource.java:2838)
        """
        let c = parse(event)
        XCTAssertEqual(c.throwables.count, 1)
        XCTAssertEqual(c.outermost?.simpleName, "MySQLNonTransientConnectionException")
        XCTAssertEqual(c.outermost?.message, #"Data source rejected establishment of connection,  message from server: "Too many connections""#)
        XCTAssertEqual(c.outermost?.frames[0].note, "Unknown Source")
        XCTAssertEqual(c.outermost?.frames[0].className, "sun.reflect.GeneratedConstructorAccessor44")
    }

    func testMySQLDeadlockWithMyBatisAndSpring() {
        let event = """
        2023-10-10 16:30:38.123 [http-nio-8080-exec-2] ERROR c.a.StockService - deduct failed
        org.springframework.dao.DeadlockLoserDataAccessException: 
        ### Error updating database.  Cause: com.mysql.cj.jdbc.exceptions.MySQLTransactionRollbackException: Deadlock found when trying to get lock; try restarting transaction
        ### The error may exist in file [/app/mapper/StockMapper.xml]
        ### The error may involve com.acme.stock.StockMapper.deduct-Inline
        ### The error occurred while setting parameters
        ### SQL: update stock set qty = qty - ? where sku = ?
        ### Cause: com.mysql.cj.jdbc.exceptions.MySQLTransactionRollbackException: Deadlock found when trying to get lock; try restarting transaction
        ; Deadlock found when trying to get lock; try restarting transaction; nested exception is com.mysql.cj.jdbc.exceptions.MySQLTransactionRollbackException: Deadlock found when trying to get lock; try restarting transaction
        \tat org.springframework.jdbc.support.SQLErrorCodeSQLExceptionTranslator.doTranslate(SQLErrorCodeSQLExceptionTranslator.java:267)
        \tat org.mybatis.spring.MyBatisExceptionTranslator.translateExceptionIfPossible(MyBatisExceptionTranslator.java:88)
        \tat com.sun.proxy.$Proxy98.update(Unknown Source)
        Caused by: com.mysql.cj.jdbc.exceptions.MySQLTransactionRollbackException: Deadlock found when trying to get lock; try restarting transaction
        \tat com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:123)
        \tat com.mysql.cj.jdbc.ClientPreparedStatement.execute(ClientPreparedStatement.java:370)
        \t... 12 common frames omitted
        """
        let c = parse(event)
        XCTAssertEqual(classes(c), ["org.springframework.dao.DeadlockLoserDataAccessException",
                                    "com.mysql.cj.jdbc.exceptions.MySQLTransactionRollbackException"])
        XCTAssertTrue(c.outermost!.message.hasPrefix("### Error updating database.  Cause: com.mysql.cj.jdbc.exceptions.MySQLTransactionRollbackException"))
        XCTAssertTrue(c.outermost!.message.contains("\n### SQL: update stock set qty = qty - ? where sku = ?\n"))
        XCTAssertEqual(c.outermost?.frames.count, 3)
        XCTAssertEqual(c.outermost?.frames[2].className, "com.sun.proxy.$Proxy98")
        XCTAssertEqual(c.rootCause?.message, "Deadlock found when trying to get lock; try restarting transaction")
        XCTAssertEqual(c.rootCause?.framesOmitted, 12)
    }

    func testMySQLDeadlockPlain() {
        let event = """
        com.mysql.cj.jdbc.exceptions.MySQLTransactionRollbackException: Deadlock found when trying to get lock; try restarting transaction
        \tat com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:123)
        \tat com.mysql.cj.jdbc.exceptions.SQLExceptionsMapping.translateException(SQLExceptionsMapping.java:122)
        """
        let c = parse(event)
        XCTAssertEqual(c.throwables.count, 1)
        XCTAssertEqual(c.rootCause?.simpleName, "MySQLTransactionRollbackException")
        XCTAssertEqual(c.rootCause?.message, "Deadlock found when trying to get lock; try restarting transaction")
        XCTAssertEqual(c.rootCause?.frames.count, 2)
    }

    // MARK: - PostgreSQL, Oracle, Tomcat JDBC, c3p0

    func testPostgresTooManyClients() {
        let event = """
        2023-10-10 16:30:38.123 WARN  [HikariPool-1 connection adder] com.zaxxer.hikari.pool.PoolBase - HikariPool-1 - Pool is empty, failed to create/setup connection
        org.postgresql.util.PSQLException: FATAL: sorry, too many clients already
        \tat org.postgresql.core.v3.ConnectionFactoryImpl.doAuthentication(ConnectionFactoryImpl.java:646)
        \tat org.postgresql.core.v3.ConnectionFactoryImpl.tryConnect(ConnectionFactoryImpl.java:180)
        \tat org.postgresql.Driver.connect(Driver.java:285)
        \tat com.zaxxer.hikari.util.DriverDataSource.getConnection(DriverDataSource.java:138)
        """
        let c = parse(event)
        XCTAssertEqual(c.rootCause?.className, "org.postgresql.util.PSQLException")
        XCTAssertEqual(c.rootCause?.message, "FATAL: sorry, too many clients already")
        XCTAssertEqual(c.rootCause?.frames.count, 4)
    }

    func testOracleListenerRefusedMultilineMessage() {
        let event = """
        2023-10-10 16:30:38.123 [main] ERROR o.a.t.j.pool.ConnectionPool - Unable to create initial connections of pool.
        java.sql.SQLException: Listener refused the connection with the following error:
        ORA-12519, TNS:no appropriate service handler found
         
        \tat oracle.jdbc.driver.T4CConnection.logon(T4CConnection.java:743)
        \tat oracle.jdbc.driver.PhysicalConnection.connect(PhysicalConnection.java:666)
        \tat org.apache.tomcat.jdbc.pool.PooledConnection.connectUsingDriver(PooledConnection.java:319)
        Caused by: oracle.net.ns.NetException: Listener refused the connection with the following error:
        ORA-12519, TNS:no appropriate service handler found
         
        \tat oracle.net.ns.NSProtocolStream.negotiateConnection(NSProtocolStream.java:284)
        \t... 42 more
        """
        let c = parse(event)
        XCTAssertEqual(classes(c), ["java.sql.SQLException", "oracle.net.ns.NetException"])
        XCTAssertEqual(c.outermost?.message, "Listener refused the connection with the following error:\nORA-12519, TNS:no appropriate service handler found")
        XCTAssertEqual(c.rootCause?.message, "Listener refused the connection with the following error:\nORA-12519, TNS:no appropriate service handler found")
        XCTAssertEqual(c.outermost?.frames.count, 3)
        XCTAssertEqual(c.rootCause?.framesOmitted, 42)
    }

    func testOracleMaxProcesses() {
        let event = """
        java.sql.SQLException: ORA-00020: maximum number of processes (300) exceeded
        \tat oracle.jdbc.driver.T4CTTIoer.processError(T4CTTIoer.java:450)
        \tat oracle.jdbc.driver.T4CTTIoauthenticate.receiveOauth(T4CTTIoauthenticate.java:782)
        """
        let c = parse(event)
        XCTAssertEqual(c.outermost?.message, "ORA-00020: maximum number of processes (300) exceeded")
        XCTAssertEqual(c.outermost?.frames.count, 2)
    }

    func testTomcatJdbcPoolExhausted() {
        let event = """
        10-Oct-2023 16:30:38.123 SEVERE [http-nio-8080-exec-5] org.apache.catalina.core.StandardWrapperValve.invoke Servlet.service() for servlet [dispatcher] threw exception
        org.apache.tomcat.jdbc.pool.PoolExhaustedException: [http-nio-8080-exec-5] Timeout: Pool empty. Unable to fetch a connection in 30 seconds, none available[size:100; busy:100; idle:0; lastwait:30000].
        \tat org.apache.tomcat.jdbc.pool.ConnectionPool.borrowConnection(ConnectionPool.java:714)
        \tat org.apache.tomcat.jdbc.pool.ConnectionPool.getConnection(ConnectionPool.java:198)
        \tat org.apache.tomcat.jdbc.pool.DataSourceProxy.getConnection(DataSourceProxy.java:132)
        """
        let c = parse(event)
        XCTAssertEqual(c.outermost?.simpleName, "PoolExhaustedException")
        XCTAssertEqual(c.outermost?.message, "[http-nio-8080-exec-5] Timeout: Pool empty. Unable to fetch a connection in 30 seconds, none available[size:100; busy:100; idle:0; lastwait:30000].")
        XCTAssertEqual(c.outermost?.frames.count, 3)
        XCTAssertNil(c.openStack)
    }

    func testC3p0CheckoutTimeout() {
        let event = """
        2023-10-10 16:30:38,123 WARN [http-nio-8080-exec-9] org.hibernate.engine.jdbc.spi.SqlExceptionHelper - SQL Error: 0, SQLState: null
        java.sql.SQLException: An attempt by a client to checkout a Connection has timed out.
        \tat com.mchange.v2.sql.SqlUtils.toSQLException(SqlUtils.java:118)
        \tat com.mchange.v2.c3p0.impl.C3P0PooledConnectionPool.checkoutPooledConnection(C3P0PooledConnectionPool.java:690)
        \tat com.mchange.v2.c3p0.impl.AbstractPoolBackedDataSource.getConnection(AbstractPoolBackedDataSource.java:140)
        Caused by: com.mchange.v2.resourcepool.TimeoutException: A client timed out while waiting to acquire a resource from com.mchange.v2.resourcepool.BasicResourcePool@6d5c4a1 -- timeout at awaitAvailable()
        \tat com.mchange.v2.resourcepool.BasicResourcePool.awaitAvailable(BasicResourcePool.java:1467)
        \tat com.mchange.v2.resourcepool.BasicResourcePool.prelimCheckoutResource(BasicResourcePool.java:644)
        \t... 64 more
        """
        let c = parse(event)
        XCTAssertEqual(classes(c), ["java.sql.SQLException", "com.mchange.v2.resourcepool.TimeoutException"])
        XCTAssertEqual(c.rootCause?.message, "A client timed out while waiting to acquire a resource from com.mchange.v2.resourcepool.BasicResourcePool@6d5c4a1 -- timeout at awaitAvailable()")
        XCTAssertEqual(c.rootCause?.framesOmitted, 64)
    }

    // MARK: - Lost indentation, typos, bare cause headers

    func testLostIndentation() {
        let event = """
        2023-10-10 16:30:38.123 [main] ERROR com.acme.App - failed
        org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection
        at org.springframework.jdbc.datasource.DataSourceUtils.getConnection(DataSourceUtils.java:83)
        at org.springframework.jdbc.core.JdbcTemplate.execute(JdbcTemplate.java:646)
        Caused by: com.alibaba.druid.pool.GetConnectionTimeoutException: wait millis 5000, active 30, maxActive 30, creating 0
        at com.alibaba.druid.pool.DruidDataSource.getConnectionInternal(DruidDataSource.java:1512)
          at com.alibaba.druid.pool.DruidDataSource.getConnectionDirect(DruidDataSource.java:1255)
        ... 10 more
        """
        let c = parse(event)
        XCTAssertEqual(classes(c), ["org.springframework.jdbc.CannotGetJdbcConnectionException",
                                    "com.alibaba.druid.pool.GetConnectionTimeoutException"])
        XCTAssertEqual(c.outermost?.frames.count, 2)
        XCTAssertEqual(c.rootCause?.frames.count, 2)
        XCTAssertEqual(c.rootCause?.frames[1].method, "getConnectionDirect")
        XCTAssertEqual(c.rootCause?.framesOmitted, 10)
        XCTAssertEqual(c.rootCause?.message, "wait millis 5000, active 30, maxActive 30, creating 0")
    }

    func testTypoCausedByAndMissingSpace() {
        let event = """
        2023-10-10 16:30:38.123 [main] ERROR com.acme.App - failed
        org.hibernate.exception.JDBCConnectionException: Unable to acquire JDBC Connection
        \tat org.hibernate.exception.internal.SQLStateConversionDelegate.convert(SQLStateConversionDelegate.java:112)
        Casued by: java.sql.SQLTransientConnectionException: HikariPool-2 - Connection is not available, request timed out after 30000ms.
        \tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)
        \t... 3 more
        Caused by:java.sql.SQLNonTransientConnectionException: Could not create connection to database server.
        \tat com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:110)
        caused by: com.mysql.cj.exceptions.CJException: Too many connections
        \tat com.mysql.cj.protocol.a.NativeProtocol.rejectConnection(NativeProtocol.java:727)
        """
        let c = parse(event)
        XCTAssertEqual(c.throwables.map(\.simpleName), ["JDBCConnectionException", "SQLTransientConnectionException",
                                                        "SQLNonTransientConnectionException", "CJException"])
        XCTAssertEqual(c.throwables[2].message, "Could not create connection to database server.")
        XCTAssertEqual(c.rootCause?.message, "Too many connections")
        XCTAssertEqual(c.throwables[1].framesOmitted, 3)
    }

    func testBareCauseHeaderDirectlyAfterFrames() {
        let event = """
        2023-10-10 16:30:38.123 [main] ERROR com.acme.App - failed
        org.springframework.dao.DataAccessResourceFailureException: could not obtain connection
        \tat org.springframework.orm.jpa.vendor.HibernateJpaDialect.convertHibernateAccessException(HibernateJpaDialect.java:275)
        \tat com.acme.order.OrderService.place(OrderService.java:12)
        java.sql.SQLException: Cannot get a connection, pool error Timeout waiting for idle object
        \tat org.apache.commons.dbcp2.PoolingDataSource.getConnection(PoolingDataSource.java:142)
        """
        let c = parse(event)
        XCTAssertEqual(classes(c), ["org.springframework.dao.DataAccessResourceFailureException", "java.sql.SQLException"])
        XCTAssertEqual(c.rootCause?.frames.count, 1)
        XCTAssertEqual(c.rootCause?.message, "Cannot get a connection, pool error Timeout waiting for idle object")
    }

    func testCalledByIsNotACause() {
        let event = """
        java.lang.IllegalStateException: boom
        \tat com.acme.A.a(A.java:1)
        Called by: com.acme.B.b
        """
        let c = parse(event)
        XCTAssertEqual(c.throwables.count, 1)
    }

    // MARK: - One-line escaped traces

    func testEscapedOneLineTrace() {
        let event = #"2023-10-10 16:30:38.123 [main] ERROR com.acme.App - java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms.\n\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)\n\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:197)\nCaused by: java.sql.SQLException: Access denied for user 'app'@'10.0.0.7' (using password: YES)\n\tat com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:129)\n\t... 5 more"#
        let c = parse(event)
        XCTAssertEqual(classes(c), ["java.sql.SQLTransientConnectionException", "java.sql.SQLException"])
        XCTAssertEqual(c.outermost?.message, "HikariPool-1 - Connection is not available, request timed out after 30000ms.")
        XCTAssertEqual(c.outermost?.frames.count, 2)
        XCTAssertEqual(c.outermost?.frames[1].line, 197)
        XCTAssertEqual(c.rootCause?.message, "Access denied for user 'app'@'10.0.0.7' (using password: YES)")
        XCTAssertEqual(c.rootCause?.framesOmitted, 5)
    }

    func testEscapedTraceInsideJsonField() {
        let event = #"{"ts":"2023-10-10T16:30:38.123Z","level":"ERROR","msg":"query failed","stack_trace":"org.postgresql.util.PSQLException: FATAL: too many connections for role \"app\"\n\tat org.postgresql.core.v3.ConnectionFactoryImpl.doAuthentication(ConnectionFactoryImpl.java:613)\n\tat org.postgresql.Driver.connect(Driver.java:270)\n"}"#
        let c = parse(event)
        XCTAssertEqual(c.outermost?.className, "org.postgresql.util.PSQLException")
        XCTAssertEqual(c.outermost?.message, #"FATAL: too many connections for role "app""#)
        XCTAssertEqual(c.outermost?.frames.count, 2)
        XCTAssertEqual(c.outermost?.frames[1], StackFrame(className: "org.postgresql.Driver", method: "connect", file: "Driver.java", line: 270))
    }

    func testDoubleEscapedTrace() {
        let event = #"msg=\"boom\" trace=\"java.lang.IllegalStateException: pool closed\\n\\tat com.acme.Pool.get(Pool.java:10)\\n\\tat com.acme.Svc.run(Svc.java:20)\""#
        let c = parse(event)
        XCTAssertEqual(c.outermost?.className, "java.lang.IllegalStateException")
        XCTAssertEqual(c.outermost?.message, "pool closed")
        XCTAssertEqual(c.outermost?.frames.map(\.method), ["get", "run"])
    }

    // MARK: - Per-line prefixes

    func testStdoutPrefixOnEveryLine() {
        let event = """
        [stdout] java.lang.IllegalStateException: Pool exhausted
        [stdout] \tat com.acme.pool.Pool.borrow(Pool.java:120)
        [stdout] \tat com.acme.order.OrderService.place(OrderService.java:33)
        [stdout] Caused by: java.util.NoSuchElementException: Timeout waiting for idle object
        [stdout] \tat org.apache.commons.pool2.impl.GenericObjectPool.borrowObject(GenericObjectPool.java:451)
        [stdout] \t... 2 more
        """
        let c = parse(event)
        XCTAssertEqual(classes(c), ["java.lang.IllegalStateException", "java.util.NoSuchElementException"])
        XCTAssertEqual(c.outermost?.frames.count, 2)
        XCTAssertEqual(c.outermost?.message, "Pool exhausted")
        XCTAssertEqual(c.rootCause?.framesOmitted, 2)
    }

    func testComposePrefixAfterLogHeader() {
        let event = """
        app_1  | 2023-10-10 16:30:38.123 ERROR [main] com.acme.App - startup failed
        app_1  | com.zaxxer.hikari.pool.HikariPool$PoolInitializationException: Failed to initialize pool: Too many connections
        app_1  |     at com.zaxxer.hikari.pool.HikariPool.throwPoolInitializationException(HikariPool.java:596)
        app_1  |     at com.zaxxer.hikari.pool.HikariPool.checkFailFast(HikariPool.java:582)
        app_1  | Caused by: java.sql.SQLNonTransientConnectionException: Too many connections
        app_1  |     at com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:110)
        """
        let c = parse(event)
        XCTAssertEqual(classes(c), ["com.zaxxer.hikari.pool.HikariPool$PoolInitializationException",
                                    "java.sql.SQLNonTransientConnectionException"])
        XCTAssertEqual(c.outermost?.message, "Failed to initialize pool: Too many connections")
        XCTAssertEqual(c.outermost?.frames.count, 2)
        XCTAssertEqual(c.rootCause?.frames.count, 1)
    }

    func testPipePrefixAndTimestampPrefix() {
        let event = """
        | java.sql.SQLException: Connection is closed
        | \tat com.acme.A.a(A.java:1)
        | \tat com.acme.B.b(B.java:2)
        """
        let c = parse(event)
        XCTAssertEqual(c.outermost?.frames.count, 2)
        XCTAssertEqual(c.outermost?.message, "Connection is closed")

        let cri = """
        2023-10-10T16:30:38.123456789Z stderr F java.sql.SQLException: Connection is closed
        2023-10-10T16:30:38.123456790Z stderr F \tat com.acme.A.a(A.java:1)
        2023-10-10T16:30:38.123456791Z stderr F \tat com.acme.B.b(B.java:2)
        2023-10-10T16:30:38.123456799Z stderr F Caused by: java.io.IOException: Broken pipe
        2023-10-10T16:30:38.123456800Z stderr F \tat com.acme.C.c(C.java:3)
        """
        let c2 = parse(cri)
        XCTAssertEqual(classes(c2), ["java.sql.SQLException", "java.io.IOException"])
        XCTAssertEqual(c2.outermost?.frames.count, 2)
        XCTAssertEqual(c2.rootCause?.frames.first?.className, "com.acme.C")
    }

    func testSyslogPrefixAndEscapedTabs() {
        let event = """
        Oct 10 16:30:38 web-01 app[4242]: java.sql.SQLException: Cannot get a connection, pool error Timeout waiting for idle object
        Oct 10 16:30:38 web-01 app[4242]: #011at org.apache.commons.dbcp.PoolingDataSource.getConnection(PoolingDataSource.java:114)
        Oct 10 16:30:38 web-01 app[4242]: #011at org.apache.commons.dbcp.BasicDataSource.getConnection(BasicDataSource.java:1044)
        Oct 10 16:30:39 web-01 app[4242]: Caused by: java.util.NoSuchElementException: Timeout waiting for idle object
        Oct 10 16:30:39 web-01 app[4242]: #011at org.apache.commons.pool.impl.GenericObjectPool.borrowObject(GenericObjectPool.java:1174)
        Oct 10 16:30:39 web-01 app[4242]: #011... 2 more
        """
        let c = parse(event)
        XCTAssertEqual(classes(c), ["java.sql.SQLException", "java.util.NoSuchElementException"])
        XCTAssertEqual(c.outermost?.frames.count, 2)
        XCTAssertEqual(c.rootCause?.frames.count, 1)
        XCTAssertEqual(c.rootCause?.framesOmitted, 2)
        XCTAssertEqual(c.outermost?.message, "Cannot get a connection, pool error Timeout waiting for idle object")
    }

    func testCausedByWithOddSeparator() {
        let event = """
        java.lang.RuntimeException: wrapper
        \tat com.acme.A.a(A.java:1)
        Caused by: com.acme.db.PoolTimeout - no connection within 30s
        \tat com.acme.B.b(B.java:2)
        """
        let c = parse(event)
        XCTAssertEqual(classes(c), ["java.lang.RuntimeException", "com.acme.db.PoolTimeout"])
        XCTAssertEqual(c.rootCause?.message, "no connection within 30s")
    }

    func testHikariUnleakedAndPoolStatsAreNotExceptions() {
        XCTAssertNil(ExceptionParser.parse("2023-10-10 16:31:08.123 [http-nio-8080-exec-3] INFO  com.zaxxer.hikari.pool.ProxyLeakTask - Previously reported leaked connection com.mysql.cj.jdbc.ConnectionImpl@1a2b3c on thread http-nio-8080-exec-3 was returned to the pool (unleaked)"))
        XCTAssertNil(ExceptionParser.parse("2023-10-10 16:31:08.123 [HikariPool-1 housekeeper] DEBUG com.zaxxer.hikari.pool.HikariPool - HikariPool-1 - Pool stats (total=10, active=10, idle=0, waiting=33)"))
        XCTAssertNil(ExceptionParser.parse("2023-10-10 16:31:08.123 [Druid-ConnectionPool-Destroy-1] ERROR c.a.druid.pool.DruidDataSource - remove abandonded failed. activeConnections.size 12"))
    }

    // MARK: - Suppressed

    func testSuppressedBlocksWithCauses() {
        let event = """
        2023-10-10 16:30:38.123 [main] ERROR com.acme.App - close failed
        java.sql.SQLException: commit failed
        \tat com.acme.Tx.commit(Tx.java:10)
        \tat com.acme.App.main(App.java:5)
        \tSuppressed: java.sql.SQLException: close failed
        \t\tat com.acme.Conn.close(Conn.java:20)
        \t\t... 1 more
        \tCaused by: java.net.SocketException: Connection reset
        \t\tat java.net.SocketInputStream.read(SocketInputStream.java:210)
        \t\t... 2 more
        \tSuppressed: java.lang.IllegalStateException: rollback failed
        \t\tat com.acme.Tx.rollback(Tx.java:30)
        Caused by: com.mysql.cj.jdbc.exceptions.MySQLTransactionRollbackException: Deadlock found when trying to get lock; try restarting transaction
        \tat com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:123)
        \t... 1 more
        \tSuppressed: java.io.IOException: stream closed
        \t\tat com.acme.Io.close(Io.java:7)
        """
        let c = parse(event)
        XCTAssertEqual(classes(c), ["java.sql.SQLException", "com.mysql.cj.jdbc.exceptions.MySQLTransactionRollbackException"])
        let outer = c.outermost!
        XCTAssertEqual(outer.frames.count, 2)
        XCTAssertEqual(outer.suppressed.count, 2)
        XCTAssertEqual(outer.suppressed[0].map(\.className), ["java.sql.SQLException", "java.net.SocketException"])
        XCTAssertEqual(outer.suppressed[0][0].message, "close failed")
        XCTAssertEqual(outer.suppressed[0][0].frames.count, 1)
        XCTAssertEqual(outer.suppressed[0][0].framesOmitted, 1)
        XCTAssertEqual(outer.suppressed[0][1].framesOmitted, 2)
        XCTAssertEqual(outer.suppressed[1].map(\.simpleName), ["IllegalStateException"])
        XCTAssertEqual(c.rootCause?.framesOmitted, 1)
        XCTAssertEqual(c.rootCause?.suppressed.first?.first?.className, "java.io.IOException")
        XCTAssertEqual(c.rootCause?.suppressed.first?.first?.frames.first?.method, "close")
    }

    func testNestedSuppressed() {
        let event = """
        java.lang.Exception: outer
        \tat A.a(A.java:1)
        \tSuppressed: java.lang.Exception: s1
        \t\tat B.b(B.java:2)
        \t\tSuppressed: java.lang.Exception: s1.1
        \t\t\tat C.c(C.java:3)
        \tSuppressed: java.lang.Exception: s2
        \t\tat D.d(D.java:4)
        """
        let c = parse(event)
        XCTAssertEqual(c.throwables.count, 1)
        let s = c.outermost!.suppressed
        XCTAssertEqual(s.count, 2)
        XCTAssertEqual(s[0][0].message, "s1")
        XCTAssertEqual(s[0][0].suppressed.first?.first?.message, "s1.1")
        XCTAssertEqual(s[1][0].message, "s2")
        XCTAssertEqual(s[1][0].frames.first?.className, "D")
    }

    func testSuppressedWithLostIndentation() {
        let event = """
        java.sql.SQLException: commit failed
        at com.acme.Tx.commit(Tx.java:10)
        Suppressed: java.sql.SQLException: close failed
        at com.acme.Conn.close(Conn.java:20)
        Caused by: java.net.SocketException: Connection reset
        at java.net.SocketInputStream.read(SocketInputStream.java:210)
        """
        let c = parse(event)
        // indentation lost: the cause goes to the main chain
        XCTAssertEqual(classes(c), ["java.sql.SQLException", "java.net.SocketException"])
        XCTAssertEqual(c.outermost?.suppressed.count, 1)
        XCTAssertEqual(c.outermost?.suppressed[0].map(\.message), ["close failed"])
        XCTAssertEqual(c.outermost?.suppressed[0][0].frames.count, 1)
    }

    // MARK: - nested exception is / MyBatis

    func testNestedExceptionIsAddsCauses() {
        let event = """
        2023-10-10 16:30:38.123 [http-nio-8080-exec-1] ERROR c.a.OrderController - place failed
        org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection; nested exception is com.alibaba.druid.pool.GetConnectionTimeoutException: wait millis 5000, active 30, maxActive 30
        \tat org.springframework.jdbc.datasource.DataSourceUtils.getConnection(DataSourceUtils.java:82)
        \tat com.acme.order.OrderService.place(OrderService.java:33)
        """
        let c = parse(event)
        XCTAssertEqual(classes(c), ["org.springframework.jdbc.CannotGetJdbcConnectionException",
                                    "com.alibaba.druid.pool.GetConnectionTimeoutException"])
        XCTAssertEqual(c.rootCause?.message, "wait millis 5000, active 30, maxActive 30")
        XCTAssertEqual(c.rootCause?.frames.count, 0)
        XCTAssertEqual(c.outermost?.frames.count, 2)
    }

    func testNestedExceptionIsNotDuplicatedByCausedBy() {
        let event = """
        org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection; nested exception is com.alibaba.druid.pool.GetConnectionTimeoutException: wait millis 5000, active 30, maxActive 30
        \tat org.springframework.jdbc.datasource.DataSourceUtils.getConnection(DataSourceUtils.java:82)
        Caused by: com.alibaba.druid.pool.GetConnectionTimeoutException: wait millis 5000, active 30, maxActive 30
        \tat com.alibaba.druid.pool.DruidDataSource.getConnectionInternal(DruidDataSource.java:1512)
        \t... 1 more
        """
        let c = parse(event)
        XCTAssertEqual(classes(c), ["org.springframework.jdbc.CannotGetJdbcConnectionException",
                                    "com.alibaba.druid.pool.GetConnectionTimeoutException"])
        XCTAssertEqual(c.rootCause?.frames.count, 1)
    }

    func testMultiLevelNestedExceptionIs() {
        let event = """
        2023-10-10 16:30:38.123 ERROR - tx failed
        org.springframework.transaction.CannotCreateTransactionException: Could not open JDBC Connection for transaction; nested exception is com.mysql.cj.jdbc.exceptions.CommunicationsException: Communications link failure; nested exception is java.net.ConnectException: Connection refused (Connection refused)
        \tat org.springframework.jdbc.datasource.DataSourceTransactionManager.doBegin(DataSourceTransactionManager.java:309)
        """
        let c = parse(event)
        XCTAssertEqual(c.throwables.map(\.simpleName), ["CannotCreateTransactionException", "CommunicationsException", "ConnectException"])
        XCTAssertEqual(c.throwables[1].message, "Communications link failure")
        XCTAssertEqual(c.rootCause?.message, "Connection refused (Connection refused)")
    }

    func testMyBatisBlocksWithoutCausedBy() {
        let event = """
        2023-10-10 16:30:38.123 [http-nio-8080-exec-4] ERROR c.a.OrderController - list failed
        org.mybatis.spring.MyBatisSystemException: nested exception is org.apache.ibatis.exceptions.PersistenceException: 
        ### Error querying database.  Cause: org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection; nested exception is com.alibaba.druid.pool.GetConnectionTimeoutException: wait millis 5000, active 30, maxActive 30, creating 0, runningSqlCount 30
        ### The error may exist in file [/app/mapper/OrderMapper.xml]
        ### The error may involve com.acme.order.OrderMapper.selectByUser
        ### The error occurred while executing a query
        ### Cause: org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection; nested exception is com.alibaba.druid.pool.GetConnectionTimeoutException: wait millis 5000, active 30, maxActive 30, creating 0, runningSqlCount 30
        \tat org.mybatis.spring.MyBatisExceptionTranslator.translateExceptionIfPossible(MyBatisExceptionTranslator.java:96)
        \tat org.mybatis.spring.SqlSessionTemplate$SqlSessionInterceptor.invoke(SqlSessionTemplate.java:441)
        \tat com.sun.proxy.$Proxy87.selectList(Unknown Source)
        """
        let c = parse(event)
        XCTAssertEqual(classes(c), ["org.mybatis.spring.MyBatisSystemException",
                                    "org.apache.ibatis.exceptions.PersistenceException",
                                    "org.springframework.jdbc.CannotGetJdbcConnectionException",
                                    "com.alibaba.druid.pool.GetConnectionTimeoutException"])
        XCTAssertEqual(c.throwables[2].message, "Failed to obtain JDBC Connection")
        XCTAssertEqual(c.rootCause?.message, "wait millis 5000, active 30, maxActive 30, creating 0, runningSqlCount 30")
        XCTAssertEqual(c.outermost?.frames.count, 3)
        XCTAssertTrue(c.outermost!.message.hasPrefix("nested exception is org.apache.ibatis.exceptions.PersistenceException:\n### Error querying database."))
    }

    func testMyBatisBlocksWithCausedByNoDuplicatesAndRootLast() {
        let event = """
        org.mybatis.spring.MyBatisSystemException: nested exception is org.apache.ibatis.exceptions.PersistenceException: 
        ### Error querying database.  Cause: org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection; nested exception is com.alibaba.druid.pool.GetConnectionTimeoutException: wait millis 5000, active 30, maxActive 30
        ### Cause: org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection; nested exception is com.alibaba.druid.pool.GetConnectionTimeoutException: wait millis 5000, active 30, maxActive 30
        \tat org.mybatis.spring.MyBatisExceptionTranslator.translateExceptionIfPossible(MyBatisExceptionTranslator.java:96)
        Caused by: org.apache.ibatis.exceptions.PersistenceException: 
        ### Error querying database.  Cause: org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection; nested exception is com.alibaba.druid.pool.GetConnectionTimeoutException: wait millis 5000, active 30, maxActive 30
        ### Cause: org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection; nested exception is com.alibaba.druid.pool.GetConnectionTimeoutException: wait millis 5000, active 30, maxActive 30
        \tat org.apache.ibatis.exceptions.ExceptionFactory.wrapException(ExceptionFactory.java:30)
        \t... 1 more
        Caused by: org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection; nested exception is com.alibaba.druid.pool.GetConnectionTimeoutException: wait millis 5000, active 30, maxActive 30
        \tat org.springframework.jdbc.datasource.DataSourceUtils.getConnection(DataSourceUtils.java:82)
        \t... 2 more
        """
        // log truncated before the last Caused by: the Druid cause comes from the message, after its wrapper
        let c = parse(event)
        XCTAssertEqual(c.throwables.map(\.simpleName), ["MyBatisSystemException", "PersistenceException",
                                                        "CannotGetJdbcConnectionException", "GetConnectionTimeoutException"])
        XCTAssertEqual(c.throwables.map { $0.frames.count }, [1, 1, 1, 0])
        XCTAssertEqual(c.throwables[1].message.components(separatedBy: "\n").count, 2)
        XCTAssertEqual(c.rootCause?.message, "wait millis 5000, active 30, maxActive 30")
    }

    // MARK: - Kafka header without frames, NPE, stderr dumps

    func testKafkaHeaderWithoutFrames() {
        let event = """
        2023-10-10 16:30:38.123 [kafka-producer-network-thread | producer-1] ERROR o.s.k.s.LoggingProducerListener - Exception thrown when sending a message with key='null' and payload='{"id":1}' to topic orders:
        org.apache.kafka.common.errors.TimeoutException: Expiring 12 record(s) for topic-0: 30005 ms has passed since batch creation
        """
        let c = parse(event)
        XCTAssertEqual(c.throwables.count, 1)
        XCTAssertEqual(c.outermost?.className, "org.apache.kafka.common.errors.TimeoutException")
        XCTAssertEqual(c.outermost?.message, "Expiring 12 record(s) for topic-0: 30005 ms has passed since batch creation")
        XCTAssertEqual(c.outermost?.frames, [])
    }

    func testNullPointerExceptions() {
        let a = """
        2023-10-10 16:30:38.123 [http-nio-8080-exec-1] ERROR o.a.c.c.C.[.[.[/].[dispatcherServlet] - Servlet.service() threw exception
        java.lang.NullPointerException: null
        \tat com.acme.order.OrderController.place(OrderController.java:42)
        \tat sun.reflect.GeneratedMethodAccessor123.invoke(Unknown Source)
        """
        let ca = parse(a)
        XCTAssertEqual(ca.outermost?.className, "java.lang.NullPointerException")
        XCTAssertEqual(ca.outermost?.message, "null")
        XCTAssertEqual(ca.outermost?.frames.count, 2)

        let b = """
        2023-10-10 16:30:38.123 [main] ERROR com.acme.App - oops
        java.lang.NullPointerException
        \tat com.acme.order.OrderController.place(OrderController.java:42)
        """
        XCTAssertEqual(parse(b).outermost?.message, "")
        XCTAssertEqual(parse(b).outermost?.simpleName, "NullPointerException")

        let helpful = """
        java.lang.NullPointerException: Cannot invoke "java.sql.Connection.prepareStatement(String)" because "this.conn" is null
        \tat com.acme.dao.OrderDao.find(OrderDao.java:19)
        """
        XCTAssertEqual(parse(helpful).outermost?.message, #"Cannot invoke "java.sql.Connection.prepareStatement(String)" because "this.conn" is null"#)
    }

    func testStderrExceptionInThreadMain() {
        let event = """
        Exception in thread "main" java.lang.IllegalStateException: boom
        \tat com.acme.Main.run(Main.java:10)
        \tat com.acme.Main.main(Main.java:5)
        Caused by: java.io.FileNotFoundException: /etc/app.conf (No such file or directory)
        \tat java.io.FileInputStream.open0(Native Method)
        \t... 2 more
        """
        let c = parse(event)
        XCTAssertEqual(classes(c), ["java.lang.IllegalStateException", "java.io.FileNotFoundException"])
        XCTAssertEqual(c.outermost?.message, "boom")
        XCTAssertEqual(c.outermost?.frames.count, 2)
        XCTAssertEqual(c.rootCause?.message, "/etc/app.conf (No such file or directory)")
    }

    func testBareJavaLangExceptionThenFrames() {
        let event = """
        java.lang.Exception
        \tat com.acme.Debug.here(Debug.java:3)
        \tat com.acme.App.main(App.java:9)
        """
        let c = parse(event)
        XCTAssertEqual(c.outermost?.className, "java.lang.Exception")
        XCTAssertEqual(c.outermost?.message, "")
        XCTAssertEqual(c.outermost?.frames.count, 2)
        XCTAssertNil(c.openStack)
    }

    func testHeaderOnLineZeroWithoutFrames() {
        let c = parse("java.util.concurrent.TimeoutException: Waited 30 seconds")
        XCTAssertEqual(c.outermost?.className, "java.util.concurrent.TimeoutException")
        XCTAssertEqual(c.outermost?.message, "Waited 30 seconds")
    }

    func testWeakHeaderNeedsFrames() {
        // a logger-name-colon line is not a throwable without frames
        XCTAssertNil(ExceptionParser.parse("com.zaxxer.hikari.pool.HikariPool: HikariPool-1 - Start completed."))
        XCTAssertNil(ExceptionParser.parse("c.a.OrderController:42 - place failed"))
        // but a custom throwable that does not end in Exception is one when frames follow
        let c = parse("""
        com.acme.errors.Boom: kaput
        \tat com.acme.A.a(A.java:1)
        """)
        XCTAssertEqual(c.outermost?.className, "com.acme.errors.Boom")
    }

    func testHeaderlessFramesTakeClassFromLogLine() {
        let event = """
        2023-10-10 16:30:38.123 [main] ERROR com.acme.App - failed: java.lang.IllegalStateException: Connection pool shut down
        \tat com.acme.pool.Pool.get(Pool.java:77)
        \tat com.acme.App.run(App.java:12)
        """
        let c = parse(event)
        XCTAssertEqual(c.outermost?.className, "java.lang.IllegalStateException")
        XCTAssertEqual(c.outermost?.message, "Connection pool shut down")
        XCTAssertEqual(c.outermost?.frames.count, 2)
    }

    func testHeaderlessFramesWithoutAnyName() {
        let event = """
        at org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl(ConnectionFactoryImpl.java:330)
        at org.postgresql.core.ConnectionFactory.openConnection(ConnectionFactory.java:54)
        """
        let c = parse(event)
        XCTAssertEqual(c.throwables.count, 1)
        XCTAssertEqual(c.outermost?.className, "")
        XCTAssertEqual(c.outermost?.frames.count, 2)
    }

    /// An excerpt (or a rotated file) that starts inside an earlier trace: its frames name
    /// nothing, and the throwable logged after them is the event's exception, not their cause.
    func testOrphanFramesThenAThrowableOfItsOwn() {
        let afterAMessage = """
        \tat com.acme.jobs.Sync.run(Sync.java:40)
        some message line
        java.sql.SQLTransientConnectionException: db - Connection is not available, request timed out after 5002ms.
        \tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:548)
        \tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:186)
        Caused by: java.net.ConnectException: Connection refused
        \tat java.net.PlainSocketImpl.socketConnect(Native Method)
        """
        let directly = """
        \tat com.acme.jobs.Sync.run(Sync.java:40)
        java.sql.SQLTransientConnectionException: db - Connection is not available, request timed out after 5002ms.
        \tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:548)
        \tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:186)
        Caused by: java.net.ConnectException: Connection refused
        \tat java.net.PlainSocketImpl.socketConnect(Native Method)
        """
        for event in [afterAMessage, directly] {
            let c = parse(event)
            XCTAssertEqual(classes(c), ["java.sql.SQLTransientConnectionException", "java.net.ConnectException"])
            XCTAssertEqual(c.outermost?.frames.map(\.method), ["createTimeoutException", "getConnection"])
        }
        // frames named by the log line keep their throwable; a bare header after them is a cause
        let named = """
        2023-10-10 16:30:38.123 [main] ERROR com.acme.App - failed: java.lang.IllegalStateException: pool shut down
        \tat com.acme.pool.Pool.get(Pool.java:77)
        java.io.IOException: closed
        \tat com.acme.pool.Pool.close(Pool.java:90)
        """
        XCTAssertEqual(classes(parse(named)), ["java.lang.IllegalStateException", "java.io.IOException"])
    }

    /// Druid before 1.0.15 named neither the owner thread nor the time.
    func testDruidAbandonConnectionOldWording() {
        let event = """
        2015-11-03 10:12:40,512 ERROR [Druid-ConnectionPool-Destroy-2] com.alibaba.druid.pool.DruidDataSource - abandon connection, open stackTrace
        \tat java.lang.Thread.getStackTrace(Thread.java:1552)
        \tat com.alibaba.druid.pool.DruidDataSource.getConnectionDirect(DruidDataSource.java:682)
        \tat com.acme.batch.ImportJob.run(ImportJob.java:57)
        """
        let c = parse(event)
        XCTAssertEqual(c.throwables, [])
        XCTAssertEqual(c.openStack?.map(\.method), ["getStackTrace", "getConnectionDirect", "run"])
    }

    func testWrappedByLog4j2RootCauseFirst() {
        let event = """
        2023-10-10 16:30:38,123 ERROR [main] com.acme.App: failed
        java.net.ConnectException: Connection refused
        \tat java.net.PlainSocketImpl.socketConnect(Native Method) ~[?:1.8.0_181]
        Wrapped by: com.mysql.cj.jdbc.exceptions.CommunicationsException: Communications link failure
        \tat com.mysql.cj.jdbc.exceptions.SQLError.createCommunicationsException(SQLError.java:174) ~[mysql-connector-java-8.0.28.jar:8.0.28]
        Wrapped by: org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection
        \tat org.springframework.jdbc.datasource.DataSourceUtils.getConnection(DataSourceUtils.java:82) ~[spring-jdbc-5.3.20.jar:5.3.20]
        """
        let c = parse(event)
        XCTAssertEqual(c.throwables.map(\.simpleName), ["CannotGetJdbcConnectionException", "CommunicationsException", "ConnectException"])
        XCTAssertEqual(c.rootCause?.frames.first?.jar, "~[?:1.8.0_181]")
    }

    func testCRLFLineEndings() {
        let event = "2023-10-10 16:30:38.123 ERROR x - y\r\njava.sql.SQLException: boom\r\n\tat com.acme.A.a(A.java:1)\r\nCaused by: java.io.IOException: io\r\n\tat com.acme.B.b(B.java:2)\r\n"
        let c = parse(event)
        XCTAssertEqual(classes(c), ["java.sql.SQLException", "java.io.IOException"])
        XCTAssertEqual(c.outermost?.message, "boom")
        XCTAssertEqual(c.rootCause?.frames.first?.line, 2)
    }

    // MARK: - Mentions → nil

    func testMentionsAreNotThrowables() {
        let events = [
            "2023-10-10 16:30:38.123 [http-nio-8080-exec-3] WARN  o.s.w.s.m.s.DefaultHandlerExceptionResolver - Resolved [org.springframework.web.HttpRequestMethodNotSupportedException: Request method 'GET' not supported]",
            "2023-10-10 16:30:38.123 [main] INFO  c.a.RetryConfig - retry policy maxAttempts=3, retryOn=[java.net.SocketTimeoutException]",
            "2023-10-10 16:30:38.123 [main] WARN  c.a.Foo - Failed to obtain JDBC Connection; nested exception is java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available",
            "2023-10-10 16:30:38.123 [main] INFO  com.zaxxer.hikari.HikariDataSource - HikariPool-1 - Start completed.",
            "",
            "\n\n",
            "java.lang.Thread.State: RUNNABLE",
        ]
        for e in events { XCTAssertNil(ExceptionParser.parse(e), e) }
        // multi-line message that only mentions an exception class
        XCTAssertNil(ExceptionParser.parse("""
        2023-10-10 16:30:38.123 [main] INFO  c.a.Config - settings:
          retryOn = java.net.SocketTimeoutException, java.io.IOException
          ignore = [org.springframework.dao.DuplicateKeyException]
        """))
    }

    func testThreadDumpIsNotAnException() {
        let event = """
        "HikariPool-1 housekeeper" #23 daemon prio=5 os_prio=0 tid=0x00007f2c3c0b1800 nid=0x5e03 waiting on condition [0x00007f2c0fdfe000]
           java.lang.Thread.State: TIMED_WAITING (parking)
        \tat sun.misc.Unsafe.park(Native Method)
        \t- parking to wait for  <0x00000000c0a1b2c8> (a java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject)
        \tat java.util.concurrent.locks.LockSupport.parkNanos(LockSupport.java:215)
        """
        XCTAssertNil(ExceptionParser.parse(event))
    }

    // MARK: - Open stacks

    func testDruidAbandonConnection() {
        let event = """
        2023-10-10 16:31:38.123 [Druid-ConnectionPool-Destroy-1831932724] ERROR c.a.druid.pool.DruidDataSource - abandon connection, owner thread: http-nio-8080-exec-3, connected at : 1696926638123, open stackTrace
        \tat java.lang.Thread.getStackTrace(Thread.java:1559)
        \tat com.alibaba.druid.pool.DruidDataSource.getConnectionDirect(DruidDataSource.java:1479)
        \tat com.alibaba.druid.pool.DruidDataSource.getConnection(DruidDataSource.java:1397)
        \tat com.acme.order.OrderDao.findAll(OrderDao.java:57)
        \tat com.acme.order.OrderController.list(OrderController.java:31)
        ownerThread current state is RUNNABLE, current stackTrace
        \tat java.net.SocketInputStream.socketRead0(Native Method)
        \tat java.net.SocketInputStream.read(SocketInputStream.java:171)
        \tat com.mysql.jdbc.MysqlIO.readFully(MysqlIO.java:3011)
        """
        let c = parse(event)
        XCTAssertEqual(c.throwables, [])
        XCTAssertEqual(c.openStack?.count, 5)
        XCTAssertEqual(c.openStack?[3], StackFrame(className: "com.acme.order.OrderDao", method: "findAll", file: "OrderDao.java", line: 57))
        XCTAssertEqual(c.openStack?.last?.method, "list")
        XCTAssertNil(c.outermost)
    }

    func testDbcp1NeverClosedStdout() {
        let event = """
        DBCP object created 2023-10-10 16:01:02 by the following code was never closed:
        java.lang.Exception
        \tat org.apache.commons.dbcp.AbandonedTrace.init(AbandonedTrace.java:90)
        \tat org.apache.commons.dbcp.AbandonedTrace.<init>(AbandonedTrace.java:73)
        \tat org.apache.commons.dbcp.DelegatingConnection.<init>(DelegatingConnection.java:87)
        \tat org.apache.commons.dbcp.PoolingDataSource.getConnection(PoolingDataSource.java:96)
        \tat com.acme.report.ReportDao.load(ReportDao.java:140)
        """
        let c = parse(event)
        XCTAssertEqual(c.throwables, [])
        XCTAssertEqual(c.openStack?.count, 5)
        XCTAssertEqual(c.openStack?[1].method, "<init>")
        XCTAssertEqual(c.openStack?.last?.className, "com.acme.report.ReportDao")
    }

    func testDbcpAbandonedObjectException() {
        let event = """
        org.apache.commons.dbcp.AbandonedTrace$AbandonedObjectException: DBCP object created 2023-10-10 16:01:02 by the following code was never closed:
        \tat org.apache.commons.dbcp.AbandonedTrace.setStackTrace(AbandonedTrace.java:139)
        \tat org.apache.commons.dbcp.AbandonedObjectPool.borrowObject(AbandonedObjectPool.java:81)
        \tat org.apache.commons.dbcp.PoolingDataSource.getConnection(PoolingDataSource.java:106)
        \tat com.acme.report.ReportDao.load(ReportDao.java:140)
        """
        let c = parse(event)
        XCTAssertEqual(c.throwables, [])
        XCTAssertEqual(c.openStack?.count, 4)
        XCTAssertEqual(c.openStack?.first?.method, "setStackTrace")

        // same, behind a log header
        let logged = "2023-10-10 16:05:00,001 INFO [Timer-0] stdout - x\n" + event
        XCTAssertEqual(parse(logged).openStack?.count, 4)
        XCTAssertEqual(parse(logged).throwables, [])
    }

    func testDbcp2NotReturnedToPool() {
        let event = """
        Pooled object created 2023-10-10 16:01:02 +0800 by the following code has not been returned to the pool:
        org.apache.commons.pool2.impl.ThrowableCallStack$Snapshot
        \tat org.apache.commons.pool2.impl.ThrowableCallStack.fillInStackTrace(ThrowableCallStack.java:73)
        \tat org.apache.commons.pool2.impl.DefaultPooledObject.allocate(DefaultPooledObject.java:213)
        \tat org.apache.commons.pool2.impl.GenericObjectPool.borrowObject(GenericObjectPool.java:423)
        \tat org.apache.commons.dbcp2.PoolingDataSource.getConnection(PoolingDataSource.java:134)
        \tat com.acme.billing.InvoiceDao.save(InvoiceDao.java:66)
        """
        let c = parse(event)
        XCTAssertEqual(c.throwables, [])
        XCTAssertEqual(c.openStack?.count, 5)
        XCTAssertEqual(c.openStack?.last?.line, 66)
    }

    func testHikariLeakDetection() {
        let event = """
        2023-10-10 16:30:38.123 [HikariPool-1 housekeeper] WARN  com.zaxxer.hikari.pool.ProxyLeakTask - Connection leak detection triggered for com.mysql.cj.jdbc.ConnectionImpl@1a2b3c on thread http-nio-8080-exec-3, stack trace follows
        java.lang.Exception: Apparent connection leak detected
        \tat com.zaxxer.hikari.HikariDataSource.getConnection(HikariDataSource.java:128) ~[HikariCP-4.0.3.jar:na]
        \tat org.springframework.jdbc.datasource.DataSourceUtils.fetchConnection(DataSourceUtils.java:159) ~[spring-jdbc-5.3.20.jar:5.3.20]
        \tat com.acme.order.OrderService.export(OrderService.java:201) ~[classes/:na]
        """
        let c = parse(event)
        XCTAssertEqual(c.throwables, [])
        XCTAssertEqual(c.openStack?.count, 3)
        XCTAssertEqual(c.openStack?.last, StackFrame(className: "com.acme.order.OrderService", method: "export",
                                                      file: "OrderService.java", line: 201, jar: "~[classes/:na]"))
    }

    func testTomcatJdbcAbandoned() {
        let event = """
        10-Oct-2023 16:30:38.123 WARNING [Tomcat JDBC Pool Cleaner[1234:1696926638123]] org.apache.tomcat.jdbc.pool.ConnectionPool.abandon Connection has been abandoned PooledConnection[com.mysql.cj.jdbc.ConnectionImpl@5f0e9815]:java.lang.Exception
        \tat org.apache.tomcat.jdbc.pool.ConnectionPool.getThreadDump(ConnectionPool.java:1163)
        \tat org.apache.tomcat.jdbc.pool.ConnectionPool.borrowConnection(ConnectionPool.java:816)
        \tat org.apache.tomcat.jdbc.pool.ConnectionPool.getConnection(ConnectionPool.java:198)
        \tat com.acme.stock.StockDao.lock(StockDao.java:88)
        """
        let c = parse(event)
        XCTAssertEqual(c.throwables, [])
        XCTAssertEqual(c.openStack?.count, 4)
        XCTAssertEqual(c.openStack?.first?.method, "getThreadDump")
    }

    func testC3p0OverdueResource() {
        let event = """
        2023-10-10 16:30:38,123 INFO [C3P0PooledConnectionPoolManager[identityToken->2s8]-HelperThread-#1] com.mchange.v2.resourcepool.BasicResourcePool - A checked-out resource is overdue, and will be destroyed: com.mchange.v2.c3p0.impl.NewPooledConnection@4b6ad6
        java.lang.Exception: DEBUG STACK TRACE: Overdue resource check-out stack trace.
        \tat com.mchange.v2.resourcepool.BasicResourcePool.checkoutResource(BasicResourcePool.java:555)
        \tat com.mchange.v2.c3p0.impl.AbstractPoolBackedDataSource.getConnection(AbstractPoolBackedDataSource.java:140)
        \tat com.acme.legacy.LegacyDao.run(LegacyDao.java:12)
        """
        let c = parse(event)
        XCTAssertEqual(c.throwables, [])
        XCTAssertEqual(c.openStack?.count, 3)
    }

    func testOpenStackWithRealExceptionAfterIt() {
        let event = """
        2023-10-10 16:31:38.123 [Druid-ConnectionPool-Destroy-1] ERROR c.a.druid.pool.DruidDataSource - abandon connection, owner thread: exec-3, connected at : 1696926638123, open stackTrace
        \tat com.acme.order.OrderDao.findAll(OrderDao.java:57)
        ownerThread current state is BLOCKED, current stackTrace
        \tat com.acme.order.Lock.await(Lock.java:9)
        java.sql.SQLException: connection holder is null
        \tat com.alibaba.druid.pool.DruidPooledConnection.checkStateInternal(DruidPooledConnection.java:1169)
        """
        let c = parse(event)
        XCTAssertEqual(c.openStack?.count, 1)
        XCTAssertEqual(classes(c), ["java.sql.SQLException"])
        XCTAssertEqual(c.outermost?.frames.count, 1)
    }

    // MARK: - Robustness

    func testCapsOnFramesAndThrowables() {
        var s = "java.lang.StackOverflowError\n"
        for i in 0..<5000 { s += "\tat com.acme.Rec.f(Rec.java:\(i))\n" }
        let c = parse(s)
        XCTAssertEqual(c.outermost?.frames.count, ExceptionParser.maxFramesPerThrowable)

        var t = "java.lang.Exception: e0\n\tat A.a(A.java:1)\n"
        for i in 1..<500 { t += "Caused by: java.lang.Exception: e\(i)\n\tat A.a(A.java:1)\n" }
        let ct = parse(t)
        XCTAssertEqual(ct.throwables.count, ExceptionParser.maxThrowables)
        // frames of dropped causes are not attached to the last kept one
        XCTAssertEqual(ct.rootCause?.frames.count, 1)
        XCTAssertEqual(ct.rootCause?.message, "e\(ExceptionParser.maxThrowables - 1)")
    }

    func testGarbageNeverCrashes() {
        let samples = [
            "at", "at ", "at (", "at a.b(", "at a.b)", "at .(x)", "at a.(x)", "at .b(x)", "\tat a.b(:)",
            "at a.b(Foo.java:99999999999999999999999)", "... ", "... 99999999999999999999 more",
            "Caused by:", "Caused by: ", "Caused by", "Suppressed:", "Wrapped by:", "c by:", "Cxxxxxxxxx by: a.B",
            "Exception in thread \"", "Exception in thread \"main", "\\", "\\n\\tat ", "\\\\\\n\\tat a.b(c)",
            "java.", ".Exception", "a..B: x", "\u{0}\u{0}\u{0}", "\t\t\t\t", "###", "### Cause:", "nested exception is",
            "x nested exception is java.", String(repeating: "a.", count: 10000),
            String(repeating: "\tat a.b(c)\n", count: 100) + "Caused by: x.YException: y\n",
            "abandon connection, owner thread: x, connected at : 1, open stackTrace",
            "DBCP object created x by the following code was never closed:\njava.lang.Exception\n",
            String(repeating: "\\n", count: 1000) + "\\tat a.B.c(D.java:1)",
            "[stdout] at a.B.c(D.java:1)\n[stdout] at a.B.c(D.java:1)",
            "java.lang.Exception: \u{FFFD}\u{FFFD} 中文消息\n\tat 中文.类.方法(文件.java:1)",
        ]
        for s in samples { _ = ExceptionParser.parse(s) }
        // invalid UTF-8
        let bytes: [UInt8] = [0x6A, 0x61, 0x76, 0x61, 0x2E, 0x6C, 0x61, 0x6E, 0x67, 0x2E, 0x45, 0xFF, 0xFE, 0x0A, 0x09, 0x61, 0x74, 0x20, 0xC3]
        _ = ExceptionParser.parse(String(decoding: bytes, as: UTF8.self))
        // random text
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("at .()$:/\\ntCausedby[]~0123456789\n\tExceptionjava.lang")
        for _ in 0..<300 {
            let len = Int.random(in: 0..<400, using: &rng)
            let s = String((0..<len).map { _ in alphabet.randomElement(using: &rng)! })
            _ = ExceptionParser.parse(s)
        }
    }

    func testChineseFramesAndMessages() {
        let event = """
        2023-10-10 16:30:38.123 [main] ERROR com.acme.App - 下单失败
        com.acme.BizException: 库存不足
        \tat com.sun.proxy.$Proxy303.xxxxxxx业务方法(Unknown Source)
        \tat sun.reflect.GeneratedMethodAccessor149.invoke(Unknown Source)
        """
        let c = parse(event)
        XCTAssertEqual(c.outermost?.message, "库存不足")
        XCTAssertEqual(c.outermost?.frames.first?.method, "xxxxxxx业务方法")
    }

    func testLongSingleLineAndDeepTrace() {
        // a multi-megabyte single-line event is no exception (its speed is the benchmark's job)
        let big = "2023-10-10 16:30:38.123 [main] INFO x - " + String(repeating: "abc def.ghi: jkl ", count: 200_000)
        XCTAssertNil(ExceptionParser.parse(big))

        var trace = "2023-10-10 16:30:38.123 [main] ERROR x - y\njava.sql.SQLException: boom\n"
        for i in 0..<150 { trace += "\tat com.acme.layer\(i).Service.call(Service.java:\(i)) ~[app.jar:1.0]\n" }
        trace += "Caused by: java.net.SocketTimeoutException: Read timed out\n\tat java.net.SocketInputStream.socketRead0(Native Method)\n\t... 150 more\n"
        let c = ExceptionParser.parse(trace)
        XCTAssertEqual(c?.throwables.count, 2)
        XCTAssertEqual(c?.throwables.first?.frames.count, 150)
        XCTAssertEqual(c?.rootCause?.className, "java.net.SocketTimeoutException")
    }
}

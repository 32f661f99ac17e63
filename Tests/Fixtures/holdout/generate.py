#!/usr/bin/env python3
"""Write the hold-out logs in Tests/Fixtures/holdout/, deterministically.

A second set of logs for the five seed incidents, written independently of
scripts/gen_samples.py (no code shared) so that the diagnosis is checked on logs it was
not tuned on: other hosts, other layouts (Log4j2 %d{ISO8601}, Tomcat JULI, syslog
prefixes, Docker JSON, bracketed times), other pool versions and messages, rotation,
and noise (deadlocks, NPEs, a lone pool timeout). See README.md for what each one holds
and the findings it must give.

Standard library only. No wall clock, fixed seeds: running it twice gives the same bytes.
Usage: Tests/Fixtures/holdout/generate.py
"""

import datetime as dt
import gzip
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
UTC = dt.timezone.utc
CST = dt.timezone(dt.timedelta(hours=8))


def at(s, tz=UTC):
    """'2024-03-05 09:00:00' in tz -> aware datetime."""
    return dt.datetime.strptime(s, "%Y-%m-%d %H:%M:%S").replace(tzinfo=tz)


# ---- layouts: each turns (time, level, thread, logger, message) into a first line ----

def log4j2_iso8601(t, level, thread, logger, msg):
    # %d{ISO8601} %-5p [%t] %c{1.} - %m
    return "%s,%03d %-5s [%s] %s - %s" % (t.strftime("%Y-%m-%dT%H:%M:%S"), t.microsecond // 1000, level, thread, logger, msg)


def logback_zoned(t, level, thread, logger, msg):
    # %d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} [%thread] %level %logger - %msg
    return "%s.%03d%s [%s] %s %s - %s" % (t.strftime("%Y-%m-%dT%H:%M:%S"), t.microsecond // 1000,
                                           t.strftime("%z")[:3] + ":" + t.strftime("%z")[3:], thread, level, logger, msg)


def tomcat_juli(t, level, thread, logger, msg):
    juli = {"ERROR": "SEVERE", "WARN": "WARNING", "INFO": "INFO", "DEBUG": "FINE"}[level]
    return "%s.%03d %s [%s] %s %s" % (t.strftime("%d-%b-%Y %H:%M:%S"), t.microsecond // 1000, juli, thread, logger, msg)


def bracketed(t, level, thread, logger, msg):
    return "[%s.%03d] %-5s %s [%s] %s" % (t.strftime("%Y-%m-%d %H:%M:%S"), t.microsecond // 1000, level, logger, thread, msg)


def syslog(host, tag):
    """rsyslog forwarding a Log4j layout: `Mar  5 09:12:44 host tag[pid]: <app line>`."""
    def layout(t, level, thread, logger, msg):
        inner = "%s %-5s %s [%s] %s" % (t.strftime("%Y-%m-%d %H:%M:%S,") + "%03d" % (t.microsecond // 1000), level, logger, thread, msg)
        return "%s %s %s: %s" % (t.strftime("%b %e %H:%M:%S"), host, tag, inner)
    return layout


class Log:
    """Records of one file, kept in time order when written."""

    def __init__(self, layout):
        self.layout = layout
        self.records = []

    def add(self, t, level, thread, logger, msg, trace=()):
        self.records.append((t, [self.layout(t, level, thread, logger, msg)] + list(trace)))

    def raw(self, t, lines):
        """Lines printed without a layout (a pool writing to stdout); `t` only orders them."""
        self.records.append((t, list(lines)))

    def timed_lines(self):
        self.records.sort(key=lambda r: r[0])
        return [(t, line) for t, lines in self.records for line in lines]

    def text(self):
        return "".join(line + "\n" for _, line in self.timed_lines())


def frames(*fs):
    return ["\tat " + f for f in fs]


def write(rel, text, gz=False):
    path = os.path.join(HERE, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    data = text.encode("utf-8")
    if gz:
        data = gzip.compress(data, mtime=0)
    with open(path, "wb") as f:
        f.write(data)


def spread(rng, start, end, n):
    """n sorted random instants in [start, end)."""
    span = (end - start).total_seconds()
    return sorted(start + dt.timedelta(seconds=rng.uniform(0, span), microseconds=rng.randrange(1000) * 1000) for _ in range(n))


def noise(rng, log, start, end, n, pkg):
    """Ordinary traffic: requests, caches, a scheduler; none of it about the pool."""
    msgs = [
        ("INFO", pkg + ".web.AccessFilter", "GET /api/health 200 %dms"),
        ("INFO", pkg + ".web.AccessFilter", "POST /api/orders 201 %dms"),
        ("DEBUG", pkg + ".cache.LocalCache", "cache refresh took %dms"),
        ("WARN", pkg + ".client.RemoteClient", "retrying remote call after %dms"),
        ("INFO", "org.quartz.core.JobRunShell", "job run completed in %dms"),
    ]
    for t in spread(rng, start, end, n):
        level, logger, m = rng.choice(msgs)
        log.add(t, level, "http-nio-8080-exec-%d" % rng.randint(1, 200), logger, m % rng.randint(2, 900))


def deadlock(log, t, pkg, thread):
    """A database deadlock: an ordinary SQL error, not a pool incident."""
    log.add(t, "ERROR", thread, pkg + ".service.StockService", "stock update failed", [
        "org.springframework.dao.DeadlockLoserDataAccessException: PreparedStatementCallback; SQL [update stock set qty = qty - ? where sku = ?]; Deadlock found when trying to get lock; try restarting transaction",
    ] + frames("org.springframework.jdbc.support.SQLErrorCodeSQLExceptionTranslator.doTranslate(SQLErrorCodeSQLExceptionTranslator.java:267)",
               pkg + ".service.StockService.reserve(StockService.java:88)") + [
        "Caused by: com.mysql.cj.jdbc.exceptions.MySQLTransactionRollbackException: Deadlock found when trying to get lock; try restarting transaction",
    ] + frames("com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:123)",
               "com.mysql.cj.jdbc.ClientPreparedStatement.executeUpdate(ClientPreparedStatement.java:1061)",
               pkg + ".service.StockService.reserve(StockService.java:88)") + ["\t... 12 more"])


def npe(log, t, pkg, thread):
    log.add(t, "ERROR", thread, pkg + ".web.ErrorAdvice", "unhandled", [
        "java.lang.NullPointerException: null",
    ] + frames(pkg + ".service.ProfileService.render(ProfileService.java:41)", pkg + ".web.ProfileController.show(ProfileController.java:22)"))


# ---- 000: a Hikari pool per ETL task, MySQL full (seed 000) ----------------------------

def seed000():
    rng = random.Random(7000)
    pkg = "io.datagrid.etl"
    # Two runner hosts; each task builds a HikariDataSource and never closes it.
    for host, pools, layout in (("etl-runner-a", 58, log4j2_iso8601), ("etl-runner-b", 41, syslog("etl-runner-b", "etl-runner[2211]"))):
        day = Log(layout)
        start, end = at("2024-03-05 01:00:00"), at("2024-03-05 13:30:00")
        noise(rng, day, start, end, 220, pkg)
        day.add(start, "INFO", "main", "com.zaxxer.hikari.HikariDataSource", "HikariPool-1 - Starting...")
        day.add(start + dt.timedelta(milliseconds=640), "INFO", "main", "com.zaxxer.hikari.HikariDataSource", "HikariPool-1 - Start completed.")
        times = spread(rng, start + dt.timedelta(minutes=10), end, pools - 1)
        for n, t in enumerate(times, start=2):
            worker = "task-exec-%d" % rng.randint(1, 16)
            day.add(t, "INFO", worker, pkg + ".task.SqlTaskRunner", "running task %d on datasource %d" % (rng.randint(10000, 99999), rng.randint(1, 9)))
            day.add(t + dt.timedelta(milliseconds=20), "INFO", worker, "com.zaxxer.hikari.HikariDataSource", "HikariPool-%d - Starting..." % n)
            if n <= pools - 3:
                day.add(t + dt.timedelta(milliseconds=95), "INFO", worker, "com.zaxxer.hikari.HikariDataSource", "HikariPool-%d - Start completed." % n)
            else:
                # The last pools cannot open their first connection: MySQL is full.
                day.add(t + dt.timedelta(milliseconds=180), "ERROR", worker, "com.zaxxer.hikari.pool.HikariPool", "HikariPool-%d - Exception during pool initialization." % n, [
                    "java.sql.SQLNonTransientConnectionException: Data source rejected establishment of connection,  message from server: \"Too many connections\"",
                ] + frames("com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:110)",
                           "com.mysql.cj.jdbc.ConnectionImpl.connectOneTryOnly(ConnectionImpl.java:969)",
                           "com.mysql.cj.jdbc.ConnectionImpl.<init>(ConnectionImpl.java:447)",
                           "com.zaxxer.hikari.pool.PoolBase.newConnection(PoolBase.java:364)",
                           "com.zaxxer.hikari.pool.HikariPool.checkFailFast(HikariPool.java:554)",
                           "com.zaxxer.hikari.HikariDataSource.<init>(HikariDataSource.java:81)",
                           pkg + ".datasource.TaskDataSourceFactory.create(TaskDataSourceFactory.java:37)",
                           pkg + ".task.SqlTaskRunner.run(SqlTaskRunner.java:58)"))
        deadlock(day, at("2024-03-05 07:41:09") + dt.timedelta(seconds=rng.randint(0, 600)), pkg, "task-exec-3")
        npe(day, at("2024-03-05 03:12:00") + dt.timedelta(seconds=rng.randint(0, 600)), pkg, "http-nio-8080-exec-9")
        text = day.text()
        lines = text.splitlines(keepends=True)
        cut = len(lines) // 2
        # logrotate: yesterday's half compressed, today's plain
        write("000-pool-per-task/%s/logs/etl.log.1.gz" % host, "".join(lines[:cut]), gz=True)
        write("000-pool-per-task/%s/logs/etl.log" % host, "".join(lines[cut:]))

    # A jstack of runner a near the end: one housekeeper and connection adder per live pool.
    dump = ["2024-03-05 13:31:07", "Full thread dump OpenJDK 64-Bit Server VM (17.0.9+9 mixed mode, sharing):", ""]
    for n in range(55, 0, -1):
        for role in ("connection adder", "housekeeper"):
            dump += ['"HikariPool-%d %s" #%d daemon prio=5 os_prio=0 cpu=%.2fms elapsed=%.2fs tid=0x00007f%08x nid=%d waiting on condition  [0x00007f1c%08x]'
                     % (n, role, 300 + 2 * n, rng.uniform(1, 90), rng.uniform(100, 40000), rng.randrange(1 << 32), 4000 + n, rng.randrange(1 << 32)),
                     "   java.lang.Thread.State: TIMED_WAITING (parking)",
                     "\tat jdk.internal.misc.Unsafe.park(java.base@17.0.9/Native Method)",
                     "\tat java.util.concurrent.locks.LockSupport.parkNanos(java.base@17.0.9/LockSupport.java:252)",
                     "\tat java.util.concurrent.ScheduledThreadPoolExecutor$DelayedWorkQueue.take(java.base@17.0.9/ScheduledThreadPoolExecutor.java:1182)",
                     "\tat java.lang.Thread.run(java.base@17.0.9/Thread.java:840)", ""]
    dump += ['"main" #1 prio=5 os_prio=0 cpu=812.44ms elapsed=45012.33s tid=0x00007f1c3c024000 nid=0x1 waiting on condition  [0x00007f1c41dfe000]',
             "   java.lang.Thread.State: TIMED_WAITING (sleeping)", "\tat java.lang.Thread.sleep(java.base@17.0.9/Native Method)", ""]
    write("000-pool-per-task/etl-runner-a/threaddump-13h31.txt", "\n".join(dump) + "\n")


# ---- 001: Druid 1.2.5 drops connections below the pool, MySQL full (seed 001) ----------

def druid_stat(t, rng, created, destroyed, discarded, active, pooling):
    assert created == active + pooling + destroyed + discarded
    body = {"url": "jdbc:mysql://10.20.0.15:3306/billing", "dbType": "mysql", "name": "DataSource-88213377",
            "activeCount": active, "activePeak": 9, "poolingCount": pooling, "poolingPeak": 12,
            "connectCount": 40000 + created * 97, "closeCount": 40000 + created * 97 - active,
            "createCount": created, "destroyCount": destroyed, "discardCount": discarded,
            "waitThreadCount": rng.randint(0, 4)}
    return json.dumps(body, separators=(",", ":"))


def seed001():
    rng = random.Random(7001)
    pkg = "com.fintrack.billing"
    for host, layout, tz in (("bill-01", logback_zoned, CST), ("bill-02", tomcat_juli, UTC)):
        log = Log(lambda t, *a, layout=layout, tz=tz: layout(t.astimezone(tz), *a))
        start, end = at("2024-03-05 00:00:00"), at("2024-03-05 12:00:00")
        noise(rng, log, start, end, 260, pkg)
        log.add(start + dt.timedelta(seconds=3), "INFO", "main", "com.alibaba.druid.pool.DruidDataSource", "{dataSource-1} inited")
        log.add(start + dt.timedelta(seconds=4), "INFO", "main", pkg + ".config.DbConfig",
                "datasource ready: jdbc:mysql://10.20.0.15:3306/billing?user=billing_rw&password=Bi11ing!2024&useSSL=false")
        created, destroyed, discarded = 6, 0, 0
        # each host's stat logger runs on its own schedule (a few ms apart)
        t = start + dt.timedelta(minutes=10, milliseconds=rng.randint(1, 400))
        while t < end:
            # the pool's books: some connections evicted (destroyed), some discarded, all accounted
            d, k = rng.randint(1, 3), rng.randint(0, 2)
            created += d + k
            destroyed += d
            discarded += k
            active = rng.randint(0, 3)
            pooling = created - destroyed - discarded - active
            if pooling < 0:
                destroyed += pooling
                pooling = 0
            log.add(t, "INFO", "Druid-ConnectionPool-Log-88213377", "com.alibaba.druid.pool.DruidDataSourceStatLoggerImpl",
                    druid_stat(t, rng, created, destroyed, discarded, active, pooling))
            t += dt.timedelta(minutes=20)
        # From 06:40 MySQL is full: the create thread fails, callers time out with active far below max.
        for t in spread(rng, at("2024-03-05 06:40:00"), end, 9):
            log.add(t, "ERROR", "Druid-ConnectionPool-Create-88213377", "com.alibaba.druid.pool.DruidDataSource",
                    "create connection SQLException, url: jdbc:mysql://10.20.0.15:3306/billing?user=billing_rw&password=Bi11ing!2024, errorCode 1040, state 08004", [
                        "java.sql.SQLNonTransientConnectionException: Data source rejected establishment of connection,  message from server: \"Too many connections\"",
                    ] + frames("com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:110)",
                               "com.mysql.cj.jdbc.ConnectionImpl.<init>(ConnectionImpl.java:447)",
                               "com.mysql.cj.jdbc.NonRegisteringDriver.connect(NonRegisteringDriver.java:241)",
                               "com.alibaba.druid.pool.DruidAbstractDataSource.createPhysicalConnection(DruidAbstractDataSource.java:1646)",
                               "com.alibaba.druid.pool.DruidDataSource$CreateConnectionThread.run(DruidDataSource.java:2746)"))
        errors = 40
        for t in spread(rng, at("2024-03-05 06:52:00"), end, 8):
            errors += rng.randint(150, 900)
            active = rng.choice([0, 1, 2])
            svc = rng.choice([("InvoiceService", "issue", "InvoiceMapper", "insert"), ("LedgerService", "post", "LedgerMapper", "append")])
            log.add(t, "ERROR", "http-nio-8080-exec-%d" % rng.randint(1, 200), pkg + ".web.ApiErrorHandler", "request failed", [
                "org.springframework.transaction.CannotCreateTransactionException: Could not open JDBC Connection for transaction; nested exception is com.alibaba.druid.pool.GetConnectionTimeoutException: wait millis 3000, active %d, maxActive 50, creating 1, createErrorCount %d" % (active, errors),
            ] + frames("org.springframework.jdbc.datasource.DataSourceTransactionManager.doBegin(DataSourceTransactionManager.java:309) ~[spring-jdbc-5.3.31.jar:5.3.31]",
                       "org.springframework.transaction.support.AbstractPlatformTransactionManager.getTransaction(AbstractPlatformTransactionManager.java:400) ~[spring-tx-5.3.31.jar:5.3.31]",
                       "%s.service.%s.%s(%s.java:%d) ~[classes/:na]" % (pkg, svc[0], svc[1], svc[0], rng.randint(40, 200))) + [
                "Caused by: com.alibaba.druid.pool.GetConnectionTimeoutException: wait millis 3000, active %d, maxActive 50, creating 1, createErrorCount %d" % (active, errors),
            ] + frames("com.alibaba.druid.pool.DruidDataSource.getConnectionInternal(DruidDataSource.java:1722) ~[druid-1.2.5.jar:1.2.5]",
                       "com.alibaba.druid.pool.DruidDataSource.getConnectionDirect(DruidDataSource.java:1408) ~[druid-1.2.5.jar:1.2.5]",
                       "com.alibaba.druid.pool.DruidDataSource.getConnection(DruidDataSource.java:1388) ~[druid-1.2.5.jar:1.2.5]") + [
                "\t... 41 common frames omitted",
                "Caused by: java.sql.SQLNonTransientConnectionException: Data source rejected establishment of connection,  message from server: \"Too many connections\"",
            ] + frames("com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:110) ~[mysql-connector-java-8.0.28.jar:8.0.28]",
                       "com.alibaba.druid.pool.DruidAbstractDataSource.createPhysicalConnection(DruidAbstractDataSource.java:1646) ~[druid-1.2.5.jar:1.2.5]") + ["\t... 2 common frames omitted"])
        deadlock(log, at("2024-03-05 02:15:00") + dt.timedelta(seconds=rng.randint(0, 900)), pkg, "http-nio-8080-exec-33")
        write("001-druid-leak-below-pool/%s/billing.log" % host, log.text(), gz=(host == "bill-02"))


# ---- 002: a Hikari data source per tenant, never closed (seed 002) ---------------------

def docker_json(timed_lines):
    """Docker's json-file driver: one JSON object per line, stamped when the runtime read it."""
    out = []
    for i, (t, line) in enumerate(timed_lines):
        t = t.astimezone(UTC) + dt.timedelta(microseconds=137 + i % 500)
        out.append(json.dumps({"log": line + "\n", "stream": "stdout", "time": t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")}, separators=(",", ":")))
    return "\n".join(out) + "\n"


def seed002():
    rng = random.Random(7002)
    pkg = "net.tenantly.gateway"
    pods = (("gateway-6c8d5f7b9-h4k2p", logback_zoned, 47, "docker"), ("gateway-6c8d5f7b9-w9xq1", syslog("gw-node-3", "gateway[1]"), 36, "plain"))
    for pod, layout, pools, wrap in pods:
        log = Log(lambda t, *a, layout=layout: layout(t.astimezone(CST), *a))
        start, end = at("2024-03-05 00:00:00"), at("2024-03-05 15:00:00")
        noise(rng, log, start, end, 300, pkg)
        for n, t in enumerate(spread(rng, start, end - dt.timedelta(hours=1), pools), start=1):
            thread = "http-nio-8080-exec-%d" % rng.randint(1, 200)
            log.add(t, "INFO", thread, pkg + ".tenant.RoutingDataSource", "tenant t%03d not cached, building data source" % rng.randint(1, 400))
            log.add(t + dt.timedelta(milliseconds=5), "INFO", thread, "com.zaxxer.hikari.HikariDataSource", "HikariPool-%d - Starting..." % n)
            log.add(t + dt.timedelta(milliseconds=70), "INFO", thread, "com.zaxxer.hikari.HikariDataSource", "HikariPool-%d - Start completed." % n)
        # one pool closed at a config reload: the only shutdown
        t = at("2024-03-05 04:00:00") + dt.timedelta(seconds=rng.randint(0, 3000))
        log.add(t, "INFO", "config-reload", "com.zaxxer.hikari.HikariDataSource", "HikariPool-3 - Shutdown initiated...")
        log.add(t + dt.timedelta(milliseconds=15), "INFO", "config-reload", "com.zaxxer.hikari.HikariDataSource", "HikariPool-3 - Shutdown completed.")
        # idle connections in forgotten pools go stale: HikariCP suggests maxLifetime (a red herring)
        for t in spread(rng, at("2024-03-05 02:00:00"), at("2024-03-05 11:00:00"), 4):
            n = rng.randint(4, pools // 2)
            log.add(t, "WARN", "HikariPool-%d connection adder" % n, "com.zaxxer.hikari.pool.PoolBase",
                    "HikariPool-%d - Failed to validate connection com.mysql.cj.jdbc.ConnectionImpl@%x (No operations allowed after connection closed.). Possibly consider using a shorter maxLifetime value." % (n, rng.randrange(1 << 28)))
        # late in the day the newest pools run dry
        for t in spread(rng, at("2024-03-05 13:40:00"), end, 4):
            n = rng.randint(pools - 6, pools)
            log.add(t, "ERROR", "http-nio-8080-exec-%d" % rng.randint(1, 200), pkg + ".web.GatewayErrors", "upstream query failed", [
                "org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection; nested exception is java.sql.SQLTransientConnectionException: HikariPool-%d - Connection is not available, request timed out after 30004ms (total=10, active=10, idle=0, waiting=%d)" % (n, rng.randint(1, 6)),
            ] + frames("org.springframework.jdbc.datasource.DataSourceUtils.getConnection(DataSourceUtils.java:84)",
                       pkg + ".tenant.TenantQueryService.query(TenantQueryService.java:71)") + [
                "Caused by: java.sql.SQLTransientConnectionException: HikariPool-%d - Connection is not available, request timed out after 30004ms (total=10, active=10, idle=0, waiting=2)" % n,
            ] + frames("com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)",
                       "com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:181)",
                       "com.zaxxer.hikari.HikariDataSource.getConnection(HikariDataSource.java:128)") + ["\t... 9 common frames omitted"])
        npe(log, at("2024-03-05 09:00:00") + dt.timedelta(seconds=rng.randint(0, 900)), pkg, "http-nio-8080-exec-77")
        if wrap == "docker":
            write("002-datasource-per-tenant/%s/%s-json.log" % (pod, pod), docker_json(log.timed_lines()))
        else:
            write("002-datasource-per-tenant/%s/messages" % pod, log.text())


# ---- 003: DBCP2 connections borrowed and never returned (seed 003) ---------------------

def dbcp2_trace(t, site_frames):
    """What DBCP 2 prints to its log writer (stdout) when it reclaims an abandoned connection."""
    local = t.astimezone(CST)
    return (["Pooled object created %s +0800 by the following code has not been returned to the pool:" % local.strftime("%Y-%m-%d %H:%M:%S"),
             "org.apache.commons.pool2.impl.ThrowableCallStack$Snapshot"]
            + frames("org.apache.commons.pool2.impl.ThrowableCallStack.fillInStackTrace(ThrowableCallStack.java:65)",
                     "org.apache.commons.pool2.impl.DefaultPooledObject.allocate(DefaultPooledObject.java:104)",
                     "org.apache.commons.pool2.impl.GenericObjectPool.borrowObject(GenericObjectPool.java:287)",
                     "org.apache.commons.dbcp2.PoolingDataSource.getConnection(PoolingDataSource.java:134)",
                     "org.apache.commons.dbcp2.BasicDataSource.getConnection(BasicDataSource.java:734)")
            + frames(*site_frames))


def seed003():
    rng = random.Random(7003)
    pkg = "com.shoply.crm"
    sites = [
        (15, [pkg + ".repo.CustomerRepo.search(CustomerRepo.java:212)", pkg + ".service.CustomerService.find(CustomerService.java:64)", pkg + ".web.CustomerController.search(CustomerController.java:40)"]),
        (6, [pkg + ".export.ExportService.dumpCsv(ExportService.java:97)", pkg + ".export.ExportJob.execute(ExportJob.java:31)"]),
        (2, [pkg + ".repo.NoteRepo.recent(NoteRepo.java:58)", pkg + ".service.NoteService.recent(NoteService.java:25)"]),
    ]
    app = Log(log4j2_iso8601)
    out = Log(tomcat_juli)   # catalina.out: Tomcat's own lines plus DBCP's stdout traces
    start, end = at("2024-03-05 06:00:00"), at("2024-03-05 18:00:00")
    noise(rng, app, start, end, 300, pkg)
    for t in spread(rng, start, end, 25):
        out.add(t, "INFO", "http-nio-8080-exec-%d" % rng.randint(1, 150), "org.apache.catalina.core.ApplicationContext.log", "session expired for user %d" % rng.randint(1, 9000))
    for count, site in sites:
        for created in spread(rng, at("2024-03-05 08:30:00"), at("2024-03-05 15:30:00"), count):
            # printed when reclaimed, 5 to 40 minutes after the borrow it names
            out.raw(created + dt.timedelta(minutes=rng.randint(5, 40)), dbcp2_trace(created, site))
    for t in spread(rng, at("2024-03-05 14:10:00"), at("2024-03-05 17:30:00"), 11):
        caller = rng.choice([(pkg + ".repo.OrderRepo.byCustomer(OrderRepo.java:77)", pkg + ".service.OrderService.list(OrderService.java:30)"),
                             (pkg + ".repo.CustomerRepo.get(CustomerRepo.java:51)", pkg + ".service.CustomerService.view(CustomerService.java:22)")])
        app.add(t, "ERROR", "http-nio-8080-exec-%d" % rng.randint(1, 150), pkg + ".web.ErrorAdvice", "request failed", [
            "org.hibernate.exception.GenericJDBCException: Unable to acquire JDBC Connection",
        ] + frames("org.hibernate.exception.internal.StandardSQLExceptionConverter.convert(StandardSQLExceptionConverter.java:42)",
                   "org.hibernate.engine.jdbc.connections.internal.DatasourceConnectionProviderImpl.getConnection(DatasourceConnectionProviderImpl.java:122)",
                   *caller) + [
            "Caused by: java.sql.SQLException: Cannot get a connection, pool error Timeout waiting for idle object, borrowMaxWaitDuration=PT10S",
        ] + frames("org.apache.commons.dbcp2.PoolingDataSource.getConnection(PoolingDataSource.java:142)",
                   "org.apache.commons.dbcp2.BasicDataSource.getConnection(BasicDataSource.java:734)") + [
            "\t... 58 more",
            "Caused by: java.util.NoSuchElementException: Timeout waiting for idle object, borrowMaxWaitDuration=PT10S",
        ] + frames("org.apache.commons.pool2.impl.GenericObjectPool.borrowObject(GenericObjectPool.java:252)",
                   "org.apache.commons.pool2.impl.GenericObjectPool.borrowObject(GenericObjectPool.java:181)",
                   "org.apache.commons.dbcp2.PoolingDataSource.getConnection(PoolingDataSource.java:134)") + ["\t... 59 more"])
    deadlock(app, at("2024-03-05 10:20:00"), pkg, "http-nio-8080-exec-12")
    npe(app, at("2024-03-05 16:05:00"), pkg, "http-nio-8080-exec-31")
    text = app.text().splitlines(keepends=True)
    write("003-unreturned-connections/crm-web-2/logs/crm.log.1.gz", "".join(text[:len(text) // 3]), gz=True)
    write("003-unreturned-connections/crm-web-2/logs/crm.log", "".join(text[len(text) // 3:]))
    write("003-unreturned-connections/crm-web-2/catalina.out", out.text())


# ---- 004: DBCP 1.4 removeAbandoned reclaims connections running slow SQL (seed 004) ----

def seed004():
    rng = random.Random(7004)
    pkg = "com.wmsx.inbound"
    sites = [
        (12, pkg + ".dao.ReceiptDao.aggregateByDock(ReceiptDao.java:318)", pkg + ".service.ReceiptService.closeDay(ReceiptService.java:92)",
         "select dock_id, sum(qty) from receipt_line where biz_date = ? group by dock_id"),
        (5, pkg + ".dao.PutawayDao.listPending(PutawayDao.java:141)", pkg + ".service.PutawayService.plan(PutawayService.java:57)",
         "select * from putaway_task where status = 'PENDING' order by created_at"),
    ]
    for host, layout in (("wms-in-01", bracketed), ("wms-in-02", log4j2_iso8601)):
        log = Log(layout)
        start, end = at("2024-03-05 00:00:00"), at("2024-03-05 20:00:00")
        noise(rng, log, start, end, 280, pkg)
        for count, site, caller, sql in sites:
            n = count // 2 + (1 if host == "wms-in-01" and count % 2 else 0)
            for borrowed in spread(rng, at("2024-03-05 02:00:00"), at("2024-03-05 19:00:00"), n):
                thread = "inbound-worker-%d" % rng.randint(1, 8)
                reclaimed = borrowed + dt.timedelta(seconds=rng.randint(20, 70))
                # DBCP 1.4 prints the abandoned trace on stdout when removeAbandoned fires
                log.raw(reclaimed, [
                    "org.apache.commons.dbcp.AbandonedTrace$AbandonedObjectException: DBCP object created %s by the following code was never closed:" % borrowed.strftime("%Y-%m-%d %H:%M:%S"),
                ] + frames("org.apache.commons.dbcp.AbandonedTrace.setStackTrace(AbandonedTrace.java:139)",
                           "org.apache.commons.dbcp.AbandonedObjectPool.borrowObject(AbandonedObjectPool.java:81)",
                           "org.apache.commons.dbcp.PoolingDataSource.getConnection(PoolingDataSource.java:106)",
                           "org.apache.commons.dbcp.BasicDataSource.getConnection(BasicDataSource.java:1044)",
                           site, caller, pkg + ".job.InboundScheduler.tick(InboundScheduler.java:44)"))
                took = (reclaimed - borrowed).total_seconds() * 1000 + rng.randint(5000, 9000)
                log.add(reclaimed + dt.timedelta(seconds=6), "WARN", thread, pkg + ".db.SqlTimer", "Slow query: %d ms %s" % (took, sql))
                log.add(reclaimed + dt.timedelta(seconds=6, milliseconds=40), "ERROR", thread, caller.split("(")[0].rsplit(".", 1)[0], "batch failed", [
                    "org.springframework.dao.RecoverableDataAccessException: StatementCallback; SQL [%s]; Communications link failure" % sql,
                    "",
                    "The last packet successfully received from the server was 6,003 milliseconds ago.  The last packet sent successfully to the server was 6,003 milliseconds ago.; nested exception is com.mysql.jdbc.exceptions.jdbc4.CommunicationsException: Communications link failure",
                ] + frames("org.springframework.jdbc.support.SQLStateSQLExceptionTranslator.doTranslate(SQLStateSQLExceptionTranslator.java:107)",
                           "org.springframework.jdbc.core.JdbcTemplate.query(JdbcTemplate.java:452)", site, caller) + [
                    "Caused by: com.mysql.jdbc.exceptions.jdbc4.CommunicationsException: Communications link failure",
                    "",
                    "The last packet successfully received from the server was 6,003 milliseconds ago.  The last packet sent successfully to the server was 6,003 milliseconds ago.",
                ] + frames("sun.reflect.NativeConstructorAccessorImpl.newInstance0(Native Method)",
                           "com.mysql.jdbc.Util.handleNewInstance(Util.java:425)",
                           "com.mysql.jdbc.MysqlIO.reuseAndReadPacket(MysqlIO.java:3562)",
                           "com.mysql.jdbc.MysqlIO.sqlQueryDirect(MysqlIO.java:2640)",
                           site, caller) + [
                    "Caused by: java.net.SocketTimeoutException: Read timed out",
                ] + frames("java.net.SocketInputStream.socketRead0(Native Method)",
                           "java.net.SocketInputStream.read(SocketInputStream.java:171)",
                           "com.mysql.jdbc.util.ReadAheadInputStream.fill(ReadAheadInputStream.java:101)",
                           "com.mysql.jdbc.MysqlIO.reuseAndReadPacket(MysqlIO.java:3011)") + ["\t... 19 more"])
                log.add(reclaimed + dt.timedelta(seconds=6, milliseconds=90), "ERROR", thread, pkg + ".service.BatchCommitter", "rollback failed", [
                    "com.mysql.jdbc.exceptions.jdbc4.MySQLNonTransientConnectionException: No operations allowed after connection closed.",
                ] + frames("com.mysql.jdbc.ConnectionImpl.checkClosed(ConnectionImpl.java:1201)",
                           "com.mysql.jdbc.ConnectionImpl.rollback(ConnectionImpl.java:4592)",
                           pkg + ".service.BatchCommitter.rollback(BatchCommitter.java:28)", caller))
        # a small second pool (reporting, HikariCP) timed out once: not an incident on its own
        if host == "wms-in-02":
            log.add(at("2024-03-05 11:17:42"), "WARN", "report-1", pkg + ".report.DailyReport", "report skipped", [
                "java.sql.SQLTransientConnectionException: reportPool - Connection is not available, request timed out after 5000ms.",
            ] + frames("com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)",
                       pkg + ".report.DailyReport.run(DailyReport.java:33)"))
        deadlock(log, at("2024-03-05 09:30:00") + dt.timedelta(seconds=rng.randint(0, 3000)), pkg, "inbound-worker-2")
        text = log.text()
        if host == "wms-in-01":
            lines = text.splitlines(keepends=True)
            write("004-abandoned-removal/%s/inbound.log.1.gz" % host, "".join(lines[:len(lines) // 2]), gz=True)
            write("004-abandoned-removal/%s/inbound.log" % host, "".join(lines[len(lines) // 2:]))
        else:
            write("004-abandoned-removal/%s/inbound.log" % host, text)


if __name__ == "__main__":
    for seed in (seed000, seed001, seed002, seed003, seed004):
        seed()

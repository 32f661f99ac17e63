#!/usr/bin/env python3
"""Deterministic generator of a large, realistic Java-service log corpus for benchmarking stacksift.

Usage:
    gen_corpus.py OUTDIR [--size-mib 1100] [--files 8] [--seed 20231010]

Writes
    OUTDIR/corpus.log            the whole corpus (one file)
    OUTDIR/parts/app-NN.log      the same bytes split into N consecutive time slices (rotated files)
    OUTDIR/corpus.truth.json     totals (bytes, lines, events) overall and per part, plus counts
                                 of the pool-incident signatures that were planted

An *event* is a record that starts with a timestamp line, plus its continuation lines
(stack frames, `Caused by:`, `... N more`, wrapped message lines, blank lines inside a
MySQL CommunicationsException message).  Every record the generator writes starts with a
timestamp line and no continuation line starts with a timestamp, so events == records ==
number of timestamp-led lines.

Speed: a few thousand records are rendered once (per "service": layout, logger names,
stack traces, 64 variants of the numbers in each one-liner); the hot loop only picks a
template, a variant, a thread name and the timestamp, and writes multi-megabyte chunks.
Python 3 stdlib only; no wall clock is read for content (same seed => same bytes).
"""
import argparse
import datetime as _dt
import json
import os
import random
import sys
import time
from collections import Counter

GENERATOR_VERSION = 1
VARIANTS = 64          # number variants per one-line template (power of two, <= 64)
THREADS = 1024         # thread slots per thread group (power of two)
BATCH = 4096           # records per inner batch
START = _dt.datetime(2023, 10, 10, 0, 0, 0)   # local time, zone +08:00
TZ = "+08:00"

# ----------------------------------------------------------------------------------------
# Layouts
# ----------------------------------------------------------------------------------------

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def abbrev_logger(name, width):
    """Logback's %logger{width}: shorten leading package segments to one letter."""
    if len(name) <= width:
        return name
    parts = name.split(".")
    for i in range(len(parts) - 1):
        parts[i] = parts[i][0]
        if len(".".join(parts)) <= width:
            break
    return ".".join(parts)


def log4j_c1(name):
    """Log4j2's %c{1.}"""
    parts = name.split(".")
    return ".".join([p[0] for p in parts[:-1]] + parts[-1:])


class Layout:
    name = ""
    ms_sep = "."
    omitted = "more"          # "... N more" (JDK/log4j2) or "... N common frames omitted" (logback)
    jar_style = None          # None, "logback", "log4j2"

    def day_prefix(self, d):  # date part incl. the separator before HH:MM:SS
        raise NotImplementedError

    def pre(self, level):     # text between the milliseconds and the thread name
        raise NotImplementedError

    def thread(self, t):
        return t

    def head(self, level, logger, method, msg):  # text after the thread name
        raise NotImplementedError


class Logback(Layout):
    # 2023-10-10 16:30:38.123 [thread] LEVEL logger - msg
    name = "logback"
    omitted = "common frames omitted"
    jar_style = "logback"

    def day_prefix(self, d):
        return d.strftime("%Y-%m-%d ")

    def pre(self, level):
        return " ["

    def head(self, level, logger, method, msg):
        return "] %-5s %s - %s" % (level, abbrev_logger(logger, 36), msg)


class Log4j2(Layout):
    # 2023-10-10 16:30:38,123 ERROR [thread] logger: msg
    name = "log4j2"
    ms_sep = ","
    jar_style = "log4j2"

    def day_prefix(self, d):
        return d.strftime("%Y-%m-%d ")

    def pre(self, level):
        return " %-5s [" % level

    def head(self, level, logger, method, msg):
        return "] %s: %s" % (log4j_c1(logger), msg)


class IsoBoot3(Layout):
    # 2023-10-10T16:30:38.123+08:00 ERROR 12345 --- [nio-8080-exec-1] c.a.u.web.UserController  : msg
    name = "iso"
    omitted = "common frames omitted"

    def __init__(self, pid):
        self.pid = pid

    def day_prefix(self, d):
        return d.strftime("%Y-%m-%dT")

    def pre(self, level):
        return "%s %5s %d --- [" % (TZ, level, self.pid)

    def thread(self, t):
        return t[-15:].rjust(15)

    def head(self, level, logger, method, msg):
        lg = abbrev_logger(logger, 39)[:40]
        return "] %-40s : %s" % (lg, msg)


class Tomcat(Layout):
    # 10-Oct-2023 16:30:38.123 SEVERE [thread] class.method msg
    name = "tomcat"
    LEVELS = {"ERROR": "SEVERE", "WARN": "WARNING", "INFO": "INFO", "DEBUG": "FINE"}

    def day_prefix(self, d):
        return "%02d-%s-%04d " % (d.day, MONTHS[d.month - 1], d.year)

    def pre(self, level):
        return " %s [" % self.LEVELS[level]

    def head(self, level, logger, method, msg):
        src = logger if logger.endswith("." + method) else logger + "." + method
        return "] %s %s" % (src, msg)


# ----------------------------------------------------------------------------------------
# Stack frames
# ----------------------------------------------------------------------------------------

JAR_PREFIXES = [
    ("org.springframework.jdbc", "spring-jdbc"),
    ("org.springframework.web.servlet", "spring-webmvc"),
    ("org.springframework.web", "spring-web"),
    ("org.springframework.aop", "spring-aop"),
    ("org.springframework.transaction", "spring-tx"),
    ("org.springframework.orm", "spring-orm"),
    ("org.springframework.cglib", "spring-core"),
    ("org.springframework.scheduling", "spring-context"),
    ("org.springframework.kafka", "spring-kafka"),
    ("org.springframework.dao", "spring-tx"),
    ("org.springframework.http", "spring-web"),
    ("org.springframework.security", "spring-security-web"),
    ("org.springframework.boot", "spring-boot"),
    ("org.apache.catalina", "tomcat-embed-core"),
    ("org.apache.coyote", "tomcat-embed-core"),
    ("org.apache.tomcat", "tomcat-embed-core"),
    ("javax.servlet", "tomcat-embed-core"),
    ("jakarta.servlet", "tomcat-embed-core"),
    ("com.zaxxer.hikari", "HikariCP"),
    ("com.alibaba.druid", "druid"),
    ("com.alibaba.fastjson", "fastjson"),
    ("org.apache.ibatis", "mybatis"),
    ("org.mybatis.spring", "mybatis-spring"),
    ("com.baomidou.mybatisplus", "mybatis-plus-core"),
    ("com.mysql", "mysql-connector-java"),
    ("org.postgresql", "postgresql"),
    ("org.hibernate", "hibernate-core"),
    ("org.apache.commons.dbcp", "commons-dbcp"),
    ("org.apache.commons.pool", "commons-pool"),
    ("org.apache.kafka", "kafka-clients"),
    ("com.fasterxml.jackson", "jackson-databind"),
    ("feign", "feign-core"),
    ("io.lettuce", "lettuce-core"),
    ("java.", "JDK"), ("javax.net", "JDK"), ("sun.", "JDK"), ("jdk.", "JDK"),
    ("com.sun.proxy", "PROXY"),
]

BOOT2_JARS = {
    "spring-jdbc": "spring-jdbc-5.3.20.jar:5.3.20", "spring-webmvc": "spring-webmvc-5.3.20.jar:5.3.20",
    "spring-web": "spring-web-5.3.20.jar:5.3.20", "spring-aop": "spring-aop-5.3.20.jar:5.3.20",
    "spring-tx": "spring-tx-5.3.20.jar:5.3.20", "spring-orm": "spring-orm-5.3.20.jar:5.3.20",
    "spring-core": "spring-core-5.3.20.jar:5.3.20", "spring-context": "spring-context-5.3.20.jar:5.3.20",
    "spring-kafka": "spring-kafka-2.8.6.jar:2.8.6", "spring-boot": "spring-boot-2.7.0.jar:2.7.0",
    "spring-security-web": "spring-security-web-5.7.1.jar:5.7.1",
    "tomcat-embed-core": "tomcat-embed-core-9.0.63.jar:9.0.63", "HikariCP": "HikariCP-4.0.3.jar:na",
    "druid": "druid-1.2.8.jar:1.2.8", "fastjson": "fastjson-1.2.83.jar:na",
    "mybatis": "mybatis-3.5.9.jar:3.5.9", "mybatis-spring": "mybatis-spring-2.0.7.jar:2.0.7",
    "mybatis-plus-core": "mybatis-plus-core-3.5.1.jar:3.5.1",
    "mysql-connector-java": "mysql-connector-java-8.0.29.jar:8.0.29",
    "postgresql": "postgresql-42.3.6.jar:42.3.6", "hibernate-core": "hibernate-core-5.6.9.Final.jar:5.6.9.Final",
    "commons-dbcp": "commons-dbcp-1.4.jar:1.4", "commons-pool": "commons-pool-1.5.4.jar:1.5.4",
    "kafka-clients": "kafka-clients-3.1.1.jar:na", "jackson-databind": "jackson-databind-2.13.3.jar:2.13.3",
    "feign-core": "feign-core-11.8.jar:na", "lettuce-core": "lettuce-core-6.1.8.RELEASE.jar:6.1.8.RELEASE",
}
JDK_VERSION = "1.8.0_352"


def frame_text(fr, style, jars=BOOT2_JARS):
    cls, meth, line, fname = fr
    if line == -1:
        loc = "Native Method"
    elif line == 0:
        loc = "Unknown Source"
    elif line == -2:
        loc = fname
    else:
        loc = "%s:%d" % (fname, line)
    s = "\tat %s.%s(%s)" % (cls, meth, loc)
    if style is None:
        return s
    jar = None
    for p, j in JAR_PREFIXES:
        if cls.startswith(p):
            jar = j
            break
    if style == "logback":
        if jar == "JDK":
            return s + " [na:%s]" % JDK_VERSION
        if jar == "PROXY":
            return s + " ~[na:na]"
        if jar is None:
            return s + " ~[classes!/:na]"
        return s + " ~[%s]" % jars[jar]
    else:  # log4j2 extended throwable
        if jar == "JDK":
            return s + " ~[?:%s]" % JDK_VERSION
        if jar == "PROXY":
            return s + " ~[?:?]"
        if jar is None:
            return s + " ~[classes/:?]"
        return s + " ~[%s]" % jars[jar].replace(":na", ":?")


def F(spec, line=None):
    """'pkg.Class$Inner.method:123' -> frame tuple.  line -1 native, 0 unknown source."""
    if line is None:
        spec, _, ln = spec.rpartition(":")
        line = int(ln)
    cls, _, meth = spec.rpartition(".")
    outer = cls.rsplit(".", 1)[-1].split("$")[0]
    return (cls, meth, line, outer + ".java")


def Fs(*specs):
    return [F(s) for s in specs]


def relined(fr, line):
    return (fr[0], fr[1], line, fr[3])


# Call stacks are lists of frames, OUTERMOST first (Thread.run first).

def web_entry(rng, jakarta=False, legacy=False):
    sv = "jakarta.servlet" if jakarta else "javax.servlet"
    cs = Fs("java.lang.Thread.run:750")
    if not legacy:
        cs += Fs("org.apache.tomcat.util.threads.TaskThread$WrappingRunnable.run:61")
    cs += Fs("java.util.concurrent.ThreadPoolExecutor$Worker.run:624",
             "java.util.concurrent.ThreadPoolExecutor.runWorker:1149",
             "org.apache.tomcat.util.net.SocketProcessorBase.run:49",
             "org.apache.tomcat.util.net.NioEndpoint$SocketProcessor.doRun:1787",
             "org.apache.coyote.AbstractProtocol$ConnectionHandler.process:895",
             "org.apache.coyote.AbstractProcessorLight.process:65",
             "org.apache.coyote.http11.Http11Processor.service:390",
             "org.apache.catalina.connector.CoyoteAdapter.service:360",
             "org.apache.catalina.core.StandardEngineValve.invoke:74",
             "org.apache.catalina.valves.ErrorReportValve.invoke:92",
             "org.apache.catalina.core.StandardHostValve.invoke:126",
             "org.apache.catalina.authenticator.AuthenticatorBase.invoke:542",
             "org.apache.catalina.core.StandardContextValve.invoke:97",
             "org.apache.catalina.core.StandardWrapperValve.invoke:197")
    filters = [
        "org.springframework.web.filter.CharacterEncodingFilter.doFilterInternal:201",
        "org.springframework.web.filter.FormContentFilter.doFilterInternal:93",
        "org.springframework.web.filter.RequestContextFilter.doFilterInternal:100",
        "org.springframework.boot.actuate.metrics.web.servlet.WebMvcMetricsFilter.doFilterInternal:96",
        "org.springframework.security.web.FilterChainProxy.doFilterInternal:218",
        "com.alibaba.druid.support.http.WebStatFilter.doFilter:124",
        "org.springframework.web.filter.CorsFilter.doFilterInternal:91",
    ]
    nf = rng.randint(0, 3) if not legacy else rng.randint(0, 1)
    for f in rng.sample(filters, nf):
        cs += [F("org.apache.catalina.core.ApplicationFilterChain.doFilter:162"),
               F("org.apache.catalina.core.ApplicationFilterChain.internalDoFilter:189")]
        if "doFilterInternal" in f:
            cs.append(F("org.springframework.web.filter.OncePerRequestFilter.doFilter:117"))
        cs.append(F(f))
    cs += [F("org.apache.catalina.core.ApplicationFilterChain.doFilter:162"),
           F("org.apache.catalina.core.ApplicationFilterChain.internalDoFilter:227"),
           F(sv + ".http.HttpServlet.service:764"),
           F("org.springframework.web.servlet.FrameworkServlet.service:883"),
           F(sv + ".http.HttpServlet.service:681"),
           F("org.springframework.web.servlet.FrameworkServlet.doPost:909"),
           F("org.springframework.web.servlet.FrameworkServlet.processRequest:1006"),
           F("org.springframework.web.servlet.DispatcherServlet.doService:963"),
           F("org.springframework.web.servlet.DispatcherServlet.doDispatch:1067"),
           F("org.springframework.web.servlet.mvc.method.AbstractHandlerMethodAdapter.handle:87"),
           F("org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter.handleInternal:808"),
           F("org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter.invokeHandlerMethod:895"),
           F("org.springframework.web.servlet.mvc.method.annotation.ServletInvocableHandlerMethod.invokeAndHandle:117"),
           F("org.springframework.web.method.support.InvocableHandlerMethod.invokeForRequest:150"),
           F("org.springframework.web.method.support.InvocableHandlerMethod.doInvoke:205"),
           F("java.lang.reflect.Method.invoke:498"),
           F("sun.reflect.DelegatingMethodAccessorImpl.invoke:43"),
           F("sun.reflect.NativeMethodAccessorImpl.invoke:62"),
           F("sun.reflect.NativeMethodAccessorImpl.invoke0", -1)]
    return cs


def sched_entry(rng):
    return Fs("java.lang.Thread.run:750",
              "java.util.concurrent.ThreadPoolExecutor$Worker.run:624",
              "java.util.concurrent.ThreadPoolExecutor.runWorker:1149",
              "java.util.concurrent.ScheduledThreadPoolExecutor$ScheduledFutureTask.run:294",
              "java.util.concurrent.ScheduledThreadPoolExecutor$ScheduledFutureTask.access$301:180",
              "java.util.concurrent.FutureTask.runAndReset:308",
              "java.util.concurrent.Executors$RunnableAdapter.call:511",
              "org.springframework.scheduling.support.DelegatingErrorHandlingRunnable.run:54",
              "org.springframework.scheduling.support.ScheduledMethodRunnable.run:84",
              "java.lang.reflect.Method.invoke:498",
              "sun.reflect.DelegatingMethodAccessorImpl.invoke:43",
              "sun.reflect.GeneratedMethodAccessor%d.invoke:0" % rng.randint(80, 400))


def kafka_entry(rng):
    return Fs("java.lang.Thread.run:750",
              "java.util.concurrent.FutureTask.run:266",
              "java.util.concurrent.Executors$RunnableAdapter.call:511",
              "org.springframework.kafka.listener.KafkaMessageListenerContainer$ListenerConsumer.run:1266",
              "org.springframework.kafka.listener.KafkaMessageListenerContainer$ListenerConsumer.pollAndInvoke:1296",
              "org.springframework.kafka.listener.KafkaMessageListenerContainer$ListenerConsumer.invokeListener:2012",
              "org.springframework.kafka.listener.KafkaMessageListenerContainer$ListenerConsumer.invokeRecordListener:2124",
              "org.springframework.kafka.listener.KafkaMessageListenerContainer$ListenerConsumer.doInvokeRecordListener:2520",
              "org.springframework.kafka.listener.KafkaMessageListenerContainer$ListenerConsumer.invokeOnMessage:2593",
              "org.springframework.kafka.listener.adapter.RecordMessagingMessageListenerAdapter.onMessage:57",
              "org.springframework.kafka.listener.adapter.MessagingMessageListenerAdapter.invokeHandler:331",
              "org.springframework.messaging.handler.invocation.InvocableHandlerMethod.invoke:120",
              "org.springframework.messaging.handler.invocation.InvocableHandlerMethod.doInvoke:169",
              "java.lang.reflect.Method.invoke:498",
              "sun.reflect.DelegatingMethodAccessorImpl.invoke:43",
              "sun.reflect.GeneratedMethodAccessor%d.invoke:0" % rng.randint(80, 400))


def tx_proxy(rng, svc_cls, method):
    fr = Fs("org.springframework.aop.framework.CglibAopProxy$DynamicAdvisedInterceptor.intercept:708",
            "org.springframework.aop.framework.ReflectiveMethodInvocation.proceed:186",
            "org.springframework.aop.framework.CglibAopProxy$CglibMethodInvocation.proceed:763",
            "org.springframework.transaction.interceptor.TransactionInterceptor.invoke:119",
            "org.springframework.transaction.interceptor.TransactionAspectSupport.invokeWithinTransaction:388",
            "org.springframework.transaction.interceptor.TransactionInterceptor$1.proceedWithInvocation:123",
            "org.springframework.aop.framework.CglibAopProxy$CglibMethodInvocation.proceed:763",
            "org.springframework.aop.framework.ReflectiveMethodInvocation.proceed:163",
            "org.springframework.aop.framework.CglibAopProxy$CglibMethodInvocation.invokeJoinpoint:793",
            "org.springframework.cglib.proxy.MethodProxy.invoke:218")
    proxy = F("%s$$EnhancerBySpringCGLIB$$%08x.%s" % (svc_cls, rng.getrandbits(32), method), 0)
    return [proxy] + fr


def mybatis_path(rng, mapper_cls, mmethod):
    return [F("com.sun.proxy.$Proxy%d.%s" % (rng.randint(90, 180), mmethod), 0)] + Fs(
        "org.apache.ibatis.binding.MapperProxy.invoke:86",
        "org.apache.ibatis.binding.MapperProxy$PlainMethodInvoker.invoke:145",
        "org.apache.ibatis.binding.MapperMethod.execute:76",
        "org.apache.ibatis.binding.MapperMethod.executeForMany:147",
        "org.mybatis.spring.SqlSessionTemplate.selectList:224",
        "com.sun.proxy.$Proxy%d.selectList:0" % rng.randint(60, 90),
        "sun.reflect.GeneratedMethodAccessor%d.invoke:0" % rng.randint(100, 400),
        "sun.reflect.DelegatingMethodAccessorImpl.invoke:43",
        "java.lang.reflect.Method.invoke:498",
        "org.mybatis.spring.SqlSessionTemplate$SqlSessionInterceptor.invoke:427",
        "org.apache.ibatis.session.defaults.DefaultSqlSession.selectList:140",
        "org.apache.ibatis.session.defaults.DefaultSqlSession.selectList:151",
        "org.apache.ibatis.executor.CachingExecutor.query:89",
        "org.apache.ibatis.executor.CachingExecutor.query:109",
        "org.apache.ibatis.executor.BaseExecutor.query:156",
        "org.apache.ibatis.executor.BaseExecutor.queryFromDatabase:325",
        "org.apache.ibatis.executor.SimpleExecutor.doQuery:62",
        "org.apache.ibatis.executor.SimpleExecutor.prepareStatement:86",
        "org.apache.ibatis.executor.BaseExecutor.getConnection:337",
        "org.mybatis.spring.transaction.SpringManagedTransaction.getConnection:67",
        "org.mybatis.spring.transaction.SpringManagedTransaction.openConnection:80",
        "org.springframework.jdbc.datasource.DataSourceUtils.getConnection:80",
        "org.springframework.jdbc.datasource.DataSourceUtils.doGetConnection:117",
        "org.springframework.jdbc.datasource.DataSourceUtils.fetchConnection:159")


def hibernate3_path(rng, dao_cls, method):
    return [F("%s.%s:%d" % (dao_cls, method, rng.randint(40, 300)))] + Fs(
        "org.springframework.orm.hibernate3.HibernateTemplate.find:840",
        "org.springframework.orm.hibernate3.HibernateTemplate.executeWithNativeSession:374",
        "org.springframework.orm.hibernate3.HibernateTemplate.doExecute:406",
        "org.springframework.orm.hibernate3.HibernateTemplate$30.doInHibernate:849",
        "org.hibernate.impl.QueryImpl.list:79",
        "org.hibernate.impl.SessionImpl.list:1114",
        "org.hibernate.engine.query.HQLQueryPlan.performList:181",
        "org.hibernate.hql.ast.QueryTranslatorImpl.list:379",
        "org.hibernate.loader.hql.QueryLoader.list:338",
        "org.hibernate.loader.Loader.list:2122",
        "org.hibernate.loader.Loader.listIgnoreQueryCache:2125",
        "org.hibernate.loader.Loader.doList:2213",
        "org.hibernate.loader.Loader.doQueryAndInitializeNonLazyCollections:238",
        "org.hibernate.loader.Loader.doQuery:674",
        "org.hibernate.loader.Loader.prepareQueryStatement:1596",
        "org.hibernate.jdbc.AbstractBatcher.prepareQueryStatement:187",
        "org.hibernate.jdbc.AbstractBatcher.getPreparedStatement:534",
        "org.hibernate.jdbc.ConnectionManager.getConnection:168",
        "org.hibernate.jdbc.ConnectionManager.openConnection:446",
        "org.springframework.orm.hibernate3.LocalDataSourceConnectionProvider.getConnection:81")


HIKARI_GET = Fs("com.zaxxer.hikari.HikariDataSource.getConnection:128",
                "com.zaxxer.hikari.pool.HikariPool.getConnection:162",
                "com.zaxxer.hikari.pool.HikariPool.getConnection:197")
HIKARI_TIMEOUT_TOP = [F("com.zaxxer.hikari.pool.HikariPool.createTimeoutException:696")]
DRUID_GET = Fs("com.alibaba.druid.pool.DruidDataSource.getConnection:109",
               "com.alibaba.druid.pool.DruidDataSource.getConnection:1372",
               "com.alibaba.druid.pool.DruidDataSource.getConnection:1380",
               "com.alibaba.druid.filter.FilterChainImpl.dataSource_connect:5055",
               "com.alibaba.druid.filter.stat.StatFilter.dataSource_getConnection:680",
               "com.alibaba.druid.filter.FilterChainImpl.dataSource_connect:5059",
               "com.alibaba.druid.pool.DruidDataSource.getConnectionDirect:1402")
DRUID_TIMEOUT_TOP = [F("com.alibaba.druid.pool.DruidDataSource.getConnectionInternal:1722")]
DBCP_GET = Fs("org.apache.commons.dbcp.BasicDataSource.getConnection:1044",
              "org.apache.commons.dbcp.PoolingDataSource.getConnection:106")
MYSQL8_EXEC = Fs("com.zaxxer.hikari.pool.HikariProxyPreparedStatement.execute:-2",
                 "com.zaxxer.hikari.pool.ProxyPreparedStatement.execute:44",
                 "com.mysql.cj.jdbc.ClientPreparedStatement.execute:354",
                 "com.mysql.cj.jdbc.ClientPreparedStatement.executeInternal:930",
                 "com.mysql.cj.NativeSession.execSQL:1075",
                 "com.mysql.cj.protocol.a.NativeProtocol.sendQueryPacket:951",
                 "com.mysql.cj.protocol.a.NativeProtocol.sendCommand:649",
                 "com.mysql.cj.protocol.a.NativeProtocol.checkErrorMessage:710",
                 "com.mysql.cj.protocol.a.NativeProtocol.readMessage:540",
                 "com.mysql.cj.protocol.a.MultiPacketReader.readHeader:44",
                 "com.mysql.cj.protocol.a.MultiPacketReader.readHeader:54",
                 "com.mysql.cj.protocol.a.TimeTrackingPacketReader.readHeader:41",
                 "com.mysql.cj.protocol.a.TimeTrackingPacketReader.readHeader:52",
                 "com.mysql.cj.protocol.a.SimplePacketReader.readHeader:45",
                 "com.mysql.cj.protocol.a.SimplePacketReader.readHeader:63",
                 "com.mysql.cj.protocol.FullReadInputStream.readFully:64",
                 "java.io.FilterInputStream.read:133",
                 "com.mysql.cj.protocol.ReadAheadInputStream.read:180",
                 "com.mysql.cj.protocol.ReadAheadInputStream.readFromUnderlyingStreamIfNecessary:150",
                 "com.mysql.cj.protocol.ReadAheadInputStream.fill:107",
                 "java.net.SocketInputStream.read:141",
                 "java.net.SocketInputStream.read:171",
                 "java.net.SocketInputStream.socketRead:116")
# HikariPool-N connection adder thread, creating a physical connection (outermost first)
HIKARI_ADDER = Fs("java.lang.Thread.run:750",
                  "java.util.concurrent.ThreadPoolExecutor$Worker.run:624",
                  "java.util.concurrent.ThreadPoolExecutor.runWorker:1149",
                  "java.util.concurrent.FutureTask.run:266",
                  "com.zaxxer.hikari.pool.HikariPool$PoolEntryCreator.call:712",
                  "com.zaxxer.hikari.pool.HikariPool$PoolEntryCreator.call:726",
                  "com.zaxxer.hikari.pool.HikariPool.access$100:71",
                  "com.zaxxer.hikari.pool.HikariPool.createPoolEntry:476",
                  "com.zaxxer.hikari.pool.PoolBase.newPoolEntry:206",
                  "com.zaxxer.hikari.pool.PoolBase.newConnection:364",
                  "com.zaxxer.hikari.util.DriverDataSource.getConnection:138")
DRUID_CREATOR = Fs("com.alibaba.druid.pool.DruidDataSource$CreateConnectionThread.run:2774",
                   "com.alibaba.druid.pool.DruidAbstractDataSource.createPhysicalConnection:1710",
                   "com.alibaba.druid.pool.DruidAbstractDataSource.createPhysicalConnection:1646",
                   "com.alibaba.druid.filter.FilterChainImpl.connection_connect:150",
                   "com.alibaba.druid.filter.stat.StatFilter.connection_connect:218",
                   "com.alibaba.druid.filter.FilterChainImpl.connection_connect:156")
MYSQL8_CONNECT = Fs("com.mysql.cj.jdbc.NonRegisteringDriver.connect:198",
                    "com.mysql.cj.jdbc.ConnectionImpl.getInstance:238",
                    "com.mysql.cj.jdbc.ConnectionImpl.<init>:453",
                    "com.mysql.cj.jdbc.ConnectionImpl.createNewIO:819",
                    "com.mysql.cj.jdbc.ConnectionImpl.connectOneTryOnly:948")
MYSQL8_TOOMANY_TOP = Fs("com.mysql.cj.jdbc.exceptions.SQLExceptionsMapping.translateException:110",
                        "com.mysql.cj.jdbc.exceptions.SQLError.createSQLException:89",
                        "com.mysql.cj.jdbc.exceptions.SQLError.createSQLException:97")[::-1]
MYSQL5_CONNECT = Fs("com.mysql.jdbc.NonRegisteringDriver.connect:327",
                    "com.mysql.jdbc.ConnectionImpl.getInstance:400",
                    "com.mysql.jdbc.Util.handleNewInstance:425",
                    "java.lang.reflect.Constructor.newInstance:423",
                    "sun.reflect.GeneratedConstructorAccessor52.newInstance:0",
                    "com.mysql.jdbc.JDBC4Connection.<init>:49",
                    "com.mysql.jdbc.ConnectionImpl.<init>:792",
                    "com.mysql.jdbc.ConnectionImpl.createNewIO:2153",
                    "com.mysql.jdbc.ConnectionImpl.connectOneTryOnly:2369",
                    "com.mysql.jdbc.ConnectionImpl.coreConnect:2336",
                    "com.mysql.jdbc.MysqlIO.doHandshake:1112")
MYSQL5_TOOMANY_TOP = Fs("sun.reflect.NativeConstructorAccessorImpl.newInstance0:-1",
                        "sun.reflect.NativeConstructorAccessorImpl.newInstance:62",
                        "sun.reflect.DelegatingConstructorAccessorImpl.newInstance:45",
                        "java.lang.reflect.Constructor.newInstance:423",
                        "com.mysql.jdbc.Util.handleNewInstance:425",
                        "com.mysql.jdbc.Util.getInstance:408",
                        "com.mysql.jdbc.SQLError.createSQLException:918")
PG_CONNECT = Fs("org.postgresql.Driver.connect:261",
                "org.postgresql.Driver.makeConnection:402",
                "org.postgresql.jdbc.PgConnection.<init>:223",
                "org.postgresql.core.ConnectionFactory.openConnection:49",
                "org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl:235",
                "org.postgresql.core.v3.ConnectionFactoryImpl.tryConnect:180")
PG_FATAL_TOP = [F("org.postgresql.core.v3.ConnectionFactoryImpl.doAuthentication:646")]

# ----------------------------------------------------------------------------------------
# Exception chains
# ----------------------------------------------------------------------------------------


def chain_text(layout, chain, jars=BOOT2_JARS):
    """chain: list of (header_text, full_trace innermost-first).  Returns continuation lines."""
    style = layout.jar_style
    out = []
    prev = None
    for i, (header, trace) in enumerate(chain):
        out.append(header if i == 0 else "Caused by: " + header)
        if prev is None:
            common = 0
        else:
            m, n = len(trace) - 1, len(prev) - 1
            while m >= 0 and n >= 0 and trace[m] == prev[n]:
                m -= 1
                n -= 1
            common = len(trace) - 1 - m
        for fr in trace[:len(trace) - common]:
            out.append(frame_text(fr, style, jars))
        if common:
            out.append("\t... %d %s" % (common, layout.omitted))
        prev = trace
    return "\n".join(out)


def thrown(cs, depth, top):
    """Trace of an exception created by frames `top` (innermost first) when the call stack was cs[:depth]."""
    return list(top) + cs[:depth][::-1]


def find_depth(cs, cls_meth):
    for i, fr in enumerate(cs):
        if fr[0] + "." + fr[1] == cls_meth:
            return i
    raise KeyError(cls_meth)


# ----------------------------------------------------------------------------------------
# Services
# ----------------------------------------------------------------------------------------

SERVICES = [
    dict(name="order-service", layout=Logback(), pool="hikari", hikari_stats=False, db="mysql8",
         pkg="com.acme.order", nouns=["Order", "Cart", "Coupon", "Refund", "Shipment"], app="OrderApplication"),
    dict(name="trade-core", layout=Logback(), pool="druid", db="mysql5",
         pkg="com.acme.trade", nouns=["Trade", "Settlement", "Ledger", "Position"], app="TradeCoreApplication"),
    dict(name="payment-gateway", layout=Log4j2(), pool="hikari", hikari_stats=False, db="pg",
         pkg="com.acme.pay", nouns=["Payment", "Channel", "Callback", "Reconcile"], app="PaymentGatewayApplication"),
    dict(name="user-center", layout=IsoBoot3(21873), pool="hikari", hikari_stats=True, db="mysql8", jakarta=True,
         pkg="com.acme.user", nouns=["User", "Account", "Address", "Login", "Member"], app="UserCenterApplication"),
    dict(name="legacy-billing", layout=Tomcat(), pool="dbcp", db="mysql5", legacy=True,
         pkg="com.acme.billing", nouns=["Invoice", "Bill", "Tariff", "Statement"], app="billing"),
    dict(name="data-sync", layout=Log4j2(), pool="druid", db="pg",
         pkg="com.acme.sync", nouns=["SyncTask", "Checkpoint", "Dataset", "Partition"], app="DataSyncApplication"),
]

VERBS = ["create", "query", "list", "update", "cancel", "detail", "export", "sync", "close", "confirm",
         "batchQuery", "page", "submit", "audit", "notify", "retry"]
CN_MSGS = ["处理完成", "请求参数校验通过", "开始处理", "缓存命中", "查询成功", "状态更新成功", "回调处理成功",
           "任务执行完毕", "消息发送成功", "幂等校验通过"]
UA = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/117.0.0.0 Safari/537.36",
      "okhttp/4.9.3", "Apache-HttpClient/4.5.13 (Java/1.8.0_352)", "Dalvik/2.1.0 (Linux; U; Android 12; M2012K11AC Build/SKQ1.211006.001)",
      "curl/7.68.0", "PostmanRuntime/7.32.3", "Go-http-client/1.1",
      "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.40"]
TID = "\x00TID\x00"


def snake(noun):
    out = ""
    for i, c in enumerate(noun):
        if c.isupper() and i:
            out += "_"
        out += c.lower()
    return out


def plural(w):
    return w + ("es" if w.endswith(("s", "x", "ch", "sh")) else "s")


class Builder:
    """Builds the template table of one service."""

    def __init__(self, svc, rng, svc_index):
        self.svc = svc
        self.rng = rng
        self.L = svc["layout"]
        self.idx = svc_index
        self.templates = []   # (category, weight, pre, thread_group, variants, has_tid, signatures)
        self.pkg = svc["pkg"]
        self.legacy = svc.get("legacy", False)
        self.jakarta = svc.get("jakarta", False)
        L = self.L
        if self.legacy:
            http = ["http-nio-8080-exec-%d" % i for i in range(1, 151)] + ["ajp-nio-8009-exec-%d" % i for i in range(1, 41)]
        else:
            http = ["http-nio-8080-exec-%d" % i for i in range(1, 201)]
        pool_no = 1
        self.pool_name = "HikariPool-%d" % pool_no
        groups = {
            "http": http,
            "sched": ["scheduling-1", "taskScheduler-1", "taskScheduler-2"] + ["pool-3-thread-%d" % i for i in range(1, 9)],
            "main": ["main"],
            "kafka": ["org.springframework.kafka.KafkaListenerEndpointContainer#0-%d-C-1" % i for i in range(4)],
            "async": ["async-exec-%d" % i for i in range(1, 17)],
            "hk": ["%s housekeeper" % self.pool_name],
            "adder": ["%s connection adder" % self.pool_name],
            "druid": ["Druid-ConnectionPool-Create-%d" % rng.randint(10 ** 8, 2 * 10 ** 9)],
            "druidlog": ["Druid-ConnectionPool-Log-%d" % rng.randint(10 ** 8, 2 * 10 ** 9)],
            "catalina": ["main", "localhost-startStop-1", "ContainerBackgroundProcessor[StandardEngine[Catalina]]"],
        }
        self.groups = {}
        for k, names in groups.items():
            disp = [L.thread(n) for n in names]
            self.groups[k] = [disp[(i * 7919 + (i >> 3)) % len(disp)] for i in range(THREADS)]
        n = svc["nouns"]
        p = self.pkg
        self.controllers = ["%s.controller.%sController" % (p, x) for x in n]
        self.services = ["%s.service.impl.%sServiceImpl" % (p, x) for x in n]
        self.mappers = ["%s.mapper.%sMapper" % (p, x) for x in n]
        self.daos = ["%s.dao.%sDao" % (p, x) for x in n]
        self.jars = dict(BOOT2_JARS)
        if svc["db"] == "mysql5":
            self.jars["mysql-connector-java"] = "mysql-connector-java-5.1.49.jar:5.1.49"
        self.jobs = ["%s.job.%sSyncJob" % (p, x) for x in n] + ["%s.job.%sCleanJob" % (p, x) for x in n[:2]]

    # -- helpers -------------------------------------------------------------------------
    def add(self, category, weight, level, logger, method, group, msg_fn, sigs=(), nvar=VARIANTS):
        """msg_fn(rng) -> message text (may contain newlines for continuation lines, TID placeholder)."""
        L, rng = self.L, self.rng
        pre = L.pre(level)
        vs = []
        has_tid = False
        for _ in range(nvar):
            msg = msg_fn(rng)
            text = L.head(level, logger, method, msg) + "\n"
            if TID in text:
                has_tid = True
            vs.append(text)
        if has_tid:
            vs = [v.replace("%", "%%").replace(TID, "%s") for v in vs]
        vs = [vs[i % len(vs)] for i in range(VARIANTS)]
        self.templates.append((category, weight, pre, self.groups[group], vs, has_tid, tuple(sigs)))

    def call_stack(self, entry, noun_i, verb, to_db=True, depth_app=True):
        """Outermost-first call stack from an entry point down into the data layer (without pool frames)."""
        rng = self.rng
        noun = self.svc["nouns"][noun_i]
        if entry == "web":
            cs = web_entry(rng, self.jakarta, self.legacy)
            cs.append(F("%s.%s%s" % (self.controllers[noun_i], verb, noun), rng.randint(40, 260)))
        elif entry == "sched":
            cs = sched_entry(rng)
            cs.append(F("%s.execute" % rng.choice(self.jobs), rng.randint(30, 120)))
        else:
            cs = kafka_entry(rng)
            cs.append(F("%s.mq.%sEventListener.onMessage" % (self.pkg, noun), rng.randint(30, 120)))
        svc_cls = self.services[noun_i]
        m = "%s%s" % (verb, noun)
        if depth_app and rng.random() < 0.5 and not self.legacy:
            cs += tx_proxy(rng, svc_cls, m)
        cs.append(F("%s.%s" % (svc_cls, m), rng.randint(50, 600)))
        if rng.random() < 0.4:
            cs.append(F("%s.%sInternal" % (svc_cls, m), rng.randint(50, 600)))
        if to_db:
            if self.legacy:
                cs += hibernate3_path(rng, self.daos[noun_i], "find%sBy%s" % (noun, rng.choice(["Id", "Account", "Period", "Status"])))
            else:
                cs += mybatis_path(rng, self.mappers[noun_i], "selectBy%s" % rng.choice(["Id", "UserId", "Status", "OrderNo", "Page"]))
        return cs

    def exec_path(self, cs):
        """Call stack from the app down to PreparedStatement.execute on the pool's statement proxy."""
        if self.legacy:
            d = find_depth(cs, "org.hibernate.loader.Loader.prepareQueryStatement")
            return cs[:d] + Fs("org.hibernate.loader.Loader.getResultSet:1812",
                               "org.hibernate.jdbc.AbstractBatcher.getResultSet:208",
                               "org.apache.commons.dbcp.DelegatingPreparedStatement.executeQuery:96")
        d = find_depth(cs, "org.apache.ibatis.executor.SimpleExecutor.prepareStatement")
        p = cs[:d] + Fs("org.apache.ibatis.executor.statement.RoutingStatementHandler.query:79",
                        "org.apache.ibatis.executor.statement.PreparedStatementHandler.query:64")
        if self.svc["pool"] == "druid":
            p += Fs("com.alibaba.druid.pool.DruidPooledPreparedStatement.execute:497",
                    "com.alibaba.druid.filter.FilterChainImpl.preparedStatement_execute:3461",
                    "com.alibaba.druid.filter.FilterEventAdapter.preparedStatement_execute:440",
                    "com.alibaba.druid.filter.FilterChainImpl.preparedStatement_execute:3459",
                    "com.alibaba.druid.proxy.jdbc.PreparedStatementProxyImpl.execute:158")
        else:
            p += Fs("com.zaxxer.hikari.pool.HikariProxyPreparedStatement.execute:-2",
                    "com.zaxxer.hikari.pool.ProxyPreparedStatement.execute:44")
        return p

    # -- one-liners ----------------------------------------------------------------------
    def build_oneliners(self):
        svc, rng, p = self.svc, self.rng, self.pkg
        nouns = svc["nouns"]
        ri = rng.randint
        # HTTP access logs & controller logs
        for noun in nouns:
            base = "/api/v1/%s" % plural(snake(noun).replace("_", "-"))
            for verb, meth in [("GET", "detail"), ("GET", "list"), ("POST", "create"), ("PUT", "update"),
                               ("POST", "cancel"), ("GET", "page"), ("POST", "batchQuery"), ("DELETE", "remove")]:
                path = base + ("/{id}" if meth in ("detail", "update", "remove") else "/" + meth)
                w = rng.uniform(0.3, 3.0)

                def access(r, verb=verb, path=path):
                    u = path.replace("{id}", str(r.randint(10000, 99999999)))
                    q = "" if r.random() < 0.6 else "?page=%d&size=%d" % (r.randint(1, 50), r.choice([10, 20, 50]))
                    return '%s %s%s status=%d cost=%dms ip=10.%d.%d.%d traceId=%s ua="%s"' % (
                        verb, u, q, r.choice([200] * 12 + [201, 204, 400, 404]), int(r.expovariate(1 / 40.0)) + 1,
                        r.randint(0, 30), r.randint(0, 255), r.randint(1, 254), TID, r.choice(UA))
                self.add("info", w * 2, "INFO", p + ".web.filter.AccessLogFilter", "doFilterInternal", "http", access)

                def ctl(r, noun=noun, meth=meth):
                    return "%s%s request: {\"%sId\":%d,\"userId\":%d,\"channel\":\"%s\",\"clientVersion\":\"%d.%d.%d\"}" % (
                        meth, noun, noun[0].lower() + noun[1:], r.randint(10 ** 6, 10 ** 9), r.randint(10000, 9999999),
                        r.choice(["APP", "H5", "MINI_PROGRAM", "OPEN_API", "PC"]), r.randint(1, 9), r.randint(0, 20), r.randint(0, 99))
                self.add("info", w, "INFO", self.controllers[nouns.index(noun)], meth + noun, "http", ctl)

                def done(r, noun=noun, meth=meth):
                    return "%s%s %s, id=%d, cost=%dms" % (meth, noun, r.choice(CN_MSGS), r.randint(10 ** 6, 10 ** 9),
                                                           int(r.expovariate(1 / 25.0)))
                self.add("info", w * 0.7, "INFO", self.services[nouns.index(noun)], meth + noun, "http", done)
        # SQL debug
        for noun in nouns:
            tbl = "t_" + snake(noun)
            mp = self.mappers[nouns.index(noun)]
            for col in ["id", "user_id", "status", "order_no", "biz_date"]:
                mm = "selectBy" + "".join(x.capitalize() for x in col.split("_"))

                def prep(r, tbl=tbl, col=col):
                    cols = ", ".join(r.sample(["id", "user_id", "status", "amount", "currency", "remark", "version",
                                               "created_at", "updated_at", "deleted", "tenant_id", "ext_info"], r.randint(4, 10)))
                    return "==>  Preparing: SELECT %s FROM %s WHERE %s = ? AND deleted = 0 LIMIT ?" % (cols, tbl, col)
                self.add("info", 0.8, "DEBUG", mp + "." + mm, mm, "http", prep)

                def params(r):
                    return "==> Parameters: %d(Long), %d(Integer)" % (r.randint(1, 10 ** 9), r.choice([1, 10, 20, 100]))
                self.add("info", 0.8, "DEBUG", mp + "." + mm, mm, "http", params)

                def total(r):
                    return "<==      Total: %d" % r.choice([0, 1, 1, 1, 2, 3, 5, 10, 20])
                self.add("info", 0.8, "DEBUG", mp + "." + mm, mm, "http", total)
        # scheduled jobs
        for job in self.jobs:
            def jstart(r, job=job):
                return "[%s] start, shard=%d/%d, batchSize=%d" % (job.rsplit(".", 1)[1], r.randint(0, 7), 8, r.choice([100, 200, 500, 1000]))

            def jend(r, job=job):
                n = r.randint(0, 5000)
                return "[%s] finished, scanned=%d, processed=%d, failed=%d, cost=%dms" % (
                    job.rsplit(".", 1)[1], n, n - r.randint(0, min(n, 20)), r.choice([0, 0, 0, 1, 2]), r.randint(5, 30000))
            self.add("info", 0.6, "INFO", job, "execute", "sched", jstart)
            self.add("info", 0.6, "INFO", job, "execute", "sched", jend)
        # framework chatter
        fw = [
            ("org.springframework.web.servlet.DispatcherServlet", "initServletBean", "DEBUG",
             lambda r: "Completed initialization in %d ms" % r.randint(1, 30)),
            ("org.springframework.kafka.listener.KafkaMessageListenerContainer", "info", "INFO",
             lambda r: "order-group: partitions assigned: [order-events-%d, order-events-%d]" % (r.randint(0, 5), r.randint(6, 11))),
            ("org.apache.kafka.clients.consumer.internals.ConsumerCoordinator", "info", "INFO",
             lambda r: "[Consumer clientId=consumer-%s-%d, groupId=%s] Setting offset for partition %s-events-%d to the committed offset FetchPosition{offset=%d, offsetEpoch=Optional.empty, currentLeader=LeaderAndEpoch{leader=Optional[kafka-%d:9092 (id: %d rack: null)], epoch=%d}}" % (
                 svc["name"], r.randint(1, 4), svc["name"], snake(nouns[0]), r.randint(0, 11), r.randint(10 ** 5, 10 ** 8),
                 r.randint(1, 3), r.randint(1, 3), r.randint(0, 40))),
            ("org.hibernate.SQL", "logStatement", "DEBUG",
             lambda r: "select %s0_.id as id1_%d_, %s0_.status as status2_%d_, %s0_.amount as amount3_%d_ from t_%s %s0_ where %s0_.id=?" % (
                 (nouns[0][0].lower(),) * 1 + (r.randint(1, 9),) + (nouns[0][0].lower(),) + (r.randint(1, 9),) + (nouns[0][0].lower(),)
                 + (r.randint(1, 9),) + (snake(nouns[0]),) + (nouns[0][0].lower(),) * 2)),
            ("io.lettuce.core.RedisClient", "connect", "DEBUG",
             lambda r: "Trying to get a Redis connection for: redis://redis-%d.cache.svc:6379" % r.randint(0, 5)),
            (p + ".cache.RedisCacheService", "get", "DEBUG",
             lambda r: "cache %s key=%s:detail:%d ttl=%ds" % (r.choice(["hit", "hit", "hit", "miss"]), snake(r.choice(nouns)), r.randint(1, 10 ** 8), r.randint(1, 3600))),
            (p + ".client.InventoryClient", "deduct", "INFO",
             lambda r: "[InventoryClient#deduct] <--- HTTP/1.1 200 (%dms)" % r.randint(3, 400)),
            (p + ".client.InventoryClient", "deduct", "DEBUG",
             lambda r: "[InventoryClient#deduct] ---> POST http://inventory-service/api/inventory/deduct HTTP/1.1 Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.%08x" % r.getrandbits(32)),
            ("org.springframework.boot.actuate.health.HealthEndpoint", "health", "DEBUG",
             lambda r: "Health check OK db=UP redis=UP diskSpace=UP (free=%d GB) ping=UP" % r.randint(20, 400)),
            (p + ".mq.EventPublisher", "publish", "INFO",
             lambda r: "消息发送成功 topic=%s-events, key=%d, partition=%d, offset=%d" % (snake(r.choice(nouns)), r.randint(10 ** 6, 10 ** 9), r.randint(0, 11), r.randint(10 ** 5, 10 ** 8))),
            ("org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor", "initialize", "DEBUG",
             lambda r: "Initializing ExecutorService 'asyncExecutor' corePoolSize=%d" % r.choice([8, 16])),
            (p + ".aspect.AuditLogAspect", "around", "INFO",
             lambda r: "audit user=%d action=%s resource=%s result=SUCCESS elapsed=%dms" % (r.randint(10000, 999999), r.choice(VERBS), snake(r.choice(nouns)), r.randint(1, 300))),
        ]
        if svc["pool"] == "hikari":
            fw.append(("com.zaxxer.hikari.pool.HikariPool", "logPoolState", "DEBUG",
                       lambda r: "%s - Pool stats (total=10, active=%d, idle=%d, waiting=0)" % (self.pool_name, *(lambda a: (a, 10 - a))(r.randint(0, 6)))))
            fw.append(("com.zaxxer.hikari.pool.HikariPool", "fillPool", "DEBUG",
                       lambda r: "%s - Fill pool skipped, pool is at sufficient level." % self.pool_name))
        if svc["pool"] == "druid":
            fw.append(("com.alibaba.druid.pool.DruidDataSourceStatLoggerImpl", "log", "INFO",
                       lambda r: '{"url":"jdbc:%s://10.20.1.15:%d/%s","dbType":"%s","name":"DataSource-%d","activeCount":%d,"activePeak":%d,"poolingCount":%d,"connectCount":%d,"closeCount":%d,"executeCount":%d,"commitCount":%d}' % (
                           "mysql" if svc["db"] == "mysql5" else "postgresql", 3306 if svc["db"] == "mysql5" else 5432, svc["name"].replace("-", "_"),
                           "mysql" if svc["db"] == "mysql5" else "postgresql", 1000000000 + self.idx, r.randint(0, 8), r.randint(8, 30), r.randint(2, 10),
                           r.randint(10 ** 5, 10 ** 7), r.randint(10 ** 5, 10 ** 7), r.randint(10 ** 6, 10 ** 8), r.randint(10 ** 5, 10 ** 7))))
        for lg, meth, lvl, fn in fw:
            grp = "sched" if "Stat" in lg or "Health" in lg else ("http" if lg.startswith(p) else "async")
            if "hikari" in lg:
                grp = "hk"
            if "druid" in lg:
                grp = "druidlog"
            self.add("info", rng.uniform(0.3, 2.0), lvl, lg, meth, grp, fn)
        # WARN one-liners
        warns = [
            (p + ".service.impl.%sServiceImpl" % nouns[0], "check", lambda r: "库存不足, skuId=%d, requested=%d, available=%d" % (r.randint(10 ** 5, 10 ** 7), r.randint(2, 50), r.randint(0, 1))),
            (p + ".web.filter.AccessLogFilter", "doFilterInternal", lambda r: "slow request: POST /api/v1/%s/create took %dms traceId=%s" % (plural(snake(r.choice(nouns)).replace("_", "-")), r.randint(3000, 20000), TID)),
            ("org.springframework.web.servlet.mvc.support.DefaultHandlerExceptionResolver", "logException",
             lambda r: "Resolved [org.springframework.web.HttpRequestMethodNotSupportedException: Request method '%s' not supported]" % r.choice(["GET", "PUT", "DELETE"])),
            ("org.springframework.web.servlet.mvc.support.DefaultHandlerExceptionResolver", "logException",
             lambda r: "Resolved [org.springframework.web.bind.MissingServletRequestParameterException: Required request parameter '%sId' for method parameter type Long is not present]" % r.choice(nouns).lower()),
            (p + ".client.InventoryClient", "deduct", lambda r: "[InventoryClient#deduct] retrying (attempt %d of 3) after %dms" % (r.randint(1, 3), r.choice([100, 200, 400]))),
            ("org.apache.kafka.clients.NetworkClient", "processDisconnection",
             lambda r: "[Consumer clientId=consumer-%s-1, groupId=%s] Connection to node %d (kafka-%d/10.0.3.%d:9092) could not be established. Broker may not be available." % (svc["name"], svc["name"], r.randint(1, 3), r.randint(1, 3), r.randint(10, 20))),
            (p + ".service.impl.%sServiceImpl" % nouns[-1], "lock", lambda r: "获取分布式锁失败 key=lock:%s:%d, waited=%dms" % (snake(nouns[-1]), r.randint(10 ** 5, 10 ** 8), r.randint(100, 3000))),
            (p + ".config.RedisConfig", "ping", lambda r: "Redis ping slow: %dms (threshold 200ms)" % r.randint(200, 2000)),
            (p + ".mq.%sEventListener" % nouns[0], "onMessage", lambda r: "duplicate message ignored, msgId=%032x" % r.getrandbits(128)),
            ("org.springframework.context.support.PostProcessorRegistrationDelegate$BeanPostProcessorChecker", "postProcessAfterInitialization",
             lambda r: "Bean 'org.springframework.transaction.annotation.ProxyTransactionManagementConfiguration' of type [org.springframework.transaction.annotation.ProxyTransactionManagementConfiguration] is not eligible for getting processed by all BeanPostProcessors"),
        ]
        for lg, meth, fn in warns:
            self.add("warn", rng.uniform(0.3, 2.0), "WARN", lg, meth, "async" if "kafka" in lg or "Redis" in lg else "http", fn)
        # ERROR one-liners
        errs = [
            (p + ".mq.%sEventListener" % nouns[0], "onMessage", lambda r: "消息处理失败, msgId=%032x, reason=%s" % (r.getrandbits(128), r.choice(["状态不匹配", "参数非法", "下游超时"]))),
            (p + ".client.NotifyClient", "send", lambda r: "Failed to send notification to user %d: HTTP %d" % (r.randint(10000, 999999), r.choice([500, 502, 503, 504]))),
            (p + ".service.impl.%sServiceImpl" % nouns[1], "callback", lambda r: "callback signature mismatch, merchantNo=M%08d, traceId=%s" % (r.randint(1, 10 ** 7), TID)),
            (p + ".job.ReconcileJob", "execute", lambda r: "对账差异 bizDate=2023-10-%02d, diffCount=%d" % (r.randint(1, 28), r.randint(1, 30))),
        ]
        for lg, meth, fn in errs:
            self.add("error", rng.uniform(0.5, 2.0), "ERROR", lg, meth, "async", fn)
        # multi-line info: formatted SQL, pretty JSON, session metrics
        for noun in nouns:
            def fmt_sql(r, noun=noun):
                t = "t_" + snake(noun)
                return ("Executing SQL:\n    select\n        %s0_.id as id1_0_,\n        %s0_.status as status2_0_,\n        %s0_.amount as amount3_0_ \n    from\n        %s %s0_ \n    where\n        %s0_.user_id=? \n        and %s0_.created_at>=?" % (
                    (t[2],) * 3 + (t, t[2], t[2], t[2])))
            self.add("infom", 1.0, "DEBUG", "org.hibernate.SQL", "logStatement", "http", fmt_sql, nvar=4)

            def body(r, noun=noun):
                return "request body:\n{\n  \"%sId\" : %d,\n  \"amount\" : %d.%02d,\n  \"currency\" : \"CNY\",\n  \"remark\" : \"%s\"\n}" % (
                    noun[0].lower() + noun[1:], r.randint(10 ** 6, 10 ** 9), r.randint(1, 99999), r.randint(0, 99), r.choice(CN_MSGS))
            self.add("infom", 1.0, "DEBUG", p + ".web.filter.RequestBodyLoggingFilter", "log", "http", body)

        def metrics(r):
            return ("Session Metrics {\n    %d nanoseconds spent acquiring 1 JDBC connections;\n    0 nanoseconds spent releasing 0 JDBC connections;\n"
                    "    %d nanoseconds spent preparing %d JDBC statements;\n    %d nanoseconds spent executing %d JDBC statements;\n"
                    "    0 nanoseconds spent executing 0 JDBC batches;\n    0 nanoseconds spent performing 0 L2C puts;\n}") % (
                r.randint(10 ** 4, 10 ** 6), r.randint(10 ** 4, 10 ** 6), r.randint(1, 5), r.randint(10 ** 5, 10 ** 8), r.randint(1, 5))
        self.add("infom", 1.0, "INFO", "org.hibernate.engine.internal.StatisticalLoggingSessionEventListener", "end", "http", metrics)

    # -- traces ---------------------------------------------------------------------------
    def add_trace(self, category, weight, level, logger, method, group, msg, chain, sigs=(), msg_fn=None):
        body = chain_text(self.L, chain, self.jars)
        if msg_fn is None:
            def msg_fn(r, msg=msg, body=body):
                return msg + "\n" + body
        else:
            mf = msg_fn

            def msg_fn(r, mf=mf, body=body):
                return mf(r) + "\n" + body
        self.add(category, weight, level, logger, method, group, msg_fn, sigs, nvar=4)

    def servlet_msg(self, outer):
        ctx = "/" + self.svc["app"] if self.legacy else ""
        return ("Servlet.service() for servlet [dispatcherServlet] in context with path [%s] threw exception "
                "[Request processing failed; nested exception is %s] with root cause" % (ctx, outer))

    def servlet_logger(self):
        if isinstance(self.L, Tomcat):
            return ("org.apache.catalina.core.StandardWrapperValve", "invoke")
        ctx = "[/%s]" % self.svc["app"] if self.legacy else "[/]"
        return ("org.apache.catalina.core.ContainerBase.[Tomcat].[localhost].%s.[dispatcherServlet]" % ctx, "invoke")

    def build_generic_traces(self):
        rng = self.rng
        nouns = self.svc["nouns"]
        for k in range(40):
            ni = rng.randrange(len(nouns))
            verb = rng.choice(VERBS)
            entry = rng.choice(["web"] * 5 + ["sched", "kafka"])
            cs = self.call_stack(entry, ni, verb, to_db=False)
            svc_m = cs[-1]
            kind = rng.choice(["npe", "biz", "json", "dup", "feign", "illegal", "redis"])
            grp = {"web": "http", "sched": "sched", "kafka": "kafka"}[entry]
            lg = self.services[ni] if entry != "web" else self.controllers[ni].replace(".controller.", ".web.advice.").rsplit(".", 1)[0] + ".GlobalExceptionHandler"
            if kind == "npe":
                top = [relined(svc_m, svc_m[2] + rng.randint(1, 30))]
                chain = [("java.lang.NullPointerException: null", thrown(cs, len(cs) - 1, top))]
                msg = "系统异常: uri=/api/v1/%s/%s" % (plural(snake(nouns[ni]).replace("_", "-")), verb)
            elif kind == "biz":
                top = [F("%s.common.util.AssertUtil.isTrue" % self.pkg, 31), relined(svc_m, svc_m[2] + rng.randint(1, 30))]
                chain = [("%s.common.exception.BizException: %s状态不允许%s, currentStatus=%s" % (self.pkg, nouns[ni], verb, rng.choice(["CLOSED", "PAID", "INIT"])),
                          thrown(cs, len(cs) - 1, top))]
                msg = "业务异常 code=%d" % rng.randint(40001, 40999)
            elif kind == "json":
                cs2 = cs[:len(web_entry(rng, self.jakarta, self.legacy)) // 2] if entry == "web" else cs
                top = Fs("com.fasterxml.jackson.core.JsonParser._constructError:2337",
                         "com.fasterxml.jackson.core.base.ParserMinimalBase._reportError:720",
                         "com.fasterxml.jackson.core.base.ParserMinimalBase._reportUnexpectedChar:646",
                         "com.fasterxml.jackson.core.json.UTF8StreamJsonParser._handleUnexpectedValue:2682",
                         "com.fasterxml.jackson.core.json.UTF8StreamJsonParser.nextToken:790",
                         "com.fasterxml.jackson.databind.ObjectMapper._readMapAndClose:4674",
                         "com.fasterxml.jackson.databind.ObjectMapper.readValue:3630")
                outer_top = Fs("org.springframework.http.converter.json.AbstractJackson2HttpMessageConverter.readJavaType:391",
                               "org.springframework.http.converter.json.AbstractJackson2HttpMessageConverter.read:343")
                t_outer = thrown(cs2, len(cs2), outer_top)
                t_cause = thrown(cs2, len(cs2), top + outer_top[1:])
                chain = [("org.springframework.http.converter.HttpMessageNotReadableException: JSON parse error: Unexpected character ('%s' (code %d)): was expecting double-quote to start field name" % ("}", 125), t_outer),
                         ("com.fasterxml.jackson.core.JsonParseException: Unexpected character ('}' (code 125)): was expecting double-quote to start field name\n at [Source: (PushbackInputStream); line: %d, column: %d]" % (rng.randint(1, 9), rng.randint(2, 80)), t_cause)]
                msg = "请求参数解析失败"
            elif kind == "dup":
                cs2 = cs + mybatis_path(rng, self.mappers[ni], "insert")[:-6]
                d = len(cs2)
                t1 = thrown(cs2, d - 4, Fs("org.springframework.jdbc.support.SQLErrorCodeSQLExceptionTranslator.doTranslate:247",
                                           "org.springframework.jdbc.support.AbstractFallbackSQLExceptionTranslator.translate:70",
                                           "org.mybatis.spring.MyBatisExceptionTranslator.translateExceptionIfPossible:91"))
                t2 = thrown(cs2, d, Fs("com.mysql.cj.jdbc.exceptions.SQLError.createSQLException:117",
                                       "com.mysql.cj.jdbc.exceptions.SQLExceptionsMapping.translateException:122",
                                       "com.mysql.cj.jdbc.ClientPreparedStatement.executeInternal:953",
                                       "com.mysql.cj.jdbc.ClientPreparedStatement.execute:370",
                                       "com.zaxxer.hikari.pool.ProxyPreparedStatement.execute:44"))
                key = "uk_%s_no" % snake(nouns[ni])
                chain = [("org.springframework.dao.DuplicateKeyException: \n### Error updating database.  Cause: java.sql.SQLIntegrityConstraintViolationException: Duplicate entry '%d' for key '%s'\n### The error may exist in %s/mapper/%sMapper.xml\n### The error occurred while executing an update\n### Cause: java.sql.SQLIntegrityConstraintViolationException: Duplicate entry '%d' for key '%s'\n; Duplicate entry '%d' for key '%s'; nested exception is java.sql.SQLIntegrityConstraintViolationException: Duplicate entry '%d' for key '%s'" % (
                    (rng.randint(10 ** 8, 10 ** 9), key, self.pkg.replace(".", "/"), nouns[ni]) + (rng.randint(10 ** 8, 10 ** 9), key) * 3), t1),
                    ("java.sql.SQLIntegrityConstraintViolationException: Duplicate entry '%d' for key '%s'" % (rng.randint(10 ** 8, 10 ** 9), key), t2)]
                msg = "保存失败, 重复提交"
            elif kind == "feign":
                sock = Fs("java.net.SocketInputStream.socketRead0:-1", "java.net.SocketInputStream.socketRead:116",
                          "java.net.SocketInputStream.read:171", "java.net.SocketInputStream.read:141",
                          "java.io.BufferedInputStream.fill:246", "java.io.BufferedInputStream.read1:286",
                          "java.io.BufferedInputStream.read:345", "sun.net.www.http.HttpClient.parseHTTPHeader:735",
                          "sun.net.www.http.HttpClient.parseHTTP:678", "sun.net.www.protocol.http.HttpURLConnection.getInputStream0:1593",
                          "sun.net.www.protocol.http.HttpURLConnection.getInputStream:1498", "java.net.HttpURLConnection.getResponseCode:480",
                          "feign.Client$Default.convertResponse:110", "feign.Client$Default.execute:106")
                # call path into the feign proxy, outermost first
                fcs = cs + Fs("com.sun.proxy.$Proxy%d.deduct:0" % rng.randint(100, 200),
                              "feign.ReflectiveFeign$FeignInvocationHandler.invoke:100",
                              "feign.SynchronousMethodHandler.invoke:89")
                t1 = thrown(fcs, len(fcs), Fs("feign.FeignException.errorExecuting:268", "feign.SynchronousMethodHandler.executeAndDecode:129"))
                t2 = thrown(fcs, len(fcs), sock + [F("feign.SynchronousMethodHandler.executeAndDecode:119")])
                chain = [("feign.RetryableException: Read timed out executing POST http://inventory-service/api/inventory/deduct", t1),
                         ("java.net.SocketTimeoutException: Read timed out", t2)]
                msg = "调用库存服务失败"
            elif kind == "illegal":
                top = [F("org.springframework.util.Assert.state", 76), relined(svc_m, svc_m[2] + 3)]
                chain = [("java.lang.IllegalStateException: %s not found: %d" % (nouns[ni], rng.randint(10 ** 6, 10 ** 9)), thrown(cs, len(cs) - 1, top))]
                msg = "处理失败"
            else:
                top = Fs("io.lettuce.core.internal.ExceptionFactory.createTimeoutException:59",
                         "io.lettuce.core.internal.Futures.awaitOrCancel:246",
                         "io.lettuce.core.FutureSyncInvocationHandler.handleInvocation:75",
                         "io.lettuce.core.internal.AbstractInvocationHandler.invoke:80",
                         "com.sun.proxy.$Proxy%d.get:0" % rng.randint(100, 200),
                         "org.springframework.data.redis.connection.lettuce.LettuceStringCommands.get:59",
                         "%s.cache.RedisCacheService.get:%d" % (self.pkg, rng.randint(30, 90)))
                chain = [("org.springframework.dao.QueryTimeoutException: Redis command timed out; nested exception is io.lettuce.core.RedisCommandTimeoutException: Command timed out after 3 second(s)", thrown(cs, len(cs), [F("org.springframework.data.redis.connection.lettuce.LettuceExceptionConverter.convert:70")] + top[5:][::-1])),
                         ("io.lettuce.core.RedisCommandTimeoutException: Command timed out after 3 second(s)", thrown(cs, len(cs), top))]
                msg = "缓存读取失败"
            level = "ERROR"
            cat = "errort"
            if kind in ("biz", "json") and rng.random() < 0.5:
                level, cat = "WARN", "warnt"
            if entry == "web" and rng.random() < 0.3 and kind in ("npe", "illegal"):
                lg2, m2 = self.servlet_logger()
                self.add_trace(cat, 1.0, level, lg2, m2, grp, self.servlet_msg(chain[0][0]), chain[-1:])
            else:
                self.add_trace(cat, 1.0, level, lg, "handle", grp, msg, chain)

    # -- incidents ------------------------------------------------------------------------
    def build_incidents(self):
        svc, rng = self.svc, self.rng
        nouns = svc["nouns"]
        pool, db = svc["pool"], svc["db"]
        pn = self.pool_name

        def app_stack(entry=None):
            ni = rng.randrange(len(nouns))
            verb = rng.choice(VERBS)
            entry = entry or rng.choice(["web"] * 4 + ["sched", "kafka"])
            cs = self.call_stack(entry, ni, verb, to_db=True)
            grp = {"web": "http", "sched": "sched", "kafka": "kafka"}[entry]
            lg = self.services[ni]
            return cs, grp, lg, "%s%s" % (verb, nouns[ni])

        def db_fail_cause(kind):
            """Physical-connection failure created on the pool's creator thread."""
            if db == "mysql8":
                cs = (HIKARI_ADDER if pool == "hikari" else DRUID_CREATOR) + MYSQL8_CONNECT
                return ('java.sql.SQLNonTransientConnectionException: Data source rejected establishment of connection,  message from server: "Too many connections"',
                        thrown(cs, len(cs), MYSQL8_TOOMANY_TOP)), ("mysql_too_many_connections",)
            if db == "mysql5":
                cs = (HIKARI_ADDER if pool == "hikari" else DRUID_CREATOR) + MYSQL5_CONNECT
                return ('com.mysql.jdbc.exceptions.jdbc4.MySQLNonTransientConnectionException: Data source rejected establishment of connection,  message from server: "Too many connections"',
                        thrown(cs, len(cs), MYSQL5_TOOMANY_TOP)), ("mysql_too_many_connections",)
            cs = (HIKARI_ADDER if pool == "hikari" else DRUID_CREATOR) + PG_CONNECT
            if kind == 0:
                return ("org.postgresql.util.PSQLException: FATAL: remaining connection slots are reserved for non-replication superuser connections",
                        thrown(cs, len(cs), PG_FATAL_TOP)), ("pg_too_many_connections",)
            return ("org.postgresql.util.PSQLException: FATAL: sorry, too many clients already",
                    thrown(cs, len(cs), PG_FATAL_TOP)), ("pg_too_many_connections",)

        # pool timeouts -----------------------------------------------------------------
        for k in range(24):
            cs, grp, lg, m = app_stack()
            if pool == "hikari":
                cs2 = cs + HIKARI_GET
                total = 10 if rng.random() < 0.7 else 20
                waiting = rng.randint(1, 60)
                stats = " (total=%d, active=%d, idle=0, waiting=%d)" % (total, total, waiting) if svc.get("hikari_stats") else "."
                timeout = rng.choice([30000, 30000, 30001, 30004, 5000])
                pmsg = "%s - Connection is not available, request timed out after %dms%s" % (pn, timeout, stats)
                pex = "java.sql.SQLTransientConnectionException: " + pmsg
                sigs = ["hikari_pool_timeout"]
                pool_trace = thrown(cs2, len(cs2), HIKARI_TIMEOUT_TOP)
            elif pool == "druid":
                cs2 = cs + DRUID_GET
                mx = rng.choice([20, 30, 50])
                if db == "pg" and rng.random() < 0.6:
                    active, cec = rng.choice([0, 0, 1, 2]), rng.randint(100, 20000)
                    pmsg = "wait millis %d, active %d, maxActive %d, creating 0, createErrorCount %d" % (rng.choice([5000, 6000]), active, mx, cec)
                else:
                    pmsg = "wait millis %d, active %d, maxActive %d, creating %d" % (rng.choice([5000, 3000, 10000]), mx, mx, rng.choice([0, 0, 1]))
                pex = "com.alibaba.druid.pool.GetConnectionTimeoutException: " + pmsg
                sigs = ["druid_pool_timeout"]
                pool_trace = thrown(cs2, len(cs2), DRUID_TIMEOUT_TOP)
            else:  # dbcp 1.4
                cs2 = cs + DBCP_GET
                pmsg = "Cannot get a connection, pool error Timeout waiting for idle object"
                pex = "org.apache.commons.dbcp.SQLNestedException: " + pmsg
                sigs = ["dbcp_pool_exhausted"]
                pool_trace = thrown(cs2, len(cs2) - 1, [F("org.apache.commons.dbcp.PoolingDataSource.getConnection:114")])
            chain = []
            if self.legacy:
                d = find_depth(cs2, "org.springframework.orm.hibernate3.HibernateTemplate.doExecute")
                chain.append(("org.springframework.jdbc.CannotGetJdbcConnectionException: Could not open Hibernate Session: Cannot open connection; nested exception is %s" % pex,
                              thrown(cs2, d, Fs("org.springframework.orm.hibernate3.SessionFactoryUtils.convertHibernateAccessException:%d" % 597,
                                                "org.springframework.orm.hibernate3.HibernateAccessor.convertHibernateAccessException:412"))))
                d2 = find_depth(cs2, "org.hibernate.jdbc.ConnectionManager.openConnection")
                chain.append(("org.hibernate.exception.GenericJDBCException: Cannot open connection",
                              thrown(cs2, d2 + 1, Fs("org.hibernate.exception.SQLStateConverter.handledNonSpecificException:140",
                                                     "org.hibernate.exception.SQLStateConverter.convert:128",
                                                     "org.hibernate.exception.JDBCExceptionHelper.convert:66",
                                                     "org.hibernate.exception.JDBCExceptionHelper.convert:52",
                                                     "org.hibernate.jdbc.ConnectionManager.openConnection:449"))))
            else:
                use_mybatis_wrap = rng.random() < 0.4
                if use_mybatis_wrap:
                    d = find_depth(cs2, "org.mybatis.spring.SqlSessionTemplate$SqlSessionInterceptor.invoke")
                    mapper_m = [f for f in cs2 if f[0].startswith("com.sun.proxy.$Proxy")][0][1]
                    mfile = "%s/mapper/%sMapper.java" % (self.pkg.replace(".", "/"), rng.choice(nouns))
                    chain.append(("org.mybatis.spring.MyBatisSystemException: nested exception is org.apache.ibatis.exceptions.PersistenceException: \n"
                                  "### Error querying database.  Cause: org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection; nested exception is %s\n"
                                  "### The error may exist in %s (best guess)\n### The error may involve %s.%s\n### The error occurred while executing a query\n"
                                  "### Cause: org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection; nested exception is %s" % (
                                      pex, mfile, self.mappers[0], mapper_m, pex),
                                  thrown(cs2, d + 1, [F("org.mybatis.spring.MyBatisExceptionTranslator.translateExceptionIfPossible:96"),
                                                      F("org.mybatis.spring.SqlSessionTemplate$SqlSessionInterceptor.invoke:441")])))
                    d = find_depth(cs2, "org.apache.ibatis.session.defaults.DefaultSqlSession.selectList")
                    chain.append(("org.apache.ibatis.exceptions.PersistenceException: \n### Error querying database.  Cause: org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection; nested exception is %s\n### The error occurred while executing a query" % pex,
                                  thrown(cs2, d + 1, [F("org.apache.ibatis.exceptions.ExceptionFactory.wrapException:30"),
                                                      F("org.apache.ibatis.session.defaults.DefaultSqlSession.selectList:153")])))
                d = find_depth(cs2, "org.springframework.jdbc.datasource.DataSourceUtils.getConnection")
                chain.append(("org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection; nested exception is %s" % pex,
                              thrown(cs2, d, [F("org.springframework.jdbc.datasource.DataSourceUtils.getConnection:83")])))
            chain.append((pex, pool_trace))
            if pool == "dbcp":
                chain.append(("java.util.NoSuchElementException: Timeout waiting for idle object",
                              thrown(cs2, len(cs2), [F("org.apache.commons.pool.impl.GenericObjectPool.borrowObject:1174")])))
            elif (pool == "hikari" and rng.random() < 0.3) or (pool == "druid" and "createErrorCount" in pmsg):
                cause, csig = db_fail_cause(k % 2)
                chain.append(cause)
                sigs += list(csig)
            grp_lg = lg
            if self.legacy or (rng.random() < 0.3 and grp == "http"):
                lg2, m2 = self.servlet_logger()
                self.add_trace("incident", 1.0, "ERROR", lg2, m2, grp, self.servlet_msg(chain[0][0].split("\n")[0]),
                               chain[-1:] if not self.legacy else chain[-2:], sigs)
            else:
                self.add_trace("incident", 1.0, "ERROR", grp_lg, m, grp, rng.choice(["下单失败", "查询失败", "系统异常", "%s failed" % m]), chain, sigs)
        if pool == "dbcp":
            self.add("incident", 2.0, "ERROR", "org.hibernate.util.JDBCExceptionReporter", "logExceptions", "http",
                     lambda r: "Cannot get a connection, pool error Timeout waiting for idle object", ("dbcp_pool_exhausted",))
            self.add("incident", 2.0, "WARN", "org.hibernate.util.JDBCExceptionReporter", "logExceptions", "http",
                     lambda r: "SQL Error: 0, SQLState: null", ())
        # druid create-connection errors ---------------------------------------------------
        if pool == "druid":
            for k in range(4):
                cause, csig = db_fail_cause(k % 2)
                if db == "mysql5":
                    hdr = "create connection SQLException, url: jdbc:mysql://10.20.1.15:3306/%s?useUnicode=true&characterEncoding=utf8&useSSL=false, errorCode 1040, state 08004" % svc["name"].replace("-", "_")
                else:
                    hdr = "create connection SQLException, url: jdbc:postgresql://10.20.2.%d:5432/%s, errorCode 0, state 53300" % (rng.randint(5, 30), svc["name"].replace("-", "_"))
                self.add_trace("incident", 1.5, "ERROR", "com.alibaba.druid.pool.DruidDataSource", "run", "druid", hdr,
                               [cause], ("druid_create_error",) + csig)
        # hikari leak detection + unleaked + lifecycle warnings -------------------------------
        if pool == "hikari":
            for k in range(8):
                cs, grp, lg, m = app_stack("web" if k % 3 else "sched")
                d = find_depth(cs, "org.springframework.jdbc.datasource.DataSourceUtils.fetchConnection")
                trace = thrown(cs, d + 1, [F("com.zaxxer.hikari.HikariDataSource.getConnection:128")])
                drv = "com.mysql.cj.jdbc.ConnectionImpl" if db == "mysql8" else "org.postgresql.jdbc.PgConnection"

                def leak_msg(r, drv=drv, grp=grp):
                    th = "http-nio-8080-exec-%d" % r.randint(1, 200) if grp == "http" else "scheduling-1"
                    return "Connection leak detection triggered for %s@%08x on thread %s, stack trace follows" % (drv, r.getrandbits(32), th)
                self.add_trace("incident", 1.0, "WARN", "com.zaxxer.hikari.pool.ProxyLeakTask", "run", "hk", None,
                               [("java.lang.Exception: Apparent connection leak detected", trace)], ("hikari_leak_detected",), msg_fn=leak_msg)

                def unleak(r, drv=drv):
                    return "Previously reported leaked connection %s@%08x on thread http-nio-8080-exec-%d was returned to the pool (unleaked)" % (drv, r.getrandbits(32), r.randint(1, 200))
            self.add("incident", 3.0, "INFO", "com.zaxxer.hikari.pool.ProxyLeakTask", "cancel", "http", unleak, ("hikari_unleaked",))
            self.add("incident", 1.0, "WARN", "com.zaxxer.hikari.pool.HikariPool", "run", "hk",
                     lambda r: "%s - Thread starvation or clock leap detected (housekeeper delta=%dm%ds%dms)." % (pn, r.randint(1, 3), r.randint(0, 59), r.randint(0, 999)),
                     ("hikari_housekeeper_delta",))
            self.add("incident", 1.0, "WARN", "com.zaxxer.hikari.pool.PoolBase", "isConnectionAlive", "http",
                     lambda r: "%s - Failed to validate connection com.mysql.cj.jdbc.ConnectionImpl@%08x (No operations allowed after connection closed.). Possibly consider using a shorter maxLifetime value." % (pn, r.getrandbits(32)),
                     ("hikari_validate_failed",))
        # communications link failure -------------------------------------------------------
        for k in range(6):
            cs, grp, lg, m = app_stack()
            if self.legacy or db != "mysql8":
                if db == "pg":
                    continue
                # Connector/J 5.1 (jdbc4)
                cs2 = self.exec_path(cs)
                top = Fs("sun.reflect.NativeConstructorAccessorImpl.newInstance0:-1",
                         "sun.reflect.NativeConstructorAccessorImpl.newInstance:62",
                         "sun.reflect.DelegatingConstructorAccessorImpl.newInstance:45",
                         "java.lang.reflect.Constructor.newInstance:423",
                         "com.mysql.jdbc.Util.handleNewInstance:425",
                         "com.mysql.jdbc.SQLError.createCommunicationsException:990",
                         "com.mysql.jdbc.MysqlIO.reuseAndReadPacket:3562",
                         "com.mysql.jdbc.MysqlIO.reuseAndReadPacket:3462",
                         "com.mysql.jdbc.MysqlIO.checkErrorPacket:3905",
                         "com.mysql.jdbc.MysqlIO.sendCommand:2530",
                         "com.mysql.jdbc.MysqlIO.sqlQueryDirect:2683",
                         "com.mysql.jdbc.ConnectionImpl.execSQL:2486",
                         "com.mysql.jdbc.PreparedStatement.executeInternal:1858",
                         "com.mysql.jdbc.PreparedStatement.execute:1197")
                ms = rng.choice([1001, 15003, 60012, 120034])
                hdr = ("com.mysql.jdbc.exceptions.jdbc4.CommunicationsException: Communications link failure\n\n"
                       "The last packet successfully received from the server was %s milliseconds ago.  The last packet sent successfully to the server was %s milliseconds ago." % (format(ms, ","), format(ms, ",")))
                t1 = thrown(cs2, len(cs2), top)
                t2 = thrown(cs2, len(cs2), Fs("java.net.SocketInputStream.socketRead0:-1", "java.net.SocketInputStream.socketRead:116",
                                               "java.net.SocketInputStream.read:171", "java.net.SocketInputStream.read:141",
                                               "com.mysql.jdbc.util.ReadAheadInputStream.fill:101",
                                               "com.mysql.jdbc.util.ReadAheadInputStream.readFromUnderlyingStreamIfNecessary:144",
                                               "com.mysql.jdbc.util.ReadAheadInputStream.read:174",
                                               "com.mysql.jdbc.MysqlIO.readFully:3011",
                                               "com.mysql.jdbc.MysqlIO.reuseAndReadPacket:3472") + top[-7:])
                chain = [(hdr, t1), ("java.net.SocketTimeoutException: Read timed out", t2)]
            else:
                cs2 = self.exec_path(cs) + MYSQL8_EXEC[2:]
                ms = rng.choice([1001, 15003, 60012, 120034, 3600178])
                msg = ("Communications link failure\n\nThe last packet successfully received from the server was %s milliseconds ago. "
                       "The last packet sent successfully to the server was %s milliseconds ago." % (format(ms, ","), format(ms, ",")))
                d_exec = find_depth(cs2, "com.mysql.cj.jdbc.ClientPreparedStatement.executeInternal")
                d_rm = find_depth(cs2, "com.mysql.cj.protocol.a.NativeProtocol.readMessage")
                t1 = thrown(cs2, d_exec, Fs("com.mysql.cj.jdbc.exceptions.SQLError.createCommunicationsException:174",
                                            "com.mysql.cj.jdbc.exceptions.SQLExceptionsMapping.translateException:64",
                                            "com.mysql.cj.jdbc.ClientPreparedStatement.executeInternal:916"))
                t2 = thrown(cs2, d_rm, Fs("sun.reflect.NativeConstructorAccessorImpl.newInstance0:-1",
                                          "sun.reflect.NativeConstructorAccessorImpl.newInstance:62",
                                          "sun.reflect.DelegatingConstructorAccessorImpl.newInstance:45",
                                          "java.lang.reflect.Constructor.newInstance:423",
                                          "com.mysql.cj.exceptions.ExceptionFactory.createException:61",
                                          "com.mysql.cj.exceptions.ExceptionFactory.createException:105",
                                          "com.mysql.cj.exceptions.ExceptionFactory.createException:151",
                                          "com.mysql.cj.exceptions.ExceptionFactory.createCommunicationsException:167",
                                          "com.mysql.cj.protocol.a.NativeProtocol.readMessage:546"))
                t3 = thrown(cs2, len(cs2), [F("java.net.SocketInputStream.socketRead0", -1)])
                chain = [("com.mysql.cj.jdbc.exceptions.CommunicationsException: " + msg, t1),
                         ("com.mysql.cj.exceptions.CJCommunicationsException: " + msg, t2),
                         ("java.net.SocketTimeoutException: Read timed out", t3)]
            outer = ("org.springframework.dao.RecoverableDataAccessException: \n### Error querying database.  Cause: %s\n; Communications link failure; nested exception is %s" % (
                chain[0][0].split("\n")[0].split(": ", 1)[0] + ": Communications link failure", chain[0][0].split("\n")[0]))
            t0 = thrown(cs2, find_depth(cs2, "org.mybatis.spring.SqlSessionTemplate$SqlSessionInterceptor.invoke") + 1,
                        Fs("org.springframework.jdbc.support.SQLExceptionSubclassTranslator.doTranslate:100",
                           "org.springframework.jdbc.support.AbstractFallbackSQLExceptionTranslator.translate:70",
                           "org.springframework.jdbc.support.AbstractFallbackSQLExceptionTranslator.translate:79",
                           "org.mybatis.spring.MyBatisExceptionTranslator.translateExceptionIfPossible:91",
                           "org.mybatis.spring.SqlSessionTemplate$SqlSessionInterceptor.invoke:441")) if not self.legacy else None
            if t0 is not None:
                chain = [(outer, t0)] + chain
            self.add_trace("incident", 1.2, "ERROR", lg, m, grp, rng.choice(["查询失败", "数据库访问异常", "%s failed" % m]), chain,
                           ("mysql_communications_link_failure",))

    def build_startup(self):
        """Records written once when the service first appears (banner, pool lifecycle)."""
        svc = self.svc
        n0 = len(self.templates)
        self.add("startup", 0, "INFO", "%s.%s" % (self.pkg, svc["app"] if not self.legacy else "BillingContextListener"), "main", "main",
                 lambda r: "Starting %s v1.%d.%d using Java 1.8.0_352 on %s-%x with PID %d" % (svc["app"], r.randint(0, 9), r.randint(0, 20), svc["name"], r.getrandbits(24), r.randint(1000, 30000)), nvar=1)
        self.add("startup", 0, "INFO", "%s.config.DataSourceConfig" % self.pkg, "init", "main",
                 lambda r: "init datasource url=jdbc:%s://10.20.1.15:%d/%s?user=app_rw&password=Pa55w0rd!%s&useSSL=false" % (
                     "postgresql" if svc["db"] == "pg" else "mysql", 5432 if svc["db"] == "pg" else 3306, svc["name"].replace("-", "_"), svc["name"][:3]), nvar=1)
        if svc["pool"] == "hikari":
            self.add("startup", 0, "INFO", "com.zaxxer.hikari.HikariDataSource", "getConnection", "main", lambda r: "%s - Starting..." % self.pool_name, ("hikari_lifecycle",), nvar=1)
            self.add("startup", 0, "INFO", "com.zaxxer.hikari.HikariDataSource", "getConnection", "main", lambda r: "%s - Start completed." % self.pool_name, ("hikari_lifecycle",), nvar=1)
        if svc["pool"] == "druid":
            self.add("startup", 0, "INFO", "com.alibaba.druid.pool.DruidDataSource", "init", "main", lambda r: "{dataSource-1} inited", nvar=1)
        self.add("startup", 0, "INFO", "%s.%s" % (self.pkg, svc["app"] if not self.legacy else "BillingContextListener"), "main", "main",
                 lambda r: "Started %s in %d.%03d seconds (JVM running for %d.%03d)" % (svc["app"], r.randint(8, 40), r.randint(0, 999), r.randint(10, 45), r.randint(0, 999)), nvar=1)
        return list(range(n0, len(self.templates)))

    def build(self):
        startup = self.build_startup()
        self.build_oneliners()
        self.build_generic_traces()
        self.build_incidents()
        return startup


CATEGORY_SHARE = {  # share of records
    "info": 0.85, "infom": 0.02, "warn": 0.08, "warnt": 0.005, "error": 0.015, "errort": 0.025,
}
INCIDENT_QUIET, INCIDENT_STORM, STORM_P = 0.0015, 0.019, 0.2   # ~0.5% of records overall


def cum_weights(templates, incident_share):
    shares = dict(CATEGORY_SHARE)
    shares["incident"] = incident_share
    shares["startup"] = 0.0
    tot = {}
    for t in templates:
        tot[t[0]] = tot.get(t[0], 0.0) + t[1]
    cum, acc = [], 0.0
    for t in templates:
        if t[1] > 0 and tot[t[0]] > 0:
            acc += shares[t[0]] * t[1] / tot[t[0]]
        cum.append(acc)
    return cum


# ----------------------------------------------------------------------------------------
# Main loop
# ----------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir")
    ap.add_argument("--size-mib", type=float, default=1100)
    ap.add_argument("--files", type=int, default=8)
    ap.add_argument("--seed", type=int, default=20231010)
    args = ap.parse_args()

    t_start = time.monotonic()
    rng = random.Random(args.seed)
    os.makedirs(os.path.join(args.outdir, "parts"), exist_ok=True)

    services = []
    for i, svc in enumerate(SERVICES):
        b = Builder(svc, random.Random(args.seed * 31 + i), i)
        startup = b.build()
        T = [(t[2], t[3], t[4], t[5]) for t in b.templates]
        sigs = [t[6] for t in b.templates]
        L = svc["layout"]
        services.append(dict(name=svc["name"], layout=L, T=T, sigs=sigs, startup=startup,
                             cats=[t[0] for t in b.templates],
                             cum_quiet=cum_weights(b.templates, INCIDENT_QUIET),
                             cum_storm=cum_weights(b.templates, INCIDENT_STORM),
                             started=False))
    n_templates = sum(len(s["T"]) for s in services)

    HMS = ["%02d:%02d:%02d" % (s // 3600, s // 60 % 60, s % 60) for s in range(86400)]
    MS_DOT = [".%03d" % i for i in range(1000)]
    MS_COMMA = [",%03d" % i for i in range(1000)]
    TIDS = ["%016x" % rng.getrandbits(64) for _ in range(65536)]
    # inter-record gaps in ms: mostly busy, sometimes idle; mean ~26 ms
    DELTAS = [min(int(rng.expovariate(1 / 22.0)), 5000) for _ in range(8191)] + [2500] * 1

    target = int(args.size_mib * 1024 * 1024)
    nfiles = max(1, args.files)
    part_target = target / nfiles
    corpus = open(os.path.join(args.outdir, "corpus.log"), "wb")
    part_paths = [os.path.join(args.outdir, "parts", "app-%02d.log" % i) for i in range(nfiles)]
    part_i = 0
    part = open(part_paths[0], "wb")
    parts_info = [dict(name=os.path.basename(p), bytes=0, lines=0, events=0, first=None, last=None, firstUtc=None, lastUtc=None)
                  for p in part_paths]

    total_bytes = total_lines = total_events = 0
    tmpl_counts = Counter()
    cat_counts = Counter()
    t_ms = 9 * 3600 * 1000 + 1234   # corpus starts 2023-10-10 09:00:01.234 local
    day_cache = {}

    def secfmt(layout, s):
        day = s // 86400
        key = (layout.name, day)
        dp = day_cache.get(key)
        if dp is None:
            dp = layout.day_prefix(START + _dt.timedelta(days=day))
            day_cache[key] = dp
        return dp + HMS[s % 86400]

    def utc_text(t):
        d = START - _dt.timedelta(hours=8) + _dt.timedelta(milliseconds=t)
        return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t % 1000)

    def ts_text(layout, t):
        s = t // 1000
        return secfmt(layout, s) + (MS_COMMA if layout.ms_sep == "," else MS_DOT)[t % 1000] + (TZ if layout.name == "iso" else "")

    choices = rng.choices
    gb = rng.getrandbits
    pending = []
    pending_bytes = 0
    done = False
    while not done:
        svc = services[rng.randrange(len(services))]
        L = svc["layout"]
        storm = rng.random() < STORM_P
        cum = svc["cum_storm"] if storm else svc["cum_quiet"]
        T = svc["T"]
        MSL = MS_COMMA if L.ms_sep == "," else MS_DOT
        n_left = rng.randint(5000, 60000)
        idx_range = range(len(T))
        first_batch = True
        next_sec = -1
        base = 0
        sp = ""
        while n_left > 0 and not done:
            k = min(BATCH, n_left)
            idxs = choices(idx_range, cum_weights=cum, k=k)
            if first_batch and not svc["started"]:
                idxs = svc["startup"] + idxs[len(svc["startup"]):]
                svc["started"] = True
            first_batch = False
            ds = choices(DELTAS, k=k)
            out = []
            ap_ = out.append
            t0 = t_ms + ds[0]
            for i, d in zip(idxs, ds):
                t_ms += d
                if t_ms >= next_sec:
                    s = t_ms // 1000
                    base = s * 1000
                    next_sec = base + 1000
                    sp = secfmt(L, s)
                pre, grp, vs, tidf = T[i]
                r = gb(16)
                post = vs[r >> 10]
                if tidf:
                    post = post % TIDS[gb(16)]
                ap_(sp + MSL[t_ms - base] + pre + grp[r & 1023] + post)
            n_left -= k
            cnt = Counter(idxs)
            for i, c in cnt.items():
                tmpl_counts[(svc["name"], i)] += c
            data = "".join(out).encode("utf-8")
            nb = len(data)
            nl = data.count(b"\n")
            corpus.write(data)
            part.write(data)
            pi = parts_info[part_i]
            pi["bytes"] += nb
            pi["lines"] += nl
            pi["events"] += k
            if pi["first"] is None:
                pi["first"] = ts_text(L, t0)
                pi["firstUtc"] = utc_text(t0)
            pi["last"] = ts_text(L, t_ms)
            pi["lastUtc"] = utc_text(t_ms)
            total_bytes += nb
            total_lines += nl
            total_events += k
            if total_bytes >= target:
                done = True
            elif total_bytes >= part_target * (part_i + 1) and part_i + 1 < nfiles:
                part.close()
                part_i += 1
                part = open(part_paths[part_i], "wb")
    corpus.close()
    part.close()

    signatures = Counter()
    categories = Counter()
    by_service = Counter()
    sname = {s["name"]: s for s in services}
    for (name, i), c in tmpl_counts.items():
        s = sname[name]
        for sig in s["sigs"][i]:
            signatures[sig] += c
        categories[s["cats"][i]] += c
        by_service[name] += c
    elapsed = time.monotonic() - t_start
    truth = dict(
        generator="Benchmarks/gen_corpus.py", generator_version=GENERATOR_VERSION, seed=args.seed,
        size_mib=args.size_mib, files=nfiles, templates=n_templates,
        file="corpus.log", bytes=total_bytes, lines=total_lines, events=total_events,
        first=parts_info[0]["first"], last=parts_info[part_i]["last"],
        firstUtc=parts_info[0]["firstUtc"], lastUtc=parts_info[part_i]["lastUtc"], zone=TZ,
        parts=[p for p in parts_info if p["bytes"] > 0],
        records_by_category=dict(sorted(categories.items())),
        records_by_service=dict(sorted(by_service.items())),
        signature_events=dict(sorted(signatures.items())),
        notes=("Timestamps are local time in zone +08:00 (only the ISO layout says so; analyse with --timezone +08:00). "
               "events = records = timestamp-led lines; signature_events counts events that contain each planted "
               "pool/DB signature (one event can carry several, e.g. a Hikari timeout caused by 'Too many connections'). "
               "Decoys that are not pool incidents: feign/redis read timeouts, DuplicateKeyException, Hikari 'Pool stats' DEBUG lines."),
    )
    with open(os.path.join(args.outdir, "corpus.truth.json"), "w") as f:
        json.dump(truth, f, indent=2, ensure_ascii=False)
        f.write("\n")
    sys.stderr.write("gen_corpus: %d bytes (%.1f MiB), %d lines, %d events, %d parts, %d templates in %.1f s\n" % (
        total_bytes, total_bytes / 1048576, total_lines, total_events, len(truth["parts"]), n_templates, elapsed))


if __name__ == "__main__":
    main()

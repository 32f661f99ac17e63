#!/usr/bin/env python3
"""Generate the bundled samples/ for stacksift, deterministically.

Five scenarios, one per seed incident (see /work/shared/DOMAIN.md). Every scenario
directory holds 2-3 log files (plain, gzip, LZ4 frame, zstd; one name that lies) and a
hidden ground-truth file `.truth.json` computed by re-reading the written files with the
framing rules stacksift uses (see `frame_events`).

Python 3 standard library only, plus the `lz4` and `zstd` command-line tools.
No wall clock: every time is derived from fixed bases and `random.Random(seed)`.

Usage: scripts/gen_samples.py [--out samples] [--check]
"""

import argparse
import datetime as _dt
import gzip
import io
import json
import os
import re
import shutil
import subprocess
import sys
import random

EPOCH = _dt.datetime(1970, 1, 1)
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


# ----------------------------------------------------------------------------------------
# time helpers (all times are epoch milliseconds, UTC)

def T(s):
    """'2023-10-10 16:30:38' (UTC) -> epoch ms."""
    d = _dt.datetime.strptime(s, "%Y-%m-%d %H:%M:%S")
    return int((d - EPOCH).total_seconds()) * 1000


def civil(ms, offset_h=0):
    return EPOCH + _dt.timedelta(milliseconds=ms + offset_h * 3600 * 1000)


def iso_utc(ms):
    if ms is None:
        return None
    d = civil(ms)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


def ts_logback(ms):
    return civil(ms).strftime("%Y-%m-%d %H:%M:%S.") + "%03d" % (ms % 1000)


def ts_log4j(ms):
    return civil(ms).strftime("%Y-%m-%d %H:%M:%S,") + "%03d" % (ms % 1000)


def ts_iso8(ms):
    return civil(ms, 8).strftime("%Y-%m-%dT%H:%M:%S.") + "%03d+08:00" % (ms % 1000)


def ts_bracket(ms):
    return civil(ms).strftime("[%Y-%m-%d %H:%M:%S]")


def ts_tomcat(ms):
    d = civil(ms)
    return "%02d-%s-%04d %s.%03d" % (d.day, MONTHS[d.month - 1], d.year, d.strftime("%H:%M:%S"), ms % 1000)


def ts_plain(ms):
    return civil(ms).strftime("%Y-%m-%d %H:%M:%S")


def ts_nano(ms, rng, k=0):
    """Container runtime time: a little after the application's own timestamp (k-th line)."""
    d = civil(ms)
    nanos = (ms % 1000) * 1_000_000 + 40_000 + k * 9_000 + rng.randint(0, 8_000)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%09dZ" % nanos


# ----------------------------------------------------------------------------------------
# records and exceptions

class Exc:
    """A Java exception chain: [(header, [(frame, jar)], omitted)], outermost first."""

    def __init__(self):
        self.causes = []

    def add(self, header, frames, omitted=0):
        self.causes.append((header, frames, omitted))
        return self


class Rec:
    """One log record. `raw` lines (header-less output such as DBCP traces) bypass layouts."""
    __slots__ = ("t", "level", "thread", "logger", "msg", "exc", "raw", "extra")

    def __init__(self, t, level=None, thread=None, logger=None, msg=None, exc=None, raw=None, extra=None):
        self.t, self.level, self.thread, self.logger, self.msg = t, level, thread, logger, msg
        self.exc, self.raw, self.extra = exc, raw, extra


TOMCAT_LEVEL = {"ERROR": "SEVERE", "WARN": "WARNING", "INFO": "INFO", "DEBUG": "FINE"}


def short_logger(name, width=39):
    """Logback-style abbreviation (c.a.d.pool.DruidDataSource)."""
    parts = name.split(".")
    if len(name) <= width:
        return name
    out = parts[:]
    for i in range(len(out) - 1):
        out[i] = out[i][0]
        if len(".".join(out)) <= width:
            break
    return ".".join(out)


def header_line(layout, r):
    lv = r.level
    if layout == "logback":
        return "%s [%s] %-5s %s - %s" % (ts_logback(r.t), r.thread, lv, short_logger(r.logger), r.msg)
    if layout == "log4j":
        return "%s %-5s [%s] %s: %s" % (ts_log4j(r.t), lv, r.thread, r.logger, r.msg)
    if layout == "iso8":
        th = r.thread[-15:]
        return "%s %5s 1 --- [%15s] %-40s : %s" % (ts_iso8(r.t), lv, th, short_logger(r.logger), r.msg)
    if layout == "bracket":
        return "%s %-5s [%s] %s - %s" % (ts_bracket(r.t), lv, r.thread, short_logger(r.logger, 30), r.msg)
    if layout == "tomcat":
        return "%s %s [%s] %s %s" % (ts_tomcat(r.t), TOMCAT_LEVEL[lv], r.thread, r.logger, r.msg)
    raise ValueError(layout)


def exc_lines(layout, exc):
    """Renders an exception the way the layout's framework prints it."""
    out = []
    logback = layout in ("logback", "iso8")
    for i, (hdr, frames, omitted) in enumerate(exc.causes):
        out.append(hdr if i == 0 else "Caused by: " + hdr)
        for fr, jar in frames:
            if logback and jar:
                out.append("\tat %s ~[%s]" % (fr, jar))
            else:
                out.append("\tat " + fr)
        if omitted:
            out.append(("\t... %d common frames omitted" if logback else "\t... %d more") % omitted)
    return out


def render(layout, recs):
    """Logical lines of a file (no container wrapping)."""
    lines = []
    for r in recs:
        if r.raw is not None:
            lines.extend(r.raw)
            continue
        lines.append(header_line(layout, r))
        if r.extra:
            lines.extend(r.extra)
        if r.exc:
            lines.extend(exc_lines(layout, r.exc))
    # a message or exception header may hold line breaks: physical lines are what a file holds
    return [x for ln in lines for x in ln.split("\n")]


def go_json_escape(s):
    """Docker (Go encoding/json) escaping: HTML-safe, \\t, \\n, \\u00XX."""
    out = []
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ch in "<>&" or o < 0x20:
            out.append("\\u%04x" % o)
        else:
            out.append(ch)
    return "".join(out)


def wrap_docker(recs, layout, rng, split_at=16384):
    """Docker json-file records: one per line; lines longer than 16K split without \\n."""
    out = []
    for r in recs:
        lines = render(layout, [r])
        for k, ln in enumerate(lines):
            b = ln
            pieces = []
            while len(b.encode()) > split_at:
                pieces.append(b[:split_at])
                b = b[split_at:]
            pieces.append(b + "\n")
            for p in pieces:
                out.append('{"log":"%s","stream":"%s","time":"%s"}' % (
                    go_json_escape(p), "stdout", ts_nano(r.t, rng, k)))
    return out


def wrap_cri(recs, layout, rng, split_at=16384):
    """CRI records: `TIME stdout F line`; long lines as P partials then F."""
    out = []
    for r in recs:
        for k, ln in enumerate(render(layout, [r])):
            ts = ts_nano(r.t, rng, k)
            b = ln
            while len(b.encode()) > split_at:
                out.append("%s stdout P %s" % (ts, b[:split_at]))
                b = b[split_at:]
            out.append("%s stdout F %s" % (ts, b))
    return out


# ----------------------------------------------------------------------------------------
# compression (deterministic)

def gz_member(data):
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as f:
        f.write(data)
    return buf.getvalue()


def tool(cmd, data):
    return subprocess.run(cmd, input=data, stdout=subprocess.PIPE, check=True).stdout


def lz4_frame(data):
    return tool(["lz4", "-q", "-c"], data)


def zstd_frame(data):
    return tool(["zstd", "-q", "-c"], data)


def split_bytes_at_lines(data, parts):
    """Splits into `parts` chunks at line boundaries (members/frames of one stream)."""
    if parts <= 1:
        return [data]
    cuts = []
    for k in range(1, parts):
        pos = data.find(b"\n", len(data) * k // parts)
        cuts.append(pos + 1)
    chunks, prev = [], 0
    for c in cuts:
        chunks.append(data[prev:c])
        prev = c
    chunks.append(data[prev:])
    return chunks


def encode(data, enc, parts=1):
    if enc == "plain":
        return data
    chunks = split_bytes_at_lines(data, parts)
    f = {"gzip": gz_member, "lz4": lz4_frame, "zstd": zstd_frame}[enc]
    return b"".join(f(c) for c in chunks)


def decode(raw):
    """Content-sniffed decode, for verification (handles concatenated members/frames)."""
    if raw[:2] == b"\x1f\x8b":
        return tool(["gzip", "-dc"], raw)
    if raw[:4] == b"\x04\x22\x4d\x18":
        return tool(["lz4", "-dc"], raw)
    if raw[:4] == b"\x28\xb5\x2f\xfd":
        return tool(["zstd", "-dc"], raw)
    return raw


# ----------------------------------------------------------------------------------------
# framing rules (mirror of stacksift's EventAssembler) used to compute the ground truth

_ISO = re.compile(r"(\d{4})([-/])(\d\d)\2(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:[.,](\d+))?")
_TOM = re.compile(r"(\d\d)-([A-Z][a-z]{2})-(\d{4}) (\d\d):(\d\d):(\d\d)(?:[.,](\d+))?")
_ZONE = re.compile(r" ?(Z|[+-](\d\d)(?::?(\d\d))?)")


def parse_ts(s, i):
    """Timestamp starting exactly at i -> epoch ms (zone-less = UTC), else None."""
    if len(s) - i < 10 or not s[i].isdigit():
        return None
    m = None
    if s[i + 2:i + 3] == "-":
        m = _TOM.match(s, i)
        if m and m.group(2) in MONTHS:
            d, mo, y = int(m.group(1)), MONTHS.index(m.group(2)) + 1, int(m.group(3))
            hh, mm, ss, fr = int(m.group(4)), int(m.group(5)), int(m.group(6)), m.group(7)
        else:
            m = None
    if m is None:
        m = _ISO.match(s, i)
        if not m:
            return None
        y, mo, d = int(m.group(1)), int(m.group(3)), int(m.group(4))
        hh, mm, ss, fr = int(m.group(5)), int(m.group(6)), int(m.group(7)), m.group(8)
    if not (1 <= mo <= 12 and 1 <= d <= 31 and hh < 24 and mm < 60 and ss < 61):
        return None
    millis = int((fr or "0")[:3].ljust(3, "0"))
    try:
        base = _dt.datetime(y, mo, d)
    except ValueError:
        base = _dt.datetime(y, mo, 1) + _dt.timedelta(days=d - 1)
    local = int((base - EPOCH).total_seconds()) + hh * 3600 + mm * 60 + ss
    off = 0
    z = _ZONE.match(s, m.end())
    if z:
        if z.group(1) == "Z":
            off = 0
        else:
            oh, om = int(z.group(2)), int(z.group(3) or 0)
            if oh <= 14 and om < 60:
                off = (oh * 3600 + om * 60) * (-1 if z.group(1)[0] == "-" else 1)
    return (local - off) * 1000 + millis


def find_ts(s, max_prefix=48):
    n = len(s)
    if n < 10:
        return None
    c = s[0]

    def scan(start):
        limit = min(n - 10, max_prefix)
        i = start
        while i <= limit:
            ch = s[i]
            if ch == "\t":
                return None
            if ch.isdigit():
                if s[i - 1] in " [|:=":
                    t = parse_ts(s, i)
                    if t is not None:
                        return t
                while i <= limit and s[i].isdigit():
                    i += 1
                continue
            i += 1
        return None

    if c.isdigit():
        t = parse_ts(s, 0)
        return t if t is not None else scan(1)
    if c == "[":
        t = parse_ts(s, 1)
        return t if t is not None else scan(2)
    if c in " \t":
        return None
    return scan(1)


STARTERS = ["DBCP object created ", "Pooled object created ",
            "org.apache.commons.dbcp.AbandonedTrace$AbandonedObjectException: ",
            "Exception in thread \"", "Full thread dump "]
LEVELS = ["ERROR", "WARN", "INFO", "DEBUG", "TRACE", "FATAL", "SEVERE", "WARNING", "NOTICE"]
_STANZA = re.compile(r'"[^"]{0,198}" (#|daemon|prio=)')


def header(line):
    """(is_header, time_or_None) for one logical line."""
    if not line or line[0] in "\t ":
        return False, None
    t = find_ts(line)
    if t is not None:
        return True, t
    if line[0] in "Ca.#":
        return False, None
    if line[0] == '"':
        return (bool(_STANZA.match(line[:200])), None)
    for st in STARTERS:
        if line.startswith(st):
            i = len(st)
            while i <= min(len(line) - 10, 160):
                if line[i].isdigit() and line[i - 1] == " ":
                    t = parse_ts(line, i)
                    if t is not None:
                        return True, t
                i += 1
            return True, None
    p = line[1:] if line[0] == "[" else line
    if len(p) >= 4 and "A" <= p[0] <= "Z":
        for lv in LEVELS:
            if p.startswith(lv):
                return (len(p) == len(lv) or p[len(lv)] in " :]\t|"), None
    return False, None


def unwrap(text):
    """Physical lines -> logical lines (Docker json-file / CRI unwrapped). Returns (kind, lines)."""
    phys = text.split("\n")
    if phys and phys[-1] == "":
        phys.pop()
    kind = None
    for ln in phys:
        if ln:
            if ln.startswith("{") and re.match(r'\{ *"log":', ln):
                kind = "docker"
            elif re.match(r"\d{4}-\d\d-\d\dT\S* (stdout|stderr) [PF]( |$)", ln):
                kind = "cri"
            break
    if kind is None:
        return None, [ln[:-1] if ln.endswith("\r") else ln for ln in phys]
    out, pending = [], None

    def flush():
        nonlocal pending
        if pending:
            out.extend(pending.split("\n"))
        pending = None

    for ln in phys:
        if kind == "docker":
            try:
                obj = json.loads(ln)
                s = obj["log"]
            except Exception:
                flush()
                out.append(ln)
                continue
            ends = False
            while s.endswith("\n") or s.endswith("\r"):
                if s.endswith("\n"):
                    ends = True
                s = s[:-1]
            pending = (pending or "") + s
            if ends:
                flush()
        else:
            m = re.match(r"\d{4}-\d\d-\d\dT\S* (stdout|stderr) ([PF])(?: |$)", ln)
            if not m:
                flush()
                out.append(ln)
                continue
            payload = ln[m.end():]
            if m.group(2) == "P":
                pending = (pending or "") + payload
            elif not pending:
                out.append(payload)
            else:
                pending += payload
                flush()
    flush()
    return kind, out


def frame_events(lines):
    """Logical lines -> events [(time_ms_or_None, text)]; untimed events take the previous time."""
    events = []
    cur, cur_t = None, None
    prev_t = None
    for ln in lines:
        is_h, t = header(ln)
        if is_h or cur is None:
            if cur is not None:
                events.append((cur_t, "\n".join(cur)))
            cur = [ln]
            if is_h and t is not None:
                cur_t = prev_t = t
            else:
                cur_t = prev_t
        else:
            cur.append(ln)
    if cur is not None:
        events.append((cur_t, "\n".join(cur)))
    return events


# Incident signatures: an event counts once per id when its text matches anywhere.
SIGNATURES = {
    "druid.get-connection-timeout": r"GetConnectionTimeoutException: wait millis \d+",
    "druid.abandon-connection": r"abandon connection, owner thread: ",
    "druid.create-connection-error": r"create connection (?:SQLException|error|RuntimeException|Error), url: ",
    "druid.stat": r"\b[Pp]oolingCount\"?\s*[:=]",
    "hikari.connection-timeout": r"Connection is not available, request timed out after \d+ms",
    "hikari.leak-detection": r"Connection leak detection triggered",
    "hikari.pool-start": r"HikariPool-\d+ - (?:Starting\.\.\.|Start completed\.)",
    "hikari.pool-shutdown": r"HikariPool-\d+ - (?:Shutdown initiated\.\.\.|Shutdown completed\.)",
    "dbcp.pool-exhausted": r"Cannot get a connection, pool error Timeout waiting for idle object|NoSuchElementException: Timeout waiting for idle object",
    "dbcp.abandoned-trace": r"(?:DBCP|Pooled) object created .{0,40}? by the following code (?:was never closed|has not been returned to the pool)",
    "mysql.too-many-connections": r"Too many connections",
    "mysql.communications-link-failure": r"Communications link failure",
    "postgres.too-many-connections": r"remaining connection slots are reserved for|sorry, too many clients already|too many connections for role",
    "jdbc.connection-closed": r"No operations allowed after connection closed",
    "jdbc.socket-read-timeout": r"SocketTimeoutException: Read timed out",
    "spring.cannot-get-connection": r"CannotGetJdbcConnectionException",
}
INFORMATIONAL = {"druid.stat", "hikari.pool-start", "hikari.pool-shutdown"}
_SIG = {k: re.compile(v) for k, v in SIGNATURES.items()}
_APPFRAME = re.compile(r"^\s*at (com\.acme\.[\w$.]+)\.([\w$<>]+)\(", re.M)
_POOLNUM = re.compile(r"HikariPool-(\d+)")


def truth_for(scenario_dir, files):
    """files: [(relpath, encoding, parts, stored_bytes)] -> truth dict (re-reads the disk)."""
    out_files = {}
    counts = {k: 0 for k in SIGNATURES}
    times = {k: [None, None] for k in SIGNATURES}
    leak_sites = {}
    max_pool = None
    first_any, last_any = None, None
    for rel, enc, parts in files:
        raw = open(os.path.join(scenario_dir, rel), "rb").read()
        data = decode(raw)
        text = data.decode("utf-8")
        nlines = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
        kind, logical = unwrap(text)
        evs = frame_events(logical)
        ev_times = [t for t, _ in evs if t is not None]
        info = {
            "encoding": enc,
            "stored_bytes": len(raw),
            "bytes": len(data),
            "lines": nlines,
            "events": len(evs),
            "container": kind,
        }
        if enc != "plain":
            info[{"gzip": "gzip_members", "lz4": "lz4_frames", "zstd": "zstd_frames"}[enc]] = parts
        if kind:
            info["logical_lines"] = len(logical)
        info["first_time"] = iso_utc(min(ev_times)) if ev_times else None
        info["last_time"] = iso_utc(max(ev_times)) if ev_times else None
        fcounts = {}
        for t, ev in evs:
            hit = False
            for k, rx in _SIG.items():
                if rx.search(ev):
                    counts[k] += 1
                    fcounts[k] = fcounts.get(k, 0) + 1
                    if t is not None:
                        lo, hi = times[k]
                        times[k] = [t if lo is None else min(lo, t), t if hi is None else max(hi, t)]
                    if k not in INFORMATIONAL:
                        hit = True
                    if k == "dbcp.abandoned-trace":
                        m = _APPFRAME.search(ev)
                        site = m.group(1) + "." + m.group(2) if m else None
                        leak_sites[site] = leak_sites.get(site, 0) + 1
            if hit and t is not None:
                first_any = t if first_any is None else min(first_any, t)
                last_any = t if last_any is None else max(last_any, t)
            for m in _POOLNUM.finditer(ev):
                n = int(m.group(1))
                max_pool = n if max_pool is None else max(max_pool, n)
        info["incident_events"] = dict(sorted(fcounts.items()))
        out_files[rel] = info
    return {
        "files": out_files,
        "incident_events": counts,
        "incident_times": {k: {"first": iso_utc(v[0]), "last": iso_utc(v[1])}
                           for k, v in times.items() if counts[k]},
        "leak_sites": dict(sorted(leak_sites.items(), key=lambda kv: (-kv[1], kv[0] or ""))),
        "max_hikari_pool": max_pool,
        "first_incident_time": iso_utc(first_any),
        "last_incident_time": iso_utc(last_any),
    }


# ----------------------------------------------------------------------------------------
# shared frames and noise

def J(frames, jar):
    return [(f, jar) for f in frames]


JDK = "na:1.8.0_362"
TOMCAT_FRAMES = J([
    "org.apache.catalina.core.ApplicationFilterChain.internalDoFilter(ApplicationFilterChain.java:227)",
    "org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:162)",
    "org.apache.catalina.core.StandardWrapperValve.invoke(StandardWrapperValve.java:197)",
    "org.apache.catalina.core.StandardContextValve.invoke(StandardContextValve.java:97)",
    "org.apache.catalina.authenticator.AuthenticatorBase.invoke(AuthenticatorBase.java:541)",
    "org.apache.catalina.core.StandardHostValve.invoke(StandardHostValve.java:135)",
    "org.apache.catalina.valves.ErrorReportValve.invoke(ErrorReportValve.java:92)",
    "org.apache.catalina.core.StandardEngineValve.invoke(StandardEngineValve.java:78)",
    "org.apache.catalina.connector.CoyoteAdapter.service(CoyoteAdapter.java:360)",
    "org.apache.coyote.http11.Http11Processor.service(Http11Processor.java:399)",
    "org.apache.coyote.AbstractProcessorLight.process(AbstractProcessorLight.java:65)",
    "org.apache.coyote.AbstractProtocol$ConnectionHandler.process(AbstractProtocol.java:890)",
    "org.apache.tomcat.util.net.NioEndpoint$SocketProcessor.doRun(NioEndpoint.java:1789)",
    "org.apache.tomcat.util.net.SocketProcessorBase.run(SocketProcessorBase.java:49)",
    "org.apache.tomcat.util.threads.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1191)",
    "org.apache.tomcat.util.threads.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:659)",
    "org.apache.tomcat.util.threads.TaskThread$WrappingRunnable.run(TaskThread.java:61)",
], "tomcat-embed-core-9.0.60.jar:9.0.60") + [("java.lang.Thread.run(Thread.java:750)", JDK)]

SPRING_MVC = J([
    "org.springframework.web.method.support.InvocableHandlerMethod.doInvoke(InvocableHandlerMethod.java:205)",
    "org.springframework.web.method.support.InvocableHandlerMethod.invokeForRequest(InvocableHandlerMethod.java:150)",
    "org.springframework.web.servlet.mvc.method.annotation.ServletInvocableHandlerMethod.invokeAndHandle(ServletInvocableHandlerMethod.java:117)",
    "org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter.invokeHandlerMethod(RequestMappingHandlerAdapter.java:895)",
    "org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter.handleInternal(RequestMappingHandlerAdapter.java:808)",
    "org.springframework.web.servlet.mvc.method.AbstractHandlerMethodAdapter.handle(AbstractHandlerMethodAdapter.java:87)",
    "org.springframework.web.servlet.DispatcherServlet.doDispatch(DispatcherServlet.java:1067)",
    "org.springframework.web.servlet.DispatcherServlet.doService(DispatcherServlet.java:963)",
    "org.springframework.web.servlet.FrameworkServlet.processRequest(FrameworkServlet.java:1006)",
    "org.springframework.web.servlet.FrameworkServlet.doGet(FrameworkServlet.java:898)",
], "spring-webmvc-5.3.18.jar:5.3.18") + [
    ("javax.servlet.http.HttpServlet.service(HttpServlet.java:655)", "tomcat-embed-core-9.0.60.jar:4.0.FR"),
    ("org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:883)", "spring-webmvc-5.3.18.jar:5.3.18"),
    ("javax.servlet.http.HttpServlet.service(HttpServlet.java:764)", "tomcat-embed-core-9.0.60.jar:4.0.FR"),
] + TOMCAT_FRAMES

AOP = J([
    "org.springframework.aop.framework.ReflectiveMethodInvocation.proceed(ReflectiveMethodInvocation.java:186)",
    "org.springframework.aop.framework.CglibAopProxy$CglibMethodInvocation.proceed(CglibAopProxy.java:763)",
    "org.springframework.aop.framework.CglibAopProxy$DynamicAdvisedInterceptor.intercept(CglibAopProxy.java:708)",
], "spring-aop-5.3.18.jar:5.3.18")

SCHED = J([
    "org.springframework.scheduling.support.ScheduledMethodRunnable.run(ScheduledMethodRunnable.java:84)",
    "org.springframework.scheduling.support.DelegatingErrorHandlingRunnable.run(DelegatingErrorHandlingRunnable.java:54)",
], "spring-context-5.3.18.jar:5.3.18") + J([
    "java.util.concurrent.Executors$RunnableAdapter.call(Executors.java:511)",
    "java.util.concurrent.FutureTask.runAndReset(FutureTask.java:308)",
    "java.util.concurrent.ScheduledThreadPoolExecutor$ScheduledFutureTask.access$301(ScheduledThreadPoolExecutor.java:180)",
    "java.util.concurrent.ScheduledThreadPoolExecutor$ScheduledFutureTask.run(ScheduledThreadPoolExecutor.java:294)",
    "java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1149)",
    "java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:624)",
    "java.lang.Thread.run(Thread.java:750)",
], JDK)

POOL_THREAD_TAIL = J([
    "java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1149)",
    "java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:624)",
    "java.lang.Thread.run(Thread.java:750)",
], JDK)


class App:
    """Per-application naming used by the noise generator."""

    def __init__(self, pkg, name, paths, jobs, services, jar="classes/:na"):
        self.pkg, self.name, self.paths, self.jobs, self.services, self.jar = pkg, name, paths, jobs, services, jar


def npe_rec(rng, t, app, thread):
    cls = app.pkg + ".web." + rng.choice(["UserController", "ProfileController", "CartController"])
    exc = Exc().add("java.lang.NullPointerException: null", [
        (app.pkg + ".service.impl.UserServiceImpl.buildProfile(UserServiceImpl.java:%d)" % rng.randint(80, 240), app.jar),
        (app.pkg + ".service.impl.UserServiceImpl.getProfile(UserServiceImpl.java:%d)" % rng.randint(40, 79), app.jar),
        (cls + ".profile(%s.java:%d)" % (cls.rsplit(".", 1)[1], rng.randint(30, 90)), app.jar),
        ("sun.reflect.GeneratedMethodAccessor231.invoke(Unknown Source)", "na:na"),
        ("sun.reflect.DelegatingMethodAccessorImpl.invoke(DelegatingMethodAccessorImpl.java:43)", JDK),
        ("java.lang.reflect.Method.invoke(Method.java:498)", JDK),
    ] + SPRING_MVC)
    return Rec(t, "ERROR", thread, app.pkg + ".web.GlobalExceptionHandler",
               "Unhandled exception on GET /api/user/profile: null", exc)


def deadlock_rec(rng, t, app, thread, driver="cj", orm="mybatis"):
    if driver == "cj":
        dl = "com.mysql.cj.jdbc.exceptions.MySQLTransactionRollbackException"
        dframes = J([
            "com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:123)",
            "com.mysql.cj.jdbc.exceptions.SQLExceptionsMapping.translateException(SQLExceptionsMapping.java:122)",
            "com.mysql.cj.jdbc.ClientPreparedStatement.executeInternal(ClientPreparedStatement.java:953)",
            "com.mysql.cj.jdbc.ClientPreparedStatement.execute(ClientPreparedStatement.java:370)",
        ], "mysql-connector-java-8.0.28.jar:8.0.28")
    else:
        dl = "com.mysql.jdbc.exceptions.jdbc4.MySQLTransactionRollbackException"
        dframes = J([
            "sun.reflect.NativeConstructorAccessorImpl.newInstance0(Native Method)",
            "sun.reflect.NativeConstructorAccessorImpl.newInstance(NativeConstructorAccessorImpl.java:62)",
            "java.lang.reflect.Constructor.newInstance(Constructor.java:423)",
            "com.mysql.jdbc.Util.handleNewInstance(Util.java:425)",
            "com.mysql.jdbc.SQLError.createSQLException(SQLError.java:951)",
            "com.mysql.jdbc.MysqlIO.checkErrorPacket(MysqlIO.java:3976)",
            "com.mysql.jdbc.MysqlIO.sendCommand(MysqlIO.java:2495)",
            "com.mysql.jdbc.ConnectionImpl.execSQL(ConnectionImpl.java:2530)",
            "com.mysql.jdbc.PreparedStatement.executeInternal(PreparedStatement.java:1907)",
            "com.mysql.jdbc.PreparedStatement.executeUpdateInternal(PreparedStatement.java:2141)",
        ], "mysql-connector-java-5.1.49.jar:5.1.49")
    msg = "Deadlock found when trying to get lock; try restarting transaction"
    sql = "UPDATE t_inventory SET stock = stock - ? WHERE sku_id = ? AND stock >= ?"
    exc = Exc()
    exc.add("org.springframework.dao.DeadlockLoserDataAccessException: \n### Error updating database.  Cause: %s: %s\n"
            "### The error may exist in class path resource [mapper/InventoryMapper.xml]\n"
            "### The error may involve %s.mapper.InventoryMapper.deduct-Inline\n"
            "### The error occurred while setting parameters\n### SQL: %s\n### Cause: %s: %s\n; %s; nested exception is %s: %s"
            % (dl, msg, app.pkg, sql, dl, msg, msg, dl, msg), [
                ("org.springframework.jdbc.support.SQLErrorCodeSQLExceptionTranslator.doTranslate(SQLErrorCodeSQLExceptionTranslator.java:267)", "spring-jdbc-5.3.18.jar:5.3.18"),
                ("org.springframework.jdbc.support.AbstractFallbackSQLExceptionTranslator.translate(AbstractFallbackSQLExceptionTranslator.java:70)", "spring-jdbc-5.3.18.jar:5.3.18"),
                ("org.mybatis.spring.MyBatisExceptionTranslator.translateExceptionIfPossible(MyBatisExceptionTranslator.java:91)", "mybatis-spring-2.0.6.jar:2.0.6"),
                ("org.mybatis.spring.SqlSessionTemplate$SqlSessionInterceptor.invoke(SqlSessionTemplate.java:441)", "mybatis-spring-2.0.6.jar:2.0.6"),
                ("com.sun.proxy.$Proxy112.update(Unknown Source)", "na:na"),
                (app.pkg + ".service.impl.InventoryServiceImpl.deduct(InventoryServiceImpl.java:77)", app.jar),
            ] + AOP, 0)
    exc.add("%s: %s" % (dl, msg), dframes + [
        ("org.apache.ibatis.executor.statement.PreparedStatementHandler.update(PreparedStatementHandler.java:47)", "mybatis-3.5.6.jar:3.5.6"),
        ("org.apache.ibatis.executor.SimpleExecutor.doUpdate(SimpleExecutor.java:50)", "mybatis-3.5.6.jar:3.5.6"),
    ], 41)
    return Rec(t, "ERROR", thread, app.pkg + ".service.impl.InventoryServiceImpl",
               "deduct stock failed, orderNo=%d" % rng.randint(10**15, 10**16), exc)


def noise_rec(rng, t, app, kinds=None):
    k = rng.random()
    ex = "http-nio-8080-exec-%d" % rng.randint(1, 200)
    if k < 0.55:
        path = rng.choice(app.paths)
        st = rng.choice([200] * 30 + [201, 204, 302, 400, 404])
        return Rec(t, "INFO", ex, app.pkg + ".common.web.AccessLogFilter",
                   "%s %s status=%d cost=%dms ip=10.%d.%d.%d uid=%d" % (
                       rng.choice(["GET", "GET", "GET", "POST"]), path, st, rng.randint(2, 180),
                       rng.randint(0, 255), rng.randint(0, 255), rng.randint(1, 254), rng.randint(1000, 99999)))
    if k < 0.72:
        svc = rng.choice(app.services)
        return Rec(t, "INFO", ex, app.pkg + ".service.impl." + svc[0], svc[1] % rng.randint(1, 999999))
    if k < 0.84:
        job = rng.choice(app.jobs)
        return Rec(t, "INFO", "scheduling-%d" % rng.randint(1, 4), app.pkg + ".job." + job[0],
                   job[1] % (rng.randint(0, 500), rng.randint(3, 900)))
    if k < 0.92:
        return Rec(t, "DEBUG", ex, app.pkg + ".common.web.TraceInterceptor",
                   "traceId=%016x spanId=%08x uri=%s" % (rng.getrandbits(64), rng.getrandbits(32), rng.choice(app.paths)))
    if k < 0.97:
        w = rng.choice([
            "Redis command latency %dms exceeds threshold, key=session:%d",
            "Retrying RPC call to inventory-service, attempt %d of 3 (traceId %d)",
            "Request parameter 'pageSize' out of range, clamped to %d (uid %d)",
            "Kafka consumer lag for topic order-events is %d (partition %d)",
        ])
        return Rec(t, "WARN", ex, app.pkg + ".common.Monitor", w % (rng.randint(50, 900), rng.randint(1, 9999)))
    return Rec(t, "INFO", "MessageBroker-%d" % rng.randint(1, 8), "o.s.w.s.c.WebSocketMessageBrokerStats",
               "WebSocketSession[%d current WS(%d)-HttpStream(0)-HttpPoll(0), %d total, 0 closed abnormally "
               "(0 connect failure, 0 send limit, 0 transport error)]" % (rng.randint(0, 20), rng.randint(0, 20), rng.randint(20, 900)))


def noise_span(rng, t0, t1, mean_gap_ms, app):
    recs, t = [], t0
    while True:
        t += int(rng.expovariate(1.0 / mean_gap_ms)) + 1
        if t >= t1:
            return recs
        recs.append(noise_rec(rng, t, app))


def spring_boot_start(rng, t, app, main_thread="main", pid=1, ds_lines=()):
    recs = []
    lines = [
        ("INFO", app.name.split(".")[-1], "Starting %s v2.7.3 using Java 1.8.0_362 on %s with PID %d (/opt/app/app.jar started by app in /opt/app)"
         % (app.name.rsplit(".", 1)[1], "localhost", pid)),
        ("INFO", app.name.split(".")[-1], "The following 1 profile is active: \"prod\""),
        ("INFO", "org.springframework.boot.web.embedded.tomcat.TomcatWebServer", "Tomcat initialized with port(s): 8080 (http)"),
        ("INFO", "org.apache.catalina.core.StandardService", "Starting service [Tomcat]"),
        ("INFO", "org.apache.catalina.core.StandardEngine", "Starting Servlet engine: [Apache Tomcat/9.0.60]"),
        ("INFO", "org.apache.catalina.core.ContainerBase.[Tomcat].[localhost].[/]", "Initializing Spring embedded WebApplicationContext"),
        ("INFO", "org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext",
         "Root WebApplicationContext: initialization completed in %d ms" % rng.randint(1500, 4000)),
    ] + list(ds_lines) + [
        ("INFO", "org.springframework.boot.actuate.endpoint.web.EndpointLinksResolver", "Exposing 2 endpoint(s) beneath base path '/actuator'"),
        ("INFO", "org.springframework.boot.web.embedded.tomcat.TomcatWebServer", "Tomcat started on port(s): 8080 (http) with context path ''"),
        ("INFO", app.name.split(".")[-1], "Started %s in %d.%03d seconds (JVM running for %d.%03d)" % (
            app.name.rsplit(".", 1)[1], rng.randint(8, 14), rng.randint(0, 999), rng.randint(15, 18), rng.randint(0, 999))),
    ]
    for lv, lg, msg in lines:
        if "." not in lg:
            lg = app.name
        t += rng.randint(5, 900)
        recs.append(Rec(t, lv, main_thread, lg, msg))
    return recs, t


# ----------------------------------------------------------------------------------------
# scenario 000: HikariCP pool per SQL task (DolphinScheduler worker in Docker)

DS = "org.apache.dolphinscheduler"
HIKARI_JAR = "HikariCP-4.0.3.jar:na"
MYSQL8 = "mysql-connector-java-8.0.28.jar:8.0.28"


def tmc_exc_frames():
    return J([
        "com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:110)",
        "com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:97)",
        "com.mysql.cj.jdbc.exceptions.SQLExceptionsMapping.translateException(SQLExceptionsMapping.java:122)",
        "com.mysql.cj.jdbc.ConnectionImpl.createNewIO(ConnectionImpl.java:828)",
        "com.mysql.cj.jdbc.ConnectionImpl.<init>(ConnectionImpl.java:448)",
        "com.mysql.cj.jdbc.ConnectionImpl.getInstance(ConnectionImpl.java:241)",
        "com.mysql.cj.jdbc.NonRegisteringDriver.connect(NonRegisteringDriver.java:198)",
    ], MYSQL8) + J([
        "com.zaxxer.hikari.util.DriverDataSource.getConnection(DriverDataSource.java:138)",
        "com.zaxxer.hikari.pool.PoolBase.newConnection(PoolBase.java:364)",
        "com.zaxxer.hikari.pool.PoolBase.newPoolEntry(PoolBase.java:206)",
        "com.zaxxer.hikari.pool.HikariPool.createPoolEntry(HikariPool.java:476)",
        "com.zaxxer.hikari.pool.HikariPool.checkFailFast(HikariPool.java:561)",
        "com.zaxxer.hikari.pool.HikariPool.<init>(HikariPool.java:115)",
        "com.zaxxer.hikari.HikariDataSource.getConnection(HikariDataSource.java:112)",
    ], HIKARI_JAR)


DS_TASK_FRAMES = J([
    DS + ".plugin.datasource.api.client.CommonDataSourceClient.getConnection(CommonDataSourceClient.java:120)",
    DS + ".plugin.task.sql.SqlTask.executeFuncAndSql(SqlTask.java:225)",
    DS + ".plugin.task.sql.SqlTask.handle(SqlTask.java:170)",
    DS + ".server.worker.runner.WorkerTaskExecuteRunnable.executeTask(WorkerTaskExecuteRunnable.java:278)",
    DS + ".server.worker.runner.WorkerTaskExecuteRunnable.run(WorkerTaskExecuteRunnable.java:180)",
], "dolphinscheduler-worker-3.1.8.jar:3.1.8") + J([
    "com.google.common.util.concurrent.TrustedListenableFutureTask$TrustedFutureInterruptibleTask.runInterruptibly(TrustedListenableFutureTask.java:131)",
    "com.google.common.util.concurrent.InterruptibleTask.run(InterruptibleTask.java:74)",
    "com.google.common.util.concurrent.TrustedListenableFutureTask.run(TrustedListenableFutureTask.java:82)",
], "guava-31.1-jre.jar:na") + POOL_THREAD_TAIL

TMC = 'Data source rejected establishment of connection,  message from server: "Too many connections"'


def scenario_000(rng):
    app = App("com.dtjoy.refiner", "org.apache.dolphinscheduler.server.worker.WorkerServer",
              ["/actuator/health", "/actuator/prometheus", "/worker/heartbeat"],
              [("RegistryHeartbeatJob", "worker heartbeat sent, %d tasks in queue, load %d"),
               ("LogCleanJob", "cleaned %d expired task logs in %dms")],
              [("TaskCallbackServiceImpl", "send task result to master, taskInstanceId=%d"),
               ("WorkerRegistryClient", "worker registry refreshed, session %d")])
    files = []

    # tasks: pool numbers climb; worker's own pool is HikariPool-1
    t_start = T("2023-10-10 06:00:00")
    t_rot = T("2023-10-10 12:00:00")
    t_end = T("2023-10-10 16:45:00")
    t_tmc = T("2023-10-10 16:12:00")
    recs_a, recs_b = [], []

    startup, t = spring_boot_start(rng, t_start + 1200, app, pid=19, ds_lines=[
        ("INFO", "com.zaxxer.hikari.HikariDataSource", "HikariPool-1 - Starting..."),
        ("INFO", "com.zaxxer.hikari.HikariDataSource", "HikariPool-1 - Start completed."),
        ("INFO", DS + ".server.worker.registry.WorkerRegistryClient", "worker node 172.168.30.91:1234 registry to ZK /nodes/worker/default/172.168.30.91:1234 successfully"),
    ])
    recs_a.extend(startup)

    # 135 task pools start fine before MySQL fills up (HikariPool-2..136); 137..140 fail
    t_first = t + 60_000
    ok_times = sorted(rng.randint(t_first, t_tmc - 60_000) for _ in range(135))
    fail_times = [t_tmc + 38_000, t_tmc + 611_000, t_tmc + 1_490_000, t_tmc + 1_957_000]
    shell_times = sorted(rng.randint(t_first, t_end - 60_000) for _ in range(70))
    plan = sorted([(x, "sql") for x in ok_times] + [(x, "fail") for x in fail_times] + [(x, "shell") for x in shell_times])
    pool = 1
    task_id = 88100
    fail_pools = []
    for tt, kind in plan:
        task_id += rng.randint(1, 9)
        th = "Worker-Execute-Thread-%d" % rng.randint(1, 10)
        target = recs_a if tt < t_rot else recs_b
        log_pfx = "[taskInstanceId=%d] " % task_id
        target.append(Rec(tt, "INFO", th, DS + ".server.worker.runner.WorkerTaskExecuteRunnable",
                          log_pfx + "Begin to pulling task, task type: %s" % ("SHELL" if kind == "shell" else "SQL")))
        t2 = tt + rng.randint(20, 200)
        if kind == "shell":
            target.append(Rec(t2, "INFO", th, DS + ".plugin.task.api.ShellCommandExecutor",
                              log_pfx + "process start, process id is: %d" % rng.randint(30000, 90000)))
            target.append(Rec(t2 + rng.randint(2000, 9000), "INFO", th, DS + ".plugin.task.api.AbstractCommandExecutor",
                              log_pfx + "process has exited, execute path:/tmp/dolphinscheduler/exec/process/%d, exitStatusCode:0" % task_id))
            continue
        pool += 1
        target.append(Rec(t2, "INFO", th, DS + ".plugin.task.sql.SqlTask",
                          log_pfx + "Full sql parameters: SqlParameters{type='MYSQL', datasource=%d, sql='insert into dw.ads_daily_%d select * from ods.t_event where dt = ${bizdate}', sqlType=1, displayRows=10, preStatements=[], postStatements=[]}" % (rng.randint(2, 9), rng.randint(1, 60))))
        t3 = t2 + rng.randint(5, 60)
        target.append(Rec(t3, "INFO", th, "com.zaxxer.hikari.HikariDataSource", "HikariPool-%d - Starting..." % pool))
        if kind == "sql":
            t4 = t3 + rng.randint(40, 400)
            target.append(Rec(t4, "INFO", th, "com.zaxxer.hikari.HikariDataSource", "HikariPool-%d - Start completed." % pool))
            t5 = t4 + rng.randint(800, 9000)
            target.append(Rec(t5, "INFO", th, DS + ".server.worker.runner.WorkerTaskExecuteRunnable",
                              log_pfx + "task final status : SUCCESS, exitStatusCode: 0"))
        else:
            fail_pools.append(pool)
            t4 = t3 + rng.randint(30, 120)
            e1 = Exc().add("java.sql.SQLNonTransientConnectionException: " + TMC, tmc_exc_frames() + DS_TASK_FRAMES)
            target.append(Rec(t4, "ERROR", th, "com.zaxxer.hikari.pool.HikariPool",
                              "HikariPool-%d - Exception during pool initialization." % pool, e1))
            e2 = Exc().add("com.zaxxer.hikari.pool.HikariPool$PoolInitializationException: Failed to initialize pool: " + TMC,
                           J(["com.zaxxer.hikari.pool.HikariPool.throwPoolInitializationException(HikariPool.java:596)",
                              "com.zaxxer.hikari.pool.HikariPool.checkFailFast(HikariPool.java:582)",
                              "com.zaxxer.hikari.pool.HikariPool.<init>(HikariPool.java:115)",
                              "com.zaxxer.hikari.HikariDataSource.getConnection(HikariDataSource.java:112)"], HIKARI_JAR) + DS_TASK_FRAMES)
            e2.add("java.sql.SQLNonTransientConnectionException: " + TMC, tmc_exc_frames()[:7] + J([
                "com.zaxxer.hikari.util.DriverDataSource.getConnection(DriverDataSource.java:138)",
                "com.zaxxer.hikari.pool.PoolBase.newConnection(PoolBase.java:364)",
                "com.zaxxer.hikari.pool.PoolBase.newPoolEntry(PoolBase.java:206)",
                "com.zaxxer.hikari.pool.HikariPool.createPoolEntry(HikariPool.java:476)",
                "com.zaxxer.hikari.pool.HikariPool.checkFailFast(HikariPool.java:561)"], HIKARI_JAR), 13)
            target.append(Rec(t4 + rng.randint(1, 9), "ERROR", th, DS + ".plugin.task.sql.SqlTask",
                              log_pfx + "sql task error", e2))
            target.append(Rec(t4 + rng.randint(10, 30), "ERROR", th, DS + ".server.worker.runner.WorkerTaskExecuteRunnable",
                              log_pfx + "task final status : FAILURE"))
    assert pool == 140, pool

    # noise
    recs_a += noise_span(rng, t + 1000, t_rot, 60_000, app)
    recs_b += noise_span(rng, t_rot, t_end, 80_000, app)
    recs_a.append(npe_rec(rng, T("2023-10-10 09:14:27") + 311, app, "http-nio-8080-exec-3"))
    recs_b.append(deadlock_rec(rng, T("2023-10-10 13:52:06") + 87, app, "Worker-Execute-Thread-4"))
    # an unrelated long line (Docker splits it into 16K records)
    big = ",".join("('%08x',%d,%d)" % (rng.getrandbits(32), rng.randint(0, 99999), rng.randint(0, 9)) for _ in range(900))
    recs_b.append(Rec(T("2023-10-10 14:03:11") + 5, "INFO", "Worker-Execute-Thread-2", DS + ".plugin.task.sql.SqlTask",
                      "[taskInstanceId=%d] pre sql : insert into dw.tmp_keys values %s" % (task_id - 77, big)))
    for r in (recs_a, recs_b):
        r.sort(key=lambda x: x.t)

    a_lines = render("logback", recs_a)
    files.append(("worker-server/logs/dolphinscheduler-worker.log.1.gz", "gzip", 2,
                  ("\n".join(a_lines) + "\n").encode()))
    b_lines = wrap_docker(recs_b, "logback", rng)
    files.append(("worker-server/containers/dd-worker-server-json.log", "plain", 1,
                  ("\n".join(b_lines) + "\n").encode()))

    # jstack taken at 16:31
    js = [ts_plain(T("2023-10-10 16:31:00")),
          "Full thread dump OpenJDK 64-Bit Server VM (25.362-b09 mixed mode):", ""]
    tid = [0x00007f2c4c000000]

    def stanza(name, num, daemon, state, frames, nstate="waiting on condition", locked="None"):
        tid[0] += rng.randint(1, 16) * 0x800
        s = ['"%s" #%d %sprio=5 os_prio=0 tid=0x%016x nid=0x%x %s [0x%016x]' % (
            name, num, "daemon " if daemon else "", tid[0], rng.randint(0x40, 0x7fff), nstate, 0x00007f2b00000000 + rng.getrandbits(20) * 0x1000)]
        s.append("   java.lang.Thread.State: " + state)
        s += frames
        s += [""]
        return s

    def parked(obj):
        return ["\tat sun.misc.Unsafe.park(Native Method)",
                "\t- parking to wait for  <0x%016x> (a %s)" % (0x00000000c0000000 + rng.getrandbits(26) * 8, obj)]

    sched = parked("java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject") + [
        "\tat java.util.concurrent.locks.LockSupport.parkNanos(LockSupport.java:215)",
        "\tat java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject.awaitNanos(AbstractQueuedSynchronizer.java:2078)",
        "\tat java.util.concurrent.ScheduledThreadPoolExecutor$DelayedWorkQueue.take(ScheduledThreadPoolExecutor.java:1093)",
        "\tat java.util.concurrent.ScheduledThreadPoolExecutor$DelayedWorkQueue.take(ScheduledThreadPoolExecutor.java:809)",
        "\tat java.util.concurrent.ThreadPoolExecutor.getTask(ThreadPoolExecutor.java:1074)",
        "\tat java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1134)",
        "\tat java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:624)",
        "\tat java.lang.Thread.run(Thread.java:750)"]
    adder = parked("java.util.concurrent.SynchronousQueue$TransferStack") + [
        "\tat java.util.concurrent.locks.LockSupport.parkNanos(LockSupport.java:215)",
        "\tat java.util.concurrent.SynchronousQueue$TransferStack.awaitFulfill(SynchronousQueue.java:460)",
        "\tat java.util.concurrent.SynchronousQueue$TransferStack.transfer(SynchronousQueue.java:362)",
        "\tat java.util.concurrent.SynchronousQueue.poll(SynchronousQueue.java:941)",
        "\tat java.util.concurrent.ThreadPoolExecutor.getTask(ThreadPoolExecutor.java:1073)",
        "\tat java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1134)",
        "\tat java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:624)",
        "\tat java.lang.Thread.run(Thread.java:750)"]
    js += stanza("Attach Listener", 2180, True, "RUNNABLE", [], nstate="waiting on condition")
    live_pools = [p for p in range(136, 0, -1)]
    num = 2170
    for p in live_pools:
        if p > 126:
            js += stanza("HikariPool-%d connection adder" % p, num, True, "TIMED_WAITING (parking)", adder)
            num -= 1
        js += stanza("HikariPool-%d housekeeper" % p, num, True, "TIMED_WAITING (parking)", sched)
        num -= rng.randint(2, 9)
    for w in range(10, 0, -1):
        js += stanza("Worker-Execute-Thread-%d" % w, 90 + w, False, "WAITING (parking)",
                     parked("java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject") + [
                         "\tat java.util.concurrent.locks.LockSupport.park(LockSupport.java:175)",
                         "\tat java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject.await(AbstractQueuedSynchronizer.java:2039)",
                         "\tat java.util.concurrent.LinkedBlockingQueue.take(LinkedBlockingQueue.java:442)",
                         "\tat java.util.concurrent.ThreadPoolExecutor.getTask(ThreadPoolExecutor.java:1074)",
                         "\tat java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1134)",
                         "\tat java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:624)",
                         "\tat java.lang.Thread.run(Thread.java:750)"])
    js += stanza("mysql-cj-abandoned-connection-cleanup", 38, True, "TIMED_WAITING (on object monitor)", [
        "\tat java.lang.Object.wait(Native Method)",
        "\tat java.lang.ref.ReferenceQueue.remove(ReferenceQueue.java:144)",
        "\t- locked <0x00000000c1a4f2e0> (a java.lang.ref.ReferenceQueue$Lock)",
        "\tat com.mysql.cj.jdbc.AbandonedConnectionCleanupThread.run(AbandonedConnectionCleanupThread.java:91)",
        "\tat java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1149)",
        "\tat java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:624)",
        "\tat java.lang.Thread.run(Thread.java:750)"], nstate="in Object.wait()",
        locked="<0x00000000c1a4f3b8> (a java.util.concurrent.ThreadPoolExecutor$Worker)")
    js += stanza("main", 1, False, "WAITING (on object monitor)", [
        "\tat java.lang.Object.wait(Native Method)",
        "\tat java.lang.Object.wait(Object.java:502)",
        "\tat " + DS + ".server.worker.WorkerServer.run(WorkerServer.java:131)",
        "\t- locked <0x00000000c0e01a10> (a java.lang.Object)",
        "\tat " + DS + ".server.worker.WorkerServer.main(WorkerServer.java:98)"], nstate="in Object.wait()")
    js += ['"VM Thread" os_prio=0 tid=0x00007f2c4c0c2000 nid=0x1c runnable ', ""]
    for g in range(4):
        js.append('"GC task thread#%d (ParallelGC)" os_prio=0 tid=0x%016x nid=0x%x runnable ' % (g, 0x00007f2c4c01e000 + g * 0x1800, 0x14 + g))
    js += ["", '"VM Periodic Task Thread" os_prio=0 tid=0x00007f2c4c11e800 nid=0x27 waiting on condition ', "",
           "JNI global references: 2271", ""]
    files.append(("worker-server/jstack-19.txt", "plain", 1, ("\n".join(js) + "\n").encode()))
    notes = {
        "story": "every SQL task builds a new HikariDataSource (HikariPool-2..140) that is never closed; "
                 "MySQL max_connections is reached at 16:12 and pools 137-140 fail with Too many connections",
        "pools_started_ok": "HikariPool-1..136", "pools_failed_init": fail_pools,
        "jstack_housekeepers": len(live_pools),
    }
    return files, notes


# ----------------------------------------------------------------------------------------
# scenario 001: Druid 1.2.8 on PostgreSQL/TBase, connections leaking below the pool

DRUID_JAR = "druid-1.2.8.jar:1.2.8"
PG_JAR = "postgresql-42.6.0.jar:42.6.0"
SPRING_JDBC = "spring-jdbc-5.3.18.jar:5.3.18"
PG_URL = "jdbc:postgresql://10.12.3.40:11000/orderdb"
PG_FATAL = "org.postgresql.util.PSQLException: FATAL: remaining connection slots are reserved for non-replication superuser connections"

PG_CREATE_FRAMES = J([
    "org.postgresql.core.v3.ConnectionFactoryImpl.doAuthentication(ConnectionFactoryImpl.java:693)",
    "org.postgresql.core.v3.ConnectionFactoryImpl.tryConnect(ConnectionFactoryImpl.java:203)",
    "org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl(ConnectionFactoryImpl.java:258)",
    "org.postgresql.core.ConnectionFactory.openConnection(ConnectionFactory.java:54)",
    "org.postgresql.jdbc.PgConnection.<init>(PgConnection.java:263)",
    "org.postgresql.Driver.makeConnection(Driver.java:443)",
    "org.postgresql.Driver.connect(Driver.java:297)",
], PG_JAR) + J([
    "com.alibaba.druid.filter.FilterChainImpl.connection_connect(FilterChainImpl.java:156)",
    "com.alibaba.druid.filter.FilterAdapter.connection_connect(FilterAdapter.java:787)",
    "com.alibaba.druid.filter.FilterEventAdapter.connection_connect(FilterEventAdapter.java:38)",
    "com.alibaba.druid.filter.FilterChainImpl.connection_connect(FilterChainImpl.java:150)",
    "com.alibaba.druid.filter.stat.StatFilter.connection_connect(StatFilter.java:251)",
    "com.alibaba.druid.filter.FilterChainImpl.connection_connect(FilterChainImpl.java:150)",
    "com.alibaba.druid.pool.DruidAbstractDataSource.createPhysicalConnection(DruidAbstractDataSource.java:1659)",
    "com.alibaba.druid.pool.DruidAbstractDataSource.createPhysicalConnection(DruidAbstractDataSource.java:1723)",
    "com.alibaba.druid.pool.DruidDataSource$CreateConnectionThread.run(DruidDataSource.java:2838)",
], DRUID_JAR)

DRUID_GET_FRAMES = J([
    "com.alibaba.druid.pool.DruidDataSource.getConnectionInternal(DruidDataSource.java:1773)",
    "com.alibaba.druid.pool.DruidDataSource.getConnectionDirect(DruidDataSource.java:1427)",
    "com.alibaba.druid.filter.FilterChainImpl.dataSource_connect(FilterChainImpl.java:5059)",
    "com.alibaba.druid.filter.logging.LogFilter.dataSource_getConnection(LogFilter.java:917)",
    "com.alibaba.druid.filter.FilterChainImpl.dataSource_connect(FilterChainImpl.java:5055)",
    "com.alibaba.druid.filter.stat.StatFilter.dataSource_getConnection(StatFilter.java:726)",
    "com.alibaba.druid.filter.FilterChainImpl.dataSource_connect(FilterChainImpl.java:5055)",
    "com.alibaba.druid.pool.DruidDataSource.getConnection(DruidDataSource.java:1405)",
    "com.alibaba.druid.pool.DruidDataSource.getConnection(DruidDataSource.java:1397)",
    "com.alibaba.druid.pool.DruidDataSource.getConnection(DruidDataSource.java:100)",
], DRUID_JAR) + J([
    "org.springframework.jdbc.datasource.DataSourceUtils.fetchConnection(DataSourceUtils.java:159)",
    "org.springframework.jdbc.datasource.DataSourceUtils.doGetConnection(DataSourceUtils.java:117)",
    "org.springframework.jdbc.datasource.DataSourceUtils.getConnection(DataSourceUtils.java:80)",
], SPRING_JDBC)

ORDER_APP = App("com.acme.order", "com.acme.order.OrderApplication",
                ["/api/orders/list", "/api/orders/detail", "/api/orders/submit", "/api/cart", "/api/user/profile",
                 "/api/coupon/available", "/actuator/health"],
                [("OrderTimeoutJob", "closed %d unpaid orders in %dms"),
                 ("ReconcileJob", "reconciled %d payments in %dms")],
                [("OrderServiceImpl", "order submitted, orderNo=%d"),
                 ("PaymentServiceImpl", "payment callback accepted, tradeNo=%d"),
                 ("CouponServiceImpl", "coupon %d locked for order")])


def druid_timeout_exc(rng, app, cec, mybatis):
    gcte = "com.alibaba.druid.pool.GetConnectionTimeoutException: wait millis 5000, active 0, maxActive 30, creating 0, createErrorCount %d" % cec
    cgjc = "org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection; nested exception is " + gcte
    web = [(app.pkg + ".web.OrderController.list(OrderController.java:%d)" % rng.choice([58, 61, 74]), app.jar),
           ("sun.reflect.GeneratedMethodAccessor187.invoke(Unknown Source)", "na:na"),
           ("sun.reflect.DelegatingMethodAccessorImpl.invoke(DelegatingMethodAccessorImpl.java:43)", JDK),
           ("java.lang.reflect.Method.invoke(Method.java:498)", JDK)] + SPRING_MVC
    exc = Exc()
    if mybatis:
        stmt = rng.choice(["selectByUserId", "selectPage", "countByStatus"])
        block = ("\n### Error querying database.  Cause: %s\n### The error may exist in com/acme/order/mapper/OrderMapper.xml\n"
                 "### The error may involve %s.mapper.OrderMapper.%s\n### The error occurred while executing a query\n### Cause: %s"
                 % (cgjc, app.pkg, stmt, cgjc))
        exc.add("org.mybatis.spring.MyBatisSystemException: nested exception is org.apache.ibatis.exceptions.PersistenceException: " + block,
                J(["org.mybatis.spring.MyBatisExceptionTranslator.translateExceptionIfPossible(MyBatisExceptionTranslator.java:96)",
                   "org.mybatis.spring.SqlSessionTemplate$SqlSessionInterceptor.invoke(SqlSessionTemplate.java:441)"], "mybatis-spring-2.0.6.jar:2.0.6")
                + [("com.sun.proxy.$Proxy98.selectList(Unknown Source)", "na:na"),
                   ("org.mybatis.spring.SqlSessionTemplate.selectList(SqlSessionTemplate.java:224)", "mybatis-spring-2.0.6.jar:2.0.6"),
                   ("org.apache.ibatis.binding.MapperMethod.executeForMany(MapperMethod.java:166)", "mybatis-3.5.6.jar:3.5.6"),
                   ("org.apache.ibatis.binding.MapperMethod.execute(MapperMethod.java:77)", "mybatis-3.5.6.jar:3.5.6"),
                   ("org.apache.ibatis.binding.MapperProxy$PlainMethodInvoker.invoke(MapperProxy.java:145)", "mybatis-3.5.6.jar:3.5.6"),
                   ("org.apache.ibatis.binding.MapperProxy.invoke(MapperProxy.java:86)", "mybatis-3.5.6.jar:3.5.6"),
                   ("com.sun.proxy.$Proxy121.%s(Unknown Source)" % stmt, "na:na"),
                   (app.pkg + ".service.impl.OrderServiceImpl.listOrders(OrderServiceImpl.java:%d)" % rng.randint(90, 140), app.jar)] + web)
        exc.add("org.apache.ibatis.exceptions.PersistenceException: " + block,
                J(["org.apache.ibatis.exceptions.ExceptionFactory.wrapException(ExceptionFactory.java:30)",
                   "org.apache.ibatis.session.defaults.DefaultSqlSession.selectList(DefaultSqlSession.java:153)",
                   "org.apache.ibatis.session.defaults.DefaultSqlSession.selectList(DefaultSqlSession.java:145)"], "mybatis-3.5.6.jar:3.5.6")
                + [("sun.reflect.GeneratedMethodAccessor203.invoke(Unknown Source)", "na:na"),
                   ("sun.reflect.DelegatingMethodAccessorImpl.invoke(DelegatingMethodAccessorImpl.java:43)", JDK),
                   ("java.lang.reflect.Method.invoke(Method.java:498)", JDK),
                   ("org.mybatis.spring.SqlSessionTemplate$SqlSessionInterceptor.invoke(SqlSessionTemplate.java:427)", "mybatis-spring-2.0.6.jar:2.0.6")],
                len(web) + 8)
        exc.add(cgjc, [("org.springframework.jdbc.datasource.DataSourceUtils.getConnection(DataSourceUtils.java:83)", SPRING_JDBC)]
                + J(["org.mybatis.spring.transaction.SpringManagedTransaction.openConnection(SpringManagedTransaction.java:80)",
                     "org.mybatis.spring.transaction.SpringManagedTransaction.getConnection(SpringManagedTransaction.java:67)"], "mybatis-spring-2.0.6.jar:2.0.6")
                + J(["org.apache.ibatis.executor.BaseExecutor.getConnection(BaseExecutor.java:337)",
                     "org.apache.ibatis.executor.SimpleExecutor.prepareStatement(SimpleExecutor.java:86)",
                     "org.apache.ibatis.executor.SimpleExecutor.doQuery(SimpleExecutor.java:62)",
                     "org.apache.ibatis.executor.BaseExecutor.queryFromDatabase(BaseExecutor.java:325)",
                     "org.apache.ibatis.executor.BaseExecutor.query(BaseExecutor.java:156)",
                     "org.apache.ibatis.executor.CachingExecutor.query(CachingExecutor.java:109)",
                     "org.apache.ibatis.executor.CachingExecutor.query(CachingExecutor.java:89)",
                     "org.apache.ibatis.session.defaults.DefaultSqlSession.selectList(DefaultSqlSession.java:151)"], "mybatis-3.5.6.jar:3.5.6"),
                len(web) + 14)
    else:
        exc.add(cgjc, [("org.springframework.jdbc.datasource.DataSourceUtils.getConnection(DataSourceUtils.java:83)", SPRING_JDBC)]
                + J(["org.springframework.jdbc.core.JdbcTemplate.execute(JdbcTemplate.java:646)",
                     "org.springframework.jdbc.core.JdbcTemplate.query(JdbcTemplate.java:713)",
                     "org.springframework.jdbc.core.JdbcTemplate.queryForObject(JdbcTemplate.java:784)"], SPRING_JDBC)
                + [(app.pkg + ".dao.OrderStatDao.countByStatus(OrderStatDao.java:%d)" % rng.randint(40, 70), app.jar),
                   (app.pkg + ".service.impl.OrderServiceImpl.dashboard(OrderServiceImpl.java:%d)" % rng.randint(150, 190), app.jar)] + web)
    exc.add(gcte, DRUID_GET_FRAMES, len(exc.causes[-1][1]) - 1)
    exc.add(PG_FATAL, PG_CREATE_FRAMES)
    return exc


def druid_create_error(t, cre_thread):
    return Rec(t, "ERROR", cre_thread, "com.alibaba.druid.pool.DruidDataSource",
               "create connection SQLException, url: %s, errorCode 0, state 53300" % PG_URL,
               Exc().add(PG_FATAL, PG_CREATE_FRAMES))


def druid_stat(t, log_thread, ds_name, c):
    fields = [("url", '"%s"' % PG_URL), ("dbType", '"postgresql"'), ("name", '"%s"' % ds_name),
              ("activeCount", c["active"]), ("activePeak", c["activePeak"]),
              ("activePeakTime", '"%s"' % ts_plain(c["activePeakTime"])),
              ("poolingCount", c["pooling"]), ("poolingPeak", c["poolingPeak"]),
              ("poolingPeakTime", '"%s"' % ts_plain(c["poolingPeakTime"])),
              ("connectCount", c["connect"]), ("closeCount", c["close"]),
              ("createCount", c["create"]), ("destroyCount", c["destroy"]), ("discardCount", c["discard"]),
              ("waitThreadCount", c.get("wait", 0)), ("notEmptyWaitCount", c.get("notEmptyWait", 0)),
              ("notEmptyWaitNanos", c.get("notEmptyWait", 0) * 5_000_000_000),
              ("physicalConnectCount", c["create"]), ("physicalCloseCount", c["destroy"] + c["discard"]),
              ("executeCount", c["connect"] * 3 + 17), ("commitCount", c["connect"] // 2), ("rollbackCount", 41)]
    msg = "{" + ",".join('"%s":%s' % (k, v) for k, v in fields) + "}"
    return Rec(t, "INFO", log_thread, "com.alibaba.druid.pool.DruidDataSourceStatLoggerImpl", msg)


def druid_host(rng, app, t_boot, t_end, t_err, final, cec_end, n_timeouts, n_create_logs, ds_id, pid):
    """Records of one application instance. `final` = pool books just before the DB filled up."""
    recs = []
    ds_name = "DataSource-%d" % ds_id
    log_thread = "Druid-ConnectionPool-Log-%d" % ds_id
    cre_thread = "Druid-ConnectionPool-Create-%d" % ds_id
    boot, t = spring_boot_start(rng, t_boot, app, pid=pid, ds_lines=[
        ("INFO", "com.alibaba.druid.pool.DruidDataSource", "{dataSource-1} inited"),
        ("INFO", app.pkg + ".config.DataSourceConfig",
         "druid datasource ready: url=%s?currentSchema=ord&ApplicationName=order-service&user=order_app&password=Ord3r#2023, initialSize=2, minIdle=5, maxActive=30, maxWait=5000, timeBetweenLogStatsMillis=900000" % PG_URL),
    ])
    recs += boot
    # pool statistics every 15 minutes; books balance (createCount = active + pooling + destroy + discard)
    st = t_boot - t_boot % 900_000 + 900_000
    first_stat = st
    peak_t = t_boot + 3_600_000
    while st < t_end:
        f = min(1.0, (st - first_stat) / max(1, t_err - first_stat))
        if st >= t_err - 900_000:
            f = 1.0
        if st < t_err:
            active = rng.choice([0, 0, 0, 1, 2])
            pooling = rng.choice([2, 3, 5, 5, 6]) if st < t_err - 900_000 else final["pooling"]
            if st >= t_err - 900_000:
                active = 0
            destroy = int(11 + f * (final["destroy"] - 11))
            discard = int(f * final["discard"])
            create = active + pooling + destroy + discard
            close = int(500 + f * (final["close"] - 500))
            connect = active + close + discard
            c = dict(active=active, pooling=pooling, create=create, destroy=destroy, discard=discard,
                     connect=connect, close=close)
        else:
            c = dict(active=0, pooling=0, create=final["create"], destroy=final["destroy"],
                     discard=final["discard"] + final["pooling"], close=final["close"],
                     connect=final["close"] + final["discard"] + final["pooling"],
                     wait=rng.randint(0, 6), notEmptyWait=rng.randint(40, 400))
        c.update(activePeak=4, activePeakTime=peak_t, poolingPeak=7, poolingPeakTime=peak_t + 61_000)
        recs.append(druid_stat(st + rng.randint(0, 40), log_thread, ds_name, c))
        st += 900_000
    # incident: create errors (sampled; Druid retries every 500ms) and pool timeouts
    span = t_end - 60_000 - t_err
    for k in range(n_create_logs):
        tt = t_err + (span * k) // n_create_logs + rng.randint(0, 30_000)
        recs.append(druid_create_error(tt, cre_thread))
    ttimes = sorted(t_err + 4_000 + rng.randint(0, span) for _ in range(n_timeouts))
    for tt in ttimes:
        cec = 1 + (cec_end - 1) * (tt - t_err) // (ttimes[-1] - t_err)
        mybatis = rng.random() < 0.5
        recs.append(Rec(tt, "ERROR", "http-nio-8080-exec-%d" % rng.randint(1, 200), app.pkg + ".web.GlobalExceptionHandler",
                        "request failed: GET /api/orders/%s" % rng.choice(["list", "list", "dashboard"]),
                        druid_timeout_exc(rng, app, cec, mybatis)))
    return recs, t


def scenario_001(rng):
    app = ORDER_APP
    t_end = T("2023-10-10 16:45:00")
    files = []
    # host-a: app.log.1 (older, zstd, 2 frames) + app.log (live, plain)
    final_a = dict(create=243, destroy=107, discard=134, pooling=2, close=212452)
    ra, t = druid_host(rng, app, T("2023-10-10 00:02:10"), t_end, T("2023-10-10 09:37:12") + 418, final_a,
                       13047, 12, 10, 1704872741, 2211)
    ra += noise_span(rng, t + 500, t_end, 110_000, app)
    ra.append(npe_rec(rng, T("2023-10-10 11:21:09") + 240, app, "http-nio-8080-exec-41"))
    ra.sort(key=lambda r: r.t)
    rot = T("2023-10-10 08:00:00")
    old = [r for r in ra if r.t < rot]
    live = [r for r in ra if r.t >= rot]
    files.append(("host-a/app.log.1.zst", "zstd", 2, ("\n".join(render("logback", old)) + "\n").encode()))
    files.append(("host-a/app.log", "plain", 1, ("\n".join(render("logback", live)) + "\n").encode()))
    # host-b: one file named .log that is really LZ4 (two frames)
    final_b = dict(create=198, destroy=91, discard=104, pooling=3, close=187311)
    rb, t = druid_host(rng, app, T("2023-10-10 04:11:37"), t_end, T("2023-10-10 10:05:51") + 77, final_b,
                       11420, 9, 7, 1390245817, 1873)
    rb += noise_span(rng, t + 500, t_end, 130_000, app)
    rb.append(npe_rec(rng, T("2023-10-10 07:48:30") + 902, app, "http-nio-8080-exec-7"))
    rb.sort(key=lambda r: r.t)
    files.append(("host-b/app.log", "lz4", 2, ("\n".join(render("logback", rb)) + "\n").encode()))
    notes = {
        "story": "Druid 1.2.8 (shrink() array-copy bug) drops physical PostgreSQL connections without closing them; "
                 "the pool reports active 0 while TBase/PostgreSQL is full (state 53300)",
        "pool_books": "createCount = activeCount + poolingCount + destroyCount + discardCount holds in every stat line; "
                      "host-a's last healthy line is 243 = 0 + 2 + 107 + 134 (seed 001)",
        "create_errors_logged": "sampled: Druid logs one per retry, the samples keep every 20-30 minutes",
        "name_lies": "host-b/app.log is an LZ4 stream (2 frames)",
    }
    return files, notes


# ----------------------------------------------------------------------------------------
# scenario 002: a new HikariDataSource per tenant lookup (multi-tenant router on K8s)

HIKARI5 = "HikariCP-5.1.0.jar:na"
TENANT_APP = App("com.acme.saas", "com.acme.saas.TenantRouterApplication",
                 ["/api/report/summary", "/api/report/detail", "/api/tenant/switch", "/api/member/list",
                  "/api/goods/search", "/actuator/health/liveness", "/actuator/health/readiness"],
                 [("TenantConfigSyncJob", "synced %d tenant configs in %dms"),
                  ("UsageMeterJob", "metered %d api calls in %dms")],
                 [("MemberServiceImpl", "member %d profile loaded"),
                  ("ReportServiceImpl", "report %d generated"),
                  ("GoodsServiceImpl", "goods index refreshed, shard %d")], jar="app.jar:1.4.2")

ROUTER = "com.acme.saas.tenant.datasource.TenantDataSourceRouter"


def hikari_timeout_exc(rng, app, pool, waiting, mybatis):
    sqlte = "java.sql.SQLTransientConnectionException: HikariPool-%d - Connection is not available, request timed out after %dms (total=10, active=10, idle=0, waiting=%d)" % (pool, 30000 + rng.randint(0, 9), waiting)
    cgjc = "org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection; nested exception is " + sqlte
    router = [(ROUTER + ".determineTargetDataSource(TenantDataSourceRouter.java:88)", app.jar),
              ("org.springframework.jdbc.datasource.lookup.AbstractRoutingDataSource.getConnection(AbstractRoutingDataSource.java:194)", SPRING_JDBC)]
    web = [(app.pkg + ".report.service.ReportServiceImpl.summary(ReportServiceImpl.java:%d)" % rng.randint(60, 99), app.jar),
           (app.pkg + ".report.web.ReportController.summary(ReportController.java:%d)" % rng.randint(30, 50), app.jar),
           ("jdk.internal.reflect.GeneratedMethodAccessor311.invoke(Unknown Source)", "na:na"),
           ("java.base/java.lang.reflect.Method.invoke(Method.java:568)", "na:na")] + SPRING_MVC
    exc = Exc()
    if mybatis:
        block = ("\n### Error querying database.  Cause: %s\n### The error may exist in class path resource [mapper/ReportMapper.xml]\n"
                 "### The error may involve %s.report.mapper.ReportMapper.summaryByDay\n### The error occurred while executing a query\n### Cause: %s"
                 % (cgjc, app.pkg, cgjc))
        exc.add("org.mybatis.spring.MyBatisSystemException: nested exception is org.apache.ibatis.exceptions.PersistenceException: " + block,
                J(["org.mybatis.spring.MyBatisExceptionTranslator.translateExceptionIfPossible(MyBatisExceptionTranslator.java:96)",
                   "org.mybatis.spring.SqlSessionTemplate$SqlSessionInterceptor.invoke(SqlSessionTemplate.java:441)"], "mybatis-spring-2.0.7.jar:2.0.7")
                + [("jdk.proxy2.$Proxy143.selectList(Unknown Source)", "na:na"),
                   ("org.apache.ibatis.binding.MapperMethod.execute(MapperMethod.java:77)", "mybatis-3.5.10.jar:3.5.10"),
                   ("org.apache.ibatis.binding.MapperProxy.invoke(MapperProxy.java:86)", "mybatis-3.5.10.jar:3.5.10")] + web)
        exc.add(cgjc, [("org.springframework.jdbc.datasource.DataSourceUtils.getConnection(DataSourceUtils.java:84)", SPRING_JDBC),
                       ("org.mybatis.spring.transaction.SpringManagedTransaction.openConnection(SpringManagedTransaction.java:80)", "mybatis-spring-2.0.7.jar:2.0.7"),
                       ("org.apache.ibatis.executor.BaseExecutor.getConnection(BaseExecutor.java:337)", "mybatis-3.5.10.jar:3.5.10"),
                       ("org.apache.ibatis.executor.SimpleExecutor.doQuery(SimpleExecutor.java:62)", "mybatis-3.5.10.jar:3.5.10")],
                len(web) + 7)
    else:
        exc.add(cgjc, [("org.springframework.jdbc.datasource.DataSourceUtils.getConnection(DataSourceUtils.java:84)", SPRING_JDBC),
                       ("org.springframework.jdbc.core.JdbcTemplate.execute(JdbcTemplate.java:376)", SPRING_JDBC),
                       ("org.springframework.jdbc.core.JdbcTemplate.query(JdbcTemplate.java:465)", SPRING_JDBC),
                       (app.pkg + ".member.dao.MemberDao.list(MemberDao.java:%d)" % rng.randint(40, 70), app.jar)] + web)
    exc.add(sqlte, J(["com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:686)",
                      "com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:179)",
                      "com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:144)",
                      "com.zaxxer.hikari.HikariDataSource.getConnection(HikariDataSource.java:127)"], HIKARI5)
            + router + [("org.springframework.jdbc.datasource.DataSourceUtils.fetchConnection(DataSourceUtils.java:159)", SPRING_JDBC),
                        ("org.springframework.jdbc.datasource.DataSourceUtils.doGetConnection(DataSourceUtils.java:117)", SPRING_JDBC),
                        ("org.springframework.jdbc.datasource.DataSourceUtils.getConnection(DataSourceUtils.java:80)", SPRING_JDBC)],
            len(exc.causes[-1][1]) - 1)
    return exc


def tenant_pod(rng, app, t_boot, t_end, max_pool, shutdown_pool, validate_pools, n_timeouts, t_late):
    recs = []
    hk = [("DEBUG", "com.zaxxer.hikari.HikariConfig", "HikariPool-1 - configuration:"),
          ("DEBUG", "com.zaxxer.hikari.HikariConfig", "connectionTimeout...............30000"),
          ("DEBUG", "com.zaxxer.hikari.HikariConfig", "idleTimeout.....................600000"),
          ("DEBUG", "com.zaxxer.hikari.HikariConfig", "maxLifetime.....................60000"),
          ("DEBUG", "com.zaxxer.hikari.HikariConfig", "maximumPoolSize.................10"),
          ("DEBUG", "com.zaxxer.hikari.HikariConfig", "minimumIdle.....................10"),
          ("INFO", "com.zaxxer.hikari.HikariDataSource", "HikariPool-1 - Starting..."),
          ("INFO", "com.zaxxer.hikari.pool.HikariPool", "HikariPool-1 - Added connection com.mysql.cj.jdbc.ConnectionImpl@6b1e5a3c"),
          ("INFO", "com.zaxxer.hikari.HikariDataSource", "HikariPool-1 - Start completed.")]
    boot, t = spring_boot_start(rng, t_boot, app, ds_lines=hk)
    recs += boot
    # new tenant datasources: pools 2..max_pool, spread over the day, slowly
    times = sorted(rng.randint(t + 120_000, t_end - 300_000) for _ in range(max_pool - 1))
    pool = 1
    for tt in times:
        pool += 1
        th = "http-nio-8080-exec-%d" % rng.randint(1, 200)
        tenant = rng.randint(1001, 1180)
        recs.append(Rec(tt, "INFO", th, ROUTER,
                        "datasource cache miss for tenant t_%d (key 10.20.%d.%d:3306, account %s), creating new datasource"
                        % (tenant, rng.randint(1, 3), rng.randint(10, 40), rng.choice(["report_ro", "biz_rw"]))))
        recs.append(Rec(tt + rng.randint(1, 20), "INFO", th, "com.zaxxer.hikari.HikariDataSource", "HikariPool-%d - Starting..." % pool))
        recs.append(Rec(tt + rng.randint(60, 400), "INFO", th, "com.zaxxer.hikari.pool.HikariPool",
                        "HikariPool-%d - Added connection com.mysql.cj.jdbc.ConnectionImpl@%08x" % (pool, rng.getrandbits(32))))
        recs.append(Rec(tt + rng.randint(401, 700), "INFO", th, "com.zaxxer.hikari.HikariDataSource", "HikariPool-%d - Start completed." % pool))
        if pool == shutdown_pool:
            ts = tt + rng.randint(600_000, 1_800_000)
            recs.append(Rec(ts, "INFO", "scheduling-1", app.pkg + ".job.TenantConfigSyncJob",
                            "tenant t_%d config changed, closing its datasource" % tenant))
            recs.append(Rec(ts + 3, "INFO", "scheduling-1", "com.zaxxer.hikari.HikariDataSource", "HikariPool-%d - Shutdown initiated..." % pool))
            recs.append(Rec(ts + rng.randint(20, 90), "INFO", "scheduling-1", "com.zaxxer.hikari.HikariDataSource", "HikariPool-%d - Shutdown completed." % pool))
    for vp in validate_pools:
        tv = times[vp - 2] + rng.randint(70_000, 3_000_000)
        recs.append(Rec(tv, "WARN", "http-nio-8080-exec-%d" % rng.randint(1, 200), "com.zaxxer.hikari.pool.PoolBase",
                        "HikariPool-%d - Failed to validate connection com.mysql.cj.jdbc.ConnectionImpl@%08x (No operations allowed after connection closed.). "
                        "Possibly consider using a shorter maxLifetime value." % (vp, rng.getrandbits(32))))
    late_pools = list(range(max_pool - 12, max_pool + 1))
    for k in range(n_timeouts):
        tt = t_late + rng.randint(0, t_end - 120_000 - t_late)
        p = rng.choice(late_pools)
        recs.append(Rec(tt, "ERROR", "http-nio-8080-exec-%d" % rng.randint(1, 200), app.pkg + ".common.web.GlobalExceptionHandler",
                        "request failed: GET /api/report/summary", hikari_timeout_exc(rng, app, p, rng.randint(1, 5), k % 2 == 0)))
    recs.append(deadlock_rec(rng, t_boot + rng.randint(3_600_000, 20_000_000), app, "http-nio-8080-exec-%d" % rng.randint(1, 200)))
    return recs, t


def scenario_002(rng):
    app = TENANT_APP
    t_end = T("2023-10-10 16:45:00")
    files = []
    ra, t = tenant_pod(rng, app, T("2023-10-10 01:00:00") + 4121, t_end, 118, 31, [23, 40, 57], 7, T("2023-10-10 15:40:00"))
    ra += noise_span(rng, t + 500, t_end, 220_000, app)
    ra.append(npe_rec(rng, T("2023-10-10 12:11:45") + 77, app, "http-nio-8080-exec-19"))
    ra.sort(key=lambda r: r.t)
    rot = T("2023-10-10 09:00:00")
    files.append(("tenant-router-7d9f8c6b5-x2kqp/router.log.1.lz4", "lz4", 2,
                  ("\n".join(render("iso8", [r for r in ra if r.t < rot])) + "\n").encode()))
    files.append(("tenant-router-7d9f8c6b5-x2kqp/router.log", "plain", 1,
                  ("\n".join(render("iso8", [r for r in ra if r.t >= rot])) + "\n").encode()))
    rb, t = tenant_pod(rng, app, T("2023-10-10 01:00:00") + 9310, t_end, 74, 9, [12, 33], 4, T("2023-10-10 15:55:00"))
    rb += noise_span(rng, t + 500, t_end, 260_000, app)
    # long lines: the CRI runtime splits them into P partials
    for when, n in ((T("2023-10-10 03:30:00") + 12, 215), (T("2023-10-10 11:02:17") + 640, 420)):
        table = ",".join('"t_%d":{"host":"10.20.%d.%d","port":3306,"db":"tenant_%d","account":"%s"}' % (
            1000 + i, i % 3 + 1, 10 + i % 30, 1000 + i, "report_ro" if i % 2 else "biz_rw") for i in range(n))
        rb.append(Rec(when, "INFO", "scheduling-2", app.pkg + ".job.TenantConfigSyncJob", "tenant routing table: {" + table + "}"))
    rb.sort(key=lambda r: r.t)
    files.append(("tenant-router-7d9f8c6b5-q8mzn/0.log", "plain", 1, ("\n".join(wrap_cri(rb, "iso8", rng)) + "\n").encode()))
    notes = {
        "story": "the tenant datasource cache is keyed by host:port, so a second account on the same host misses every time "
                 "and a new HikariDataSource is created without closing the old one; HikariPool-N climbs slowly all day "
                 "(pod x2kqp to 118, pod q8mzn to 74), one shutdown per pod; maxLifetime=60000 was the first wrong guess",
        "timestamps": "router.log* use ISO-8601 with +08:00 (local = UTC+8); the CRI file's payload uses the same layout",
        "scope_caveat": "jdbc.connection-closed (5) counts events whose text contains the signature anywhere: here it only "
                        "appears inside HikariCP's WARN 'Failed to validate connection ... (No operations allowed after "
                        "connection closed.). Possibly consider using a shorter maxLifetime value.' (hikari validation-failed), "
                        "never as an exception line; a matcher scoped to exception lines counts 0, and first_incident_time "
                        "would then be the first pool timeout, 2023-10-10T15:46:21.406Z",
        "cri_partials": "two long lines are split by the runtime: one as P+F, one as P+P+F",
    }
    return files, notes


# ----------------------------------------------------------------------------------------
# scenario 003: commons-dbcp 1.x + Hibernate on Tomcat, connections never returned

DBCP12 = "commons-dbcp-1.2.2.jar"
REPORT_APP = App("com.acme", "com.acme.Bootstrap",
                 ["/report/monthly.do", "/report/daily.do", "/billing/invoices.do", "/order/list.do", "/login.do",
                  "/static/js/app.js", "/customer/view.do"],
                 [("ReportPrecomputeJob", "precomputed %d report rows in %dms"), ("MailQueueJob", "sent %d queued mails in %dms")],
                 [("OrderService", "order %d loaded"), ("CustomerService", "customer %d updated"), ("LoginService", "user %d logged in")])

MVC3 = [
    "sun.reflect.NativeMethodAccessorImpl.invoke0(Native Method)",
    "sun.reflect.NativeMethodAccessorImpl.invoke(NativeMethodAccessorImpl.java:62)",
    "sun.reflect.DelegatingMethodAccessorImpl.invoke(DelegatingMethodAccessorImpl.java:43)",
    "java.lang.reflect.Method.invoke(Method.java:498)",
    "org.springframework.web.method.support.InvocableHandlerMethod.invoke(InvocableHandlerMethod.java:215)",
    "org.springframework.web.method.support.InvocableHandlerMethod.invokeForRequest(InvocableHandlerMethod.java:132)",
    "org.springframework.web.servlet.mvc.method.annotation.ServletInvocableHandlerMethod.invokeAndHandle(ServletInvocableHandlerMethod.java:104)",
    "org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter.invokeHandleMethod(RequestMappingHandlerAdapter.java:749)",
    "org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter.handleInternal(RequestMappingHandlerAdapter.java:689)",
    "org.springframework.web.servlet.DispatcherServlet.doDispatch(DispatcherServlet.java:938)",
    "org.springframework.web.servlet.DispatcherServlet.doService(DispatcherServlet.java:870)",
    "org.springframework.web.servlet.FrameworkServlet.processRequest(FrameworkServlet.java:961)",
    "org.springframework.web.servlet.FrameworkServlet.doGet(FrameworkServlet.java:852)",
    "javax.servlet.http.HttpServlet.service(HttpServlet.java:634)",
    "org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:837)",
    "javax.servlet.http.HttpServlet.service(HttpServlet.java:741)",
    "org.apache.catalina.core.ApplicationFilterChain.internalDoFilter(ApplicationFilterChain.java:231)",
    "org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:166)",
    "org.apache.catalina.core.StandardWrapperValve.invoke(StandardWrapperValve.java:199)",
    "org.apache.catalina.core.StandardContextValve.invoke(StandardContextValve.java:96)",
    "org.apache.catalina.core.StandardHostValve.invoke(StandardHostValve.java:140)",
    "org.apache.catalina.valves.ErrorReportValve.invoke(ErrorReportValve.java:81)",
    "org.apache.catalina.core.StandardEngineValve.invoke(StandardEngineValve.java:87)",
    "org.apache.catalina.connector.CoyoteAdapter.service(CoyoteAdapter.java:343)",
    "org.apache.coyote.http11.Http11Processor.service(Http11Processor.java:615)",
    "org.apache.coyote.AbstractProcessorLight.process(AbstractProcessorLight.java:65)",
    "org.apache.coyote.AbstractProtocol$ConnectionHandler.process(AbstractProtocol.java:818)",
    "org.apache.tomcat.util.net.NioEndpoint$SocketProcessor.doRun(NioEndpoint.java:1627)",
    "org.apache.tomcat.util.net.SocketProcessorBase.run(SocketProcessorBase.java:49)",
    "java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1149)",
    "java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:624)",
    "org.apache.tomcat.util.threads.TaskThread$WrappingRunnable.run(TaskThread.java:61)",
    "java.lang.Thread.run(Thread.java:750)",
]

LEAKS_003 = {
    "report": ["com.acme.report.ReportDao.loadMonthly(ReportDao.java:87)",
               "com.acme.report.ReportService.monthly(ReportService.java:41)",
               "com.acme.report.web.ReportController.monthly(ReportController.java:58)"],
    "billing": ["com.acme.billing.InvoiceDao.findOpen(InvoiceDao.java:112)",
                "com.acme.billing.InvoiceService.listOpen(InvoiceService.java:66)",
                "com.acme.billing.web.InvoiceController.open(InvoiceController.java:39)"],
}


def dbcp12_abandoned_raw(created, site):
    lines = ["DBCP object created %s by the following code was never closed:" % ts_plain(created),
             "java.lang.Exception",
             "\tat org.apache.commons.dbcp.AbandonedTrace.setStackTrace(AbandonedTrace.java:160)",
             "\tat org.apache.commons.dbcp.AbandonedObjectPool.borrowObject(AbandonedObjectPool.java:86)",
             "\tat org.apache.commons.dbcp.PoolingDataSource.getConnection(PoolingDataSource.java:96)",
             "\tat org.apache.commons.dbcp.BasicDataSource.getConnection(BasicDataSource.java:880)"]
    lines += ["\tat " + f for f in LEAKS_003[site] + MVC3]
    return lines


def hib_chain(rng, root_only):
    """Hibernate 4 / dbcp 1.x exhaustion chain (seed 003)."""
    victim = rng.choice([("com.acme.order.OrderDao.findByCustomer(OrderDao.java:52)", "com.acme.order.OrderService.list(OrderService.java:37)", "com.acme.order.web.OrderController.list(OrderController.java:44)"),
                         ("com.acme.customer.CustomerDao.get(CustomerDao.java:29)", "com.acme.customer.CustomerService.view(CustomerService.java:22)", "com.acme.customer.web.CustomerController.view(CustomerController.java:31)"),
                         ("com.acme.report.ReportDao.loadDaily(ReportDao.java:131)", "com.acme.report.ReportService.daily(ReportService.java:63)", "com.acme.report.web.ReportController.daily(ReportController.java:77)")])
    top = [("org.springframework.orm.hibernate4.SessionFactoryUtils.convertHibernateAccessException(SessionFactoryUtils.java:138)", None),
           ("org.springframework.orm.hibernate4.HibernateExceptionTranslator.convertHibernateAccessException(HibernateExceptionTranslator.java:68)", None),
           ("org.springframework.orm.hibernate4.HibernateExceptionTranslator.translateExceptionIfPossible(HibernateExceptionTranslator.java:55)", None),
           ("org.springframework.dao.support.ChainedPersistenceExceptionTranslator.translateExceptionIfPossible(ChainedPersistenceExceptionTranslator.java:59)", None),
           ("org.springframework.dao.support.DataAccessUtils.translateIfNecessary(DataAccessUtils.java:213)", None),
           ("org.springframework.dao.support.PersistenceExceptionTranslationInterceptor.invoke(PersistenceExceptionTranslationInterceptor.java:147)", None),
           ("org.springframework.aop.framework.ReflectiveMethodInvocation.proceed(ReflectiveMethodInvocation.java:179)", None),
           ("org.springframework.aop.framework.JdkDynamicAopProxy.invoke(JdkDynamicAopProxy.java:208)", None),
           ("com.sun.proxy.$Proxy58.%s(Unknown Source)" % victim[0].split(".")[-1].split("(")[0], None),
           (victim[1], None), (victim[2], None)] + [(f, None) for f in MVC3]
    exc = Exc()
    if not root_only:
        exc.add("org.springframework.orm.hibernate4.HibernateJdbcException: JDBC exception on Hibernate data access: SQLException for SQL [n/a]; "
                "SQL state [null]; error code [0]; Could not open connection; nested exception is org.hibernate.exception.GenericJDBCException: Could not open connection", top)
        exc.add("org.hibernate.exception.GenericJDBCException: Could not open connection", [(f, None) for f in [
            "org.hibernate.exception.internal.StandardSQLExceptionConverter.convert(StandardSQLExceptionConverter.java:54)",
            "org.hibernate.engine.jdbc.spi.SqlExceptionHelper.convert(SqlExceptionHelper.java:125)",
            "org.hibernate.engine.jdbc.spi.SqlExceptionHelper.convert(SqlExceptionHelper.java:110)",
            "org.hibernate.engine.jdbc.internal.LogicalConnectionImpl.obtainConnection(LogicalConnectionImpl.java:221)",
            "org.hibernate.engine.jdbc.internal.LogicalConnectionImpl.getConnection(LogicalConnectionImpl.java:157)",
            "org.hibernate.engine.jdbc.internal.proxy.ConnectionProxyHandler.extractPhysicalConnection(ConnectionProxyHandler.java:82)",
            "org.hibernate.engine.jdbc.internal.proxy.ConnectionProxyHandler.continueInvocation(ConnectionProxyHandler.java:138)",
            "org.hibernate.engine.jdbc.internal.proxy.AbstractProxyHandler.invoke(AbstractProxyHandler.java:81)",
            "com.sun.proxy.$Proxy61.prepareStatement(Unknown Source)",
            "org.hibernate.engine.jdbc.internal.StatementPreparerImpl$5.doPrepare(StatementPreparerImpl.java:147)",
            "org.hibernate.loader.Loader.doQuery(Loader.java:829)",
            "org.hibernate.loader.Loader.list(Loader.java:2158)",
            "org.hibernate.internal.SessionImpl.list(SessionImpl.java:1204)",
            "org.hibernate.internal.QueryImpl.list(QueryImpl.java:101)",
            victim[0]]], len(top) - 1)
        exc.add("org.apache.commons.dbcp.SQLNestedException: Cannot get a connection, pool error Timeout waiting for idle object", [(f, None) for f in [
            "org.apache.commons.dbcp.PoolingDataSource.getConnection(PoolingDataSource.java:104)",
            "org.apache.commons.dbcp.BasicDataSource.getConnection(BasicDataSource.java:880)",
            "org.hibernate.service.jdbc.connections.internal.DatasourceConnectionProviderImpl.getConnection(DatasourceConnectionProviderImpl.java:141)",
            "org.hibernate.internal.AbstractSessionImpl$NonContextualJdbcConnectionAccess.obtainConnection(AbstractSessionImpl.java:292)",
            "org.hibernate.engine.jdbc.internal.LogicalConnectionImpl.obtainConnection(LogicalConnectionImpl.java:214)"]], len(top) + 10)
    exc.add("java.util.NoSuchElementException: Timeout waiting for idle object", [(f, None) for f in [
        "org.apache.commons.pool.impl.GenericObjectPool.borrowObject(GenericObjectPool.java:1174)",
        "org.apache.commons.dbcp.AbandonedObjectPool.borrowObject(AbandonedObjectPool.java:79)",
        "org.apache.commons.dbcp.PoolingDataSource.getConnection(PoolingDataSource.java:96)"]]
        + ([] if not root_only else [(f, None) for f in [
            "org.apache.commons.dbcp.BasicDataSource.getConnection(BasicDataSource.java:880)",
            "org.hibernate.service.jdbc.connections.internal.DatasourceConnectionProviderImpl.getConnection(DatasourceConnectionProviderImpl.java:141)",
            "org.hibernate.internal.AbstractSessionImpl$NonContextualJdbcConnectionAccess.obtainConnection(AbstractSessionImpl.java:292)",
            "org.hibernate.engine.jdbc.internal.LogicalConnectionImpl.obtainConnection(LogicalConnectionImpl.java:214)",
            "org.hibernate.engine.jdbc.internal.LogicalConnectionImpl.getConnection(LogicalConnectionImpl.java:157)",
            "org.hibernate.loader.Loader.doQuery(Loader.java:829)",
            "org.hibernate.internal.QueryImpl.list(QueryImpl.java:101)",
            victim[0], victim[1], victim[2]] + MVC3]),
        0 if root_only else len(top) + 14)
    return exc


def hib_deadlock(rng, t):
    dl = "com.mysql.jdbc.exceptions.jdbc4.MySQLTransactionRollbackException: Deadlock found when trying to get lock; try restarting transaction"
    exc = Exc().add("org.hibernate.exception.LockAcquisitionException: could not execute statement", [(f, None) for f in [
        "org.hibernate.dialect.MySQLDialect$1.convert(MySQLDialect.java:123)",
        "org.hibernate.exception.internal.StandardSQLExceptionConverter.convert(StandardSQLExceptionConverter.java:49)",
        "org.hibernate.engine.jdbc.spi.SqlExceptionHelper.convert(SqlExceptionHelper.java:125)",
        "org.hibernate.engine.jdbc.internal.ResultSetReturnImpl.executeUpdate(ResultSetReturnImpl.java:136)",
        "org.hibernate.persister.entity.AbstractEntityPersister.update(AbstractEntityPersister.java:3120)",
        "org.hibernate.action.internal.EntityUpdateAction.execute(EntityUpdateAction.java:187)",
        "org.hibernate.engine.spi.ActionQueue.executeActions(ActionQueue.java:377)",
        "org.hibernate.event.internal.AbstractFlushingEventListener.performExecutions(AbstractFlushingEventListener.java:349)",
        "org.hibernate.internal.SessionImpl.flush(SessionImpl.java:1159)",
        "org.springframework.orm.hibernate4.HibernateTransactionManager.doCommit(HibernateTransactionManager.java:554)",
        "com.acme.billing.InvoiceService.settle(InvoiceService.java:118)"]])
    exc.add(dl, [(f, None) for f in [
        "com.mysql.jdbc.SQLError.createSQLException(SQLError.java:1064)",
        "com.mysql.jdbc.MysqlIO.checkErrorPacket(MysqlIO.java:4190)",
        "com.mysql.jdbc.MysqlIO.sendCommand(MysqlIO.java:2615)",
        "com.mysql.jdbc.ConnectionImpl.execSQL(ConnectionImpl.java:2465)",
        "com.mysql.jdbc.PreparedStatement.executeUpdate(PreparedStatement.java:2079)",
        "org.apache.commons.dbcp.DelegatingPreparedStatement.executeUpdate(DelegatingPreparedStatement.java:105)",
        "org.hibernate.engine.jdbc.internal.ResultSetReturnImpl.executeUpdate(ResultSetReturnImpl.java:133)"]], 8)
    return Rec(t, "ERROR", "http-nio-8080-exec-%d" % rng.randint(1, 200), "org.hibernate.engine.jdbc.spi.SqlExceptionHelper",
               "Deadlock found when trying to get lock; try restarting transaction (invoice settle)", exc)


def scenario_003(rng):
    app = REPORT_APP
    t_boot = T("2023-10-10 00:05:12") + 331
    t_end = T("2023-10-10 16:45:00")
    t_leak = T("2023-10-10 09:58:00")
    t_exh = T("2023-10-10 14:21:00")
    cat, app_recs = [], []
    # Tomcat startup in catalina.out
    t = t_boot
    for lv, lg, msg in [
        ("INFO", "org.apache.catalina.startup.VersionLoggerListener.log", "Server version name:   Apache Tomcat/8.5.93"),
        ("INFO", "org.apache.catalina.startup.VersionLoggerListener.log", "JVM Version:           1.8.0_362-b09"),
        ("INFO", "org.apache.coyote.AbstractProtocol.init", "Initializing ProtocolHandler [\"http-nio-8080\"]"),
        ("INFO", "org.apache.catalina.startup.Catalina.load", "Initialization processed in 912 ms"),
        ("INFO", "org.apache.catalina.core.StandardService.startInternal", "Starting service [Catalina]"),
        ("INFO", "org.apache.catalina.startup.HostConfig.deployWAR", "Deploying web application archive [/opt/tomcat/webapps/ROOT.war]"),
        ("INFO", "org.apache.jasper.servlet.TldScanner.scanJars", "At least one JAR was scanned for TLDs yet contained no TLDs."),
        ("INFO", "org.apache.catalina.startup.HostConfig.deployWAR", "Deployment of web application archive [/opt/tomcat/webapps/ROOT.war] has finished in [14,318] ms"),
        ("INFO", "org.apache.coyote.AbstractProtocol.start", "Starting ProtocolHandler [\"http-nio-8080\"]"),
        ("INFO", "org.apache.catalina.startup.Catalina.start", "Server startup in 15402 ms")]:
        t += rng.randint(20, 3000)
        cat.append(Rec(t, lv, "main", lg, msg))
    app_recs.append(Rec(t - 9000, "INFO", "localhost-startStop-1", "com.acme.config.DataSourceConfig",
                        "dbcp BasicDataSource url=jdbc:mysql://10.8.0.21:3306/erp?useUnicode=true&characterEncoding=utf8 maxActive=750 maxWait=10000 removeAbandoned=true removeAbandonedTimeout=300 logAbandoned=true"))
    # leaks: borrowed and never returned; DBCP prints a trace when it reclaims one
    n_report, n_billing = 24, 7
    sites = ["report"] * n_report + ["billing"] * n_billing
    rng.shuffle(sites)
    prints = sorted(rng.randint(t_leak + 400_000, t_end - 60_000) for _ in sites)
    for site, pt in zip(sites, prints):
        created = pt - 300_000 - rng.randint(1_000, 2_400_000)
        cat.append(Rec(pt, raw=dbcp12_abandoned_raw(created, site)))
    # Tomcat-side: occasional JULI noise and exhaustion reported "with root cause"
    for _ in range(40):
        tt = rng.randint(t + 60_000, t_end)
        cat.append(Rec(tt, "WARN", "http-nio-8080-exec-%d" % rng.randint(1, 200), "org.apache.tomcat.util.http.Parameters.processParameters",
                       "Invalid chunk starting at byte [0] and ending at byte [%d] with a value of [=%s] ignored" % (rng.randint(1, 9), "x" * rng.randint(1, 9))))
    for _ in range(25):
        tt = rng.randint(t + 60_000, t_end)
        cat.append(Rec(tt, "INFO", "http-nio-8080-exec-%d" % rng.randint(1, 200), "org.apache.catalina.core.ApplicationContext.log",
                       "SessionListener: session %032X expired for user %d" % (rng.getrandbits(128), rng.randint(100, 9000))))
    sev_times = sorted(rng.randint(t_exh, t_end - 30_000) for _ in range(5))
    for tt in sev_times:
        exc = hib_chain(rng, root_only=True)
        cat.append(Rec(tt, "ERROR", "http-nio-8080-exec-%d" % rng.randint(1, 200), "org.apache.catalina.core.StandardWrapperValve.invoke",
                       "Servlet.service() for servlet [dispatcher] in context with path [] threw exception [Request processing failed; "
                       "nested exception is org.springframework.orm.hibernate4.HibernateJdbcException: JDBC exception on Hibernate data access: "
                       "SQLException for SQL [n/a]; SQL state [null]; error code [0]; Could not open connection; nested exception is "
                       "org.hibernate.exception.GenericJDBCException: Could not open connection] with root cause", exc))
    # application log (Log4j): exhaustion with the full chain
    exh_times = sorted(rng.randint(t_exh, t_end - 30_000) for _ in range(9))
    for tt in exh_times:
        app_recs.append(Rec(tt, "ERROR", "http-nio-8080-exec-%d" % rng.randint(1, 200), "com.acme.web.GlobalExceptionResolver",
                            "request %s failed" % rng.choice(["/order/list.do", "/customer/view.do", "/report/daily.do"]), hib_chain(rng, False)))
    app_recs += noise_span(rng, t + 1000, t_end, 150_000, app)
    app_recs.append(hib_deadlock(rng, T("2023-10-10 11:40:18") + 9))
    app_recs.append(npe_rec(rng, T("2023-10-10 06:12:51") + 530, app, "http-nio-8080-exec-88"))
    cat.sort(key=lambda r: r.t)
    app_recs.sort(key=lambda r: r.t)
    rot = T("2023-10-10 08:00:00")
    files = [
        ("web01/catalina.out", "plain", 1, ("\n".join(render("tomcat", cat)) + "\n").encode()),
        ("web01/logs/app.log.1.zst", "zstd", 1, ("\n".join(render("log4j", [r for r in app_recs if r.t < rot])) + "\n").encode()),
        ("web01/logs/app.log", "plain", 1, ("\n".join(render("log4j", [r for r in app_recs if r.t >= rot])) + "\n").encode()),
    ]
    notes = {
        "story": "DAO code borrows connections and never closes them; DBCP (logAbandoned) prints who borrowed them to "
                 "catalina.out without a timestamp of its own; the pool (maxActive 750) runs dry from 14:21",
        "abandoned_traces": "header-less; each is dated by the creation time it names, which is earlier than the "
                            "surrounding records (printed at reclaim time, 5-45 minutes later)",
        "leak_sites_expected": {"com.acme.report.ReportDao.loadMonthly": n_report, "com.acme.billing.InvoiceDao.findOpen": n_billing},
    }
    return files, notes


# ----------------------------------------------------------------------------------------
# scenario 004: DBCP 1.4 removeAbandoned=true, removeAbandonedTimeout=18, slow SQL

SETTLE_APP = App("com.acme", "com.acme.settle.SettleServer",
                 ["/settle/query", "/settle/retry", "/order/history", "/merchant/info", "/health"],
                 [("MerchantCacheJob", "refreshed %d merchants in %dms"), ("ChannelPingJob", "pinged %d channels in %dms")],
                 [("MerchantService", "merchant %d info loaded"), ("OrderService", "order history page %d served")])

LEAKS_004 = {
    "settle": ("select merchant_id, sum(amount), count(*) from t_settle_detail where settle_date = ? group by merchant_id",
               ["com.acme.settle.SettlementDao.sumDaily(SettlementDao.java:142)",
                "com.acme.settle.SettlementService.settle(SettlementService.java:77)",
                "com.acme.settle.job.DailySettleJob.execute(DailySettleJob.java:35)"], "settle-worker-%d"),
    "history": ("select * from t_order o left join t_order_item i on o.id = i.order_id where o.merchant_id = ? and o.create_time > ? order by o.create_time desc",
                ["com.acme.order.OrderDao.queryHistory(OrderDao.java:203)",
                 "com.acme.order.OrderService.history(OrderService.java:58)",
                 "com.acme.order.web.OrderController.history(OrderController.java:41)"], "http-nio-8080-exec-%d"),
}
JDBCT = ["org.springframework.jdbc.core.JdbcTemplate.execute(JdbcTemplate.java:630)",
         "org.springframework.jdbc.core.JdbcTemplate.query(JdbcTemplate.java:695)",
         "org.springframework.jdbc.core.JdbcTemplate.query(JdbcTemplate.java:727)"]
POOL_TAIL = ["java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1149)",
             "java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:624)",
             "java.lang.Thread.run(Thread.java:750)"]
PACKET = "The last packet successfully received from the server was %s milliseconds ago.  The last packet sent successfully to the server was %s milliseconds ago."
TMC5 = 'Data source rejected establishment of connection,  message from server: "Too many connections"'


def site_tail(site):
    return LEAKS_004[site][1] + (POOL_TAIL if site == "settle" else MVC3[:4] + MVC3[9:])


def dbcp14_abandoned_raw(created, site):
    lines = ["org.apache.commons.dbcp.AbandonedTrace$AbandonedObjectException: DBCP object created %s by the following code was never closed:" % ts_plain(created),
             "\tat org.apache.commons.dbcp.AbandonedTrace.setStackTrace(AbandonedTrace.java:139)",
             "\tat org.apache.commons.dbcp.AbandonedObjectPool.borrowObject(AbandonedObjectPool.java:81)",
             "\tat org.apache.commons.dbcp.PoolingDataSource.getConnection(PoolingDataSource.java:106)",
             "\tat org.apache.commons.dbcp.BasicDataSource.getConnection(BasicDataSource.java:1044)",
             "\tat org.springframework.jdbc.datasource.DataSourceUtils.doGetConnection(DataSourceUtils.java:111)",
             "\tat org.springframework.jdbc.datasource.DataSourceUtils.getConnection(DataSourceUtils.java:77)"]
    lines += ["\tat " + f for f in JDBCT + site_tail(site)]
    return lines


def comms_exc(rng, site, ms):
    sql = LEAKS_004[site][0]
    pk = PACKET % (ms, ms)
    ce = "com.mysql.jdbc.exceptions.jdbc4.CommunicationsException: Communications link failure\n\n" + pk
    exc = Exc()
    exc.add("org.springframework.dao.RecoverableDataAccessException: PreparedStatementCallback; SQL [%s]; Communications link failure\n\n%s; nested exception is %s"
            % (sql, pk, ce), [(f, None) for f in [
                "org.springframework.jdbc.support.SQLExceptionSubclassTranslator.doTranslate(SQLExceptionSubclassTranslator.java:98)",
                "org.springframework.jdbc.support.AbstractFallbackSQLExceptionTranslator.translate(AbstractFallbackSQLExceptionTranslator.java:73)",
                "org.springframework.jdbc.support.AbstractFallbackSQLExceptionTranslator.translate(AbstractFallbackSQLExceptionTranslator.java:81)",
                "org.springframework.jdbc.core.JdbcTemplate.execute(JdbcTemplate.java:649)"] + JDBCT[1:] + site_tail(site)])
    exc.add(ce, [(f, None) for f in [
        "sun.reflect.NativeConstructorAccessorImpl.newInstance0(Native Method)",
        "sun.reflect.NativeConstructorAccessorImpl.newInstance(NativeConstructorAccessorImpl.java:62)",
        "sun.reflect.DelegatingConstructorAccessorImpl.newInstance(DelegatingConstructorAccessorImpl.java:45)",
        "java.lang.reflect.Constructor.newInstance(Constructor.java:423)",
        "com.mysql.jdbc.Util.handleNewInstance(Util.java:425)",
        "com.mysql.jdbc.SQLError.createCommunicationsException(SQLError.java:990)",
        "com.mysql.jdbc.MysqlIO.reuseAndReadPacket(MysqlIO.java:3559)",
        "com.mysql.jdbc.MysqlIO.reuseAndReadPacket(MysqlIO.java:3459)",
        "com.mysql.jdbc.MysqlIO.checkErrorPacket(MysqlIO.java:3900)",
        "com.mysql.jdbc.MysqlIO.sendCommand(MysqlIO.java:2527)",
        "com.mysql.jdbc.MysqlIO.sqlQueryDirect(MysqlIO.java:2680)",
        "com.mysql.jdbc.ConnectionImpl.execSQL(ConnectionImpl.java:2480)",
        "com.mysql.jdbc.PreparedStatement.executeInternal(PreparedStatement.java:1858)",
        "com.mysql.jdbc.PreparedStatement.executeQuery(PreparedStatement.java:1966)",
        "org.apache.commons.dbcp.DelegatingPreparedStatement.executeQuery(DelegatingPreparedStatement.java:96)",
        "org.springframework.jdbc.core.JdbcTemplate$1.doInPreparedStatement(JdbcTemplate.java:703)",
        "org.springframework.jdbc.core.JdbcTemplate.execute(JdbcTemplate.java:633)"]], len(site_tail(site)) + 2)
    exc.add("java.net.SocketTimeoutException: Read timed out", [(f, None) for f in [
        "java.net.SocketInputStream.socketRead0(Native Method)",
        "java.net.SocketInputStream.socketRead(SocketInputStream.java:116)",
        "java.net.SocketInputStream.read(SocketInputStream.java:171)",
        "java.net.SocketInputStream.read(SocketInputStream.java:141)",
        "com.mysql.jdbc.util.ReadAheadInputStream.fill(ReadAheadInputStream.java:101)",
        "com.mysql.jdbc.util.ReadAheadInputStream.readFromUnderlyingStreamIfNecessary(ReadAheadInputStream.java:144)",
        "com.mysql.jdbc.util.ReadAheadInputStream.read(ReadAheadInputStream.java:174)",
        "com.mysql.jdbc.MysqlIO.readFully(MysqlIO.java:3011)",
        "com.mysql.jdbc.MysqlIO.reuseAndReadPacket(MysqlIO.java:3469)"]], len(site_tail(site)) + 20)
    return exc


def closed_exc(site):
    return Exc().add("com.mysql.jdbc.exceptions.jdbc4.MySQLNonTransientConnectionException: No operations allowed after connection closed.", [(f, None) for f in [
        "sun.reflect.GeneratedConstructorAccessor87.newInstance(Unknown Source)",
        "sun.reflect.DelegatingConstructorAccessorImpl.newInstance(DelegatingConstructorAccessorImpl.java:45)",
        "java.lang.reflect.Constructor.newInstance(Constructor.java:423)",
        "com.mysql.jdbc.Util.handleNewInstance(Util.java:425)",
        "com.mysql.jdbc.Util.getInstance(Util.java:408)",
        "com.mysql.jdbc.SQLError.createSQLException(SQLError.java:918)",
        "com.mysql.jdbc.ConnectionImpl.throwConnectionClosedException(ConnectionImpl.java:1196)",
        "com.mysql.jdbc.ConnectionImpl.checkClosed(ConnectionImpl.java:1191)",
        "com.mysql.jdbc.ConnectionImpl.rollback(ConnectionImpl.java:4528)",
        "org.apache.commons.dbcp.DelegatingConnection.rollback(DelegatingConnection.java:368)",
        "org.apache.commons.dbcp.PoolingDataSource$PoolGuardConnectionWrapper.rollback(PoolingDataSource.java:323)",
        "org.springframework.jdbc.datasource.DataSourceTransactionManager.doRollback(DataSourceTransactionManager.java:284)",
        "org.springframework.transaction.support.AbstractPlatformTransactionManager.processRollback(AbstractPlatformTransactionManager.java:853)",
        "org.springframework.transaction.support.AbstractPlatformTransactionManager.rollback(AbstractPlatformTransactionManager.java:830)"]
        + LEAKS_004[site][1][1:] + (POOL_TAIL if site == "settle" else MVC3[:4] + MVC3[9:])])


def tmc_dbcp_exc():
    exc = Exc().add("org.apache.commons.dbcp.SQLNestedException: Cannot get a connection, pool error " + TMC5, [(f, None) for f in [
        "org.apache.commons.dbcp.PoolingDataSource.getConnection(PoolingDataSource.java:114)",
        "org.apache.commons.dbcp.BasicDataSource.getConnection(BasicDataSource.java:1044)",
        "org.springframework.jdbc.datasource.DataSourceUtils.doGetConnection(DataSourceUtils.java:111)",
        "org.springframework.jdbc.datasource.DataSourceUtils.getConnection(DataSourceUtils.java:77)"] + JDBCT
        + ["com.acme.merchant.MerchantDao.get(MerchantDao.java:48)", "com.acme.merchant.MerchantService.info(MerchantService.java:30)",
           "com.acme.merchant.web.MerchantController.info(MerchantController.java:25)"] + MVC3[:4] + MVC3[9:]])
    exc.add("com.mysql.jdbc.exceptions.jdbc4.MySQLNonTransientConnectionException: " + TMC5, [(f, None) for f in [
        "sun.reflect.NativeConstructorAccessorImpl.newInstance0(Native Method)",
        "sun.reflect.NativeConstructorAccessorImpl.newInstance(NativeConstructorAccessorImpl.java:62)",
        "sun.reflect.DelegatingConstructorAccessorImpl.newInstance(DelegatingConstructorAccessorImpl.java:45)",
        "java.lang.reflect.Constructor.newInstance(Constructor.java:423)",
        "com.mysql.jdbc.Util.handleNewInstance(Util.java:425)",
        "com.mysql.jdbc.Util.getInstance(Util.java:408)",
        "com.mysql.jdbc.SQLError.createSQLException(SQLError.java:944)",
        "com.mysql.jdbc.MysqlIO.doHandshake(MysqlIO.java:1013)",
        "com.mysql.jdbc.ConnectionImpl.coreConnect(ConnectionImpl.java:2254)",
        "com.mysql.jdbc.ConnectionImpl.connectOneTryOnly(ConnectionImpl.java:2285)",
        "com.mysql.jdbc.ConnectionImpl.createNewIO(ConnectionImpl.java:2084)",
        "com.mysql.jdbc.ConnectionImpl.<init>(ConnectionImpl.java:795)",
        "com.mysql.jdbc.JDBC4Connection.<init>(JDBC4Connection.java:44)",
        "com.mysql.jdbc.NonRegisteringDriver.connect(NonRegisteringDriver.java:327)",
        "org.apache.commons.dbcp.DriverConnectionFactory.createConnection(DriverConnectionFactory.java:38)",
        "org.apache.commons.dbcp.PoolableConnectionFactory.makeObject(PoolableConnectionFactory.java:582)",
        "org.apache.commons.pool.impl.GenericObjectPool.borrowObject(GenericObjectPool.java:1188)",
        "org.apache.commons.dbcp.AbandonedObjectPool.borrowObject(AbandonedObjectPool.java:79)",
        "org.apache.commons.dbcp.PoolingDataSource.getConnection(PoolingDataSource.java:106)"]], 35)
    return exc


def settle_node(rng, app, t_boot, t_end, n_settle, n_hist, n_tmc, t_tmc):
    recs = [Rec(t_boot, "INFO", "main", "com.acme.settle.SettleServer", "starting settle-server 3.2.0 (pid %d)" % rng.randint(2000, 30000)),
            Rec(t_boot + 812, "INFO", "main", "com.acme.config.DataSourceConfig",
                "BasicDataSource ready: url=jdbc:mysql://10.30.2.11:3306/settle?useUnicode=true&characterEncoding=utf8&connectTimeout=1000&socketTimeout=1000&autoReconnect=true, "
                "maxActive=40, maxIdle=20, maxWait=3000, removeAbandoned=true, removeAbandonedTimeout=18, logAbandoned=true"),
            Rec(t_boot + 1733, "INFO", "main", "com.acme.settle.SettleServer", "settle-server started in 4.1 seconds")]
    sites = ["settle"] * n_settle + ["history"] * n_hist
    rng.shuffle(sites)
    starts = sorted(rng.randint(t_boot + 3_600_000, t_end - 120_000) for _ in sites)
    for site, t0 in zip(sites, starts):
        sql, frames, thfmt = LEAKS_004[site]
        th = thfmt % rng.randint(1, 16 if site == "settle" else 200)
        dur = rng.randint(19_000, 95_000)
        removed = t0 + 18_000 + rng.randint(200, dur - 18_000 - 100)
        recs.append(Rec(removed, raw=dbcp14_abandoned_raw(t0, site)))
        recs.append(Rec(t0 + dur, "WARN", th, "com.acme.common.db.SlowSqlLogger",
                        "slow sql, cost %dms, sql: %s" % (dur, sql)))
        ms = rng.choice(["1,001", "1,001", "1,001", "1,002", "18,307"])
        svc = "com.acme.settle.SettlementService" if site == "settle" else "com.acme.order.OrderService"
        recs.append(Rec(t0 + dur + rng.randint(2, 40), "ERROR", th, svc,
                        "query failed, merchant=%d" % rng.randint(10000, 99999), comms_exc(rng, site, ms)))
        if rng.random() < 0.6:
            recs.append(Rec(t0 + dur + rng.randint(41, 90), "ERROR", th, "org.springframework.transaction.support.TransactionTemplate",
                            "Application exception overridden by rollback exception", closed_exc(site)))
    for _ in range(n_tmc):
        tt = rng.randint(t_tmc, t_end - 30_000)
        recs.append(Rec(tt, "ERROR", "http-nio-8080-exec-%d" % rng.randint(1, 200), "com.acme.common.web.ErrorHandler",
                        "GET /merchant/info failed", tmc_dbcp_exc()))
    recs.append(deadlock_rec(rng, t_boot + rng.randint(7_200_000, 30_000_000), app, "settle-worker-%d" % rng.randint(1, 16), driver="5.1"))
    recs += noise_span(rng, t_boot + 2000, t_end, 170_000, app)
    recs.append(npe_rec(rng, t_boot + rng.randint(600_000, 20_000_000), app, "http-nio-8080-exec-%d" % rng.randint(1, 200)))
    recs.sort(key=lambda r: r.t)
    return recs


def scenario_004(rng):
    app = SETTLE_APP
    t_end = T("2023-10-10 16:45:00")
    r1 = settle_node(rng, app, T("2023-10-10 00:00:04") + 120, t_end, 16, 5, 4, T("2023-10-10 15:48:00"))
    r2 = settle_node(rng, app, T("2023-10-10 00:01:37") + 902, t_end, 12, 4, 3, T("2023-10-10 15:52:00"))
    rot = T("2023-10-10 08:00:00")
    files = [
        ("app-01/app.log.1.gz", "gzip", 2, ("\n".join(render("bracket", [r for r in r1 if r.t < rot])) + "\n").encode()),
        ("app-01/app.log", "plain", 1, ("\n".join(render("bracket", [r for r in r1 if r.t >= rot])) + "\n").encode()),
        ("app-02/app.2023-10-10.log.zst", "zstd", 3, ("\n".join(render("bracket", r2)) + "\n").encode()),
    ]
    notes = {
        "story": "removeAbandoned=true with removeAbandonedTimeout=18 reclaims connections still running slow SQL; the "
                 "driver's socket then times out (Communications link failure / Read timed out), later calls see "
                 "'No operations allowed after connection closed.', and MySQL ends up refusing connections (Too many connections)",
        "abandoned_traces": "stdout of DBCP 1.4, header-less, dated by the creation time they name (earlier than the "
                            "surrounding records: printed 18-95 s later, when reclaimed)",
        "leak_sites_expected": {"com.acme.settle.SettlementDao.sumDaily": 28, "com.acme.order.OrderDao.queryHistory": 9},
    }
    return files, notes


# ----------------------------------------------------------------------------------------

SCENARIOS = [
    ("000-hikari-pool-per-task", scenario_000, 1000),
    ("001-druid-leak-below-pool", scenario_001, 1001),
    ("002-hikari-datasource-per-tenant", scenario_002, 1002),
    ("003-dbcp-unreturned-connections", scenario_003, 1003),
    ("004-dbcp-abandoned-removal", scenario_004, 1004),
]


def write_scenario(root, name, fn, seed):
    rng = random.Random(seed)
    files, notes = fn(rng)
    d = os.path.join(root, name)
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    meta = []
    for rel, enc, parts, data in files:
        p = os.path.join(d, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(encode(data, enc, parts))
        meta.append((rel, enc, parts))
    truth = {"scenario": name, "seed": seed, "generator": "scripts/gen_samples.py",
             "counting": "events per stacksift's framing rules (container files: events of the unwrapped logical lines); "
                         "an event counts once per incident id when its text matches the id's signature anywhere; "
                         "first/last_incident_time cover events with any non-informational id; header-less DBCP traces are "
                         "dated by the creation time they name, other untimed events by the previous timed event",
             "time_basis": "epoch instants as ISO-8601 UTC; zone-less timestamps in the logs are UTC",
             "signatures": SIGNATURES, "informational_ids": sorted(INFORMATIONAL)}
    truth.update(truth_for(d, meta))
    truth["notes"] = notes
    with open(os.path.join(d, ".truth.json"), "w") as f:
        json.dump(truth, f, indent=2, sort_keys=False)
        f.write("\n")
    return truth


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "samples"))
    args = ap.parse_args()
    root = os.path.normpath(args.out)
    os.makedirs(root, exist_ok=True)
    for name, fn, seed in SCENARIOS:
        tr = write_scenario(root, name, fn, seed)
        tot = sum(f["bytes"] for f in tr["files"].values())
        print("%-36s %7d bytes decompressed, %s" % (name, tot, {k: v for k, v in tr["incident_events"].items() if v}))


if __name__ == "__main__":
    main()

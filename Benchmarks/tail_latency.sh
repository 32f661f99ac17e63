#!/usr/bin/env bash
# stacksift tail alert latency: how long from appending an event to a log until its alert is
# on tail's stdout.
#
#   Benchmarks/tail_latency.sh
#
# Starts `stacksift tail DIR --format ndjson`, then N times appends an event with a new
# exception class (so each one raises a `new-signature` alert) and times the moment its alert
# line arrives. Measured four ways:
#   inotify / poll     how tail learns that the file grew (--poll: every --poll-interval)
#   followed           the event is followed by the next record in the same write, as in a
#                      busy log: the next header completes it at once
#   lone               nothing follows: the event completes when the file has been quiet for
#                      --idle-flush (that delay is the design; the default is 2 s)
# Prints p50 / p90 / max in milliseconds per mode.
#
# Environment:
#   STACKSIFT         binary to use (default: build the release binary)
#   TAIL_SAMPLES      events per mode                        (default: 40)
#   TAIL_IDLE_FLUSH   --idle-flush for the `lone` rows       (default: 2)
#   TAIL_POLL         --poll-interval for the poll rows      (default: 0.25)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
cd "$repo"

STACKSIFT="${STACKSIFT:-}"
if [[ -z "$STACKSIFT" ]]; then
    echo "[tail-latency] building the release binary" >&2
    swift build -c release --product stacksift >&2
    STACKSIFT="$(swift build -c release --show-bin-path)/stacksift"
fi
command -v python3 >/dev/null || { echo "python3 not found" >&2; exit 1; }

STACKSIFT="$STACKSIFT" SAMPLES="${TAIL_SAMPLES:-40}" IDLE="${TAIL_IDLE_FLUSH:-2}" POLL="${TAIL_POLL:-0.25}" python3 - <<'PY'
import json, os, random, select, signal, subprocess, sys, tempfile, time

exe = os.environ["STACKSIFT"]
samples = int(os.environ["SAMPLES"])
idle = os.environ["IDLE"]
poll = os.environ["POLL"]
serial = [0]

def event(marker):
    serial[0] += 1
    t = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()) + ",%03d" % (serial[0] % 1000)
    return (f"{t} ERROR [http-nio-8080-exec-1] c.e.OrderService - request failed marker={marker}\n"
            f"com.bench.Failure{marker}Exception: broken\n"
            f"\tat com.bench.Service{marker}.call(Service.java:42)\n"
            f"\tat com.bench.Controller.get(Controller.java:17)\n")

def header():
    t = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()) + ",000"
    return f"{t} INFO  [main] c.e.Heartbeat - alive\n"

def run(mode, followed):
    with tempfile.TemporaryDirectory() as d:
        log = os.path.join(d, "app.log")
        open(log, "w").close()
        args = [exe, "tail", d, "--format", "ndjson", "--idle-flush", idle, "--timezone", "UTC"]
        if mode == "poll":
            args += ["--poll", "--poll-interval", poll]
        p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)
        buf = b""
        def next_alert(deadline):
            nonlocal buf
            while b"\n" not in buf:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                r, _, _ = select.select([p.stdout], [], [], left)
                if r:
                    chunk = os.read(p.stdout.fileno(), 65536)
                    if not chunk:
                        return None
                    buf += chunk
            line, buf = buf.split(b"\n", 1)
            return json.loads(line)
        try:
            # warm up: tail is running and has read the (empty) file
            with open(log, "a") as f:
                f.write(event("warmup") + header())
            if next_alert(time.monotonic() + 30) is None:
                sys.exit(f"no alert from stacksift tail ({mode})")
            out = []
            for i in range(samples):
                time.sleep(0.15 + random.random() * 0.2)  # do not line up with the poll timer
                text = event(i) + (header() if followed else "")
                t0 = time.monotonic()
                with open(log, "a") as f:
                    f.write(text)
                while True:
                    a = next_alert(t0 + 30)
                    if a is None:
                        sys.exit(f"alert {i} never arrived ({mode})")
                    if f"marker={i}" in a.get("exemplar", "") and a["kind"] == "new-signature":
                        out.append((time.monotonic() - t0) * 1000)
                        break
            return out
        finally:
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=30)

def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]

print(f"stacksift tail alert latency, {samples} events per row (ms)\n")
print("| mode | event | p50 | p90 | max |")
print("|---|---|---:|---:|---:|")
for mode in ("inotify", "poll"):
    for followed in (True, False):
        xs = run(mode, followed)
        label = "followed by the next record" if followed else f"lone (idle flush {idle} s)"
        mode_label = mode if mode == "inotify" else f"poll every {poll} s"
        print(f"| {mode_label} | {label} | {pct(xs, .5):.1f} | {pct(xs, .9):.1f} | {max(xs):.1f} |")
        sys.stdout.flush()
PY

#!/usr/bin/env bash
# stacksift throughput benchmark.
#
#   Benchmarks/run.sh
#
# Steps: build the release binary; generate a deterministic ~1.1 GiB Java-log corpus
# (Benchmarks/gen_corpus.py) unless it is already there; LZ4-compress it as one file and as
# 8 rotated parts; then time, best of N runs, `lz4 -dc` (the floor: just decompressing) and
# `stacksift analyze --stage decode|frame|full` on the single file, on the directory of parts
# (stacksift spreads files over both cores) and on the plain corpus.log.  Prints a Markdown
# table and writes it to $BENCH_DIR/results.md (raw numbers in results.tsv).
#
# Environment:
#   BENCH_DIR       work directory                           (default: <repo>/.build-bench)
#   BENCH_SIZE_MIB  corpus size in MiB                       (default: 1100)
#   BENCH_FILES     number of rotated parts                  (default: 8)
#   BENCH_REPEAT    rounds (each runs every command once), best wall counts (default: 3)
#   BENCH_PLAIN     1 = also measure the uncompressed corpus (default: 1)
#   BENCH_STAGES    stacksift stages to measure              (default: "decode frame full")
#   BENCH_STRICT    1 = a stacksift count mismatch fails the run (default: 0, warn only)
#   BENCH_STACKSIFT_ARGS  extra arguments for every stacksift run, e.g. "--timezone +08:00"
#                   (the corpus is written in local time +08:00)           (default: none)
#   STACKSIFT       path of a stacksift binary to use instead of building one;
#                   "skip" measures only the lz4 baselines (no build, no stacksift rows)
#
# Throughput is decompressed MB/s = size of corpus.log in bytes / 1e6 / best wall seconds.
# Files are read from a warm page cache (the first of the N runs warms it).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
cd "$repo"

BENCH_DIR="${BENCH_DIR:-.build-bench}"
mkdir -p "$BENCH_DIR"
BENCH_DIR="$(cd "$BENCH_DIR" && pwd)"
SIZE_MIB="${BENCH_SIZE_MIB:-1100}"
NFILES="${BENCH_FILES:-8}"
REPEAT="${BENCH_REPEAT:-3}"
PLAIN="${BENCH_PLAIN:-1}"
STAGES="${BENCH_STAGES:-decode frame full}"
STRICT="${BENCH_STRICT:-0}"
read -r -a SS_ARGS <<< "${BENCH_STACKSIFT_ARGS:-}"
STACKSIFT="${STACKSIFT:-}"

corpus="$BENCH_DIR/corpus"
outdir="$BENCH_DIR/out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
failures=0
warnings=0

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] ERROR: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

command -v lz4 >/dev/null || die "lz4 not found (apt-get install -y lz4)"
command -v python3 >/dev/null || die "python3 not found"

# ---- peak RSS needs GNU time ------------------------------------------------------------
TIME_BIN=""
if [ -x /usr/bin/time ] && /usr/bin/time -f %M -o /dev/null true 2>/dev/null; then
    TIME_BIN=/usr/bin/time
else
    log "GNU time missing; trying apt-get install -y time"
    if command -v apt-get >/dev/null; then
        { apt-get install -y -q time || { apt-get update -q && apt-get install -y -q time; }; } >/dev/null 2>&1
    fi
    if [ -x /usr/bin/time ] && /usr/bin/time -f %M -o /dev/null true 2>/dev/null; then
        TIME_BIN=/usr/bin/time
    else
        log "GNU time unavailable: peak RSS will be reported as n/a"
    fi
fi

# ---- 1. build ---------------------------------------------------------------------------
if [ "$STACKSIFT" = "skip" ]; then
    log "STACKSIFT=skip: measuring the lz4 baselines only"
elif [ -n "$STACKSIFT" ]; then
    [ -x "$STACKSIFT" ] || die "STACKSIFT=$STACKSIFT is not an executable"
    log "using STACKSIFT=$STACKSIFT (no build)"
else
    log "swift build -c release --product stacksift"
    swift build -c release --product stacksift >&2 || die "release build failed"
    STACKSIFT="$(swift build -c release --show-bin-path)/stacksift"
    [ -x "$STACKSIFT" ] || die "built binary not found at $STACKSIFT"
fi

# ---- 2. corpus --------------------------------------------------------------------------
stamp="size=$SIZE_MIB files=$NFILES gen=$(sha256sum "$here/gen_corpus.py" | cut -c1-16)"
if [ -f "$corpus/corpus.log" ] && [ -f "$corpus/corpus.truth.json" ] && [ "$(cat "$corpus/.stamp" 2>/dev/null)" = "$stamp" ]; then
    log "corpus present: $corpus ($stamp)"
else
    log "generating corpus: $SIZE_MIB MiB, $NFILES parts -> $corpus"
    rm -rf "$corpus"
    mkdir -p "$corpus"
    g0=$(now)
    python3 "$here/gen_corpus.py" "$corpus" --size-mib "$SIZE_MIB" --files "$NFILES" || die "corpus generation failed"
    g1=$(now)
    echo "$(elapsed "$g0" "$g1")" > "$corpus/.gen_seconds"
    echo "$stamp" > "$corpus/.stamp"
    log "generated in $(cat "$corpus/.gen_seconds") s"
fi
read -r TRUTH_BYTES TRUTH_LINES TRUTH_EVENTS < <(python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))
print(t["bytes"], t["lines"], t["events"])' "$corpus/corpus.truth.json") || die "cannot read corpus.truth.json"
size=$(stat -c %s "$corpus/corpus.log")
[ "$size" = "$TRUTH_BYTES" ] || die "corpus.log is $size bytes but truth says $TRUTH_BYTES"
log "corpus: $size bytes, $TRUTH_LINES lines, $TRUTH_EVENTS events"

# ---- 3. compress ------------------------------------------------------------------------
# (a regenerated corpus starts from an empty directory, so an existing .lz4 is current;
#  compress to a temporary name so an interrupted run leaves no truncated .lz4 behind)
compress() {
    [ -f "$2" ] && return 0
    lz4 -q -1 -f "$1" "$2.tmp" && mv "$2.tmp" "$2"
}
log "lz4 -1: corpus.log -> corpus.log.lz4, parts/*.log -> parts-lz4/*.log.lz4 (where missing)"
compress "$corpus/corpus.log" "$corpus/corpus.log.lz4" || die "lz4 compression failed"
mkdir -p "$corpus/parts-lz4"
rm -f "$corpus"/*.lz4.tmp "$corpus"/parts-lz4/*.tmp
for f in "$corpus"/parts/*.log; do
    compress "$f" "$corpus/parts-lz4/$(basename "$f").lz4" || die "lz4 compression of $f failed"
done
nparts=$(ls "$corpus"/parts-lz4/*.lz4 | wc -l)
lz4_size=$(stat -c %s "$corpus/corpus.log.lz4")
parts_lz4_size=$(cat "$corpus"/parts-lz4/*.lz4 | wc -c)
log "corpus.log.lz4: $lz4_size bytes (ratio $(awk -v a="$size" -v b="$lz4_size" 'BEGIN{printf "%.2f", a/b}')); parts-lz4/: $nparts files, $parts_lz4_size bytes"

# ---- 4. measure -------------------------------------------------------------------------
# The host's speed can drift by 1.5x within minutes, so measurements take turns: each round
# runs every command once, and each keeps its best wall over $REPEAT rounds. Rows measured
# minutes apart (decode+framing vs full analysis, stacksift vs lz4 -dc) are then compared
# under the same conditions, not under whatever the host did while one of them ran N times.
#
# spec KEY WHAT INPUT BASEKEY OUTFILE CMD [STAGE NFILES]: CMD is run with bash -c in the corpus
#   directory (so every row pays the same few ms for it); STAGE/NFILES = check the JSON.
# Peak RSS = max over runs (KiB from GNU time %M); CPU = user+sys seconds of the best-wall run.
declare -A WALL RSS CPU WHAT INPUT BASE OUT CMD STAGE NFILES FAILED
keys=()
rows=()
spec() {
    local key="$1"
    keys+=("$key")
    WHAT[$key]="$2"; INPUT[$key]="$3"; BASE[$key]="$4"; OUT[$key]="$5"; CMD[$key]="$6"
    STAGE[$key]="${7:-}"; NFILES[$key]="${8:-}"
    WALL[$key]=""; RSS[$key]=0; CPU[$key]=""; FAILED[$key]=""
}
run_once() {
    local key="$1" t0 t1 w r rc u sy
    [ -n "${FAILED[$key]}" ] && return 0
    t0=$(now)
    if [ -n "$TIME_BIN" ]; then
        "$TIME_BIN" -f '%U %S %M' -o "$tmp/rss" bash -c "${CMD[$key]}" > "${OUT[$key]}" 2> "$tmp/stderr"
        rc=$?
    else
        bash -c "${CMD[$key]}" > "${OUT[$key]}" 2> "$tmp/stderr"
        rc=$?
    fi
    t1=$(now)
    if [ "$rc" -ne 0 ]; then
        log "FAILED (exit $rc): ${WHAT[$key]} on ${INPUT[$key]}"
        sed 's/^/    /' "$tmp/stderr" | tail -n 20 >&2
        failures=$((failures + 1))
        FAILED[$key]=1
        WALL[$key]=""; RSS[$key]=""; CPU[$key]=""
        return 0
    fi
    w=$(elapsed "$t0" "$t1")
    r=""; u=0; sy=0
    [ -n "$TIME_BIN" ] && read -r u sy r < <(tail -n 1 "$tmp/rss")
    if [ -z "${WALL[$key]}" ] || awk -v a="$w" -v b="${WALL[$key]}" 'BEGIN{exit !(a < b)}'; then
        WALL[$key]="$w"
        CPU[$key]=$(awk -v u="$u" -v s="$sy" 'BEGIN{printf "%.2f", u + s}')
    fi
    if [ -n "$r" ] && [ "$r" -gt "${RSS[$key]}" ] 2>/dev/null; then RSS[$key]="$r"; fi
}
measure_all() {
    local round key best
    for ((round = 1; round <= REPEAT; round++)); do
        for key in "${keys[@]}"; do run_once "$key"; done
    done
    for key in "${keys[@]}"; do
        rows+=("$key|${WHAT[$key]}|${INPUT[$key]}|${BASE[$key]}")
        [ -n "${FAILED[$key]}" ] && continue
        [ -n "$TIME_BIN" ] || RSS[$key]=""
        best="${WALL[$key]}"
        log "$(printf '%-44s %-16s best %7.3f s  %8.1f MB/s  cpu %6s s  peak RSS %s' "${WHAT[$key]}" "${INPUT[$key]}" "$best" \
            "$(awk -v b="$size" -v w="$best" 'BEGIN{printf "%.1f", b/1e6/w}')" "${CPU[$key]:-n/a}" \
            "$( [ -n "${RSS[$key]}" ] && awk -v k="${RSS[$key]}" 'BEGIN{printf "%.1f MiB", k/1024}' || echo n/a)")"
        if [ -n "${STAGE[$key]}" ]; then check_json "${OUT[$key]}" "${INPUT[$key]}" "${STAGE[$key]}" "${NFILES[$key]}"; fi
    done
}

# check_json FILE INPUT_LABEL STAGE EXPECTED_FILES: compare stacksift's inputs.* with the truth
check_json() {
    local file="$1" label="$2" stage="$3" nfiles_expected="$4" msg
    msg=$(python3 - "$file" "$TRUTH_BYTES" "$TRUTH_LINES" "$TRUTH_EVENTS" "$stage" "$nfiles_expected" <<'PY'
import json, sys
path, tb, tl, te, stage, nf = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], int(sys.argv[6])
try:
    doc = json.load(open(path))
    inp = doc["inputs"]
except Exception as e:  # noqa: BLE001
    print("stdout is not JSON with an \"inputs\" object (%s)" % e)
    sys.exit(0)
bad = []
if inp.get("bytes") != tb:
    bad.append("inputs.bytes=%s, corpus has %d" % (inp.get("bytes"), tb))
if stage != "decode":
    if inp.get("events") != te:
        bad.append("inputs.events=%s, truth is %d" % (inp.get("events"), te))
    if "lines" in inp and inp.get("lines") not in (None, 0) and inp.get("lines") != tl:
        bad.append("inputs.lines=%s, truth is %d" % (inp.get("lines"), tl))
if "files" in inp and inp.get("files") != nf:
    bad.append("inputs.files=%s, expected %d" % (inp.get("files"), nf))
if inp.get("errors"):
    bad.append("inputs.errors not empty: %s" % json.dumps(inp["errors"])[:300])
print("; ".join(bad))
PY
)
    if [ -n "$msg" ]; then
        log "WARNING: stacksift --stage $stage on $label: $msg"
        warnings=$((warnings + 1))
    fi
}

mkdir -p "$outdir"
load_start=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?')
if awk -v l="$load_start" 'BEGIN{exit !(l + 0 > 0.7)}'; then
    log "WARNING: load average is $load_start before measuring: other processes compete for the $(nproc) cores, wall times will be inflated"
fi
cd "$corpus"
log "measuring, best of $REPEAT rounds, commands taking turns (cwd $corpus)"

export STACKSIFT
export SS_ARGS_STR="${SS_ARGS[*]}"
spec lz4_single 'lz4 -dc' corpus.log.lz4 lz4_single /dev/null 'lz4 -dc corpus.log.lz4'
spec lz4_parts 'lz4 -dc, file after file' "parts-lz4/ ($nparts)" lz4_parts /dev/null \
    'for f in parts-lz4/*; do lz4 -dc "$f" > /dev/null || exit 1; done'
spec lz4_parts_p2 'lz4 -dc, 2 files at a time (xargs -P2)' "parts-lz4/ ($nparts)" lz4_parts /dev/null \
    'ls parts-lz4/* | xargs -P 2 -n 1 lz4 -dc > /dev/null'
if [ "$PLAIN" = "1" ]; then
    spec cat_plain 'cat' corpus.log cat_plain /dev/null 'cat corpus.log'
fi

if [ "$STACKSIFT" != "skip" ]; then
    # (SS_ARGS_STR is split into words on purpose, as BENCH_STACKSIFT_ARGS was)
    for stage in $STAGES; do
        spec "ss_single_$stage" "stacksift --stage $stage" corpus.log.lz4 lz4_single "$outdir/single-$stage.json" \
            "\"\$STACKSIFT\" analyze corpus.log.lz4 --stage $stage --format json \$SS_ARGS_STR" "$stage" 1
    done
    for stage in $STAGES; do
        spec "ss_parts_$stage" "stacksift --stage $stage" "parts-lz4/ ($nparts)" lz4_parts "$outdir/parts-$stage.json" \
            "\"\$STACKSIFT\" analyze parts-lz4/ --stage $stage --format json \$SS_ARGS_STR" "$stage" "$nparts"
    done
    if [ "$PLAIN" = "1" ]; then
        for stage in $STAGES; do
            spec "ss_plain_$stage" "stacksift --stage $stage" corpus.log cat_plain "$outdir/plain-$stage.json" \
                "\"\$STACKSIFT\" analyze corpus.log --stage $stage --format json \$SS_ARGS_STR" "$stage" 1
        done
    fi
fi
measure_all
cd "$repo"

# ---- 5. report --------------------------------------------------------------------------
cpu="$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null)"
load_end=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?')
gen_s="$(cat "$corpus/.gen_seconds" 2>/dev/null || echo '?')"
{
    echo "Corpus: \`gen_corpus.py --size-mib $SIZE_MIB --files $NFILES\` — $size bytes ($(awk -v b="$size" 'BEGIN{printf "%.1f", b/1048576}') MiB), $TRUTH_LINES lines, $TRUTH_EVENTS events; \`lz4 -1\`: $lz4_size bytes (ratio $(awk -v a="$size" -v b="$lz4_size" 'BEGIN{printf "%.2f", a/b}')). Generated in ${gen_s} s."
    echo "Machine: $(nproc) cores${cpu:+, $cpu}, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM; lz4 $(lz4 --version 2>&1 | grep -oE 'v[0-9.]+' | head -n1); best of $REPEAT rounds (commands taking turns), warm page cache; load average $load_start before, $load_end after."
    echo "MB/s = decompressed bytes (size of corpus.log) / 10^6 / wall seconds. \"vs\" = wall time relative to the matching baseline (\`lz4 -dc\` of the same input; \`cat\` for the plain file)."
    echo
    echo "| what | input | wall s | MB/s | peak RSS MiB | vs \`lz4 -dc\` |"
    echo "|---|---|---:|---:|---:|---:|"
    for row in "${rows[@]}"; do
        IFS='|' read -r key what input base <<< "$row"
        w="${WALL[$key]}"
        bw="${WALL[$base]:-}"
        if [ -z "$w" ]; then
            echo "| $what | \`$input\` | failed | — | — | — |"
            continue
        fi
        mbs=$(awk -v b="$size" -v w="$w" 'BEGIN{printf "%.0f", b/1e6/w}')
        rss=$([ -n "${RSS[$key]}" ] && awk -v k="${RSS[$key]}" 'BEGIN{printf "%.1f", k/1024}' || echo "n/a")
        if [ -n "$bw" ]; then
            vs=$(awk -v w="$w" -v b="$bw" 'BEGIN{printf "%.2f×", w/b}')
            [ "$base" = cat_plain ] && vs="$vs (vs cat)"
        else
            vs="—"
        fi
        echo "| $what | \`$input\` | $(printf '%.2f' "$w") | $mbs | $rss | $vs |"
    done
} > "$BENCH_DIR/results.md"
{
    printf 'key\twhat\tinput\twall_s\tmb_per_s\tpeak_rss_kib\tcpu_s\n'
    for row in "${rows[@]}"; do
        IFS='|' read -r key what input base <<< "$row"
        [ -n "${WALL[$key]}" ] || continue
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$key" "$what" "$input" "${WALL[$key]}" \
            "$(awk -v b="$size" -v w="${WALL[$key]}" 'BEGIN{printf "%.1f", b/1e6/w}')" "${RSS[$key]}" "${CPU[$key]}"
    done
} > "$BENCH_DIR/results.tsv"
echo
cat "$BENCH_DIR/results.md"
echo
log "table written to $BENCH_DIR/results.md (raw: results.tsv; stacksift JSON in $outdir)"

if [ "$warnings" -gt 0 ]; then
    log "$warnings count mismatch warning(s), see above"
    [ "$STRICT" = "1" ] && failures=$((failures + warnings))
fi
if [ "$failures" -gt 0 ]; then
    log "$failures measurement(s) failed"
    exit 1
fi
exit 0

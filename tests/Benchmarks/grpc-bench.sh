#!/usr/bin/env bash
# Unary gRPC benchmark of IrSuite's runtime (docs/benchmarks/grpc-transport.md).
#
#   bash tests/Benchmarks/grpc-bench.sh
#
# Echo servers, each pinned to one core (SERVER_CPU) and loaded by h2load pinned to another (CLIENT_CPU):
#   (a) runtime  our runtime serving irsuite.bench.v1.EchoService/Echo   (IrSuite.Bench serve --impl runtime)
#   (b) raw      the ceiling: same Kestrel host, echo framed by hand     (IrSuite.Bench serve --impl raw)
#   (c) python   python3-grpcio 1.51 sync server, raw-bytes handler      (tests/Interop/python/bench_echo_server.py)
#   (d) client   our client (IrSuite.Bench drive) driving (a)
# Every server is first checked with one nghttp call (grpc-status 0, body echoed) and, for (a) and (b),
# with a fixed-count h2load run against a copy that counts response statuses server-side.
#
# .NET servers are first primed with PRIME seconds of untimed load: pinned to one core, the JIT's tiering
# (R2R/tier-0 -> instrumented -> tier-1) takes 40-60 s under full load to converge, and a 3 s warm-up
# would measure half-tiered code (see the doc). Export DOTNET_TC_CallCountingDelayMs=0 to converge in ~10 s.
#
# Environment: DURATION (10) WARMUP (3) PRIME (60) CONNECTIONS (16) STREAMS (32) CLIENT_CONCURRENCY (64)
#              SERVER_CPU (0) CLIENT_CPU (1) VERIFY_REQUESTS (20000, 0 skips the counted run)
#              TEXT (hello) SKIP_BUILD (0) KEEP_TMP (0)
#              IDLE_WAIT (120: wait up to N s for a quiet machine before each run; 0 = don't) IDLE_THRESHOLD (10 %)
#              NOISE_MAX (10: % of a core other jobs may take during a timed run) NOISE_RETRIES (2: re-measurements)
set -euo pipefail

DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
PRIME=${PRIME:-60}
CONNECTIONS=${CONNECTIONS:-16}
STREAMS=${STREAMS:-32}
CLIENT_CONCURRENCY=${CLIENT_CONCURRENCY:-64}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
VERIFY_REQUESTS=${VERIFY_REQUESTS:-20000}
TEXT=${TEXT:-hello}
SKIP_BUILD=${SKIP_BUILD:-0}
KEEP_TMP=${KEEP_TMP:-0}
IDLE_WAIT=${IDLE_WAIT:-120}
IDLE_THRESHOLD=${IDLE_THRESHOLD:-10}
NOISE_MAX=${NOISE_MAX:-10}
NOISE_RETRIES=${NOISE_RETRIES:-2}
PYTHON=/usr/bin/python3 # the python3 first on PATH has no grpc module

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH_PROJ=$ROOT/tests/Benchmarks/IrSuite.Bench/IrSuite.Bench.csproj
INTEROP_PROJ=$ROOT/tests/Interop/IrSuite.Interop.Server/IrSuite.Interop.Server.csproj
BENCH_DLL=$ROOT/tests/Benchmarks/IrSuite.Bench/bin/Release/net10.0/IrSuite.Bench.dll
INTEROP_DLL=$ROOT/tests/Interop/IrSuite.Interop.Server/bin/Release/net10.0/IrSuite.Interop.Server.dll
PY_SERVER=$ROOT/tests/Interop/python/bench_echo_server.py
METHOD_PATH=/irsuite.bench.v1.EchoService/Echo

TMP=$(mktemp -d "${TMPDIR:-/tmp}/grpc-bench.XXXXXX")
SERVER_PID=

die() {
    echo "grpc-bench: ABORT: $*" >&2
    exit 1
}

cleanup() {
    local rc=$?
    if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [[ $KEEP_TMP == 1 || $rc != 0 ]]; then
        echo "grpc-bench: temporary files kept in $TMP" >&2
    else
        rm -rf "$TMP"
    fi
    exit "$rc"
}
trap cleanup EXIT

for tool in dotnet h2load nghttp taskset "$PYTHON"; do
    command -v "$tool" >/dev/null || die "$tool not found"
done
"$PYTHON" -c 'import grpc' 2>/dev/null || die "$PYTHON cannot import grpc (apt-get install python3-grpcio)"
[[ $(nproc --all) -ge 2 ]] || die "needs 2 cores (server and load generator pinned apart)"
(( CLIENT_CONCURRENCY >= 1 && CONNECTIONS >= 1 && STREAMS >= 1 )) || die "CONNECTIONS, STREAMS, CLIENT_CONCURRENCY must be >= 1"

# --- build --------------------------------------------------------------------------------------------
# Another build of the same projects (e.g. tests) may hold file locks for a moment: retry.
build() {
    local proj=$1 attempt
    for attempt in 1 2 3 4 5; do
        if dotnet build "$proj" -c Release --nologo -v quiet >"$TMP/build.log" 2>&1; then
            return 0
        fi
        if grep -qE 'being used by another process|MSB3021|MSB3026|MSB3027' "$TMP/build.log"; then
            echo "build of $(basename "$proj") hit a file lock, retrying ($attempt)" >&2
            sleep 5
        else
            cat "$TMP/build.log" >&2
            die "build of $proj failed"
        fi
    done
    cat "$TMP/build.log" >&2
    die "build of $proj failed 5 times"
}

if [[ $SKIP_BUILD != 1 ]]; then
    echo "building (Release)..."
    build "$BENCH_PROJ"
    build "$INTEROP_PROJ"
fi
[[ -f $BENCH_DLL && -f $INTEROP_DLL ]] || die "build outputs missing"

dotnet "$INTEROP_DLL" --descriptor_set_out "$TMP/bench.pb"

# The request: 5-byte gRPC prefix (flag 0, big-endian length) + EchoRequest{text=TEXT} (field 1, LEN).
# EchoResponse has the same encoding, so every correct server echoes these bytes exactly.
"$PYTHON" - "$TEXT" "$TMP/body.bin" <<'EOF'
import struct, sys
text = sys.argv[1].encode()
assert len(text) < 128, "TEXT must be under 128 bytes (one-byte varint length)"
message = b"\x0a" + bytes([len(text)]) + text
open(sys.argv[2], "wb").write(b"\x00" + struct.pack(">I", len(message)) + message)
EOF

# --- server lifecycle ------------------------------------------------------------------------------------
PORT=
start_server() { # name, command...
    local name=$1
    shift
    taskset -c "$SERVER_CPU" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
    SERVER_PID=$!
    local i
    for i in $(seq 1 300); do
        if grep -q '^READY ' "$TMP/$name.out"; then
            PORT=$(awk '/^READY /{print $2; exit}' "$TMP/$name.out")
            return 0
        fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            cat "$TMP/$name.err" >&2
            die "$name server exited before READY"
        fi
        sleep 0.1
    done
    die "$name server not READY after 30 s"
}

stop_server() {
    if [[ -n $SERVER_PID ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=
    fi
}

# One call with nghttp: HTTP 200, content-type application/grpc, grpc-status 0 and only 0, body echoed.
verify_call() { # name
    local name=$1 url="http://127.0.0.1:$PORT$METHOD_PATH" trace="$TMP/$1.nghttp.txt"
    nghttp -v -H 'content-type: application/grpc' -H 'te: trailers' -d "$TMP/body.bin" "$url" >"$trace" 2>&1 \
        || { cat "$trace" >&2; die "$name: nghttp call failed"; }
    grep -aqE 'recv \(stream_id=[0-9]+\) :status: 200$' "$trace" || { cat -v "$trace" >&2; die "$name: no HTTP 200"; }
    grep -aqE 'recv \(stream_id=[0-9]+\) content-type: application/grpc' "$trace" || { cat -v "$trace" >&2; die "$name: no content-type application/grpc"; }
    local statuses
    statuses=$(grep -aoE 'recv \(stream_id=[0-9]+\) grpc-status: .*' "$trace" | sed 's/.*grpc-status: //' | tr -d '\r' | sort -u | tr '\n' ' ')
    [[ $statuses == "0 " ]] || { cat -v "$trace" >&2; die "$name: grpc-status is '${statuses:-missing}', expected exactly 0"; }
    nghttp -H 'content-type: application/grpc' -H 'te: trailers' -d "$TMP/body.bin" "$url" >"$TMP/$name.response.bin" 2>"$TMP/$name.nghttp.err" \
        || die "$name: second nghttp call failed"
    cmp -s "$TMP/body.bin" "$TMP/$name.response.bin" \
        || { xxd "$TMP/$name.response.bin" >&2; die "$name: response body is not the echoed request frame"; }
    echo "$name: nghttp check OK (HTTP 200, application/grpc, grpc-status 0 in trailers, body echoed)"
}

# CPU accounting for a timed run, in % of one core over the run: the server process, the load generator
# (the shell's reaped children: h2load or our client, run in the foreground) and everything else on the two
# cores (other jobs such as builds and tests, plus kernel softirqs: the noise).
cpu_snapshot() { # -> "<busy ticks of both cores> <total ticks of the server core> <server ticks> <children ticks>"
    local cores proc children
    cores=$(awk -v a="cpu$SERVER_CPU" -v b="cpu$CLIENT_CPU" '
        $1 == a || $1 == b { t = 0; for (i = 2; i <= NF; i++) t += $i; busy += t - $5 - $6; if ($1 == a) total = t }
        END { print busy, total }' /proc/stat)
    proc=$(awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat" 2>/dev/null || echo 0)
    children=$(awk '{ print $16 + $17 }' "/proc/$$/stat")
    echo "$cores $proc $children"
}
CPU_SERVER=
CPU_LOADGEN=
CPU_OTHER=
cpu_report() { # before, after; sets CPU_SERVER, CPU_LOADGEN, CPU_OTHER
    local b0 t0 s0 c0 b1 t1 s1 c1
    read -r b0 t0 s0 c0 <<<"$1"
    read -r b1 t1 s1 c1 <<<"$2"
    read -r CPU_SERVER CPU_LOADGEN CPU_OTHER < <(awk -v b=$((b1 - b0)) -v t=$((t1 - t0)) -v s=$((s1 - s0)) -v c=$((c1 - c0)) \
        'BEGIN { if (t <= 0) t = 1; o = 100 * (b - s - c) / t; printf "%.0f %.0f %.0f\n", 100 * s / t, 100 * c / t, (o < 0 ? 0 : o) }')
    echo "  CPU: server ${CPU_SERVER}% of core $SERVER_CPU, load generator ${CPU_LOADGEN}% of core $CLIENT_CPU, other load ${CPU_OTHER}% of a core"
}

# A timed run is redone (up to NOISE_RETRIES times, after waiting for a quiet machine) when other load
# took more than NOISE_MAX % of a core during it.
is_noisy() { (( CPU_OTHER > NOISE_MAX )); }

# The two cores are shared with whatever else runs (builds, tests): wait up to IDLE_WAIT seconds for the
# machine to be nearly idle (< IDLE_THRESHOLD % busy over one second) before each measurement.
wait_idle() {
    (( IDLE_WAIT > 0 )) || return 0
    local deadline=$((SECONDS + IDLE_WAIT)) busy
    while true; do
        busy=$(
            a=$(awk '/^cpu /{t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t}' /proc/stat)
            sleep 1
            b=$(awk '/^cpu /{t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t}' /proc/stat)
            echo "$a $b" | awk '{ printf "%.0f", ($4 > $2 ? 100 * ($3 - $1) / ($4 - $2) : 0) }'
        )
        if (( busy < IDLE_THRESHOLD )); then
            return 0
        fi
        if (( SECONDS >= deadline )); then
            echo "  WARNING: machine still ${busy}% busy after ${IDLE_WAIT}s; measuring anyway (figures will be low)" >&2
            return 0
        fi
        sleep 2
    done
}

# Untimed load in 5 s slices until PRIME seconds have passed; prints each slice's rate (the tiering curve).
prime() { # name
    local name=$1 t=0 rates="" rate
    (( PRIME > 0 )) || return 0
    while (( t < PRIME )); do
        rate=$(taskset -c "$CLIENT_CPU" h2load -c "$CONNECTIONS" -m "$STREAMS" -t 1 -D 5 \
            -d "$TMP/body.bin" -H 'content-type: application/grpc' -H 'te: trailers' \
            "http://127.0.0.1:$PORT$METHOD_PATH" 2>&1 | awk '/^finished in/{gsub(",", "", $4); printf "%.0f", $4}')
        rates="$rates ${rate:-?}"
        t=$((t + 5))
    done
    echo "$name: primed ${PRIME}s, req/s per 5 s slice:$rates"
}

# The timed h2load run, pinned to CLIENT_CPU; sets H2LOAD_RESULT="<req/s> <p50 µs> <p99 µs> <requests in log>".
H2LOAD_RESULT=
run_h2load() { # name
    local name=$1 out="$TMP/$1.h2load.txt" log="$TMP/$1.lat.tsv" before attempt
    for (( attempt = 0; ; attempt++ )); do
        rm -f "$log" # h2load appends to its log file
        before=$(cpu_snapshot)
        taskset -c "$CLIENT_CPU" h2load -c "$CONNECTIONS" -m "$STREAMS" -t 1 -D "$DURATION" --warm-up-time="$WARMUP" \
            -d "$TMP/body.bin" -H 'content-type: application/grpc' -H 'te: trailers' \
            --log-file="$log" "http://127.0.0.1:$PORT$METHOD_PATH" >"$out" 2>&1 \
            || { cat "$out" >&2; die "$name: h2load failed"; }
        cpu_report "$before" "$(cpu_snapshot)"
        check_h2load_counts "$name" "$out"
        if ! is_noisy || (( attempt >= NOISE_RETRIES )); then
            break
        fi
        echo "  noisy run ($(awk '/^finished in/{print $4, $5}' "$out")), measuring again"
        wait_idle
    done
    local rps
    rps=$(awk '/^finished in/{gsub(",", "", $4); print $4; exit}' "$out")
    [[ -n $rps ]] || { cat "$out" >&2; die "$name: cannot parse req/s"; }
    # --log-file columns: start time (µs), HTTP status, latency (µs); only the measured period is logged.
    local pct
    pct=$(awk -F'\t' '$2 == 200 {print $3}' "$log" | sort -n | awk '
        {v[NR] = $1}
        END {
            if (NR == 0) { print "0 0 0"; exit }
            i50 = int(NR * 0.50 + 0.999999); i99 = int(NR * 0.99 + 0.999999)
            print v[i50], v[i99], NR
        }')
    H2LOAD_RESULT="$rps $pct"
}

check_h2load_counts() { # name, output file [expected requests]
    local name=$1 out=$2 expected=${3:-}
    local line status
    line=$(grep -E '^requests:' "$out") || { cat "$out" >&2; die "$name: no requests line in h2load output"; }
    status=$(grep -E "^status codes:" "$out") || die "$name: no status codes line in h2load output"
    echo "$name: h2load $line | $status"
    [[ $line =~ \ 0\ failed,\ 0\ errored,\ 0\ timeout ]] || die "$name: h2load reported failed/errored/timed-out requests"
    [[ $status =~ ^status\ codes:\ [0-9]+\ 2xx,\ 0\ 3xx,\ 0\ 4xx,\ 0\ 5xx ]] || die "$name: non-2xx HTTP statuses"
    if [[ -n $expected ]]; then
        [[ $line =~ ^requests:\ $expected\ total,\ $expected\ started,\ $expected\ done,\ $expected\ succeeded ]] \
            || die "$name: expected $expected succeeded requests"
    fi
}

# Fixed-count run against a copy of the server that counts grpc-status per response (costs a middleware,
# so it is not the timed run): every request must have ended with grpc-status 0.
verify_statuses() { # name, impl
    local name=$1 impl=$2
    (( VERIFY_REQUESTS > 0 )) || return 0
    start_server "$name-count" dotnet "$BENCH_DLL" serve --impl "$impl" --port 0 --count-status
    local out="$TMP/$name-count.h2load.txt"
    taskset -c "$CLIENT_CPU" h2load -c "$CONNECTIONS" -m "$STREAMS" -t 1 -n "$VERIFY_REQUESTS" \
        -d "$TMP/body.bin" -H 'content-type: application/grpc' -H 'te: trailers' \
        "http://127.0.0.1:$PORT$METHOD_PATH" >"$out" 2>&1 || { cat "$out" >&2; die "$name: h2load (counted) failed"; }
    check_h2load_counts "$name-count" "$out" "$VERIFY_REQUESTS"
    stop_server
    local summary
    summary=$(grep '^STATUS ' "$TMP/$name-count.out") || die "$name: server printed no STATUS line"
    echo "$name: server-side $summary"
    [[ $summary == "STATUS total=$VERIFY_REQUESTS ok=$VERIFY_REQUESTS other=-" ]] \
        || die "$name: expected $VERIFY_REQUESTS responses, all grpc-status 0"
}

load_note() {
    echo "  load average: $(cut -d' ' -f1-3 /proc/loadavg)"
}

declare -A RPS P50 P99 OTHER SRV LOADGEN

# The runtime logs at Error a call whose stream the peer abandoned before sending END_STREAM (h2load closes
# its connections with calls in flight when a run ends). Counted and shown, not treated as a failure.
server_errors() { # name
    local n
    n=$(grep -c '^fail: ' "$TMP/$1.out" || true)
    if (( n > 0 )); then
        echo "  $1: server logged $n error(s); first: $(grep -m1 -A2 '^fail: ' "$TMP/$1.out" | tail -n +2 | tr -s ' \n' ' ')"
    fi
}

bench_server() { # key, label, prime (yes/no), command...
    local key=$1 label=$2 do_prime=$3
    shift 3
    echo
    echo "== ($key) $label: server on CPU $SERVER_CPU, h2load on CPU $CLIENT_CPU, -c $CONNECTIONS -m $STREAMS, ${WARMUP}s warm-up + ${DURATION}s"
    wait_idle
    load_note
    start_server "$key" "$@"
    verify_call "$key"
    if [[ $do_prime == yes ]]; then
        prime "$key"
    fi
    run_h2load "$key"
    OTHER[$key]=$CPU_OTHER
    SRV[$key]=$CPU_SERVER
    LOADGEN[$key]=$CPU_LOADGEN
    stop_server
    server_errors "$key"
    read -r RPS[$key] P50[$key] P99[$key] logged <<<"$H2LOAD_RESULT"
    echo "$key: ${RPS[$key]} req/s, p50 ${P50[$key]} µs, p99 ${P99[$key]} µs ($logged requests in the latency log)"
}

echo "grpc-bench: $(date -u '+%Y-%m-%d %H:%M UTC'), runtime at $(git -C "$ROOT" log -1 --format='%h (%cI)' -- services/Shared/IrSuite.Grpc 2>/dev/null || echo '?')" \
    "+ $(git -C "$ROOT" status --porcelain -- services/Shared/IrSuite.Grpc 2>/dev/null | wc -l) uncommitted file(s)"
echo "grpc-bench: $(nproc) CPUs ($(lscpu | sed -n 's/^Model name: *//p')), DURATION=$DURATION WARMUP=$WARMUP PRIME=$PRIME" \
    "CONNECTIONS=$CONNECTIONS STREAMS=$STREAMS CLIENT_CONCURRENCY=$CLIENT_CONCURRENCY"

bench_server a "runtime" yes dotnet "$BENCH_DLL" serve --impl runtime --port 0
verify_statuses a runtime
bench_server b "raw Kestrel" yes dotnet "$BENCH_DLL" serve --impl raw --port 0
verify_statuses b raw
bench_server c "python-grpcio" no "$PYTHON" "$PY_SERVER" --descriptor_set "$TMP/bench.pb" --port 0

echo
echo "== (d) our client -> runtime: server on CPU $SERVER_CPU, client on CPU $CLIENT_CPU, concurrency $CLIENT_CONCURRENCY, $((PRIME + WARMUP))s warm-up + ${DURATION}s"
wait_idle
load_note
start_server d dotnet "$BENCH_DLL" serve --impl runtime --port 0
verify_call d
for (( attempt = 0; ; attempt++ )); do
    before=$(cpu_snapshot)
    taskset -c "$CLIENT_CPU" dotnet "$BENCH_DLL" drive --target "http://127.0.0.1:$PORT" \
        --duration "$DURATION" --warmup "$((PRIME + WARMUP))" --concurrency "$CLIENT_CONCURRENCY" --text "$TEXT" >"$TMP/d.drive.txt" 2>&1 \
        || { cat "$TMP/d.drive.txt" >&2; die "our client failed (calls failed or wrong echo)"; }
    cpu_report "$before" "$(cpu_snapshot)"
    if ! is_noisy || (( attempt >= NOISE_RETRIES )); then
        break
    fi
    echo "  noisy run ($(grep '^calls/s' "$TMP/d.drive.txt")), measuring again"
    wait_idle
done
OTHER[d]=$CPU_OTHER
SRV[d]=$CPU_SERVER
LOADGEN[d]=$CPU_LOADGEN
stop_server
server_errors d
cat "$TMP/d.drive.txt"
result=$(grep '^RESULT ' "$TMP/d.drive.txt") || die "no RESULT line from the client"
RPS[d]=$(sed -E 's/.*calls_per_sec=([0-9.]+).*/\1/' <<<"$result")
P50[d]=$(sed -E 's/.*p50_us=([0-9.]+).*/\1/' <<<"$result")
P99[d]=$(sed -E 's/.*p99_us=([0-9.]+).*/\1/' <<<"$result")

# --- report ----------------------------------------------------------------------------------------------
echo
# CPU during the timed run, in % of one core: "srv" the server (~100 = the server was the bottleneck),
# "load" the load generator, "other" everything else (noise; rows marked * stayed above NOISE_MAX).
printf '%-40s | %10s | %8s | %8s | %5s | %5s | %7s\n' "server" "calls/s" "p50 µs" "p99 µs" "srv %" "load %" "other %"
printf '%-40s-+-%10s-+-%8s-+-%8s-+-%5s-+-%5s-+-%7s\n' "----------------------------------------" "----------" "--------" "--------" "-----" "------" "-------"
row() {
    local mark=""
    (( ${OTHER[$2]} > NOISE_MAX )) && mark="*"
    printf '%-40s | %10.0f | %8.0f | %8.0f | %5s | %6s | %7s\n' "$1" "${RPS[$2]}" "${P50[$2]}" "${P99[$2]}" "${SRV[$2]}" "${LOADGEN[$2]}" "${OTHER[$2]}$mark"
}
row "(a) runtime (h2load)" a
row "(b) raw Kestrel ceiling (h2load)" b
row "(c) python-grpcio (h2load)" c
row "(d) our client -> runtime (c=$CLIENT_CONCURRENCY)" d
echo

ratio() { awk -v x="$1" -v y="$2" 'BEGIN { printf "%.3f", (y > 0 ? x / y : 0) }'; }
verdict() { # value, target, ge|le, rows the figure depends on
    local v=$1 t=$2 dir=$3 key
    shift 3
    for key in "$@"; do
        if (( ${OTHER[$key]} > NOISE_MAX )); then
            echo "NOISY (row $key had ${OTHER[$key]}% other load: not judged)"
            return
        fi
    done
    awk -v v="$v" -v t="$t" -v dir="$dir" 'BEGIN { ok = (dir == "ge" ? v >= t : v <= t); print (ok ? "PASS" : "MISS") }'
}
ab=$(ratio "${RPS[a]}" "${RPS[b]}")
p99ab=$(ratio "${P99[a]}" "${P99[b]}")
ac=$(ratio "${RPS[a]}" "${RPS[c]}")
printf '%-34s %8s   target %-8s %s\n' "a/b calls/s (runtime vs ceiling)" "$ab" ">= 0.85" "$(verdict "$ab" 0.85 ge a b)"
printf '%-34s %8s   target %-8s %s\n' "p99(a)/p99(b)" "$p99ab" "<= 1.2" "$(verdict "$p99ab" 1.2 le a b)"
printf '%-34s %8s   target %-8s %s\n' "a/c calls/s (runtime vs python)" "$ac" ">= 10" "$(verdict "$ac" 10 ge a c)"

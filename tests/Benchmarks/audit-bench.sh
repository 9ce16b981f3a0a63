#!/usr/bin/env bash
# What the audit trail costs a read (docs/benchmarks/audit-trail.md).
#
#   bash tests/Benchmarks/audit-bench.sh
#
# Starts the embedded suite host (SQLite, temp data directory, free port, per-caller limits lifted) and loads it
# with h2load, side by side in one run:
#   (a) baseline   grpc.health.v1.Health/Check: the same host and transport, no token, no database, no audit record
#   (b) audited    DischargeService/GetObservationStatus of an unknown referral: token checked, one SQLite read,
#                  one audit record committed (group commit, decision 0013) before the NOT_FOUND answer
# each at concurrency 1 (one stream) and at CONCURRENCY streams. Then VerifyAuditChain (python3-grpcio, auditor
# token) checks that the discharge chain holds exactly one record per (b) call and is intact.
#
# Environment: REQUESTS (20000) CONCURRENCY (48) SERIAL_REQUESTS (2000) SKIP_BUILD (0) KEEP_TMP (0)
set -euo pipefail

REQUESTS=${REQUESTS:-20000}
CONCURRENCY=${CONCURRENCY:-48}
SERIAL_REQUESTS=${SERIAL_REQUESTS:-2000}
SKIP_BUILD=${SKIP_BUILD:-0}
KEEP_TMP=${KEEP_TMP:-0}
PYTHON=/usr/bin/python3

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HOST_PROJ=$ROOT/services/IrSuite.SuiteHost/IrSuite.SuiteHost.csproj
HOST_DLL=$ROOT/services/IrSuite.SuiteHost/bin/Release/net10.0/IrSuite.SuiteHost.dll
TMP=$(mktemp -d "${TMPDIR:-/tmp}/audit-bench.XXXXXX")
HOST_PID=

cleanup() {
    local rc=$?
    if [[ -n $HOST_PID ]] && kill -0 "$HOST_PID" 2>/dev/null; then
        kill "$HOST_PID" 2>/dev/null || true
        wait "$HOST_PID" 2>/dev/null || true
    fi
    [[ $KEEP_TMP == 1 ]] && echo "audit-bench: kept $TMP" || rm -rf "$TMP"
    exit $rc
}
trap cleanup EXIT

die() {
    echo "audit-bench: ABORT: $*" >&2
    [[ -f $TMP/host.log ]] && tail -20 "$TMP/host.log" >&2
    exit 1
}

command -v h2load >/dev/null || die "h2load is not installed (Debian: nghttp2-client)"
$PYTHON -c 'import grpc' 2>/dev/null || die "$PYTHON has no grpc module (Debian: python3-grpcio)"
[[ $SKIP_BUILD == 1 ]] || dotnet build "$HOST_PROJ" -c Release -v q -nologo >/dev/null || die "build failed"

free_port() { $PYTHON -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
cd "$TMP" # the development signing key is created under the working directory
dotnet "$HOST_DLL" keygen --out "$TMP/bench.jwk" --jwks "$TMP/bench-jwks.json" >/dev/null
ISSUER=irsuite-bench
token() { dotnet "$HOST_DLL" token --role "$1" --sub "$2" --key "$TMP/bench.jwk" --issuer $ISSUER | tail -1; }
NURSE=$(token nurse bench-nurse)
AUDITOR=$(token auditor bench-auditor)

start_host() { # name audit-max-batch -> sets PORT, HOST_PID
    PORT=$(free_port)
    dotnet "$HOST_DLL" \
        --Grpc:Address=127.0.0.1:$PORT --Health:HttpAddress=127.0.0.1:0 --Board:HttpAddress=127.0.0.1:0 --Data:Directory="$TMP/$1" \
        --Logging:LogLevel:Default=Warning --Logging:LogLevel:Microsoft.Hosting.Lifetime=Information \
        --Auth:Issuers:0:Issuer=$ISSUER --Auth:Issuers:0:JwksFile="$TMP/bench-jwks.json" \
        --Limits:PerCallerRequestsPerSecond=1000000 --Limits:PerCallerBurst=1000000 --Limits:PerCallerConcurrency=100000 \
        --Databases:discharge:AuditMaxBatch="$2" \
        >"$TMP/$1.log" 2>&1 &
    HOST_PID=$!
    for _ in $(seq 1 150); do
        grep -q "Now listening on" "$TMP/$1.log" 2>/dev/null && return 0
        kill -0 $HOST_PID 2>/dev/null || die "the suite host ($1) exited: $(tail -5 "$TMP/$1.log")"
        sleep 0.2
    done
    die "the suite host ($1) did not start listening"
}

stop_host() {
    kill "$HOST_PID" 2>/dev/null || true
    wait "$HOST_PID" 2>/dev/null || true
    HOST_PID=
}

# gRPC frames: an empty HealthCheckRequest; a GetObservationStatusRequest whose referral_id (field 1) is a fresh UUID.
printf '\x00\x00\x00\x00\x00' >"$TMP/empty.bin"
$PYTHON - "$TMP/status.bin" <<'PY'
import struct, sys, uuid
body = b"\x0a\x24" + str(uuid.uuid4()).encode()
open(sys.argv[1], "wb").write(b"\x00" + struct.pack(">I", len(body)) + body)
PY

load() { # path body requests clients streams -> "calls/s mean-latency"
    local out
    out=$(h2load -n "$3" -c "$4" -m "$5" -d "$2" \
        -H 'content-type: application/grpc' -H 'te: trailers' -H "authorization: Bearer $NURSE" \
        "http://127.0.0.1:$PORT$1" 2>&1) || die "h2load failed: $out"
    local succeeded
    succeeded=$(awk '/^requests:/ {print $8}' <<<"$out")
    [[ $succeeded == "$3" ]] || die "only $succeeded of $3 requests succeeded: $out"
    echo "$(awk '/^finished in/ {print $4}' <<<"$out") $(awk '/^time for request:/ {print $6}' <<<"$out")"
}

HEALTH=/grpc.health.v1.Health/Check
STATUS=/ir.discharge.v1.DischargeService/GetObservationStatus
CLIENTS=4
STREAMS=$(( (CONCURRENCY + CLIENTS - 1) / CLIENTS ))
AUDITED=$((2000 + SERIAL_REQUESTS + REQUESTS))

measure() { # name audit-max-batch -> prints its rows, checks its chain
    start_host "$1" "$2"
    # Warm-up (JIT, pools), untimed; its calls are audited too.
    load $HEALTH "$TMP/empty.bin" 2000 $CLIENTS $STREAMS >/dev/null
    load $STATUS "$TMP/status.bin" 2000 $CLIENTS $STREAMS >/dev/null
    local h1 h1m s1 s1m hn hnm sn snm
    read -r h1 h1m < <(load $HEALTH "$TMP/empty.bin" "$SERIAL_REQUESTS" 1 1)
    read -r s1 s1m < <(load $STATUS "$TMP/status.bin" "$SERIAL_REQUESTS" 1 1)
    read -r hn hnm < <(load $HEALTH "$TMP/empty.bin" "$REQUESTS" $CLIENTS $STREAMS)
    read -r sn snm < <(load $STATUS "$TMP/status.bin" "$REQUESTS" $CLIENTS $STREAMS)
    printf "  %s: " "$1"; verify_chain
    stop_host
    echo "$1 $s1 $s1m $sn $snm $h1 $h1m $hn $hnm" >>"$TMP/results"
}

verify_chain() {
    $PYTHON - "127.0.0.1:$PORT" "$AUDITOR" "$AUDITED" <<'PY'
import sys, grpc
target, token, expected = sys.argv[1], sys.argv[2], int(sys.argv[3])
def varints(buf):
    i = 0
    while i < len(buf):
        key = buf[i]; i += 1
        field, wire = key >> 3, key & 7
        if wire == 0:
            value = shift = 0
            while True:
                b = buf[i]; i += 1
                value |= (b & 0x7f) << shift; shift += 7
                if not b & 0x80: break
            yield field, value
        elif wire == 2:
            length = shift = 0
            while True:
                b = buf[i]; i += 1
                length |= (b & 0x7f) << shift; shift += 7
                if not b & 0x80: break
            yield field, buf[i:i + length]; i += length
        else:
            raise ValueError("unexpected wire type %d" % wire)
with grpc.insecure_channel(target) as channel:
    verify = channel.unary_unary("/ir.audit.v1.AuditService/VerifyAuditChain", request_serializer=lambda b: b, response_deserializer=lambda b: b)
    answer = verify(b"", metadata=[("authorization", "Bearer " + token)], timeout=120)
for field, chain in varints(answer):
    if field != 1: continue
    values = dict(varints(chain))
    service = values.get(1, b"").decode()
    checked, valid = values.get(2, 0), bool(values.get(3, 0))
    if service == "discharge":
        ok = valid and checked == expected
        print("discharge audit chain: %d records (expected %d), %s" % (checked, expected, "intact" if valid else "BROKEN"))
        sys.exit(0 if ok else 1)
print("  discharge chain missing from VerifyAuditChain"); sys.exit(1)
PY
}

echo "audit-bench: embedded suite host (SQLite, synchronous=FULL), $(nproc) cores, h2load; $SERIAL_REQUESTS calls on 1 stream, $REQUESTS on $CONCURRENCY"
measure grouped 512
measure per-call 1
$PYTHON - "$TMP/results" "$CONCURRENCY" <<'PY'
import sys
rows = {f[0]: f[1:] for f in (line.split() for line in open(sys.argv[1]))}
n = sys.argv[2]
print("  %-80s %10s %13s" % ("", "calls/s", "mean latency"))
for name, label in (("grouped", "group commit (default)"), ("per-call", "a commit per record (AuditMaxBatch=1)")):
    r = rows[name]
    print("  %-80s %10.0f %13s" % ("audited GetObservationStatus, 1 stream, " + label, float(r[0]), r[1]))
    print("  %-80s %10.0f %13s" % ("audited GetObservationStatus, %s streams, %s" % (n, label), float(r[2]), r[3]))
g, p = rows["grouped"], rows["per-call"]
print("  %-80s %10.0f %13s" % ("baseline Health/Check (no token, no database), 1 stream", float(g[4]), g[5]))
print("  %-80s %10.0f %13s" % ("baseline Health/Check, %s streams" % n, float(g[6]), g[7]))
print("  ratio grouped/per-call calls/s: 1 stream %.2f, %s streams %.2f" % (float(g[0]) / float(p[0]), n, float(g[2]) / float(p[2])))
PY

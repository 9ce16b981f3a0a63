#!/usr/bin/env bash
# Throughput baseline (issue 5 item 8): the T0 load at a few concurrencies on private PostgreSQL and RabbitMQ.
# Prints complete pathways/s, p50/p99 per RPC (client side), event propagation p50/p99 (outbox commit -> consumer's
# inbox row) and CPU / peak RSS per process (from /proc). A benchmark, not a test: record runs in
# docs/benchmarks/pathway-throughput.md with the machine and commit.
#   tests/Reliability/bench-pathways.sh                      N=40 per concurrency, concurrency 1,4,8
#   N=100 CONCURRENCY=8,16 tests/Reliability/bench-pathways.sh
#   IRSUITE_SERVICE_PG_OPTIONS='Max Auto Prepare=32' tests/Reliability/bench-pathways.sh   (Npgsql settings for the services)
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${N:-40}"
CONCURRENCY="${CONCURRENCY:-1,4,8}"
OBSERVATION="${OBSERVATION:-2}" # seconds of minimum observation each pathway waits for
project=tests/Reliability/IrSuite.Reliability.FaultSuite
dotnet build "$project" -c Release -v quiet -nologo >/dev/null
echo "pathway bench: N=$N concurrency=$CONCURRENCY observation=${OBSERVATION}s commit=$(git rev-parse --short HEAD) cores=$(nproc) load=$(cut -d' ' -f1-3 /proc/loadavg) service-pg-options='${IRSUITE_SERVICE_PG_OPTIONS:-}'"
exec timeout --signal=INT --kill-after=60 1800 \
  dotnet "$project/bin/Release/net10.0/IrSuite.Reliability.FaultSuite.dll" bench --patients "$N" --concurrency "$CONCURRENCY" --observation-seconds "$OBSERVATION"

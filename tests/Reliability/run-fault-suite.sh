#!/usr/bin/env bash
# The full fault-injection suite (issue 5 item 7): every scenario at N patients on private PostgreSQL and RabbitMQ
# servers this run starts on free loopback ports and stops by process id (the shared servers are not touched).
# Prints the table recorded in docs/reliability/fault-suite.md; exit code 1 if a scenario lost or applied twice.
#   tests/Reliability/run-fault-suite.sh                       N=200, concurrency 8, all scenarios
#   N=40 C=4 SCENARIOS=T0,T2,T6c tests/Reliability/run-fault-suite.sh
#   N=6 C=3 REPEAT=10 SCENARIOS=T2 tests/Reliability/run-fault-suite.sh   one scenario ten times (an intermittent failure's rate)
# Needs: dotnet, postgresql (15) and rabbitmq-server installed (deploy/install-test-prerequisites.sh); run as root or
# as a user who can run runuser -u postgres.
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${N:-200}"
C="${C:-8}"
SCENARIOS="${SCENARIOS:-T0,T1,T2,T3,T5a,T5b,T6a,T6b,T6c,T7,T8,T9,T12}"
REPEAT="${REPEAT:-1}"
BOUND="${BOUND:-5400}" # seconds: the whole run stops by itself
project=tests/Reliability/IrSuite.Reliability.FaultSuite
dotnet build "$project" -c Release -v quiet -nologo >/dev/null
echo "fault suite: N=$N concurrency=$C scenarios=$SCENARIOS repeat=$REPEAT commit=$(git rev-parse --short HEAD) cores=$(nproc)"
exec timeout --signal=INT --kill-after=60 "$BOUND" \
  dotnet "$project/bin/Release/net10.0/IrSuite.Reliability.FaultSuite.dll" faults --patients "$N" --concurrency "$C" --scenarios "$SCENARIOS" --repeat "$REPEAT"

#!/usr/bin/env bash
# The whole test suite, on a fresh Debian machine with the .NET 10 SDK: installs what the tests need
# (python3-grpcio, nghttp2-client, PostgreSQL, RabbitMQ), starts PostgreSQL and RabbitMQ on loopback,
# then builds and runs every test project of IrSuite.sln against them, one project at a time.
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

bash deploy/install-test-prerequisites.sh
bash deploy/local-infra.sh start
# shellcheck disable=SC1090
source <(bash deploy/local-infra.sh env)
dotnet build IrSuite.sln -c Release
# One test project at a time (-m:1): the fault suite and the fuzz test load both cores, and timing-sensitive
# end-to-end tests must not share them with it.
# Each project also writes a TRX file; the summary printed last names every failed test, so that the end of a long CI
# log says what failed and where (the console output of 15 projects is thousands of lines).
results="${IRSUITE_TEST_RESULTS:-TestResults/run-tests}"
rm -rf "$results"
set +e
dotnet test IrSuite.sln -c Release --no-build -m:1 --logger "console;verbosity=normal" \
  --logger "trx;LogFilePrefix=irsuite" --results-directory "$results" "$@"
status=$?
set -e
python3 deploy/test-summary.py "$results" || true
exit "$status"

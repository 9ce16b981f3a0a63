#!/usr/bin/env bash
# The whole test suite, on a fresh Debian machine with the .NET 10 SDK: installs what the tests need
# (deploy/install-test-prerequisites.sh), then builds and runs every test project of IrSuite.sln.
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

bash deploy/install-test-prerequisites.sh
dotnet test IrSuite.sln -c Release --logger "console;verbosity=normal" "$@"

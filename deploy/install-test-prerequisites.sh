#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, when they are missing. Idempotent; safe to rerun.
#   python3-grpcio  the independent gRPC peer of the interop tests (Debian's /usr/bin/python3)
#   nghttp2-client  h2load and nghttp, used by the transport benchmark and for protocol debugging
#   tzdata          the IANA time zones (the site protocol's TimeZone: "end of afternoon", "next day")
#   yamllint        lints deploy/ and k8s/ (tests/IrSuite.Deployment.Tests)
#   openssl         deploy/dev-ca.sh (the development CA and certificates of the TLS tests)
#   chromium        the department board page test (tests/IrSuite.Board.Tests), headless; never a downloaded browser
#   nodejs, npm     run and install its driver script: npm ci of tests/IrSuite.Board.Tests/web (playwright-core)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
board_web="$repo/tests/IrSuite.Board.Tests/web"

# The board page test's driver (playwright-core, pinned by its package-lock.json). playwright-core has no install
# script and downloads no browser; the test launches Debian's /usr/bin/chromium.
install_board_web() {
  if [ ! -d "$board_web/node_modules/playwright-core" ]; then
    echo "test prerequisites: npm ci in tests/IrSuite.Board.Tests/web"
    (cd "$board_web" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --ignore-scripts --no-audit --no-fund)
  fi
}

missing=()
/usr/bin/python3 -c 'import grpc' >/dev/null 2>&1 || missing+=(python3-grpcio)
command -v h2load >/dev/null 2>&1 || missing+=(nghttp2-client)
[ -f /usr/share/zoneinfo/Europe/Paris ] || missing+=(tzdata)
command -v yamllint >/dev/null 2>&1 || missing+=(yamllint)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -eq 0 ]; then
  install_board_web
  echo "test prerequisites: all present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi

echo "test prerequisites: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
install_board_web

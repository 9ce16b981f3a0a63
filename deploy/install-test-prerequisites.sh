#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, when they are missing. Idempotent; safe to rerun.
#   python3-grpcio  the independent gRPC peer of the interop tests (Debian's /usr/bin/python3)
#   nghttp2-client  h2load and nghttp, used by the transport benchmark and for protocol debugging
#   tzdata          the IANA time zones (the site protocol's TimeZone: "end of afternoon", "next day")
#   yamllint        lints deploy/ and k8s/ (tests/IrSuite.Deployment.Tests)
#   openssl         deploy/dev-ca.sh (the development CA and certificates of the TLS tests)
set -euo pipefail

missing=()
/usr/bin/python3 -c 'import grpc' >/dev/null 2>&1 || missing+=(python3-grpcio)
command -v h2load >/dev/null 2>&1 || missing+=(nghttp2-client)
[ -f /usr/share/zoneinfo/Europe/Paris ] || missing+=(tzdata)
command -v yamllint >/dev/null 2>&1 || missing+=(yamllint)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)

if [ ${#missing[@]} -eq 0 ]; then
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

#!/usr/bin/env bash
# Development CA and certificates for TLS and mutual TLS (decision 0012). Usage: deploy/dev-ca.sh OUTDIR
# Writes into OUTDIR (idempotent: existing files are kept, so rerunning does not invalidate certificates in use):
#   ca.crt, ca.key                       the development CA (EC P-256, 2 years)
#   <name>.crt, <name>.key               for scheduling, anesthesia-consultation, procedure-record, discharge and suite:
#                                        a server+client certificate (EKU serverAuth, clientAuth; SANs localhost, <name>,
#                                        <name>.irsuite.svc.cluster.local, 127.0.0.1), signed by the CA, 1 year
#   irctl.crt, irctl.key                 a client certificate (EKU clientAuth) for staff tools
# Private keys are mode 600. Delete OUTDIR (or one pair) to re-issue. Never use these outside development.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi
out=$1
command -v openssl >/dev/null 2>&1 || { echo "dev-ca.sh: openssl is required (apt-get install openssl)" >&2; exit 1; }
mkdir -p "$out"
umask 077

key() { # FILE: an EC P-256 private key (PKCS#8 PEM), mode 600
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
  chmod 600 "$1"
}

if [ ! -f "$out/ca.crt" ] || [ ! -f "$out/ca.key" ]; then
  key "$out/ca.key"
  openssl req -x509 -new -key "$out/ca.key" -sha256 -days 730 -subj "/O=IrSuite development/CN=IrSuite development CA" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" -out "$out/ca.crt"
  chmod 644 "$out/ca.crt"
  echo "wrote $out/ca.crt, $out/ca.key (development CA)"
else
  echo "kept  $out/ca.crt (development CA)"
fi

issue() { # NAME EKU SAN: a certificate for NAME signed by the CA
  local name=$1 eku=$2 san=$3 ext
  if [ -f "$out/$name.crt" ] && [ -f "$out/$name.key" ] \
     && openssl verify -CAfile "$out/ca.crt" "$out/$name.crt" >/dev/null 2>&1; then
    echo "kept  $out/$name.crt"
    return
  fi
  key "$out/$name.key"
  ext=$(mktemp)
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyAgreement"
    echo "extendedKeyUsage=$eku"
    echo "subjectKeyIdentifier=hash"
    echo "authorityKeyIdentifier=keyid"
    [ -n "$san" ] && echo "subjectAltName=$san"
  } >"$ext"
  openssl req -new -key "$out/$name.key" -subj "/O=IrSuite development/CN=$name" \
    | openssl x509 -req -CA "$out/ca.crt" -CAkey "$out/ca.key" -CAcreateserial -CAserial "$out/ca.srl" \
        -sha256 -days 365 -extfile "$ext" -out "$out/$name.crt" 2>/dev/null
  rm -f "$ext"
  chmod 644 "$out/$name.crt"
  echo "wrote $out/$name.crt, $out/$name.key ($eku)"
}

for service in scheduling anesthesia-consultation procedure-record discharge suite; do
  issue "$service" "serverAuth,clientAuth" \
    "DNS:localhost,DNS:$service,DNS:$service.irsuite.svc.cluster.local,IP:127.0.0.1"
done
issue irctl "clientAuth" ""

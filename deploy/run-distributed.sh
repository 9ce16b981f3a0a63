#!/usr/bin/env bash
# Runs the four services as separate processes against local PostgreSQL and RabbitMQ (distributed mode):
# starts the infrastructure (deploy/local-infra.sh), applies each service's migrations with its
# `migrate` command, then starts the services on 127.0.0.1:5101-5104 until Ctrl+C (stopped by PID).
# TLS (decision 0012): certificates of the development CA (deploy/dev-ca.sh into deploy/.local-tls/, git-ignored), peers
# called over https:// trusting that CA and presenting their own certificate; IRSUITE_MTLS=1 also requires client
# certificates (staff tools then use deploy/.local-tls/irctl.crt). Authentication (decision 0011): a service signing key
# and a development staff key (the token tool's keygen), every service trusting issuers irsuite-services and irsuite-dev.
set -euo pipefail
cd "$(dirname "$0")/.."

bash deploy/local-infra.sh start
# shellcheck disable=SC1090
source <(bash deploy/local-infra.sh env)
database=${IRSUITE_DATABASE:-irsuite}
runuser -u postgres -- psql -q -d postgres -tc "SELECT 1 FROM pg_database WHERE datname = '$database'" | grep -q 1 \
  || runuser -u postgres -- psql -q -d postgres -c "CREATE DATABASE $database OWNER irsuite"

dotnet build IrSuite.sln -c Release -v quiet -nologo

tls=deploy/.local-tls
bash deploy/dev-ca.sh "$tls"
suite_dll=services/IrSuite.SuiteHost/bin/Release/net10.0/IrSuite.SuiteHost.dll
for identity in service staff; do
  if [ ! -f "$tls/$identity-signing-key.jwk" ] || [ ! -f "$tls/$identity-jwks.json" ]; then
    dotnet "$suite_dll" keygen --out "$tls/$identity-signing-key.jwk" --jwks "$tls/$identity-jwks.json"
  fi
done
export Auth__Issuers__0__Issuer=irsuite-services Auth__Issuers__0__JwksFile="$PWD/$tls/service-jwks.json" \
       Auth__Issuers__1__Issuer=irsuite-dev Auth__Issuers__1__JwksFile="$PWD/$tls/staff-jwks.json" \
       Auth__Service__Issuer=irsuite-services Auth__Service__SigningKeyFile="$PWD/$tls/service-signing-key.jwk" \
       Services__Tls__CaFile="$PWD/$tls/ca.crt"
if [ "${IRSUITE_MTLS:-0}" = 1 ]; then
  export Grpc__Tls__ClientCertificates=Require Grpc__Tls__ClientCaFile="$PWD/$tls/ca.crt"
fi

declare -A ports=([scheduling]=5101 [anesthesia-consultation]=5102 [procedure-record]=5103 [discharge]=5104)
declare -A programs=([scheduling]=Scheduling [anesthesia-consultation]=AnesthesiaConsultation [procedure-record]=ProcedureRecord [discharge]=Discharge)
export Bus__Transport=rabbitmq Bus__Username="$IRSUITE_TEST_RABBITMQ_USER" Bus__Password="$IRSUITE_TEST_RABBITMQ_PASSWORD"
# Peer addresses (names with '-' are not shell identifiers: passed through env, not export).
peers=()
for service in "${!ports[@]}"; do
  peers+=("Services__${service}__Address=https://127.0.0.1:${ports[$service]}")
done

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait; }
trap cleanup EXIT INT TERM

for service in scheduling anesthesia-consultation procedure-record discharge; do
  name=${programs[$service]}
  dll="services/$name/IrSuite.$name.Host/bin/Release/net10.0/IrSuite.$name.Host.dll"
  env "Databases__${service}__Provider=postgres" \
      "Databases__${service}__ConnectionString=$IRSUITE_TEST_POSTGRES;Database=$database" \
      "Databases__${service}__Schema=${service//-/_}" \
      dotnet "$dll" migrate
  env "${peers[@]}" "Grpc__Address=127.0.0.1:${ports[$service]}" \
      "Grpc__Tls__CertificateFile=$PWD/$tls/$service.crt" "Grpc__Tls__KeyFile=$PWD/$tls/$service.key" \
      "Services__Tls__ClientCertificateFile=$PWD/$tls/$service.crt" "Services__Tls__ClientKeyFile=$PWD/$tls/$service.key" \
      "Databases__${service}__Provider=postgres" \
      "Databases__${service}__ConnectionString=$IRSUITE_TEST_POSTGRES;Database=$database" \
      "Databases__${service}__Schema=${service//-/_}" \
      dotnet "$dll" &
  pids+=($!)
  echo "started $service on https://127.0.0.1:${ports[$service]} (pid $!)"
done
mtls=""
[ "${IRSUITE_MTLS:-0}" = 1 ] && mtls=" (mutual TLS: client certificate $tls/irctl.crt, key $tls/irctl.key)"
echo "TLS with the development CA $tls/ca.crt$mtls"
echo "A staff token (issuer irsuite-dev, roles: scheduler radiologist anesthesiologist nurse or-system auditor ops):"
echo "  dotnet $suite_dll token --key $tls/staff-signing-key.jwk --role nurse --sub nurse-1"
wait

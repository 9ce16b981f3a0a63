#!/usr/bin/env bash
# Runs the four services as separate processes against local PostgreSQL and RabbitMQ (distributed mode):
# starts the infrastructure (deploy/local-infra.sh), applies each service's migrations with its
# `migrate` command, then starts the services on 127.0.0.1:5101-5104 until Ctrl+C (stopped by PID).
set -euo pipefail
cd "$(dirname "$0")/.."

bash deploy/local-infra.sh start
# shellcheck disable=SC1090
source <(bash deploy/local-infra.sh env)
database=${IRSUITE_DATABASE:-irsuite}
runuser -u postgres -- psql -q -d postgres -tc "SELECT 1 FROM pg_database WHERE datname = '$database'" | grep -q 1 \
  || runuser -u postgres -- psql -q -d postgres -c "CREATE DATABASE $database OWNER irsuite"

dotnet build IrSuite.sln -c Release -v quiet -nologo

declare -A ports=([scheduling]=5101 [anesthesia-consultation]=5102 [procedure-record]=5103 [discharge]=5104)
declare -A programs=([scheduling]=Scheduling [anesthesia-consultation]=AnesthesiaConsultation [procedure-record]=ProcedureRecord [discharge]=Discharge)
export Bus__Transport=rabbitmq Bus__Username="$IRSUITE_TEST_RABBITMQ_USER" Bus__Password="$IRSUITE_TEST_RABBITMQ_PASSWORD"
for service in "${!ports[@]}"; do
  export "Services__${service}__Address=http://127.0.0.1:${ports[$service]}"
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
  env "Grpc__Address=127.0.0.1:${ports[$service]}" \
      "Databases__${service}__Provider=postgres" \
      "Databases__${service}__ConnectionString=$IRSUITE_TEST_POSTGRES;Database=$database" \
      "Databases__${service}__Schema=${service//-/_}" \
      dotnet "$dll" &
  pids+=($!)
  echo "started $service on 127.0.0.1:${ports[$service]} (pid $!)"
done
wait

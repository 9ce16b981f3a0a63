#!/usr/bin/env bash
# Installs (when missing) and starts the distributed mode's infrastructure on this machine, on loopback:
# PostgreSQL 15 and RabbitMQ (Debian packages). Creates an "irsuite" role and user whose passwords are
# generated once and kept in deploy/.local-secrets (git-ignored; mode 600), then prints the settings the
# services and tests read. Idempotent.
#   deploy/local-infra.sh start     install, start, create users; write deploy/.local-secrets
#   deploy/local-infra.sh stop      stop both servers
#   deploy/local-infra.sh env       print the export lines (source <(deploy/local-infra.sh env))
set -euo pipefail
cd "$(dirname "$0")"
secrets=".local-secrets"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

install_missing() {
  local missing=()
  command -v pg_ctlcluster >/dev/null 2>&1 || missing+=(postgresql)
  command -v rabbitmq-server >/dev/null 2>&1 || missing+=(rabbitmq-server)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "local-infra: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

ensure_secrets() {
  if [ ! -f "$secrets" ]; then
    umask 077
    {
      echo "IRSUITE_PG_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
      echo "IRSUITE_MQ_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
    } > "$secrets"
  fi
  # shellcheck disable=SC1090
  . "./$secrets"
}

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

start_postgres() {
  local version
  version=$(ls /usr/lib/postgresql | sort -n | tail -1)
  if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$version main"; then
    $sudo pg_createcluster "$version" main >/dev/null
  fi
  if ! pg_lsclusters -h | grep -Eq "^$version +main .*online"; then
    $sudo pg_ctlcluster "$version" main start
  fi
  for _ in $(seq 1 60); do
    pg_isready -q -h 127.0.0.1 && break
    sleep 0.5
  done
  as_postgres psql -q -v ON_ERROR_STOP=1 -d postgres <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'irsuite') THEN
    CREATE ROLE irsuite LOGIN CREATEDB PASSWORD '$IRSUITE_PG_PASSWORD';
  ELSE
    ALTER ROLE irsuite LOGIN CREATEDB PASSWORD '$IRSUITE_PG_PASSWORD';
  END IF;
END \$\$;
SQL
}

start_rabbitmq() {
  if ! rabbitmq-diagnostics -q ping >/dev/null 2>&1; then
    $sudo rabbitmq-server -detached
  fi
  for _ in $(seq 1 120); do
    rabbitmq-diagnostics -q ping >/dev/null 2>&1 && break
    sleep 0.5
  done
  # The node answers pings before the broker application has booted: wait for that too.
  rabbitmqctl -q await_startup --timeout 120 >/dev/null
  if rabbitmqctl -q list_users | grep -q '^irsuite'; then
    rabbitmqctl -q change_password irsuite "$IRSUITE_MQ_PASSWORD" >/dev/null
  else
    rabbitmqctl -q add_user irsuite "$IRSUITE_MQ_PASSWORD" >/dev/null
  fi
  rabbitmqctl -q set_permissions -p / irsuite ".*" ".*" ".*" >/dev/null
}

print_env() {
  ensure_secrets
  echo "export IRSUITE_TEST_POSTGRES='Host=127.0.0.1;Port=5432;Username=irsuite;Password=$IRSUITE_PG_PASSWORD'"
  echo "export IRSUITE_TEST_RABBITMQ_USER='irsuite'"
  echo "export IRSUITE_TEST_RABBITMQ_PASSWORD='$IRSUITE_MQ_PASSWORD'"
}

case "${1:-start}" in
  start)
    install_missing
    ensure_secrets
    start_postgres
    start_rabbitmq
    echo "local-infra: PostgreSQL and RabbitMQ are up on 127.0.0.1 (user irsuite; passwords in deploy/$secrets)"
    ;;
  stop)
    version=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)
    [ -n "$version" ] && $sudo pg_ctlcluster "$version" main stop 2>/dev/null || true
    rabbitmqctl -q stop 2>/dev/null || true
    ;;
  env)
    print_env
    ;;
  *)
    echo "usage: $0 start|stop|env" >&2
    exit 2
    ;;
esac

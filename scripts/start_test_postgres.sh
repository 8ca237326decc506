#!/usr/bin/env bash
# Start a private, throwaway PostgreSQL server for the hub's tests, and print the URL
# to export as SUFFICIENCY_TEST_POSTGRES. Installs Debian's package when the server is
# missing. Loopback only, trust authentication, data in a temporary folder: never a
# server anyone else uses. Usage: export SUFFICIENCY_TEST_POSTGRES=$(bash scripts/start_test_postgres.sh)
set -euo pipefail
port="${SUFFICIENCY_TEST_POSTGRES_PORT:-54329}"
data="${SUFFICIENCY_TEST_POSTGRES_DATA:-/tmp/sufficiency-test-postgres}"

# The server's programs (the client package alone also has a bin folder, without them).
server_bin() { ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 | xargs -r dirname; }
if [ -z "$(server_bin)" ]; then
  if [ "$(id -u)" -eq 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) \
      >/tmp/sufficiency-postgres-apt.log 2>&1 || { echo "could not install postgresql (see /tmp/sufficiency-postgres-apt.log)" >&2; exit 1; }
  else
    echo "PostgreSQL's server is not installed and this user cannot install it" >&2
    exit 1
  fi
fi
bin="$(server_bin)"

# The server refuses to run as root: run it as the package's postgres user when root.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

if ! as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
  rm -rf "$data"
  mkdir -p "$data"
  [ "$(id -u)" -eq 0 ] && chown postgres "$data"
  as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  as_owner "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w \
    -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=on" start >/dev/null
fi
"$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc \
  "SELECT 1 FROM pg_database WHERE datname = 'sufficiency_test'" | grep -q 1 \
  || "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres sufficiency_test
echo "postgresql://postgres@127.0.0.1:$port/sufficiency_test"

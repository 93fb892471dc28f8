#!/usr/bin/env bash
# Start (or reuse) a throwaway PostgreSQL cluster on 127.0.0.1 for the store tests; print its URL.
#
#   url="$(scripts/start-postgres.sh)" && export INTERVIEWER_TEST_PG_URL="$url"
#
# Idempotent: a server already answering on the port is reused, an existing data folder is
# restarted. Needs the Debian `postgresql` package (apt-get install -y postgresql). As root the
# server runs as the `postgres` user. Data: $INTERVIEWER_PG_DIR (default /tmp/interviewer-pg),
# port: $INTERVIEWER_PG_PORT (default 54329). Trust auth on 127.0.0.1 only: for tests, never prod.
# Everything but the URL goes to stderr; a failure exits non-zero with the server log's tail.
set -euo pipefail
port="${INTERVIEWER_PG_PORT:-54329}"
dir="${INTERVIEWER_PG_DIR:-/tmp/interviewer-pg}"
url="postgresql+psycopg://interviewer:interviewer@127.0.0.1:${port}/interviewer"

bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
if [ -z "$bin" ] || [ ! -x "$bin/pg_ctl" ]; then
  echo "start-postgres: PostgreSQL server binaries not found; install them with: apt-get install -y postgresql" >&2
  exit 1
fi
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
psql_pg() {
  as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtAc "$1"
}

if ! as_pg "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; then
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir" && chmod 700 "$dir"
  if [ ! -f "$dir/PG_VERSION" ]; then
    as_pg "$bin/initdb" -D "$dir" -U postgres -A trust --no-sync -E UTF8 >"$dir.initdb.log" 2>&1 \
      || { echo "start-postgres: initdb failed:" >&2; tail -n 20 "$dir.initdb.log" >&2; exit 1; }
  fi
  if ! as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off" start >&2; then
    echo "start-postgres: the server did not start on 127.0.0.1:$port:" >&2
    tail -n 20 "$dir/server.log" >&2 || true
    exit 1
  fi
fi
if [ "$(psql_pg "select 1 from pg_roles where rolname = 'interviewer'")" != 1 ]; then
  psql_pg "create role interviewer login password 'interviewer'"
fi
if [ "$(psql_pg "select 1 from pg_database where datname = 'interviewer'")" != 1 ]; then
  psql_pg "create database interviewer owner interviewer"
fi
echo "$url"

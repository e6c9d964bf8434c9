#!/usr/bin/env bash
# Starts throwaway PostgreSQL and Redis servers on loopback for the tests (data under a temp dir,
# nothing durable: fsync off) unless they already answer, and prints the variables the tests read:
#   ATENDE_TEST_DATABASE_URL=postgres://...   ATENDE_TEST_REDIS_URL=redis://...
# and, when moto is installed in the tests' virtualenv (`make test` installs it), an S3-compatible
# server kept in memory for the media store tests:   ATENDE_TEST_S3_ENDPOINT=http://127.0.0.1:...
# Usage: eval "$(bash scripts/test-services.sh)"
set -euo pipefail

dir="${ATENDE_SERVICES_DIR:-/tmp/atende-test-services}"
pg_port="${ATENDE_TEST_PG_PORT:-55432}"
redis_port="${ATENDE_TEST_REDIS_PORT:-56379}"
mkdir -p "$dir"

as_postgres() {
    if [ "$(id -un)" = postgres ]; then "$@"; elif [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -x "$pg_bin/pg_ctl" ] || { echo "test-services: PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
if ! "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$pg_port"; then
    pg_dir="$dir/pg"
    rm -rf "$pg_dir"
    mkdir -p "$pg_dir"
    chown postgres "$pg_dir" 2>/dev/null || true
    as_postgres "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U atende -E UTF8 >/dev/null
    as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w start \
        -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_dir -c fsync=off -c synchronous_commit=off -c max_connections=300" >/dev/null
fi

command -v redis-server >/dev/null || { echo "test-services: Redis is not installed (apt-get install redis-server)" >&2; exit 1; }
if ! redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1; then
    redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --daemonize yes \
        --dir "$dir" --logfile "$dir/redis.log" --pidfile "$dir/redis.pid"
    for _ in $(seq 50); do redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

# moto's S3 server (PyPI `moto[s3]` with flask): PUT/GET/DELETE, multipart uploads, listing.
s3_port="${ATENDE_TEST_S3_PORT:-55900}"
moto="${ATENDE_VENV:-$HOME/.cache/atende-venv}/bin/moto_server"
s3_up() { curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$s3_port/"; }
if [ -x "$moto" ]; then
    if ! s3_up; then
        setsid "$moto" -H 127.0.0.1 -p "$s3_port" >"$dir/moto.log" 2>&1 < /dev/null &
        for _ in $(seq 300); do s3_up && break; sleep 0.1; done
        s3_up || { echo "test-services: the S3 server did not start (see $dir/moto.log)" >&2; exit 1; }
    fi
    echo "export ATENDE_TEST_S3_ENDPOINT=http://127.0.0.1:$s3_port"
else
    echo "test-services: no S3 server ($moto is missing: make test installs it); the object store tests will fail" >&2
fi

echo "export ATENDE_TEST_DATABASE_URL=postgres://atende@127.0.0.1:$pg_port/postgres"
echo "export ATENDE_TEST_REDIS_URL=redis://127.0.0.1:$redis_port/"

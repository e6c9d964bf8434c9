#!/usr/bin/env bash
# Backup and restore, checked end to end (docs/deploy.md, "Backups"): a database populated by the
# real server (an admin, demo queues and agents) and a media directory are backed up with the
# commands the guide gives (pg_dump custom format, tar), restored into a fresh database and a
# fresh directory (pg_restore), and compared: every table row for row, every file byte for byte,
# and the restored database is one the server accepts (`atende migrate` has nothing left to do).
#
# Usage: scripts/backup-restore-check.sh ATENDE_BIN POSTGRES_URL
#   POSTGRES_URL: a database on a server where this role may CREATE DATABASE, e.g. the one
#   scripts/test-services.sh prints as ATENDE_TEST_DATABASE_URL. Two scratch databases are made
#   there and dropped afterwards. Run once by the fault suite (backend/tests/faults/deploy.rs).
set -euo pipefail

bin="${1:?usage: backup-restore-check.sh ATENDE_BIN POSTGRES_URL}"
admin="${2:?usage: backup-restore-check.sh ATENDE_BIN POSTGRES_URL}"
server="${admin%/*}"
suffix="$$_${RANDOM}"
source_db="atende_backup_src_$suffix"
restored_db="atende_backup_dst_$suffix"
work="$(mktemp -d)"

cleanup() {
    psql "$admin" -qX -c "DROP DATABASE IF EXISTS $source_db" -c "DROP DATABASE IF EXISTS $restored_db" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
fail() {
    echo "backup-restore-check: $*" >&2
    exit 1
}

psql "$admin" -qX -v ON_ERROR_STOP=1 -c "CREATE DATABASE $source_db" -c "CREATE DATABASE $restored_db"

# --- a populated instance: its database and its data dir (media) ----------------------------------
export ATENDE_DATA_DIR="$work/data" ATENDE_DATABASE_URL="$server/$source_db"
export ATENDE_JWT_SECRET="backup-check-secret-0123456789abcdefghij" RUST_LOG=warn
unset ATENDE_REDIS_URL ATENDE_MEDIA_URL
"$bin" create-admin --email admin@backup.test --password backup-secret-1 >/dev/null
"$bin" seed-demo >/dev/null
mkdir -p "$work/data/media/1/2026/11"
head -c 100000 /dev/urandom >"$work/data/media/1/2026/11/foto.jpg"
echo "um anexo" >"$work/data/media/1/2026/11/nota.txt"

# --- backup: what the guide tells an operator to run --------------------------------------------
pg_dump --format=custom --no-owner --no-privileges --file="$work/atende.dump" "$server/$source_db"
tar -C "$work/data" -czf "$work/media.tar.gz" media

# --- restore into fresh ones ---------------------------------------------------------------------
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
    --dbname="$server/$restored_db" "$work/atende.dump"
mkdir -p "$work/restored"
tar -C "$work/restored" -xzf "$work/media.tar.gz"

# --- the data is there -----------------------------------------------------------------------------
tables="$(psql "$server/$source_db" -AtX -c "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")"
[ -n "$tables" ] || fail "the source database has no tables"
populated=0
for table in $tables; do
    query="SELECT count(*) || ' ' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"$table\" t"
    before="$(psql "$server/$source_db" -AtX -c "$query")"
    after="$(psql "$server/$restored_db" -AtX -c "$query")"
    [ "$before" = "$after" ] || fail "table $table differs after the restore: $before vs $after"
    [ "${before%% *}" -gt 0 ] && populated=$((populated + 1))
done
users="$(psql "$server/$restored_db" -AtX -c "SELECT count(*) FROM users WHERE email = 'admin@backup.test'")"
[ "$users" = 1 ] || fail "the admin is not in the restored database"
[ "$populated" -ge 3 ] || fail "only $populated tables had rows: the check proves little"
diff -r "$work/data/media" "$work/restored/media" || fail "the media differ after the restore"
ATENDE_DATABASE_URL="$server/$restored_db" ATENDE_DATA_DIR="$work/restored" "$bin" migrate >/dev/null ||
    fail "the server does not accept the restored database"

echo "backup-restore-check: $(echo "$tables" | wc -w) tables ($populated with rows) and the media restored identically"

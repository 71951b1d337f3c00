#!/bin/sh
# Back up breachdesk: the database (PostgreSQL, or the embedded SQLite file) and the instance
# folder (secret key, audit keys and checkpoints, evidence files, outbox) into one new folder
# TARGET/<UTC time>/.
# The storage key (instance/storage.key, which decrypts the evidence files and mails) is left
# out on purpose: keep your own copy of it apart from these backups (once, and after each
# rotation), so that a stolen backup reveals no file (README: Retention and encryption).
#
#   deploy/backup.sh [TARGET]        TARGET defaults to /var/backups/breachdesk
#
# Reads BREACHDESK_DATABASE_URL and BREACHDESK_INSTANCE_PATH from the environment, or else
# from BREACHDESK_ENV_FILE (/etc/breachdesk/breachdesk.env). Folders older than
# BREACHDESK_BACKUP_KEEP_DAYS (default 14) are removed afterwards; copy TARGET off the machine.
# Safe while breachdesk runs: pg_dump takes a consistent snapshot, and so does SQLite's online
# backup (Python's sqlite3 module: python3 must be installed). The audit folder is copied
# first and the evidence files last, so that the copy never has a checkpoint newer than the
# database, nor a database row whose evidence file is missing.
set -eu
env_file=${BREACHDESK_ENV_FILE:-/etc/breachdesk/breachdesk.env}
if [ -z "${BREACHDESK_DATABASE_URL:-}" ] && [ -r "$env_file" ]; then
  set -a; . "$env_file"; set +a
fi
instance=${BREACHDESK_INSTANCE_PATH:-/var/lib/breachdesk}
# Without a database URL breachdesk uses the SQLite file in its instance folder: so do we.
BREACHDESK_DATABASE_URL=${BREACHDESK_DATABASE_URL:-sqlite:///$instance/breachdesk.sqlite3}
target=${1:-/var/backups/breachdesk}
keep=${BREACHDESK_BACKUP_KEEP_DAYS:-14}

url=$(printf '%s' "$BREACHDESK_DATABASE_URL" | sed 's#^postgresql+psycopg://#postgresql://#')
skip=""  # the SQLite file, when it lies in the instance folder: copied apart, not by tar
case "$url" in
  postgresql://*) ;;
  sqlite:///*)
    db_file=${url#sqlite:///}
    db_file=${db_file%%\?*}
    [ -f "$db_file" ] || { echo "backup.sh: no SQLite database $db_file" >&2; exit 2; }
    case "$db_file" in
      "$instance"/*) rel=${db_file#"$instance"/}
        skip="--exclude=./$rel --exclude=./$rel-wal --exclude=./$rel-shm --exclude=./$rel-journal" ;;
    esac ;;
  *) echo "backup.sh: BREACHDESK_DATABASE_URL must be a PostgreSQL or SQLite file URL" >&2
     exit 2 ;;
esac
[ -d "$instance" ] || { echo "backup.sh: no instance folder $instance" >&2; exit 2; }

umask 077
stamp=$(date -u +%Y%m%dT%H%M%SZ)
work="$target/.$stamp.partial"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

# GNU tar exits 1 when a file changed while it was read (the outbox, a log): still a copy.
archive() { tar -C "$instance" -czf "$@" || [ $? -eq 1 ]; }

if [ -d "$instance/audit" ]; then
  archive "$work/audit.tar.gz" ./audit
else
  tar -czf "$work/audit.tar.gz" -T /dev/null
fi
if [ -n "${db_file:-}" ]; then
  database=database.sqlite3
  python3 - "$db_file" "$work/$database" <<'PY'
import sqlite3, sys
source, copy = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
with copy:
    source.backup(copy)  # a consistent copy, also while breachdesk writes (WAL)
copy.close(); source.close()
PY
else
  database=database.dump
  pg_dump --format=custom --no-owner --no-privileges --dbname="$url" --file="$work/$database"
fi
# shellcheck disable=SC2086 # $skip is a list of options
archive "$work/instance.tar.gz" --exclude=./audit --exclude=./storage.key $skip .
(cd "$work" && sha256sum audit.tar.gz "$database" instance.tar.gz > SHA256SUMS)

mv "$work" "$target/$stamp"
trap - EXIT
find "$target" -mindepth 1 -maxdepth 1 -type d -name '2*Z' -mtime "+$keep" -exec rm -rf {} +
if [ -e "$instance/storage.key" ]; then
  echo "backup.sh: $instance/storage.key is not in the backup: keep a copy of it elsewhere" >&2
fi
if [ -n "${BREACHDESK_SECRET_KEY:-}" ]; then
  # Then there is no instance/secret_key: the settings file holds it, and a restore with
  # another key locks every second factor out and voids the reporting links.
  echo "backup.sh: BREACHDESK_SECRET_KEY is set in the environment, not in the backup: keep" \
    "a copy of $env_file with the storage key" >&2
fi
echo "$target/$stamp"

#!/bin/sh
# Back up breachdesk: the PostgreSQL database and the instance folder (secret key, audit keys
# and checkpoints, evidence files, outbox) into one new folder TARGET/<UTC time>/.
# The storage key (instance/storage.key, which decrypts the evidence files and mails) is left
# out on purpose: keep your own copy of it apart from these backups (once, and after each
# rotation), so that a stolen backup reveals no file (README: Retention and encryption).
#
#   deploy/backup.sh [TARGET]        TARGET defaults to /var/backups/breachdesk
#
# Reads BREACHDESK_DATABASE_URL and BREACHDESK_INSTANCE_PATH from the environment, or else
# from BREACHDESK_ENV_FILE (/etc/breachdesk/breachdesk.env). Folders older than
# BREACHDESK_BACKUP_KEEP_DAYS (default 14) are removed afterwards; copy TARGET off the machine.
# Safe while breachdesk runs: pg_dump takes a consistent snapshot. The audit folder is copied
# first and the evidence files last, so that the copy never has a checkpoint newer than the
# database, nor a database row whose evidence file is missing.
set -eu
env_file=${BREACHDESK_ENV_FILE:-/etc/breachdesk/breachdesk.env}
if [ -z "${BREACHDESK_DATABASE_URL:-}" ] && [ -r "$env_file" ]; then
  set -a; . "$env_file"; set +a
fi
: "${BREACHDESK_DATABASE_URL:?is not set (nor in $env_file)}"
instance=${BREACHDESK_INSTANCE_PATH:-/var/lib/breachdesk}
target=${1:-/var/backups/breachdesk}
keep=${BREACHDESK_BACKUP_KEEP_DAYS:-14}

url=$(printf '%s' "$BREACHDESK_DATABASE_URL" | sed 's#^postgresql+psycopg://#postgresql://#')
case "$url" in
  postgresql://*) ;;
  *) echo "backup.sh: BREACHDESK_DATABASE_URL must be a PostgreSQL URL" >&2; exit 2 ;;
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
pg_dump --format=custom --no-owner --no-privileges --dbname="$url" --file="$work/database.dump"
archive "$work/instance.tar.gz" --exclude=./audit --exclude=./storage.key .
(cd "$work" && sha256sum audit.tar.gz database.dump instance.tar.gz > SHA256SUMS)

mv "$work" "$target/$stamp"
trap - EXIT
find "$target" -mindepth 1 -maxdepth 1 -type d -name '2*Z' -mtime "+$keep" -exec rm -rf {} +
if [ -e "$instance/storage.key" ]; then
  echo "backup.sh: $instance/storage.key is not in the backup: keep a copy of it elsewhere" >&2
fi
echo "$target/$stamp"

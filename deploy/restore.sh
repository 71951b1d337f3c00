#!/bin/sh
# Restore a backup made by deploy/backup.sh: the database and the instance folder.
#
#   deploy/restore.sh BACKUP_FOLDER
#
# Stop breachdesk first (systemctl stop breachdesk-web breachdesk-scheduler). PostgreSQL: the
# database named by BREACHDESK_DATABASE_URL must exist; best an empty one (createdb), otherwise
# the tables in the backup are dropped and made again. SQLite: the backup's file is put where
# the URL says; a file already there is moved aside first (or with the instance folder). The current instance folder's contents
# are moved aside to BREACHDESK_RESTORE_ASIDE (default <instance>.before-restore-<time>), not
# deleted. Then start breachdesk
# again (after `deploy/breachdesk.sh upgrade` when the backup comes from an older release)
# and check with `breachdesk audit verify`.
set -eu
backup=${1:?usage: restore.sh BACKUP_FOLDER}
env_file=${BREACHDESK_ENV_FILE:-/etc/breachdesk/breachdesk.env}
if [ -z "${BREACHDESK_DATABASE_URL:-}" ] && [ -r "$env_file" ]; then
  set -a; . "$env_file"; set +a
fi
instance=${BREACHDESK_INSTANCE_PATH:-/var/lib/breachdesk}
# Without a database URL breachdesk uses the SQLite file in its instance folder: so do we.
BREACHDESK_DATABASE_URL=${BREACHDESK_DATABASE_URL:-sqlite:///$instance/breachdesk.sqlite3}
url=$(printf '%s' "$BREACHDESK_DATABASE_URL" | sed 's#^postgresql+psycopg://#postgresql://#')

(cd "$backup" && sha256sum --check --quiet SHA256SUMS)

stamp=$(date -u +%Y%m%dT%H%M%SZ)
if [ -e "$backup/database.sqlite3" ]; then
  case "$url" in
    sqlite:///*) db_file=${url#sqlite:///}; db_file=${db_file%%\?*} ;;
    *) echo "restore.sh: this backup holds a SQLite database; BREACHDESK_DATABASE_URL is" \
         "no sqlite:/// URL" >&2; exit 2 ;;
  esac
else
  pg_restore --clean --if-exists --no-owner --no-privileges --exit-on-error \
    --single-transaction --dbname="$url" "$backup/database.dump"
fi

mkdir -p "$instance"
if [ -n "$(ls -A "$instance")" ]; then
  aside=${BREACHDESK_RESTORE_ASIDE:-$instance.before-restore-$stamp}
  mkdir -p -m 700 "$aside"
  find "$instance" -mindepth 1 -maxdepth 1 -exec mv -t "$aside" {} +
  echo "the previous instance folder's contents are in $aside"
fi
tar -C "$instance" -xzf "$backup/audit.tar.gz"
tar -C "$instance" -xzf "$backup/instance.tar.gz"
if [ -n "${db_file:-}" ]; then
  # A file outside the instance folder was not moved aside with it: keep it, renamed.
  for suffix in "" -wal -shm -journal; do
    if [ -e "$db_file$suffix" ]; then mv "$db_file$suffix" "$db_file$suffix.before-restore-$stamp"; fi
  done
  mkdir -p "$(dirname "$db_file")"
  cp "$backup/database.sqlite3" "$db_file"
  chmod 600 "$db_file"
  # Owned like the folder it is in (the service account's), not by root, who runs this.
  chown "$(stat -c %u:%g "$(dirname "$db_file")")" "$db_file"
fi
# The storage key is kept apart from the backups (backup.sh): put your copy back.
if [ -z "${BREACHDESK_STORAGE_KEYS:-}" ] && [ -z "${BREACHDESK_STORAGE_KEY_FILE:-}" ]; then
  if [ -n "${aside:-}" ] && [ -e "$aside/storage.key" ]; then
    cp -p "$aside/storage.key" "$instance/storage.key"
    echo "the storage key was taken over from the previous instance folder"
  elif [ ! -e "$instance/storage.key" ]; then
    echo "restore.sh: put your copy of the storage key at $instance/storage.key (mode 600)" \
      "before starting breachdesk: without it the evidence files cannot be read;" \
      "then run: breachdesk storage check" >&2
    echo "restored $backup (the evidence files wait for their key)"
    exit 0
  fi
fi
# A key taken over or put back may not be the one these files were stored with (a new
# server makes a key of its own on its first command): check that it opens every file.
bin=${BREACHDESK_VENV:-$(cd "$(dirname "$0")" && pwd)/../.venv}/bin
if [ -x "$bin/breachdesk" ]; then
  if ! BREACHDESK_DATABASE_URL=$BREACHDESK_DATABASE_URL BREACHDESK_INSTANCE_PATH=$instance \
      "$bin/breachdesk" storage check; then
    echo "restore.sh: the database and files are back, but the storage key does not open" \
      "the evidence files: put back the key they were stored with (your copy, or an older" \
      "one if the key was rotated after this backup), then run: breachdesk storage check" >&2
    exit 3
  fi
fi
echo "restored $backup"

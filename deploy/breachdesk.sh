#!/bin/sh
# How breachdesk runs in production. The systemd units, compose.yaml and the deployment test
# (tests/deploy/test_production.py) all start breachdesk through this one script, so that they
# cannot drift apart.
#
#   deploy/breachdesk.sh web        the web application: gunicorn, settings in gunicorn.conf.py
#   deploy/breachdesk.sh scheduler  the reminder scheduler, its own process (SIGTERM stops it)
#   deploy/breachdesk.sh upgrade    apply the database migrations (after installing a release)
#
# Configuration comes from BREACHDESK_* environment variables (systemd: EnvironmentFile=,
# compose: env_file:). The virtualenv is ../.venv next to this folder unless BREACHDESK_VENV
# names another one.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${BREACHDESK_VENV:-$here/../.venv}/bin
# gunicorn never starts the scheduler inside the web workers; this says so to anyone reading
# the configuration from within the application as well.
export BREACHDESK_SCHEDULER_EMBEDDED=false

case "${1:-}" in
  web) exec "$bin/gunicorn" --config "$here/gunicorn.conf.py" ;;
  scheduler) exec "$bin/breachdesk" scheduler ;;
  upgrade) exec "$bin/breachdesk" db upgrade ;;
  *)
    echo "usage: $0 web|scheduler|upgrade" >&2
    exit 64
    ;;
esac

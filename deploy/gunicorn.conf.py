"""gunicorn settings for breachdesk (read by ``deploy/breachdesk.sh web``).

Environment: ``BREACHDESK_BIND`` (default ``127.0.0.1:8000``: only the reverse proxy on this
machine reaches it; a container sets ``0.0.0.0:8000``), ``BREACHDESK_WORKERS`` (default 4, or
2 per CPU when fewer), ``BREACHDESK_WORKER_TIMEOUT`` (default 120 s: a large register export or
PDF may take a while).
"""

import os

wsgi_app = "breachdesk:create_app()"
bind = os.environ.get("BREACHDESK_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("BREACHDESK_WORKERS") or min(4, 2 * (os.cpu_count() or 1)))
worker_class = "sync"
timeout = int(os.environ.get("BREACHDESK_WORKER_TIMEOUT", "120"))
graceful_timeout = 30
# A worker is replaced after this many requests (with some jitter), to bound memory growth.
max_requests = 2000
max_requests_jitter = 200
# Logs to stdout/stderr: journald (systemd) or the container log keeps them.
accesslog = "-"
errorlog = "-"
# The client's address is taken from X-Forwarded-For by breachdesk itself
# (BREACHDESK_PROXY_FIX_X_FOR), not logged by gunicorn here: the access log shows the proxy.
proc_name = "breachdesk-web"
# gunicorn 25+ opens a control socket in $HOME by default: not wanted (the systemd unit
# protects home folders; stop and reload go through signals).
control_socket_disable = True

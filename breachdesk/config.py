"""Configuration: safe defaults, overridden by ``BREACHDESK_*`` environment variables.

``BREACHDESK_FOO=bar`` sets ``FOO`` (values that parse as JSON, such as numbers and
``true``, are parsed). The few variables with friendlier names are mapped in
:func:`apply_environment`. Nothing secret is hard-coded: without ``BREACHDESK_SECRET_KEY`` a
random key is generated once and kept in the instance folder.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

DEFAULTS: dict[str, Any] = {
    "BABEL_DEFAULT_LOCALE": "nl",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
    "LANGUAGES": ["nl", "en"],
    "BOOTSTRAP_SERVE_LOCAL": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,  # set BREACHDESK_SESSION_COOKIE_SECURE=true behind HTTPS
    # Behind a reverse proxy: how many proxies to trust for each X-Forwarded-* header
    # (Werkzeug's ProxyFix). 0 (the default) ignores the header: a client could forge it.
    # Behind one nginx: BREACHDESK_PROXY_FIX_X_FOR=1 and BREACHDESK_PROXY_FIX_X_PROTO=1.
    "PROXY_FIX_X_FOR": 0,
    "PROXY_FIX_X_PROTO": 0,
    "PROXY_FIX_X_HOST": 0,
    "PROXY_FIX_X_PORT": 0,
    "PROXY_FIX_X_PREFIX": 0,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": 8 * 3600,
    "WTF_CSRF_TIME_LIMIT": 8 * 3600,  # a long report form must not expire while typing
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    # SQLite: how long a request waits for another writer's lock before it gives up (and the
    # person gets their form back with a 503). Tests set it low.
    "SQLITE_BUSY_TIMEOUT_SECONDS": 15,
    # Rate limits, counted in the database (table throttle_counter) and so shared by every
    # worker (web/throttling.py, services/throttle.py). Failed guesses slow down, they never
    # lock out: "free=5 base=15 factor=2 cap=900 window=86400" means 5 failures cost nothing,
    # then the next attempt waits 15 s after the last failure, then 30 s, 60 s ... at most
    # 900 s; failures are forgotten 86,400 s after the last one (per account: also after the
    # right password). Successful sign-ins never count. Per account, whatever the address:
    "LOGIN_ACCOUNT_DELAYS": "free=5 base=15 factor=2 cap=900 window=86400",
    # The current password on the account page, per account:
    "PASSWORD_CHECK_DELAYS": "free=3 base=15 factor=2 cap=900 window=86400",
    # A second-factor code, per account:
    "SECOND_FACTOR_DELAYS": "free=5 base=15 factor=2 cap=900 window=86400",
    # Every failed guess of any kind from one client address (an office behind one address
    # shares this: generous):
    "ADDRESS_DELAYS": "free=30 base=5 factor=2 cap=300 window=3600",
    # Reporting links (no account): reports and follow-up posts per address (every POST
    # counts: a flood is a flood), and reports per link per 24 hours; beyond the cap the link
    # refuses new reports (and says whom to call) instead of filling the FG's inbox.
    "LINK_REPORT_RATE_LIMIT": "5 per minute;20 per hour",
    "FOLLOWUP_RATE_LIMIT": "10 per minute;60 per hour",
    "LINK_REPORTS_PER_DAY": 50,
    # "Forgot your password", the reset page and accepting an invitation, per address.
    "PASSWORD_RESET_RATE_LIMIT": "5 per minute;20 per hour",
    # The second factor: the name authenticator apps show, and whether the organisations'
    # requirement is enforced (the test suite switches it off except where it tests it; never
    # switch it off in production). Wrong codes slow down per SECOND_FACTOR_DELAYS above.
    "SECOND_FACTOR_ISSUER": "breachdesk",
    "SECOND_FACTOR_ENFORCED": True,
    "RATELIMIT_ENABLED": True,
    # Mail: "file" writes .eml files to instance/outbox (works without a mail server);
    # "smtp" sends through SMTP_HOST.
    # Where the FG files with the AP (the answer sheet links to it; opens in a new window).
    "AP_REPORTING_URL": "https://datalekken.autoriteitpersoonsgegevens.nl/",
    "MAIL_BACKEND": "file",
    "MAIL_FROM": "breachdesk <breachdesk@localhost>",
    "SMTP_HOST": "localhost",
    "SMTP_PORT": 25,
    "SMTP_USERNAME": None,
    "SMTP_PASSWORD": None,
    "SMTP_STARTTLS": False,
    "SMTP_SSL": False,
    "SMTP_TIMEOUT": 20,
    # The reminder scheduler: seconds between ticks; whether "breachdesk serve" runs one
    # itself (a lock ensures only one scheduler ticks, so a separate "breachdesk scheduler"
    # process can run as well); how long a scheduler's lease lasts without renewal.
    "SCHEDULER_INTERVAL": 30,
    "SCHEDULER_EMBEDDED": True,
    "SCHEDULER_LEASE_SECONDS": 90,
    # A reminder sent this long after it fell due says it is late (the scheduler was down).
    "SCHEDULER_LATE_AFTER_SECONDS": 120,
    # Another scheduler's claim on a row, not refreshed for this long, is taken over (its
    # scheduler died). Keep it below the lease and above SMTP_TIMEOUT.
    "SCHEDULER_CLAIM_TIMEOUT_SECONDS": 60,
    # Deliveries (reminders, escalations, new-report mails): attempts before a row is marked
    # failed, and the delay after the first failed attempt (doubling each time, up to the max).
    "DELIVERY_MAX_ATTEMPTS": 5,
    "DELIVERY_RETRY_SECONDS": 60,
    "DELIVERY_RETRY_MAX_SECONDS": 1800,
    # Webhooks (README, "Webhooks"): targets must be https:// and resolve to public addresses
    # only. WEBHOOK_ALLOWED_HOSTS lists host names, addresses or networks allowed besides
    # ("hooks.intranet.example,10.20.0.0/16"); WEBHOOK_ALLOW_PRIVATE_NETWORKS=true allows every
    # address (never on a server that can reach what it must not). WEBHOOK_CA_BUNDLE: a PEM
    # file of the certificate authorities to trust instead of the system's (a private CA).
    "WEBHOOK_ALLOWED_HOSTS": [],
    "WEBHOOK_ALLOW_PRIVATE_NETWORKS": False,
    "WEBHOOK_CA_BUNDLE": None,
    "WEBHOOK_TIMEOUT_SECONDS": 10,
    # BASE_URL (for links in e-mails) defaults to http://127.0.0.1:<PORT>.
    # Evidence uploads
    "MAX_ATTACHMENT_BYTES": 10 * 1024 * 1024,
    "MAX_ATTACHMENTS": 5,
    "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,
    # argon2 parameters (argon2-cffi defaults); tests lower them
    "ARGON2_TIME_COST": 3,
    "ARGON2_MEMORY_COST": 65536,
    "ARGON2_PARALLELISM": 4,
    "PORT": 5000,
    # Audit trail: the HMAC key, the checkpoint file and its signing keypair live outside the
    # database, by default in <instance>/audit/ (AUDIT_KEY_FILE, AUDIT_CHECKPOINT_FILE,
    # AUDIT_SIGNING_KEY_FILE, AUDIT_PUBLIC_KEY_FILE; filled in by apply_environment).
    # Retired keys that still verify older events: *.key in the "retired" folder next to
    # AUDIT_KEY_FILE, plus these files.
    "AUDIT_OLD_KEY_FILES": [],
    # Seconds between two checkpoints (when the trail changed), for the scheduler.
    "AUDIT_CHECKPOINT_INTERVAL": 3600,
}

AUDIT_FILE_DEFAULTS = {
    "AUDIT_KEY_FILE": "audit-hmac.key",
    "AUDIT_CHECKPOINT_FILE": "checkpoints.jsonl",
    "AUDIT_SIGNING_KEY_FILE": "checkpoint-signing.pem",
    "AUDIT_PUBLIC_KEY_FILE": "checkpoint-signing.pub",
}


def _secret_key(instance: Path) -> str:
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    # Create with owner-only permissions before writing the secret into it.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def apply_environment(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill ``app.config`` from defaults, the environment and ``test_config`` (in that order)."""
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.update(DEFAULTS)
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'breachdesk.sqlite3'}"
    app.config["OUTBOX_DIR"] = str(instance / "outbox")
    app.config["ATTACHMENT_DIR"] = str(instance / "attachments")
    app.config.from_prefixed_env("BREACHDESK")
    if "DATABASE_URL" in app.config:
        app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    if test_config:
        app.config.update(test_config)
    for name, file_name in AUDIT_FILE_DEFAULTS.items():
        if not app.config.get(name):
            app.config[name] = str(instance / "audit" / file_name)
    if not app.config.get("BASE_URL"):
        app.config["BASE_URL"] = f"http://127.0.0.1:{app.config['PORT']}"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(instance)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        _sqlite_busy_timeout(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql://"):
        # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
        app.config["SQLALCHEMY_DATABASE_URI"] = app.config["SQLALCHEMY_DATABASE_URI"].replace(
            "postgresql://", "postgresql+psycopg://", 1
        )


def _sqlite_busy_timeout(app: Flask) -> None:
    """Hand SQLITE_BUSY_TIMEOUT_SECONDS to the driver (its ``timeout`` is the busy timeout)."""
    options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])  # the default dict is shared
    connect_args = dict(options.get("connect_args") or {})
    connect_args["timeout"] = float(app.config["SQLITE_BUSY_TIMEOUT_SECONDS"])
    options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


PROXY_FIX_HEADERS = ("for", "proto", "host", "port", "prefix")


def install_proxy_fix(app: Flask) -> None:
    """Trust ``X-Forwarded-*`` from as many proxies as ``PROXY_FIX_X_*`` say (none by default),
    so that ``request.remote_addr`` (rate limits, the audit trail) and the scheme (secure
    cookies, links) are the client's rather than the proxy's."""
    counts = {
        f"x_{name}": int(app.config[f"PROXY_FIX_X_{name.upper()}"]) for name in PROXY_FIX_HEADERS
    }
    if any(counts.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, **counts)  # type: ignore[method-assign]

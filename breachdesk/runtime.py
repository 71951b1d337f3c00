"""The collaborators services are handed: clock, mailer, file store, password hasher, and
where the audit trail's key files are.

They hang off ``app.extensions["breachdesk"]`` so tests can swap any of them (a fixed clock,
a recording mailer) without patching.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from flask import Flask, current_app

from .domain.webhooks import TargetPolicy
from .extensions import db
from .mail import FileMailer, Mailer, SmtpMailer
from .services import audit_keys
from .services.audit_keys import AuditFiles
from .services.clock import Clock, SystemClock
from .services.delivery import DeliverySettings, WebhookTransport
from .services.storage import FileStore
from .services.users import make_hasher
from .services.vault import Vault


@dataclass
class Runtime:
    clock: Clock
    mailer: Mailer
    store: FileStore
    hasher: PasswordHasher
    mail_from: str
    base_url: str
    audit_files: AuditFiles
    vault: Vault
    webhooks: WebhookTransport


def vault_from_config(config: Mapping[str, Any], instance_path: str) -> Vault:
    """The storage keys: ``BREACHDESK_STORAGE_KEYS``, else the key file (``STORAGE_KEY_FILE``,
    by default ``<instance>/storage.key``, created on first use)."""
    key_file = config.get("STORAGE_KEY_FILE") or Path(instance_path) / "storage.key"
    return Vault.from_config(config.get("STORAGE_KEYS"), Path(str(key_file)))


def mailer_from_config(config: dict[str, object], vault: Vault | None = None) -> Mailer:
    backend = str(config["MAIL_BACKEND"]).lower()
    if backend == "smtp":
        return SmtpMailer(
            host=str(config["SMTP_HOST"]),
            port=int(str(config["SMTP_PORT"])),
            username=str(config["SMTP_USERNAME"]) if config.get("SMTP_USERNAME") else None,
            password=str(config["SMTP_PASSWORD"]) if config.get("SMTP_PASSWORD") else None,
            starttls=bool(config["SMTP_STARTTLS"]),
            use_ssl=bool(config["SMTP_SSL"]),
            timeout=float(str(config["SMTP_TIMEOUT"])),
        )
    if backend == "file":
        return FileMailer(Path(str(config["OUTBOX_DIR"])), vault)
    raise ValueError(f"BREACHDESK_MAIL_BACKEND must be 'file' or 'smtp', not {backend!r}")


def webhooks_from_config(config: Mapping[str, Any], vault: Vault) -> WebhookTransport:
    """The transport of webhook calls, under the ``WEBHOOK_*`` settings."""
    policy = TargetPolicy.from_settings(
        config.get("WEBHOOK_ALLOWED_HOSTS") or [],
        bool(config.get("WEBHOOK_ALLOW_PRIVATE_NETWORKS")),
    )
    return WebhookTransport(
        policy=policy,
        vault=vault,
        timeout=float(config.get("WEBHOOK_TIMEOUT_SECONDS") or 10),
        ca_bundle=str(config["WEBHOOK_CA_BUNDLE"]) if config.get("WEBHOOK_CA_BUNDLE") else None,
    )


def delivery_settings(config: Mapping[str, Any]) -> DeliverySettings:
    """The delivery engine's settings from the app's configuration."""
    return DeliverySettings(
        mail_from=str(config["MAIL_FROM"]),
        base_url=str(config["BASE_URL"]),
        secret_key=str(config.get("SECRET_KEY") or ""),
        lease=timedelta(seconds=float(config["SCHEDULER_LEASE_SECONDS"])),
        late_after=timedelta(seconds=float(config["SCHEDULER_LATE_AFTER_SECONDS"])),
        claim_timeout=timedelta(seconds=float(config["SCHEDULER_CLAIM_TIMEOUT_SECONDS"])),
        max_attempts=int(config["DELIVERY_MAX_ATTEMPTS"]),
        retry_base=timedelta(seconds=float(config["DELIVERY_RETRY_SECONDS"])),
        retry_cap=timedelta(seconds=float(config["DELIVERY_RETRY_MAX_SECONDS"])),
    )


def install_runtime(app: Flask) -> None:
    config = app.config
    audit_files = AuditFiles.from_config(config)
    vault = vault_from_config(config, app.instance_path)
    with app.app_context():
        # Services find the audit key through the session's database (see audit_keys).
        audit_keys.register(db.engine, audit_files)
    app.extensions["breachdesk"] = Runtime(
        clock=config.get("CLOCK") or SystemClock(),
        mailer=config.get("MAILER") or mailer_from_config(dict(config), vault),
        store=FileStore(Path(config["ATTACHMENT_DIR"]), vault),
        hasher=make_hasher(
            int(config["ARGON2_TIME_COST"]),
            int(config["ARGON2_MEMORY_COST"]),
            int(config["ARGON2_PARALLELISM"]),
        ),
        mail_from=str(config["MAIL_FROM"]),
        base_url=str(config["BASE_URL"]),
        audit_files=audit_files,
        vault=vault,
        webhooks=webhooks_from_config(config, vault),
    )


def runtime() -> Runtime:
    """The running app's collaborators."""
    rt: Runtime = current_app.extensions["breachdesk"]
    return rt

"""``breachdesk retention run`` and ``breachdesk storage ...``: erasing breach data past its
retention period, and the encryption of stored files (encrypt what was kept in clear, move
every file to the current key after a rotation).

Exit codes: 0 done; 1 something failed (each named on its own line; the rest was done).
"""

from __future__ import annotations

from pathlib import Path

import click
from cryptography.fernet import Fernet
from flask import current_app
from flask.cli import with_appcontext

from .extensions import db_session
from .runtime import runtime
from .services import retention, webhooks
from .services.audit import Actor
from .services.vault import check_tree, reencrypt_tree

retention_cli = click.Group("retention", help="Erasing breach data past its retention period.")
storage_cli = click.Group("storage", help="Encryption of the stored files.")


@retention_cli.command("run")
@click.option("--dry-run", is_flag=True, help="Count what would be erased; change nothing.")
@click.option("--organisation", "slug", default=None, help="Only this organisation (slug).")
@with_appcontext
def retention_run(dry_run: bool, slug: str | None) -> None:
    """Erase the breach data of incidents closed longer ago than their organisation's
    retention period (the register entry stays), and purge lists of people past theirs.
    The scheduler does the same once a day."""
    rt = runtime()
    reports = retention.run(
        db_session(),
        store=rt.store,
        outbox=retention.Outbox.of(current_app.config),
        clock=rt.clock,
        actor=Actor.system("cli"),
        dry_run=dry_run,
        organisation_slug=slug,
    )
    if slug is not None and not reports:
        raise click.ClickException(f"no organisation {slug!r}")
    verb = "would erase" if dry_run else "erased"
    failed = False
    for report in reports:
        if report.retention_days is None:
            click.echo(f"{report.slug}: no retention period set; breach data kept")
        else:
            counts = report.erased
            click.echo(
                f"{report.slug} (after {report.retention_days} days): {verb} the breach data "
                f"of {counts.incidents} incident(s): {counts.attachments} attachment(s), "
                f"{counts.mails} mail(s), {counts.texts} text(s), {counts.messages} "
                f"message(s), {counts.people} person(s) on lists"
            )
        if report.lists_purged:
            click.echo(f"{report.slug}: lists of people {verb}: {report.lists_purged} incident(s)")
        for failure in report.failed:
            failed = True
            click.echo(f"{report.slug}: failed: {failure}", err=True)
    if failed:
        raise click.exceptions.Exit(1)


def _roots() -> list[Path]:
    config = current_app.config
    return [
        Path(config["ATTACHMENT_DIR"]),
        Path(config["OUTBOX_DIR"]),
        Path(current_app.instance_path) / "pending-imports",
    ]


def _reencrypt(rotate: bool) -> None:
    report = reencrypt_tree(runtime().vault, _roots(), rotate=rotate)
    click.echo(
        f"encrypted {report.encrypted} file(s) kept in clear, re-encrypted {report.reencrypted} "
        f"under the current key, {report.current} already done, {len(report.failed)} failed"
    )
    failed = list(report.failed)
    if rotate:  # the webhook endpoints' signing secrets are sealed with the same keys
        resealed, current, refused = webhooks.reseal_secrets(db_session(), runtime().vault)
        click.echo(
            f"webhook secrets: {resealed} sealed again under the current key, "
            f"{current} already done, {len(refused)} failed"
        )
        failed += refused
    for failure in failed:
        click.echo(f"failed: {failure}", err=True)
    if failed:
        raise click.exceptions.Exit(1)


@storage_cli.command("encrypt-existing")
@with_appcontext
def storage_encrypt_existing() -> None:
    """Encrypt the files stored in clear before encryption at rest (idempotent; can be run
    again after an interruption)."""
    _reencrypt(rotate=False)


@storage_cli.command("rotate")
@with_appcontext
def storage_rotate() -> None:
    """Re-encrypt every stored file under the current (first) key, and any file kept in clear,
    and seal the webhook endpoints' secrets again under it. Then the old keys can be removed
    from BREACHDESK_STORAGE_KEYS or the key file."""
    _reencrypt(rotate=True)


@storage_cli.command("check")
@with_appcontext
def storage_check() -> None:
    """Check that the configured keys open every stored file (reads only). Exit 1 names the
    files no key opens: run it after a restore or a key change, before starting."""
    report = check_tree(runtime().vault, _roots())
    click.echo(
        f"{report.current} file(s) under the current key, {report.old} under an older key, "
        f"{report.plain} kept in clear, {len(report.unreadable)} that no key opens"
    )
    for failure in report.unreadable:
        click.echo(f"cannot be read: {failure}", err=True)
    if report.unreadable:
        click.echo(
            "The storage key is missing or wrong: put back your copy of the key these files "
            "were stored with (BREACHDESK_STORAGE_KEYS or the key file), then check again.",
            err=True,
        )
        raise click.exceptions.Exit(1)


@storage_cli.command("new-key")
def storage_new_key() -> None:
    """Print a new storage key (put it first in BREACHDESK_STORAGE_KEYS or the key file)."""
    click.echo(Fernet.generate_key().decode("ascii"))

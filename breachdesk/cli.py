"""The ``breachdesk`` command: Flask's CLI plus the administrative commands.

Run ``breachdesk --help``. Database migrations are ``breachdesk db upgrade`` (Flask-Migrate).
"""

from __future__ import annotations

import getpass
import logging
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from .cli_assess import assess_command
from .cli_audit import audit_cli
from .cli_retention import retention_cli, storage_cli
from .domain.roles import Role
from .extensions import db_session
from .models import Organisation
from .runtime import delivery_settings, runtime
from .services import account_status
from .services import organisations as org_service
from .services import users as user_service
from .services.audit import Actor

CLI_ACTOR = Actor.system("cli")


def _create_app() -> Flask:
    from . import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=True)
def main() -> None:
    """breachdesk: personal-data breach handling."""


# --- organisations -------------------------------------------------------------------------
org_cli = click.Group("org", help="Organisation profiles.")


@org_cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--replace", is_flag=True, help="Update the profile of an existing organisation.")
@with_appcontext
def org_import(files: tuple[Path, ...], replace: bool) -> None:
    """Check and import profile FILES (YAML; a file may hold several profiles separated by
    "---", as "org export" prints them). Nothing is imported if any profile is invalid."""
    profiles = []
    failed = False
    for path in files:
        try:
            profiles.extend(org_service.load_profile_files(path))
        except org_service.ProfileError as error:
            click.echo(str(error), err=True)
            failed = True
    if failed:
        raise click.exceptions.Exit(1)
    for profile in profiles:
        try:
            result = org_service.import_profile(
                db_session(), profile, actor=CLI_ACTOR, clock=runtime().clock, replace=replace
            )
        except (ValueError, org_service.ProfileError) as error:
            raise click.ClickException(str(error)) from error
        verb = "created" if result.created else ("updated" if result.changed else "unchanged")
        click.echo(f"{profile.slug}: {verb}")


@org_cli.command("export")
@click.argument("slug", required=False)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="File or folder.")
@with_appcontext
def org_export(slug: str | None, output: Path | None) -> None:
    """Print the profile of SLUG as YAML; without SLUG every organisation's, as YAML documents
    separated by "---" ("org import" reads them back), or one file each into a folder with
    -o DIR."""
    orgs = (
        [org_service.find(db_session(), slug)]
        if slug
        else org_service.all_organisations(db_session())
    )
    if slug and orgs[0] is None:
        raise click.ClickException(f"no organisation {slug!r}")
    if output is not None and not slug and output.exists() and not output.is_dir():
        raise click.ClickException(
            f"{output} is a file: give a folder for every organisation's profile, or a SLUG"
        )
    for number, org in enumerate(orgs):
        assert org is not None  # noqa: S101 - checked above
        text = org_service.dump_profile(org_service.profile_of(org))
        if output is None:
            click.echo(("---\n" if number else "") + text, nl=False)
        else:
            target = output / f"{org.slug}.yaml" if (output.is_dir() or not slug) else output
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            click.echo(f"{org.slug}: written to {target}")


@org_cli.command("list")
@with_appcontext
def org_list() -> None:
    """List the organisations."""
    for org in org_service.all_organisations(db_session()):
        click.echo(f"{org.slug:24} {org.name}")


# --- users ---------------------------------------------------------------------------------
user_cli = click.Group("user", help="User accounts and roles.")


def _parse_roles(values: tuple[str, ...]) -> list[tuple[Organisation, Role]]:
    roles: list[tuple[Organisation, Role]] = []
    for value in values:
        slug, colon, role = value.partition(":")
        if not colon or not slug or not role:
            raise click.BadParameter(
                f"{value!r}: give ORG-SLUG:ROLE, e.g. kruix:fg", param_hint="--role"
            )
        org = org_service.find(db_session(), slug)
        if org is None:
            raise click.BadParameter(f"no organisation {slug!r}", param_hint="--role")
        try:
            roles.append((org, Role(role)))
        except ValueError:
            raise click.BadParameter(
                f"unknown role {role!r}; use one of {', '.join(r.value for r in Role)}",
                param_hint="--role",
            ) from None
    return roles


@user_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--role", "roles", multiple=True, help="ORG-SLUG:ROLE (reporter, fg, admin); repeatable."
)
@click.option("--password", help="Initial password (prompted when omitted).")
@with_appcontext
def user_create(email: str, name: str, roles: tuple[str, ...], password: str | None) -> None:
    """Create an account with roles in organisations."""
    parsed = _parse_roles(roles)
    if password is None:
        if not sys.stdin.isatty():
            raise click.UsageError("give --password or run interactively")
        password = getpass.getpass("Password: ")
    rt = runtime()
    try:
        user = user_service.create_user(
            db_session(),
            email=email,
            name=name,
            password=password,
            roles=parsed,
            actor=CLI_ACTOR,
            clock=rt.clock,
            hasher=rt.hasher,
        )
    except user_service.UserError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"created {user.email}")


@user_cli.command("grant")
@click.argument("email")
@click.argument("roles", nargs=-1, required=True)
@with_appcontext
def user_grant(email: str, roles: tuple[str, ...]) -> None:
    """Give EMAIL the ROLES (ORG-SLUG:ROLE ...)."""
    user = user_service.find_by_email(db_session(), email)
    if user is None:
        raise click.ClickException(f"no account {email!r}")
    for org, role in _parse_roles(roles):
        user_service.grant_role(
            db_session(), user, org, role, actor=CLI_ACTOR, clock=runtime().clock
        )
    click.echo("done")


@user_cli.command("deactivate")
@click.argument("email")
@with_appcontext
def user_deactivate(email: str) -> None:
    """Stop EMAIL from signing in (the account and its history stay)."""
    user = user_service.find_by_email(db_session(), email)
    if user is None:
        raise click.ClickException(f"no account {email!r}")
    account_status.set_active(db_session(), user, False, actor=CLI_ACTOR, clock=runtime().clock)
    click.echo(f"{email} can no longer sign in (breachdesk user reactivate undoes it)")


@user_cli.command("reactivate")
@click.argument("email")
@with_appcontext
def user_reactivate(email: str) -> None:
    """Let a deactivated EMAIL sign in again: prints a link (24 hours, once) to choose a new
    password; the old password no longer works and ended sessions stay ended."""
    from .services import password_reset

    user = user_service.find_by_email(db_session(), email)
    if user is None:
        raise click.ClickException(f"no account {email!r}")
    if user.active:
        raise click.ClickException(f"{email} is active; nothing to reactivate")
    rt = runtime()
    account_status.reactivate(db_session(), user, actor=CLI_ACTOR, clock=rt.clock)
    token = password_reset.cli_link(
        db_session(), user, secret_key=str(current_app.config["SECRET_KEY"]), clock=rt.clock
    )
    base = str(current_app.config["BASE_URL"]).rstrip("/")
    click.echo(f"{email} can sign in again after choosing a new password with this link:")
    click.echo(f"{base}/wachtwoord/{token}")
    click.echo("Pass it on privately; it works once, for 24 hours. The old password is void.")


@user_cli.command("reset-password")
@click.argument("email")
@with_appcontext
def user_reset_password(email: str) -> None:
    """Print a link (valid 24 hours, usable once) for EMAIL to choose a new password."""
    from .services import password_reset

    user = user_service.find_by_email(db_session(), email)
    if user is None or not user.active:
        raise click.ClickException(f"no active account {email!r}")
    token = password_reset.cli_link(
        db_session(),
        user,
        secret_key=str(current_app.config["SECRET_KEY"]),
        clock=runtime().clock,
    )
    base = str(current_app.config["BASE_URL"]).rstrip("/")
    click.echo(f"{base}/wachtwoord/{token}")
    click.echo("Pass it on privately; it works once, for 24 hours, and ends every session.")


@user_cli.command("reset-second-factor")
@click.argument("email")
@with_appcontext
def user_reset_second_factor(email: str) -> None:
    """Remove EMAIL's second factor (a lost phone); they set it up again at the next sign-in."""
    from .services import second_factor

    user = user_service.find_by_email(db_session(), email)
    if user is None:
        raise click.ClickException(f"no account {email!r}")
    if not user.has_second_factor:
        click.echo(f"{email} has no second factor; nothing to reset")
        return
    second_factor.reset(db_session(), user, actor=CLI_ACTOR, by="cli", clock=runtime().clock)
    click.echo(f"second factor of {email} removed; every session of the account has ended")


# --- demo and serving ----------------------------------------------------------------------
@click.command("demo")
@click.option(
    "--incidents/--no-incidents",
    default=True,
    show_default=True,
    help="Also add one example incident to each demo organisation that has none.",
)
@with_appcontext
def demo_load(incidents: bool) -> None:
    """Load the five demo organisations, the demo accounts and example incidents (idempotent)."""
    from . import demo
    from .demo.incidents import demo_clock, load_incidents

    rt = runtime()
    session = db_session()
    # With incidents, one clock that only moves forward: it starts before the first scripted
    # report, so accounts, reports and reminders are recorded in the order they happened.
    clock = demo_clock(session, rt.clock.now()) if incidents else rt.clock
    logins = demo.load(session, clock=clock, hasher=rt.hasher)
    click.echo(f"Demo accounts (password for all: {demo.DEMO_PASSWORD}):")
    for login in logins:
        click.echo(f"  {login.email:48} {login.roles}")
    if incidents:
        added = load_incidents(
            session,
            clock=clock,
            mailer=rt.mailer,
            settings=delivery_settings(current_app.config),
        )
        for incident in added:
            click.echo(f"Demo incident {incident.reference}: {incident.title}")
    from .services import reporting_links

    base = str(current_app.config["BASE_URL"]).rstrip("/")
    click.echo("Reporting links (no account needed):")
    for organisation, link in demo.reporting_links(session, clock=clock):
        token = reporting_links.link_token(str(current_app.config["SECRET_KEY"]), link)
        click.echo(f"  {organisation.name:30} {base}/melden/{token}")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, help="Default: BREACHDESK_PORT or 5000.")
@click.option("--threads", default=8, show_default=True)
@with_appcontext
def serve(host: str, port: int | None, threads: int) -> None:
    """Serve the app with waitress (a production WSGI server)."""
    from waitress import serve as waitress_serve

    app = current_app._get_current_object()  # type: ignore[attr-defined]  # noqa: SLF001
    port = port or int(app.config["PORT"])
    click.echo(f"breachdesk serving on http://{host}:{port}/  (Ctrl+C to stop)")
    scheduler = None
    if app.config["SCHEDULER_EMBEDDED"]:
        import signal

        from .scheduler import start_embedded

        def stop(_signum: int, _frame: object) -> None:
            raise SystemExit(0)  # out of waitress's loop, through the ``finally`` below

        signal.signal(signal.SIGTERM, stop)  # as systemd and ``kill`` stop a service
        scheduler = start_embedded(app)
        click.echo("reminder scheduler running in this process")
    try:
        waitress_serve(app, host=host, port=port, threads=threads, ident="breachdesk")
    finally:
        if scheduler is not None:
            scheduler.stop()


@click.command("scheduler")
def scheduler_command() -> None:
    """Run the reminder scheduler in the foreground (one tick every SCHEDULER_INTERVAL s).

    Stops cleanly on SIGTERM or Ctrl+C: a tick in progress finishes, the lease is released.
    """
    import signal
    import threading

    from .scheduler import run_forever

    app = current_app._get_current_object()  # type: ignore[attr-defined]  # noqa: SLF001
    stop = threading.Event()

    def request_stop(_signum: int, _frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    click.echo(f"breachdesk scheduler: one tick every {app.config['SCHEDULER_INTERVAL']} s")
    run_forever(app, stop)


@click.command("purge-recipients")
def purge_recipients_command() -> None:
    """Erase the lists of people of incidents closed longer ago than their organisation's
    retention period (the scheduler does this every hour too); counts and proof stay."""
    from .extensions import db_session
    from .runtime import runtime
    from .services.audit import Actor
    from .services.recipients import purge_due

    purged = purge_due(db_session(), clock=runtime().clock, actor=Actor.system("cli"))
    click.echo(f"lists of people erased for {purged} incident(s)")


def register_cli(app: Flask) -> None:
    commands = (org_cli, user_cli, audit_cli, serve, scheduler_command, purge_recipients_command)
    for command in commands:
        app.cli.add_command(command)
    demo_group = click.Group("demo", help="Demo data.")
    demo_load.name = "load"
    demo_group.add_command(demo_load)
    app.cli.add_command(demo_group)
    app.cli.add_command(assess_command)
    app.cli.add_command(retention_cli)
    app.cli.add_command(storage_cli)

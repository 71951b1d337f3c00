"""``breachdesk audit ...``: verify the trail, write and check signed checkpoints, rotate keys.

Exit codes: 0 intact (or done); 1 a problem was found (each on its own line).
``verify-checkpoints`` reads only the checkpoint file and public keys: it needs neither the
database nor the private key, so anyone given the public key can run it.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from .domain.audit import ChainProblem, ProblemKind
from .domain.audit.checkpoints import checkpoint_digest
from .domain.audit.problems import utc_minute
from .extensions import db_session
from .runtime import runtime
from .services import audit_anchor, audit_keys, audit_signing
from .services.audit_verify import verify_trail

audit_cli = click.Group("audit", help="The tamper-evident audit trail.")


def _where(problem: ChainProblem) -> str:
    if problem.seq is None or problem.kind is ProblemKind.EVENTS_MISSING:
        return problem.reason
    return f"event #{problem.seq} (id {problem.event_id}): {problem.reason}"


@audit_cli.command("verify")
@with_appcontext
def audit_verify() -> None:
    """Check every chain, organisation and checkpoint, and that each organisation's register
    says what its chain recorded; exit 1 naming what is wrong.

    For each broken chain the first bad event or the missing range is named (further
    problems of the same chain follow, indented); each register fact, filing or decision
    changed outside breachdesk is named on a line of its own.
    """
    report = verify_trail(db_session())
    for chain in report.chains:
        if chain.sound:
            click.echo(f"ok      {chain.chain}: {chain.events} events")
            continue
        if chain.problem is not None:
            click.echo(f"BROKEN  {chain.chain}: {_where(chain.problem)}")
            for problem in chain.problems[1:]:
                click.echo(f"        also: {_where(problem)}")
        else:
            click.echo(f"ok      {chain.chain}: {chain.events} events")
        for mismatch in chain.register:
            click.echo(f"CHANGED register of {chain.chain}: {mismatch.reason}")
    for bad in report.checkpoint_problems:
        click.echo(f"BROKEN  checkpoint file line {bad.line}: {bad.reason}")
    if report.last_checkpoint is None:
        click.echo(
            "note: no signed checkpoint yet, so removing the newest events of a chain "
            "together with its head row would not show (run: breachdesk audit checkpoint)"
        )
    else:
        click.echo(
            f"compared with {report.checkpoints} signed checkpoints, the last of "
            f"{utc_minute(report.last_checkpoint.created_at)}"
        )
    if not report.intact:
        raise click.exceptions.Exit(1)
    click.echo(
        f"all {len(report.chains)} chains intact; every register says what its chain recorded"
    )


@audit_cli.command("checkpoint")
@with_appcontext
def audit_checkpoint() -> None:
    """Sign every chain's length and last hash now and append it to the checkpoint file."""
    rt = runtime()
    checkpoint = audit_anchor.write_checkpoint(db_session(), clock=rt.clock)
    click.echo(
        f"checkpoint of {utc_minute(checkpoint.created_at)}: {len(checkpoint.heads)} chains, "
        f"signed with key {checkpoint.signing_key_id}, appended to "
        f"{rt.audit_files.checkpoint_file}\ndigest {checkpoint_digest(checkpoint)}"
    )


@audit_cli.command("public-key")
@with_appcontext
def audit_public_key() -> None:
    """Print the public key that checks the checkpoints' signatures (PEM)."""
    click.echo(audit_signing.public_key_text(runtime().audit_files), nl=False)


@audit_cli.command("verify-checkpoints")
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--public-key",
    "public_keys",
    multiple=True,
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="Trusted public key (PEM); repeatable. Default: AUDIT_PUBLIC_KEY_FILE.",
)
@with_appcontext
def audit_verify_checkpoints(file: Path | None, public_keys: tuple[Path, ...]) -> None:
    """Check the signatures and order of a checkpoint FILE (default: AUDIT_CHECKPOINT_FILE).

    Uses no database and no private key.
    """
    files = runtime().audit_files
    path = file or files.checkpoint_file
    if not path.exists():
        raise click.ClickException(f"{path} does not exist")
    try:
        keys = audit_signing.load_public_keys(list(public_keys) or [files.public_key_file])
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    if not keys:
        raise click.ClickException("no public key to check the signatures with")
    log = audit_signing.read_checkpoints(path, keys)
    for problem in log.problems:
        click.echo(f"BROKEN  line {problem.line}: {problem.reason}")
    last = log.last
    summary = f"{len(log.checkpoints)} of {log.lines} checkpoints validly signed"
    if last is not None:
        summary += f"; the last of {utc_minute(last.created_at)} records {len(last.heads)} chains"
    click.echo(summary)
    if log.problems:
        raise click.exceptions.Exit(1)


@audit_cli.command("rotate-key")
@with_appcontext
def audit_rotate_key() -> None:
    """Start sealing new events with a new HMAC key; the old one is kept to verify with."""
    files = runtime().audit_files
    audit_keys.load_keyring(files, create=True)
    old, new = audit_keys.rotate_key(files)
    click.echo(f"retired key {old} (kept in {files.retired_dir / (old + '.key')}); new key {new}")

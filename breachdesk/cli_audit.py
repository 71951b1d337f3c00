"""``breachdesk audit ...``: verify the trail, rotate the key it is sealed with.

Exit codes: 0 intact (or done); 1 a problem was found (each on its own line).
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from .domain.audit import ChainProblem, ProblemKind
from .extensions import db_session
from .runtime import runtime
from .services import audit_keys
from .services.audit_verify import verify_trail

audit_cli = click.Group("audit", help="The tamper-evident audit trail.")


def _where(problem: ChainProblem) -> str:
    if problem.seq is None or problem.kind is ProblemKind.EVENTS_MISSING:
        return problem.reason
    return f"event #{problem.seq} (id {problem.event_id}): {problem.reason}"


@audit_cli.command("verify")
@with_appcontext
def audit_verify() -> None:
    """Check every chain and organisation; exit 1 naming what is wrong.

    For each broken chain the first bad event or the missing range is named (further
    problems of the same chain follow, indented).
    """
    report = verify_trail(db_session())
    for chain in report.chains:
        if chain.problem is None:
            click.echo(f"ok      {chain.chain}: {chain.events} events")
            continue
        click.echo(f"BROKEN  {chain.chain}: {_where(chain.problem)}")
        for problem in chain.problems[1:]:
            click.echo(f"        also: {_where(problem)}")
    if not report.intact:
        raise click.exceptions.Exit(1)
    click.echo(f"all {len(report.chains)} chains intact")


@audit_cli.command("rotate-key")
@with_appcontext
def audit_rotate_key() -> None:
    """Start sealing new events with a new HMAC key; the old one is kept to verify with."""
    files = runtime().audit_files
    audit_keys.load_keyring(files, create=True)
    old, new = audit_keys.rotate_key(files)
    click.echo(f"retired key {old} (kept in {files.retired_dir / (old + '.key')}); new key {new}")

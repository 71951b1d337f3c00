"""What the benchmarks set up alike: a throwaway folder with its database, the demo
organisations imported from their profiles, and a look at the database (empty? how large?
how would it run a query?)."""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Select, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from breachdesk.demo import profile_paths
from breachdesk.models import Organisation
from breachdesk.services import organisations as org_service
from breachdesk.services.audit import Actor
from breachdesk.services.clock import Clock

from .report import progress


@contextmanager
def scratch(
    prefix: str, database_url: str = "", *, keep: bool = False
) -> Iterator[tuple[Path, str]]:
    """A temporary folder and the database to use: ``database_url``, or a fresh SQLite file
    in the folder. The folder is removed afterwards, unless ``keep``."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield folder, database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
    finally:
        if keep:
            progress(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def demo_organisations(
    session: Session, *, actor: Actor, clock: Clock, copies: int = 1
) -> list[Organisation]:
    """The demo organisations, imported from their profiles (committed); ``copies`` times,
    the second and later copies with a slug, name and reference prefix of their own."""
    found: list[Organisation] = []
    for copy in range(1, copies + 1):
        for path in profile_paths():
            profile = org_service.load_profile_file(path)
            if copy > 1:
                prefix = profile.reference_prefix or profile.slug[:3].upper()
                profile = dataclasses.replace(
                    profile,
                    slug=f"{profile.slug}-{copy}",
                    legal_name=f"{profile.legal_name} ({copy})",
                    reference_prefix=f"{prefix}{copy}",
                )
            result = org_service.import_profile(session, profile, actor=actor, clock=clock)
            found.append(result.organisation)
    session.commit()
    return found


def query_plan(session: Session, statement: Select[Any]) -> list[str]:
    """How the database would run ``statement``: its plan, line by line."""
    compiled = statement.compile(
        dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True}
    )
    dialect = session.get_bind().dialect.name
    prefix = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN "
    rows = session.execute(text(prefix + str(compiled))).all()
    session.rollback()
    return [str(row[-1]) for row in rows]


def database_size(session: Session, url: str) -> str:
    """The size of the database on disk, in MiB (a SQLite file with its WAL)."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        path = Path(str(make_url(url).database))
        total = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
        return f"{total / 2**20:.1f} MiB (file + WAL)"
    size = session.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
    session.rollback()
    return f"{int(size) / 2**20:.1f} MiB"


def empty_database(session: Session) -> bool:
    """Whether the database has no tables yet."""
    return not inspect(session.get_bind()).get_table_names()

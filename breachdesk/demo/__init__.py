"""Demo data: the five example organisations and clearly marked demo accounts.

Created only by ``breachdesk demo load`` (which ``make run`` calls). Loading is idempotent:
organisations and accounts that exist are left alone, so edits made in the app survive.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from ..domain.roles import Role
from ..models import Organisation, ReportingLink
from ..services import organisations as org_service
from ..services import users as user_service
from ..services.audit import Actor
from ..services.clock import Clock

DEMO_PASSWORD = "breachdesk-demo"  # noqa: S105 - published demo login, demo accounts only
DEMO_DOMAIN = "demo.example.org"
ACTOR = Actor.system("demo load")


@dataclass(frozen=True)
class DemoLogin:
    email: str
    name: str
    roles: str
    created: bool


def profile_paths() -> list[Path]:
    folder = resources.files("breachdesk").joinpath("demo/profiles")
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".yaml"))


def load(session: Session, *, clock: Clock, hasher: PasswordHasher) -> list[DemoLogin]:
    """Import missing demo organisations and create missing demo accounts; list the logins."""
    orgs: list[Organisation] = []
    for path in profile_paths():
        profile = org_service.load_profile_file(path)
        existing = org_service.find(session, profile.slug)
        if existing is None:
            existing = org_service.import_profile(
                session, profile, actor=ACTOR, clock=clock
            ).organisation
        orgs.append(existing)
    wanted: list[tuple[str, str, list[tuple[Organisation, Role]]]] = [
        (f"admin@{DEMO_DOMAIN}", "Demo beheerder", [(o, Role.ADMIN) for o in orgs]),
        (f"fg@{DEMO_DOMAIN}", "Demo FG", [(o, Role.FG) for o in orgs]),
    ]
    for org in orgs:
        wanted.append(
            (f"melder.{org.slug}@{DEMO_DOMAIN}", f"Demo melder {org.name}", [(org, Role.REPORTER)])
        )
    logins = []
    for email, name, roles in wanted:
        created = user_service.find_by_email(session, email) is None
        if created:
            user_service.create_user(
                session,
                email=email,
                name=name,
                password=DEMO_PASSWORD,
                roles=roles,
                actor=ACTOR,
                clock=clock,
                hasher=hasher,
                is_demo=True,
            )
        label = ", ".join(sorted({f"{r.value}" for _, r in roles}))
        where = roles[0][0].name if len(roles) == 1 else f"{len(roles)} organisations"
        logins.append(DemoLogin(email, name, f"{label} ({where})", created))
    return logins


def reporting_links(session: Session, *, clock: Clock) -> list[tuple[Organisation, ReportingLink]]:
    """The staff reporting link of every demo organisation, made where missing."""
    from ..services import reporting_links as links

    found = []
    for path in profile_paths():
        organisation = org_service.find(session, org_service.load_profile_file(path).slug)
        if organisation is None:
            continue
        link = links.active_links(session, organisation).get(links.Audience.STAFF)
        if link is None:
            link = links.make_link(
                session, organisation, links.Audience.STAFF, actor=ACTOR, clock=clock
            )
        found.append((organisation, link))
    return found

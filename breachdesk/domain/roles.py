"""Who may do what, per organisation.

A person may hold several roles in one organisation and roles in several organisations.
"""

from __future__ import annotations

from enum import StrEnum

from .text import N_


class Role(StrEnum):
    """A role a user holds within one organisation."""

    REPORTER = "reporter"  # staff: report incidents, see their own reports
    FG = "fg"  # Functionaris Gegevensbescherming / privacy officer: triage, decide, send
    ADMIN = "admin"  # manages the organisation's users and profile


ROLE_LABELS: dict[Role, str] = {
    Role.REPORTER: N_("Reporter"),
    Role.FG: N_("Data protection officer (FG)"),
    Role.ADMIN: N_("Administrator"),
}


def can_see_all_incidents(roles: set[Role]) -> bool:
    """FGs and admins of an organisation see all its incidents; reporters only their own."""
    return bool(roles & {Role.FG, Role.ADMIN})

"""What a personal access token of the JSON API may do: its scope and its user's roles.

A token acts as its user in its one organisation, never beyond what that user could do on
the web, and never beyond its scope:

* ``report`` — create reports, and read the reports its user filed;
* ``read`` — also read the incidents and the register (the user must be FG or administrator,
  as on the web);
* ``write`` — also record awareness, save the checklist and record a decision (the user
  must be the organisation's FG, as on the web).

The roles are checked on every request, so a user who lost a role (or the account) loses
what the token could do with it at once.
"""

from __future__ import annotations

from enum import StrEnum

from .roles import Role
from .text import N_


class Scope(StrEnum):
    REPORT = "report"
    READ = "read"
    WRITE = "write"


SCOPE_LABELS = {
    Scope.REPORT: N_("Report incidents (and read your own reports)"),
    Scope.READ: N_("Read incidents and the register"),
    Scope.WRITE: N_("Read, and record awareness, checklist and decisions"),
}

#: Each scope includes the ones before it.
_RANK = {Scope.REPORT: 0, Scope.READ: 1, Scope.WRITE: 2}
#: The roles a user needs in the organisation to hold (and use) a token of each scope.
_NEEDS: dict[Scope, frozenset[Role]] = {
    Scope.REPORT: frozenset({Role.REPORTER, Role.FG, Role.ADMIN}),
    Scope.READ: frozenset({Role.FG, Role.ADMIN}),
    Scope.WRITE: frozenset({Role.FG}),
}

#: How long a token may live, in days, and the default.
MAX_DAYS = 365
DEFAULT_DAYS = 90


def scopes_for(roles: frozenset[Role] | set[Role]) -> list[Scope]:
    """The scopes a user with ``roles`` in an organisation may give a token there."""
    return [scope for scope in Scope if roles & _NEEDS[scope]]


def allows(scope: Scope, roles: frozenset[Role] | set[Role], need: Scope) -> bool:
    """Whether a token of ``scope``, held by a user with ``roles``, may do what ``need`` asks."""
    return _RANK[scope] >= _RANK[need] and bool(roles & _NEEDS[need])

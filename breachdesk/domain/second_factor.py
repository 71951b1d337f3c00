"""Who must sign in with a second factor, and the shape of recovery codes.

The people who see every breach of an organisation — its data protection officer (FG) and its
administrators — must confirm their sign-in with a code from an authenticator app (TOTP,
RFC 6238) when the organisation requires it. Reporters never have to: they see only their
own reports, and a second factor would keep staff from reporting. Demonstration accounts are
exempt (their passwords are printed in the README) and are marked as such wherever it shows.

A person who loses their phone uses one of ten recovery codes, each valid once, shown once at
enrolment. Without those, an administrator of *every* organisation the person belongs to, or
the server's administrator on the command line, can reset the second factor.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from .roles import Role

#: Roles that see every breach of an organisation.
GUARDED_ROLES = frozenset({Role.FG, Role.ADMIN})

RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: codes are read off paper and typed by hand. 31 symbols, 12 of them: 59 bits.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_GROUPS = 3
_GROUP_LENGTH = 4


@dataclass(frozen=True)
class Seat:
    """One organisation of a person: their roles there and whether it asks a second factor."""

    roles: frozenset[Role]
    requires_second_factor: bool


def required(seats: Iterable[Seat], *, demo_account: bool) -> bool:
    """Must this person sign in with a second factor? Yes when any organisation that requires
    it gives them a role that sees every breach; never for a demonstration account."""
    if demo_account:
        return False
    return any(seat.requires_second_factor and seat.roles & GUARDED_ROLES for seat in seats)


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """Fresh recovery codes such as ``k7mq-2xha-pr9e``."""
    return [
        "-".join(
            "".join(secrets.choice(_ALPHABET) for _ in range(_GROUP_LENGTH)) for _ in range(_GROUPS)
        )
        for _ in range(count)
    ]


def normalise_recovery_code(typed: str) -> str | None:
    """The code as stored (lower case, no spaces or dashes), or None if it cannot be one."""
    code = "".join(ch for ch in typed.lower() if ch not in " -\t")
    if len(code) != _GROUPS * _GROUP_LENGTH or any(ch not in _ALPHABET for ch in code):
        return None
    return code


def normalise_totp(typed: str) -> str | None:
    """Six digits as typed (spaces allowed, as apps show ``123 456``), or None."""
    code = "".join(ch for ch in typed if ch not in " \t")
    return code if len(code) == 6 and code.isascii() and code.isdigit() else None

"""Who must use a second factor, and the shape of the codes (domain/second_factor.py)."""

from __future__ import annotations

from breachdesk.domain.roles import Role
from breachdesk.domain.second_factor import (
    Seat,
    new_recovery_codes,
    normalise_recovery_code,
    normalise_totp,
    required,
)


def seat(*roles: Role, requires: bool = True) -> Seat:
    return Seat(frozenset(roles), requires)


def test_guarded_roles_in_a_requiring_organisation_must() -> None:
    assert required([seat(Role.FG)], demo_account=False)
    assert required([seat(Role.ADMIN)], demo_account=False)
    assert required([seat(Role.REPORTER, requires=True), seat(Role.FG)], demo_account=False)


def test_reporters_optional_organisations_and_demo_accounts_need_not() -> None:
    assert not required([seat(Role.REPORTER)], demo_account=False)
    assert not required([seat(Role.FG, requires=False)], demo_account=False)
    assert not required([seat(Role.FG)], demo_account=True)
    assert not required([], demo_account=False)
    # An FG in an optional organisation who reports in a requiring one: not asked.
    assert not required([seat(Role.FG, requires=False), seat(Role.REPORTER)], demo_account=False)


def test_recovery_codes_are_distinct_and_typed_back_however_written() -> None:
    codes = new_recovery_codes()
    assert len(codes) == 10 and len(set(codes)) == 10
    for code in codes:
        assert normalise_recovery_code(code.upper().replace("-", " ")) == code.replace("-", "")
    assert normalise_recovery_code("abcd-efgh-jkm") is None  # too short
    assert normalise_recovery_code("abcd-efgh-jkm0") is None  # 0 is not in the alphabet


def test_totp_codes_are_six_digits() -> None:
    assert normalise_totp("123 456") == "123456"
    for bad in ("12345", "1234567", "12345a", "١٢٣٤٥٦", ""):
        assert normalise_totp(bad) is None

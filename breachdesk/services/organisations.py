"""Organisation profiles: load and check YAML files, import, export and edit them.

A profile is checked in two steps, and every problem is reported at once with the file, the
field path and the reason: first against the JSON Schema in
``breachdesk/schemas/organisation-profile.schema.json`` (shape, types, allowed values), then by
:func:`breachdesk.domain.profile.check_profile` (unique keys, references that resolve).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.profile import (
    OrganisationProfile,
    check_profile,
    profile_from_dict,
    profile_to_dict,
)
from ..domain.references import DEFAULT_PREFIX
from ..models import Organisation
from . import audit
from .audit import Actor
from .clock import Clock
from .schema_check import InputError, schema_problems
from .versioning import StaleEdit, claim_version, last_change

PROFILE_ACTIONS = ("organisation.profile_updated",)


class ProfileError(InputError):
    """A profile that cannot be used; ``problems`` are (field path, reason) pairs."""


def parse_profile(data: Any, source: str) -> OrganisationProfile:
    """Check ``data`` (already parsed YAML/JSON) and build the profile.

    Raises:
        ProfileError: naming ``source``, each bad field and why.
    """
    if not isinstance(data, Mapping):
        raise ProfileError(source, [("", "a profile must be a mapping of fields")])
    problems = schema_problems("organisation-profile.schema.json", data)
    if problems:
        raise ProfileError(source, problems)
    profile = profile_from_dict(data)
    problems = check_profile(profile)
    if problems:
        raise ProfileError(source, problems)
    return profile


def load_profile_file(path: Path) -> OrganisationProfile:
    """Read and check a YAML profile file.

    Raises:
        ProfileError: unreadable file, YAML syntax error (with line), or invalid content.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(str(path), [("", f"cannot read file: {exc}")]) from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        raise ProfileError(str(path), [(where, f"YAML syntax error: {reason}")]) from exc
    return parse_profile(data, str(path))


def profile_of(organisation: Organisation) -> OrganisationProfile:
    """The stored profile of ``organisation`` as domain objects."""
    return profile_from_dict(organisation.profile)


def dump_profile(profile: OrganisationProfile) -> str:
    """The profile as YAML text in the file format (UTF-8, keys in schema order)."""
    return yaml.safe_dump(profile_to_dict(profile), allow_unicode=True, sort_keys=False, width=100)


def find(session: Session, slug: str) -> Organisation | None:
    return session.execute(
        select(Organisation).where(Organisation.slug == slug)
    ).scalar_one_or_none()


def all_organisations(session: Session) -> list[Organisation]:
    return list(session.execute(select(Organisation).order_by(Organisation.name)).scalars())


@dataclass(frozen=True)
class ImportResult:
    organisation: Organisation
    created: bool
    changed: bool


def import_profile(
    session: Session,
    profile: OrganisationProfile,
    *,
    actor: Actor,
    clock: Clock,
    replace: bool = False,
) -> ImportResult:
    """Create the organisation of ``profile``, or replace its profile when ``replace``.

    Raises:
        ValueError: the organisation exists and ``replace`` is false.
    """
    existing = find(session, profile.slug)
    if existing is not None and not replace:
        raise ValueError(
            f"organisation {profile.slug!r} already exists; use --replace to update its profile"
        )
    if existing is not None:
        changed = save_profile(session, existing, profile, actor=actor, clock=clock)
        return ImportResult(existing, created=False, changed=changed)
    now = clock.now()
    organisation = Organisation(
        slug=profile.slug,
        name=profile.display_name,
        reference_prefix=profile.reference_prefix or DEFAULT_PREFIX,
        profile=profile_to_dict(profile),
        profile_version=1,
        created_at=now,
        updated_at=now,
    )
    session.add(organisation)
    session.flush()
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action="organisation.created",
        entity_type="organisation",
        entity_id=organisation.id,
        organisation_id=organisation.id,
        after=organisation.profile,
    )
    session.commit()
    return ImportResult(organisation, created=True, changed=True)


def save_profile(
    session: Session,
    organisation: Organisation,
    profile: OrganisationProfile,
    *,
    actor: Actor,
    clock: Clock,
    seen_version: int | None = None,
) -> bool:
    """Replace the organisation's profile (audited with before and after); False if equal.

    Raises:
        ValueError: the profile's slug differs from the organisation's (slugs are stable ids).
        StaleEdit: the profile was saved after ``seen_version`` (the version the editing page
            showed); nothing was saved.
    """
    if profile.slug != organisation.slug:
        raise ValueError("the slug of an organisation cannot change")
    if seen_version is not None and seen_version != organisation.profile_version:
        by, at = last_change(session, ("organisation", organisation.id), PROFILE_ACTIONS)
        raise StaleEdit(organisation.profile_version, by, at)
    new = profile_to_dict(profile)
    if new == organisation.profile:
        return False
    claim_version(
        session,
        organisation,
        Organisation.profile_version,
        seen_version,
        entity=("organisation", organisation.id),
        actions=PROFILE_ACTIONS,
    )
    before = organisation.profile
    organisation.profile = new
    organisation.name = profile.display_name
    if profile.reference_prefix:
        organisation.reference_prefix = profile.reference_prefix
    organisation.updated_at = clock.now()
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action="organisation.profile_updated",
        entity_type="organisation",
        entity_id=organisation.id,
        organisation_id=organisation.id,
        before=before,
        after=new,
    )
    session.commit()
    return True

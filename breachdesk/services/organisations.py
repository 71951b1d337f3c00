"""Organisation profiles: load and check YAML files, import, export and edit them.

A profile is checked in two steps, and every problem is reported at once with the file, the
field path and the reason: first against the JSON Schema in
``breachdesk/schemas/organisation-profile.schema.json`` (shape, types, allowed values), then by
:func:`breachdesk.domain.profile_checks.check_profile` (unique keys, references that resolve).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.profile import OrganisationProfile, profile_from_dict, profile_to_dict
from ..domain.profile_checks import check_profile
from ..domain.references import DEFAULT_PREFIX
from ..domain.roles import Role
from ..domain.text import N_, Translatable
from ..models import Organisation, User
from . import audit
from . import users as user_service
from .audit import Actor
from .clock import Clock
from .schema_check import InputError, plain_problems
from .versioning import StaleEdit, claim_version, last_change

PROFILE_ACTIONS = ("organisation.profile_updated",)

#: Who may create an organisation in the web UI (the rule, in one place): anyone who is an
#: administrator of at least one organisation of the installation. The creator becomes the
#: administrator of the new organisation in the same transaction, so an organisation never
#: exists without someone who can manage it. FGs and reporters cannot create organisations;
#: the command line (``breachdesk org import``) runs with the server's own rights.
CREATOR_ROLE = Role.ADMIN


class ProfileError(InputError):
    """A profile that cannot be used; ``problems`` are (field path, reason) pairs."""


#: What the schema's patterns ask for, in words (the schema's regular expression → why).
_PATTERN_WORDS = {
    "^[0-9]{8}$": N_("A KvK number has 8 digits."),
    "^[A-Z]{2,6}$": N_("Use 2 to 6 letters, A to Z."),
    "^[a-z0-9][a-z0-9-]{1,62}$": N_("Use 2 to 63 characters: a-z, 0-9 and -."),
}
_LIST_WORDS = {"data_categories": N_("Add at least one kind of personal data.")}


def parse_profile(data: Any, source: str) -> OrganisationProfile:
    """Check ``data`` (already parsed YAML/JSON) and build the profile.

    Raises:
        ProfileError: naming ``source``, each bad field and why.
    """
    if not isinstance(data, Mapping):
        raise ProfileError(source, [("", "a profile must be a mapping of fields")])
    problems = plain_problems(
        "organisation-profile.schema.json", data, patterns=_PATTERN_WORDS, lists=_LIST_WORDS
    )
    if problems:
        # Report the consistency checks in the same round where the profile still builds,
        # so that fixing the format does not reveal a second list of problems.
        raise ProfileError(source, problems + _consistency_problems(data, problems))
    profile = profile_from_dict(data)
    problems = check_profile(profile)
    if problems:
        raise ProfileError(source, problems)
    return profile


def _consistency_problems(
    data: Mapping[str, Any], format_problems: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    """:func:`check_profile`'s problems of ``data`` that failed the schema, as far as it can
    be built into a profile at all; none at a field (or inside or around a field) that the
    schema already reported on."""
    try:
        profile = profile_from_dict(data)
    except (TypeError, ValueError, KeyError, AttributeError):
        return []  # too far from the format to say more before it is fixed

    def overlaps(path: str, other: str) -> bool:
        if not other:
            return False
        return any(
            a == b or a.startswith((b + ".", b + "[")) for a, b in ((path, other), (other, path))
        )

    return [
        (path, reason)
        for path, reason in check_profile(profile)
        if not any(overlaps(path, known) for known, _reason in format_problems)
    ]


def load_profile_file(path: Path) -> OrganisationProfile:
    """Read and check a YAML profile file (one profile).

    Raises:
        ProfileError: unreadable file, YAML syntax error (with line), invalid content, or
            more than one profile in the file.
    """
    return load_profile_text(_read(path), str(path))


def load_profile_files(path: Path) -> list[OrganisationProfile]:
    """Read and check a YAML file of one or more profiles (documents separated by ``---``, as
    ``breachdesk org export`` prints every organisation).

    Raises:
        ProfileError: unreadable file, YAML syntax error (with line), or invalid content (the
            source named with the document's number when there are several).
    """
    documents = _yaml_documents(_read(path), str(path))
    if len(documents) == 1:
        return [parse_profile(documents[0], str(path))]
    return [parse_profile(data, f"{path} #{n}") for n, data in enumerate(documents, start=1)]


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ProfileError(str(path), [("", f"cannot read file: {exc}")]) from exc


class _UniqueKeys(yaml.SafeLoader):
    """YAML's safe loader, refusing a key given twice in one mapping (PyYAML keeps the last
    silently: two profiles run together would become the last one)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} is given twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _yaml_documents(text: bytes | str, source: str) -> list[Any]:
    """The YAML documents of ``text`` (at least one: an empty text is one empty document)."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProfileError(source, [("", f"cannot read file: {exc}")]) from exc
    try:
        documents = list(yaml.load_all(text, Loader=_UniqueKeys))  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        raise ProfileError(source, [(where, f"YAML syntax error: {reason}")]) from exc
    return documents or [None]


def load_profile_text(text: bytes | str, source: str) -> OrganisationProfile:
    """Check a profile given as YAML text (a file's content, or an upload), named ``source``.

    The command line and the upload page both come through here, so they check alike.

    Raises:
        ProfileError: not UTF-8, YAML syntax error (with line), or invalid content.
    """
    documents = _yaml_documents(text, source)
    if len(documents) > 1:
        raise ProfileError(
            source,
            [("", f"{len(documents)} profiles in one file; give one organisation's profile")],
        )
    return parse_profile(documents[0], source)


def profile_of(organisation: Organisation) -> OrganisationProfile:
    """The stored profile of ``organisation`` as domain objects."""
    return profile_from_dict(organisation.profile)


def public_name(organisation: Organisation) -> str:
    """The name the organisation is known by to the outside (its profile's display name, else
    its name): in the notices, the letters and as the sender of its mail."""
    return profile_of(organisation).display_name or organisation.name


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
        ProfileError: the reference prefix is another organisation's (nothing saved).
    """
    existing = find(session, profile.slug)
    if existing is not None and not replace:
        raise ValueError(
            f"organisation {profile.slug!r} already exists; use --replace to update its profile"
        )
    if existing is not None:
        changed = save_profile(session, existing, profile, actor=actor, clock=clock)
        return ImportResult(existing, created=False, changed=changed)
    organisation = create_organisation(session, profile, actor=actor, clock=clock)
    return ImportResult(organisation, created=True, changed=True)


def create_organisation(
    session: Session,
    profile: OrganisationProfile,
    *,
    actor: Actor,
    clock: Clock,
    admin: User | None = None,
) -> Organisation:
    """Create a new organisation with a checked ``profile``; ``admin`` becomes its administrator.

    Everything (the organisation, its creation event, the role and its event) is written in
    one transaction: either all of it or nothing. See :data:`CREATOR_ROLE` for who may call
    this from the web UI.

    Raises:
        ProfileError: the slug is taken (path ``slug``) or the reference prefix is another
            organisation's (path ``reference_prefix``); nothing was written.
    """
    problems = taken_problems(session, profile.slug, profile.reference_prefix)
    if problems:
        raise ProfileError(profile.slug, problems)
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
    if admin is not None:
        user_service.grant_role(
            session, admin, organisation, Role.ADMIN, actor=actor, clock=clock, commit=False
        )
    session.commit()
    return organisation


def taken_problems(session: Session, slug: str, prefix: str | None) -> list[tuple[str, str]]:
    """What a new organisation with ``slug`` and ``prefix`` would take from an existing one,
    as (field path, reason) pairs; [] when both are free. Also usable before the profile is
    complete, so that a form can show these problems together with the others."""
    problems: list[tuple[str, str]] = []
    if find(session, slug) is not None:
        taken = N_("The short name %(slug)s is already taken; choose another.")
        problems.append(("slug", Translatable(taken, slug=slug)))
    return problems + _prefix_taken(session, prefix, None)


def _prefix_problems(
    session: Session, profile: OrganisationProfile, organisation_id: int | None
) -> list[tuple[str, str]]:
    return _prefix_taken(session, profile.reference_prefix, organisation_id)


def _prefix_taken(
    session: Session, prefix: str | None, organisation_id: int | None
) -> list[tuple[str, str]]:
    """A prefix given in the profile must not be another organisation's: references such as
    KRX-2026-0001 must name one organisation across the installation. Organisations that set
    no prefix share the default "BD" (as before prefixes existed). The reason never names the
    organisation that has it: an administrator of one organisation could list every other
    organisation of the installation by trying prefixes."""
    if not prefix:
        return []
    query = select(Organisation.id).where(Organisation.reference_prefix == prefix)
    if organisation_id is not None:
        query = query.where(Organisation.id != organisation_id)
    if session.execute(query.limit(1)).scalar_one_or_none() is None:
        return []
    taken = N_("The prefix %(prefix)s is already taken; choose another.")
    return [("reference_prefix", Translatable(taken, prefix=prefix))]


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
        ProfileError: the reference prefix is another organisation's; nothing was saved.
    """
    if profile.slug != organisation.slug:
        raise ValueError("the slug of an organisation cannot change")
    problems = _prefix_problems(session, profile, organisation.id)
    if problems:
        raise ProfileError(profile.slug, problems)
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

"""The notice to the people affected (Art. 34 GDPR): drafted, edited, approved.

:func:`working_draft` returns the version the FG is editing, creating it from breachdesk's draft
(:mod:`breachdesk.domain.notices.people_notice`) the first time. :func:`save_draft` keeps the
FG's text (optimistic locking on ``edit_count``); :func:`approve` freezes the draft as a
version with the SHA-256 of its content, and the next edit starts a new draft from it. A
mailing sends exactly an approved version: the delivery handler checks the digest again.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.notices.people_draft import ap_informed_on, says_not_reported
from ..domain.notices.people_notice import (
    SECTION_KEYS,
    MergePerson,
    RenderedNotice,
    draft_people_notice,
    missing_elements,
    notice_digest,
    render_notice,
    unknown_fields,
)
from ..domain.notices.people_words import Words
from ..domain.problems import FieldProblem, subject_problems
from ..domain.text import N_, single_line
from ..models import Incident, Notification, PeopleNotice, User
from . import audit
from .answer_sheet import sheet_facts
from .audit import Actor
from .clock import Clock
from .notice_templates import environment
from .organisations import public_name
from .versioning import claim_version

NOTICE_ACTIONS = ("incident.people_notice_saved", "incident.people_notice_approved")
LANGS = ("nl", "en")
MAX_SUBJECT = 250
MAX_SECTION = 10_000


class PeopleNoticeError(ValueError):
    """A notice that cannot be saved or approved as it is; ``field`` names the form field."""

    def __init__(self, field_name: str, message: str, params: dict[str, object] | None = None):
        super().__init__(message % (params or {}))
        self.field = field_name
        self.message = message
        self.params = params or {}


def versions(session: Session, incident: Incident) -> list[PeopleNotice]:
    """Every version of the incident's notice, oldest first (the last may be the draft)."""
    return list(
        session.execute(
            select(PeopleNotice)
            .where(PeopleNotice.incident_id == incident.id)
            .order_by(PeopleNotice.version)
        ).scalars()
    )


def latest_approved(session: Session, incident: Incident) -> PeopleNotice | None:
    approved = [v for v in versions(session, incident) if v.approved_at is not None]
    return approved[-1] if approved else None


def working_draft(
    session: Session, incident: Incident, *, clock: Clock, user: User | None, lang: str = "nl"
) -> PeopleNotice:
    """The draft the FG edits; the first time (or after an approval) a new one is made and
    committed: from breachdesk's draft, or from the last approved version's text."""
    existing = versions(session, incident)
    if existing and existing[-1].approved_at is None:
        return existing[-1]
    now = clock.now()
    if existing:
        last = existing[-1]
        subject, sections, lang = last.subject, dict(last.sections), last.lang
    else:
        drafted = draft_people_notice(sheet_facts(incident, now=now, user=user), lang)
        subject, sections = drafted.subject, dict(drafted.sections)
    draft = PeopleNotice(
        incident_id=incident.id,
        version=(existing[-1].version + 1) if existing else 1,
        lang=lang,
        subject=subject,
        sections=sections,
        edit_count=0,
        created_at=now,
        updated_at=now,
        updated_by_id=user.id if user else None,
    )
    session.add(draft)
    session.commit()
    return draft


def redraft(
    session: Session, draft: PeopleNotice, *, lang: str, clock: Clock, user: User | None
) -> dict[str, str | dict[str, str]]:
    """breachdesk's draft in ``lang`` from what is known now (the FG may start over with it,
    e.g. after the AP was notified or to switch language). Nothing is saved."""
    incident = draft_incident(session, draft)
    drafted = draft_people_notice(sheet_facts(incident, now=clock.now(), user=user), lang)
    return {"subject": drafted.subject, "sections": dict(drafted.sections)}


def draft_incident(session: Session, notice: PeopleNotice) -> Incident:
    return session.get_one(Incident, notice.incident_id)


def draft_problems(
    *, subject: str | None, sections: Mapping[str, str | None], lang: str | None
) -> list[FieldProblem]:
    """Every problem with a draft of the notice, each at its form field: a language other
    than Dutch or English, no subject, a subject or a section too long. None: not known (its
    rules are skipped). Reads only."""
    problems: list[FieldProblem] = []
    if lang is not None and lang not in LANGS:
        problems.append(FieldProblem("lang", N_("Choose Dutch or English.")))
    problems += subject_problems(subject, MAX_SUBJECT)
    for key in SECTION_KEYS:
        text = sections.get(key) or ""
        if len(text.replace("\r\n", "\n").strip()) > MAX_SECTION:
            problems.append(
                FieldProblem(key, N_("At most %(max)d characters."), {"max": MAX_SECTION})
            )
    return problems


def approval_problems(sections: Mapping[str, str | None]) -> list[FieldProblem]:
    """Every part the law requires (Art. 34(2) GDPR) whose section is empty, at that section's
    field. A section given as None is not known and not reported. Reads only."""
    unknown = {key for key, text in sections.items() if text is None}
    known = {key: text for key, text in sections.items() if text is not None}
    return [
        FieldProblem(
            element.section,
            N_("Fill in every part the law requires before approving (Art. 34(2) GDPR)."),
        )
        for element in missing_elements(known)
        if element.section not in unknown
    ]


def unknown_field_problems(subject: str, sections: Mapping[str, str | None]) -> list[FieldProblem]:
    """A ``[...]`` that is no merge field, at the part that holds it: it would reach every
    person as written (found by exploratory testing: "[klantnummer]" could be approved)."""
    problems = []
    for field, text in (("subject", subject), *sections.items()):
        unknown = unknown_fields(text or "")
        if unknown:
            problems.append(
                FieldProblem(
                    field,
                    N_(
                        "breachdesk cannot fill in %(fields)s: it would reach everyone as written. "
                        "Use [naam], [gegevens] or [kenmerk] ([name], [data], [reference] in "
                        "English), or leave out the brackets."
                    ),
                    {"fields": ", ".join(unknown)},
                )
            )
    return problems


def first_filed_at(session: Session, incident: Incident) -> datetime | None:
    """When the AP was first notified of ``incident`` (None: not yet)."""
    return session.execute(
        select(Notification.submitted_at)
        .where(
            Notification.incident_id == incident.id,
            Notification.addressee == "ap",
            Notification.kind == "initial",
        )
        .order_by(Notification.id)
        .limit(1)
    ).scalar_one_or_none()


def outdated_problems(
    session: Session, incident: Incident, sections: Mapping[str, str | None], lang: str
) -> list[FieldProblem]:
    """A part about the AP that still says, as first drafted, that the AP was not notified,
    while it was: the draft is made once, and such a notice was approved and sent after the
    filing (found by exploratory testing). The problem gives breachdesk's wording now."""
    text = sections.get("ap_informed") or ""
    filed_at = first_filed_at(session, incident)
    if filed_at is None or not says_not_reported(text):
        return []
    words = Words(lang if lang in LANGS else "nl")
    return [
        FieldProblem(
            "ap_informed",
            N_(
                "The AP was notified on %(day)s, but this part says it was not. Write what "
                "happened, for instance: %(wording)s"
            ),
            {"day": words.day(filed_at), "wording": ap_informed_on(filed_at, words)},
        )
    ]


def _refuse(problems: list[FieldProblem]) -> None:
    for problem in problems:
        raise PeopleNoticeError(problem.field, problem.message, dict(problem.params))


def _checked(subject: str, sections: Mapping[str, str], lang: str) -> tuple[str, dict[str, str]]:
    _refuse(draft_problems(subject=subject, sections=sections, lang=lang))
    cleaned = {key: (sections.get(key) or "").replace("\r\n", "\n").strip() for key in SECTION_KEYS}
    return single_line(subject), cleaned


def save_draft(
    session: Session,
    draft: PeopleNotice,
    *,
    subject: str,
    sections: Mapping[str, str],
    lang: str,
    seen: int | None,
    user: User,
    actor: Actor,
    clock: Clock,
) -> PeopleNotice:
    """Keep the FG's text of the draft; commits.

    Raises:
        PeopleNoticeError: a field too long, no subject, or the version is approved already.
        StaleEdit: someone saved the draft since the page was loaded; nothing was saved.
    """
    if draft.approved_at is not None:
        raise PeopleNoticeError("subject", N_("This version is approved; edit the new draft."))
    subject, cleaned = _checked(subject, sections, lang)
    _claim(session, draft, seen)
    draft.subject, draft.sections, draft.lang = subject, cleaned, lang
    draft.updated_at, draft.updated_by_id = clock.now(), user.id
    incident = draft_incident(session, draft)
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action="incident.people_notice_saved",
        entity_type="incident",
        entity_id=incident.id,
        organisation_id=incident.organisation_id,
        after={"version": draft.version, "sha256": notice_digest(subject, cleaned, lang)},
    )
    session.commit()
    return draft


def _claim(session: Session, draft: PeopleNotice, seen: int | None) -> None:
    """Move the draft's edit count on from ``seen`` (StaleEdit if it moved meanwhile)."""
    claim_version(
        session,
        draft,
        PeopleNotice.edit_count,
        seen,
        entity=("incident", draft.incident_id),
        actions=NOTICE_ACTIONS,
    )
    session.refresh(draft)


def approve(
    session: Session,
    draft: PeopleNotice,
    *,
    seen: int | None,
    user: User,
    actor: Actor,
    clock: Clock,
) -> PeopleNotice:
    """Freeze the draft as it was saved: what a mailing sends is exactly this. Commits.

    Raises:
        PeopleNoticeError: an Art. 34(2) element is missing (its section is empty), a
            ``[field]`` breachdesk cannot fill is in it, it says the AP was not notified
            while it was, it is the same text as the version approved last, or it is
            approved already.
        StaleEdit: the draft was saved since the page was loaded (approve what you saw).
    """
    if draft.approved_at is not None:
        raise PeopleNoticeError("subject", N_("This version is approved already."))
    _refuse(approval_problems(draft.sections))
    _refuse(unknown_field_problems(draft.subject, draft.sections))
    _refuse(outdated_problems(session, draft_incident(session, draft), draft.sections, draft.lang))
    previous = latest_approved(session, draft_incident(session, draft))
    if previous is not None and previous.sha256 == notice_digest(
        draft.subject, draft.sections, draft.lang
    ):
        # Approving it again made a "new" version that a mailing then sent to everyone a
        # second time (found by exploratory testing: 1,957 people got the same notice twice).
        raise PeopleNoticeError(
            "subject",
            N_(
                "This is the same text as version %(version)d, approved already: there is "
                "nothing new to approve. Change what needs changing first."
            ),
            {"version": previous.version},
        )
    _claim(session, draft, seen)
    now = clock.now()
    draft.approved_at, draft.approved_by_id = now, user.id
    draft.sha256 = notice_digest(draft.subject, draft.sections, draft.lang)
    incident = draft_incident(session, draft)
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action="incident.people_notice_approved",
        entity_type="incident",
        entity_id=incident.id,
        organisation_id=incident.organisation_id,
        after={"version": draft.version, "lang": draft.lang, "sha256": draft.sha256},
    )
    session.commit()
    return draft


def verified(notice: PeopleNotice) -> bool:
    """Whether an approved notice is still exactly what was approved (its digest matches)."""
    return notice.approved_at is not None and notice.sha256 == notice_digest(
        notice.subject, notice.sections, notice.lang
    )


def render_for(
    incident: Incident,
    *,
    subject: str,
    sections: Mapping[str, str],
    lang: str,
    person: MergePerson,
    organisation_name: str | None = None,
) -> RenderedNotice:
    """The message one person receives (subject, plain text and HTML). A caller rendering
    many passes ``organisation_name`` once instead of reading the profile for each."""
    if organisation_name is None:
        organisation_name = organisation_name_of(incident)
    return render_notice(
        environment(),
        subject=subject,
        sections=sections,
        person=person,
        lang=lang,
        organisation_name=organisation_name,
    )


def organisation_name_of(incident: Incident) -> str:
    return public_name(incident.organisation)


def sample_person(lang: str) -> MergePerson:
    """The person shown in a preview when no list has been imported yet."""
    if lang == "nl":
        return MergePerson(name="Jan Jansen", data="naam en e-mailadres", reference="K-1234")
    return MergePerson(name="Jane Doe", data="name and e-mail address", reference="K-1234")


def draft_notes(
    incident: Incident,
    *,
    lang: str,
    now: datetime,
    user: User | None,
    sections: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """breachdesk's notes to the FG per section (English templates to translate): what the
    draft could not say from the record and the FG should add.

    A note about a section the draft had to leave empty ("the report names no measures")
    is dropped once ``sections``, the notice as the FG has it now, holds text there: it was
    still shown after the FG had written the measures in (found by exploratory testing).
    """
    draft = draft_people_notice(sheet_facts(incident, now=now, user=user), lang)
    written = sections or {}
    return {
        key: note
        for key, note in draft.notes.items()
        if draft.sections.get(key, "").strip() or not written.get(key, "").strip()
    }

"""The AP answer sheet of an incident: drafted from the record, edited by the FG, filed.

:func:`sheet_of` gathers what breachdesk knows into the domain's :class:`SheetFacts`, drafts
every answer and lays the FG's saved edits over the drafts. :func:`save_answer` keeps one
edited answer (optimistic locking on the sheet's version; the form's options and lengths are
checked by the domain).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from ..domain.deadline import due_at
from ..domain.notices.ap_2022 import AP_2022, CURRENT, FORMS
from ..domain.notices.ap_draft import (
    DataItem,
    DecisionSummary,
    Group,
    Informing,
    Person,
    SheetFacts,
    draft_answers,
)
from ..domain.notices.forms import FormTable, check_answer
from ..domain.notices.other_regimes import regimes_for, supervisor_names
from ..domain.notices.sheet import Edit, Sheet, build_sheet
from ..models import AnswerSheet, AuditEvent, Incident, User
from . import audit
from .audit import Actor
from .clock import Clock
from .deadlines import first_filing, term_of
from .decisions import current_facts, recommendation_for
from .informing import informing_of
from .organisations import profile_of
from .versioning import StaleEdit, last_change, lock_row

SHEET_ACTIONS = ("incident.answer_saved", "incident.answer_reverted")


class AnswerError(ValueError):
    """An answer that does not fit its question; nothing was saved."""

    def __init__(self, number: str, message: str, params: dict[str, int]) -> None:
        super().__init__(message % params)
        self.number = number
        self.message = message
        self.params = params


@dataclass(frozen=True)
class SheetPage:
    sheet: Sheet
    version: int
    lang: str


def _notifier(incident: Incident, user: User | None) -> Person:
    contact = profile_of(incident.organisation).privacy_contact
    if contact.kind.value == "fg" and contact.name:
        return Person(
            contact.name,
            "Functionaris Gegevensbescherming",
            contact.email or "",
            contact.phone or "",
        )
    if contact.kind.value == "privacy_contact" and contact.name:
        return Person(
            contact.name, "Contactpersoon privacy", contact.email or "", contact.phone or ""
        )
    if user is not None:
        return Person(user.name, "", user.email, "")
    return Person()


def _informing(incident: Incident) -> Informing | None:
    session = object_session(incident)
    return informing_of(session, incident) if session is not None else None


@dataclass(frozen=True)
class BeingFiled:
    """The first filing as the FG records it, before it is stored: the sheet frozen on it
    answers the moment of filing and the reasons for a delay (4.5) from it."""

    submitted_at: datetime
    delay_reason: str


def sheet_facts(
    incident: Incident,
    *,
    now: datetime,
    user: User | None = None,
    lang: str = "nl",
    being_filed: BeingFiled | None = None,
) -> SheetFacts:
    """Everything the drafting reads, from the incident, its organisation and its decisions."""
    profile = profile_of(incident.organisation)
    facts = current_facts(incident)
    recommendation = recommendation_for(incident)
    decision = incident.decisions[-1] if incident.decisions else None
    summary = None
    if decision is not None:
        summary = DecisionSummary(
            notify_ap=decision.notify_ap,
            inform_subjects=decision.inform_subjects,
            public_communication=decision.public_communication,
            ap_severity=decision.ap_severity,
            rationale=decision.rationale,
            exemption=(decision.recommendation_snapshot or {}).get("art34_exemption")
            if decision.follows_recommendation
            else None,
        )
    first = first_filing(incident)
    deadline = due_at(incident.aware_at, term_of(incident)) if incident.aware_at else None
    severity = recommendation.severity if recommendation else None
    others = supervisor_names(regimes_for(profile), lang)
    return SheetFacts(
        now=now,
        organisation=profile,
        notifier=_notifier(incident, user),
        title=incident.title,
        description=incident.description,
        discovered_at=incident.discovered_at,
        discovery_how=incident.discovery_how,
        ongoing=incident.ongoing,
        started_at=incident.started_at,
        ended_at=incident.ended_at,
        aware_at=incident.aware_at,
        deadline=deadline,
        first_filed_at=first.submitted_at
        if first
        else (being_filed.submitted_at if being_filed else None),
        delay_reason=first.delay_reason
        if first
        else (being_filed.delay_reason.strip() if being_filed else ""),
        processors=tuple(p.get("name", "") for p in incident.processors),
        reporting_processor=(incident.reporting_processor or {}).get("name", "")
        if incident.reported_by_processor
        else "",
        processor_aware_at=incident.processor_aware_at if incident.reported_by_processor else None,
        processor_notified_at=incident.processor_notified_at
        if incident.reported_by_processor
        else None,
        data=tuple(
            DataItem(
                c.get("name", ""),
                bool(c.get("special_category")),
                bool(c.get("criminal_data")),
                bool(c.get("national_id_number")),
                c.get("name_en") or "",
            )
            for c in incident.data_categories
        ),
        data_other=incident.data_other,
        subjects_mode=incident.subjects_mode,
        subjects_exact=incident.subjects_exact,
        subjects_min=incident.subjects_min,
        subjects_max=incident.subjects_max,
        records_count=incident.records_count,
        subject_groups=tuple(
            Group(g.get("name", ""), g.get("name_en") or "") for g in incident.subject_groups
        ),
        subject_groups_other=incident.subject_groups_other,
        children_involved=incident.children_involved,
        report_protection=incident.protection,
        protection_details=incident.protection_details,
        containment=tuple(incident.containment),
        containment_details=incident.containment_details,
        breach_types=tuple(incident.breach_types),
        attachments=tuple(a.filename for a in incident.attachments),
        facts=facts,
        severity_proposal=recommendation.ap_severity.value if recommendation else None,
        risk_level=recommendation.risk.value if recommendation else "",
        severity_score=severity.score if severity else None,
        severity_band=severity.band.value if severity else "",
        severity_arithmetic=severity.arithmetic if severity else "",
        decision=summary,
        subjects_resolution=incident.subjects_resolution,
        subjects_resolution_at=incident.subjects_resolution_at,
        subjects_resolution_note=incident.subjects_resolution_note,
        informing=_informing(incident),
        other_supervisors=others,
    )


def stored_sheet(session: Session, incident: Incident) -> AnswerSheet | None:
    return session.scalars(
        select(AnswerSheet).where(AnswerSheet.incident_id == incident.id)
    ).one_or_none()


#: The AP form's question on the reasons for a filing later than 72 hours ("Als u later dan 72
#: uur meldt: waarom?"); the filing records the same reasons.
DELAY_QUESTION = "4.5"


def delay_reason_answered(session: Session, incident: Incident) -> str:
    """The reasons for the delay as the FG wrote them on the AP sheet (its question 4.5), or
    "": the filing form starts from them, so they are not typed twice (and cannot differ
    between the filed sheet and the filing)."""
    row = stored_sheet(session, incident)
    if row is None or form_of(row) is not AP_2022:
        return ""
    edit = (row.edits or {}).get(DELAY_QUESTION)
    return str(edit.get("text", "")).strip() if isinstance(edit, dict) else ""


def form_of(row: AnswerSheet | None) -> FormTable:
    return FORMS.get(row.form_key, CURRENT) if row is not None else CURRENT


def _edits(row: AnswerSheet | None) -> dict[str, Edit]:
    if row is None:
        return {}
    return {
        number: Edit(
            str(value.get("text", "")),
            tuple(value.get("choices", ())),
            str(value.get("by", "")),
            datetime.fromisoformat(value["at"]) if value.get("at") else None,
        )
        for number, value in (row.edits or {}).items()
    }


def sheet_of(
    session: Session,
    incident: Incident,
    *,
    now: datetime,
    user: User | None = None,
    lang: str = "nl",
    being_filed: BeingFiled | None = None,
) -> SheetPage:
    """The answer sheet as it stands: drafts from the record, the FG's edits over them
    (``being_filed``: as it is frozen on the first filing being recorded)."""
    row = stored_sheet(session, incident)
    form = form_of(row)
    facts = sheet_facts(incident, now=now, user=user, lang=lang, being_filed=being_filed)
    drafts = draft_answers(form, facts, lang)
    hours = (now - incident.aware_at).total_seconds() / 3600 if incident.aware_at else None
    decided = bool(incident.decisions and incident.decisions[-1].notify_ap)
    sheet = build_sheet(
        form,
        drafts,
        _filing_reasons_stand(incident, form, _edits(row), being_filed),
        hours_since_awareness=hours,
        decided_to_notify=decided,
    )
    return SheetPage(sheet, row.version if row else 0, lang)


def _filing_reasons_stand(
    incident: Incident, form: FormTable, edits: dict[str, Edit], being_filed: BeingFiled | None
) -> dict[str, Edit]:
    """``edits`` without the FG's answer to the delay question (4.5) where the first filing's
    reasons for the delay take its place: on the sheet frozen as that filing is recorded, and
    on the sheet afterwards while the answer predates the filing. The filing form starts from
    the answer but may be changed; before, the sheet as filed could then give other reasons
    than the filing it belongs to (found by exploratory testing). An answer written after the
    first filing (for a supplement) stands."""
    answer = edits.get(DELAY_QUESTION)
    if answer is None or form is not AP_2022:
        return edits
    first = first_filing(incident)
    if first is None:
        superseded = being_filed is not None
    else:
        superseded = answer.at is None or answer.at < first.recorded_at
    return {k: v for k, v in edits.items() if k != DELAY_QUESTION} if superseded else edits


def questions_changed_since(
    session: Session, incident: Incident, seen: int, current: int
) -> set[str] | None:
    """The questions whose answers were saved or reverted after the sheet's version ``seen``
    (up to ``current``), read from the trail: each save writes one event with its question
    and the version it made. None when the trail does not account for every version since
    (then any save from that page is a conflict)."""
    if not 0 <= seen < current:
        return None
    events = session.execute(
        select(AuditEvent.after)
        .where(
            AuditEvent.entity_type == "incident",
            AuditEvent.entity_id == str(incident.id),
            AuditEvent.action.in_(SHEET_ACTIONS),
        )
        .order_by(AuditEvent.seq.desc())
        .limit(current - seen)
    ).scalars()
    changed: dict[int, str] = {}
    for after in events:
        if not isinstance(after, dict):
            return None
        version, question = after.get("version"), after.get("question")
        if not isinstance(version, int) or not isinstance(question, str):
            return None
        changed[version] = question
    if set(changed) != set(range(seen + 1, current + 1)):
        return None
    return set(changed.values())


def save_answer(
    session: Session,
    incident: Incident,
    number: str,
    *,
    text: str,
    choices: tuple[str, ...],
    revert: bool = False,
    seen_version: int | None,
    user: User,
    actor: Actor,
    clock: Clock,
) -> None:
    """Keep the FG's answer to question ``number`` (or, with ``revert``, go back to the draft).

    Raises:
        AnswerError: the answer does not fit the question's options or length.
        StaleEdit: someone else saved or reverted this question's answer since
            ``seen_version`` (answers to other questions meanwhile are no conflict).
        KeyError: the form has no question ``number``.
    """
    lock_row(session, incident)
    row = stored_sheet(session, incident)
    form = form_of(row)
    question = form.question(number)
    if question is None:
        raise KeyError(number)
    current = row.version if row else 0
    if seen_version is not None and seen_version != current:
        changed = questions_changed_since(session, incident, seen_version, current)
        if changed is None or number in changed:
            by, at = last_change(session, ("incident", incident.id), SHEET_ACTIONS)
            raise StaleEdit(current, by, at)
        # Others answered other questions meanwhile: this answer is not in conflict with them.
    text = text.replace("\r\n", "\n").strip()
    if not revert:
        problem = check_answer(question, text, choices)
        if problem is not None:
            raise AnswerError(number, *problem)
    now = clock.now()
    if row is None:
        row = AnswerSheet(incident_id=incident.id, form_key=form.key, edits={}, version=0)
        session.add(row)
    edits = dict(row.edits or {})
    before = edits.get(number)
    if revert:
        edits.pop(number, None)
    else:
        edits[number] = {
            "text": text,
            "choices": list(choices),
            "by": user.name,
            "at": now.isoformat(),
        }
    row.edits = edits
    row.version = current + 1
    row.updated_at = now
    session.flush()
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action="incident.answer_reverted" if revert else "incident.answer_saved",
        entity_type="incident",
        entity_id=incident.id,
        organisation_id=incident.organisation_id,
        before={"question": number, "edited": before is not None},
        after={"question": number, "form": form.key, "version": row.version},
    )
    session.commit()

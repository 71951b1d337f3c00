"""An organisation's reminder settings: hours, deputy, escalation contact, processor term,
where it files with the AP, and the office hours that time the chasing of untriaged reports
(new reports are planned with them; reports already waiting keep their times)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.lifecycle import State
from ..domain.problems import FieldProblem
from ..domain.reminders import check_offsets
from ..domain.retention import (
    DEFAULT_RETENTION_DAYS,
    MAX_RETENTION_DAYS,
    MIN_RETENTION_DAYS,
    check_days,
)
from ..domain.text import N_
from ..models import Incident, Organisation
from . import audit, reminders
from .audit import Actor
from .clock import Clock
from .versioning import StaleEdit, claim_version, last_change

SETTINGS_ACTIONS = ("organisation.clock_settings_changed",)


@dataclass(frozen=True)
class ClockSettings:
    """An organisation's reminder settings (see Organisation in models/accounts.py)."""

    reminder_offsets: tuple[int, ...]
    deputy_email: str
    escalation_name: str
    escalation_email: str
    processor_term_hours: int
    processor_hours_before: tuple[int, ...]
    ap_reporting_url: str = ""  # empty: the installation's AP_REPORTING_URL
    notice_rate_per_minute: int = 30  # the mail provider's cap for notices to people (0: none)
    recipient_retention_days: int = 90  # lists of people kept this long after closing
    # Reports waiting for triage are chased after this many office hours (see untriaged.py).
    office_days: str = "12345"  # ISO weekdays, 1 = Monday
    office_start_hour: int = 9
    office_end_hour: int = 17
    untriaged_office_hours: int = 4
    # Breach data erased this many days after closing (None: not erased; domain/retention.py).
    retention_days: int | None = DEFAULT_RETENTION_DAYS

    @classmethod
    def of(cls, organisation: Organisation) -> ClockSettings:
        return cls(
            tuple(organisation.reminder_offsets),
            organisation.deputy_email,
            organisation.escalation_name,
            organisation.escalation_email,
            organisation.processor_term_hours,
            tuple(organisation.processor_hours_before),
            organisation.ap_reporting_url,
            organisation.notice_rate_per_minute,
            organisation.recipient_retention_days,
            organisation.office_days,
            organisation.office_start_hour,
            organisation.office_end_hour,
            organisation.untriaged_office_hours,
            organisation.retention_days,
        )


class SettingsError(ValueError):
    """Settings that cannot be used; ``problems`` maps form field to (message, params)."""

    def __init__(self, problems: dict[str, tuple[str, dict[str, str | int]]]) -> None:
        super().__init__("; ".join(message % params for message, params in problems.values()))
        self.problems = problems


def settings_problems(
    settings: ClockSettings, *, unread: Collection[str] = ()
) -> list[FieldProblem]:
    """Every problem with ``settings``, each at its form field: reminder hours outside the term
    or repeated, a term of no hours, an address that is not https://, numbers out of range,
    no office day, office hours that end before they start.

    ``unread`` names the fields a form could not read: their values in ``settings`` are
    stand-ins, so no problem is reported at them and nothing is compared with them. Reads only.
    """
    problems: list[FieldProblem] = []

    def problem(name: str, message: str, params: dict[str, int] | None = None) -> None:
        if name not in unread:
            problems.append(FieldProblem(name, message, dict(params or {})))

    for message, params in check_offsets(settings.reminder_offsets, 72)[:1]:
        problem("reminder_offsets", message, params)
    if not 1 <= settings.processor_term_hours <= 24 * 14:
        problem("processor_term_hours", N_("Give a term between 1 and 336 hours."))
    elif "processor_term_hours" not in unread:
        before = check_offsets(settings.processor_hours_before, settings.processor_term_hours)
        for message, params in before[:1]:
            problem("processor_hours_before", message, params)
    url = settings.ap_reporting_url.strip()
    if url and (not url.startswith("https://") or len(url) > 500 or any(c.isspace() for c in url)):
        problem("ap_reporting_url", N_("Give an https:// address, or leave it empty."))
    if not 0 <= settings.notice_rate_per_minute <= 100_000:
        problem("notice_rate_per_minute", N_("Give a number from 0 (no limit) up."))
    if not 1 <= settings.recipient_retention_days <= 3650:
        problem("recipient_retention_days", N_("Give between 1 and 3650 days."))
    if not check_days(settings.retention_days):
        problem(
            "retention_days",
            N_("Give between %(min)d and %(max)d days, or leave it empty to keep the data."),
            {"min": MIN_RETENTION_DAYS, "max": MAX_RETENTION_DAYS},
        )
    if not settings.office_days or any(c not in "1234567" for c in settings.office_days):
        problem("office_days", N_("Choose at least one office day."))
    hours_read = "office_start_hour" not in unread
    if hours_read and not 0 <= settings.office_start_hour < settings.office_end_hour <= 24:
        problem("office_end_hour", N_("Office hours end after they start, between 0 and 24."))
    if not 1 <= settings.untriaged_office_hours <= 40:
        problem("untriaged_office_hours", N_("Give between 1 and 40 hours."))
    return problems


def save_clock_settings(
    session: Session,
    organisation: Organisation,
    settings: ClockSettings,
    *,
    actor: Actor,
    clock: Clock,
    seen_version: int | None = None,
) -> bool:
    """Store the settings and re-plan the reminders of every running incident; audited.

    Returns False when nothing changed.

    Raises:
        SettingsError: reminder hours outside the term or repeated, or a term of no hours.
        StaleEdit: the settings were saved after ``seen_version`` (the version the page
            showed); nothing was saved.
    """
    problems = settings_problems(settings)
    if problems:
        raise SettingsError({p.field: (p.message, p.params) for p in problems})
    before_settings = ClockSettings.of(organisation)
    if seen_version is not None and seen_version != organisation.clock_settings_version:
        by, at = last_change(session, ("organisation", organisation.id), SETTINGS_ACTIONS)
        raise StaleEdit(organisation.clock_settings_version, by, at)
    if before_settings == settings:
        return False
    claim_version(
        session,
        organisation,
        Organisation.clock_settings_version,
        seen_version,
        entity=("organisation", organisation.id),
        actions=SETTINGS_ACTIONS,
    )
    organisation.reminder_offsets = sorted(settings.reminder_offsets)
    organisation.deputy_email = settings.deputy_email.strip()
    organisation.escalation_name = settings.escalation_name.strip()
    organisation.escalation_email = settings.escalation_email.strip()
    organisation.processor_term_hours = settings.processor_term_hours
    organisation.processor_hours_before = sorted(settings.processor_hours_before, reverse=True)
    organisation.ap_reporting_url = settings.ap_reporting_url.strip()
    organisation.notice_rate_per_minute = settings.notice_rate_per_minute
    organisation.recipient_retention_days = settings.recipient_retention_days
    organisation.office_days = "".join(sorted(set(settings.office_days)))
    organisation.office_start_hour = settings.office_start_hour
    organisation.office_end_hour = settings.office_end_hour
    organisation.untriaged_office_hours = settings.untriaged_office_hours
    organisation.retention_days = settings.retention_days
    organisation.updated_at = clock.now()
    audit.record(
        session,
        clock=clock,
        actor=actor,
        action="organisation.clock_settings_changed",
        entity_type="organisation",
        entity_id=organisation.id,
        organisation_id=organisation.id,
        before=asdict(before_settings),
        after=asdict(ClockSettings.of(organisation)),
    )
    running = session.execute(
        select(Incident).where(
            Incident.organisation_id == organisation.id,
            Incident.aware_at.is_not(None),
            Incident.state.in_(
                [State.BREACH_CONFIRMED.value, State.ASSESSED.value, State.DECIDED.value]
            ),
        )
    ).scalars()
    for incident in running:
        reminders.replan(session, incident, clock=clock)
    session.commit()
    return True

"""Recording a filed notification, and an organisation's reminder settings."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from ..domain.deadline import Duty
from ..domain.lifecycle import TransitionRefused
from ..domain.notices.sheet import snapshot
from ..domain.problems import FieldProblem
from ..domain.roles import Role
from ..domain.timeutil import utc_to_local
from ..extensions import db_session
from ..models import Incident, Organisation
from ..runtime import runtime
from ..services import answer_sheet, clock_settings, filings
from ..services.deadlines import duty_of
from ..services.versioning import StaleEdit
from .conflicts import conflict
from .context import actor, organisation_for, user
from .failures import NotSaved, keeps_typing
from .form_checks import read, read_utc, validate_all
from .labels import refusal_text
from .triage import as_sent, back, officer_incident, page
from .triage_forms import ClockSettingsForm, NotificationForm, seen

bp = Blueprint("clock", __name__)


@bp.post("/incidents/<int:incident_id>/notification")
@keeps_typing(as_sent("notification_form", NotificationForm), NotSaved.WORK)
@login_required
def notification(incident_id: int) -> ResponseReturnValue:
    incident = officer_incident(incident_id)
    form = NotificationForm()
    if (
        validate_all(form, lambda: filing_problems(incident, form))
        and (submitted_at := read_utc(form.submitted_at)) is not None
    ):
        try:
            record_filing(incident, form, submitted_at)
            flash(_("The notification has been recorded."), "success")
            return back(incident, "#notification")
        except filings.NotificationError as error:
            db_session().rollback()
            form[error.field].errors.append(_(error.message))
        except TransitionRefused as error:
            form.submitted_at.errors.append(refusal_text(error))
        except StaleEdit as error:
            db_session().rollback()
            form.seen_filings.data = str(len(incident.notifications))
            latest = incident.notifications[-1]
            found = replace(
                conflict(error, _("the notification")),
                note=_(
                    "Recorded in the meantime: filed at %(when)s, reference %(ref)s. Record "
                    "yours only if it is another filing (a supplement).",
                    when=utc_to_local(latest.submitted_at).strftime("%d-%m-%Y %H:%M")
                    if latest.submitted_at
                    else "—",
                    ref=latest.reference or "—",
                ),
            )
            context = page(incident, notification_form=form)
            return render_template("incidents/show.html", filing_conflict=found, **context), 409
    return render_template("incidents/show.html", **page(incident, notification_form=form)), 422


def filing_problems(incident: Incident, form: NotificationForm) -> list[FieldProblem]:
    """Every problem of the filing the form describes, on what it could read (see
    :func:`~breachdesk.services.filings.notification_problems`)."""
    submitted_at, delay_reason = read_utc(form.submitted_at), read(form.delay_reason)
    sheet = None
    if submitted_at is not None:
        sheet = _sheet_as_filed(incident, submitted_at, delay_reason or "")
    return filings.notification_problems(
        incident,
        submitted_at=submitted_at,
        delay_reason=delay_reason,
        now=runtime().clock.now(),
        sheet=sheet,
        provisional=bool(form.provisional.data),
        confirm_incomplete=bool(form.confirm_incomplete.data),
    )


def _sheet_as_filed(
    incident: Incident, submitted_at: datetime, delay_reason: str
) -> dict[str, Any] | None:
    """An AP filing freezes the answer sheet as the FG sees it now (None for other duties)."""
    if duty_of(incident) is not Duty.AP:
        return None
    being_filed = answer_sheet.BeingFiled(submitted_at, delay_reason)
    found = answer_sheet.sheet_of(
        db_session(), incident, now=runtime().clock.now(), user=user(), being_filed=being_filed
    )
    return snapshot(found.sheet)


def record_filing(incident: Incident, form: NotificationForm, submitted_at: datetime) -> None:
    """Record the filing the form describes; an AP filing freezes the answer sheet as the FG
    sees it now (the incident page and the answer sheet page both file through here)."""
    filings.record_notification(
        db_session(),
        incident,
        submitted_at=submitted_at,
        reference=form.reference.data or "",
        provisional=bool(form.provisional.data),
        delay_reason=form.delay_reason.data or "",
        notes=form.notes.data or "",
        recorded_by=user(),
        actor=actor(),
        clock=runtime().clock,
        seen_filings=seen(form.seen_filings),
        sheet=_sheet_as_filed(incident, submitted_at, form.delay_reason.data or ""),
        confirm_incomplete=bool(form.confirm_incomplete.data),
    )


def _settings_as_sent(slug: str) -> str:
    """For :func:`keeps_typing`: the reminder settings as sent, nothing saved."""
    form = ClockSettingsForm()
    form.form_errors.append(_("Not saved. Send it again in a minute."))
    org = organisation_for(slug, Role.ADMIN)
    return render_template("admin/clock_settings.html", org=org, form=form)


@bp.route("/admin/organisations/<slug>/clock", methods=["GET", "POST"])
@keeps_typing(_settings_as_sent, NotSaved.WORK)
@login_required
def settings(slug: str) -> ResponseReturnValue:
    org = organisation_for(slug, Role.ADMIN)
    form = ClockSettingsForm()
    found = None
    if not form.is_submitted():
        form = _settings_form(org)
        form.version.data = str(org.clock_settings_version)
    elif validate_all(form, lambda: _settings_problems(form, org)):
        try:
            changed = clock_settings.save_clock_settings(
                db_session(),
                org,
                _wanted(form, org)[0],
                actor=actor(),
                clock=runtime().clock,
                seen_version=seen(form.version),
            )
            flash(_("Saved.") if changed else _("Nothing was changed."), "success")
            return redirect(url_for("admin.organisation", slug=org.slug))
        except clock_settings.SettingsError as error:
            for name, (message, params) in error.problems.items():
                form[name].errors = [*form[name].errors, _(message, **params)]
        except StaleEdit as error:
            db_session().rollback()
            form.version.data = str(error.current)
            found = conflict(error, _("the reminder settings"), form, _settings_form(org))
    status = 409 if found else 422 if form.is_submitted() else 200
    page_ = render_template("admin/clock_settings.html", org=org, form=form, conflict=found)
    return page_, status


def _or(value: int | None, current: int) -> int:
    """A number field left empty keeps the stored value."""
    return current if value is None else int(value)


def _wanted(
    form: ClockSettingsForm, org: Organisation
) -> tuple[clock_settings.ClockSettings, frozenset[str]]:
    """The settings as far as the form could read them, and the names of the fields it could
    not (those hold the stored value as a stand-in). A field of hours that are not whole
    numbers becomes an error here."""
    current = clock_settings.ClockSettings.of(org)

    def hours(name: str, stored: tuple[int, ...]) -> tuple[int, ...]:
        return stored if form[name].errors else form.hours(name) or stored

    wanted = clock_settings.ClockSettings(
        hours("reminder_offsets", current.reminder_offsets),
        read(form.deputy_email) or "",
        read(form.escalation_name) or "",
        read(form.escalation_email) or "",
        _or(read(form.processor_term_hours), current.processor_term_hours),
        hours("processor_hours_before", current.processor_hours_before),
        read(form.ap_reporting_url) or "",
        _or(read(form.notice_rate_per_minute), org.notice_rate_per_minute),
        _or(read(form.recipient_retention_days), org.recipient_retention_days),
        "".join(read(form.office_days) or []),
        _or(read(form.office_start_hour), org.office_start_hour),
        _or(read(form.office_end_hour), org.office_end_hour),
        _or(read(form.untriaged_office_hours), org.untriaged_office_hours),
        read(form.retention_days),  # empty: no period, nothing erased
    )
    fields = clock_settings.ClockSettings.__dataclass_fields__
    return wanted, frozenset(name for name in fields if form[name].errors)


def _settings_problems(form: ClockSettingsForm, org: Organisation) -> list[FieldProblem]:
    wanted, unread = _wanted(form, org)
    return clock_settings.settings_problems(wanted, unread=unread)


def _settings_form(org: Organisation) -> ClockSettingsForm:
    """The settings as stored, in the form's shape (for showing beside the user's own)."""
    current = clock_settings.ClockSettings.of(org)
    form = ClockSettingsForm(formdata=None)
    form.reminder_offsets.data = ", ".join(map(str, current.reminder_offsets))
    form.processor_hours_before.data = ", ".join(map(str, current.processor_hours_before))
    form.ap_reporting_url.data = current.ap_reporting_url
    form.notice_rate_per_minute.data = current.notice_rate_per_minute
    form.recipient_retention_days.data = current.recipient_retention_days
    form.office_days.data = list(current.office_days)
    form.office_start_hour.data = current.office_start_hour
    form.office_end_hour.data = current.office_end_hour
    form.untriaged_office_hours.data = current.untriaged_office_hours
    form.retention_days.data = current.retention_days
    form.deputy_email.data = current.deputy_email
    form.escalation_name.data = current.escalation_name
    form.escalation_email.data = current.escalation_email
    form.processor_term_hours.data = current.processor_term_hours
    return form

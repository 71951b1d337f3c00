"""Recording a filed notification, and an organisation's reminder settings."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from ..domain.lifecycle import TransitionRefused
from ..domain.roles import Role
from ..extensions import db_session
from ..runtime import runtime
from ..services import deadlines
from .context import actor, organisation_for, user
from .failures import NotSaved, keeps_typing
from .labels import refusal_text
from .triage import as_sent, back, form_utc, officer_incident, page
from .triage_forms import ClockSettingsForm, NotificationForm

bp = Blueprint("clock", __name__)


@bp.post("/incidents/<int:incident_id>/notification")
@keeps_typing(as_sent("notification_form", NotificationForm), NotSaved.WORK)
@login_required
def notification(incident_id: int) -> ResponseReturnValue:
    incident = officer_incident(incident_id)
    form = NotificationForm()
    if form.validate_on_submit() and (submitted_at := form_utc(form.submitted_at)) is not None:
        try:
            deadlines.record_notification(
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
            )
            flash(_("The notification has been recorded."), "success")
            return back(incident, "#notification")
        except deadlines.NotificationError as error:
            form[error.field].errors.append(_(error.message))
        except TransitionRefused as error:
            form.submitted_at.errors.append(refusal_text(error))
    return render_template("incidents/show.html", **page(incident, notification_form=form)), 422


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
    current = deadlines.ClockSettings.of(org)
    form = ClockSettingsForm()
    if not form.is_submitted():
        form.reminder_offsets.data = ", ".join(map(str, current.reminder_offsets))
        form.processor_hours_before.data = ", ".join(map(str, current.processor_hours_before))
        form.deputy_email.data = current.deputy_email
        form.escalation_name.data = current.escalation_name
        form.escalation_email.data = current.escalation_email
        form.processor_term_hours.data = current.processor_term_hours
    elif form.validate_on_submit():
        offsets, before = form.hours("reminder_offsets"), form.hours("processor_hours_before")
        if offsets is not None and before is not None:
            wanted = deadlines.ClockSettings(
                offsets,
                form.deputy_email.data or "",
                form.escalation_name.data or "",
                form.escalation_email.data or "",
                int(form.processor_term_hours.data or 0),
                before,
            )
            try:
                changed = deadlines.save_clock_settings(
                    db_session(), org, wanted, actor=actor(), clock=runtime().clock
                )
                flash(_("Saved.") if changed else _("Nothing was changed."), "success")
                return redirect(url_for("admin.organisation", slug=org.slug))
            except deadlines.SettingsError as error:
                for name, (message, params) in error.problems.items():
                    form[name].errors = [*form[name].errors, _(message, **params)]
    status = 422 if form.is_submitted() else 200
    return render_template("admin/clock_settings.html", org=org, form=form), status

"""The FG corrects the reported facts (the number of people, the groups, ...), with a reason.

The report form, filled in as the incident stands; what the reporter answered is kept (see
``services.report_correction.correct_report``) and shown on the incident page.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from ..domain.problems import FieldProblem
from ..extensions import db_session
from ..models import Incident
from ..runtime import runtime
from ..services import incidents as incident_service
from ..services import report_columns, report_correction
from ..services.organisations import profile_of
from .context import actor, selected_locale
from .failures import NotSaved, keeps_typing
from .form_checks import read, show_problems, validate_all
from .report_form import ReportCorrectionForm
from .triage import officer_incident

bp = Blueprint("report_correction", __name__, url_prefix="/incidents/<int:incident_id>")


def _page(incident: Incident, form: ReportCorrectionForm) -> str:
    return render_template(
        "reports/new.html",
        form=form,
        organisation=incident.organisation,
        incident=incident,
        correcting=True,
        pending=[],
    )


def _form(incident: Incident) -> ReportCorrectionForm:
    form = ReportCorrectionForm()
    form.set_choices(profile_of(incident.organisation), selected_locale())
    return form


def _as_sent(incident_id: int) -> str:
    incident = officer_incident(incident_id)
    return _page(incident, _form(incident))


def _problems(incident: Incident, form: ReportCorrectionForm) -> list[FieldProblem]:
    report, unread = form.read_report()
    return report_correction.correction_problems(
        incident, report, read(form.correction_reason), runtime().clock.now(), unread=unread
    )


@bp.route("/report/correct", methods=["GET", "POST"])
@keeps_typing(_as_sent, NotSaved.WORK)
@login_required
def correct(incident_id: int) -> ResponseReturnValue:
    incident = officer_incident(incident_id)
    form = _form(incident)
    if not form.is_submitted():
        form.fill(report_columns.report_of(incident))
        return _page(incident, form)
    valid = validate_all(form, lambda: _problems(incident, form))
    if valid and (report := form.to_report()) is not None:
        try:
            changed = report_correction.correct_report(
                db_session(),
                incident,
                report,
                form.correction_reason.data or "",
                actor=actor(),
                clock=runtime().clock,
            )
        except incident_service.ReportRejected as rejected:
            show_problems(form, rejected.problems)
        else:
            flash(
                _("The report was corrected.") if changed else _("Nothing was changed."),
                "success" if changed else "info",
            )
            return redirect(url_for("incidents.show", incident_id=incident.id))
    return _page(incident, form), 422

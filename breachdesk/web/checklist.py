"""The risk checklist pages: the form, its live preview, and a save that came too late.

Routes of the ``triage`` blueprint (the FG's work on one incident), kept in their own module.
"""

from __future__ import annotations

from typing import Any

from flask import flash, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from ..domain.assessment import assess
from ..domain.assessment_json import facts_from_dict, facts_to_dict
from ..domain.checklist import BreachType
from ..domain.lifecycle import TransitionRefused
from ..domain.prefill import prefill
from ..extensions import db_session
from ..models import Incident
from ..runtime import runtime
from ..services import decisions
from ..services import incidents as incident_service
from ..services.organisations import profile_of
from ..services.versioning import StaleEdit
from .checklist_form import ChecklistForm
from .conflicts import conflict
from .context import actor
from .triage import back, bp, flash_refusal, officer_incident
from .triage_forms import seen


@bp.route("/checklist", methods=["GET", "POST"])
@login_required
def checklist(incident_id: int) -> ResponseReturnValue:
    incident = officer_incident(incident_id)
    form = ChecklistForm()
    if request.method == "GET":
        facts = decisions.current_facts(incident) or prefill(
            incident_service.report_of(incident),
            profile_of(incident.organisation),
            frozenset(BreachType(t) for t in incident.breach_types),
        )
        form.fill(facts_to_dict(facts))
        form.version.data = str(incident.facts_version)
        return render_template("incidents/checklist.html", **_checklist_page(incident, form))
    if form.validate_on_submit() and _adjustments_ok(form):
        facts = facts_from_dict(form.to_data())
        if request.form.get("action") == "preview":
            return render_template("incidents/checklist.html", **_checklist_page(incident, form))
        try:
            decisions.save_checklist(
                db_session(),
                incident,
                facts,
                confirm=request.form.get("action") == "confirm",
                actor=actor(),
                clock=runtime().clock,
                seen_version=seen(form.version),
            )
            flash(_("The checklist has been saved."), "success")
            return back(incident, "#decision")
        except TransitionRefused as error:
            flash_refusal(error)
        except StaleEdit as error:
            return _checklist_conflict(incident, form, error)
    return render_template("incidents/checklist.html", **_checklist_page(incident, form)), 422


def _checklist_conflict(
    incident: Incident, form: ChecklistForm, error: StaleEdit
) -> ResponseReturnValue:
    db_session().rollback()
    theirs = ChecklistForm(formdata=None)
    theirs.fill(incident.facts or {})
    form.version.data = str(error.current)  # saving again now replaces theirs, knowingly
    found = conflict(error, _("the risk checklist"), form, theirs)
    page = _checklist_page(incident, form)
    return render_template("incidents/checklist.html", conflict=found, **page), 409


@bp.post("/checklist/preview")
@login_required
def preview(incident_id: int) -> ResponseReturnValue:
    """The live preview: the same assessment function, on the answers as they stand."""
    officer_incident(incident_id)
    form = ChecklistForm()
    if not (form.validate_on_submit() and _adjustments_ok(form)):
        return render_template("incidents/_preview_invalid.html"), 422
    recommendation = assess(facts_from_dict(form.to_data()))
    return render_template("incidents/_recommendation.html", rec=recommendation)


def _adjustments_ok(form: ChecklistForm) -> bool:
    ok = True
    for i in range(2):
        if (
            form[f"adj_{i}_delta"].data not in (None, "", "0")
            and not (form[f"adj_{i}_reason"].data or "").strip()
        ):
            form[f"adj_{i}_reason"].errors.append(_("Give the reason for this adjustment."))
            ok = False
    return ok


def _checklist_page(incident: Incident, form: ChecklistForm) -> dict[str, Any]:
    valid = not any(field.errors for field in form)
    recommendation = assess(facts_from_dict(form.to_data())) if valid else None
    return {"incident": incident, "form": form, "rec": recommendation}

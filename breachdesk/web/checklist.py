"""The FG's risk checklist and its live preview (routes of the triage blueprint).

The answers go through the same ``facts_from_dict`` as ``breachdesk assess``; whatever it
refuses is an error at the field (422), never a server error.
"""

from __future__ import annotations

from typing import Any

from flask import flash, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from ..domain.assessment import assess
from ..domain.assessment_json import facts_from_dict, facts_to_dict
from ..domain.checklist import (
    LOWER_BOUND_ABOVE_COUNT,
    NONE_LIKELY_ALONE,
    BreachType,
    Consequence,
    Facts,
    consequences_fit,
    lower_bound_fits,
)
from ..domain.lifecycle import TransitionRefused
from ..domain.prefill import prefill
from ..extensions import db_session
from ..models import Incident
from ..runtime import runtime
from ..services import decisions, report_columns
from ..services.organisations import profile_of
from ..services.versioning import StaleEdit
from .checklist_form import ADJUSTMENT_ROWS, ChecklistForm
from .conflicts import conflict
from .context import actor
from .failures import NotSaved, keeps_typing
from .triage import back, bp, officer_incident, refused
from .triage_forms import seen


def _facts(form: ChecklistForm) -> Facts | None:
    """The facts of a valid, sent form; None with errors at the fields otherwise."""
    valid = form.validate_on_submit()
    for i in range(ADJUSTMENT_ROWS):
        delta, reason = form[f"adj_{i}_delta"], form[f"adj_{i}_reason"]
        if delta.data not in (None, "", "0") and not (reason.data or "").strip():
            reason.errors.append(_("Give the reason for this adjustment."))
            valid = False
    if not lower_bound_fits(form["subjects_min"].data, form["subjects_count"].data):
        # The domain's rule, said at the field in the reader's words (the JSON reader's words
        # are English, with its field names: found by exploratory testing on the Dutch page).
        form["subjects_min"].errors.append(_(LOWER_BOUND_ABOVE_COUNT))
        valid = False
    known = Consequence._value2member_map_  # another value is refused by the form itself
    chosen = frozenset(Consequence(c) for c in form["consequences"].data or () if c in known)
    if not consequences_fit(chosen):
        form["consequences"].errors.append(_(NONE_LIKELY_ALONE))
        valid = False
    return _facts_of(form) if valid else None


def _facts_of(form: ChecklistForm) -> Facts | None:
    try:
        return facts_from_dict(form.to_data())
    except ValueError as error:  # the form's own bounds should have caught it first
        name = str(error).partition(":")[0]
        field = form[name] if name in form else None
        (field.errors if field is not None else form.form_errors).append(str(error))
        return None


def _page(incident: Incident, form: ChecklistForm) -> dict[str, Any]:
    valid = not any(field.errors for field in form) and not form.form_errors
    facts = _facts_of(form) if valid else None
    return {"incident": incident, "form": form, "rec": assess(facts) if facts else None}


def _current(incident: Incident) -> Facts:
    """The saved answers, or the answers pre-filled from the report and the profile."""
    return decisions.current_facts(incident) or prefill(
        report_columns.report_of(incident),
        profile_of(incident.organisation),
        frozenset(BreachType(t) for t in incident.breach_types),
    )


def _as_sent(incident_id: int) -> str:
    form = ChecklistForm()
    form.validate()  # shape only: the answers are shown as sent, with their field errors
    page = _page(officer_incident(incident_id), form)
    form.form_errors.append(_("Not saved. Send it again in a minute."))
    return render_template("incidents/checklist.html", **page)


@bp.route("/checklist", methods=["GET", "POST"])
@keeps_typing(_as_sent, NotSaved.WORK)
@login_required
def checklist(incident_id: int) -> ResponseReturnValue:
    incident = officer_incident(incident_id)
    form = ChecklistForm()
    if request.method == "GET":
        form.fill(facts_to_dict(_current(incident)))
        form.version.data = str(incident.facts_version)
        return render_template("incidents/checklist.html", **_page(incident, form))
    facts = _facts(form)
    if facts is not None and request.form.get("action") == "preview":
        return render_template("incidents/checklist.html", **_page(incident, form))
    if facts is not None:
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
            refused(error)
        except StaleEdit as error:
            return _conflict(incident, form, error)
    return render_template("incidents/checklist.html", **_page(incident, form)), 422


def _conflict(incident: Incident, form: ChecklistForm, error: StaleEdit) -> ResponseReturnValue:
    """409: the checklist was saved by someone else after this page was loaded."""
    db_session().rollback()
    theirs = ChecklistForm(formdata=None)
    theirs.fill(incident.facts or {})
    form.version.data = str(error.current)  # saving again now replaces theirs, knowingly
    found = conflict(error, _("the risk checklist"), form, theirs)
    return render_template("incidents/checklist.html", conflict=found, **_page(incident, form)), 409


@bp.post("/checklist/preview")
@login_required
def preview(incident_id: int) -> ResponseReturnValue:
    """The live preview: the same assessment function, on the answers as they stand."""
    incident = officer_incident(incident_id)
    facts = _facts(ChecklistForm())
    if facts is None:
        return render_template("incidents/_preview_invalid.html"), 422
    return render_template("incidents/_recommendation.html", rec=assess(facts), incident=incident)

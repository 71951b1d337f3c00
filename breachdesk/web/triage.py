"""The FG's actions on an incident: triage, awareness, decision, close, reopen.

The risk checklist adds its routes to this blueprint from :mod:`.checklist`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from flask_wtf import FlaskForm

from ..domain.assessment import Outcome
from ..domain.checklist import BreachType, Tri
from ..domain.duties import Resolution
from ..domain.lifecycle import TransitionRefused
from ..domain.problems import FieldProblem
from ..domain.text import N_
from ..extensions import db_session
from ..models import Incident
from ..runtime import runtime
from ..services import closing, decisions, incident_access, triage
from ..services.versioning import StaleEdit
from ..services.workflow import TriageError
from .conflicts import conflict
from .context import actor, roles_in, user
from .failures import NotSaved, keeps_typing
from .form_checks import read, read_utc, twice_note, validate_all
from .incident_page import page_context
from .labels import refusal_text
from .triage_forms import (
    AwarenessForm,
    CloseForm,
    DecisionForm,
    ReasonForm,
    TriageCorrectionForm,
    TriageForm,
    read_breach_types,
    read_tri,
    seen,
)

bp = Blueprint("triage", __name__, url_prefix="/incidents/<int:incident_id>")


def officer_incident(incident_id: int) -> Incident:
    """The incident, if the signed-in user is its organisation's FG (404 otherwise)."""
    from ..domain.roles import Role

    incident = incident_access.visible_incident(db_session(), user(), incident_id)
    if incident is None or Role.FG not in roles_in(incident.organisation):
        abort(404)
    return incident


def staff_incident(incident_id: int) -> Incident:
    """The incident, if the signed-in user is its organisation's FG or administrator (404
    otherwise)."""
    from ..domain.roles import Role

    incident = incident_access.visible_incident(db_session(), user(), incident_id)
    if incident is None or not (roles_in(incident.organisation) & {Role.FG, Role.ADMIN}):
        abort(404)
    return incident


def back(incident: Incident, anchor: str = "") -> ResponseReturnValue:
    return redirect(url_for("incidents.show", incident_id=incident.id) + anchor)


def as_sent(form_name: str, form_class: type[FlaskForm]) -> Callable[..., str]:
    """For :func:`keeps_typing`: the incident page with ``form_class`` as it was sent."""

    def render(incident_id: int) -> str:
        form = form_class()
        form.form_errors.append(_("Not saved. Send it again in a minute."))
        incident = officer_incident(incident_id)
        return render_template("incidents/show.html", **page(incident, **{form_name: form}))

    return render


def refused(error: TransitionRefused | TriageError) -> None:
    if isinstance(error, TransitionRefused):
        flash(refusal_text(error), "danger")
    else:
        flash(_(error.message), "danger")


def _triage_problems(incident: Incident, form: TriageForm) -> list[FieldProblem]:
    personal, breached = read_tri(form.personal_data), read_tri(form.security_breached)
    aware_at = read_utc(form.aware_at)
    problems = triage.triage_problems(
        incident,
        personal_data=personal,
        security_breached=breached,
        reason=read(form.reason),
        aware_at=aware_at,
        our_role=read(form.our_role),
        controller_name=read(form.controller_name),
        now=runtime().clock.now(),
    )
    if (
        aware_at is None
        and not form.aware_at.errors
        and personal is Tri.YES
        and breached is Tri.YES
    ):
        # Never assumed: the moment starts the 72 hours, so the FG states it.
        problems.append(
            FieldProblem(
                "aware_at",
                N_("Fill in when the organisation became aware: the 72 hours start there."),
            )
        )
    return problems + triage.confirmation_problems(
        incident,
        personal_data=personal,
        security_breached=breached,
        breach_types=read_breach_types(form.breach_types),
    )


@bp.post("/triage")
@keeps_typing(as_sent("triage_form", TriageForm), NotSaved.WORK)
@login_required
def triage_incident(incident_id: int) -> ResponseReturnValue:
    incident = officer_incident(incident_id)
    form = TriageForm()
    if validate_all(form, lambda: _triage_problems(incident, form)):
        answers = triage.TriageAnswers(
            personal_data=Tri(form.personal_data.data),
            security_breached=Tri(form.security_breached.data),
            breach_types=frozenset(BreachType(t) for t in form.breach_types.data or []),
            reason=form.reason.data or "",
            aware_at=read_utc(form.aware_at),
            our_role=form.our_role.data or "controller",
            controller_name=form.controller_name.data or "",
        )
        try:
            triage.record_triage(
                db_session(), incident, answers, actor=actor(), clock=runtime().clock
            )
            if note := twice_note(form.aware_at):
                flash(note, "info")
            return back(incident)
        except TriageError as error:
            getattr(form, error.field or "reason").errors.append(_(error.message))
        except TransitionRefused as error:
            form.breach_types.errors.append(refusal_text(error))
    return render_template("incidents/show.html", **page(incident, triage_form=form)), 422


@bp.post("/awareness")
@keeps_typing(as_sent("awareness_form", AwarenessForm), NotSaved.WORK)
@login_required
def awareness(incident_id: int) -> ResponseReturnValue:
    incident = officer_incident(incident_id)
    form = AwarenessForm()
    now = runtime().clock.now()
    if (
        validate_all(
            form,
            lambda: triage.awareness_problems(
                incident, read_utc(form.aware_at), read(form.reason), now
            ),
        )
        and (aware_at := read_utc(form.aware_at)) is not None
    ):
        try:
            triage.record_awareness(
                db_session(),
                incident,
                aware_at,
                form.reason.data or "",
                actor=actor(),
                clock=runtime().clock,
            )
            if note := twice_note(form.aware_at):
                flash(note, "info")
            return back(incident)
        except TriageError as error:
            getattr(form, error.field or "reason").errors.append(_(error.message))
    return render_template("incidents/show.html", **page(incident, awareness_form=form)), 422


@bp.post("/decision")
@keeps_typing(as_sent("decision_form", DecisionForm), NotSaved.WORK)
@login_required
def decide(incident_id: int) -> ResponseReturnValue:
    incident = officer_incident(incident_id)
    form = DecisionForm()
    if form.validate_on_submit():
        outcome = Outcome(form.outcome.data) if form.outcome.data else None
        try:
            decisions.record_decision(
                db_session(),
                incident,
                outcome=outcome,
                rationale=form.rationale.data or "",
                actor=actor(),
                clock=runtime().clock,
                seen_decision=seen(form.seen_decision),
                seen_checklist=seen(form.seen_checklist),
            )
            flash(_("The decision has been recorded."), "success")
            return back(incident, "#decision")
        except TriageError as error:
            form.rationale.errors.append(_(error.message))
        except TransitionRefused as error:
            form.form_errors.append(refusal_text(error))  # next to the form, which stays
        except StaleEdit as error:
            return _decision_conflict(incident, form, error)
    return render_template("incidents/show.html", **page(incident, decision_form=form)), 422


def _decision_conflict(
    incident: Incident, form: DecisionForm, error: StaleEdit
) -> ResponseReturnValue:
    db_session().rollback()
    latest = incident.decisions[-1] if incident.decisions else None
    changed_decision = (seen(form.seen_decision) or 0) != (latest.version if latest else 0)
    form.seen_decision.data = str(latest.version if latest else 0)
    form.seen_checklist.data = str(incident.facts_version)
    if changed_decision and latest is not None:
        theirs = DecisionForm(formdata=None, outcome=latest.outcome, rationale=latest.rationale)
        found = conflict(error, _("the decision"), form, theirs)
    else:
        found = replace(
            conflict(error, _("the risk checklist")),
            note=_(
                "The recommendation below follows the checklist as it is now. Check it "
                "before you record your decision again."
            ),
        )
    context = page(incident, decision_form=form)
    return render_template("incidents/show.html", decision_conflict=found, **context), 409


@bp.post("/close")
@keeps_typing(as_sent("close_form", CloseForm), NotSaved.WORK)
@login_required
def close(incident_id: int) -> ResponseReturnValue:
    incident = officer_incident(incident_id)
    form = CloseForm()
    now = runtime().clock.now()
    refusals = closing.standing_refusals(db_session(), incident)
    valid = validate_all(form, lambda: closing.closure_problems(incident, _closure(form), now))
    if refusals:  # beside the fields' errors, in the same round
        form.form_errors.extend(_(refusal) for refusal in refusals)
    elif valid:
        try:
            closing.close(
                db_session(), incident, actor=actor(), clock=runtime().clock, closure=_closure(form)
            )
            flash(_("The incident has been closed."), "success")
            return back(incident)
        except TriageError as error:
            form[error.field or "subjects_note"].errors.append(_(error.message))
        except TransitionRefused as error:
            form.form_errors.append(refusal_text(error))
    return render_template("incidents/show.html", **page(incident, close_form=form)), 422


def _closure(form: CloseForm) -> closing.Closure:
    return closing.Closure(
        subjects=_resolution(form, "subjects"), public=_resolution(form, "public")
    )


def _resolution(form: CloseForm, prefix: str) -> Resolution | None:
    outcome = read(form[f"{prefix}_outcome"])
    if not outcome:
        return None
    return Resolution(outcome, read_utc(form[f"{prefix}_at"]), read(form[f"{prefix}_note"]) or "")


@bp.post("/reopen")
@keeps_typing(as_sent("reopen_form", ReasonForm), NotSaved.WORK)
@login_required
def reopen(incident_id: int) -> ResponseReturnValue:
    incident = officer_incident(incident_id)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            closing.reopen(
                db_session(), incident, form.reason.data or "", actor=actor(), clock=runtime().clock
            )
            return back(incident)
        except TransitionRefused as error:
            form.reason.errors.append(refusal_text(error))
    return render_template("incidents/show.html", **page(incident, reopen_form=form)), 422


@bp.post("/triage/correct")
@keeps_typing(as_sent("correction_form", TriageCorrectionForm), NotSaved.WORK)
@login_required
def correct_triage(incident_id: int) -> ResponseReturnValue:
    incident = officer_incident(incident_id)
    form = TriageCorrectionForm()
    if validate_all(
        form,
        lambda: triage.correction_problems(
            breach_types=read_breach_types(form.breach_types),
            our_role=read(form.our_role),
            controller_name=read(form.controller_name),
            reason=read(form.reason),
        ),
    ):
        try:
            triage.correct_triage(
                db_session(),
                incident,
                breach_types=frozenset(BreachType(t) for t in form.breach_types.data or []),
                our_role=form.our_role.data or "controller",
                controller_name=form.controller_name.data or "",
                reason=form.reason.data or "",
                actor=actor(),
                clock=runtime().clock,
            )
            flash(_("The triage was corrected."), "success")
            return back(incident, "#triage-answers")
        except TriageError as error:
            db_session().rollback()
            getattr(form, error.field or "reason").errors.append(_(error.message))
        except TransitionRefused as error:
            db_session().rollback()
            form.reason.errors.append(refusal_text(error))
    return render_template("incidents/show.html", **page(incident, correction_form=form)), 422


def page(incident: Incident, **forms: Any) -> dict[str, Any]:
    return page_context(incident, **forms)

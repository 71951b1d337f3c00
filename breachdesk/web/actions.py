"""Remedial actions of an incident: the list, a form to add one, and finishing them."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from wtforms import DateField, EmailField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from ..domain.actions import (
    ACTION_STATUS_LABELS,
    ActionStatus,
    DueDateRefused,
    OutcomeRefused,
    is_overdue,
)
from ..domain.timeutil import utc_to_local
from ..extensions import db_session
from ..models import RemedialAction
from ..runtime import runtime
from ..services import actions
from .context import actor, user
from .fields import PageForm
from .form_checks import read, validate_all
from .triage import staff_incident

bp = Blueprint("actions", __name__, url_prefix="/incidents/<int:incident_id>/actions")


class ActionForm(PageForm):
    title = StringField(
        _l("What is to be done"),
        validators=[DataRequired(_l("Describe the measure.")), Length(max=300)],
        description=_l("For example: reset the passwords of all accounts of the team."),
    )
    owner_name = StringField(_l("Who does it"), validators=[Optional(), Length(max=200)])
    owner_email = EmailField(
        _l("Their e-mail address"),
        validators=[Optional(), Email(_l("Enter a valid e-mail address.")), Length(max=254)],
        description=_l("An overdue measure is reminded to this address and to you."),
    )
    due_on = DateField(_l("Due date"), validators=[Optional()])


class ChangeForm(PageForm):
    status = HiddenField()
    outcome = TextAreaField(_l("What was done, or why not"), validators=[Length(max=2000)])
    due_on = DateField(_l("New due date"), validators=[Optional()])


@dataclass(frozen=True)
class ChangeRefused:
    """A change of one measure that was not made: its problems by field ("" for the form as
    a whole) and what was typed, shown again in that measure's form."""

    action_id: int
    errors: dict[str, str]
    outcome: str
    due_on: str


def _render(
    incident_id: int,
    form: ActionForm | None = None,
    status: int = 200,
    change_error: ChangeRefused | None = None,
) -> ResponseReturnValue:
    incident = staff_incident(incident_id)
    found = actions.actions_of(db_session(), incident)
    today = utc_to_local(runtime().clock.now()).date()
    return (
        render_template(
            "incidents/actions.html",
            incident=incident,
            actions=found,
            form=form or ActionForm(),
            change_form=ChangeForm(),
            today=today,
            overdue=lambda a: is_overdue(ActionStatus(a.status), a.due_on, today),
            status_label=lambda a: _(ACTION_STATUS_LABELS[ActionStatus(a.status)]),
            change_error=change_error,
        ),
        status,
    )


@bp.get("/")
@login_required
def index(incident_id: int) -> ResponseReturnValue:
    return _render(incident_id)


@bp.post("/add")
@login_required
def add(incident_id: int) -> ResponseReturnValue:
    incident = staff_incident(incident_id)
    form = ActionForm()
    if not validate_all(form, lambda: actions.due_on_problems(incident, read(form.due_on))):
        return _render(incident_id, form, 400)
    try:
        actions.add(
            db_session(),
            incident,
            actions.ActionInput(
                title=form.title.data or "",
                owner_name=form.owner_name.data or "",
                owner_email=form.owner_email.data or "",
                due_on=form.due_on.data,
            ),
            user=user(),
            actor=actor(),
            clock=runtime().clock,
        )
    except DueDateRefused as refused:
        form.due_on.errors = [_(refused.message, **refused.params)]
        return _render(incident_id, form, 400)
    flash(_("The measure has been added."), "success")
    return redirect(url_for("actions.index", incident_id=incident.id))


@bp.post("/<int:action_id>")
@login_required
def change(incident_id: int, action_id: int) -> ResponseReturnValue:
    incident = staff_incident(incident_id)
    action = db_session().get(RemedialAction, action_id)
    if action is None or action.incident_id != incident.id:
        abort(404)
    form = ChangeForm()
    wanted = request.form.get("status", "")

    def refused(errors: dict[str, str]) -> ResponseReturnValue:
        """The actions page again with this measure's form open, its typing kept."""
        typed = ChangeRefused(
            action.id,
            errors,
            outcome=request.form.get("outcome", ""),
            due_on=request.form.get("due_on", ""),
        )
        return _render(incident_id, status=400, change_error=typed)

    valid = form.validate_on_submit()
    if not valid or wanted not in ActionStatus._value2member_map_:
        errors = {
            name: str(getattr(form, name).errors[0])
            for name in ("outcome", "due_on")
            if getattr(form, name).errors
        }
        if valid or not errors:  # (a bad CSRF token never gets here: CSRFProtect answers)
            errors[""] = _("Not changed: choose one of the buttons below the form.")
        return refused(errors)
    try:
        actions.change(
            db_session(),
            action,
            status=ActionStatus(wanted),
            outcome=form.outcome.data or "",
            due_on=form.due_on.data,
            actor=actor(),
            clock=runtime().clock,
        )
    except DueDateRefused as refusal:
        return refused({"due_on": _(refusal.message, **refusal.params)})
    except OutcomeRefused as refusal:
        return refused({"outcome": _(refusal.message)})
    flash(_("The measure has been updated."), "success")
    return redirect(url_for("actions.index", incident_id=incident.id))

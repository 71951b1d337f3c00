"""The conversation with the reporter on the incident page, and discarding a non-report.

The FG asks (``/questions``); a reporter with an account answers here (``/reply``), one without
through their follow-up link (``web/public_report.py``). The FG discards a report that is none
(spam, a test) with a reason, or restores it.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from ..domain.lifecycle import TransitionRefused
from ..extensions import db_session
from ..runtime import runtime
from ..services import conversation, incident_access
from .context import actor, user
from .failures import NotSaved, keeps_typing
from .incident_page import page_context
from .labels import refusal_text
from .reporter_forms import DiscardForm, QuestionForm, ReplyForm
from .reports import stage_uploads
from .triage import as_sent, officer_incident

bp = Blueprint("conversation", __name__, url_prefix="/incidents/<int:incident_id>")


def _back(incident_id: int) -> ResponseReturnValue:
    return redirect(url_for("incidents.show", incident_id=incident_id) + "#conversation")


@bp.post("/questions")
@keeps_typing(as_sent("question_form", QuestionForm), NotSaved.WORK)
@login_required
def ask(incident_id: int) -> ResponseReturnValue:
    incident = officer_incident(incident_id)
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            conversation.ask(
                db_session(), incident, form.body.data or "", user=user(), clock=runtime().clock
            )
        except conversation.MessageRefused as refused:
            form.body.errors.append(_(refused.message))
        else:
            flash(
                _("Your question has been sent to the reporter.")
                if conversation.can_reach_reporter(incident)
                else _(
                    "Your question is on the reporter's follow-up page; they gave no e-mail "
                    "address, so it was not mailed."
                ),
                "success",
            )
            return _back(incident.id)
    page = page_context(incident, question_form=form)
    return render_template("incidents/show.html", **page), 422


@bp.post("/reply")
@login_required
def reply(incident_id: int) -> ResponseReturnValue:
    """The answer of a reporter with an account (their own report only)."""
    incident = incident_access.visible_incident(db_session(), user(), incident_id)
    if incident is None or incident.reporter_id != user().id:
        abort(404)
    form = ReplyForm()
    valid = form.validate_on_submit()
    pending = stage_uploads(form, user())
    if valid and not form.evidence.errors:
        try:
            conversation.reply(
                db_session(),
                incident,
                form.body.data or "",
                pending=pending,
                user=user(),
                clock=runtime().clock,
            )
        except conversation.MessageRefused as refused:
            getattr(form, refused.field).errors.append(_(refused.message))
        else:
            flash(_("Thank you. The privacy officer has been told."), "success")
            return _back(incident.id)
    page = page_context(incident, reply_form=form)
    return render_template("incidents/show.html", pending=pending, **page), 422


@bp.post("/discard")
@login_required
def discard(incident_id: int) -> ResponseReturnValue:
    incident = officer_incident(incident_id)
    form = DiscardForm()
    if form.validate_on_submit():
        try:
            conversation.discard(
                db_session(), incident, form.reason.data or "", actor=actor(), clock=runtime().clock
            )
        except TransitionRefused as refused:
            db_session().rollback()
            form.reason.errors.append(refusal_text(refused))
        else:
            flash(_("The report was discarded. It is no longer in the inbox or the register."))
            return redirect(url_for("incidents.show", incident_id=incident.id))
    page = page_context(incident, discard_form=form)
    return render_template("incidents/show.html", **page), 422


@bp.post("/restore")
@login_required
def restore(incident_id: int) -> ResponseReturnValue:
    incident = officer_incident(incident_id)
    form = DiscardForm()
    if form.validate_on_submit():
        try:
            conversation.restore(
                db_session(), incident, form.reason.data or "", actor=actor(), clock=runtime().clock
            )
        except TransitionRefused as refused:
            db_session().rollback()
            form.reason.errors.append(refusal_text(refused))
        else:
            return redirect(url_for("incidents.show", incident_id=incident.id))
    page = page_context(incident, discard_form=form)
    return render_template("incidents/show.html", **page), 422

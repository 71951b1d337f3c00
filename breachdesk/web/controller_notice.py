"""The processor's notice to the controller: review the drafted e-mail, edit it, send it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import Length

from ..domain.deadline import Duty
from ..domain.lifecycle import TransitionRefused
from ..domain.problems import FieldProblem
from ..domain.timeutil import utc_to_local
from ..extensions import db_session
from ..models import Delivery, Incident
from ..runtime import runtime
from ..services import controller_notice, filings
from ..services.deadlines import clock_of, duty_of
from ..services.versioning import StaleEdit
from .conflicts import conflict
from .context import actor, user
from .failures import NotSaved, keeps_typing
from .fields import PageForm
from .form_checks import read, validate_all
from .labels import refusal_text
from .triage import back, officer_incident
from .triage_forms import seen

bp = Blueprint(
    "controller_notice", __name__, url_prefix="/incidents/<int:incident_id>/controller-notice"
)


class NoticeForm(PageForm):
    """The notice as the FG approves it: to whom, the subject and the text."""

    seen_filings = HiddenField()  # how many filings the page showed (optimistic locking)
    to = TextAreaField(
        _l("To (the controller's e-mail addresses)"),
        validators=[Length(max=5000)],
        description=_l(
            "The contact point the processing agreement names; several addresses separated "
            "by commas."
        ),
    )
    subject = StringField(_l("Subject"), validators=[Length(max=controller_notice.MAX_SUBJECT)])
    text = TextAreaField(_l("The notice"), validators=[Length(max=controller_notice.MAX_TEXT)])
    delay_reason = TextAreaField(
        _l("Reasons for the delay"),
        validators=[Length(max=10000)],
        description=_l(
            "Required when the term of the processing agreement has passed; say it in the "
            "notice, too."
        ),
    )


@bp.app_template_global("controller_notice_proof")
def proof_by_filing(incident: Incident) -> dict[int, Delivery]:
    """For the incident page: the notice e-mail sent with each filing, by the filing's id."""
    return controller_notice.by_filing(db_session(), incident)


def _incident(incident_id: int) -> Incident:
    incident = officer_incident(incident_id)
    if duty_of(incident) is not Duty.CONTROLLER:
        abort(404)  # only a processor informs a controller
    return incident


def _fresh_form(incident: Incident) -> NoticeForm:
    draft = controller_notice.draft_notice(
        db_session(), incident, now=runtime().clock.now(), user=user()
    )
    form = NoticeForm(formdata=None)
    form.seen_filings.data = str(len(incident.notifications))
    form.to.data = ", ".join(controller_notice.last_recipients(db_session(), incident))
    form.subject.data = draft.subject
    form.text.data = draft.body
    return form


def render_page(
    incident: Incident, form: NoticeForm | None = None, status: int = 200, **extra: Any
) -> ResponseReturnValue:
    now = runtime().clock.now()
    draft = controller_notice.draft_notice(db_session(), incident, now=now, user=user())
    context: dict[str, Any] = {
        "incident": incident,
        "form": form or _fresh_form(incident),
        "draft": draft,
        "now": now,
        "clock": clock_of(incident, now),
        "sent": controller_notice.notices_of(db_session(), incident),
        **extra,
    }
    return render_template("incidents/controller_notice.html", **context), status


@bp.get("")
@login_required
def show(incident_id: int) -> ResponseReturnValue:
    return render_page(_incident(incident_id))


def _as_sent(incident_id: int) -> str:
    """For :func:`keeps_typing`: the page with the notice as typed, nothing sent."""
    form = NoticeForm()
    form.form_errors.append(_("Not sent. Send it again in a minute."))
    page = render_page(_incident(incident_id), form)
    return str(page[0]) if isinstance(page, tuple) else str(page)


def _problems(incident: Incident, form: NoticeForm, now: datetime) -> list[FieldProblem]:
    return controller_notice.notice_problems(
        incident,
        to=read(form.to),
        subject=read(form.subject),
        text=read(form.text),
        delay_reason=read(form.delay_reason),
        now=now,
    )


@bp.post("")
@keeps_typing(_as_sent, NotSaved.WORK)
@login_required
def send(incident_id: int) -> ResponseReturnValue:
    incident = _incident(incident_id)
    form = NoticeForm()
    now = runtime().clock.now()
    if not validate_all(form, lambda: _problems(incident, form, now)):
        return render_page(incident, form, 422)
    draft = controller_notice.draft_notice(db_session(), incident, now=now, user=user())
    try:
        controller_notice.send_controller_notice(
            db_session(),
            incident,
            to=form.to.data or "",
            subject=form.subject.data or "",
            text=form.text.data or "",
            seen_filings=seen(form.seen_filings),
            user=user(),
            actor=actor(),
            clock=runtime().clock,
            delay_reason=form.delay_reason.data or "",
            sections=draft.snapshot(),
        )
    except controller_notice.NoticeError as error:
        form[error.field].errors.append(_(error.message, **error.params))
        return render_page(incident, form, 422)
    except filings.NotificationError as error:
        if error.field in form:
            form[error.field].errors.append(_(error.message))
        else:
            form.form_errors.append(_(error.message))
        return render_page(incident, form, 422)
    except TransitionRefused as error:
        form.form_errors.append(refusal_text(error))
        return render_page(incident, form, 422)
    except StaleEdit as error:
        form.seen_filings.data = str(len(incident.notifications))
        latest = incident.notifications[-1]
        found = replace(
            conflict(error, _("the notice to the controller")),
            note=_(
                "Recorded in the meantime: the controller was informed at %(when)s. Send yours "
                "only if it adds to that (a supplement).",
                when=utc_to_local(latest.submitted_at).strftime("%d-%m-%Y %H:%M")
                if latest.submitted_at
                else "—",
            ),
        )
        return render_page(incident, form, 409, conflict=found)
    flash(
        _("The notice is queued and goes out within a minute; the term stopped at this moment."),
        "success",
    )
    return back(incident, "#notification")

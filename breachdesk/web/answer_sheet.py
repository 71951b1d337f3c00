"""The AP answer sheet: drafted answers in the form's order, edited, copied, filed as versions."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from ..domain.lifecycle import TransitionRefused
from ..domain.notices.ap_2022 import FORMS
from ..domain.notices.other_regimes import regimes_for
from ..domain.notices.sheet import changes
from ..domain.timeutil import utc_to_local
from ..extensions import db_session
from ..models import Incident, Notification
from ..runtime import runtime
from ..services import answer_sheet, ap_exchanges, documents, filings
from ..services.deadlines import clock_of, duty_of
from ..services.organisations import profile_of
from ..services.versioning import StaleEdit
from .clock import filing_problems, record_filing
from .conflicts import conflict
from .context import actor, user
from .edges import whole_number
from .failures import NotSaved, keeps_typing
from .fields import own_ids
from .form_checks import read, read_utc, validate_all
from .labels import refusal_text
from .triage import officer_incident
from .triage_forms import (
    AnswerForm,
    ExchangeForm,
    NotificationForm,
    WithdrawalForm,
    fresh_notification_form,
    seen,
)

bp = Blueprint("sheet", __name__, url_prefix="/incidents/<int:incident_id>/ap-sheet")


def _lang() -> str:
    return "en" if request.args.get("lang") == "en" else "nl"


def _fresh_filing_form(incident: Incident) -> NotificationForm:
    delay = answer_sheet.delay_reason_answered(db_session(), incident)
    return fresh_notification_form(len(incident.notifications), runtime().clock.now(), delay)


def _sheet_url(incident: Incident) -> str:
    """The sheet's page, in the language of the answers the FG was reading."""
    return url_for("sheet.show", incident_id=incident.id, lang=_lang())


def _fresh_withdrawal_form(incident: Incident) -> WithdrawalForm:
    form = WithdrawalForm(formdata=None)
    form.seen_filings.data = str(len(incident.notifications))
    form.submitted_at.data = utc_to_local(runtime().clock.now()).replace(
        tzinfo=None, second=0, microsecond=0
    )
    return form


def render_sheet(incident: Incident, status: int = 200, **extra: Any) -> tuple[str, int]:
    """The sheet page; ``extra`` carries forms with errors, typing kept and conflicts."""
    if duty_of(incident).value != "ap":
        abort(404)  # a processor informs its controller, not the AP
    now = runtime().clock.now()
    page = answer_sheet.sheet_of(db_session(), incident, now=now, user=user(), lang=_lang())
    filed = [n for n in incident.notifications if n.addressee == "ap"]
    context: dict[str, Any] = {
        "incident": incident,
        "page": page,
        "sheet": page.sheet,
        "lang": page.lang,
        "now": now,
        "clock": clock_of(incident, now),
        "filed": filed,
        "withdrawn": any(n.kind == "withdrawal" for n in filed),
        "other_regimes": regimes_for(profile_of(incident.organisation)),
        "ap_url": incident.organisation.ap_reporting_url
        or current_app.config.get("AP_REPORTING_URL", ""),
        "filing_form": extra.pop("filing_form", None) or _fresh_filing_form(incident),
        # Ids of their own: the supplement's and the withdrawal's "reference" shared one, so
        # a label focused the other form's field (found by exploratory testing).
        "withdrawal_form": own_ids(
            extra.pop("withdrawal_form", None) or _fresh_withdrawal_form(incident), "withdraw"
        ),
        "exchange_form": own_ids(
            extra.pop("exchange_form", None) or ExchangeForm(formdata=None), "exchange"
        ),
        "answer_errors": {},
        "typing": {},
        **extra,
    }
    return render_template("incidents/answer_sheet.html", **context), status


@bp.get("")
@login_required
def show(incident_id: int) -> ResponseReturnValue:
    return render_sheet(officer_incident(incident_id))


def _answer_as_sent(incident_id: int) -> str:
    incident = officer_incident(incident_id)
    number = request.form.get("number", "")
    typing = {number: (request.form.get("text", ""), tuple(request.form.getlist("choices")))}
    errors = {number: _("Not saved. Send it again in a minute.")}
    return render_sheet(incident, answer_errors=errors, typing=typing)[0]


@bp.post("/answer")
@keeps_typing(_answer_as_sent, NotSaved.WORK)
@login_required
def save_answer(incident_id: int) -> ResponseReturnValue:
    incident = officer_incident(incident_id)
    form = AnswerForm()
    number = str(form.number.data or "")
    choices = tuple(request.form.getlist("choices"))
    text = str(form.text.data or "")
    typing = {number: (text, choices)}
    if not form.validate_on_submit():
        errors = {number: " ".join(_(e) for e in form.errors.get("csrf_token", [])) or "?"}
        return render_sheet(incident, 422, answer_errors=errors, typing=typing)
    try:
        answer_sheet.save_answer(
            db_session(),
            incident,
            number,
            text=text,
            choices=choices,
            revert=form.action.data == "revert",
            seen_version=seen(form.version),
            user=user(),
            actor=actor(),
            clock=runtime().clock,
        )
    except KeyError:
        abort(404)
    except answer_sheet.AnswerError as error:
        db_session().rollback()
        errors = {number: _(error.message, **error.params)}
        return render_sheet(incident, 422, answer_errors=errors, typing=typing)
    except StaleEdit as error:
        db_session().rollback()
        found = replace(
            conflict(error, _("the answer sheet")),
            note=_(
                "Your answer to question %(n)s is still in its field below. The sheet now shows "
                "the answers as saved; save yours again to replace them.",
                n=number,
            ),
        )
        return render_sheet(incident, 409, sheet_conflict=found, typing=typing)
    flash(_("Answer %(n)s saved.", n=number), "success")
    return redirect(url_for("sheet.show", incident_id=incident.id, lang=_lang()) + f"#q-{number}")


def _filing_as_sent(incident_id: int) -> str:
    form = NotificationForm()
    form.form_errors.append(_("Not saved. Send it again in a minute."))
    return render_sheet(officer_incident(incident_id), filing_form=form)[0]


@bp.post("/file")
@keeps_typing(_filing_as_sent, NotSaved.WORK)
@login_required
def file(incident_id: int) -> ResponseReturnValue:
    """Record that the sheet as it stands now was filed with the AP (a first filing or a
    supplement); the sheet is frozen on the filing."""
    incident = officer_incident(incident_id)
    form = NotificationForm()
    if (
        validate_all(form, lambda: filing_problems(incident, form))
        and (submitted_at := read_utc(form.submitted_at)) is not None
    ):
        try:
            record_filing(incident, form, submitted_at)
            flash(_("The filing has been recorded with the sheet as filed."), "success")
            return redirect(
                url_for("sheet.show", incident_id=incident.id, lang=_lang()) + "#filings"
            )
        except filings.NotificationError as error:
            db_session().rollback()
            form[error.field].errors.append(_(error.message))
        except TransitionRefused as error:
            form.submitted_at.errors.append(refusal_text(error))
        except StaleEdit as error:
            db_session().rollback()
            form.seen_filings.data = str(len(incident.notifications))
            found = conflict(error, _("the filings"))
            return render_sheet(incident, 409, filing_form=form, filing_conflict=found)
    return render_sheet(incident, 422, filing_form=form)


@bp.post("/withdraw")
@keeps_typing(_filing_as_sent, NotSaved.WORK)
@login_required
def withdraw(incident_id: int) -> ResponseReturnValue:
    incident = officer_incident(incident_id)
    form = WithdrawalForm()
    now = runtime().clock.now()
    if (
        validate_all(
            form,
            lambda: filings.withdrawal_problems(
                incident,
                submitted_at=read_utc(form.submitted_at),
                reason=read(form.reason),
                now=now,
            ),
        )
        and (submitted_at := read_utc(form.submitted_at)) is not None
    ):
        try:
            filings.withdraw_notification(
                db_session(),
                incident,
                submitted_at=submitted_at,
                reason=form.reason.data or "",
                reference=form.reference.data or "",
                recorded_by=user(),
                actor=actor(),
                clock=runtime().clock,
                seen_filings=seen(form.seen_filings),
            )
            flash(_("The withdrawal has been recorded."), "success")
            return redirect(
                url_for("sheet.show", incident_id=incident.id, lang=_lang()) + "#filings"
            )
        except filings.NotificationError as error:
            db_session().rollback()
            form[error.field].errors.append(_(error.message))
        except StaleEdit as error:
            db_session().rollback()
            form.seen_filings.data = str(len(incident.notifications))
            found = conflict(error, _("the filings"))
            return render_sheet(incident, 409, withdrawal_form=form, filing_conflict=found)
    return render_sheet(incident, 422, withdrawal_form=form)


def _filing(incident: Incident, notification_id: int) -> Notification:
    found = next((n for n in incident.notifications if n.id == notification_id), None)
    if found is None:
        abort(404)
    return found


@bp.post("/exchange")
@keeps_typing(_filing_as_sent, NotSaved.WORK)
@login_required
def exchange(incident_id: int) -> ResponseReturnValue:
    incident = officer_incident(incident_id)
    form = ExchangeForm()
    target = str(form.notification_id.data or "")
    notification = _filing(incident, whole_number(target, 0))
    now = runtime().clock.now()
    if (
        validate_all(
            form,
            lambda: ap_exchanges.exchange_problems(
                asked_at=read_utc(form.asked_at),
                question=read(form.question),
                answer=read(form.answer),
                answered_at=read_utc(form.answered_at),
                now=now,
                filed_at=notification.submitted_at,
            ),
        )
        and (asked_at := read_utc(form.asked_at)) is not None
    ):
        try:
            ap_exchanges.record_exchange(
                db_session(),
                notification,
                asked_at=asked_at,
                question=form.question.data or "",
                answer=form.answer.data or "",
                answered_at=read_utc(form.answered_at),
                recorded_by=user(),
                actor=actor(),
                clock=runtime().clock,
            )
            flash(_("The AP's question has been recorded."), "success")
            return redirect(
                url_for("sheet.show", incident_id=incident.id, lang=_lang()) + "#filings"
            )
        except filings.NotificationError as error:
            db_session().rollback()
            form[error.field].errors.append(_(error.message))
    return render_sheet(incident, 422, exchange_form=form, exchange_for=notification.id)


@bp.get("/pdf")
@login_required
def pdf(incident_id: int) -> ResponseReturnValue:
    """The sheet as a PDF: as it stands (a draft), or with ``?filing=<id>`` as it was filed."""
    incident = officer_incident(incident_id)
    notification = None
    wanted = request.args.get("filing", "")
    if wanted:
        notification = _filing(incident, whole_number(wanted, 0))
    try:
        data = documents.ap_sheet_pdf(
            db_session(),
            incident,
            now=runtime().clock.now(),
            user=user(),
            lang=_lang(),
            notification=notification,
        )
    except documents.DocumentError:
        current_app.logger.exception("the answer sheet of %s could not be made a PDF", incident_id)
        flash(_("The PDF could not be made; the answer sheet is unchanged. Try again later, "
                "or copy the answers from this page."), "danger")  # fmt: skip
        return redirect(url_for("sheet.show", incident_id=incident.id, lang=_lang()))
    # Named in the language of its answers (it was Dutch for English answers too).
    english = _lang() == "en"
    draft = "-draft" if english else "-concept"
    suffix = f"-{notification.kind}-{notification.id}" if notification else draft
    sheet = "ap-answer-sheet" if english else "ap-antwoordblad"
    name = f"{incident.reference}-{sheet}{suffix}.pdf"
    headers = {
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-store, private",
    }
    return Response(data, mimetype="application/pdf", headers=headers)


@bp.get("/filings/<int:notification_id>")
@login_required
def filed_version(incident_id: int, notification_id: int) -> ResponseReturnValue:
    """A filed version exactly as it was filed, and what changed since the one before."""
    incident = officer_incident(incident_id)
    notification = _filing(incident, notification_id)
    if notification.sheet is None:
        abort(404)
    earlier = [
        n
        for n in incident.notifications
        if n.sheet is not None and n.id < notification.id and n.addressee == "ap"
    ]
    previous = earlier[-1] if earlier else None
    form = FORMS.get(notification.form_key) or FORMS["ap-2022"]
    answers = {a["number"]: a for a in notification.sheet.get("answers", [])}
    diff = changes(previous.sheet if previous else None, notification.sheet)
    return render_template(
        "incidents/filed_sheet.html",
        incident=incident,
        notification=notification,
        previous=previous,
        form=form,
        answers=answers,
        diff=diff,
    )

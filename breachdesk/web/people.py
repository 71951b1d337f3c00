"""Informing the people affected: the notice (edit, readability, preview, approve) and the
mailing (start, live progress, pause, resume, cancel, proof per person)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import login_required

from ..domain.notices.people_notice import SECTION_KEYS, missing_elements
from ..domain.problems import FieldProblem
from ..extensions import db_session
from ..models import Incident, Mailing
from ..runtime import runtime
from ..services import mailing_control, mailings, people_notices, readability
from ..services import proof as proof_service
from ..services.people_notices import PeopleNoticeError
from ..services.versioning import StaleEdit
from .conflicts import conflict
from .context import actor, user
from .edges import MAX_PAGE, whole_number
from .failures import NotSaved, keeps_typing
from .form_checks import read, show_refusal, validate_all
from .people_page import NoticeForm, band_label, render_page, sections_of
from .triage import officer_incident
from .triage_forms import seen

bp = Blueprint("people", __name__, url_prefix="/incidents/<int:incident_id>/people")


@bp.get("")
@login_required
def show(incident_id: int) -> ResponseReturnValue:
    return render_page(officer_incident(incident_id))


def _notice_as_sent(incident_id: int) -> str:
    form = NoticeForm()
    form.form_errors.append(_("Not saved. Save it again in a minute."))
    return render_page(officer_incident(incident_id), form)[0]


@bp.post("/notice")
@keeps_typing(_notice_as_sent, NotSaved.WORK)
@login_required
def save_notice(incident_id: int) -> ResponseReturnValue:
    incident = officer_incident(incident_id)
    form = NoticeForm()
    if request.form.get("action") == "redraft" and form.validate_on_submit():
        return _redrafted(incident, form)
    if not validate_all(form, lambda: _problems(incident, form)):
        return render_page(incident, form, 422)
    session, clock = db_session(), runtime().clock
    draft = people_notices.working_draft(session, incident, clock=clock, user=user())
    try:
        draft = people_notices.save_draft(
            session,
            draft,
            subject=form.subject.data or "",
            sections=sections_of(form),
            lang=form.lang.data or "nl",
            seen=seen(form.seen),
            user=user(),
            actor=actor(),
            clock=clock,
        )
        if request.form.get("action") == "approve":
            people_notices.approve(
                session, draft, seen=draft.edit_count, user=user(), actor=actor(), clock=clock
            )
            flash(
                _("Version %(v)d is approved: this exact text will be sent.", v=draft.version),
                "success",
            )
        else:
            flash(_("The draft is saved."), "success")
    except PeopleNoticeError as error:
        show_refusal(form, error.field, error.message, error.params)
        return render_page(incident, form, 422)
    except StaleEdit as error:
        return render_page(incident, form, 409, conflict=conflict(error, _("the notice")))
    return redirect(url_for("people.show", incident_id=incident.id) + "#notice")


def _problems(incident: Incident, form: NoticeForm) -> list[FieldProblem]:
    """The draft's problems and, when it is to be approved, the parts the law requires: all
    shown at once, before anything is saved."""
    sections = {key: read(form[key]) for key in SECTION_KEYS}
    problems = people_notices.draft_problems(
        subject=read(form.subject), sections=sections, lang=read(form.lang)
    )
    if request.form.get("action") == "approve":
        problems += people_notices.approval_problems(sections)
        problems += people_notices.outdated_problems(
            db_session(), incident, sections, read(form.lang)
        )
    return problems


def _redrafted(incident: Incident, posted: NoticeForm) -> ResponseReturnValue:
    """breachdesk's own draft in the language chosen, from what is known now, shown in the form
    and not saved: the FG reads it and saves it, or leaves the page and keeps their text. A
    save checks against the version the FG had loaded, as any save does."""
    session, clock = db_session(), runtime().clock
    draft = people_notices.working_draft(session, incident, clock=clock, user=user())
    lang = posted.lang.data if posted.lang.data in people_notices.LANGS else draft.lang
    fresh = people_notices.redraft(session, draft, lang=lang, clock=clock, user=user())
    form = NoticeForm(formdata=None)
    form.seen.data = posted.seen.data
    form.lang.data, form.subject.data = lang, str(fresh["subject"])
    sections = fresh["sections"]
    assert isinstance(sections, dict)  # noqa: S101 - redraft returns the sections as a dict
    for key in SECTION_KEYS:
        form[key].data = sections.get(key, "")
    flash(
        _(
            "This is breachdesk's draft in the language chosen. Nothing is saved yet: save it "
            "to replace your text, or leave the page to keep yours."
        ),
        "info",
    )
    return render_page(incident, form)


@bp.post("/readability")
@login_required
def check_readability(incident_id: int) -> ResponseReturnValue:
    officer_incident(incident_id)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        payload = {}  # no JSON, or JSON that is no object: nothing to check
    text = str(payload.get("text", ""))[: people_notices.MAX_SECTION * len(SECTION_KEYS)]
    lang = "en" if payload.get("lang") == "en" else "nl"
    result = readability.check(text, lang)
    sections = payload.get("sections")
    missing = (
        missing_elements(
            {
                key: str(sections.get(key) or "")[: people_notices.MAX_SECTION]
                for key in SECTION_KEYS
            }
        )
        if isinstance(sections, dict)
        else None
    )
    locale = str(get_locale())
    return jsonify(
        # The Art. 34(2) parts still empty, by the rule approving applies (None: not asked).
        missing=None
        if missing is None
        else [{"key": m.key, "label": m.label(locale)} for m in missing],
        score=None if result.score is None else round(result.score),
        band=band_label(result),
        long_sentences=[s.text[:200] for s in result.long_sentences][:10],
        jargon=[[j.term, j.plain] for j in result.jargon][:20],
        words=result.words,
        sentences=result.sentences,
    )


# -- the mailing ------------------------------------------------------------------------------


def _mailing(incident: Incident, mailing_id: int) -> Mailing:
    mailing = db_session().get(Mailing, mailing_id)
    if mailing is None or mailing.incident_id != incident.id:
        abort(404)
    return mailing


@bp.post("/mailings")
@login_required
def start_mailing(incident_id: int) -> ResponseReturnValue:
    from ..services import recipients as recipient_service

    incident = officer_incident(incident_id)
    session = db_session()
    approved = people_notices.latest_approved(session, incident)
    active = recipient_service.active_import(session, incident)
    try:
        if approved is None or active is None:
            raise mailings.MailingError("Approve the notice and import the list of people first.")
        mailings.start(
            session,
            incident,
            approved,
            active,
            user=user(),
            actor=actor(),
            clock=runtime().clock,
            # Unless the FG chose everyone again: a page opened before the last sending
            # finished must not send the same version to those it reached meanwhile.
            only_unreached=request.form.get("who") != "everyone",
        )
    except mailings.MailingError as error:
        flash(_(error.message, **error.params), "danger")
        return redirect(url_for("people.show", incident_id=incident.id) + "#send")
    flash(_("Sending has started; the scheduler sends at the organisation's rate."), "success")
    return redirect(url_for("people.show", incident_id=incident.id) + "#send")


@bp.post("/mailings/<int:mailing_id>/<any(pause, resume, cancel, retry):action>")
@login_required
def change_mailing(incident_id: int, mailing_id: int, action: str) -> ResponseReturnValue:
    incident = officer_incident(incident_id)
    mailing = _mailing(incident, mailing_id)
    change = {
        "pause": mailing_control.pause,
        "resume": mailing_control.resume,
        "cancel": mailing_control.cancel,
        "retry": mailing_control.retry_failed,
    }
    try:
        count = change[action](db_session(), mailing, actor=actor(), clock=runtime().clock)
    except mailings.MailingError as error:
        flash(_(error.message, **error.params), "danger")
    else:
        if action == "retry":
            flash(
                ngettext(
                    "%(num)d message is tried again.", "%(num)d messages are tried again.", count
                ),
                "success",
            )
    return redirect(url_for("people.show", incident_id=incident.id) + "#send")


@bp.get("/mailings/<int:mailing_id>/progress")
@login_required
def mailing_progress(incident_id: int, mailing_id: int) -> ResponseReturnValue:
    mailing = _mailing(officer_incident(incident_id), mailing_id)
    p = mailings.progress(db_session(), mailing)
    return jsonify(
        status=mailing.status,
        total=p.total,
        sent=p.sent,
        failed=p.failed,
        open=p.open,
        held=p.held,
        cancelled=p.cancelled,
        percent=p.percent,
        finish_at=p.finish_at.isoformat() if p.finish_at else None,
        retrying=p.retrying,
    )


@bp.get("/mailings/<int:mailing_id>/proof")
@login_required
def proof(incident_id: int, mailing_id: int) -> ResponseReturnValue:
    incident = officer_incident(incident_id)
    mailing = _mailing(incident, mailing_id)
    page = whole_number(request.args.get("page"), 1, MAX_PAGE)
    find = (request.args.get("find") or "").strip()[:100]
    rows, more = proof_service.proof_rows(db_session(), mailing, page=page, find=find)
    return render_template(
        "people/proof.html",
        incident=incident,
        mailing=mailing,
        rows=rows,
        page=page,
        more=more,
        find=find,
        progress=mailings.progress(db_session(), mailing),
    )

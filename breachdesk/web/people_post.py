"""Informing the people affected, on paper and in public: the letters (PDF in parts, the
posting recorded with a digest of what they say) and the public communication of
Art. 34(3)(c) GDPR (drafted text, where and when it was published)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import login_required

from ..domain.problems import FieldProblem
from ..extensions import db_session
from ..models import Incident, Mailing, PeopleNotice
from ..runtime import runtime
from ..services import letters, public_notice
from ..services.documents import DocumentError
from .context import actor, user
from .form_checks import read, read_utc, show_refusal, validate_all
from .people_page import PostedForm, PublicForm, render_page
from .triage import officer_incident

bp = Blueprint("people_post", __name__, url_prefix="/incidents/<int:incident_id>/people")


def _mailing(incident: Incident, mailing_id: int) -> Mailing:
    mailing = db_session().get(Mailing, mailing_id)
    if mailing is None or mailing.incident_id != incident.id:
        abort(404)
    return mailing


@bp.get("/mailings/<int:mailing_id>/letters-<int:part>.pdf")
@login_required
def letters_pdf(incident_id: int, mailing_id: int, part: int) -> ResponseReturnValue:
    incident = officer_incident(incident_id)
    mailing = _mailing(incident, mailing_id)
    try:
        pdf = letters.letters_pdf(
            db_session(),
            mailing,
            now=runtime().clock.now(),
            part=part,
            duplex=request.args.get("duplex") == "1",
        )
    except letters.LetterError as error:
        flash(_(error.message, **error.params), "danger")
        return redirect(url_for("people.show", incident_id=incident.id) + "#letters")
    except DocumentError:
        flash(_("The PDF could not be made on this server; nothing was changed."), "danger")
        return redirect(url_for("people.show", incident_id=incident.id) + "#letters")
    # Which version and which sending: every mailing's letters were "…-brieven-1.pdf", easy to
    # print the wrong version (found by exploratory testing).
    letters_word = pgettext("file name", "letters")
    version = db_session().get_one(PeopleNotice, mailing.notice_id).version
    duplex = "-duplex" if request.args.get("duplex") == "1" else ""
    name = f"{incident.reference}-{letters_word}-v{version}-{mailing.id}-{part}{duplex}.pdf"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store, private",
        },
    )


@bp.post("/mailings/<int:mailing_id>/letters-posted")
@login_required
def letters_posted(incident_id: int, mailing_id: int) -> ResponseReturnValue:

    incident = officer_incident(incident_id)
    mailing = _mailing(incident, mailing_id)
    form = PostedForm()
    if form.validate_on_submit() and (posted_at := read_utc(form.posted_at)) is not None:
        try:
            digest = letters.letters_digest(db_session(), mailing)
            count = letters.record_posted(
                db_session(),
                mailing,
                posted_at=posted_at,
                pdf_sha256=digest,
                actor=actor(),
                clock=runtime().clock,
            )
        except letters.LetterError as error:
            form.posted_at.errors = [*form.posted_at.errors, _(error.message, **error.params)]
        else:
            flash(ngettext_count(count), "success")
            return redirect(url_for("people.show", incident_id=incident.id) + "#letters")
    return render_page(incident, status=422, posted_form=form)


def ngettext_count(count: int) -> str:
    from flask_babel import ngettext

    return ngettext(
        "%(num)d letter recorded as posted.", "%(num)d letters recorded as posted.", count
    )


def _public_problems(incident: Incident, form: PublicForm) -> list[FieldProblem]:
    return public_notice.public_problems(
        db_session(),
        incident,
        text=read(form.text),
        channel=read(form.channel),
        url=read(form.url),
        published_at=read_utc(form.published_at),
        now=runtime().clock.now(),
    )


@bp.post("/public")
@login_required
def save_public(incident_id: int) -> ResponseReturnValue:

    incident = officer_incident(incident_id)
    form = PublicForm()
    if validate_all(form, lambda: _public_problems(incident, form)):
        published_at = read_utc(form.published_at)
        try:
            public_notice.save(
                db_session(),
                incident,
                text=form.text.data or "",
                channel=form.channel.data or "",
                url=form.url.data or "",
                published_at=published_at,
                user=user(),
                actor=actor(),
                clock=runtime().clock,
            )
        except public_notice.PublicNoticeError as error:
            show_refusal(form, error.field, error.message, error.params, default="text")
        else:
            flash(_("The public communication is saved."), "success")
            return redirect(url_for("people.show", incident_id=incident.id) + "#public")
    return render_page(incident, status=422, public_form=form)

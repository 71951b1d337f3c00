"""Reporting without an account, and the reporter's follow-up page.

``/melden/<token>`` is the organisation's reporting link (staff, or processors): the same form
and checks as the signed-in report form, plus an optional name and e-mail address. After
sending, the reporter lands on ``/volg/<token>``, their private follow-up page: the receipt
(reference, the FG's contact), the FG's questions, and a form to answer or add information
and files. The follow-up token opens that one report and nothing else.

The links are protected by their secret, a rate limit per address (counted in the database,
shared by every worker), a cap on reports per link per day (beyond it the link refuses, and
says whom to contact instead of filling the FG's inbox), a size cap on uploads, and a field
only bots fill in.
"""

from __future__ import annotations

import secrets

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from ..domain.timeutil import utc_to_local
from ..extensions import db_session
from ..models import Incident, ReportingLink
from ..runtime import runtime
from ..services import conversation, evidence, reporting_links
from ..services import incidents as incident_service
from ..services.organisations import profile_of
from . import held_uploads, throttling
from .context import selected_locale
from .failures import NotSaved, keeps_typing
from .form_checks import show_problems, validate_all
from .report_form import LinkReportForm
from .reporter_forms import ReplyForm
from .reports import already_sent, report_check, stage_uploads

bp = Blueprint("public", __name__)


@bp.after_request
def private(response: Response) -> Response:
    """The link pages carry a secret in their address and a report in their body: never kept
    by a cache, never indexed."""
    response.headers["Cache-Control"] = "no-store, private"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


def _link(token: str) -> ReportingLink:
    link = reporting_links.resolve_link(db_session(), _secret(), token)
    if link is None:
        abort(404)
    return link


def _followup(token: str) -> Incident:
    incident = reporting_links.resolve_followup(db_session(), _secret(), token)
    if incident is None:
        abort(404)
    return incident


def owner_key() -> str:
    """This browser's key for files uploaded before a report or answer is saved."""
    key = session.get("report_owner")
    if not isinstance(key, str) or len(key) < 20:
        key = secrets.token_urlsafe(24)
        session["report_owner"] = key
    return key


def _over_daily_cap(link: ReportingLink) -> bool:
    return reporting_links.over_daily_cap(
        db_session(),
        link,
        cap=int(current_app.config["LINK_REPORTS_PER_DAY"]),
        now=runtime().clock.now(),
    )


def _page(link: ReportingLink, form: LinkReportForm, pending: list, status: int = 200):  # type: ignore[type-arg]
    profile = profile_of(link.organisation)
    form.give_submission_key()
    return (
        render_template(
            "reports/new.html",
            form=form,
            organisation=link.organisation,
            pending=pending,
            public_link=link,
            draft_key=f"report:link:{link.id}",
            fg_contact=profile.privacy_contact,
        ),
        status,
    )


def _for_supplier(link: ReportingLink, form: LinkReportForm) -> LinkReportForm:
    """The form of a supplier's (processor's) link speaks to the supplier: it asks for their
    own name and when they became aware, and neither offers the organisation's list of
    suppliers (an outsider holds the link) nor asks when they told the organisation: that is
    the moment they send it. Before, it asked "was this reported to us by a supplier?" and
    had them pick themselves from every supplier (found by exploratory testing)."""
    if link.audience != reporting_links.Audience.PROCESSOR.value:
        return form
    form.reporting_processor_name.label.text = _("Name of your organisation")
    form.processor_aware_at.label.text = _("When did your organisation become aware of it?")
    form.reported_by_processor.data = True
    form.reporting_processor_key.data = ""
    form.processor_keys.data = []
    if request.method == "POST" and not form.processor_notified_at.data:
        now = utc_to_local(runtime().clock.now())
        form.processor_notified_at.data = now.replace(second=0, microsecond=0, tzinfo=None)
    return form


def _supplier_problems(link: ReportingLink, form: LinkReportForm) -> None:
    """A supplier's link shows no list of suppliers: "say which supplier" belongs at the
    field where they give their name."""
    if link.audience == reporting_links.Audience.PROCESSOR.value:
        form.reporting_processor_name.errors = [
            *form.reporting_processor_name.errors,
            *(
                _("Give the name of your organisation.")
                for _e in form.reporting_processor_key.errors
            ),
        ]
        form.reporting_processor_key.errors = []


def _as_sent(token: str) -> str:
    link = _link(token)
    form = LinkReportForm()
    form.set_choices(profile_of(link.organisation), selected_locale())
    _for_supplier(link, form)
    kept = [*request.form.getlist("pending"), *g.get("staged_uploads", [])]
    pending = evidence.pending_of(db_session(), owner_key(), kept)
    page, _status = _page(link, form, pending)
    return page


@bp.route("/melden/<token>", methods=["GET", "POST"])
@keeps_typing(_as_sent, NotSaved.REPORT)
@throttling.capped("LINK_REPORT_RATE_LIMIT")
def report(token: str) -> ResponseReturnValue:
    link = _link(token)
    organisation = link.organisation
    form = LinkReportForm()
    form.set_choices(profile_of(organisation), selected_locale())
    _for_supplier(link, form)
    pending: list = []  # type: ignore[type-arg]
    if request.method == "POST":
        if _over_daily_cap(link):
            form.form_errors.append(
                _(
                    "This reporting link has received too many reports today and accepts no "
                    "more. Contact the privacy officer directly."
                )
            )
            return _page(link, form, [], 429)
        valid = validate_all(form, report_check(form, organisation))
        _supplier_problems(link, form)
        if form.confirm_email.data:  # the field only bots fill in
            valid = False
            form.form_errors.append(_("The report could not be sent."))
        owner = owner_key()
        pending = stage_uploads(form, owner, hold=valid)
        report_data = form.to_report() if valid else None
        if report_data is not None and not form.evidence.errors:
            rt = runtime()
            try:
                incident = incident_service.submit_report(
                    db_session(),
                    reporter=incident_service.LinkReporter(
                        link=link,
                        owner_key=owner,
                        name=form.reporter_name.data or "",
                        email=form.reporter_email.data or "",
                    ),
                    organisation=organisation,
                    report=report_data,
                    pending=pending,
                    clock=rt.clock,
                    submission_key=form.submission_key(),
                )
            except incident_service.ReportRejected as rejected:
                show_problems(form, rejected.problems)
                _supplier_problems(link, form)
            except incident_service.AlreadyReported as already:
                db_session().rollback()
                flash(already_sent(already.incident), "info")
                token_out = reporting_links.followup_token(_secret(), already.incident)
                return redirect(url_for("public.followup", token=token_out))
            else:
                held_uploads.claimed()
                token_out = reporting_links.followup_token(_secret(), incident)
                session["just_reported"] = incident.id
                return redirect(url_for("public.followup", token=token_out))
        held_uploads.keep()
        return _page(link, form, pending, 422)
    return _page(link, form, pending)


def _followup_page(  # type: ignore[no-untyped-def]
    incident: Incident,
    form: ReplyForm,
    status: int = 200,
    pending: list | None = None,  # type: ignore[type-arg]
):
    profile = profile_of(incident.organisation)
    just = session.pop("just_reported", None) == incident.id
    return (
        render_template(
            "reports/followup.html",
            incident=incident,
            organisation=incident.organisation,
            messages=conversation.messages_of(db_session(), incident),
            files=[a for a in incident.attachments if a.uploaded_by_id is None],
            form=form,
            fg_contact=profile.privacy_contact,
            just_reported=just,
            followup_url=request.base_url,
            draft_key=f"followup:{incident.id}",
            pending=pending or [],
        ),
        status,
    )


def _followup_as_sent(token: str) -> str:
    incident = _followup(token)
    kept = [*request.form.getlist("pending"), *g.get("staged_uploads", [])]
    pending = evidence.pending_of(db_session(), owner_key(), kept)
    page, _status = _followup_page(incident, ReplyForm(), 200, pending)
    return page


@bp.route("/volg/<token>", methods=["GET", "POST"])
@keeps_typing(_followup_as_sent, NotSaved.WORK)
@throttling.capped("FOLLOWUP_RATE_LIMIT")
def followup(token: str) -> ResponseReturnValue:
    incident = _followup(token)
    form = ReplyForm()
    if request.method == "POST":
        valid = form.validate()
        pending = stage_uploads(form, owner_key())
        if valid and not form.evidence.errors:
            try:
                conversation.reply(
                    db_session(),
                    incident,
                    form.body.data or "",
                    pending=pending,
                    user=None,
                    clock=runtime().clock,
                )
            except conversation.MessageRefused as refused:
                getattr(form, refused.field).errors.append(_(refused.message))
            else:
                flash(_("Thank you. The privacy officer has been told."), "success")
                return redirect(url_for("public.followup", token=token))
        return _followup_page(incident, form, 422, pending)
    return _followup_page(incident, form)

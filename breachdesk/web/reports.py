"""Staff reporting: choose the organisation, fill in the report, see your own reports."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from flask_wtf import FlaskForm

from ..domain.problems import FieldProblem
from ..domain.roles import Role
from ..extensions import db_session
from ..models import Incident, Organisation, PendingUpload, User
from ..runtime import runtime
from ..services import evidence, incident_access
from ..services import incidents as incident_service
from ..services.organisations import profile_of
from . import held_uploads
from .context import my_organisations, organisation_for, selected_locale, user
from .failures import NotSaved, keeps_typing
from .form_checks import Check, show_problems, validate_all
from .report_form import ReportForm

bp = Blueprint("reports", __name__)
ANY_ROLE = (Role.REPORTER, Role.FG, Role.ADMIN)


@bp.get("/report")
@login_required
def choose() -> ResponseReturnValue:
    orgs = my_organisations()
    if len(orgs) == 1:
        return redirect(url_for("reports.new", slug=orgs[0].organisation.slug))
    return render_template("reports/choose.html", orgs=orgs)


def stage_uploads(form: FlaskForm, owner: User | str, *, hold: bool = False) -> list[PendingUpload]:
    """Keep earlier uploads and store new ones; a refused file is an error on the field.

    ``owner`` is the signed-in user, or the owner key of someone on a reporting link.

    ``hold``: new files wait uncommitted for the report's own transaction (see
    :mod:`.held_uploads`); the view then either saves the report or calls
    ``held_uploads.keep()`` before it shows the form again. Otherwise each is committed at once.
    """
    rt = runtime()
    kept = evidence.pending_of(db_session(), owner, request.form.getlist("pending"))
    limit = int(current_app.config["MAX_ATTACHMENTS"])
    max_bytes = int(current_app.config["MAX_ATTACHMENT_BYTES"])
    g.staged_uploads = []  # committed ones, listed again if the report itself fails
    for upload in request.files.getlist(form.evidence.name):
        if not upload or not upload.filename:
            continue
        if len(kept) >= limit:
            form.evidence.errors.append(_("At most %(n)d files per report.", n=limit))
            break
        try:
            staged = evidence.stage(
                db_session(),
                user=owner,
                filename=upload.filename,
                stream=upload.stream,
                store=rt.store,
                clock=rt.clock,
                max_bytes=max_bytes,
                commit=not hold,
            )
        except evidence.UploadRejected as exc:
            form.evidence.errors.append(_(exc.problem.message, **exc.problem.params))
        else:
            kept.append(staged)
            if hold:
                held_uploads.hold([staged])
            else:
                g.staged_uploads.append(staged.id)
    return kept


def _submit(
    form: ReportForm, organisation: Organisation, pending: list[PendingUpload]
) -> Incident | None:
    """Store the report; None (with errors at the fields) when it has problems. The same
    form sent again gives the report it made the first time, with a word about it."""
    report = form.to_report()
    if report is None or form.evidence.errors:
        return None
    rt = runtime()
    try:
        incident = incident_service.submit_report(
            db_session(),
            reporter=user(),
            organisation=organisation,
            report=report,
            pending=pending,
            clock=rt.clock,
            submission_key=form.submission_key(),
        )
    except incident_service.ReportRejected as rejected:
        show_problems(form, rejected.problems)
        return None
    except incident_service.AlreadyReported as already:
        db_session().rollback()
        flash(already_sent(already.incident), "info")
        return already.incident
    held_uploads.claimed()
    return incident


def already_sent(incident: Incident) -> str:
    return _(
        "You had sent this report already (%(reference)s): it was not sent a second time. "
        "To add something, use the report's page.",
        reference=incident.reference,
    )


def report_check(form: ReportForm, organisation: Organisation) -> Check:
    """The domain's check of the report as far as the form could read it (for
    :func:`~.form_checks.validate_all`)."""

    def check() -> list[FieldProblem]:
        report, unread = form.read_report()
        now = runtime().clock.now()
        return incident_service.report_problems(organisation, report, now, unread=unread)

    return check


def _as_sent(slug: str) -> str:
    """The report form as sent, nothing saved (the database or the file store failed)."""
    organisation = organisation_for(slug, *ANY_ROLE)
    profile = profile_of(organisation)
    form = ReportForm()
    form.set_choices(profile, selected_locale())
    kept = [*request.form.getlist("pending"), *g.get("staged_uploads", [])]
    return render_template(
        "reports/new.html",
        form=form,
        organisation=organisation,
        pending=evidence.pending_of(db_session(), user(), kept),
        fg_contact=profile.privacy_contact,
    )


@bp.route("/report/<slug>", methods=["GET", "POST"])
@keeps_typing(_as_sent, NotSaved.REPORT)
@login_required
def new(slug: str) -> ResponseReturnValue:
    organisation = organisation_for(slug, *ANY_ROLE)
    form = ReportForm()
    form.set_choices(profile_of(organisation), selected_locale())
    pending: list[PendingUpload] = []
    if request.method == "POST":
        # Validating resets every field's errors, so uploads are checked after.
        valid = validate_all(form, report_check(form, organisation))
        pending = stage_uploads(form, user(), hold=valid)
        incident = _submit(form, organisation, pending) if valid else None
        if incident is not None:
            return redirect(url_for("reports.submitted", incident_id=incident.id))
        held_uploads.keep()
    form.give_submission_key()
    return render_template(
        "reports/new.html", form=form, organisation=organisation, pending=pending
    )


@bp.get("/report/submitted/<int:incident_id>")
@login_required
def submitted(incident_id: int) -> ResponseReturnValue:
    incident = incident_access.visible_incident(db_session(), user(), incident_id)
    if incident is None:
        abort(404)
    return render_template("reports/submitted.html", incident=incident)


@bp.get("/reports")
@login_required
def mine() -> ResponseReturnValue:
    return render_template(
        "reports/mine.html", incidents=incident_access.reports_by(db_session(), user())
    )

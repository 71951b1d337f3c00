"""Administration: organisation profiles, the outbox and the audit trail."""

from __future__ import annotations

from datetime import datetime
from email.message import Message
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from ..domain.roles import Role
from ..extensions import db_session
from ..mail import read_outbox_file, safe_folder_name
from ..models import Organisation
from ..runtime import runtime
from ..services import audit
from ..services import organisations as org_service
from ..services.audit_verify import verify_trail
from ..services.versioning import StaleEdit
from .audit_words import mismatch_text, problem_text
from .conflicts import Conflict, conflict
from .context import (
    actor,
    has_any_role,
    organisation_for,
    organisations_where,
    require_any_role,
)
from .failures import NotSaved, keeps_typing
from .organisation_new import bp as new_organisation_bp
from .profile_form import ProfileForm
from .triage_forms import seen

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.register_blueprint(new_organisation_bp)


@bp.get("/organisations")
@login_required
@require_any_role(Role.ADMIN, Role.FG)
def organisations() -> ResponseReturnValue:
    """Administrators see the organisations they administer; an FG reads the profiles of the
    organisations they serve (editing stays with the administrators)."""
    orgs = organisations_where(Role.ADMIN, Role.FG)
    return render_template(
        "admin/organisations.html",
        orgs=[(o, org_service.profile_of(o)) for o in orgs],
        administered={o.id for o in organisations_where(Role.ADMIN)},
        may_create=has_any_role(org_service.CREATOR_ROLE),
    )


@bp.get("/organisations/<slug>")
@login_required
def organisation(slug: str) -> ResponseReturnValue:
    org = organisation_for(slug, Role.ADMIN, Role.FG)
    return render_template("admin/organisation.html", org=org, profile=org_service.profile_of(org))


def _profile_as_sent(slug: str) -> str:
    """For :func:`keeps_typing`: the profile form as sent, nothing saved."""
    org = organisation_for(slug, Role.ADMIN)
    form = ProfileForm()
    form.set_category_choices(org_service.profile_of(org))
    form.form_errors.append(_("Not saved. Send it again in a minute."))
    return render_template("admin/organisation_edit.html", org=org, form=form, unplaced=[])


@bp.route("/organisations/<slug>/edit", methods=["GET", "POST"])
@keeps_typing(_profile_as_sent, NotSaved.WORK)
@login_required
def edit_organisation(slug: str) -> ResponseReturnValue:
    org = organisation_for(slug, Role.ADMIN)
    profile = org_service.profile_of(org)
    form = ProfileForm()
    form.set_category_choices(profile)
    unplaced: list[str] = []
    found = None
    if form.validate_on_submit():
        data = form.to_data(org.slug, profile.source_document)
        try:
            new_profile = org_service.parse_profile(data, org.slug)
            changed = org_service.save_profile(
                db_session(),
                org,
                new_profile,
                actor=actor(),
                clock=runtime().clock,
                seen_version=seen(form.version),
            )
        except org_service.ProfileError as error:
            unplaced = form.place_problems(error.problems)
        except StaleEdit as error:
            found = _profile_conflict(org, form, error)
        else:
            flash(
                _("The profile has been saved.") if changed else _("Nothing was changed."),
                "success",
            )
            return redirect(url_for("admin.organisation", slug=org.slug))
    elif form.is_submitted():
        # The profile's own checks in the same round as the form's, not one round later.
        try:
            org_service.parse_profile(form.to_data(org.slug, profile.source_document), org.slug)
        except org_service.ProfileError as error:
            unplaced = form.place_problems(error.problems)
    else:
        form.fill(profile)
        form.set_category_choices(profile)
        form.version.data = str(org.profile_version)
    page = render_template(
        "admin/organisation_edit.html", org=org, form=form, unplaced=unplaced, conflict=found
    )
    return page, 409 if found else 422 if form.is_submitted() else 200


def _profile_conflict(org: Organisation, form: ProfileForm, error: StaleEdit) -> Conflict:
    db_session().rollback()
    stored = org_service.profile_of(org)
    theirs = ProfileForm(formdata=None)
    theirs.fill(stored)
    theirs.set_category_choices(stored)
    form.version.data = str(error.current)
    return conflict(error, _("the organisation profile"), form, theirs)


@bp.get("/organisations/<slug>/export")
@login_required
def export_organisation(slug: str) -> ResponseReturnValue:
    org = organisation_for(slug, Role.ADMIN)
    text = org_service.dump_profile(org_service.profile_of(org))
    return Response(
        text,
        mimetype="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{org.slug}.yaml"'},
    )


@bp.get("/organisations/<slug>/audit")
@login_required
def audit_trail(slug: str) -> ResponseReturnValue:
    org = organisation_for(slug, Role.ADMIN, Role.FG)
    chain = audit.chain_name(org.id)
    trail = verify_trail(db_session(), chains=[chain])
    report = trail.chains[0]
    events = audit.trail_rows(db_session(), chain, limit=500)
    findings = [problem_text(p) for p in report.problems]
    changed = [mismatch_text(m) for m in report.register]
    return render_template(
        "admin/audit.html",
        org=org,
        report=report,
        trail=trail,
        findings=findings,
        changed=changed,
        events=events,
    )


def _outbox_folders() -> dict[str, str]:
    """Outbox folder name -> organisation name, for the organisations the user administers."""
    return {safe_folder_name(o.slug): o.name for o in organisations_where(Role.ADMIN)}


@bp.get("/outbox")
@login_required
@require_any_role(Role.ADMIN)
def outbox() -> ResponseReturnValue:
    root = Path(current_app.config["OUTBOX_DIR"])
    messages = []
    for folder, org_name in _outbox_folders().items():
        for path in (root / folder).glob("*.eml"):
            messages.append((folder, org_name, path.name, _headers(path)))
    messages.sort(key=lambda item: item[2], reverse=True)
    backend = current_app.config["MAIL_BACKEND"]
    return render_template("admin/outbox.html", messages=messages, backend=backend)


@bp.get("/outbox/<folder>/<name>")
@login_required
@require_any_role(Role.ADMIN)
def outbox_message(folder: str, name: str) -> ResponseReturnValue:
    if folder not in _outbox_folders() or not name.endswith(".eml") or "/" in name:
        abort(404)
    path = Path(current_app.config["OUTBOX_DIR"]) / folder / name
    if not path.is_file():
        abort(404)
    import email
    from email import policy

    raw = read_outbox_file(path, runtime().vault)
    message = email.message_from_bytes(raw, policy=policy.default)
    body = message.get_body(preferencelist=("plain",))
    text = body.get_content() if body is not None else ""
    return render_template(
        "admin/outbox_message.html",
        message=message,
        text=text,
        name=name,
        sent_at=_sent_at(message),
    )


def _headers(path: Path) -> dict[str, Any]:
    import email
    from email import policy

    raw = read_outbox_file(path, runtime().vault)
    message = email.message_from_bytes(raw, policy=policy.default)
    headers: dict[str, Any] = {key: str(message.get(key, "")) for key in ("To", "Subject")}
    headers["Date"] = _sent_at(message)
    return headers


def _sent_at(message: Message) -> datetime | None:
    """The message's Date header as an aware datetime (shown in Amsterdam time), if readable."""
    try:
        sent = parsedate_to_datetime(str(message.get("Date", "")))
    except (TypeError, ValueError):
        return None
    return sent if sent.tzinfo is not None else None

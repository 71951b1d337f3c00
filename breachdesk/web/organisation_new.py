"""A new organisation, from the profile form or from an uploaded profile file.

Both ways end in :func:`breachdesk.services.organisations.create_organisation` after the same
checks as ``breachdesk org import`` (:func:`~breachdesk.services.organisations.parse_profile`),
so the browser and the command line accept exactly the same profiles. Who may do this:
:data:`breachdesk.services.organisations.CREATOR_ROLE` (an administrator of any organisation);
the creator becomes the new organisation's administrator. Registered inside the ``admin``
blueprint (endpoints ``admin.new_organisation.*``).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from ..domain.profile import OrganisationProfile
from ..extensions import db_session
from ..runtime import runtime
from ..services import organisations as org_service
from .context import actor, require_any_role, user
from .failures import NotSaved, keeps_typing
from .organisation_forms import MAX_PROFILE_BYTES, NewOrganisationForm, ProfileUploadForm

bp = Blueprint("new_organisation", __name__, url_prefix="/new-organisation")

#: No kinds of data yet: a new processor cannot point at one until the profile is saved.
_NO_CATEGORIES = OrganisationProfile(slug="new", legal_name="")


def _page(
    form: NewOrganisationForm,
    upload: ProfileUploadForm,
    *,
    unplaced: list[str] | None = None,
    file_problems: list[tuple[str, str]] | None = None,
) -> str:
    return render_template(
        "admin/organisation_new.html",
        form=form,
        upload=upload,
        unplaced=unplaced or [],
        file_problems=file_problems or [],
    )


def _blank_form(formdata: bool = True) -> NewOrganisationForm:
    form = NewOrganisationForm() if formdata else NewOrganisationForm(formdata=None)
    form.set_category_choices(_NO_CATEGORIES)
    return form


def _form_as_sent() -> str:
    """For :func:`keeps_typing`: the page as sent, nothing saved."""
    form = _blank_form()
    form.form_errors.append(_("Not saved. Send it again in a minute."))
    return _page(form, ProfileUploadForm(formdata=None))


@bp.get("")
@login_required
@require_any_role(org_service.CREATOR_ROLE)
def form() -> ResponseReturnValue:
    new = _blank_form(formdata=False)
    new.add_blank_rows()
    return _page(new, ProfileUploadForm(formdata=None))


@bp.post("")
@keeps_typing(_form_as_sent, NotSaved.WORK)
@login_required
@require_any_role(org_service.CREATOR_ROLE)
def create() -> ResponseReturnValue:
    new = _blank_form()
    valid = new.validate_on_submit()
    # The profile's own checks run even when the form's fail (a slug that is no slug), so
    # that every problem shows in one round; fields the form already faulted keep its words.
    data = new.to_data(new.slug.data or "", None)
    try:
        profile = org_service.parse_profile(data, data["slug"])
        if not valid:
            raise org_service.ProfileError(data["slug"], [])
        org = org_service.create_organisation(
            db_session(), profile, actor=actor(), clock=runtime().clock, admin=user()
        )
    except org_service.ProfileError as error:
        db_session().rollback()
        # A profile that fails its checks is not looked up yet: show the taken slug or
        # prefix together with the other problems, not one round later.
        known = {path for path, _reason in error.problems}
        taken = org_service.taken_problems(db_session(), data["slug"], data["reference_prefix"])
        problems = error.problems + [p for p in taken if p[0] not in known]
        unplaced = new.place_problems(problems)
        return _page(new, ProfileUploadForm(formdata=None), unplaced=unplaced), 422
    flash(_("The organisation %(name)s has been created.", name=org.name), "success")
    return redirect(url_for("admin.organisation", slug=org.slug))


def _upload_as_sent() -> str:
    upload = ProfileUploadForm()
    upload.form_errors.append(_("Not saved. Send it again in a minute."))
    new = _blank_form(formdata=False)
    new.add_blank_rows()
    return _page(new, upload)


@bp.post("/upload")
@keeps_typing(_upload_as_sent, NotSaved.WORK)
@login_required
@require_any_role(org_service.CREATOR_ROLE)
def upload() -> ResponseReturnValue:
    sent = ProfileUploadForm()
    problems: list[tuple[str, str]] = []
    if sent.validate_on_submit():
        file = sent.profile_file.data
        name = file.filename or "upload.yaml"
        try:
            profile = org_service.load_profile_text(file.read(MAX_PROFILE_BYTES + 1), name)
            org = org_service.create_organisation(
                db_session(), profile, actor=actor(), clock=runtime().clock, admin=user()
            )
        except org_service.ProfileError as error:
            db_session().rollback()
            problems = error.problems
        else:
            flash(_("The organisation %(name)s has been created.", name=org.name), "success")
            return redirect(url_for("admin.organisation", slug=org.slug))
    new = _blank_form(formdata=False)
    new.add_blank_rows()
    return _page(new, sent, file_problems=problems), 422

"""Administrators manage the people of their organisation and their roles."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from wtforms import EmailField, HiddenField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from ..domain.roles import ROLE_LABELS, Role
from ..extensions import db, db_session
from ..models import Organisation, User
from ..runtime import runtime
from ..services import invitations, memberships, password_reset, second_factor
from ..services import users as user_service
from ..services.versioning import StaleEdit
from .conflicts import Conflict, conflict
from .context import actor, organisation_for, user
from .fields import PageForm
from .report_form import MultiCheckboxField, options
from .triage_forms import seen

bp = Blueprint("users", __name__, url_prefix="/admin/organisations/<slug>/users")


def _role_pairs() -> list[tuple[str, str]]:
    return [(role.value, _(ROLE_LABELS[role])) for role in Role]


class NewUserForm(PageForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(
        _l("Name"),
        validators=[Optional(), Length(max=200)],
        description=_l("Proposed for a new account; someone who has one keeps their own."),
    )
    roles = MultiCheckboxField(
        _l("Roles"), validators=[DataRequired(_l("Choose at least one role."))]
    )


class RolesForm(PageForm):
    roles = MultiCheckboxField(_l("Roles"))
    version = HiddenField()  # the account version the page showed (optimistic locking)


@bp.route("/", methods=["GET", "POST"])
@login_required
def index(slug: str) -> ResponseReturnValue:
    org = organisation_for(slug, Role.ADMIN)
    form = NewUserForm()
    form.roles.choices = options(_role_pairs())  # type: ignore[arg-type]
    if form.validate_on_submit():
        roles = [Role(value) for value in form.roles.data or []]
        address = form.email.data or ""
        try:
            granted = invitations.invite(
                db_session(),
                org,
                address,
                roles,
                name=form.name.data or "",
                actor=actor(),
                clock=runtime().clock,
            )
        except user_service.UserError as error:
            getattr(form, error.field or "email").errors.append(_(error.message))
        else:
            # The same answer whether or not the address has an account elsewhere.
            flash(
                _("The roles were added.")
                if granted
                else _(
                    "An invitation was sent to %(email)s. They join once they accept it.",
                    email=address,
                ),
                "success",
            )
            return redirect(url_for("users.index", slug=org.slug))
    return _page(org, form)


@bp.post("/invitations/<int:invitation_id>/withdraw")
@login_required
def withdraw(slug: str, invitation_id: int) -> ResponseReturnValue:
    org = organisation_for(slug, Role.ADMIN)
    if PageForm().validate_on_submit() and invitations.withdraw(
        db_session(), org, invitation_id, actor=actor(), clock=runtime().clock
    ):
        flash(_("The invitation was withdrawn."), "success")
    return redirect(url_for("users.index", slug=org.slug))


def _page(org: Organisation, form: NewUserForm, conflict: Conflict | None = None) -> str:
    form.roles.choices = options(_role_pairs())  # type: ignore[arg-type]
    people = memberships.members(db_session(), org)
    return render_template(
        "admin/users.html",
        org=org,
        form=form,
        invited=invitations.open_invitations(db_session(), org),
        now=runtime().clock.now(),
        people=people,
        # The reset button only where it works: not on one's own row, nor for someone who
        # also belongs to an organisation this administrator does not administer.
        resettable=second_factor.resettable(
            db_session(), user(), [person for person, _roles in people]
        ),
        role_choices=_role_pairs(),
        conflict=conflict,
    )


@bp.post("/<int:user_id>/roles")
@login_required
def roles(slug: str, user_id: int) -> ResponseReturnValue:
    org = organisation_for(slug, Role.ADMIN)
    person = db.session.get(User, user_id)
    current = dict(memberships.members(db_session(), org))
    if person is None or person not in current:
        abort(404)
    form = RolesForm()
    form.roles.choices = options(_role_pairs())  # type: ignore[arg-type]
    if form.validate_on_submit():
        wanted = {Role(value) for value in form.roles.data or []}
        try:
            user_service.set_roles(
                db_session(),
                person,
                org,
                wanted,
                actor=actor(),
                clock=runtime().clock,
                seen_version=seen(form.version),
            )
            flash(_("Roles of %(name)s updated.", name=person.name), "success")
        except user_service.UserError as error:
            flash(_(error.message), "danger")
        except StaleEdit as error:
            return _roles_conflict(org, person, form, error)
    return redirect(url_for("users.index", slug=org.slug))


@bp.post("/<int:user_id>/password-reset")
@login_required
def send_reset(slug: str, user_id: int) -> ResponseReturnValue:
    """Mail a person of this organisation a link to choose a new password (audited)."""
    org = organisation_for(slug, Role.ADMIN)
    person = db.session.get(User, user_id)
    if person is None or person not in dict(memberships.members(db_session(), org)):
        abort(404)
    if PageForm().validate_on_submit():
        password_reset.mail_link(
            db_session(), person, by="admin", actor=actor(), clock=runtime().clock
        )
        flash(_("A link to choose a new password is on its way to %(email)s.", email=person.email))
    return redirect(url_for("users.index", slug=org.slug))


def _roles_conflict(
    org: Organisation, person: User, form: RolesForm, error: StaleEdit
) -> ResponseReturnValue:
    db_session().rollback()
    theirs = RolesForm(formdata=None)
    theirs.roles.choices = form.roles.choices
    theirs.roles.data = [r.value for r in dict(memberships.members(db_session(), org))[person]]
    found = conflict(error, _("the roles of %(name)s", name=person.name), form, theirs)
    return _page(org, NewUserForm(formdata=None), conflict=found), 409

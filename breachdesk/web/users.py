"""Administrators manage the people of their organisation and their roles."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from ..domain.roles import ROLE_LABELS, Role
from ..extensions import db, db_session
from ..models import User
from ..runtime import runtime
from ..services import users as user_service
from .context import actor, organisation_for
from .report_form import MultiCheckboxField, options

bp = Blueprint("users", __name__, url_prefix="/admin/organisations/<slug>/users")


def _role_pairs() -> list[tuple[str, str]]:
    return [(role.value, _(ROLE_LABELS[role])) for role in Role]


class NewUserForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    roles = MultiCheckboxField(
        _l("Roles"), validators=[DataRequired(_l("Choose at least one role."))]
    )
    password = PasswordField(
        _l("Initial password"),
        validators=[Optional(), Length(min=user_service.MIN_PASSWORD_LENGTH)],
        description=_l("Leave empty to generate one; it is shown once."),
    )


class RolesForm(FlaskForm):
    roles = MultiCheckboxField(_l("Roles"))


@bp.route("/", methods=["GET", "POST"])
@login_required
def index(slug: str) -> ResponseReturnValue:
    org = organisation_for(slug, Role.ADMIN)
    form = NewUserForm()
    form.roles.choices = options(_role_pairs())  # type: ignore[arg-type]
    if form.validate_on_submit():
        rt = runtime()
        roles = [Role(value) for value in form.roles.data or []]
        existing = user_service.find_by_email(db_session(), form.email.data or "")
        try:
            if existing is not None:
                for role in roles:
                    user_service.grant_role(
                        db_session(), existing, org, role, actor=actor(), clock=rt.clock
                    )
                flash(
                    _("%(name)s already had an account; the roles were added.", name=existing.name),
                    "success",
                )
            else:
                password = form.password.data or user_service.generate_password()
                user_service.create_user(
                    db_session(),
                    email=form.email.data or "",
                    name=form.name.data or "",
                    password=password,
                    roles=[(org, r) for r in roles],
                    actor=actor(),
                    clock=rt.clock,
                    hasher=rt.hasher,
                )
                flash(
                    _("Account created. Initial password (shown once): %(pw)s", pw=password),
                    "warning",
                )
            return redirect(url_for("users.index", slug=org.slug))
        except user_service.UserError as error:
            getattr(form, error.field or "email").errors.append(_(error.message))
    people = user_service.members(db_session(), org)
    return render_template(
        "admin/users.html", org=org, form=form, people=people, role_choices=_role_pairs()
    )


@bp.post("/<int:user_id>/roles")
@login_required
def roles(slug: str, user_id: int) -> ResponseReturnValue:
    org = organisation_for(slug, Role.ADMIN)
    person = db.session.get(User, user_id)
    current = dict(user_service.members(db_session(), org))
    if person is None or person not in current:
        abort(404)
    form = RolesForm()
    form.roles.choices = options(_role_pairs())  # type: ignore[arg-type]
    if form.validate_on_submit():
        wanted = {Role(value) for value in form.roles.data or []}
        rt = runtime()
        try:
            for role in wanted - current[person]:
                user_service.grant_role(
                    db_session(), person, org, role, actor=actor(), clock=rt.clock
                )
            for role in current[person] - wanted:
                user_service.revoke_role(
                    db_session(), person, org, role, actor=actor(), clock=rt.clock
                )
            flash(_("Roles of %(name)s updated.", name=person.name), "success")
        except user_service.UserError as error:
            db.session.rollback()
            flash(_(error.message), "danger")
    return redirect(url_for("users.index", slug=org.slug))

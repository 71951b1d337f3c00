"""Accepting an invitation to an organisation: signed in, or by making an account."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from ..extensions import db_session
from ..runtime import runtime
from ..services import invitations
from ..services import users as user_service
from . import throttling
from .auth import NEW_PASSWORD_LENGTH
from .context import user
from .fields import PageForm

bp = Blueprint("invitations", __name__)


class NewAccountForm(PageForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), NEW_PASSWORD_LENGTH],
        description=_l("At least 12 characters."),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


@bp.route("/uitnodiging/<token>", methods=["GET", "POST"])
@throttling.capped("PASSWORD_RESET_RATE_LIMIT")
def accept(token: str) -> ResponseReturnValue:
    rt = runtime()
    secret = str(current_app.config["SECRET_KEY"])
    session = db_session()
    try:
        invitation = invitations.usable(session, token, secret_key=secret, clock=rt.clock)
    except invitations.InvitationRefused as refused:
        return render_template("auth/invitation.html", refused=_(refused.message)), 410
    has_account = user_service.find_by_email(session, invitation.email) is not None
    form = NewAccountForm()
    if not form.is_submitted() and not has_account:
        form.name.data = invitation.name
    if request.method == "POST":
        try:
            if current_user.is_authenticated:
                invitations.accept(session, token, user(), secret_key=secret, clock=rt.clock)
                flash(_("Welcome to %(org)s.", org=invitation.organisation.name), "success")
                return redirect(url_for("auth.home"))
            if not has_account and form.validate():
                invitations.accept_with_new_account(
                    session,
                    token,
                    name=form.name.data or "",
                    password=form.password.data or "",
                    secret_key=secret,
                    clock=rt.clock,
                    hasher=rt.hasher,
                )
                flash(_("Your account is ready. Sign in."), "success")
                return redirect(url_for("auth.login"))
        except invitations.InvitationRefused as refused:
            session.rollback()
            return render_template(
                "auth/invitation.html", invitation=invitation, refused=_(refused.message)
            ), 409
        except user_service.UserError as error:
            session.rollback()
            getattr(form, error.field or "password", form.password).errors.append(_(error.message))
        status = 422
    else:
        status = 200
    return render_template(
        "auth/invitation.html",
        invitation=invitation,
        has_account=has_account,
        form=form,
        refused=None,
        token=token,
    ), status

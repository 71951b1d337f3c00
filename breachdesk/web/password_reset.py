"""Getting back into an account: "forgot your password" and the reset link's page."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ..extensions import db_session
from ..runtime import runtime
from ..services import password_reset
from ..services import users as user_service
from . import throttling
from .auth import NEW_PASSWORD_LENGTH
from .fields import PageForm

bp = Blueprint("password_reset", __name__)


class ForgotForm(PageForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(), Email(_l("Give a valid e-mail address.")), Length(max=254)],
    )


class NewPasswordForm(PageForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), NEW_PASSWORD_LENGTH],
        description=_l("At least 12 characters."),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
@throttling.capped("PASSWORD_RESET_RATE_LIMIT")
def forgot() -> ResponseReturnValue:
    form = ForgotForm()
    if form.validate_on_submit():
        password_reset.request_by_email(db_session(), form.email.data or "", clock=runtime().clock)
        # The same answer whether or not the address has an account.
        flash(
            _(
                "If an account exists for this address, a link to choose a new password is on "
                "its way. It works once, for 30 minutes."
            ),
            "success",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/wachtwoord/<token>", methods=["GET", "POST"])
@throttling.capped("PASSWORD_RESET_RATE_LIMIT")
def reset(token: str) -> ResponseReturnValue:
    rt = runtime()
    secret = str(current_app.config["SECRET_KEY"])
    try:
        password_reset.usable(db_session(), token, secret_key=secret, clock=rt.clock)
    except password_reset.ResetRefused as refused:
        return render_template("auth/reset.html", form=None, refused=_(refused.message)), 410
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            password_reset.complete(
                db_session(),
                token,
                form.password.data or "",
                secret_key=secret,
                clock=rt.clock,
                hasher=rt.hasher,
            )
        except user_service.UserError as error:
            db_session().rollback()
            form.password.errors.append(_(error.message))
        else:
            session.clear()
            flash(_("Your new password is set. Sign in with it."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form, refused=None)

"""Signing in and out, the language switch, and a person's own account."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from ..domain.roles import Role
from ..extensions import db_session
from ..runtime import runtime
from ..services import second_factor, sessions
from ..services import users as user_service
from . import signin, throttling
from .context import actor, has_any_role, user
from .edges import safe_next
from .fields import PageForm

bp = Blueprint("auth", __name__)


class LoginForm(PageForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


#: A new password's length, refused in the words of the hint under the field (WTForms' own
#: message said "Veld moet minstens 12 karakters lang zijn."); every new-password field uses it.
NEW_PASSWORD_LENGTH = Length(
    min=user_service.MIN_PASSWORD_LENGTH,
    message=_l("The password is too short: use at least 12 characters."),
)


class PasswordForm(PageForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), NEW_PASSWORD_LENGTH],
        description=_l("At least 12 characters."),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


@bp.get("/")
@login_required
def home() -> ResponseReturnValue:
    if has_any_role(Role.FG, Role.ADMIN):
        return redirect(url_for("incidents.index"))
    return redirect(url_for("reports.mine"))


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("auth.home"))
    form = LoginForm()
    if form.validate_on_submit():
        rt = runtime()
        # Failed sign-ins slow down this account (whatever the address) and this address.
        guess = throttling.attempt(
            "LOGIN_ACCOUNT_DELAYS", user_service.normalise_email(form.email.data or "")[:254]
        )
        throttling.guard(guess)
        person = user_service.authenticate(
            db_session(),
            form.email.data or "",
            form.password.data or "",
            hasher=rt.hasher,
            clock=rt.clock,
        )
        if person is not None:
            throttling.succeeded(guess)
            destination = safe_next(url_for("auth.home"))
            if person.has_second_factor:
                signin.await_code(person, destination)
                db_session().commit()  # the account's forgiven failures (nothing else)
                return redirect(url_for("second_factor.challenge"))
            signin.finish(person)
            return redirect(destination)
        throttling.failed(guess)
        form.password.errors.append(_("Unknown e-mail address or wrong password."))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    lang = session.get("lang")
    sessions.end(db_session(), session.get("sid"), clock=runtime().clock)
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    return redirect(url_for("auth.login"))


@bp.get("/language/<code>")
def language(code: str) -> ResponseReturnValue:
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(safe_next(url_for("auth.home")))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account() -> ResponseReturnValue:
    form = PasswordForm()
    if form.validate_on_submit():
        rt = runtime()
        me = user()
        guess = throttling.attempt("PASSWORD_CHECK_DELAYS", f"user:{me.id}")
        throttling.guard(guess)  # the current-password check is a guess too
        if (
            user_service.authenticate(
                db_session(), me.email, form.current.data or "", hasher=rt.hasher, clock=rt.clock
            )
            is None
        ):
            throttling.failed(guess)
            form.current.errors.append(_("This is not your current password."))
        else:
            throttling.succeeded(guess)
            user_service.set_password(
                db_session(),
                me,
                form.password.data or "",
                actor=actor(),
                clock=rt.clock,
                hasher=rt.hasher,
                keep_session=session.get("sid"),
            )
            flash(
                _("Your password has been changed. You were signed out everywhere else."),
                "success",
            )
            return redirect(url_for("auth.account"))
    return account_page(form)


def account_page(form: PasswordForm, status: int = 200, **extra: Any) -> ResponseReturnValue:
    """The account page with everything it shows (its sessions, its second factor), for every
    view that answers with it (the password form here, a new API token in web/api_tokens.py)."""
    clock = runtime().clock
    page = render_template(
        "auth/account.html",
        form=form,
        live_sessions=sessions.live(db_session(), user(), clock=clock),
        codes_left=second_factor.codes_left(db_session(), user()),
        second_factor_required=second_factor.required(db_session(), user()),
        this_session=sessions.current(db_session(), session.get("sid"), clock=clock),
        **extra,
    )
    return page, status


@bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere() -> ResponseReturnValue:
    """End every session of this account, this one included (a lost phone, a shared PC)."""
    if PageForm().validate_on_submit():
        rt = runtime()
        sessions.end_all(db_session(), user(), because="everywhere", clock=rt.clock, actor=actor())
        db_session().commit()
        lang = session.get("lang")
        logout_user()
        session.clear()
        if lang:
            session["lang"] = lang
        flash(_("You have been signed out everywhere."), "success")
        return redirect(url_for("auth.login"))
    return redirect(url_for("auth.account"))

"""The second factor in the browser: the code at sign-in, enrolment, recovery codes, reset.

While a person whose organisation requires a second factor has none, every page sends them
to the enrolment page (sign-out, language and static files excepted): a sign-in with the
password alone gives nothing but the way to set the second factor up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import segno
from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length

from ..domain import second_factor as rules
from ..domain.roles import Role
from ..extensions import db_session
from ..models import User
from ..runtime import runtime
from ..services import memberships
from ..services import second_factor as service
from . import signin, throttling
from .context import actor, my_organisations, organisation_for, user
from .failures import STORAGE_FAILURES
from .fields import PageForm

bp = Blueprint("second_factor", __name__)
T = TypeVar("T")

#: Pages a person who must still enrol may open.
_OPEN_WHILE_ENROLLING = {
    "second_factor.enrol",
    "second_factor.confirm",
    "auth.logout",
    "auth.language",
    "static",
    "bootstrap.static",
    "favicon",
    "health.healthz",
}


class CodeForm(PageForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("The 6 digits your authenticator app shows, or one of your recovery codes."),
        render_kw={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"},
    )


class EnrolForm(PageForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("The 6 digits your authenticator app shows now."),
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"},
    )


class RequireForm(PageForm):
    required = BooleanField(_l("FG and administrators must sign in with a second factor"))


def _checked(person: User, check: Callable[[], T]) -> T:
    """Run ``check`` (which raises SecondFactorError for a wrong code) as one guess of a code:
    refused (429) while a delay runs; a wrong code slows down this account and address with
    growing delays; a right one forgets the account's failures."""
    guess = throttling.attempt("SECOND_FACTOR_DELAYS", f"user:{person.id}")
    throttling.guard(guess)
    try:
        result = check()
    except service.SecondFactorError:
        throttling.failed(guess)
        raise
    throttling.succeeded(guess)
    db_session().commit()
    return result


def _verify(person: User, typed: str | None, *, signing_in: bool = False) -> str:
    return service.verify(
        db_session(),
        person,
        typed or "",
        secret_key=current_app.config["SECRET_KEY"],
        clock=runtime().clock,
        signing_in=signing_in,
    )


def install_enrolment_guard(app: Flask) -> None:
    @app.before_request
    def enrol_first() -> ResponseReturnValue | None:
        if request.endpoint in _OPEN_WHILE_ENROLLING:
            return None
        try:
            signed_in = current_user.is_authenticated  # loads the user: the first query
        except STORAGE_FAILURES:
            if request.method == "POST":
                # The view meets the same failure inside keeps_typing and gives the person's
                # form back with what they typed (web/failures.py); nothing is saved.
                return None
            raise
        if not signed_in:
            return None
        if current_app.config.get("SECOND_FACTOR_ENFORCED", True) is False:
            return None
        me = user()
        if me.has_second_factor:
            return None
        # From the organisations the top bar loads anyway: no query of its own per request.
        seats = (
            rules.Seat(item.roles, item.organisation.require_second_factor)
            for item in my_organisations()
        )
        if not rules.required(seats, demo_account=me.is_demo):
            return None
        return redirect(url_for("second_factor.enrol"))


@bp.route("/login/code", methods=["GET", "POST"])
def challenge() -> ResponseReturnValue:
    found = signin.pending()
    if found is None:
        signin.forget_pending()
        flash(_("Sign in again: the time to type the code has passed."), "warning")
        return redirect(url_for("auth.login"))
    person, destination = found
    form = CodeForm()
    if form.validate_on_submit():
        try:
            method = _checked(person, lambda: _verify(person, form.code.data, signing_in=True))
        except service.SecondFactorError as error:
            form.code.errors.append(_(error.message))
        else:
            signin.finish(person)
            if method == "recovery":
                left = service.codes_left(db_session(), person)
                flash(
                    _(
                        "You signed in with a recovery code; %(count)d left. Make new ones on "
                        "your account page if you are running out.",
                        count=left,
                    ),
                    "warning",
                )
            return redirect(destination or url_for("auth.home"))
    return render_template("auth/second_factor.html", form=form)


@bp.get("/account/second-factor")
@login_required
def enrol() -> ResponseReturnValue:
    me = user()
    if me.has_second_factor:
        return redirect(url_for("auth.account") + "#second-factor")
    return _enrol_page(EnrolForm())


def _enrol_page(form: EnrolForm) -> str:
    me = user()
    secret = service.enrolment_secret(db_session(), me, secret_key=current_app.config["SECRET_KEY"])
    uri = service.provisioning_uri(me, secret, issuer=current_app.config["SECOND_FACTOR_ISSUER"])
    qr = segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff")
    return render_template(
        "auth/second_factor_enrol.html",
        form=form,
        qr=qr,
        secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        required=service.required(db_session(), me),
    )


@bp.post("/account/second-factor")
@login_required
def confirm() -> ResponseReturnValue:
    me = user()
    if me.has_second_factor:
        return redirect(url_for("auth.account") + "#second-factor")
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            codes = _checked(
                me,
                lambda: service.confirm_enrolment(
                    db_session(),
                    me,
                    form.code.data or "",
                    secret_key=current_app.config["SECRET_KEY"],
                    clock=runtime().clock,
                    keep=session.get("sid"),
                ),
            )
        except service.SecondFactorError as error:
            form.code.errors.append(_(error.message))
        else:
            return _codes_page(codes, first=True)
    return _enrol_page(form), 422


def _codes_page(codes: list[str], *, first: bool) -> str:
    return render_template("auth/recovery_codes.html", codes=codes, first=first)


@bp.post("/account/second-factor/recovery-codes")
@login_required
def renew_codes() -> ResponseReturnValue:
    """New recovery codes, confirmed with a current code (someone at an unlocked screen must
    not be able to take a set of codes away)."""
    me = user()
    form = CodeForm()
    if form.validate_on_submit():
        try:
            _checked(me, lambda: _verify(me, form.code.data))
        except service.SecondFactorError as error:
            flash(_(error.message), "danger")
        else:
            codes = service.renew_recovery_codes(db_session(), me, clock=runtime().clock)
            return _codes_page(codes, first=False)
    return redirect(url_for("auth.account") + "#second-factor")


@bp.post("/account/second-factor/off")
@login_required
def disable() -> ResponseReturnValue:
    form = CodeForm()
    if form.validate_on_submit():
        me = user()
        try:
            if service.required(db_session(), me):  # refused for the role: not a guess
                raise service.SecondFactorError(service.STAYS_ON)
            _checked(
                me,
                lambda: service.disable(
                    db_session(),
                    me,
                    form.code.data or "",
                    secret_key=current_app.config["SECRET_KEY"],
                    clock=runtime().clock,
                ),
            )
        except service.SecondFactorError as error:
            flash(_(error.message), "danger")
        else:
            flash(_("Your second factor is switched off."), "success")
    return redirect(url_for("auth.account") + "#second-factor")


@bp.post("/admin/organisations/<slug>/second-factor")
@login_required
def require(slug: str) -> ResponseReturnValue:
    org = organisation_for(slug, Role.ADMIN)
    form = RequireForm()
    if form.validate_on_submit():
        service.set_required(
            db_session(), org, bool(form.required.data), actor=actor(), clock=runtime().clock
        )
        flash(
            _("FG and administrators of this organisation must now use a second factor.")
            if form.required.data
            else _("A second factor is now optional in this organisation."),
            "success",
        )
    return redirect(url_for("users.index", slug=org.slug) + "#second-factor")


@bp.post("/admin/organisations/<slug>/users/<int:user_id>/second-factor/reset")
@login_required
def reset(slug: str, user_id: int) -> ResponseReturnValue:
    """A lost phone: the administrator removes the person's second factor (they set it up
    again at their next sign-in). Only for an administrator of all the person's organisations,
    and never their own (the account page asks for a code). A refusal does not say why, so it
    tells nothing about the person's other organisations."""
    org = organisation_for(slug, Role.ADMIN)
    person = db_session().get(User, user_id)
    if person is None or person not in dict(memberships.members(db_session(), org)):
        abort(404)
    if PageForm().validate_on_submit():
        if person.id == user().id:
            flash(
                _(
                    "Your own second factor is changed on your account page, with a code "
                    "from your app."
                ),
                "danger",
            )
        elif not service.may_reset(db_session(), user(), person):
            flash(
                _(
                    "You cannot reset the second factor of %(name)s here. Ask the server's "
                    "administrator to reset it (breachdesk user reset-second-factor).",
                    name=person.name,
                ),
                "danger",
            )
        else:
            service.reset(db_session(), person, actor=actor(), by="admin", clock=runtime().clock)
            flash(
                _(
                    "The second factor of %(name)s is removed and they are signed out "
                    "everywhere; they set it up again at their next sign-in.",
                    name=person.name,
                ),
                "success",
            )
    return redirect(url_for("users.index", slug=org.slug))

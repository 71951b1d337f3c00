"""Personal access tokens for the JSON API on the account page: make one, revoke one.

A new token is rendered, not redirected to: only its hash is kept, so this response is the
one chance to show it, and it need not pass through the session cookie.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange

from ..domain.api_access import DEFAULT_DAYS, MAX_DAYS, SCOPE_LABELS, Scope, scopes_for
from ..extensions import db_session
from ..models import ApiToken
from ..runtime import runtime
from ..services import api_tokens
from ..services.memberships import OrgRoles
from .auth import PasswordForm, account_page
from .context import actor, my_organisations, user
from .fields import PageForm
from .report_form import options

SCOPE_VALUES = frozenset(s.value for s in Scope)

bp = Blueprint("api_tokens", __name__, url_prefix="/account/api-tokens")


class TokenForm(PageForm):
    name = StringField(
        _l("Name"),
        validators=[InputRequired(_l("Give the token a name.")), Length(max=100)],
        description=_l("What the token is for, for example “TOPdesk”."),
    )
    organisation = SelectField(_l("Organisation"), choices=[], validate_choice=False)
    scope = SelectField(_l("Scope"), choices=[], validate_choice=False)
    days = IntegerField(
        _l("Valid for (days)"),
        default=DEFAULT_DAYS,
        validators=[
            InputRequired(),
            NumberRange(1, MAX_DAYS, _l("A token lives at least 1 and at most 365 days.")),
        ],
    )

    def fill_choices(self) -> None:
        self.organisation.choices = options(
            [(str(item.organisation.id), item.organisation.name) for item in my_organisations()]
        )
        self.scope.choices = options(scope_choices(my_organisations()))


def scope_choices(mine: list[OrgRoles]) -> list[tuple[str, object]]:
    """The scopes the user's roles allow in at least one of their organisations, each saying
    where when not in all. Before, every scope was offered, and one the role does not allow
    was refused only after sending (found by exploratory testing)."""
    choices: list[tuple[str, object]] = []
    for scope in Scope:
        where = [item.organisation.name for item in mine if scope in scopes_for(item.roles)]
        if not where:
            continue
        label = _(SCOPE_LABELS[scope])
        if len(where) < len(mine):
            label += " " + _("(only for %(organisations)s)", organisations=", ".join(where))
        choices.append((scope.value, label))
    return choices


@bp.app_template_global()
def api_token_form() -> TokenForm:
    form = TokenForm(formdata=None, prefix="token")
    form.fill_choices()
    return form


@bp.app_template_global()
def my_api_tokens() -> list[ApiToken]:
    if not current_user.is_authenticated:
        return []
    return api_tokens.tokens_of(db_session(), user())


@bp.app_template_global()
def scope_label(value: str) -> str:
    return _(SCOPE_LABELS[Scope(value)])


def _back() -> ResponseReturnValue:
    return redirect(url_for("auth.account") + "#api-tokens")


def _again(form: TokenForm) -> ResponseReturnValue:
    """The account page with the token form as sent: the errors at their fields, the typing
    kept (nothing was made)."""
    return account_page(PasswordForm(formdata=None), 422, token_form=form)


@bp.post("")
@login_required
def issue() -> ResponseReturnValue:
    form = TokenForm(prefix="token")
    form.fill_choices()
    chosen = {str(i.organisation.id): i for i in my_organisations()}.get(form.organisation.data)
    valid = form.validate_on_submit()
    if chosen is None:
        form.organisation.errors = [*form.organisation.errors, _("Choose an organisation.")]
    if form.scope.data not in SCOPE_VALUES:
        form.scope.errors = [*form.scope.errors, _("Choose a scope.")]
    elif chosen is not None and Scope(form.scope.data) not in scopes_for(chosen.roles):
        form.scope.errors = [
            *form.scope.errors,
            _("Your role in this organisation does not allow this scope."),
        ]
    if not valid or chosen is None or form.scope.errors:
        return _again(form)
    scope = Scope(form.scope.data)
    rt = runtime()
    try:
        token, plain = api_tokens.issue(
            db_session(),
            user(),
            chosen.organisation,
            name=form.name.data or "",
            scope=scope,
            days=int(form.days.data or 0),
            actor=actor(),
            clock=rt.clock,
        )
    except api_tokens.TokenRefused as refused:
        db_session().rollback()
        getattr(form, refused.field).errors.append(_(refused.message))
        return _again(form)
    # The whole account page, as /account shows it, with the token once.
    return account_page(PasswordForm(formdata=None), new_api_token=plain, new_api_token_row=token)


@bp.post("/<int:token_id>/revoke")
@login_required
def revoke(token_id: int) -> ResponseReturnValue:
    if PageForm().validate_on_submit() and api_tokens.revoke(
        db_session(), user(), token_id, actor=actor(), clock=runtime().clock
    ):
        flash(_("The token has been revoked; it no longer works."), "success")
    return _back()

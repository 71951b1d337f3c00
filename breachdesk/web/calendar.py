"""The personal deadline feed (.ics) and creating or revoking its secret link.

The feed is fetched by calendar apps, which cannot sign in: the secret token in the URL is
the only credential, so an unknown and a revoked token both give a plain 404.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from ..domain.roles import Role
from ..extensions import csrf, db_session
from ..runtime import runtime
from ..services import calendar as calendar_service
from .auth import PasswordForm, account_page
from .context import actor, require_any_role, user

bp = Blueprint("calendar", __name__)


@bp.get("/calendar/<token>.ics")
@csrf.exempt
def feed(token: str) -> ResponseReturnValue:
    person = calendar_service.user_for_token(db_session(), token)
    if person is None:
        abort(404)
    rt = runtime()
    body = calendar_service.feed_for(db_session(), person, rt.clock.now(), base_url=rt.base_url)
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Disposition"] = 'inline; filename="breachdesk-deadlines.ics"'
    return response


@bp.post("/account/calendar")
@login_required
@require_any_role(Role.FG, Role.ADMIN)
def issue() -> ResponseReturnValue:
    rt = runtime()
    token = calendar_service.issue_token(db_session(), user(), actor=actor(), clock=rt.clock)
    # Rendered, not redirected: only the hash is stored, so this response is the one chance
    # to show the link, and it need not pass through the session cookie.
    calendar_url = rt.base_url.rstrip("/") + url_for("calendar.feed", token=token)
    # The whole account page (its sessions, its second factor): with the template alone it
    # failed for anyone with a second factor, after the old link was already replaced (found
    # by exploratory testing).
    return account_page(PasswordForm(formdata=None), calendar_url=calendar_url)


@bp.get("/account/calendar")
@login_required
def section() -> ResponseReturnValue:
    # Where the language switch on the page rendered by ``issue`` leads back to.
    return redirect(url_for("auth.account") + "#calendar")


@bp.post("/account/calendar/revoke")
@login_required
def revoke() -> ResponseReturnValue:
    rt = runtime()
    if calendar_service.revoke_token(db_session(), user(), actor=actor(), clock=rt.clock):
        flash(_("The calendar link has been revoked; it no longer works."), "success")
    return redirect(url_for("auth.account") + "#calendar")

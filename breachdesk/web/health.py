"""``/healthz`` for monitoring, and the warnings every page shows when reminders are at risk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Blueprint, current_app, g, jsonify
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..domain.roles import Role
from ..extensions import db_session
from ..runtime import runtime
from ..services import health
from .context import has_any_role, organisations_where

bp = Blueprint("health", __name__)


def _interval() -> timedelta:
    return timedelta(seconds=float(current_app.config["SCHEDULER_INTERVAL"]))


def _backend() -> str:
    return str(current_app.config["MAIL_BACKEND"]).lower()


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Database, scheduler and mail: 200 when all can keep the deadlines, 503 otherwise."""
    session, now = db_session(), runtime().clock.now()
    report: dict[str, Any] = {"database": {"ok": health.database_ok(session)}}
    if report["database"]["ok"]:
        ticks = health.scheduler_health(session, now, _interval())
        mail = health.mail_health(session, now, _backend())
        report["scheduler"] = {
            "ok": not ticks.stalled,
            "last_seen": ticks.last_seen.isoformat() if ticks.last_seen else None,
            "seconds_since": ticks.seconds_since(now),
        }
        report["mail"] = {
            "ok": mail.ok,
            "backend": mail.backend,
            "to_folder": mail.to_folder,
            "last_sent_at": mail.last_sent_at.isoformat() if mail.last_sent_at else None,
            "retrying": mail.retrying,
            "failed_last_hour": mail.failed_last_hour,
        }
    healthy = all(part["ok"] for part in report.values())
    report["status"] = "ok" if healthy else "failing"
    response = jsonify(report)
    response.status_code = 200 if healthy else 503
    return response


@dataclass(frozen=True)
class Alert:
    key: str  # stable id for tests and styling
    text: str
    level: str = "danger"


def system_warnings() -> list[Alert]:
    """What must be fixed before reminders reach people (cached for the request)."""
    if "system_warnings" not in g:
        g.system_warnings = _collect() if current_user.is_authenticated else []
    return list(g.system_warnings)


def _collect() -> list[Alert]:
    now = runtime().clock.now()
    officer = has_any_role(Role.FG, Role.ADMIN)
    state = health.page_health(
        db_session(),
        backend=_backend(),
        now=now,
        interval=_interval(),
        organisation_ids=[o.id for o in organisations_where(Role.FG, Role.ADMIN)]
        if officer
        else None,
        since=now - timedelta(days=7),
    )
    found: list[Alert] = []
    if state.mail_to_folder:
        found.append(
            Alert(
                "mail-to-folder",
                _(
                    "E-mail is not being sent: breachdesk writes it to a folder on the server "
                    "(BREACHDESK_MAIL_BACKEND=file). Reminders and escalations do not reach "
                    "anyone until an administrator configures a mail server."
                ),
            )
        )
    ticks = state.scheduler
    if ticks is None:  # not an FG or administrator: only the mail concerns them
        return found
    if ticks.stalled:
        found.append(
            Alert(
                "scheduler-stalled",
                _(
                    "The scheduler that sends reminders has not run since %(when)s: reminders "
                    "and escalations are not going out. Tell your administrator."
                    " (breachdesk serve runs it, or breachdesk scheduler.)",
                    when=_local(ticks.last_seen),
                )
                if ticks.last_seen
                else _(
                    "The scheduler that sends reminders has not run yet: reminders and "
                    "escalations are not going out. Tell your administrator."
                    " (breachdesk serve runs it, or breachdesk scheduler.)"
                ),
            )
        )
    failed = state.failed
    if failed:
        found.append(
            Alert(
                "deliveries-failed",
                ngettext(
                    "%(num)d e-mail of the last seven days could not be delivered: see the "
                    "list in the incident overview.",
                    "%(num)d e-mails of the last seven days could not be delivered: see the "
                    "list in the incident overview.",
                    failed,
                ),
                "warning",
            )
        )
    return found


def _local(value: Any) -> str:
    from ..domain.timeutil import utc_to_local

    return utc_to_local(value).strftime("%d-%m-%Y %H:%M")

"""The web interface: thin blueprints that call services, plus app-wide request handling."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask, Response, current_app, render_template, request, session
from flask_babel import get_locale, gettext
from flask_wtf.csrf import CSRFError
from markupsafe import Markup

from ..domain.deadline import CONTROLLER_STATUS_LABELS, DUE_SOON, STATUS_LABELS, DeadlineStatus
from ..domain.duties import (
    PUBLIC_RESOLUTION_LABELS,
    SUBJECTS_RESOLUTION_LABELS,
    PublicResolution,
    SubjectsResolution,
)
from ..domain.formatting import dated, decimal, file_size, long_datetime
from ..domain.roles import ROLE_LABELS, Role
from ..domain.timeutil import utc_to_local
from ..extensions import db, db_session, login_manager
from ..mail import outbox_file_of
from ..models import User
from ..runtime import runtime
from ..services import deadlines, sessions
from ..services.vault import VaultError
from .clock_view import clock_badge, clock_cell, clock_words, status_colour
from .context import has_any_role, my_organisations, row_link, selected_locale, urgent_clocks
from .edges import install_edges
from .failures import database_down, install_failure_pages, not_saved
from .history import event_words
from .labels import (
    STATE_COLOURS,
    action_label,
    actor_words,
    ap_severity_label,
    cancel_reason,
    citation,
    delivery_error,
    delivery_label,
    delivery_reply,
    filing_kind,
    message_text,
    next_action_label,
    reason_text,
    state_badge,
    state_label,
)
from .throttling import check_settings

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def _overdue_since(incident: Any) -> datetime | None:
    """The deadline an incident's unfiled notification has passed, or None: the advice's
    "within 72 hours" then no longer says what to do (found by exploratory testing)."""
    if incident is None:
        return None
    clock = deadlines.clock_of(incident, runtime().clock.now())
    return clock.deadline if clock and clock.status is DeadlineStatus.OVERDUE else None


def register_web(app: Flask) -> None:
    from . import (
        actions,
        admin,
        answer_sheet,
        api_tokens,
        auth,
        calendar,
        checklist,  # noqa: F401 - adds its routes to the triage blueprint
        clock,
        controller_notice,
        conversation,
        dashboard,
        evidence,
        health,
        incidents,
        invitations,
        password_reset,
        people,
        people_post,
        public_report,
        recipients,
        register,
        register_import,  # noqa: F401 - adds its routes to the register blueprint
        register_pack,  # noqa: F401 - adds its route to the register blueprint
        report_correction,
        reporting_links,
        reports,
        second_factor,
        triage,
        users,
        webhooks,
    )

    install_edges(app)  # before the blueprints add their <int:...> routes
    second_factor.install_enrolment_guard(app)
    modules = [auth, reports, incidents, register, triage, clock, answer_sheet, controller_notice]
    modules += [people, people_post, recipients, admin, users, calendar, health, dashboard]
    modules += [actions, conversation, evidence, public_report, report_correction]
    modules += [reporting_links, password_reset, invitations, second_factor, api_tokens]
    modules += [webhooks]
    for module in modules:
        app.register_blueprint(module.bp)

    @app.get("/favicon.ico")
    def favicon() -> Response:
        # Browsers ask for /favicon.ico whatever the page links; pages link the SVG too.
        return app.send_static_file("img/favicon.ico")

    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page explains itself

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        # The signed cookie names the user; the server-side session row must still be live
        # (not signed out, not ended by a password change or "sign out everywhere").
        return sessions.signed_in_user(
            db_session(), session.get("sid"), user_id, clock=runtime().clock
        )

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        # Pages and downloads carry breach data: never stored by a browser or proxy cache.
        # Static files keep their own caching (they hold nothing of anyone).
        if request.endpoint not in ("static", "bootstrap.static", "favicon"):
            response.headers["Cache-Control"] = "no-store, private"
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.context_processor
    def globals_for_templates() -> dict[str, object]:
        return {
            "my_organisations": my_organisations,
            "has_any_role": has_any_role,
            "current_locale": selected_locale,
            "urgent_clocks": urgent_clocks,
            "system_warnings": health.system_warnings,
            "not_saved": not_saved,
            "database_down": database_down,
        }

    # Globals (not context) so that macros imported without context can use them too.
    app.jinja_env.globals.update(
        state_label=state_label,
        state_badge=state_badge,
        state_colour=lambda state: STATE_COLOURS.get(str(state), "info"),
        next_action_label=next_action_label,
        role_label=lambda value: gettext(ROLE_LABELS[Role(value)]),
        action_label=action_label,
        event_words=event_words,
        delivery_label=delivery_label,
        delivery_error=delivery_error,
        delivery_reply=delivery_reply,
        cancel_reason=cancel_reason,
        clock_words=clock_words,
        clock_badge=clock_badge,
        clock_cell=clock_cell,
        status_colour=status_colour,
        row_link=row_link,
        reason_text=reason_text,
        ap_severity_label=ap_severity_label,
        filing_kind=filing_kind,
        actor_words=actor_words,
        message_text=message_text,
        citation=citation,
        # The filing of the incident's own duty (to the AP, or as processor to the
        # controller), and whether a provisional one still awaits its supplement.
        first_filing=deadlines.first_filing,
        supplement_outstanding=deadlines.supplement_outstanding,
        overdue_since=_overdue_since,
        deadline_label=lambda value, duty="ap": gettext(
            (CONTROLLER_STATUS_LABELS if duty == "controller" else STATUS_LABELS)[
                DeadlineStatus(value)
            ]
        ),
        subjects_resolution_label=lambda value: gettext(
            SUBJECTS_RESOLUTION_LABELS[SubjectsResolution(value)]
        ),
        public_resolution_label=lambda value: gettext(
            PUBLIC_RESOLUTION_LABELS[PublicResolution(value)]
        ),
        due_soon_seconds=int(DUE_SOON.total_seconds()),  # for the live countdown script
        Role=Role,
        # A moment of an imported entry that its register gave as a date alone: the date.
        dated=dated,
    )

    @app.template_filter("local")
    def local_time(value: object, fmt: str = "%d-%m-%Y %H:%M") -> str:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value.strftime("%d-%m-%Y")  # a date alone (see domain.formatting.dated)
        if not isinstance(value, datetime):
            return ""
        return utc_to_local(value).strftime(fmt)

    @app.template_filter("when")
    def when(value: object) -> str:
        """An instant in words in the page's language: "4 december 2026 om 14:05"."""
        return long_datetime(value, str(get_locale())) if isinstance(value, datetime) else ""

    @app.template_filter("server_reply")
    def server_reply(value: object) -> str:
        """A mail server's reply as recorded. The outbox's own "written to <file>" is said in
        the page's language, the recorded words kept in a tooltip; an SMTP server's reply is
        shown as it came."""
        reply = str(value or "")
        relative = outbox_file_of(reply)
        if relative is None:
            return reply
        words = gettext("written to the outbox: %(file)s", file=relative)
        return Markup('<span title="{}">{}</span>').format(reply, words)

    @app.template_filter("filesize")
    def filesize(value: int) -> str:
        return file_size(int(value), str(get_locale()))

    @app.template_filter("number")
    def number(value: float) -> str:
        """A decimal with the page's decimal mark ("3,25" in Dutch)."""
        return decimal(value, str(get_locale()))

    for code, template in ((403, "errors/403.html"), (404, "errors/404.html")):
        app.register_error_handler(code, lambda _e, t=template, c=code: (render_template(t), c))

    @app.errorhandler(413)
    def too_large(_error: Exception) -> tuple[str, int]:
        return render_template("errors/413.html"), 413

    check_settings(app.config)

    @app.errorhandler(429)
    def too_many(error: Exception) -> tuple[str, int, dict[str, str]]:
        # The real wait (web/throttling.py): the page names it, Retry-After tells programs.
        seconds = int(getattr(error, "retry_after", 0) or 60)
        page = render_template("errors/429.html", wait_seconds=seconds)
        return page, 429, {"Retry-After": str(seconds)}

    @app.errorhandler(CSRFError)
    def csrf_failed(_error: CSRFError) -> tuple[str, int]:
        return render_template("errors/csrf.html"), 400

    install_failure_pages(app)

    @app.errorhandler(VaultError)
    def storage_key_wrong(error: VaultError) -> tuple[str, int]:
        # A stored file that cannot be decrypted: the storage key is missing or wrong (or the
        # file damaged). Logged for the administrator; the page says what to do, no traceback.
        current_app.logger.error("stored file not readable: %s", error)
        return render_template("errors/storage_key.html"), 503

    @app.errorhandler(500)
    def server_error(_error: Exception) -> tuple[str, int]:
        db.session.rollback()
        return render_template("errors/500.html"), 500

    from .api import install_api

    install_api(app)  # last: it answers API requests' errors as problems

"""The FG's inbox, the incident page (its context is built in :mod:`.incident_page`), its
evidence files and a failed e-mail sent again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from ..domain.deadline import NOTIFICATION_TERM
from ..domain.lifecycle import STATE_LABELS, State
from ..domain.next_action import NextAction
from ..domain.roles import Role, can_see_all_incidents
from ..extensions import db_session
from ..models import Delivery
from ..runtime import runtime
from ..services import delivery, inbox, incident_access
from .context import (
    actor,
    organisations_where,
    require_any_role,
    roles_in,
    row_link,
    user,
)
from .edges import MAX_PAGE, whole_number
from .incident_page import STEP_PAGES, page_context
from .labels import next_action_label, state_badge

bp = Blueprint("incidents", __name__, url_prefix="/incidents")


@bp.get("/")
@login_required
@require_any_role(Role.FG, Role.ADMIN)
def index() -> ResponseReturnValue:
    orgs = organisations_where(Role.FG, Role.ADMIN)
    org_id = request.args.get("org", type=int)
    state_value = request.args.get("state", "")
    state = State(state_value) if state_value in State._value2member_map_ else None
    now = runtime().clock.now()
    org_id = org_id if org_id in {o.id for o in orgs} else None
    found = inbox.inbox(
        db_session(),
        user(),
        now,
        organisation_id=org_id,
        state=state,
        page=whole_number(request.args.get("page"), 1, MAX_PAGE),
        per_page=inbox.PAGE_SIZE,
    )
    return render_template(
        "incidents/index.html",
        found=found,
        rows=found.rows,
        orgs=orgs,
        org_id=org_id,
        state=state,
        states=list(STATE_LABELS),
        now=now,
        long_ago=NOTIFICATION_TERM,  # a report discovered longer ago is marked so
        # Each row's badge and next step in words, made once per page rather than per row.
        badges={s.value: state_badge(s.value) for s in State},
        step_words={a: next_action_label(a) for a in NextAction},
        recent=delivery.recent_for(
            db_session(),
            [org_id] if org_id else [o.id for o in orgs],
            now - timedelta(days=2),
        ),
    )


@bp.app_template_global("next_action_url")
def next_action_url(row: inbox.InboxRow) -> str:
    endpoint = STEP_PAGES.get(row.action, "incidents.show")
    links: dict[str, Callable[[int], str]] = g.setdefault("step_links", {})
    if endpoint not in links:  # one url_for per kind of step, not one per row
        links[endpoint] = row_link(endpoint, "incident_id")
    return links[endpoint](row.incident.id)


@bp.get("/<int:incident_id>")
@login_required
def show(incident_id: int) -> ResponseReturnValue:
    incident = incident_access.visible_incident(db_session(), user(), incident_id)
    if incident is None:
        abort(404)
    return render_template("incidents/show.html", **page_context(incident))


@bp.get("/<int:incident_id>/attachments/<int:attachment_id>")
@login_required
def attachment(incident_id: int, attachment_id: int) -> ResponseReturnValue:
    found = incident_access.visible_attachment(db_session(), user(), incident_id, attachment_id)
    if found is None or found.erased_at is not None:  # erased by retention
        abort(404)
    # The stored type may name its charset ("text/plain; charset=utf-8"); send_file adds one
    # to text types itself, so it gets the bare type and the header is set as stored.
    response = send_file(
        runtime().store.open(found.storage_key),
        mimetype=found.content_type.split(";")[0].strip(),
        as_attachment=True,
        download_name=found.filename,
        max_age=0,
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Content-Type"] = found.content_type
    return response


@bp.post("/<int:incident_id>/deliveries/<int:delivery_id>/retry")
@login_required
def retry_delivery(incident_id: int, delivery_id: int) -> ResponseReturnValue:
    """Try a failed e-mail of this incident again (its FG or administrator)."""
    incident = incident_access.visible_incident(db_session(), user(), incident_id)
    row = db_session().get(Delivery, delivery_id)
    if (
        incident is None
        or row is None
        or row.incident_id != incident.id
        or not can_see_all_incidents(set(roles_in(incident.organisation)))
    ):
        abort(404)
    if row.status == "failed":
        delivery.retry(db_session(), row, actor=actor(), clock=runtime().clock)
        flash(_("The e-mail will be sent again within a minute."), "success")
    return redirect(url_for("incidents.show", incident_id=incident.id) + "#reminders")

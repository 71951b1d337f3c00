"""The evidence pack of one incident, one click from the register and the incident page.

The summary PDF is rendered here (it needs the interface's labels) from
``templates/register/summary_print.html``; :mod:`breachdesk.services.evidence_pack` gathers the
rest and writes the ZIP with its manifest. Every download is audited.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Response, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext, pgettext
from flask_login import login_required

from ..domain.actions import ACTION_STATUS_LABELS, ActionStatus
from ..domain.assessment import Outcome
from ..domain.lifecycle import STATE_LABELS, State
from ..domain.timeutil import utc_to_local
from ..extensions import db_session
from ..runtime import runtime
from ..services import audit, evidence_pack, register_import
from ..services.documents import DocumentError, render_pdf
from ..services.register_export import file_chunks
from . import informing_words
from .audit_words import mismatch_text, problem_text
from .checklist_form import GROUP_FLAGS, MISUSE, RECIPIENTS, SECTIONS
from .context import actor
from .history.reading import member_of
from .register import bp
from .report_form import CONTAINMENT
from .triage import staff_incident
from .triage_forms import BREACH_TYPES, OUTCOME_LABELS, TRI


def checklist_answers(facts: dict[str, Any] | None) -> list[tuple[str, list[tuple[str, str]]]]:
    """The checklist's answers as (section, [(question, answer)]) in the reader's language."""
    if not facts:
        return []
    tri = dict(TRI)
    result = []
    for title, fields in SECTIONS:
        rows = []
        for name, kind, choices, label in fields:
            value = facts.get(name)
            labels = tri if kind == "tri" else dict(choices or [])
            if isinstance(value, list):
                text = "; ".join(str(labels.get(v, v)) for v in value) or "—"
            elif value is None or value == "":
                text = "—"
            else:
                text = str(labels.get(value, value))
            rows.append((str(label), text))
        result.append((str(title), rows))
    groups = facts.get("groups") or []
    if groups:
        result.append((_("Groups with a different exposure"), [_group_row(g) for g in groups]))
    return result


def _group_row(group: dict[str, Any]) -> tuple[str, str]:
    """One group of people: its name and count, and what differs for it, in words."""
    words = {**dict(RECIPIENTS), **dict(MISUSE), **dict(GROUP_FLAGS)}
    changes = group.get("facts") or {}
    parts = [
        str(words.get(name, name)) if value == "yes" else str(words.get(value, value))
        for name, value in changes.items()
        if not isinstance(value, list)
    ]
    count = group.get("count")
    name = str(group.get("name", ""))
    head = f"{name} ({count})" if count is not None else name
    return head, "; ".join(parts) or "—"


def informed_line(contents: evidence_pack.PackContents) -> str:
    """How far the people were informed, when no answer was recorded at closing: the
    register's verdict (the same rule), with the e-mails sent, the letters posted and not
    posted yet, and the public communication published."""
    return informing_words.informed_line(contents.informed, contents.informing)


def _changed(contents: evidence_pack.PackContents) -> list[str]:
    """Where the organisation's register no longer says what its trail recorded, in words."""
    return [mismatch_text(m) for m in (contents.chain.register if contents.chain else ())]


def _findings(contents: evidence_pack.PackContents) -> list[str]:
    """What is wrong with the audit trail, in words (the pack's JSON keeps the codes)."""
    found = [problem_text(p) for p in (contents.chain.problems if contents.chain else ())]
    if contents.problems:
        found.append(
            ngettext(
                "%(num)d signed checkpoint is forged or out of order.",
                "%(num)d signed checkpoints are forged or out of order.",
                len(contents.problems),
            )
        )
    return found


@bp.get("/incidents/<int:incident_id>/evidence.zip")
@login_required
def evidence_pack_zip(incident_id: int) -> ResponseReturnValue:
    incident = staff_incident(incident_id)
    now = runtime().clock.now()
    contents = evidence_pack.gather(db_session(), incident, now)
    html = render_template(
        "register/summary_print.html",
        pack=contents,
        incident=incident,
        now=now,
        checklist=checklist_answers(incident.facts),
        state_label=lambda value: _(STATE_LABELS[State(value)]),
        # A value no outcome has (written into the database by hand) is shown as it is: the
        # pack that documents the change must still be made (it was a 500: found by testing).
        outcome_label=lambda value: (
            str(OUTCOME_LABELS[known]) if (known := member_of(Outcome, value)) else str(value)
        ),
        breach_types=dict(BREACH_TYPES),
        containment=dict(CONTAINMENT),
        verification=evidence_pack.verification(contents),
        findings=_findings(contents),
        changed=_changed(contents),
        informed=informed_line(contents),
        origin=register_import.import_origin(db_session(), contents.events)
        if incident.imported_from
        else None,
        action_status=lambda value: _(ACTION_STATUS_LABELS[ActionStatus(value)]),
    )
    static = Path(current_app.static_folder or current_app.root_path).resolve()
    try:
        summary = render_pdf(html, base_url=static.as_uri() + "/")
    except DocumentError:
        flash(_("The evidence pack could not be made on this server (no PDF)."), "danger")
        return redirect(url_for("incidents.show", incident_id=incident.id))
    handle = evidence_pack.write_zip(contents, summary, runtime().store, db_session())
    audit.record(
        db_session(),
        clock=runtime().clock,
        actor=actor(),
        action="incident.evidence_pack_downloaded",
        entity_type="incident",
        entity_id=incident.id,
        organisation_id=incident.organisation_id,
        after={"trail_intact": contents.trail_intact, "files": len(contents.attachments)},
    )
    db_session().commit()
    stamp = utc_to_local(now).strftime("%Y%m%d-%H%M")
    response = Response(file_chunks(handle), mimetype="application/zip")
    pack_word = pgettext("file name", "evidence-pack")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{pack_word}-{incident.reference}-{stamp}.zip"'
    )
    response.headers["Cache-Control"] = "no-store, private"
    return response

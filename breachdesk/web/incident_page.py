"""What the incident page shows: the incident, its clock, its history and the FG's forms,
fresh or as sent back with their errors (every view that answers with the incident page
builds its context here)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import url_for
from flask_babel import gettext as _

from ..domain.assessment import RULESET_VERSION
from ..domain.deadline import Duty
from ..domain.lifecycle import State, allowed_targets
from ..domain.next_action import NextAction
from ..domain.notices.ap_draft import Informing
from ..domain.notices.other_regimes import regimes_for
from ..domain.register import Informed
from ..domain.roles import Role, can_see_all_incidents
from ..domain.timeutil import utc_to_local
from ..extensions import db_session
from ..models import Incident
from ..runtime import runtime
from ..services import (
    answer_sheet,
    audit,
    closing,
    conversation,
    deadlines,
    decisions,
    delivery,
    inbox,
    register_import,
    report_correction,
)
from ..services.informing import informed_of, informing_of
from ..services.organisations import profile_of
from .context import roles_in, selected_locale, user
from .fields import own_ids
from .informing_words import informed_line
from .report_form import ReportCorrectionForm
from .reporter_forms import DiscardForm, EvidenceForm, QuestionForm, ReplyForm
from .triage_forms import (
    BREACH_TYPES,
    AwarenessForm,
    CloseForm,
    DecisionForm,
    NotificationForm,
    ReasonForm,
    TriageCorrectionForm,
    TriageForm,
    fresh_notification_form,
)

#: Where each next step is done (the incident page unless named here).
STEP_PAGES = {
    NextAction.CHECKLIST: "triage.checklist",
    NextAction.FILE_AP: "sheet.show",
    NextAction.INFORM_CONTROLLER: "controller_notice.show",
    NextAction.INFORM_PEOPLE: "people.show",
    NextAction.MEASURES: "actions.index",
}


#: Where on the incident page a step is done, for the steps done there.
STEP_ANCHORS = {
    NextAction.TRIAGE: "triage",
    NextAction.AWARENESS: "awareness",
    NextAction.DECIDE: "decision",
    NextAction.DECIDE_AGAIN: "decision",
    NextAction.SUPPLEMENT: "notification",
    NextAction.CLOSE: "close",
}


def _form_errors(form: Any) -> bool:
    return bool(getattr(form, "form_errors", None))


def page_context(incident: Incident, **forms: Any) -> dict[str, Any]:
    """What the incident page shows; forms given here (with errors) replace the fresh ones."""
    roles = set(roles_in(incident.organisation))
    now = runtime().clock.now()
    officer = can_see_all_incidents(roles)
    fg = Role.FG in roles
    reporter = incident.reporter_id is not None and incident.reporter_id == user().id
    context_events = audit.history(db_session(), "incident", incident.id) if officer else []
    context: dict[str, Any] = {
        "incident": incident,
        "officer": officer,
        "fg": fg,
        "events": context_events,
        "origin": register_import.import_origin(db_session(), context_events)
        if incident.imported_from
        else None,
        "now": now,
        "clock": deadlines.clock_of(incident, now),
        "reminder_rows": delivery.rows_of(db_session(), incident) if officer else [],
        "targets": allowed_targets(State(incident.state)),
        "recommendation": decisions.recommendation_for(incident) if officer else None,
        "new_rules_advice": decisions.new_rules_advice(incident) if officer else None,
        "ruleset_version": RULESET_VERSION,
        "duties": deadlines.duties_owed(incident),
        "other_regimes": regimes_for(profile_of(incident.organisation)) if officer else [],
        "is_reporter": reporter,
        "report_changes": _report_changes(incident) if officer else [],
        "reopened": _reopened(incident, context_events) if officer else None,
        "breach_type_labels": {value: str(label) for value, label in BREACH_TYPES},
        "messages": conversation.messages_of(db_session(), incident) if officer or reporter else [],
        "reaches_reporter": conversation.can_reach_reporter(incident),
        # A form sent back with errors: summed up at the top of the page, where the reader
        # lands, linking to each field (the errors sat far down the page, unannounced).
        "failed_form": next(
            (f for f in forms.values() if getattr(f, "errors", None) or _form_errors(f)), None
        ),
    }
    if reporter:
        context["reply_form"] = forms.get("reply_form") or ReplyForm(formdata=None)
    if officer:
        action = inbox.next_action_for(db_session(), incident, now)
        context["next_action"] = action
        context["next_action_href"] = (
            url_for(STEP_PAGES[action], incident_id=incident.id)
            if action in STEP_PAGES
            else "#" + STEP_ANCHORS.get(action, "")
        )
    if fg:
        context.update(
            triage_form=forms.get("triage_form") or _fresh_triage_form(incident),
            awareness_form=own_ids(
                forms.get("awareness_form") or AwarenessForm(formdata=None), "awareness"
            ),
            decision_form=forms.get("decision_form") or _fresh_decision_form(incident),
            reopen_form=own_ids(forms.get("reopen_form") or ReasonForm(formdata=None), "reopen"),
            notification_form=_addressed(
                forms.get("notification_form")
                or fresh_notification_form(
                    len(incident.notifications),
                    now,
                    answer_sheet.delay_reason_answered(db_session(), incident),
                ),
                deadlines.duty_of(incident),
            ),
            close_form=_close_form(incident, forms.get("close_form")),
            # What refuses closing, said before the button is pressed (a provisional filing
            # was found out only then: found by testing as a user).
            close_pending=[_(r) for r in closing.standing_refusals(db_session(), incident)]
            if incident.state == State.DECIDED.value and "close_form" not in forms
            else [],
            question_form=forms.get("question_form") or QuestionForm(formdata=None),
            correction_form=own_ids(
                forms.get("correction_form") or _correction_form(incident), "correct"
            ),
            evidence_form=own_ids(forms.get("evidence_form") or EvidenceForm(formdata=None), "add"),
            discard_form=own_ids(
                forms.get("discard_form") or DiscardForm(formdata=None), "discard"
            ),
        )
    return context


#: Columns of the report and the report form's field that asks them.
_FORM_FIELD = {
    "processors": "processor_keys",
    "data_categories": "data_category_keys",
    "subject_groups": "subject_group_keys",
    "reporting_processor": "reporting_processor_name",
}


def _shown(value: Any, field: Any) -> str:
    """A stored report value in words, using the form field's own choices where it has them."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dict):
        return str(value.get("name") or "—")
    choices = {
        str(getattr(c, "value", c)): str(getattr(c, "label", c))
        for c in getattr(field, "choices", None) or []
    }
    if isinstance(value, list):
        return ", ".join(
            str(v.get("name", v.get("key"))) if isinstance(v, dict) else str(choices.get(v, v))
            for v in value
        )
    if isinstance(value, str) and len(value) >= 19 and value[10] == "T":
        try:
            return utc_to_local(datetime.fromisoformat(value)).strftime("%d-%m-%Y %H:%M")
        except ValueError:
            return value
    return choices.get(str(value), str(value))


def _report_changes(incident: Incident) -> list[tuple[str, str, str]]:
    """What the FG corrected: (question, as the reporter answered, as it stands now)."""
    if not incident.reported_facts:
        return []
    form = ReportCorrectionForm(formdata=None)
    form.set_choices(profile_of(incident.organisation), selected_locale())
    changes = []
    for name in report_correction.CORRECTABLE:
        reported = incident.reported_facts.get(name)
        now = getattr(incident, name)
        now = now.isoformat() if hasattr(now, "isoformat") else now
        if reported == now:
            continue
        field = getattr(form, _FORM_FIELD.get(name, name))
        changes.append((str(field.label.text), _shown(reported, field), _shown(now, field)))
    return changes


def _correction_form(incident: Incident) -> TriageCorrectionForm:
    form = TriageCorrectionForm(formdata=None)
    form.breach_types.data = list(incident.breach_types)
    form.our_role.data = incident.our_role
    form.controller_name.data = incident.controller_name
    return form


def _reopened(incident: Incident, events: list[Any]) -> Any:
    """The audit event of the latest reopening, while the incident is open again."""
    if incident.state in (State.CLOSED.value, State.NOT_A_BREACH.value):
        return None
    for event in reversed(events):
        before = (event.before or {}).get("state") if isinstance(event.before, dict) else None
        if event.action == "incident.state_changed" and before in ("closed", "not_a_breach"):
            return event
    return None


def _fresh_triage_form(incident: Incident) -> TriageForm:
    """Triage with the moment of awareness proposed, never assumed: the moment the report came
    in, with the choice explained; the FG confirms or changes it."""
    form = TriageForm(formdata=None)
    if incident.triaged_at is not None:  # reopened: the earlier answers, to change
        form.personal_data.data = incident.personal_data
        form.security_breached.data = incident.security_breached
        form.breach_types.data = list(incident.breach_types)
        form.our_role.data = incident.our_role
        form.controller_name.data = incident.controller_name
        form.reason.data = incident.triage_reason
    told = incident.processor_notified_at if incident.reported_by_processor else None
    proposed = told if told is not None and told <= incident.reported_at else incident.reported_at
    form.aware_at.data = utc_to_local(incident.aware_at or proposed).replace(
        tzinfo=None, second=0, microsecond=0
    )
    if proposed is told:
        # A controller is in principle aware once its processor told it (EDPB 9/2022): the
        # moment it was typed in here may be days later (found by exploratory testing).
        form.aware_at.description = _(
            "Proposed: when the processor told you (%(told)s); it was reported here "
            "%(reported)s. Change it to the moment there was reasonable certainty that "
            "personal data were compromised. The 72 hours start here. Dutch time.",
            told=utc_to_local(proposed).strftime("%d-%m-%Y %H:%M"),
            reported=utc_to_local(incident.reported_at).strftime("%d-%m-%Y %H:%M"),
        )
        return form
    form.aware_at.description = _(
        "Proposed: when the report came in (%(reported)s); it was discovered %(discovered)s. "
        "Change it to the moment there was reasonable certainty that personal data were "
        "compromised. The 72 hours start here. Dutch time.",
        reported=utc_to_local(incident.reported_at).strftime("%d-%m-%Y %H:%M"),
        discovered=utc_to_local(incident.discovered_at).strftime("%d-%m-%Y %H:%M"),
    )
    return form


def _close_form(incident: Incident, sent_back: CloseForm | None) -> CloseForm:
    """The closing form (as sent back, or fresh) with how far breachdesk informed the people,
    by the register's rule: "informed" proposed with the counts once the register says so;
    while it says informing is under way, what still waits under the first question."""
    done = informing_of(db_session(), incident)
    standing = informed_of(db_session(), incident)
    form = sent_back or _fresh_close_form(standing, done)
    if standing is Informed.INFORMING:
        form.subjects_outcome.description = informed_line(standing, done)
    return form


def _fresh_close_form(standing: Informed, done: Informing | None) -> CloseForm:
    """Closing, with "informed" filled in from the mailings' proof when breachdesk's notices
    were all sent and its letters all posted (the register's "informed")."""
    form = CloseForm(formdata=None)
    if standing is not Informed.INFORMED or done is None or not done.reached:
        return form
    moments = [m for m in (done.last_email_at, done.letters_posted_at) if m is not None]
    parts = []
    if done.emails_sent:
        parts.append(_("%(n)d of %(total)d by e-mail", n=done.emails_sent, total=done.emails_total))
    if done.letters_posted:
        parts.append(_("%(n)d by letter", n=done.letters_posted))
    form.subjects_outcome.data = "informed"
    form.subjects_at.data = utc_to_local(max(moments)).replace(tzinfo=None) if moments else None
    form.subjects_note.data = _("Informed through breachdesk: %(parts)s.", parts="; ".join(parts))
    return form


def _fresh_decision_form(incident: Incident) -> DecisionForm:
    form = DecisionForm(formdata=None)
    form.seen_decision.data = str(incident.decisions[-1].version if incident.decisions else 0)
    form.seen_checklist.data = str(incident.facts_version)
    return form


def _addressed(form: NotificationForm, duty: Duty) -> NotificationForm:
    """As processor, the moment is when the controller was told, not the AP's confirmation."""
    if duty is Duty.CONTROLLER:
        form.submitted_at.description = _("Dutch time: when the controller was told.")
    return form

"""Human words for codes: the audit trail's actions, deliveries, and the sources and bands
that the assessment's reasons name."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from flask import g
from flask_babel import get_locale, gettext, ngettext, pgettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from ..domain.delivery import REFUSED_FOR_GOOD, Kind
from ..domain.formatting import decimal
from ..domain.lifecycle import STATE_LABELS, State, TransitionRefused
from ..domain.next_action import NEXT_ACTION_LABELS
from ..domain.notices.ap_2022 import AP_2022
from ..domain.reasons import Reason
from ..domain.severity import Band
from ..domain.text import N_, Translatable
from ..models import Delivery

#: The Bootstrap colour of an incident's status badge (``info`` for the states not named).
STATE_COLOURS = {"reported": "warning", "closed": "secondary", "not_a_breach": "secondary"}


def translated(name: str, labels: Mapping[Any, str]) -> Callable[[Any], str]:
    """A label lookup for templates that translates its table once per request and language
    (a list of 50 incidents asks for the same few labels hundreds of times)."""

    def look(value: Any) -> str:
        key = (name, str(get_locale()))
        cache: dict[tuple[str, str], dict[str, str]] = g.setdefault("labels", {})
        table = cache.get(key)
        if table is None:
            table = cache[key] = {str(k): gettext(v) for k, v in labels.items()}
        return table[str(value)]

    return look


state_label = translated("state", STATE_LABELS)
next_action_label = translated("next_action", NEXT_ACTION_LABELS)


def state_badge(state: object) -> Markup:
    """An incident's status as a coloured badge."""
    colour = STATE_COLOURS.get(str(state), "info")
    return Markup('<span class="badge text-bg-{}">{}</span>').format(colour, state_label(state))


ACTION_LABELS = {
    "organisation.created": _l("Organisation created"),
    "organisation.profile_updated": _l("Organisation profile changed"),
    "user.created": _l("User created"),
    "user.activated": _l("User activated"),
    "user.password_changed": _l("Password changed"),
    "user.signed_in": _l("Signed in"),
    "user.password_accepted": _l("Password accepted; second factor asked"),
    "user.second_factor_enabled": _l("Second factor switched on"),
    "user.second_factor_disabled": _l("Second factor switched off"),
    "user.second_factor_reset": _l("Second factor reset (lost phone)"),
    "user.recovery_code_used": _l("Signed in with a recovery code"),
    "user.recovery_codes_renewed": _l("New recovery codes made"),
    "organisation.second_factor_required": _l("Second factor required of FG and administrators"),
    "organisation.second_factor_optional": _l("Second factor made optional"),
    "role.granted": _l("Role granted"),
    "role.revoked": _l("Role revoked"),
    "incident.reported": _l("Incident reported"),
    "incident.triaged": _l("Triage recorded"),
    "incident.awareness_recorded": _l("Moment of awareness recorded"),
    "incident.awareness_corrected": _l("Moment of awareness corrected"),
    "incident.state_changed": _l("Status changed"),
    "incident.checklist_saved": _l("Risk checklist saved"),
    "incident.decided": _l("Decision recorded"),
    "incident.notification_recorded": _l("Notification recorded"),
    "incident.answer_saved": _l("Answer on the AP sheet saved"),
    "incident.answer_reverted": _l("Answer on the AP sheet back to the draft"),
    "incident.filing_exchange_recorded": _l("Question from the AP recorded"),
    "incident.controller_notice_queued": _l("Notice to the controller sent"),
    "incident.decision_stale": _l("Decision out of date: the checklist now advises other duties"),
    "incident.decision_current": _l("Decision current again: the advice is back to its duties"),
    "incident.people_duties_recorded": _l("How the people affected were informed recorded"),
    "incident.people_notice_saved": _l("Notice to the people affected saved"),
    "incident.people_notice_approved": _l("Notice to the people affected approved"),
    "incident.recipients_staged": _l("List of people read for checking"),
    "incident.recipients_imported": _l("List of people taken into use"),
    "incident.recipients_discarded": _l("List of people set aside"),
    "incident.recipients_purged": _l("List of people erased after the retention period"),
    "incident.breach_data_erased": _l("Breach data erased after the retention period"),
    "audit.content_erased": _l("Personal data erased from an earlier event (retention)"),
    "incident.mailing_started": _l("Sending of the notice started"),
    "incident.mailing_paused": _l("Sending of the notice paused"),
    "incident.mailing_retried": _l("Notice sent again to those it had failed for"),
    "incident.action_added": _l("Remedial action added"),
    "incident.action_changed": _l("Remedial action changed"),
    "incident.evidence_pack_downloaded": _l("Evidence pack downloaded"),
    "register.exported": _l("Register exported"),
    "register.imported": _l("Earlier register imported"),
    "incident.imported": _l("Imported from an earlier register"),
    "incident.mailing_resumed": _l("Sending of the notice resumed"),
    "incident.mailing_cancelled": _l("Sending of the notice cancelled"),
    "incident.letters_posted": _l("Letters recorded as posted"),
    "incident.public_notice_saved": _l("Public communication saved"),
    "reminder.failed": _l("Reminder could not be delivered"),
    "delivery.failed": _l("E-mail could not be delivered"),
    "delivery.retried": _l("E-mail sent again after it had failed"),
    "organisation.clock_settings_changed": _l("Reminder settings changed"),
    "calendar.token_issued": _l("Calendar link created"),
    "calendar.token_revoked": _l("Calendar link revoked"),
    "api_token.created": _l("API token made"),
    "api_token.revoked": _l("API token revoked"),
    "user.deactivated": _l("User deactivated"),
    "user.sessions_ended": _l("Sessions ended"),
    "user.password_reset_requested": _l("Link for a new password sent"),
    "invitation.sent": _l("Invitation sent"),
    "invitation.withdrawn": _l("Invitation withdrawn"),
    "invitation.accepted": _l("Invitation accepted"),
    "mail.failed": _l("E-mail could not be sent"),
    "incident.question_asked": _l("Question asked to the reporter"),
    "incident.triage_corrected": _l("Triage corrected"),
    "incident.report_corrected": _l("Report corrected by the FG"),
    "incident.evidence_added": _l("Evidence added by the FG"),
    "incident.reporter_replied": _l("The reporter answered or added information"),
    "reporting_link.created": _l("Reporting link made"),
    "reporting_link.rotated": _l("Reporting link replaced by a new one"),
    "reporting_link.revoked": _l("Reporting link switched off"),
    "webhook.created": _l("Webhook endpoint added"),
    "webhook.changed": _l("Webhook endpoint changed"),
    "webhook.secret_rotated": _l("Signing secret of a webhook endpoint replaced"),
    "webhook.deleted": _l("Webhook endpoint deleted"),
    "webhook.test_sent": _l("Test event sent to a webhook endpoint"),
    "webhook.failed": _l("Webhook call failed"),
}


def refusal_text(error: TransitionRefused) -> str:
    """A refused status change in the user's language, the status names included."""
    params = {
        key: gettext(STATE_LABELS[State(value)]) if key in ("current", "target") else value
        for key, value in error.params.items()
    }
    return gettext(error.message, **params)


def action_label(action: str) -> str:
    """The translated label of an audit action; unknown codes are shown as they are."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def delivery_error(text: str | None) -> str:
    """A delivery's last error for the page: the engine's own prefix in the reader's language,
    the mail or web server's reply after it as it came ("refused permanently: 550 …" was
    English on the Dutch proof page: found by exploratory testing)."""
    if not text:
        return ""
    if text.startswith(REFUSED_FOR_GOOD):
        return gettext("refused for good:") + " " + text[len(REFUSED_FOR_GOOD) :]
    return delivery_reply(text)


_HTTP_REPLY = re.compile(r"^HTTP (\d{3}) from ([^\s:]+|\[[^\]]+\])(?:: (.*))?$", re.S)


def delivery_reply(text: str | None) -> str:
    """A webhook call's answer as stored ("HTTP 200 from 203.0.113.5: ok") in the reader's
    language, the receiver's own words as they came (it was English on the Dutch webhook
    page: found by exploratory testing); a mail server's reply as it is."""
    if not text:
        return ""
    found = _HTTP_REPLY.match(text)
    if found is None:
        return text
    status, address, answer = found.groups()
    said = gettext("HTTP %(status)s from %(address)s", status=status, address=address)
    return f"{said}: {answer}" if answer else said


#: Why a planned message was not sent (a delivery's cancel reason), in words.
CANCEL_REASONS = {
    "not_needed": N_("no longer needed"),
    "endpoint_deleted": N_("the endpoint was deleted"),
    "endpoint_paused": N_("the endpoint is paused"),
    "unsubscribed": N_("the endpoint no longer subscribes to this event"),
}


def cancel_reason(code: str | None) -> str:
    """A delivery's cancel reason in words; a code without words as it is."""
    if not code:
        return ""
    words = CANCEL_REASONS.get(code)
    return gettext(words) if words else code


def delivery_label(row: Delivery) -> str:
    """What a delivery row is, in words: "48 hours after awareness", "Escalation", ..."""
    return delivery_words(row.kind, row.label)


def delivery_words(kind: str, label: str) -> str:
    """What a delivery of ``kind`` with ``label`` is, in words (the row's columns, as an
    audit event about a failed delivery also holds them); an unknown kind as it is."""
    if kind == Kind.ESCALATION.value:
        return gettext("Escalation at the deadline")
    if kind == Kind.NEW_REPORT.value:
        return gettext("E-mail to the FG about the new report")
    if kind == Kind.AUDIT_CHECKPOINT.value:
        return gettext("Audit checkpoint")
    if kind == Kind.CONTROLLER_NOTICE.value:
        return gettext("Notice to the controller")
    if kind == Kind.ACTION_OVERDUE.value:
        return gettext("Reminder to the owner of an overdue remedial action")
    if kind == Kind.UNTRIAGED_REMINDER.value:
        return gettext("Reminder: the report is not yet triaged")
    if kind == Kind.UNTRIAGED_ESCALATION.value:
        return gettext("Escalation: the report is still not triaged")
    if kind == Kind.REPORT_CONFIRMATION.value:
        return gettext("Confirmation to the reporter")
    if kind == Kind.REPORTER_QUESTION.value:
        return gettext("Question to the reporter")
    if kind == Kind.REPORTER_REPLY.value:
        return gettext("E-mail to the FG: the reporter replied")
    if kind == Kind.PASSWORD_RESET.value:
        return gettext("Link for a new password")
    if kind == Kind.INVITATION.value:
        return gettext("Invitation to join")
    if kind == Kind.PEOPLE_NOTICE.value:
        return gettext("Notice to a person affected")
    if kind == Kind.WEBHOOK.value:
        return gettext("Webhook call: %(event)s", event=label)
    if kind == Kind.REMINDER.value and label[1:-1].isdigit() and label[0] == "-":
        hours = int(label[1:-1])
        return ngettext(
            "%(num)d hour before the deadline", "%(num)d hours before the deadline", hours
        )
    if kind == Kind.REMINDER.value and label[:-1].isdigit():
        hours = int(label[:-1])
        return ngettext("%(num)d hour after awareness", "%(num)d hours after awareness", hours)
    return kind


_BANDS = {band.label for band in Band}


_DECIMAL_POINT = re.compile(r"(?<=\d)\.(?=\d)")
_NUMBER = re.compile(r"-?\d+\.\d+\Z")


_LINK_ACTORS = {
    "reporting link (staff)": _l("someone using the reporting link for staff"),
    "reporting link (processor)": _l("someone using the reporting link for suppliers"),
}


def actor_words(label: str) -> str:
    """Who did something, as the trail stores it, in the reader's language where the label
    is one of breachdesk's own (a reporting link names no person)."""
    known = _LINK_ACTORS.get(label)
    return str(known) if known is not None else label


#: A filing's kind, as the filings table, the answer sheet and the audit page name it.
FILING_KINDS: dict[str, Any] = {
    "initial": _l("First notification"),
    "supplement": _l("Supplement"),
    "withdrawal": _l("Withdrawal"),
}


def filing_kind(kind: str) -> str:
    """A filing's kind in words ("Eerste melding"); another value as it is."""
    label = FILING_KINDS.get(kind)
    return str(label) if label is not None else kind


def ap_severity_label(key: str) -> str:
    """The AP form's own words for a severity of question 9.3 ("zeer_groot"), in the reader's
    language, as they read inside a sentence ("zeer groot", "very high")."""
    question = AP_2022.question("9.3")
    option = question.option(key) if question else None
    if option is None:
        return key
    label = option.label(str(get_locale()))
    return label[:1].lower() + label[1:]


def reason_text(reason: Reason) -> str:
    """A reason's sentence in the reader's language: its ENISA band translated, its numbers
    (and the ENISA sum, "EI 0.75 + CB 0.5") with the reader's decimal mark."""
    params: dict[str, Any] = dict(reason.params)
    if params.get("band") in _BANDS:
        params["band"] = pgettext("ENISA band", params["band"])
    lang = str(get_locale())
    if reason.factor == "ap_severity" and isinstance(params.get("level"), str):
        params["level"] = ap_severity_label(params["level"].replace(" ", "_"))
    for key, value in params.items():
        if isinstance(value, float):
            params[key] = decimal(value, lang)
        elif (
            isinstance(value, str)
            and lang != "en"
            and (key == "arithmetic" or _NUMBER.match(value))
        ):
            params[key] = _DECIMAL_POINT.sub(",", value)
    return gettext(reason.message) % params if params else gettext(reason.message)


def message_text(message: str) -> str:
    """A message from the services in the reader's language: a :class:`Translatable` is
    translated with its values; any other text is shown as it is."""
    if not isinstance(message, Translatable):
        return message
    text = gettext(message.template)
    return text % message.params if message.params else text


def citation(rule: str) -> str:
    """The source a reason cites, in the reader's language ("AVG art. 34 lid 3 sub a")."""
    return gettext(rule)

"""Human words for the audit trail's action codes (the codes themselves stay stable)."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from ..domain.lifecycle import STATE_LABELS, State, TransitionRefused

ACTION_LABELS = {
    "organisation.created": _l("Organisation created"),
    "organisation.profile_updated": _l("Organisation profile changed"),
    "user.created": _l("User created"),
    "user.activated": _l("User activated"),
    "user.password_changed": _l("Password changed"),
    "user.signed_in": _l("Signed in"),
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
    "reminder.failed": _l("Reminder could not be delivered"),
    "organisation.clock_settings_changed": _l("Reminder settings changed"),
    "calendar.token_issued": _l("Calendar link created"),
    "calendar.token_revoked": _l("Calendar link revoked"),
    "user.deactivated": _l("User deactivated"),
    "mail.failed": _l("E-mail could not be sent"),
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

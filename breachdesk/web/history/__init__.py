"""The incident history in words: each audit event as a short line that says what happened,
with the specifics its data holds — which question of the AP sheet, which filing and whether
it was late, which decision, which change of status.

An event's ``before`` and ``after`` are read as they were stored, by whatever version wrote
them (the chain is sealed; nothing here rewrites it): a detail an older event lacks, or that
retention erased, is left out, and such an event reads as its label alone. Reasons, notes and
messages are never repeated: the line says what was done; the texts are on the page.

* :mod:`.reading` — stored values read defensively;
* :mod:`.case` — the report, triage, status, checklist, decision, actions, retention;
* :mod:`.filings` — filings to the AP or the controller, the AP's questions, the answer sheet;
* :mod:`.people` — informing the people affected: duties, notice, list, mailing, letters.
"""

from __future__ import annotations

from ...models import AuditEvent
from ..labels import action_label
from . import case, filings, people
from .reading import Describe, data_of

__all__ = ["DETAILS", "event_words"]


def event_words(event: AuditEvent) -> str:
    """The history line of ``event``: its label, and after a colon what its data says
    ("Melding vastgelegd: eerste melding aan de AP; te laat: na de termijn van 72 uur")."""
    label = action_label(event.action)
    describe = DETAILS.get(event.action)
    if describe is None:
        return label
    try:
        parts = [p for p in describe(data_of(event.before), data_of(event.after)) if p]
    except (LookupError, TypeError, ValueError, AttributeError):
        return label  # data of a shape no version wrote on purpose: the label still stands
    return f"{label}: {'; '.join(parts)}" if parts else label


#: What each kind of event about an incident says beyond its label.
DETAILS: dict[str, Describe] = {
    "incident.reported": case.reported,
    "incident.triaged": case.triaged,
    "incident.triage_corrected": case.triage_corrected,
    "incident.report_corrected": case.report_corrected,
    "incident.awareness_recorded": case.awareness,
    "incident.awareness_corrected": case.awareness,
    "incident.state_changed": case.state_changed,
    "incident.checklist_saved": case.checklist,
    "incident.decided": case.decided,
    "incident.decision_stale": case.advice,
    "incident.decision_current": case.advice,
    "incident.question_asked": case.question_asked,
    "incident.reporter_replied": case.reporter_replied,
    "incident.evidence_added": case.evidence_added,
    "incident.action_added": case.action,
    "incident.action_changed": case.action,
    "incident.evidence_pack_downloaded": case.evidence_pack,
    "incident.imported": case.imported,
    "incident.breach_data_erased": case.breach_data_erased,
    "delivery.failed": case.delivery,
    "delivery.retried": case.delivery,
    "webhook.failed": case.delivery,
    "incident.notification_recorded": filings.filing,
    "incident.answer_saved": filings.answer,
    "incident.answer_reverted": filings.answer,
    "incident.filing_exchange_recorded": filings.exchange,
    "incident.controller_notice_queued": filings.controller_notice,
    "incident.people_duties_recorded": people.people_duties,
    "incident.people_notice_saved": people.people_notice,
    "incident.people_notice_approved": people.people_notice,
    "incident.recipients_staged": people.recipients,
    "incident.recipients_imported": people.recipients,
    "incident.recipients_discarded": people.recipients_discarded,
    "incident.recipients_purged": people.recipients_purged,
    "incident.mailing_started": people.mailing_started,
    "incident.mailing_paused": people.mailing_paused,
    "incident.mailing_resumed": people.mailing_resumed,
    "incident.mailing_retried": people.mailing_resumed,
    "incident.mailing_cancelled": people.mailing_cancelled,
    "incident.letters_posted": people.letters_posted,
    "incident.public_notice_saved": people.public_notice,
}

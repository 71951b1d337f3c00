"""What breachdesk sends, in which order, and how often it tries.

Everything that must go out once — a reminder of the 72-hour term, the escalation at the
deadline, the FG's mail about a new report, the weekly audit checkpoint, the processor's notice
to a controller, and later the notices to the people affected and webhook calls — is one
*delivery*: a row with a kind, a due time, a status and its proof. This module holds the
rules that do not depend on how the rows are stored or sent (``services/delivery`` does that):

* **priority**: deadline reminders and escalations always go before anything else, and
  operational mail (a new report) before bulk mail (notices to many people), so a mass
  mailing can never delay a reminder of a running term;
* **retries**: a failed attempt is tried again after a delay that doubles each time (1, 2, 4,
  8 minutes by default), and after the last attempt the row is ``failed`` — shown and audited,
  never silently dropped;
* **permanent refusals**: a mail server that answers with a 5xx code (no such mailbox, message
  refused) will answer the same next time, so such a row is ``failed`` at once, without
  retries; a 4xx code (mailbox busy, greylisting) is temporary and retried as above;
* **bulk kinds** (notices to the people affected) write no address or error text into the
  audit trail, only the SMTP code: the chain must hold nothing that retention has to erase.
"""

from __future__ import annotations

from datetime import timedelta
from enum import IntEnum, StrEnum

#: What the delivery engine writes before a mail or web server's reply that refuses for good
#: (the reply itself is shown as it came; the page translates these words).
REFUSED_FOR_GOOD = "refused permanently: "


class Status(StrEnum):
    """Life of a row: planned → sending (claimed) → sent; or cancelled; or failed.

    ``held`` is a paused row (a mailing put on hold): never claimed, moved back to
    ``planned`` to resume or to ``cancelled`` to stop.
    """

    PLANNED = "planned"
    SENDING = "sending"
    SENT = "sent"
    CANCELLED = "cancelled"
    FAILED = "failed"
    HELD = "held"


class Priority(IntEnum):
    """Lower goes first."""

    DEADLINE = 0  # reminders and escalations of a running term
    OPERATIONAL = 10  # mail the FG needs now: a new report
    ROUTINE = 20  # checkpoints, confirmations
    BULK = 50  # notices to many people


class Kind(StrEnum):
    REMINDER = "reminder"
    ESCALATION = "escalation"
    NEW_REPORT = "new_report"
    AUDIT_CHECKPOINT = "audit_checkpoint"
    CONTROLLER_NOTICE = "controller_notice"  # the processor's notice to a controller
    PEOPLE_NOTICE = "people_notice"  # the notice to one of the people affected (Art. 34)
    ACTION_OVERDUE = "action_overdue"  # a remedial action past its due date, to its owner
    UNTRIAGED_REMINDER = "untriaged_reminder"  # a report nobody triaged yet, to FG and deputy
    UNTRIAGED_ESCALATION = "untriaged_escalation"  # still not triaged: escalation contact too
    REPORT_CONFIRMATION = "report_confirmation"  # to the reporter, with the follow-up link
    REPORTER_QUESTION = "reporter_question"  # the FG's question, to the reporter
    REPORTER_REPLY = "reporter_reply"  # the reporter answered or added something, to the FG
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a kind of mail: the link to a new password
    INVITATION = "invitation"  # an invitation to join an organisation, to the person invited
    WEBHOOK = "webhook"  # an event POSTed to an organisation's HTTPS endpoint (not an e-mail)


PRIORITY: dict[Kind, Priority] = {
    Kind.REMINDER: Priority.DEADLINE,
    Kind.ESCALATION: Priority.DEADLINE,
    Kind.NEW_REPORT: Priority.OPERATIONAL,
    Kind.AUDIT_CHECKPOINT: Priority.ROUTINE,
    # The notice that meets the processor's term (Art. 33(2)): as urgent as its reminders.
    Kind.CONTROLLER_NOTICE: Priority.DEADLINE,
    Kind.PEOPLE_NOTICE: Priority.BULK,
    Kind.ACTION_OVERDUE: Priority.ROUTINE,
    # A report waiting for triage may already have its 72 hours running.
    Kind.UNTRIAGED_REMINDER: Priority.DEADLINE,
    Kind.UNTRIAGED_ESCALATION: Priority.DEADLINE,
    Kind.REPORT_CONFIRMATION: Priority.ROUTINE,
    Kind.REPORTER_QUESTION: Priority.OPERATIONAL,
    Kind.REPORTER_REPLY: Priority.OPERATIONAL,
    Kind.PASSWORD_RESET: Priority.OPERATIONAL,
    Kind.INVITATION: Priority.OPERATIONAL,
    # Machines, not people: after the mail a person is waiting for, before bulk mail.
    Kind.WEBHOOK: Priority.ROUTINE,
}

#: Kinds sent to many people outside the organisation: their failures are audited without
#: the address or the server's text (only the SMTP code), and they are claimed in larger
#: batches.
BULK_KINDS: frozenset[Kind] = frozenset({Kind.PEOPLE_NOTICE})

DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_RETRY_BASE = timedelta(minutes=1)
DEFAULT_RETRY_CAP = timedelta(minutes=30)


def retry_delay(
    attempts: int, base: timedelta = DEFAULT_RETRY_BASE, cap: timedelta = DEFAULT_RETRY_CAP
) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt (1-based): base × 2^(n−1),
    at most ``cap``."""
    if attempts < 1:
        return base
    return min(cap, base * (1 << min(attempts - 1, 30)))


def gives_up(attempts: int, max_attempts: int = DEFAULT_MAX_ATTEMPTS) -> bool:
    """True when the row has had its last attempt and becomes ``failed``."""
    return attempts >= max_attempts


def is_permanent(code: int) -> bool:
    """True when an SMTP reply ``code`` refuses for good (5xx): trying again cannot help.

    4xx codes (and anything that is not a reply code, such as 0 for "no answer") are
    temporary: the row is tried again with back-off.
    """
    return 500 <= code <= 599

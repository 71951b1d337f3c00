"""The one delivery engine: every message breachdesk must send once goes out through here.

Reminders and escalations of the 72-hour term, the FG's mail about a new report and the
weekly audit checkpoint are rows of one table (:class:`~breachdesk.models.Delivery`), each
with a *kind*. Each kind plans its own rows (the clock's ``replan()`` only touches reminder
and escalation rows) and says how to write its message (a *handler*, see :mod:`.outgoing`);
this engine claims due rows, asks the handler for the message, sends it and keeps the proof.

Delivery guarantee
==================

* **Only one scheduler sends at a time.** A tick first takes (or renews) a lease row with a
  conditional UPDATE; a scheduler that cannot take it does nothing. The holder renews the
  lease while it works; one that dies or stalls loses it when it expires
  (``SCHEDULER_LEASE_SECONDS``, 90 s by default) and another takes over.
* **No row is sent twice by two schedulers.** Before anything is sent, a row is claimed by a
  conditional UPDATE from ``planned`` to ``sending``; exactly one claim can match a row.
* **No claim is left stuck.** A row in ``sending`` whose claimer has gone is claimed again:
  at once when the claimer was this scheduler in an earlier tick that stopped halfway, and
  otherwise when the claim has not been refreshed for ``SCHEDULER_CLAIM_TIMEOUT_SECONDS``
  (60 s; a working claimer refreshes its claims with every lease renewal). The claim timeout
  is shorter than the lease, so a dead scheduler's claims go to the scheduler that takes over
  its lease the moment it does. A scheduler that finds it has lost the lease mid-tick stops
  and hands its unsent claims back.
* **Nothing falls due unseen.** A row that fell due while no scheduler ran is still
  ``planned``; the first tick after a restart sends it, and a reminder then says that it is
  late and when it fell due.
* **A bad row fails alone.** Whatever goes wrong with one row — its message cannot be built
  (a title with a line break, a missing recipient, a bug in a template) or the mail server
  refuses it — is caught for that row: counted as an attempt and tried again after a delay
  that doubles (1, 2, 4, 8 minutes by default), and after the last attempt
  (``DELIVERY_MAX_ATTEMPTS``, 5) marked ``failed``, written to the audit trail and shown to
  the FG in the app. The tick goes on with the next row.
* **Urgent first.** Rows are claimed in order of priority, then due time: reminders and
  escalations of a running term go before operational mail, and that before bulk mail.
* **Proof.** A sent row keeps when it was handed over, to whom, the Message-ID, the
  server's answer and a SHA-256 of the message.
* **The one duplicate left is a crash.** If the process dies after the mail server accepted a
  message but before that one row was marked ``sent`` (each outcome is committed on its own,
  milliseconds after the send), the row is sent again by the next tick. breachdesk prefers a
  duplicate reminder to a missed deadline.
"""

from .engine import DeliverySettings, TickResult, claim_due, tick
from .outgoing import Handler, Outgoing, SendContext, Skip
from .queue import enqueue, failed_recently, recent_for, retry, rows_of

__all__ = [
    "DeliverySettings",
    "Handler",
    "Outgoing",
    "SendContext",
    "Skip",
    "TickResult",
    "claim_due",
    "enqueue",
    "failed_recently",
    "recent_for",
    "retry",
    "rows_of",
    "tick",
]

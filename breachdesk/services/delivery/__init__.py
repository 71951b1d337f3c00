"""The one delivery engine: every message breachdesk must send once goes out through here.

Reminders and escalations of the 72-hour term, the FG's mail about a new report, the
weekly audit checkpoint, the processor's notice to a controller and the notices to the people
affected by a breach (up to 100,000 of them) are rows of one table
(:class:`~breachdesk.models.Delivery`), each with a *kind*. Each kind plans its own rows (the
clock's ``replan()`` only touches reminder and escalation rows) and says how to write its
message (a *handler*, see :mod:`.outgoing`); this engine claims due rows, asks the handler
for the message, sends it and keeps the proof.

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
* **A held row waits.** A row in ``held`` (a paused mailing) is never claimed, however long
  overdue; it goes out only once it is ``planned`` again. A row already claimed when its
  mailing was paused is held by its handler (``Hold``), which reads the mailing's status
  again every two seconds: after a pause, at most the messages of those two seconds go out.
* **A bad row fails alone.** Whatever goes wrong with one row — its message cannot be built
  (a title with a line break, a missing recipient, a bug in a template), the mail server is
  down or refuses it for now — is caught for that row: counted as an attempt and tried again
  after a delay that doubles (1, 2, 4, 8 minutes by default), and after the last attempt
  (``DELIVERY_MAX_ATTEMPTS``, 5) marked ``failed``, written to the audit trail and shown to
  the FG in the app. The tick goes on with the next row.
* **A permanent refusal fails at once.** When the mail server refuses for good — a 5xx code
  for every recipient, for the sender or for the message (DATA) — trying again cannot help:
  the row is ``failed`` after that one attempt, its ``last_error`` reading "refused
  permanently: 550 …", audited and shown like any failed row. A 4xx code (mailbox busy,
  greylisting, the server's own limits) is temporary and retried as above.
* **The audit trail holds no person of a bulk mailing.** For bulk kinds (notices to the
  people affected, see ``BULK_KINDS``) the audit event of a failed row records the SMTP
  code, never the address or the server's text (which names the address); those stay on the
  row, which retention can erase without breaking the chain.
* **Urgent first.** Rows are claimed in order of priority, then due time: reminders and
  escalations of a running term go before operational mail, and that before bulk mail. Bulk
  rows are claimed in larger batches (``bulk_batch_size``, 500) only when nothing more urgent
  is due, and such a batch makes way every third of the lease (30 s): it hands its unsent
  rows back and the next claim takes whatever became more urgent first.
* **One connection per batch.** The rows of one claimed batch go over one connection of the
  mailer (for SMTP: one session, one TLS handshake and login), opened at the first message.
  If it breaks (the server hangs up, a timeout), the row being sent counts as a failed
  attempt and the next row opens a new one. After a refusal the session is reset (RSET) by
  smtplib and carries on. No database transaction (on SQLite: no write lock) is open while a
  message is handed over: a row's reads are committed before its message goes out.
* **Proof.** A sent row keeps when it was handed over, to whom, the Message-ID, the
  server's answer to DATA and a SHA-256 of the bytes handed over with it.
* **Webhook calls are rows too** (kind ``webhook``, one row per event and endpoint). Their
  handler prepares an HTTP POST instead of an e-mail (:class:`WebhookRequest`); the
  transport (:mod:`.webhook_http`) resolves the host, checks every address against the SSRF
  rule, connects to a checked address, signs the body with a fresh timestamp and follows no
  redirect. A 2xx answer is delivered (proof: the status, a short excerpt of the answer, the
  address called, the SHA-256 of the body); a 3xx, a 4xx other than 408/429 and a target the
  rule refuses fail at once, like an SMTP 5xx; a 5xx, 408, 429, a timeout
  (``WEBHOOK_TIMEOUT_SECONDS``) or a connection error is retried with the same back-off. The
  audit event of a failed call holds its status code, not what the receiver answered.
* **A duplicate only after a crash, at most one.** Each row's outcome is committed on its own,
  milliseconds after the server accepted its message, and the next message of a batch is
  handed over only after that commit, also over a reused connection. So if the process dies
  after the server accepted a message but before its row was marked ``sent``, exactly that
  one message is sent again by the next tick — at most one per crash. The same holds when a
  connection is lost after the server took a message but before its answer arrived (the row
  counts as a failed attempt and is retried). breachdesk prefers a duplicate reminder to a
  missed deadline.
"""

from .engine import claim_due, tick
from .outgoing import Handler, Hold, Outgoing, SendContext, Skip, WebhookRequest
from .queue import enqueue, failed_recently, recent_for, retry, rows_of
from .settings import DeliverySettings, TickResult
from .webhook_http import HttpReceipt, WebhookFailure, WebhookTransport

__all__ = [
    "DeliverySettings",
    "Handler",
    "Hold",
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
    "HttpReceipt",
    "WebhookFailure",
    "WebhookRequest",
    "WebhookTransport",
]

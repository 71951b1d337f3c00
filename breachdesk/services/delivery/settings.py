"""How the engine sends (its settings) and what one tick did (its result)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from ...domain.delivery import DEFAULT_MAX_ATTEMPTS, DEFAULT_RETRY_BASE, DEFAULT_RETRY_CAP
from ...domain.reminders import LATE_AFTER

#: Rows claimed at once: small enough that the lease is renewed often during a slow batch.
BATCH_SIZE = 100
#: Rows of bulk kinds claimed at once (when nothing more urgent is due): each claim sorts the
#: due queue (~50 ms with 100,000 rows due on SQLite), so larger batches cost less per message.
#: A bulk batch still makes way every lease/3 (30 s) for rows that fell due meanwhile.
BULK_BATCH_SIZE = 500


@dataclass(frozen=True)
class DeliverySettings:
    """How the engine sends (from the ``SCHEDULER_*`` and ``DELIVERY_*`` settings)."""

    mail_from: str
    base_url: str
    #: The installation's secret key: handlers derive private links from it (the reporter's
    #: follow-up link), so those links need not be stored.
    secret_key: str = ""
    lease: timedelta = timedelta(seconds=90)
    late_after: timedelta = LATE_AFTER
    #: Another scheduler's claim is taken over once it is this old and not refreshed. Shorter
    #: than the lease (so a dead scheduler's claims go as soon as its lease has), longer than
    #: the SMTP timeout and the refresh (every lease/3), so a live claimer is never robbed.
    claim_timeout: timedelta = timedelta(seconds=60)
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    retry_base: timedelta = DEFAULT_RETRY_BASE
    retry_cap: timedelta = DEFAULT_RETRY_CAP
    batch_size: int = BATCH_SIZE
    bulk_batch_size: int = BULK_BATCH_SIZE


@dataclass
class TickResult:
    """What one tick did; ``skipped`` is True when another scheduler holds the lease."""

    skipped: bool = False
    sent: int = 0
    late: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    lost_lease: bool = False
    #: A bulk row could not be handed over for a reason that is the connection's, not the
    #: row's; the tick then sends no more bulk rows (see :func:`_connection_trouble`).
    bulk_stopped: bool = False
    delays: list[float] = field(default_factory=list)  # seconds from planned to handed over

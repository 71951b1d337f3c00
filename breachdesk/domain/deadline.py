"""The 72-hour term of Art. 33(1) GDPR.

The term runs from the moment the controller became aware of the breach (kennisname) and is
counted in clock hours, nights, weekends and holidays included. It is computed in UTC, so a
daylight-saving change in Europe/Amsterdam does not add or remove an hour: awareness on
24 October 2026 12:00 Amsterdam (10:00 UTC) gives 27 October 2026 11:00 Amsterdam (10:00 UTC).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from .timeutil import ensure_utc

NOTIFICATION_TERM = timedelta(hours=72)


def due_at(aware_at: datetime) -> datetime:
    """The deadline for notifying the supervisory authority (aware UTC in, aware UTC out)."""
    return ensure_utc(aware_at) + NOTIFICATION_TERM


def time_left(aware_at: datetime, now: datetime) -> timedelta:
    """Time until the deadline; negative once it has passed."""
    return due_at(aware_at) - ensure_utc(now)

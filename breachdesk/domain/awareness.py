"""Recording when the organisation became aware of a breach (kennisname, DOMAIN.md §a.3).

Awareness means a reasonable degree of certainty that a security incident compromised
personal data; it starts the 72-hour term. The FG records it; the first value needs no
explanation, every later change does (and the earlier values are kept), because moving the
moment of awareness moves the deadline.
"""

from __future__ import annotations

from datetime import datetime

from .text import N_
from .timeutil import FUTURE_TOLERANCE, ensure_utc


def awareness_problem(
    new: datetime, current: datetime | None, reason: str, now: datetime
) -> str | None:
    """Why ``new`` cannot be recorded now (an English template), or None if it can."""
    if ensure_utc(new) > ensure_utc(now) + FUTURE_TOLERANCE:
        return N_("The moment of awareness cannot be in the future.")
    if current is not None and ensure_utc(new) != ensure_utc(current) and not reason.strip():
        return N_("Changing the moment of awareness moves the deadline: write down why.")
    return None

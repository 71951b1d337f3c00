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
    new: datetime,
    current: datetime | None,
    reason: str | None,
    now: datetime,
    *,
    started_at: datetime | None = None,
    first_filed_at: datetime | None = None,
) -> str | None:
    """Why ``new`` cannot be recorded now (an English template), or None if it can.

    Awareness follows the start of the breach, and the AP cannot have been notified of a
    breach before the organisation was aware of it: a moment outside those bounds would put a
    false deadline (and a false "on time" or "late") in the register. (It may precede the
    report's moment of discovery: the FG can learn of a breach from a processor or the news
    before a colleague reports it.) ``reason`` None means it is not known (a form could not
    read it): the rule that a change needs one is then skipped.
    """
    moment = ensure_utc(new)
    if moment > ensure_utc(now) + FUTURE_TOLERANCE:
        return N_("The moment of awareness cannot be in the future.")
    if started_at is not None and moment < ensure_utc(started_at):
        return N_("The moment of awareness cannot lie before the breach began.")
    if first_filed_at is not None and moment > ensure_utc(first_filed_at):
        return N_(
            "The AP was notified before this moment: awareness cannot lie after the first filing."
        )
    changed = current is not None and moment != ensure_utc(current)
    if changed and reason is not None and not reason.strip():
        return N_("Changing the moment of awareness moves the deadline: write down why.")
    return None

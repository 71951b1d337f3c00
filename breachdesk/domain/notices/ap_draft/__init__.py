"""Drafted answers to the AP form, from what breachdesk knows about an incident.

The drafting itself is in :mod:`.drafting`; this package re-exports its public names, so
``from breachdesk.domain.notices.ap_draft import SheetFacts`` keeps working.
"""

from .common import Draft, Status
from .consequences import (
    _CONSEQUENCES as _CONSEQUENCES,  # read by a test: every consequence has words
)
from .drafting import draft_answers
from .facts import DataItem, DecisionSummary, Informing, Person, SheetFacts

__all__ = [
    "DataItem",
    "DecisionSummary",
    "Draft",
    "Informing",
    "Person",
    "SheetFacts",
    "Status",
    "draft_answers",
]

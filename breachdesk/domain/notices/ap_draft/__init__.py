"""Drafted answers to the AP form, from what breachdesk knows about an incident.

:func:`draft_answers` (in :mod:`.drafting`) drafts every question of a form table. The
answers are drafted in a module per section of the AP form:

* :mod:`.introduction` — 1 Introductie and 2 Internationale aspecten;
* :mod:`.controller` — 3 De verwerkingsverantwoordelijke;
* :mod:`.breach` — 4 Tijdlijn and 5 Gegevens over de inbreuk;
* :mod:`.data_and_people` — 6 Welke persoonsgegevens and 7 Getroffen personen;
* :mod:`.measures` — 8 Maatregelen vooraf, and 10.2 the measures taken afterwards;
* :mod:`.consequences` — 9 Gevolgen, with the severity;
* :mod:`.informing` — 10.1 informing the people affected.

What they read is in :mod:`.facts` (:class:`SheetFacts`); what they return, and the helpers
they share, in :mod:`.common` (:class:`Draft`, :class:`Status`). The public names are
re-exported here: ``from breachdesk.domain.notices.ap_draft import SheetFacts`` works.
"""

from .common import Draft, Status
from .consequences import (
    _CONSEQUENCES as _CONSEQUENCES,  # read by a test: every consequence has words
)
from .drafting import draft_answers
from .facts import DataItem, DecisionSummary, Group, Informing, Person, SheetFacts

__all__ = [
    "DataItem",
    "DecisionSummary",
    "Draft",
    "Group",
    "Informing",
    "Person",
    "SheetFacts",
    "Status",
    "draft_answers",
]

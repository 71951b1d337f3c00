"""Sections 1 and 2 of the AP form: the notification itself and its international aspects.

1.1 one breach or a bulk notification, 1.2 the law it is made under (the
Telecommunicatiewet for a telecom provider), 1.3 other notification duties (the profile's
other supervisors); 2.1.1 people in several countries and 2.2.1 supervisors in other
countries — breachdesk records neither, so it proposes "no" for the FG to confirm.
"""

from __future__ import annotations

from ...text import N_
from .common import Draft, Status, _d, _Words
from .facts import SheetFacts

# --- 1 Introductie --------------------------------------------------------------------------


def _q1_1(f: SheetFacts, w: _Words) -> Draft:
    return _d(
        w("Eén datalek (reguliere melding)", "One breach (regular notification)"),
        ("single",),
        reason=N_("A bulk notification needs the AP's written permission beforehand."),
    )


def _q1_2(f: SheetFacts, w: _Words) -> Draft:
    if f.organisation.telecom_provider:
        return _d(
            w("Telecommunicatiewet (en AVG, artikel 33)", "Telecommunications Act (and GDPR)"),
            ("tw",),
            Status.NEEDS_WORDS,
            N_(
                "A telecom provider also notifies under the Telecommunicatiewet: choose the law "
                "the AP's form offers for this breach."
            ),
        )
    return _d(w("AVG, artikel 33", "GDPR, Article 33"), ("avg",))


def _q1_3(f: SheetFacts, w: _Words) -> Draft:
    if f.other_supervisors:
        return _d(
            w(
                "Mogelijk ook te melden bij: " + w.listing(f.other_supervisors) + ".",
                "Possibly also to be notified to: " + w.listing(f.other_supervisors) + ".",
            ),
            (),
            Status.NEEDS_WORDS,
            N_("The profile names other notification duties: say whether they were notified."),
        )
    return _d(
        w("Nee", "No"),
        ("no",),
        reason=N_("The profile names no other notification duty."),
    )


# --- 2 Internationale aspecten -----------------------------------------------------------------


def _q2_1_1(f: SheetFacts, w: _Words) -> Draft:
    return _d(
        w(
            "Nee, voor zover bekend alleen personen in Nederland.",
            "No, as far as known only people in the Netherlands.",
        ),
        ("no",),
        Status.NEEDS_WORDS,
        N_("breachdesk does not record where the people live: confirm or correct."),
    )


def _q2_2_1(f: SheetFacts, w: _Words) -> Draft:
    return _d(
        w("Nee", "No"),
        ("no",),
        Status.NEEDS_WORDS,
        N_("Only you know whether another country's supervisor was told: confirm."),
    )

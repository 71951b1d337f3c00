"""The language of the notice to the people affected: :class:`Words` picks Dutch or English
and writes dates and times as people read them; and the fixed phrases for each consequence and
each first measure, in plain B1 Dutch with "u" and in English."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ..checklist import Consequence
from ..timeutil import utc_to_local

_MONTHS_NL = (
    "januari februari maart april mei juni juli augustus september oktober november december"
).split()
_MONTHS_EN = (
    "January February March April May June July August September October November December"
).split()


class Words:
    """The notice's language: ``w("nl text", "en text")`` picks one; dates for people."""

    def __init__(self, lang: str) -> None:
        if lang not in ("nl", "en"):
            raise ValueError(f"unsupported language {lang!r}")
        self.lang = lang

    def __call__(self, nl: str, en: str) -> str:
        return nl if self.lang == "nl" else en

    def day(self, value: datetime) -> str:
        """ "18 november 2026" (the date in the Netherlands)."""
        local = utc_to_local(value)
        months = _MONTHS_NL if self.lang == "nl" else _MONTHS_EN
        return f"{local.day} {months[local.month - 1]} {local.year}"

    def clock(self, value: datetime) -> str:
        """ "9.30 uur" / "9:30" (Dutch time)."""
        local = utc_to_local(value)
        return self(f"{local.hour}.{local.minute:02d} uur", f"{local.hour}:{local.minute:02d}")

    def moment(self, value: datetime) -> str:
        return self.day(value) + self(" om ", " at ") + self.clock(value)

    def listing(self, items: Sequence[str]) -> str:
        items = [i for i in items if i]
        if len(items) <= 1:
            return "".join(items)
        return ", ".join(items[:-1]) + self(" en ", " and ") + items[-1]


DUTCH_TIME = (" (Nederlandse tijd)", " (Dutch time)")

#: Each consequence in plain words for the people affected (B1 Dutch, English).
CONSEQUENCES = {
    Consequence.IDENTITY_FRAUD: (
        "Iemand kan doen alsof hij of zij u is (identiteitsfraude).",
        "Someone may pretend to be you (identity fraud).",
    ),
    Consequence.FINANCIAL_LOSS: (
        "U kunt geld kwijtraken.",
        "You may lose money.",
    ),
    Consequence.DISCRIMINATION: (
        "U kunt anders of oneerlijk behandeld worden.",
        "You may be treated differently or unfairly.",
    ),
    Consequence.REPUTATION: (
        "Anderen kunnen dingen over u te weten komen die u liever voor uzelf houdt.",
        "Others may learn things about you that you would rather keep to yourself.",
    ),
    Consequence.PSYCHOLOGICAL_HARM: (
        "U kunt zich hierdoor ongerust of onveilig voelen.",
        "This may make you feel worried or unsafe.",
    ),
    Consequence.PHYSICAL_HARM: (
        "Uw veiligheid kan in gevaar komen.",
        "Your safety may be at risk.",
    ),
    Consequence.LOSS_OF_CONTROL: (
        "U weet niet meer precies wie uw gegevens heeft.",
        "You no longer know exactly who has your data.",
    ),
    Consequence.LOSS_OF_CONFIDENTIALITY_SECRECY: (
        "Gegevens die geheim moesten blijven, kunnen door anderen gezien zijn.",
        "Data that had to stay secret may have been seen by others.",
    ),
    Consequence.PHISHING_OR_SPAM: (
        "U kunt nepberichten krijgen die echt lijken (phishing), of meer reclame die u niet "
        "wilt (spam).",
        "You may get fake messages that look real (phishing), or more unwanted advertising (spam).",
    ),
    Consequence.SERVICE_DISRUPTION: (
        "Onze dienst aan u kan vertraging hebben gehad of tijdelijk niet hebben gewerkt.",
        "Our service to you may have been delayed or temporarily unavailable.",
    ),
    Consequence.SERVICE_UNAVAILABLE: (
        "Onze dienst was een tijd niet te gebruiken.",
        "Our service could not be used for a while.",
    ),
    Consequence.NONE_LIKELY: (
        "Wij verwachten niet dat dit datalek nadelige gevolgen voor u heeft.",
        "We do not expect this breach to harm you.",
    ),
}

#: Each first measure of the checklist's containment, as the people affected read it.
MEASURES = {
    "recall_email": (
        "Wij hebben geprobeerd de e-mail terug te halen.",
        "We tried to recall the e-mail.",
    ),
    "asked_deletion": (
        "Wij hebben de ontvanger gevraagd de gegevens te verwijderen.",
        "We asked the recipient to delete the data.",
    ),
    "remote_wipe": ("Wij hebben het apparaat op afstand gewist.", "We wiped the device remotely."),
    "password_reset": ("Wij hebben wachtwoorden veranderd.", "We changed passwords."),
    "access_blocked": (
        "Wij hebben de toegang tot de gegevens geblokkeerd.",
        "We blocked access to the data.",
    ),
    "retrieved": ("Wij hebben de gegevens teruggekregen.", "We got the data back."),
}

"""The text of reminder and escalation e-mails: Dutch first, English second, in one message.

What people typed (the title, the controller's name) is folded onto one line and quoted, so it
can never add a line that passes for the message's own (a forged "Open the incident" link).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from babel.support import NullTranslations, Translations

from ..domain.ap_facts import MISSING_LABELS
from ..domain.deadline import Duty
from ..domain.delivery import Kind
from ..domain.formatting import long_datetime
from ..domain.reminders import suggests_provisional
from ..domain.text import single_line
from ..models import Delivery, Incident
from .deadlines import clock_of, missing_facts


@lru_cache(maxsize=1)
def _dutch_catalogue() -> NullTranslations:
    """The Dutch catalogue: reminders are written in Dutch and English whatever the request."""
    folder = Path(__file__).resolve().parent.parent / "translations"
    return Translations.load(str(folder), ["nl"])


def _dutch(message: str) -> str:
    return _dutch_catalogue().gettext(message)


def _nl(value: datetime) -> str:
    return long_datetime(value, "nl")


def _en(value: datetime) -> str:
    return long_datetime(value, "en")


def _left(delta: timedelta) -> tuple[str, str]:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 0:
        h, m = divmod(-minutes, 60)
        return f"{h} uur {m:02d} min over de termijn", f"{h} h {m:02d} min past the deadline"
    h, m = divmod(minutes, 60)
    return f"nog {h} uur {m:02d} min", f"{h} h {m:02d} min left"


def subject(reminder: Delivery, incident: Incident, now: datetime) -> str:
    clock = clock_of(incident, now)
    assert clock is not None  # noqa: S101 - only running clocks have reminders
    nl, en = _left(clock.time_left(now))
    if reminder.kind == Kind.ESCALATION.value:
        title = single_line(incident.title)
        return f"[{incident.reference}] TERMIJN VERSTREKEN / DEADLINE PASSED: {title}"
    return f"[{incident.reference}] Herinnering: {nl} / Reminder: {en}"


def text(reminder: Delivery, incident: Incident, now: datetime, late: bool, base_url: str) -> str:
    clock = clock_of(incident, now)
    assert clock is not None  # noqa: S101 - only running clocks have reminders
    org = incident.organisation
    org_name, title = single_line(org.name), f"“{single_line(incident.title)}”"
    controller = single_line(incident.controller_name)
    link = f"{base_url.rstrip('/')}/incidents/{incident.id}"
    nl_left, en_left = _left(clock.time_left(now))
    to_ap = clock.duty is Duty.AP
    nl_duty = (
        "het datalek te melden bij de Autoriteit Persoonsgegevens (art. 33 lid 1 AVG)"
        if to_ap
        else f"de verwerkingsverantwoordelijke ({controller or 'onbekend'}) "
        "te informeren (art. 33 lid 2 AVG, termijn uit de verwerkersovereenkomst)"
    )
    en_duty = (
        "notify the breach to the Autoriteit Persoonsgegevens (Art. 33(1) GDPR)"
        if to_ap
        else f"inform the controller ({controller or 'unknown'}) "
        "(Art. 33(2) GDPR, term from the processing agreement)"
    )
    nl: list[str] = []
    en: list[str] = []
    if late:
        nl.append(
            f"LET OP: deze herinnering is te laat verstuurd. Hij viel op "
            f"{_nl(reminder.planned_due_at)}; breachdesk kon hem toen niet versturen "
            "(de planner draaide niet of de mailserver was niet bereikbaar).\n"
        )
        en.append(
            f"NOTE: this reminder is late. It fell due on {_en(reminder.planned_due_at)}; "
            "breachdesk could not send it then (the scheduler was not running or the mail "
            "server could not be reached).\n"
        )
    if reminder.kind == Kind.ESCALATION.value:
        nl.append(f"De termijn om {nl_duty} is verstreken en er is nog geen melding vastgelegd.")
        en.append(f"The term to {en_duty} has passed and no notification has been recorded.")
    else:
        nl.append(f"Er loopt een termijn om {nl_duty}.")
        en.append(f"A term is running to {en_duty}.")
    nl.append(
        f"\n  Organisatie:  {org_name}\n  Kenmerk:      {incident.reference}\n"
        f"  Titel:        {title}\n  Kennisname:   {_nl(clock.aware_at)}\n"
        f"  Uiterlijk:    {_nl(clock.deadline)} (Nederlandse tijd)\n  Tijd:         {nl_left}\n"
    )
    en.append(
        f"\n  Organisation: {org_name}\n  Reference:    {incident.reference}\n"
        f"  Title:        {title}\n  Aware since:  {_en(clock.aware_at)}\n"
        f"  Deadline:     {_en(clock.deadline)} (Amsterdam time)\n  Time:         {en_left}\n"
    )
    missing = missing_facts(incident) if to_ap else []
    if to_ap and suggests_provisional(clock.aware_at, now) and missing:
        nl.append(
            "Nog niet bekend: "
            + "; ".join(_dutch(MISSING_LABELS[c]) for c in missing)
            + ".\nWacht daar niet op: meld nu voorlopig en vul de melding later aan "
            "(art. 33 lid 4 AVG)."
        )
        en.append(
            "Still missing: "
            + "; ".join(MISSING_LABELS[c] for c in missing)
            + ".\nDo not wait for them: notify provisionally now and supplement later "
            "(Art. 33(4) GDPR)."
        )
    if reminder.kind == Kind.ESCALATION.value and to_ap:
        nl.append(
            "Meld alsnog zo snel mogelijk, met de redenen voor de vertraging (art. 33 lid 1 AVG)."
        )
        en.append("Notify as soon as possible, with the reasons for the delay (Art. 33(1) GDPR).")
    nl.append(f"\nOpen het incident: {link}")
    en.append(f"\nOpen the incident: {link}")
    return "\n".join(nl) + "\n\n-- English --\n\n" + "\n".join(en) + "\n\n--\nbreachdesk\n"

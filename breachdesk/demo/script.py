"""The script of the demo incidents: what happened at each demo organisation, when, and how far
the FG got (see :mod:`.incidents`, which plays it). Each report names only kinds of data its
organisation's profile lists (``data_category_keys``), and its text mentions no others; what the
profile does not list is in the reporter's words (``data_other``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..domain.checklist import (
    BreachType,
    Consequence,
    Misuse,
    PasswordProtection,
    Recipients,
    Tri,
)
from ..domain.report import Containment, Protection


@dataclass(frozen=True)
class DemoIncident:
    """One scripted incident; hours are counted back from the moment of loading."""

    slug: str
    title: str
    description: str
    discovery_how: str
    discovered_hours_ago: float
    subjects: int
    protection: Protection
    containment: tuple[Containment, ...]
    aware_hours_ago: float | None  # None: reported, awaiting triage
    # The kinds of data the report names: keys of the organisation's profile, matching the text.
    data_category_keys: tuple[str, ...] = ()
    # Kinds of data the profile does not list, in the reporter's words.
    data_other: str = ""
    # What the FG's triage finds was breached; a lost or destroyed carrier is at least an
    # availability breach (the guidance's own example, EDPB Guidelines 9/2022), whatever else
    # it may be.
    breach_types: frozenset[BreachType] = frozenset({BreachType.CONFIDENTIALITY})
    notified_hours_ago: float | None = None  # the AP notification was filed then
    meldnummer: str = ""
    # As processor the organisation informs its controller (Art. 33(2) GDPR), not the AP.
    controller_name: str = ""
    # The FG's checklist answers beyond the pre-filled ones; with them the checklist is
    # confirmed and the recommendation followed as the decision (before any filing).
    checklist: tuple[tuple[str, Any], ...] = ()


SCRIPT: tuple[DemoIncident, ...] = (
    DemoIncident(
        slug="leiz",
        title="[DEMO] Klantenlijst naar verkeerde klant gemaild",
        description=(
            "Bij het versturen van een offerte is per ongeluk een Excel-lijst met namen, "
            "adressen en telefoonnummers van 38 klanten meegestuurd naar één andere klant."
        ),
        discovery_how="De ontvanger belde ons op en meldde de bijlage.",
        discovered_hours_ago=1,
        subjects=38,
        protection=Protection.NONE,
        containment=(Containment.ASKED_DELETION,),
        aware_hours_ago=None,
        data_category_keys=("voor-en-achternaam", "adresgegevens", "telefoonnummer"),
    ),
    DemoIncident(
        slug="leiz",
        title="[DEMO] Ruwe opnames van een opdrachtgever via openbare deellink",
        description=(
            "Voor een opdrachtgever gefilmde ruwe opnames van een open dag (herkenbare "
            "leerlingen en ouders) stonden drie dagen in een map met een openbare deellink. "
            "De link is in een nieuwsbrief van de opdrachtgever terechtgekomen; de map is "
            "twaalf keer geopend."
        ),
        discovery_how="De opdrachtgever vroeg waarom de ruwe opnames voor iedereen te zien waren.",
        discovered_hours_ago=6,
        subjects=180,
        protection=Protection.NONE,
        containment=(Containment.ACCESS_BLOCKED,),
        aware_hours_ago=5,
        data_category_keys=("filmbeelden-en-fotos",),
        controller_name="Stichting Openbaar Onderwijs De Horizon (opdrachtgever, fictief)",
    ),
    DemoIncident(
        slug="kruix",
        title="[DEMO] Laptop met cliëntdossiers gestolen uit auto",
        description=(
            "Een laptop van een medewerker is uit een geparkeerde auto gestolen. Op de laptop "
            "stonden lokale kopieën van dossiers van ongeveer 120 cliënten. De schijf was "
            "versleuteld, maar het wachtwoord zat op een briefje in de tas."
        ),
        discovery_how="De medewerker meldde de diefstal de volgende ochtend aan de servicedesk.",
        discovered_hours_ago=22,
        subjects=120,
        protection=Protection.PARTIALLY,
        containment=(Containment.REMOTE_WIPE, Containment.PASSWORD_RESET),
        aware_hours_ago=20,
        data_category_keys=("algemene-gegevens", "aangevraagde-dienst", "contacthistorie"),
    ),
    DemoIncident(
        slug="luxigo",
        title="[DEMO] Klantaccounts overgenomen na phishingmail",
        description=(
            "Na een phishingcampagne zijn met gestolen wachtwoorden 45 klantaccounts "
            "overgenomen; de aanvallers konden naam, adres en bestelgeschiedenis inzien."
        ),
        discovery_how="Klanten meldden bestellingen die zij niet hadden gedaan.",
        discovered_hours_ago=64,
        subjects=45,
        protection=Protection.NONE,
        containment=(Containment.PASSWORD_RESET, Containment.ACCESS_BLOCKED),
        aware_hours_ago=63,
        data_category_keys=("voor-en-achternaam", "adresgegevens", "bestelgegevens"),
    ),
    DemoIncident(
        slug="luxigo",
        title="[DEMO] Wachtwoorden uitgelekt via een oude koppeling van de webwinkel",
        description=(
            "Via een vergeten testkoppeling van de webwinkel zijn namen, e-mailadressen en "
            "wachtwoorden van 260 klantaccounts gekopieerd. De wachtwoorden waren opgeslagen "
            "met een verouderde, ongezouten hash. Er zijn al phishingmails aan klanten gezien."
        ),
        discovery_how="De hostingpartij zag ongebruikelijk verkeer op een testomgeving.",
        discovered_hours_ago=120,
        subjects=260,
        protection=Protection.NONE,
        containment=(Containment.PASSWORD_RESET, Containment.ACCESS_BLOCKED),
        aware_hours_ago=118,
        data_category_keys=("voor-en-achternaam", "e-mailadres"),
        data_other="Wachtwoorden van klantaccounts (als ongezouten hash)",
        notified_hours_ago=100,
        meldnummer="DEMO-2026-0002",
        checklist=(
            ("malicious", Tri.YES),
            ("exfiltration", Tri.YES),
            ("recipients", Recipients.MANY_OR_UNKNOWN),
            ("credentials", Tri.YES),
            ("password_protection", PasswordProtection.WEAK_HASH),
            ("misuse", Misuse.ALREADY_MISUSED),
            ("financial_undertaking", Tri.NO),
            ("consequences", frozenset({Consequence.PHISHING_OR_SPAM})),
        ),
    ),
    DemoIncident(
        slug="levensmozaiek",
        title="[DEMO] USB-stick met deelnemersgegevens kwijtgeraakt",
        description=(
            "Een onversleutelde USB-stick met een deelnemerslijst (namen, adressen, "
            "telefoonnummers en e-mailadressen) van een cursus is na afloop niet meer "
            "teruggevonden."
        ),
        discovery_how="De docent miste de stick bij het opruimen van de cursusruimte.",
        discovered_hours_ago=80,
        subjects=25,
        protection=Protection.NONE,
        containment=(),
        aware_hours_ago=78,
        data_category_keys=("voor-en-achternaam", "adresgegevens", "telefoonnummer", "e-mailadres"),
        breach_types=frozenset({BreachType.AVAILABILITY, BreachType.CONFIDENTIALITY}),
    ),
    DemoIncident(
        slug="123samenleven",
        title="[DEMO] Nieuwsbrief verstuurd met alle adressen zichtbaar in cc",
        description=(
            "De maandelijkse nieuwsbrief is verstuurd met alle 640 e-mailadressen in het "
            "cc-veld in plaats van bcc, zodat iedere ontvanger alle adressen kon zien."
        ),
        discovery_how="Meerdere ontvangers reageerden met 'allen beantwoorden'.",
        discovered_hours_ago=51,
        subjects=640,
        protection=Protection.NONE,
        containment=(Containment.RECALL_EMAIL,),
        aware_hours_ago=50,
        data_category_keys=("e-mailadres",),
        notified_hours_ago=30,
        meldnummer="DEMO-2026-0001",
    ),
)


#: How far back the script reaches: the organisations and accounts exist before its first report.

"""What people can do themselves after a breach: advice blocks, chosen by the data involved.

A versioned table (like :mod:`.ap_2022` for the AP form): each :class:`AdviceBlock` says when
it applies — the kinds of data involved (:class:`DataKind`), consequences the FG established
in the checklist, or always — and holds the advice in plain Dutch (B1, "u"-form, short
sentences) and English. A new wording is a new table with a new key, so a notice drafted
earlier can say which wording it started from.

The kinds of data are read from :class:`~.ap_draft.SheetFacts` by :func:`kinds_involved`:

* the risk checklist, where the FG has answered: "yes" adds a kind, "no" rules it out even if a
  category's name suggests it (the FG's finding wins over a name);
* otherwise the profile's flags of the reported categories (BSN, special categories) and the
  words in their names and in the reporter's free text (``e-mailadres``, ``IBAN``,
  ``paspoort`` …) — the names are the organisation's own inventory;
* health is a kind when a name speaks of health and the checklist has not ruled out special
  categories of data.

Advice about disclosed data (phishing, bank statements, a new ID document …) applies only when
the breach may have disclosed the data (confidentiality, or the nature is not yet recorded): a
backup that was lost for a day gives no one a password. Advice against scams in our name
(phishing, calls) follows from an e-mail address or phone number only when the data may have
reached people we do not know — an attacker, the public, an unknown number of people — not
when one known person got a misaddressed letter; an established risk of phishing brings it
always. The advice on contacting us applies always.

Source of the identity advice: the RvIG's page "Centraal Meldpunt Identiteitsfraude" (what to
do after a data breach: a leaked BSN need not be changed; after a leaked copy of an identity
document, apply for a new one at the municipality as a precaution; report misuse to the CMI).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from ..checklist import BreachType, Consequence, Recipients, Tri
from ..profile import EnisaClass
from .ap_draft import SheetFacts

ADVICE_VERSION = "advice-2026-12"


class DataKind(StrEnum):
    """A kind of data that calls for its own advice."""

    CREDENTIALS = "credentials"  # passwords, login or access codes
    EMAIL = "email"  # e-mail addresses
    PHONE = "phone"  # phone numbers
    FINANCIAL = "financial"  # bank account (IBAN), card or payment data
    ID_DOCUMENT = "id_document"  # (a copy of) a passport, identity card or driving licence
    BSN = "bsn"  # burgerservicenummer or another number prescribed by law
    HEALTH = "health"  # health data (a special category, Art. 9 GDPR)
    LOCATION = "location"  # where someone is or was
    PHOTOS = "photos"  # photos, film or video of the person
    CHILDREN = "children"  # data of children


@dataclass(frozen=True)
class AdviceBlock:
    """One piece of advice. It applies when the notice is ``always`` given, or when any of
    ``kinds`` is involved or any of ``consequences`` was established (and, for advice about
    disclosed data, the breach may have disclosed them). With ``strangers_only`` the kinds
    count only when the data may have reached people we do not know."""

    key: str
    title_nl: str
    title_en: str
    nl: str
    en: str
    kinds: frozenset[DataKind] = frozenset()
    consequences: frozenset[Consequence] = frozenset()
    always: bool = False
    strangers_only: bool = False

    def title(self, lang: str) -> str:
        return self.title_nl if lang == "nl" else self.title_en

    def text(self, lang: str) -> str:
        return self.nl if lang == "nl" else self.en


@dataclass(frozen=True)
class AdviceTable:
    """All blocks of one version, in the order a notice gives them."""

    key: str
    source: str
    blocks: tuple[AdviceBlock, ...]

    def block(self, key: str) -> AdviceBlock | None:
        return next((b for b in self.blocks if b.key == key), None)


_K = DataKind

_BLOCKS = (
    AdviceBlock(
        "password",
        "Verander uw wachtwoord",
        "Change your password",
        "Verander uw wachtwoord. Gebruikt u hetzelfde wachtwoord ook ergens anders? "
        "Verander het daar dan ook. Kies voor elke website een ander wachtwoord. "
        "Kan het? Zet dan inloggen in twee stappen aan.",
        "Change your password. Do you use the same password anywhere else? Then change it "
        "there too. Use a different password for every website. If you can, turn on "
        "two-step login.",
        kinds=frozenset({_K.CREDENTIALS}),
    ),
    AdviceBlock(
        "bank",
        "Let op uw bankrekening",
        "Keep an eye on your bank account",
        "Kijk de komende maanden goed naar uw bankrekening. Ziet u een betaling die u niet "
        "kent? Neem dan meteen contact op met uw bank. Krijgt u een rekening die u niet "
        "verwacht? Betaal dan niet zomaar. Kijk eerst goed of die klopt.",
        "Check your bank account carefully over the coming months. Do you see a payment you "
        "do not recognise? Contact your bank straight away. Do you get a bill you did not "
        "expect? Do not just pay it. First check that it is genuine.",
        kinds=frozenset({_K.FINANCIAL}),
        consequences=frozenset({Consequence.FINANCIAL_LOSS}),
    ),
    AdviceBlock(
        "id_document",
        "Vraag uit voorzorg een nieuw identiteitsbewijs aan",
        "Apply for a new identity document as a precaution",
        "Met een kopie van uw paspoort, identiteitskaart of rijbewijs kan iemand doen alsof "
        "hij of zij u is. Dat heet identiteitsfraude. De Rijksdienst voor "
        "Identiteitsgegevens (RvIG) raadt aan om uit voorzorg een nieuw identiteitsbewijs aan "
        "te vragen. Dat doet u bij uw gemeente. Merkt u dat iemand uw gegevens misbruikt? "
        "Doe dan aangifte bij de politie. Meld het ook bij het Centraal Meldpunt "
        "Identiteitsfraude van de RvIG (rvig.nl).",
        "With a copy of your passport, identity card or driving licence, someone can pretend "
        "to be you. This is called identity fraud. The Dutch National Office for Identity "
        "Data (RvIG) advises you to apply for a new identity document as a precaution. You "
        "do this at your municipality. Do you notice that someone is misusing your details? "
        "Report it to the police. Also report it to the RvIG's Central Identity Fraud "
        "Reporting Point (rvig.nl).",
        kinds=frozenset({_K.ID_DOCUMENT}),
    ),
    AdviceBlock(
        "bsn",
        "Uw burgerservicenummer (BSN)",
        "Your citizen service number (BSN)",
        "Uw BSN hoeft u niet te laten veranderen. Met alleen een BSN is de kans op "
        "identiteitsfraude klein. Geef uw BSN alleen aan organisaties die erom mogen vragen. "
        "Dat zijn bijvoorbeeld de overheid, uw werkgever en uw zorgverlener. Merkt u dat "
        "iemand uw gegevens misbruikt? Meld dat dan bij het Centraal Meldpunt "
        "Identiteitsfraude (rvig.nl).",
        "You do not need to have your BSN changed. With only a BSN, the risk of identity "
        "fraud is small. Only give your BSN to organisations that are allowed to ask for it. "
        "Examples are the government, your employer and your care provider. Do you notice "
        "that someone is misusing your details? Report it to the Central Identity Fraud "
        "Reporting Point (rvig.nl).",
        kinds=frozenset({_K.BSN}),
    ),
    AdviceBlock(
        "phishing",
        "Let op nepberichten",
        "Watch out for fake messages",
        "Oplichters kunnen uw gegevens gebruiken om u een nepbericht te sturen. Zo'n bericht "
        "lijkt dan van ons te komen, of van een bank. Dat heet phishing. Klik niet op links "
        "in een bericht dat u niet vertrouwt. Geef nooit uw wachtwoord of pincode. Meer tips "
        "vindt u op fraudehelpdesk.nl.",
        "Fraudsters can use your details to send you a fake message. Such a message seems to "
        "come from us, or from a bank. This is called phishing. Do not click on links in a "
        "message you do not trust. Never give your password or PIN. You will find more tips "
        "on fraudehelpdesk.nl.",
        kinds=frozenset({_K.EMAIL}),
        consequences=frozenset({Consequence.PHISHING_OR_SPAM}),
        strangers_only=True,
    ),
    AdviceBlock(
        "phone",
        "Let op bij telefoontjes",
        "Be careful with phone calls",
        "Iemand kan u bellen en doen alsof hij of zij van ons is, of van uw bank. Geef aan "
        "de telefoon nooit uw wachtwoord, pincode of inlogcode. Maak geen geld over omdat "
        "iemand daar aan de telefoon om vraagt. Twijfelt u? Hang dan op.",
        "Someone may call you and pretend to be from us, or from your bank. Never give your "
        "password, PIN or login code over the phone. Do not transfer money because someone "
        "on the phone asks you to. In doubt? Hang up.",
        kinds=frozenset({_K.PHONE}),
        strangers_only=True,
    ),
    AdviceBlock(
        "health",
        "Vragen over uw zorg",
        "Questions about your care",
        "Het gaat om gegevens over uw gezondheid. Heeft u vragen over wat dit betekent voor "
        "uw zorg of behandeling? Neem dan contact op met uw zorgverlener, bijvoorbeeld uw "
        "huisarts.",
        "This concerns data about your health. Do you have questions about what this means "
        "for your care or treatment? Then contact your care provider, for example your GP.",
        kinds=frozenset({_K.HEALTH}),
    ),
    AdviceBlock(
        "unwanted_contact",
        "Let op contact van onbekenden",
        "Be alert to contact from strangers",
        "Met deze gegevens kan iemand u misschien herkennen of vinden. Let daarom goed op als "
        "iemand die u niet kent contact met u zoekt, online of in het echt. Voelt u zich niet "
        "veilig? Bel de politie op 0900-8844. Bij direct gevaar belt u 112.",
        "With these data, someone might recognise or find you. So be alert when someone you "
        "do not know contacts you, online or in person. Do you feel unsafe? Call the police "
        "on 0900-8844. In an emergency, call 112.",
        kinds=frozenset({_K.LOCATION, _K.PHOTOS}),
    ),
    AdviceBlock(
        "children",
        "Gaat het om uw kind?",
        "Does this concern your child?",
        "Praat er dan met uw kind over, op een manier die past bij de leeftijd. Spreek af "
        "dat uw kind het u vertelt als een onbekende contact zoekt.",
        "Then talk about it with your child, in a way that suits their age. Agree that your "
        "child tells you when a stranger gets in touch.",
        kinds=frozenset({_K.CHILDREN}),
    ),
    AdviceBlock(
        "questions",
        "Twijfelt u of een bericht echt van ons komt?",
        "Not sure a message really comes from us?",
        "Neem dan zelf contact met ons op. Gebruik daarvoor de gegevens onderaan dit bericht, "
        "niet de gegevens uit een bericht dat u niet vertrouwt. Ook met andere vragen kunt u "
        "bij ons terecht.",
        "Then contact us yourself. Use the details at the end of this message, not the "
        "details in a message you do not trust. You can also contact us with any other "
        "questions.",
        always=True,
    ),
)

ADVICE = AdviceTable(
    key=ADVICE_VERSION,
    source="breachdesk; identity advice after RvIG (Centraal Meldpunt Identiteitsfraude)",
    blocks=_BLOCKS,
)

#: Every advice table breachdesk knows, by key.
TABLES = {ADVICE.key: ADVICE}

#: Words in a category's name (or the reporter's free text) that reveal a kind of data.
#: Regular expressions, matched case-insensitively; ``\b`` keeps "beeld" out of "voorbeeld".
_WORDS: dict[DataKind, tuple[str, ...]] = {
    _K.CREDENTIALS: (r"wachtwoord", r"inlog", r"toegangscode", r"password", r"credential"),
    _K.EMAIL: (r"e-?mail",),
    _K.PHONE: (r"telefoon", r"\bmobiel", r"\bgsm\b", r"phone"),
    _K.FINANCIAL: (
        r"\biban\b",
        r"rekeningnummer",
        r"bankrekening",
        r"bankgegevens",
        r"betaalgegevens",
        r"creditcard",
        r"bank account",
        r"payment",
    ),
    _K.ID_DOCUMENT: (
        r"identiteitsbewijs",
        r"identiteitskaart",
        r"\bid-kaart",
        r"paspoort",
        r"rijbewijs",
        r"identity (document|card)",
        r"passport",
        r"driving licen[cs]e",
    ),
    _K.BSN: (r"\bbsn\b", r"burgerservicenummer"),
    _K.HEALTH: (
        r"gezondheid",
        r"medisch",
        r"medicati",
        r"medicijn",
        r"diagnose",
        r"behandeling",
        r"patiënt",
        r"zorgdossier",
        r"health",
        r"medical",
    ),
    _K.LOCATION: (r"locatie", r"location", r"\bgps\b", r"verblijfplaats"),
    _K.PHOTOS: (
        r"foto",
        r"\bbeeld",
        r"filmbeeld",
        r"camerabeeld",
        r"\bvideo",
        r"photo",
        r"footage",
    ),
}

#: Checklist answers that establish (yes) or rule out (no) a kind of data.
_CHECKLIST = {
    _K.CREDENTIALS: "credentials",
    _K.FINANCIAL: "financial_data",
    _K.ID_DOCUMENT: "identity_documents",
    _K.BSN: "national_id_number",
    _K.CHILDREN: "children",
}


def _named(kind: DataKind, texts: list[str]) -> bool:
    return any(re.search(p, t, re.IGNORECASE) for p in _WORDS.get(kind, ()) for t in texts)


def kinds_involved(facts: SheetFacts) -> frozenset[DataKind]:
    """The kinds of data involved in the breach, by the rules of the module docstring."""
    texts = [d.name for d in facts.data] + [facts.data_other]
    checklist = facts.facts
    found: set[DataKind] = set()
    for kind in DataKind:
        answer = getattr(checklist, _CHECKLIST[kind]) if kind in _CHECKLIST and checklist else None
        if answer is Tri.YES or (answer is not Tri.NO and _named(kind, texts)):
            found.add(kind)
    if any(d.national_id_number for d in facts.data) and _allowed(facts, "national_id_number"):
        found.add(_K.BSN)
    if checklist is not None and EnisaClass.FINANCIAL in checklist.data_classes:
        if checklist.financial_data is not Tri.NO:
            found.add(_K.FINANCIAL)
    if facts.children_involved == "yes" and _allowed(facts, "children"):
        found.add(_K.CHILDREN)
    if not _allowed(facts, "special_category"):
        found.discard(_K.HEALTH)
    return frozenset(found)


def _allowed(facts: SheetFacts, answer: str) -> bool:
    """False when the FG's checklist answered "no" to ``answer``."""
    return facts.facts is None or getattr(facts.facts, answer) is not Tri.NO


def _may_disclose(facts: SheetFacts) -> bool:
    types = set(facts.breach_types)
    if facts.facts is not None and facts.facts.breach_types:
        types = {t.value for t in facts.facts.breach_types}
    return not types or BreachType.CONFIDENTIALITY.value in types


def _strangers(facts: SheetFacts) -> bool:
    """Whether the data may have reached people we do not know (unknown: assume so)."""
    c = facts.facts
    if c is None or c.malicious is Tri.YES:
        return True
    return c.recipients not in (Recipients.LIMITED_KNOWN, Recipients.TRUSTED)


def advice_for(facts: SheetFacts, table: AdviceTable = ADVICE) -> tuple[AdviceBlock, ...]:
    """The blocks of ``table`` that apply to the breach, in the table's order.

    The ``always`` blocks are always there; the others when a kind of data of theirs is
    involved (:func:`kinds_involved`) or one of their consequences is in the checklist, and
    the breach may have disclosed the data (see the module docstring).
    """
    kinds = kinds_involved(facts)
    consequences = facts.facts.consequences if facts.facts is not None else frozenset()
    disclosed, strangers = _may_disclose(facts), _strangers(facts)
    chosen = []
    for block in table.blocks:
        by_kind = bool(block.kinds & kinds) and (strangers or not block.strangers_only)
        if block.always or (disclosed and (by_kind or block.consequences & consequences)):
            chosen.append(block)
    return tuple(chosen)


def advice_text(blocks: tuple[AdviceBlock, ...], lang: str) -> str:
    """The blocks as plain text: a title line and its advice, blocks apart by a blank line."""
    return "\n\n".join(f"{b.title(lang)}\n{b.text(lang)}" for b in blocks)

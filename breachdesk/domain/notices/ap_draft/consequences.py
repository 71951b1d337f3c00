"""Section 9 of the AP form: the consequences of the breach and how severe they are.

9.1 the consequences for the data (confidentiality, integrity, availability, with what the
checklist says of restoring them), 9.2 the likely consequences for the people affected, 9.3
the severity: the decision's choice, else the checklist's proposal, with the ENISA score
behind it.
"""

from __future__ import annotations

from ...checklist import Availability, Consequence, Integrity, Permanence
from ...text import N_
from .common import Draft, Status, _d, _missing, _Words
from .facts import SheetFacts

# --- 9 Gevolgen ------------------------------------------------------------------------------


_CONSEQUENCES = {
    Consequence.IDENTITY_FRAUD: ("identiteitsfraude", "identity fraud"),
    Consequence.FINANCIAL_LOSS: ("financiële schade", "financial loss"),
    Consequence.DISCRIMINATION: ("discriminatie", "discrimination"),
    Consequence.REPUTATION: ("reputatieschade", "damage to reputation"),
    Consequence.PSYCHOLOGICAL_HARM: ("psychische schade of angst", "psychological harm"),
    Consequence.PHYSICAL_HARM: ("lichamelijke schade", "physical harm"),
    Consequence.LOSS_OF_CONTROL: (
        "verlies van controle over de eigen persoonsgegevens",
        "loss of control over their personal data",
    ),
    Consequence.LOSS_OF_CONFIDENTIALITY_SECRECY: (
        "schending van een beroepsgeheim",
        "breach of professional secrecy",
    ),
    Consequence.PHISHING_OR_SPAM: ("phishing of spam", "phishing or spam"),
    Consequence.SERVICE_DISRUPTION: (
        "schade doordat een dienst niet beschikbaar was (zorg of betalingen vertraagd)",
        "harm because a service was unavailable (care or payments delayed)",
    ),
    Consequence.SERVICE_UNAVAILABLE: (
        "een dienst was tijdelijk niet beschikbaar, zonder schade",
        "a service was temporarily unavailable, without harm",
    ),
    Consequence.NONE_LIKELY: (
        "naar verwachting geen nadelige gevolgen",
        "no adverse consequences expected",
    ),
}


_PERMANENCE = {
    Permanence.MINOR: ("ongemak dat eenvoudig te verhelpen is", "inconvenience, easily overcome"),
    Permanence.REVERSIBLE: (
        "aanzienlijk, maar met moeite te herstellen",
        "significant, but reversible with effort",
    ),
    Permanence.IRREVERSIBLE: ("blijvend of onomkeerbaar", "lasting or irreversible"),
}


def _q9_1(f: SheetFacts, w: _Words) -> Draft:
    facts = f.facts
    if not f.breach_types:
        return _missing(N_("The nature of the breach is recorded at triage."))
    parts = []
    if "confidentiality" in f.breach_types:
        parts.append(
            w(
                "Vertrouwelijkheid: de gegevens zijn (mogelijk) bij onbevoegden terechtgekomen.",
                "Confidentiality: the data (may have) reached people not entitled to them.",
            )
        )
    if "integrity" in f.breach_types:
        altered = {
            Integrity.RECOVERABLE: w(
                " De juiste gegevens zijn hersteld.", " The correct data were restored."
            ),
            Integrity.NOT_RECOVERABLE: w(
                " De juiste gegevens zijn niet te herstellen.",
                " The correct data cannot be restored.",
            ),
        }
        parts.append(
            w(
                "Integriteit: de gegevens zijn (mogelijk) veranderd.",
                "Integrity: the data were (possibly) altered.",
            )
            + (altered.get(facts.integrity, "") if facts else "")
        )
    if "availability" in f.breach_types:
        text = w(
            "Beschikbaarheid: de gegevens waren (tijdelijk) niet beschikbaar.",
            "Availability: the data were (temporarily) unavailable.",
        )
        if facts is not None and facts.availability is Availability.PERMANENT:
            text = w(
                "Beschikbaarheid: de gegevens zijn verloren gegaan.",
                "Availability: the data were lost.",
            )
        if facts is not None and facts.restore_hours is not None:
            hours = f"{facts.restore_hours:g}"
            text += w(f" Hersteld binnen {hours} uur.", f" Restored within {hours} hours.")
        if facts is not None and facts.backup_available.value == "yes":
            text += w(" Er was een back-up.", " A backup was available.")
        parts.append(text)
    status = Status.COMPLETE if facts is not None else Status.NEEDS_WORDS
    reason = "" if facts is not None else N_("Fill in the checklist for the details.")
    return _d("\n".join(parts), (), status, reason)


def _q9_2(f: SheetFacts, w: _Words) -> Draft:
    if f.facts is None or not f.facts.consequences:
        return _missing(N_("The likely consequences are answered in the checklist."))
    if f.facts.consequences == {Consequence.NONE_LIKELY}:
        text = w(
            "Wij verwachten geen nadelige gevolgen voor de betrokkenen.",
            "We expect no adverse consequences for the people affected.",
        )
        if f.risk_level in ("risk", "high"):
            # The FG's answer against the advice's finding: the AP would read a contradiction.
            return _d(
                text,
                (),
                Status.NEEDS_WORDS,
                N_(
                    "The checklist says no adverse consequence is likely, yet it finds a "
                    "risk for the people: say why, or choose the likely consequences."
                ),
            )
        return _d(text)
    names = [w(*_CONSEQUENCES[c]) for c in Consequence if c in f.facts.consequences]
    text = w("Mogelijke gevolgen: ", "Possible consequences: ") + w.listing(names) + "."
    if f.facts.permanence in _PERMANENCE:
        text += w(" Ernst en duur: ", " Severity and duration: ") + (
            w(*_PERMANENCE[f.facts.permanence]) + "."
        )
    return _d(text)


def _q9_3(f: SheetFacts, w: _Words) -> Draft:
    from ..ap_2022 import AP_2022

    question = AP_2022.question("9.3")
    chosen = f.decision.ap_severity if f.decision else f.severity_proposal
    option = question.option(chosen) if question and chosen else None
    if option is None:
        return _missing(N_("The severity follows from the checklist; fill it in first."))
    text = option.label(w.lang)
    unlikely = option.key == "verwaarloosbaar" and f.severity_proposal == "verwaarloosbaar"
    if f.severity_score is not None and unlikely and f.severity_band not in ("", "low"):
        # The advice found a risk unlikely (the data unintelligible, say) whatever the ENISA
        # score: "negligible, basis: score 3.00 (high)" read as a contradiction.
        band = _BANDS.get(f.severity_band, (f.severity_band, f.severity_band))
        score = f"{f.severity_score:.2f}"
        text += "\n" + w(
            "Onderbouwing: een risico voor de betrokkenen is onwaarschijnlijk (zie de redenen"
            " van het advies). De ernstscore volgens de ENISA-methode (2013),"
            f" {score.replace('.', ',')} ({band[0]}), meet de schade als de gegevens misbruikt"
            " zouden worden, en weegt daarom niet mee.",
            "Basis: a risk to the people affected is unlikely (see the advice's reasons). The"
            f" severity score by the ENISA method (2013), {score} ({band[1]}), measures the harm"
            " if the data were misused, and so does not count here.",
        )
    elif f.severity_score is not None:
        band = _BANDS.get(f.severity_band, (f.severity_band, f.severity_band))
        score = f"{f.severity_score:.2f}"
        text += "\n" + w(
            f"Onderbouwing: ernstscore volgens de ENISA-methode (2013) {score.replace('.', ',')}"
            f" ({band[0]})",
            f"Basis: severity score by the ENISA method (2013) {score} ({band[1]})",
        )
        if f.severity_arithmetic:
            sum_ = f.severity_arithmetic.rsplit(" (", 1)[0]  # without the English band name
            text += ": " + (sum_.replace(".", ",") if w.lang == "nl" else sum_)
        text += "."
    if (
        f.decision is not None
        and f.decision.rationale.strip()
        and f.decision.ap_severity != f.severity_proposal
    ):
        # The FG chose another severity than the checklist's: the decision's reasons explain
        # it. (Otherwise they are about notifying and informing, not about the severity.)
        text += "\n" + f.decision.rationale.strip()
    if f.decision is None:
        return _d(
            text,
            (option.key,),
            Status.NEEDS_WORDS,
            N_("breachdesk's proposal from the advice; record the decision to confirm it."),
        )
    return _d(text, (option.key,))


_BANDS = {
    "low": ("laag", "low"),
    "medium": ("gemiddeld", "medium"),
    "high": ("hoog", "high"),
    "very_high": ("zeer hoog", "very high"),
}

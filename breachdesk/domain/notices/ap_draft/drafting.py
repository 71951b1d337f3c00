"""Drafted answers to the AP form, from what breachdesk knows about an incident.

Every question gets a :class:`Draft`: the answer text (in the sheet's language, Dutch unless
asked otherwise, because the AP form is Dutch), the options it picks, and a status:

* ``complete`` — drafted from facts that were recorded (the report, triage, checklist,
  decision or the organisation's profile); the FG can still edit it;
* ``needs_words`` — a judgement only the FG can make, or a proposal the FG must confirm
  (e.g. the kind of incident, guessed from the measures taken);
* ``missing`` — breachdesk holds nothing to answer with.

``reason`` says why (an English template marked for translation). Nothing here reads a clock
or a database: :class:`SheetFacts` carries everything, including ``now``.
"""

from __future__ import annotations

from collections.abc import Callable

from ...checklist import Availability, Consequence, Integrity, Permanence
from ...text import N_
from ..forms import FormTable
from .breach import _q4_1_1, _q4_1_2, _q4_2, _q4_3, _q4_5, _q5_1, _q5_2, _q5_3, _q5_4
from .common import Draft, Status, _d, _missing, _Words
from .controller import _q3_1_1, _q3_1_2, _q3_2_1, _q3_2_2, _q3_3
from .data_and_people import _q6_1, _q6_2, _q6_3_1, _q7_1, _q7_2, _q7_3
from .facts import SheetFacts
from .introduction import _q1_1, _q1_2, _q1_3, _q2_1_1, _q2_2_1
from .measures import _q8_1, _q10_2

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
}

_PERMANENCE = {
    Permanence.MINOR: ("ongemak dat eenvoudig te verhelpen is", "inconvenience, easily overcome"),
    Permanence.REVERSIBLE: (
        "aanzienlijk, maar met moeite te herstellen",
        "significant, but reversible with effort",
    ),
    Permanence.IRREVERSIBLE: ("blijvend of onomkeerbaar", "lasting or irreversible"),
}


def draft_answers(form: FormTable, facts: SheetFacts, lang: str = "nl") -> dict[str, Draft]:
    """A draft for every question of ``form`` that breachdesk knows how to answer.

    A question the table has and this module does not know gets a ``missing`` draft, so a new
    form table never silently loses a question.
    """
    w = _Words(lang)
    out: dict[str, Draft] = {}
    for question in form.questions:
        builder = _BUILDERS.get(question.number)
        if builder is None:
            out[question.number] = Draft(
                question.number, "", (), Status.MISSING, N_("breachdesk does not draft this.")
            )
            continue
        draft = builder(facts, w)
        out[question.number] = Draft(
            question.number, draft.text, draft.choices, draft.status, draft.reason
        )
    return out


# --- 9 Gevolgen ------------------------------------------------------------------------------


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
    if f.severity_score is not None:
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
            N_("breachdesk's proposal from the ENISA score; record the decision to confirm it."),
        )
    return _d(text, (option.key,))


_BANDS = {
    "low": ("laag", "low"),
    "medium": ("gemiddeld", "medium"),
    "high": ("hoog", "high"),
    "very_high": ("zeer hoog", "very high"),
}


# --- 10 Vervolgacties ------------------------------------------------------------------------


_EXEMPTIONS = {
    "a": (
        "de gegevens onbegrijpelijk waren voor onbevoegden, bijvoorbeeld door versleuteling "
        "(art. 34 lid 3 sub a AVG)",
        "the data were unintelligible to anyone not authorised, e.g. encrypted "
        "(Art. 34(3)(a) GDPR)",
    ),
    "b": (
        "de maatregelen die wij daarna namen het hoge risico niet langer waarschijnlijk maken "
        "(art. 34 lid 3 sub b AVG)",
        "the measures we took afterwards make the high risk no longer likely (Art. 34(3)(b) GDPR)",
    ),
    "c": (
        "ieder persoonlijk informeren een onevenredige inspanning zou vergen; wij doen een "
        "openbare mededeling (art. 34 lid 3 sub c AVG)",
        "informing each person would involve disproportionate effort; we make a public "
        "communication (Art. 34(3)(c) GDPR)",
    ),
}


def _q10_1_1(f: SheetFacts, w: _Words) -> Draft:
    d = f.decision
    if f.subjects_resolution == "informed":
        when = f" ({w.when(f.subjects_resolution_at)})" if f.subjects_resolution_at else ""
        return _d(w("Ja, geïnformeerd", "Yes, informed") + when, ("informed",))
    if d is None:
        return _missing(N_("Recorded with the decision on informing the people affected."))
    if d.public_communication or d.exemption == "c":
        return _d(
            w("Via een openbare mededeling, omdat ", "By a public communication, because ")
            + w(*_EXEMPTIONS["c"])
            + ".",
            ("public",),
        )
    if d.inform_subjects:
        return _d(w("Ja, dat gaan we doen.", "Yes, we will."), ("will_inform",))
    if d.exemption in _EXEMPTIONS:
        because = w(*_EXEMPTIONS[d.exemption])
    elif f.risk_level == "high" or d.ap_severity == "zeer_groot":
        # The checklist found a high risk (or 9.3 says the severity is very high), yet nobody
        # is told and no Art. 34(3) ground was chosen: "no high risk" would be a false ground.
        # The FG's own reasons are the answer, for them to confirm or complete.
        reasons = d.rationale.strip()
        return _d(
            w("Nee", "No") + (f". {reasons}" if reasons else "."),
            ("not",),
            Status.NEEDS_WORDS,
            N_(
                "The risk to the people affected is high, yet they are not informed: give the "
                "ground in your own words, such as an exemption of Art. 34(3) or a "
                "postponement the police asked for."
            ),
        )
    else:
        because = w(
            "het datalek naar onze beoordeling niet leidt tot een hoog risico voor hun rechten "
            "en vrijheden (art. 34 lid 1 AVG)",
            "in our assessment the breach is not likely to result in a high risk to their "
            "rights and freedoms (Art. 34(1) GDPR)",
        )
    return _d(w("Nee, omdat ", "No, because ") + because + ".", ("not",))


def _q10_1_3(f: SheetFacts, w: _Words) -> Draft:
    d = f.decision
    if d is not None and not d.inform_subjects and not d.public_communication:
        return _d(w("Niet van toepassing", "Not applicable"))
    i = f.informing
    if i is not None and i.reached:
        parts = []
        if i.emails_sent:
            parts.append(
                w("%s per e-mail", "%s by e-mail") % w.count(i.emails_sent)
                + (f" ({w.when(i.last_email_at)})" if i.last_email_at else "")
            )
        if i.letters_posted:
            parts.append(
                w("%s per brief", "%s by letter") % w.count(i.letters_posted)
                + (f" ({w.when(i.letters_posted_at)})" if i.letters_posted_at else "")
            )
        open_ = (i.emails_total - i.emails_sent) + (i.letters_total - i.letters_posted)
        text = w.listing(parts) + "."
        if open_ > 0:
            text += " " + w("Nog niet bereikt: %s.", "Not reached yet: %s.") % w.count(open_)
            why = N_("Not everyone has been reached yet; supplement when they have.")
            return _d(text, (), Status.NEEDS_WORDS, why)
        return _d(text)
    if f.subjects_resolution == "informed":
        return _d(
            "",
            (),
            Status.NEEDS_WORDS,
            N_("No mailing was sent through breachdesk: give the number of people informed."),
        )
    if d is None:
        return _missing(N_("Recorded with the decision on informing the people affected."))
    return _d(
        w("Nog niet geïnformeerd.", "Not informed yet."),
        (),
        Status.NEEDS_WORDS,
        N_("Supplement the filing once the people have been informed."),
    )


def _q10_1_7(f: SheetFacts, w: _Words) -> Draft:
    d = f.decision
    if d is not None and not d.inform_subjects and not d.public_communication:
        return _d(w("Niet van toepassing", "Not applicable"))
    if f.subjects_resolution == "informed" and f.subjects_resolution_note.strip():
        return _d(f.subjects_resolution_note.strip())
    i = f.informing
    if i is not None and (i.emails_total or i.letters_total or i.public_at):
        ways = []
        if i.emails_total:
            ways.append(w("per e-mail aan ieder persoonlijk", "by e-mail to each person"))
        if i.letters_total:
            ways.append(
                w(
                    "per brief aan wie geen e-mailadres heeft",
                    "by letter to those without an e-mail address",
                )
            )
        if i.public_at:
            ways.append(
                w("met een openbare mededeling", "by a public communication")
                + (f" ({i.public_channel})" if i.public_channel else "")
            )
        return _d(
            w("Een eigen bericht in eenvoudige taal, ", "A dedicated message in plain language, ")
            + w.listing(ways)
            + "."
        )
    if d is None and not f.subjects_resolution:
        return _missing(N_("Recorded with the decision on informing the people affected."))
    return _d(
        "",
        (),
        Status.NEEDS_WORDS,
        N_("Say how the people were or will be informed (e-mail, letter, public notice)."),
    )


_BUILDERS: dict[str, Callable[[SheetFacts, _Words], Draft]] = {
    "1.1": _q1_1,
    "1.2": _q1_2,
    "1.3": _q1_3,
    "2.1.1": _q2_1_1,
    "2.2.1": _q2_2_1,
    "3.1.1": _q3_1_1,
    "3.1.2": _q3_1_2,
    "3.2.1": _q3_2_1,
    "3.2.2": _q3_2_2,
    "3.3": _q3_3,
    "4.1.1": _q4_1_1,
    "4.1.2": _q4_1_2,
    "4.2": _q4_2,
    "4.3": _q4_3,
    "4.5": _q4_5,
    "5.1": _q5_1,
    "5.2": _q5_2,
    "5.3": _q5_3,
    "5.4": _q5_4,
    "6.1": _q6_1,
    "6.2": _q6_2,
    "6.3.1": _q6_3_1,
    "7.1": _q7_1,
    "7.2": _q7_2,
    "7.3": _q7_3,
    "8.1": _q8_1,
    "9.1": _q9_1,
    "9.2": _q9_2,
    "9.3": _q9_3,
    "10.1.1": _q10_1_1,
    "10.1.3": _q10_1_3,
    "10.1.7": _q10_1_7,
    "10.2": _q10_2,
}

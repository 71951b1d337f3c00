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

from ...text import N_
from ..forms import FormTable
from .breach import _q4_1_1, _q4_1_2, _q4_2, _q4_3, _q4_5, _q5_1, _q5_2, _q5_3, _q5_4
from .common import Draft, Status, _d, _missing, _Words
from .consequences import _q9_1, _q9_2, _q9_3
from .controller import _q3_1_1, _q3_1_2, _q3_2_1, _q3_2_2, _q3_3
from .data_and_people import _q6_1, _q6_2, _q6_3_1, _q7_1, _q7_2, _q7_3
from .facts import SheetFacts
from .introduction import _q1_1, _q1_2, _q1_3, _q2_1_1, _q2_2_1
from .measures import _q8_1, _q10_2


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

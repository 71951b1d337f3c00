"""Section 10.1 of the AP form: informing the people affected (Art. 34 GDPR).

10.1.1 whether they were or will be informed, and if not on which ground; 10.1.3 how many were
reached, counted from the mailings' proof of sending; 10.1.7 through which channel. Question
10.2 of the same section, the measures taken, is drafted in :mod:`.measures`.
"""

from __future__ import annotations

from ...text import N_
from .common import Draft, Status, _d, _missing, _Words
from .facts import Informing, SheetFacts

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
        return _informing_them(f.informing, w)
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


def _informing_them(i: Informing | None, w: _Words) -> Draft:
    """10.1.1 when the decision is to inform them: as far as the proof of sending goes. (A
    supplement filed once everyone had their notice said "Yes, we will" beside 10.1.3's
    count of those reached, found by exploratory testing: it only turned to "informed" when
    the incident was closed, and closing needs that supplement first.)"""
    if i is None or not i.reached:
        return _d(w("Ja, dat gaan we doen.", "Yes, we will."), ("will_inform",))
    if i.reached < i.emails_total + i.letters_total:
        return _d(
            w(
                "Ja, daar zijn we mee bezig: nog niet iedereen is bereikt (zie 10.1.3).",
                "Yes, we are doing so: not everyone has been reached yet (see 10.1.3).",
            ),
            ("will_inform",),
        )
    moments = [m for m in (i.last_email_at, i.letters_posted_at) if m is not None]
    when = f" ({w.when(max(moments))})" if moments else ""
    return _d(w("Ja, geïnformeerd", "Yes, informed") + when, ("informed",))


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

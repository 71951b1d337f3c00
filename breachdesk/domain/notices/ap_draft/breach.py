"""Sections 4 and 5 of the AP form: the breach's timeline and what happened.

4.1.1 and 4.1.2 when the breach started and ended, 4.2 when it was discovered (and when it
was established as a breach), 4.3 how, 4.5 the reasons for a filing later than 72 hours;
5.1 the nature of the breach (confidentiality, integrity, availability), 5.2 the kind of
incident (a proposal the FG confirms), 5.3 the description and 5.4 the attachments.
"""

from __future__ import annotations

from ...text import N_
from .common import Draft, Status, _d, _missing, _Words
from .facts import SheetFacts

# --- 4 Tijdlijn ----------------------------------------------------------------------------------


def _q4_1_1(f: SheetFacts, w: _Words) -> Draft:
    if f.started_at is None:
        return _missing(N_("The report does not say when it started; give a (possible) date."))
    return _d(w.when(f.started_at))


def _q4_1_2(f: SheetFacts, w: _Words) -> Draft:
    if f.ended_at is not None:
        return _d(w.when(f.ended_at))
    if f.ongoing == "yes":
        return _d(w("De inbreuk duurt nog voort.", "The breach is still going on."))
    if f.ongoing == "no":
        return _missing(N_("The breach has ended, but the report does not say when."))
    return _missing(N_("Not known whether the breach has ended."))


def _q4_2(f: SheetFacts, w: _Words) -> Draft:
    text = w.when(f.discovered_at)
    if f.aware_at is not None:
        text += w(
            f". Vastgesteld als datalek (kennisname): {w.when(f.aware_at)}.",
            f". Established as a breach (awareness): {w.when(f.aware_at)}.",
        )
    if f.reporting_processor and (f.processor_aware_at or f.processor_notified_at):
        # The processor's own moments belong here too: the AP weighs when the chain found out
        # (only our discovery was given: found by exploratory testing).
        parts = []
        if f.processor_aware_at is not None:
            parts.append(
                w(
                    f"ontdekte het op {w.when(f.processor_aware_at)}",
                    f"discovered it on {w.when(f.processor_aware_at)}",
                )
            )
        if f.processor_notified_at is not None:
            parts.append(
                w(
                    f"meldde het ons op {w.when(f.processor_notified_at)}",
                    f"told us on {w.when(f.processor_notified_at)}",
                )
            )
        joined = w(" en ", " and ").join(parts)
        text = text.rstrip(".") + w(
            f". De verwerker ({f.reporting_processor}) {joined}.",
            f". The processor ({f.reporting_processor}) {joined}.",
        )
    return _d(text)


def _q4_3(f: SheetFacts, w: _Words) -> Draft:
    if f.discovery_how.strip():
        return _d(f.discovery_how.strip())
    return _missing(N_("The report does not say how it was discovered."))


def _q4_5(f: SheetFacts, w: _Words) -> Draft:
    if f.deadline is None:
        return _missing(N_("Awareness is not recorded, so the 72 hours cannot be counted."))
    filed = f.first_filed_at or f.now
    if filed <= f.deadline:
        return _d(
            w("Niet van toepassing: gemeld binnen 72 uur.", "Not applicable: within 72 hours."),
            reason=N_("Correct only if the sheet is filed before the deadline."),
        )
    if f.delay_reason.strip():
        return _d(f.delay_reason.strip())
    return _missing(
        N_("The 72 hours have passed: the reasons for the delay must accompany the filing.")
    )


# --- 5 Gegevens over de inbreuk ------------------------------------------------------------------


_BREACH_TYPE_ORDER = ("confidentiality", "integrity", "availability")


def _q5_1(f: SheetFacts, w: _Words) -> Draft:
    from ..ap_2022 import AP_2022

    chosen = tuple(t for t in _BREACH_TYPE_ORDER if t in f.breach_types)
    if not chosen:
        return _missing(N_("The nature of the breach is recorded at triage."))
    question = AP_2022.question("5.1")
    labels = [o.label(w.lang) for c in chosen if question and (o := question.option(c))]
    return _d("\n".join(labels), chosen)


def _guess_kind(facts: SheetFacts) -> str | None:
    """A proposal for question 5.2 from what was done about it (the FG confirms it)."""
    if facts.facts is not None and facts.facts.malicious.value == "yes":
        return "hacking"
    by_measure = {
        "recall_email": "email_misdirected",
        "remote_wipe": "device_lost",
        "retrieved": "post_misdelivered",
    }
    for measure in facts.containment:
        if measure in by_measure:
            return by_measure[measure]
    if facts.breach_types == ("availability",):
        return "outage"
    return None


def _q5_2(f: SheetFacts, w: _Words) -> Draft:
    from ..ap_2022 import INCIDENT_KINDS

    guess = _guess_kind(f)
    if guess is None:
        return _missing(N_("Choose the kind of incident; breachdesk cannot tell it."))
    option = next(o for o in INCIDENT_KINDS if o.key == guess)
    return _d(
        option.label(w.lang),
        (guess,),
        Status.NEEDS_WORDS,
        N_("A proposal from the measures taken and the checklist: confirm or change it."),
    )


def _q5_3(f: SheetFacts, w: _Words) -> Draft:
    return _d(f"{f.title.strip()}\n\n{f.description.strip()}".strip())


def _q5_4(f: SheetFacts, w: _Words) -> Draft:
    if not f.attachments:
        return _d(w("Geen", "None"))
    return _d(
        "\n".join(f.attachments),
        (),
        Status.NEEDS_WORDS,
        N_("Attach only what the AP needs, without the personal data of the people affected."),
    )

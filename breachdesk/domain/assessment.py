"""The recommendation: register only, notify the AP, and/or inform the people — with reasons.

:func:`assess` is a pure function of the FG's answers (:class:`~breachdesk.domain.checklist.Facts`).
It never decides: it recommends, and the FG accepts or overrides it with a written rationale.
Each recommendation carries :data:`RULESET_VERSION`, so a decision recorded under these rules
can always be read against them. The rules, in plain words (DOMAIN.md §a.2, a.7, a.8, a.10,
c.1, c.2, d.2):

**1. Every breach is documented** in the organisation's breach register with its facts, effects,
measures and the reasoning for the decision, also when it is not notified (GDPR Art. 33(5);
EDPB 01/2021 §15).

**2. The AP must be notified** within 72 hours of becoming aware, *unless the breach is unlikely
to result in a risk* to people's rights and freedoms (GDPR Art. 33(1)). That bar is low. breachdesk
concludes "unlikely" only when one of these situations is clearly established **and** none of the
key facts it rests on is unknown:

* (a) *Unintelligible data* — the data were protected by state-of-the-art encryption whose key
  was not compromised, any alteration was undone (the correct data back within a day), and no
  data were lost for good (a backup exists, or the loss was only temporary) (EDPB 01/2021, the
  stolen/lost encrypted device cases and Case 01; Art. 34(3)(a)).
* (b) *Trusted recipient* — a confidentiality breach only, by mistake (not malicious), to a
  recipient bound by confidentiality who confirmed deleting or returning the data, and no
  special-category or criminal data, BSN, identity documents or credentials involved (EDPB
  01/2021, accidental transmission to a trusted third party).
* (c) *Restored quickly* — access lost or data altered for a while (availability and/or
  integrity; confidentiality too only when whoever reached the data saw nothing readable), the
  correct data back within about a day (24 hours) — from a backup, or because nothing was lost
  and the outage ended — with no data taken (exfiltration "no", not "unknown"), nothing misused,
  and the outage itself harmed nobody (no delayed care or payments). What matters is that
  correct data came back quickly and nothing left, not which boxes were ticked: ransomware's
  encryption is an alteration and an access (EDPB 01/2021, Case 01 §17; Case 03 for the
  exception; WP250 Annex B iii and iv).
* (d) *Already public* — a confidentiality breach only of data that were already public, with
  nothing sensitive (no special-category, criminal, national-number, identity-document,
  credential or financial data, no children or vulnerable people) (ENISA 2013 public
  availability).
* (e) *Minimal exposure* — a confidentiality breach only, by mistake, of ordinary data (a name,
  contact details, what someone bought; ENISA data score at most 2) of at most 10 people, to a
  few known recipients (or one unidentified person, or only the people themselves), nothing
  sensitive or financial, no misuse seen, no revealing context, and no children or vulnerable
  people *known* to be among them (a misdirected invoice rarely tells, and such data would not
  harm them more) (EDPB 9/2022 on nature, volume and number of people; EDPB 01/2021 Case 13).

Whatever else is known, "unlikely" is never concluded while the type of breach is unknown; while
it is unknown, in a (possibly) intentional breach, whether data were taken; or, for a
confidentiality breach, while it is unknown whether the data were unintelligible, or who got
them (unless the data were unintelligible). A low ENISA score alone is never a reason for
"unlikely" (EDPB 9/2022; a Polish fine shows the danger, DOMAIN.md §c.2).

**3. The risk is high** (Art. 34) — for a breach that is not "unlikely" — when any of these holds:

* special-category (Art. 9) or criminal (Art. 10) data were exposed to someone other than a
  trusted recipient, altered, or (possibly) lost for good: WP250 / EDPB 9/2022 say damage
  should then be considered likely;
* a BSN or other national number, identity documents, readable credentials (not stored with a
  strong, salted hash) or financial data reached — or may have reached, and the reason then
  says "may" — criminals (a malicious breach), a hostile person, or many or unknown people:
  identity fraud, account takeover, financial loss (EDPB 9/2022);
* data were taken (exfiltration "yes") and the ENISA data score (DPC) is 3 or more;
* criminals took readable data that cannot be restored while what the data are is not yet
  established: the advice leans to informing, and the unknowns are listed (EDPB 01/2021,
  ransomware with exfiltration);
* the data are already being misused;
* children or vulnerable people are affected, their data were compromised, and the data are more
  than simple contact details (ENISA base score 2 or more) or reached criminals or unknown people
  (GDPR Recitals 38 and 75: they deserve specific protection);
* the consequences would be irreversible;
* the ENISA severity band is high or very high — unless the breach is a contained mistake
  (confidentiality only, an error, a few known recipients who are not hostile and were asked to
  delete or return the data, no misuse seen): ENISA measures how bad misuse would be, the
  circumstances how likely it is (EDPB 9/2022: risk is severity and likelihood);
* identity fraud, discrimination or physical harm is a possible consequence (Recital 75).

Otherwise the risk is a (normal) risk: notify the AP; informing the people is not required
(they may be informed voluntarily).

**4. Informing the people** (Art. 34) when the risk is high, unless:

* the organisation is a financial undertaking under the Wft: Art. 34 does not apply (UAVG
  art. 42); if that is unknown and the risk is high, it is an open question;
* (Art. 34(3)(a)) the data were unintelligible (state-of-the-art encryption, key safe), no
  integrity breach occurred and no data were lost for good;
* (Art. 34(3)(b)) measures taken afterwards ensure the high risk is no longer likely to
  materialise — the organisation must be able to show this;
* (Art. 34(3)(c)) informing each person would take disproportionate effort: then a public
  communication (or similar measure) that informs them equally effectively replaces it.

**5. Provisional notification** (Art. 33(4)): when the AP must be notified and key facts are still
unknown, notify now with what is known and supplement later; do not wait for a full investigation
(EDPB 01/2021 §9, §24).

**6. The organisation's own promises** (its privacy statement, a processing agreement) are
quoted beside the legal advice, never changing it: a promise is not a legal duty, and not
keeping it is a decision to record.

**7. Groups of people with a different exposure** (the names of everyone leaked, the accounts of
some were also entered) are each assessed on their own, with the breach's facts changed as the
group's facts say; the breach is notified when any part must be, and a group's people are to be
informed when the advice for that group says so (the strongest advice is the recommendation).

**8. The AP form's severity question (9.3)** — breachdesk's proposal, *not an AP rule*:
"unlikely" → verwaarloosbaar; otherwise from the ENISA band (low → beperkt, medium → aanzienlijk,
high → aanzienlijk, very high → zeer groot), and at least aanzienlijk when the legal risk is high.

The individual rules are implemented in :mod:`~breachdesk.domain.assessment_rules` (situations
in which a risk is unlikely), :mod:`~breachdesk.domain.risk_factors` (high risk),
:mod:`~breachdesk.domain.contributing` (the factors that raise the risk),
:mod:`~breachdesk.domain.unknowns` (the key facts still unknown),
:mod:`~breachdesk.domain.art34` (informing the people) and :mod:`~breachdesk.domain.groups`
(groups of people); the ENISA score in :mod:`~breachdesk.domain.severity`; the recommendation's
types in :mod:`~breachdesk.domain.recommendation`. The rules are checked against the
regulators' own cases in ``tests/cases/``.
"""

from __future__ import annotations

from dataclasses import replace

from .art34 import Art34, art34_duties
from .assessment_rules import Route, blockers, routes
from .checklist import Facts
from .contributing import contributing_reasons
from .groups import combined, group_facts
from .reasons import Reason, dedupe
from .recommendation import (
    OUTCOME_DUTIES,
    ApSeverity,
    GroupAdvice,
    Outcome,
    Recommendation,
    RiskLevel,
    ap_severity_for,
)
from .risk_factors import high_risk_reasons, misuse_unlikely
from .rule_terms import make_reason
from .severity import Band, Severity, enisa_severity
from .text import N_
from .unknowns import uncertainties

__all__ = [
    "OUTCOME_DUTIES",
    "RULESET_VERSION",
    "ApSeverity",
    "GroupAdvice",
    "Outcome",
    "Reason",
    "Recommendation",
    "RiskLevel",
    "Severity",
    "ap_severity_for",
    "assess",
    "group_facts",
]

RULESET_VERSION = "2026.2"


def _outcome(risk: RiskLevel, art34: Art34) -> Outcome:
    if risk is RiskLevel.UNLIKELY:
        return Outcome.REGISTER_ONLY
    if art34.public:
        return Outcome.NOTIFY_AP_AND_PUBLIC_COMMUNICATION
    if art34.inform:
        return Outcome.NOTIFY_AP_AND_SUBJECTS
    return Outcome.NOTIFY_AP


def _when_unlikely(route: Route, severity: Severity) -> list[Reason]:
    reasons = [route.reason]
    if severity.band is not Band.LOW:
        reasons.append(
            make_reason(
                "enisa",
                "ENISA 2013; EDPB 01/2021",
                N_(
                    "The ENISA score (%(arithmetic)s, %(band)s) measures the harm if the data "
                    "were misused; the situation above makes that harm unlikely."
                ),
                arithmetic=severity.sum,
                band=severity.band.label,
            )
        )
    return reasons


def _when_notifiable(
    facts: Facts, severity: Severity, all_routes: list[Route], blocked: bool
) -> tuple[RiskLevel, list[Reason], list[Reason]]:
    """Risk level, reasons and open questions of a breach that is not "unlikely"."""
    r = make_reason
    reasons = [
        r(
            "notify_threshold",
            "GDPR Art. 33(1); EDPB 9/2022",
            N_(
                "No situation is established in which the breach is unlikely to result in a "
                "risk, so the AP must be notified within 72 hours of becoming aware; only a "
                "breach that is unlikely to result in a risk may go unreported."
            ),
        )
    ]
    if blocked:
        reasons.append(
            r(
                "unlikely_blocked",
                "GDPR Art. 33(1); EDPB 9/2022",
                N_(
                    "The breach may turn out to be unlikely to result in a risk, but key facts it "
                    "depends on are unknown (listed under “Still unknown”); until they are "
                    "established, notify."
                ),
            )
        )
    high = high_risk_reasons(facts, severity)
    risk = RiskLevel.HIGH if high else RiskLevel.RISK
    covered = {reason.factor for reason in high}  # said once, as the stronger reason
    for candidate in all_routes:
        if candidate.candidate:
            reasons.extend(f for f in candidate.failures if f.factor not in covered)
    reasons.extend(high)
    reasons.extend(c for c in contributing_reasons(facts) if c.factor not in covered)
    # Only while nothing else makes the risk high: beside "data were taken, so the risk is
    # high" it read as the advice contradicting itself, in the register's reasoning too
    # (found by exploratory testing).
    if severity.band in (Band.HIGH, Band.VERY_HIGH) and misuse_unlikely(facts) and not high:
        reasons.append(
            r(
                "enisa",
                "ENISA 2013; EDPB 9/2022 (severity and likelihood)",
                N_(
                    "The ENISA severity (%(arithmetic)s, %(band)s) says how bad misuse would be. "
                    "The data went by mistake to a few known recipients who were asked to delete "
                    "them, so misuse is unlikely and the severity alone does not make the risk "
                    "high."
                ),
                arithmetic=severity.sum,
                band=severity.band.label,
            )
        )
    if severity.band is Band.LOW:
        reasons.append(
            r(
                "enisa",
                "ENISA 2013; EDPB 9/2022",
                N_(
                    "The ENISA score is low: %(arithmetic)s. A low score alone is no reason not "
                    "to notify: the legal test is whether a risk is unlikely."
                ),
                arithmetic=severity.sum,
            )
        )
    return risk, reasons, uncertainties(facts, high=risk is RiskLevel.HIGH)


def _promises(facts: Facts, outcome: Outcome) -> list[Reason]:
    """The organisation's own promises, beside the legal advice (never instead of it)."""
    if not facts.commitments:
        return []
    # Quoted inside a sentence that goes on after the quote: without its own full stop
    # ("… if needed.”. Check …" read as a slip).
    promised = " / ".join(c.strip().rstrip(".") for c in facts.commitments)
    rule = "the organisation's own promise (privacy statement or agreement)"
    if outcome is Outcome.REGISTER_ONLY:
        message = N_(
            "The law does not require notifying this breach, but the organisation promised: "
            "“%(promise)s”. A promise is not a legal duty: decide whether to keep it, and if "
            "not, record why."
        )
    elif outcome is Outcome.NOTIFY_AP:
        message = N_(
            "Beside the legal advice, the organisation promised: “%(promise)s”. The law does "
            "not require informing the people here; check whether the promise does."
        )
    else:
        message = N_(
            "Beside the legal advice, the organisation promised: “%(promise)s”. Check that the "
            "notification and the notice keep that promise."
        )
    return [make_reason("commitments", rule, message, promise=promised)]


def assess(facts: Facts) -> Recommendation:
    """Recommend what to do about a breach described by ``facts``; see the module docstring.

    Groups of people with a different exposure (``facts.groups``, rule 7) are each assessed on
    their own — the breach's facts with the group's changes — and the breach is notified when
    any part must be; the people of a group are to be informed when the advice for that group
    says so.
    """
    whole = _assess_one(replace(facts, groups=()))
    if not facts.groups:
        return whole
    parts = tuple(
        GroupAdvice(group.name, group.count, _assess_one(group_facts(facts, group)))
        for group in facts.groups
    )
    return combined(whole, parts)


def _assess_one(facts: Facts) -> Recommendation:
    """The recommendation for a breach assessed as one (no groups)."""
    r = make_reason
    severity = enisa_severity(facts)
    all_routes = routes(facts, severity)
    route = next((x for x in all_routes if x.applies), None)
    blocking = blockers(facts)
    reasons: list[Reason]
    open_questions: list[Reason]
    if route is not None and not blocking:
        risk, reasons, open_questions = RiskLevel.UNLIKELY, _when_unlikely(route, severity), []
    else:
        risk, reasons, open_questions = _when_notifiable(
            facts, severity, all_routes, blocked=route is not None
        )
    if not any(reason.factor == "enisa" for reason in reasons):
        reasons.append(
            r(
                "enisa",
                "ENISA 2013",
                N_("ENISA severity: %(arithmetic)s (%(band)s)."),
                arithmetic=severity.sum,
                band=severity.band.label,
            )
        )
    art34 = art34_duties(facts, notify=risk is not RiskLevel.UNLIKELY, high=risk is RiskLevel.HIGH)
    reasons.extend(art34.reasons)
    open_questions.extend(art34.open_questions)
    notify_ap = risk is not RiskLevel.UNLIKELY
    ap_level = ap_severity_for(risk, severity.band)
    if notify_ap:
        reasons.append(
            r(
                "ap_severity",
                "breachdesk proposal (AP form question 9.3)",
                N_(
                    "Proposed answer to the AP form's severity question: %(level)s. This is "
                    "breachdesk's proposal from the ENISA band and the legal risk, not an AP rule."
                ),
                level=ap_level.value.replace("_", " "),
            )
        )
    provisional = notify_ap and any(q.factor != "financial_undertaking" for q in open_questions)
    if provisional:
        reasons.append(
            r(
                "provisional",
                "GDPR Art. 33(4); EDPB 01/2021",
                N_(
                    "Key facts are still unknown: notify the AP now with what is known and "
                    "supplement the notification later; do not wait for a full investigation."
                ),
            )
        )
    reasons.extend(_promises(facts, _outcome(risk, art34)))
    reasons.append(
        r(
            "register",
            "GDPR Art. 33(5)",
            N_(
                "Record the breach, its effects, the measures taken and the reasoning for this "
                "decision in the breach register; this applies to every breach, notified or not."
            ),
        )
    )
    return Recommendation(
        ruleset_version=RULESET_VERSION,
        risk=risk,
        outcome=_outcome(risk, art34),
        notify_ap=notify_ap,
        inform_subjects=art34.inform,
        public_communication=art34.public,
        art34_exemption=art34.exemption,
        art34_excluded_uavg42=art34.uavg42,
        ap_severity=ap_level,
        severity=severity,
        reasons=tuple(dedupe(reasons)),
        uncertainties=tuple(dedupe(open_questions)),
        provisional_advised=provisional,
    )

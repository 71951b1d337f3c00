"""Other notification regimes an organisation may be under besides Art. 33 GDPR.

A reminder, not a form: when the organisation's profile says it is subject to NIS2 (the
Cyberbeveiligingswet, Cbw), provides telecom services, is a financial entity under DORA or a
financial undertaking under the Wft, the FG is told which other notifications may be due, to
whom, and in what terms. The regimes are a table, versioned like the rule set: a change in the
law is a new :data:`VERSION` and a changed row, not new code.

Only what ``DOMAIN.md`` §a.12 and §d.2 support is given as a term with a moment; where the
reference gives no term, the term says "check the current term" and has no moment. Names and
terms are Dutch and English pairs (like the AP form's table); each explanation is an English
message marked with :func:`N_`, translated by the web layer.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ..profile import OrganisationProfile
from ..text import N_

VERSION = "2026-05-regimes-1"


@dataclass(frozen=True)
class Months:
    """A term of whole calendar months (a month is not a fixed number of hours)."""

    count: int


@dataclass(frozen=True)
class Term:
    """One step of a regime: its label and how long after awareness it falls due.

    ``after`` is a :class:`~datetime.timedelta` (elapsed time), :class:`Months`, or None when
    no term is known here (the label then says to check the current term).
    """

    label_nl: str
    label_en: str
    after: timedelta | Months | None

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_nl

    def moment(self, aware_at: datetime) -> datetime | None:
        """When this term ends, in UTC, counted from ``aware_at``; None without a term.

        Raises:
            ValueError: ``aware_at`` is naive.
        """
        if aware_at.tzinfo is None:
            raise ValueError("aware_at must be timezone-aware")
        start = aware_at.astimezone(UTC)
        if self.after is None:
            return None
        if isinstance(self.after, Months):
            return _add_months(start, self.after.count)
        return start + self.after


@dataclass(frozen=True)
class Regime:
    """One other notification regime, as a row of the table."""

    key: str
    name_nl: str
    name_en: str
    to_whom_nl: str
    to_whom_en: str
    terms: tuple[Term, ...]
    source: str  # where the row rests: DOMAIN.md section and its confidence tag
    explanation: str  # English, marked with N_; the web layer translates it
    # Who to name in the AP form's question 1.3 ("also notified to supervisors of other
    # notification duties?"); empty when the notification goes to the AP itself.
    supervisors_nl: tuple[str, ...] = ()
    supervisors_en: tuple[str, ...] = ()

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_nl

    def to_whom(self, lang: str) -> str:
        return self.to_whom_en if lang == "en" else self.to_whom_nl


_CHECK_NL = "controleer de actuele termijn"
_CHECK_EN = "check the current term"
_DNB_AFM_NL = "De Nederlandsche Bank (DNB) of de AFM"
_DNB_AFM_EN = "De Nederlandsche Bank (DNB) or the AFM"

NIS2 = Regime(
    key="nis2",
    name_nl="NIS2 / Cyberbeveiligingswet (Cbw)",
    name_en="NIS2 / Cyberbeveiligingswet (Cbw, Dutch Cybersecurity Act)",
    to_whom_nl="het CSIRT (voor de meeste sectoren het CSIRT-DSP of het NCSC) en/of de "
    "bevoegde autoriteit van de sector",
    to_whom_en="the CSIRT (for most sectors the CSIRT-DSP or the NCSC) and/or the sector's "
    "competent authority",
    terms=(
        Term("Vroegtijdige waarschuwing", "Early warning", timedelta(hours=24)),
        Term("Incidentmelding", "Incident notification", timedelta(hours=72)),
        Term(
            "Eindrapport (uiterlijk een maand na de incidentmelding; hier gerekend vanaf "
            "kennisname)",
            "Final report (at the latest one month after the incident notification; counted "
            "here from awareness)",
            Months(1),
        ),
    ),
    source="DOMAIN.md §a.12 [S]: NIS2 essential/important entities: early warning ≤24 h, "
    "incident notification ≤72 h, final report ≤1 month, to CSIRT/competent authority.",
    explanation=N_(
        "Essential and important entities under NIS2 (in the Netherlands the "
        "Cyberbeveiligingswet) report significant incidents. These terms run from becoming "
        "aware of a significant incident, which may be another moment than becoming aware of "
        "the personal data breach; the moments shown count from the latter. Check whether "
        "this incident is significant and the current terms."
    ),
    supervisors_nl=("het CSIRT of de bevoegde autoriteit (NIS2/Cbw)",),
    supervisors_en=("the CSIRT or the competent authority (NIS2/Cbw)",),
)

DORA = Regime(
    key="dora",
    name_nl="DORA (financiële entiteiten: ernstige ICT-gerelateerde incidenten)",
    name_en="DORA (financial entities: major ICT-related incidents)",
    to_whom_nl=_DNB_AFM_NL,
    to_whom_en=_DNB_AFM_EN,
    terms=(
        Term(
            f"Eerste melding, tussentijds rapport en eindrapport: {_CHECK_NL}",
            f"Initial notification, intermediate report and final report: {_CHECK_EN}",
            None,
        ),
    ),
    # The often cited terms (initial notification within 4 hours of classifying the incident
    # as major and at most 24 hours after becoming aware of it) are not in DOMAIN.md; they are
    # left out until confirmed rather than shown as a deadline.
    source="DOMAIN.md §a.12 [S]: 'DORA for financial entities', no terms given.",
    explanation=N_(
        "Financial entities under DORA report major ICT-related incidents to their supervisor. "
        "The terms are set in DORA's technical standards and are short (hours, not days): "
        "check them as soon as the incident may be major."
    ),
    supervisors_nl=(_DNB_AFM_NL,),
    supervisors_en=(_DNB_AFM_EN,),
)

TELECOM = Regime(
    key="telecom",
    name_nl="Telecommunicatiewet",
    name_en="Telecommunicatiewet (Dutch Telecommunications Act)",
    to_whom_nl="de Autoriteit Persoonsgegevens, via hetzelfde meldformulier (vraag 1.2: "
    "Telecommunicatiewet)",
    to_whom_en="the Autoriteit Persoonsgegevens, through the same notification form "
    "(question 1.2: Telecommunicatiewet)",
    terms=(Term(f"Melding: {_CHECK_NL}", f"Notification: {_CHECK_EN}", None),),
    source="DOMAIN.md §a.12 [AP] and §b.1 [AP]: telecom providers notify via the same AP "
    "form; §d.2 [S]: the Telecommunicatiewet carries its own breach duty (question 1.2).",
    explanation=N_(
        "Providers of public electronic communications services also have a breach duty under "
        "the Telecommunicatiewet. They notify through the same AP form: choose the "
        "Telecommunicatiewet as the legal basis (question 1.2) where it applies."
    ),
)

WFT = Regime(
    key="wft",
    name_nl="Financiële onderneming (Wft)",
    name_en="Financial undertaking (Wft)",
    to_whom_nl=_DNB_AFM_NL,
    to_whom_en=_DNB_AFM_EN,
    terms=(Term(f"Informeren: {_CHECK_NL}", f"Informing them: {_CHECK_EN}", None),),
    source="DOMAIN.md §d.2 [S]: UAVG art. 42: Art. 34 GDPR does not apply to Wft financial "
    "undertakings; they still notify the AP and secondary sources say they also inform "
    "DNB/AFM.",
    explanation=N_(
        "For financial undertakings under the Wft, Art. 34 GDPR (informing the people "
        "affected) does not apply (UAVG art. 42); the AP must still be notified. Secondary "
        "sources say DNB or the AFM is informed as well."
    ),
    supervisors_nl=(_DNB_AFM_NL,),
    supervisors_en=(_DNB_AFM_EN,),
)

#: The table, in the order the reminder shows it (shortest terms first).
REGIMES: tuple[Regime, ...] = (NIS2, DORA, TELECOM, WFT)


def regimes_for(profile: OrganisationProfile) -> list[Regime]:
    """The other regimes the profile says apply, in table order; [] when it names none.

    Only a stated "yes" counts: None (not stated) and False give no regime.
    """
    flags = {
        "nis2": profile.nis2_entity is not None,
        "dora": profile.dora_entity is True,
        "telecom": profile.telecom_provider is True,
        "wft": profile.financial_undertaking is True,
    }
    return [regime for regime in REGIMES if flags[regime.key]]


def due_moments(regime: Regime, aware_at: datetime, lang: str = "nl") -> list[tuple[str, datetime]]:
    """(label, moment in UTC) for each term of ``regime`` that has a fixed length.

    Terms are counted from ``aware_at`` in UTC: 24 hours are 24 elapsed hours, also across a
    daylight-saving change (display converts to Europe/Amsterdam). A month is a calendar month
    on the UTC date, ending on the month's last day when the day does not exist.

    NIS2's 24 hours (and 72 hours) run from becoming aware of a *significant incident*, which
    may be another moment than becoming aware of the personal data breach (GDPR awareness,
    ``aware_at`` here); the moments are a reminder, not the regime's own deadline.

    Raises:
        ValueError: ``aware_at`` is naive.
    """
    moments = []
    for term in regime.terms:
        moment = term.moment(aware_at)
        if moment is not None:
            moments.append((term.label(lang), moment))
    return moments


def supervisor_names(regimes: Sequence[Regime], lang: str) -> tuple[str, ...]:
    """Who else may have to be notified, for the AP form's question 1.3; no duplicates."""
    names: list[str] = []
    for regime in regimes:
        for name in regime.supervisors_en if lang == "en" else regime.supervisors_nl:
            if name not in names:
                names.append(name)
    return tuple(names)


def _add_months(start: datetime, count: int) -> datetime:
    month_index = start.month - 1 + count
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day)

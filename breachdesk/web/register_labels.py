"""The register's words, in the reader's language: its columns and values as the page and
the exports (CSV, XLSX, PDF) give them, and a filtered view's filters named in words.

The rules behind the values (whether informed, whether late, the decision's reasons) are the
domain's and the services'; this module only words them, once per request.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..domain.actions import ACTION_STATUS_LABELS
from ..domain.lifecycle import STATE_LABELS
from ..domain.register import (
    DATA_KIND_LABELS,
    INFORMED_LABELS,
    NO_BREACH_STATES,
    NOTIFIED_LABELS,
    SORT_LABELS,
    RegisterFilter,
    Sort,
)
from ..domain.timeutil import utc_to_local
from ..services.register_export import Column
from ..services.register_rows import PageRow, RegisterRow
from .checklist_form import CONSEQUENCES
from .context import selected_locale
from .labels import citation, reason_text
from .report_form import CONTAINMENT
from .triage_forms import BREACH_TYPES, OUTCOME_LABELS

#: The register filter form's fields as it names them (templates/register/index.html); a PDF
#: of a filtered view names its filters with the same words (:func:`filter_words`).
FILTER_LABELS = {
    "q": _l("Search"),
    "year": _l("Year"),
    "from": _l("Discovered from"),
    "to": _l("until"),
    "outcome": _l("Decision"),
    "notified": _l("AP notified"),
    "informed": _l("People informed"),
    "state": _l("Status"),
    "data": _l("Kind of data"),
    "sort": _l("Order"),
    "late": _l("Only late or overdue"),
}

#: The most reasons an export keeps translated (a register repeats the same few sentences; a
#: number of people in one makes it another).
REASONS_KEPT = 5_000


class Labels:
    """Every label a register view, export or PDF shows, translated once per request (a
    100,000-row export would otherwise ask the translations a million times)."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.english = selected_locale() == "en"
        self.outcome = {"": _("No decision yet")} | {
            o.value: str(label) for o, label in OUTCOME_LABELS.items()
        }
        self.informed = {k.value: _(v) for k, v in INFORMED_LABELS.items()}
        self.state = {k.value: _(v) for k, v in STATE_LABELS.items()}
        self.breach = {k: str(v) for k, v in BREACH_TYPES}
        self.consequence = {k: str(v) for k, v in CONSEQUENCES}
        self.containment = {k: str(v) for k, v in CONTAINMENT}
        self.late, self.on_time, self.overdue = _("late"), _("on time"), _("overdue, not filed")
        self.undated = _("not known: date of filing not known")
        self.one_supplement = _("1 supplement")
        self.supplements = _("%(num)s supplements", num="%(num)s")
        self.withdrawn = _("withdrawn %(date)s", date="%(date)s")
        self.unjudged = _("not known: date of awareness not known")
        self.dates_only = _("not known: the earlier register gives dates without a time of day")
        self.date_unknown = _("date not known")
        self.addressee = {"ap": _("the AP"), "controller": _("the controller")}
        # Translated once, filled in per row (the placeholder formats as itself).
        self.people = _("%(people)s people", people="%(people)s")
        self.one_person = _("1 person")
        self.pack = _("Evidence pack")
        self.action_status = {k.value: _(v) for k, v in ACTION_STATUS_LABELS.items()}
        self.open_measures = _("open measures: %(num)s", num="%(num)s")
        self.imported = _("imported")
        self.source_reference = _("Reference in the earlier register")
        self.followed = _("Follows the advice.")
        self.departed = _("Departs from the advice (%(advice)s).", advice="%(advice)s")
        self.fg_words = _("The FG's reasoning: %(text)s", text="%(text)s")
        self.advice_reasons_title = _("The advice's reasons:")
        self._reason_texts: dict[tuple[Any, ...], str] = {}

    @staticmethod
    def _join(values: list[str], labels: dict[str, str]) -> str:
        return "; ".join(labels.get(v, v) for v in values)

    def name(self, entry: dict[str, Any]) -> str:
        """A profile entry's name in the reader's language (Dutch if none in English)."""
        if self.english and entry.get("name_en"):
            return str(entry["name_en"])
        return str(entry.get("name") or entry.get("key") or "")

    def data(self, row: RegisterRow) -> str:
        names = [self.name(c) for c in row.data_categories]
        if row.data_other:
            names.append(row.data_other)
        return "; ".join(n for n in names if n)

    def groups(self, row: RegisterRow) -> str:
        return "; ".join(n for n in (self.name(g) for g in row.subject_groups) if n)

    def breach_types(self, row: RegisterRow) -> str:
        return self._join(row.breach_types, self.breach)

    def consequences(self, row: RegisterRow) -> str:
        return self._join(row.consequences, self.consequence)

    def measures(self, row: RegisterRow) -> str:
        done = self._join(row.containment, self.containment)
        return "; ".join(x for x in (done, row.containment_details) if x)

    def decision(self, row: RegisterRow) -> str:
        if not row.decided_outcome and row.state in NO_BREACH_STATES:
            return self.state[row.state]  # judged no breach: that is the decision
        return self.outcome.get(row.decided_outcome or "", row.decided_outcome or "")

    def informed_of(self, row: RegisterRow) -> str:
        return self.informed[row.informed().value]

    def timeliness(self, row: RegisterRow) -> str:
        if row.filing is not None:
            if row.filing.submitted_at is None:
                return self.undated
            if row.filing.late is None:
                # Known awareness, yet not judged: the earlier register gave dates alone.
                return self.dates_only if row.aware_at is not None else self.unjudged
            return self.late if row.filing.late else self.on_time
        return self.overdue if row.late(self.now) else ""

    def later_filings(self, row: RegisterRow | PageRow) -> str:
        """What followed the first filing: "2 supplements; withdrawn 05-12-2026"."""
        filing = row.filing
        if filing is None:
            return ""
        parts = []
        if filing.supplements:
            parts.append(
                self.one_supplement
                if filing.supplements == 1
                else self.supplements % {"num": filing.supplements}
            )
        if filing.withdrawn_at is not None:
            day = utc_to_local(filing.withdrawn_at).strftime("%d-%m-%Y")
            parts.append(self.withdrawn % {"date": day})
        return "; ".join(parts)

    def ruleset(self, row: RegisterRow) -> str:
        """The decision's rule set; "imported" in the reader's language (it was English in
        the Dutch exports: found by exploratory testing)."""
        if row.decision is None:
            return ""
        version = row.decision.ruleset_version
        return self.imported if version == "imported" else version

    def people_of(self, row: RegisterRow | PageRow) -> str:
        """ "1 person", "120 people", "100–500 people" ("1 people" before: found by
        exploratory testing)."""
        if row.people == "1":
            return self.one_person
        return self.people % {"people": row.people}

    def remedial(self, row: RegisterRow) -> str:
        """The remedial actions with their status: "Passwords reset (Done); …"."""
        return "; ".join(
            f"{title} ({self.action_status.get(status, status)})" for title, status in row.actions
        )

    def advice_reasons(self, row: RegisterRow) -> list[str]:
        """The reasons of the advice the decision rested on, as stored with it, each with
        the source it cites, in the reader's language: the sentences the incident page shows
        (:func:`.labels.reason_text`, :func:`.labels.citation`), each translated once."""
        if row.decision is None:
            return []
        known, texts = self._reason_texts, []
        for reason in row.decision.reasons:
            key = (reason.message, reason.rule, reason.factor, *reason.params.items())
            text = known.get(key)
            if text is None:
                if len(known) >= REASONS_KEPT:
                    known.clear()
                text = known[key] = f"{reason_text(reason)} ({citation(reason.rule)})"
            texts.append(text)
        return texts

    def verdict(self, row: RegisterRow) -> str:
        """Whether the decision follows the advice it was given ("Follows the advice.",
        "Departs from the advice (Notify the AP)."); "" when no advice was stored with it (an
        entry imported from an earlier register)."""
        decision = row.decision
        if decision is None or not decision.reasons:
            return ""
        if decision.follows_recommendation:
            return self.followed
        return self.departed % {"advice": self.outcome.get(decision.recommended, "")}

    def own_words(self, row: RegisterRow) -> str:
        """The FG's own reasoning, when given ("The FG's reasoning: …"); an imported entry's
        reasoning as the earlier register gave it."""
        decision = row.decision
        if decision is None or not decision.rationale:
            return ""
        if not decision.reasons:
            return decision.rationale
        return self.fg_words % {"text": decision.rationale}

    def reasoning(self, row: RegisterRow) -> str:
        """The decision's reasoning for a spreadsheet cell (Art. 33(5)): whether it follows
        the advice, the FG's own words when given, then the advice's reasons, numbered, a
        line each."""
        if row.decision is None:
            return ""
        lines = [" ".join(part for part in (self.verdict(row), self.own_words(row)) if part)]
        reasons = self.advice_reasons(row)
        if reasons:
            lines.append(self.advice_reasons_title)
            lines += [f"{number}. {text}" for number, text in enumerate(reasons, 1)]
        return "\n".join(line for line in lines if line)

    def notified_to(self, row: RegisterRow) -> str:
        return self.addressee.get(row.filing.addressee, "") if row.filing else ""


def columns(lb: Labels) -> list[Column]:
    """The register's columns for a spreadsheet: the facts Art. 33(5) asks to document."""
    return [
        Column(_("Reference"), lambda r: r.reference, 16),
        Column(lb.source_reference, lambda r: r.source_reference, 16),
        Column(_("Organisation"), lambda r: r.organisation, 24),
        Column(_("Title"), lambda r: r.title, 40),
        Column(_("What happened"), lambda r: r.description, 60),
        Column(_("Breach started (Dutch time)"), lambda r: r.started_at),
        Column(_("Breach ended (Dutch time)"), lambda r: r.ended_at),
        Column(_("Discovered (Dutch time)"), lambda r: r.when("discovered_at")),
        Column(_("Aware (Dutch time)"), lambda r: r.when("aware_at")),
        Column(_("Reported (Dutch time)"), lambda r: r.reported_at),
        Column(_("Type of breach"), lb.breach_types, 30),
        Column(_("Personal data"), lb.data, 40),
        Column(_("Number of people"), lambda r: r.people_count, 14),
        Column(_("Groups of people"), lb.groups, 30),
        Column(_("Likely consequences"), lb.consequences, 40),
        Column(_("Measures taken"), lb.measures, 40),
        Column(_("Remedial actions"), lb.remedial, 50),
        Column(_("Decision"), lb.decision, 30),
        Column(_("Reasoning"), lb.reasoning, 60),
        Column(_("Rule set"), lb.ruleset, 12),
        Column(_("Decided (Dutch time)"), lambda r: r.decision.decided_at if r.decision else None),
        Column(_("Notified to"), lb.notified_to, 14),
        Column(_("AP report number"), lambda r: r.filing.reference if r.filing else "", 18),
        Column(_("Filed (Dutch time)"), lambda r: r.when("submitted_at")),
        Column(_("On time"), lb.timeliness, 14),
        Column(_("Reason for the delay"), lambda r: r.filing.delay_reason if r.filing else "", 40),
        Column(_("Later filings"), lb.later_filings, 24),
        Column(_("People informed"), lb.informed_of, 24),
        Column(_("Informed (Dutch time)"), lambda r: r.subjects_resolution_at),
        Column(_("How, or why not"), lambda r: r.subjects_resolution_note, 40),
        Column(_("Status"), lambda r: lb.state.get(r.state, r.state), 18),
        Column(_("Closed (Dutch time)"), lambda r: r.when("closed_at")),
        Column(_("Why not a personal-data breach"), lambda r: r.not_breach_reason, 40),
        Column(_("Imported from (SHA-256)"), lambda r: r.imported_from, 20),
    ]


def filter_words(wanted: RegisterFilter, lb: Labels) -> list[str]:
    """The filters and order of the view ``wanted`` (its organisation apart) in the reader's
    words, as the filter form shows them: "Year: 2026", "Decision: Notify the AP", "Only late
    or overdue", ... (a PDF for the AP names its view with them, not with URL codes)."""
    label = {key: str(text) for key, text in FILTER_LABELS.items()}
    words = []
    if wanted.query:
        words.append(f"{label['q']}: “{wanted.query}”")
    if wanted.year is not None:
        words.append(f"{label['year']}: {wanted.year}")
    start, end = wanted.discovered_from, wanted.discovered_to
    if start and end:
        words.append(f"{label['from']}: {start:%d-%m-%Y} {label['to']} {end:%d-%m-%Y}")
    elif start:
        words.append(f"{label['from']}: {start:%d-%m-%Y}")
    elif end:
        words.append(_("Discovered until: %(date)s", date=f"{end:%d-%m-%Y}"))
    if wanted.undecided:
        words.append(f"{label['outcome']}: {lb.outcome['']}")
    elif wanted.outcome:
        words.append(f"{label['outcome']}: {lb.outcome[wanted.outcome.value]}")
    if wanted.notified:
        words.append(f"{label['notified']}: {_(NOTIFIED_LABELS[wanted.notified])}")
    if wanted.informed:
        words.append(f"{label['informed']}: {lb.informed[wanted.informed.value]}")
    if wanted.state:
        words.append(f"{label['state']}: {lb.state[wanted.state.value]}")
    if wanted.data_kind:
        words.append(f"{label['data']}: {_(DATA_KIND_LABELS[wanted.data_kind])}")
    if wanted.late:
        words.append(label["late"])
    if wanted.sort is not Sort.REPORTED_DESC:
        words.append(f"{label['sort']}: {_(SORT_LABELS[wanted.sort])}")
    return words

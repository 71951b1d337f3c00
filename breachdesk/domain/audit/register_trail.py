"""Whether the register still says what its audit trail recorded.

The chain proves that no event was edited, removed or forged; it says nothing of the
register's own rows. Someone with database access could change an incident's moment of
awareness, decision or filing date in the ``incident`` table and leave every event intact:
the register would then tell the AP something the trail never recorded. This module closes
that gap for the facts the register (Art. 33(5) GDPR) is judged on.

Every change to those facts is written together with an audit event whose ``after`` holds
the new value (:data:`TRACED`). :class:`RegisterTracer` is fed a chain's events in sequence
order and keeps, per incident, the last value the trail recorded for each fact, and the
filings and decisions it recorded. :meth:`RegisterTracer.compare` then names every fact
whose stored value differs, every filing or decision the trail does not know (or knows and
the tables lost), and every incident without a first event or gone from the register.

What the trail never recorded is not judged: an incident imported before the import event
carried its facts, or a fact added to the register later, is covered from its first event
on. A value erased by retention (``[erased]`` in the event) is not compared either.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from .canonical import snapshot, utc_text
from .erasure import TOMBSTONE

_REPORT = (
    "reference",
    "state",
    "title",
    "discovered_at",
    "subjects_exact",
    "subjects_min",
    "subjects_max",
)
_TRIAGE = ("personal_data", "security_breached", "breach_types", "our_role", "controller_name")
#: The register's facts of an incident row, as named in the events and in this module.
FACTS = (
    *_REPORT,
    *_TRIAGE,
    "aware_at",
    "facts",
    "decided_outcome",
    "closed_at",  # recorded by the move that closes or reopens (state_changed)
    "dates_only",  # an imported entry's moments given as dates alone (its import event)
)

#: Per action, which keys of its ``after`` set which register fact: (key in the event, fact).
TRACED: dict[str, tuple[tuple[str, str], ...]] = {
    "incident.reported": tuple((f, f) for f in _REPORT),
    "incident.report_corrected": tuple((f, f) for f in _REPORT if f not in ("reference", "state")),
    "incident.state_changed": (("state", "state"), ("closed_at", "closed_at")),
    "incident.triaged": tuple((f, f) for f in _TRIAGE),
    "incident.triage_corrected": (
        ("breach_types", "breach_types"),
        ("our_role", "our_role"),
        ("controller_name", "controller_name"),
    ),
    "incident.awareness_recorded": (("aware_at", "aware_at"),),
    "incident.awareness_corrected": (("aware_at", "aware_at"),),
    "incident.checklist_saved": (("facts", "facts"),),
    "incident.decided": (("outcome", "decided_outcome"),),
    # From the import event's ``register`` snapshot (see :func:`import_snapshot`).
    "incident.imported": tuple((f, f) for f in FACTS),
}

#: The events that bring an incident into the register: every incident has one.
FIRST_EVENTS = frozenset({"incident.reported", "incident.imported"})
FILING_ACTION = "incident.notification_recorded"
DECISION_ACTION = "incident.decided"
#: What the register says of a filing and its event records: to whom, what, when, under which
#: reference, provisional or not, its deadline, whether late and why, and the digest of the
#: answer sheet as filed. (Events of earlier versions record fewer: see :func:`_row`.)
FILING_KEYS = (
    "addressee",
    "kind",
    "submitted_at",
    "reference",
    "provisional",
    "deadline_at",
    "late",
    "delay_reason",
    "sheet_sha256",
)
#: What the register says of a decision and its event records: its version, outcome, the
#: duties it sets, the severity for the AP, when, and the reasons given.
DECISION_KEYS = (
    "version",
    "outcome",
    "notify_ap",
    "inform_subjects",
    "public_communication",
    "ap_severity",
    "decided_at",
    "rationale",
)


class MismatchKind(StrEnum):
    CHANGED = "changed"  # a fact differs from the last value the trail recorded
    NOT_IN_TRAIL = "not_in_trail"  # an incident in the register with no first event
    REMOVED = "removed"  # an incident the trail recorded is gone from the register
    FILING_UNRECORDED = "filing_unrecorded"  # a filing row the trail never recorded
    FILING_MISSING = "filing_missing"  # a filing the trail recorded is gone or changed
    DECISION_UNRECORDED = "decision_unrecorded"
    DECISION_MISSING = "decision_missing"


@dataclass(frozen=True)
class RegisterMismatch:
    """One place where the register and its trail disagree. ``stored`` and ``recorded`` are
    the values as JSON-safe data (datetimes as UTC text); None where not applicable."""

    incident_id: int
    reference: str
    kind: MismatchKind
    fact: str = ""
    stored: Any = None
    recorded: Any = None
    seq: int | None = None  # the event that recorded the value

    @property
    def differing(self) -> list[str]:
        """Of a changed fact made of parts (the checklist's answers), the parts that differ."""
        if not (isinstance(self.stored, Mapping) and isinstance(self.recorded, Mapping)):
            return []
        keys = sorted(set(self.stored) | set(self.recorded))
        return [k for k in keys if self.stored.get(k) != self.recorded.get(k)]

    @property
    def reason(self) -> str:
        """Technical English for the command line and logs."""
        where = f"incident {self.reference or self.incident_id}"
        if self.kind is MismatchKind.CHANGED and self.differing:
            return (
                f"{where}: {self.fact} differ from what the trail last recorded (event"
                f" #{self.seq}) in {', '.join(self.differing)}"
            )
        if self.kind is MismatchKind.CHANGED:
            return (
                f"{where}: {self.fact} is {self.stored!r} in the register, but the trail last"
                f" recorded {self.recorded!r} (event #{self.seq})"
            )
        if self.kind is MismatchKind.NOT_IN_TRAIL:
            return f"{where} is in the register, but the trail never recorded it"
        if self.kind is MismatchKind.REMOVED:
            return f"{where} was recorded by the trail (event #{self.seq}) but is gone"
        if self.kind is MismatchKind.FILING_UNRECORDED:
            return f"{where}: a filing the trail never recorded: {self.stored!r}"
        if self.kind is MismatchKind.FILING_MISSING:
            return f"{where}: a filing the trail recorded is gone or changed: {self.recorded!r}"
        if self.kind is MismatchKind.DECISION_UNRECORDED:
            return f"{where}: a decision the trail never recorded: {self.stored!r}"
        return f"{where}: a decision the trail recorded is gone or changed: {self.recorded!r}"


@dataclass(frozen=True)
class StoredIncident:
    """An incident as the register holds it: its id and its :data:`FACTS` (any form)."""

    id: int
    facts: Mapping[str, Any]
    filings: tuple[Mapping[str, Any], ...] = ()
    decisions: tuple[Mapping[str, Any], ...] = ()


_MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?([+-]\d\d:\d\d|Z)?")


def moment_in(text: str) -> datetime | None:
    """The moment a text holds when it is one as the trail writes them ("2026-12-01T10:00:00
    .000000+00:00", or ``isoformat()``'s shorter form), aware (UTC when it names no zone);
    None for any other text."""
    if len(text) < 19 or text[10:11] != "T" or not _MOMENT.fullmatch(text):
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def plain(value: Any) -> Any:
    """``value`` as the trail writes it (datetimes as UTC text, sets and tuples as lists).

    A moment already written as text is brought to the same form: the report correction
    writes ``isoformat()`` ("...T10:00:00+00:00"), the other events ``utc_text``
    ("...T10:00:00.000000+00:00"); the same instant must compare equal.
    """
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime):
        return utc_text(value)
    if isinstance(value, str):
        moment = moment_in(value)
        return value if moment is None else utc_text(moment)
    return snapshot({"v": value})["v"]


def _row(values: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """Of a filing or decision, the ``keys`` it has, made plain. An event written before a
    key was recorded lacks it: the row is then matched on the keys it has (an installation
    upgraded from then must not read as tampered with)."""
    return {k: plain(values[k]) for k in keys if k in values}


def import_snapshot(
    facts: Mapping[str, Any],
    filing: Mapping[str, Any] | None,
    decision: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """What an import event records of the entry it made, so that the entry is traced like
    a reported one: its :data:`FACTS`, and its filing and decision when it has them."""
    return {
        "register": {name: facts.get(name) for name in FACTS},
        "filing": None if filing is None else {k: filing.get(k) for k in FILING_KEYS},
        "decision": None if decision is None else {k: decision.get(k) for k in DECISION_KEYS},
    }


@dataclass
class _Traced:
    first_seq: int | None = None
    values: dict[str, tuple[Any, int]] = field(default_factory=dict)  # fact -> (value, seq)
    filings: list[dict[str, Any]] = field(default_factory=list)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    reference: str = ""
    # Whether the first event recorded the incident's filings and decisions from the start
    # (a report, or an import that carried them): only then are missing ones a finding.
    rows_traced: bool = False


class RegisterTracer:
    """Follows one chain's incident events (fed in sequence order with :meth:`add`)."""

    def __init__(self) -> None:
        self._incidents: dict[int, _Traced] = {}

    def add(
        self, seq: int, action: str, entity_type: str, entity_id: str | None, after: Any
    ) -> None:
        """Take in one event of the chain (events about anything but an incident are skipped)."""
        if entity_type != "incident" or entity_id is None or not entity_id.isdigit():
            return
        if not isinstance(after, Mapping):
            return
        traced = self._incidents.setdefault(int(entity_id), _Traced())
        if action in FIRST_EVENTS and traced.first_seq is None:
            traced.first_seq = seq
            traced.rows_traced = action == "incident.reported" or "register" in after
        source: Mapping[str, Any] = after
        if action == "incident.imported":
            traced.reference = str(after.get("reference") or "")
            source = after.get("register") or {"reference": traced.reference}
            self._imported_rows(traced, after)
        for key, fact in TRACED.get(action, ()):
            if key in source:
                traced.values[fact] = (source[key], seq)  # made plain when compared
        if isinstance(source.get("reference"), str) and action == "incident.reported":
            traced.reference = source["reference"]
        if action == FILING_ACTION:
            traced.filings.append(_row(after, FILING_KEYS))
        elif action == DECISION_ACTION and "version" in after:
            traced.decisions.append(_row(after, DECISION_KEYS))

    @staticmethod
    def _imported_rows(traced: _Traced, after: Mapping[str, Any]) -> None:
        if isinstance(after.get("filing"), Mapping):
            traced.filings.append(_row(after["filing"], FILING_KEYS))
        if isinstance(after.get("decision"), Mapping):
            traced.decisions.append(_row(after["decision"], DECISION_KEYS))

    def compare(self, stored: Iterable[StoredIncident]) -> list[RegisterMismatch]:
        """Every disagreement between ``stored`` (all the chain's incidents, read one at a
        time) and the trail, per incident in the order of :data:`FACTS`; the incidents gone
        from the register last."""
        found: list[RegisterMismatch] = []
        seen: set[int] = set()
        for incident in stored:
            seen.add(incident.id)
            found.extend(self._compare_one(incident))
        for incident_id, traced in sorted(self._incidents.items()):
            if incident_id not in seen and traced.first_seq is not None:
                found.append(
                    RegisterMismatch(
                        incident_id,
                        traced.reference,
                        MismatchKind.REMOVED,
                        seq=traced.first_seq,
                    )
                )
        return found

    def _compare_one(self, incident: StoredIncident) -> list[RegisterMismatch]:
        reference = str(incident.facts.get("reference") or "")
        traced = self._incidents.get(incident.id)
        if traced is None or traced.first_seq is None:
            return [RegisterMismatch(incident.id, reference, MismatchKind.NOT_IN_TRAIL)]
        found = []
        for fact in FACTS:
            if fact not in traced.values or fact not in incident.facts:
                continue
            recorded, seq = traced.values[fact]
            if recorded == TOMBSTONE:
                continue
            # The common cases first: equal as read, or once the stored value is made plain
            # (a moment in the table against its text in the event).
            stored = incident.facts[fact]
            if stored == recorded or (stored := plain(stored)) == recorded:
                continue
            recorded = plain(recorded)
            if stored != recorded:
                found.append(
                    RegisterMismatch(
                        incident.id, reference, MismatchKind.CHANGED, fact, stored, recorded, seq
                    )
                )
        if not traced.rows_traced:
            return found
        for rows, keys, kinds in _ROWS:
            stored_rows = [_row(row, keys) for row in getattr(incident, rows)]
            found += _rows_compared(
                incident.id, reference, stored_rows, getattr(traced, rows), kinds
            )
        return found


#: The rows compared as a whole: (attribute, identifying keys, what their absence is called).
_ROWS = (
    ("filings", FILING_KEYS, (MismatchKind.FILING_UNRECORDED, MismatchKind.FILING_MISSING)),
    ("decisions", DECISION_KEYS, (MismatchKind.DECISION_UNRECORDED, MismatchKind.DECISION_MISSING)),
)


def _rows_compared(
    incident_id: int,
    reference: str,
    stored: list[dict[str, Any]],
    recorded: list[dict[str, Any]],
    kinds: tuple[MismatchKind, MismatchKind],
) -> list[RegisterMismatch]:
    """Each recorded row paired with a stored row that agrees on every key it has; what is
    left on either side is a finding."""
    unrecorded, missing = kinds
    left = list(stored)
    gone = []
    for row in recorded:
        match = next(
            (i for i, have in enumerate(left) if all(have.get(k) == v for k, v in row.items())),
            None,
        )
        if match is None:
            gone.append(row)
        else:
            del left[match]
    found = [RegisterMismatch(incident_id, reference, unrecorded, stored=row) for row in left]
    found += [RegisterMismatch(incident_id, reference, missing, recorded=row) for row in gone]
    return found

"""The register compared with its audit trail (domain/audit/register_trail.py): a fact, a
filing or a decision changed outside breachdesk is named; what the trail never recorded is
not judged; a value erased by retention is not compared."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from breachdesk.domain.audit.erasure import TOMBSTONE
from breachdesk.domain.audit.register_trail import (
    MismatchKind,
    RegisterTracer,
    StoredIncident,
    import_snapshot,
)

AWARE = datetime(2026, 11, 30, 22, 5, tzinfo=UTC)
FILED = datetime(2026, 12, 1, 16, 5, tzinfo=UTC)
FILING = {
    "addressee": "ap",
    "kind": "initial",
    "submitted_at": FILED,
    "reference": "M-1",
    "late": False,
}
DECISION = {"version": 1, "outcome": "notify_ap", "rationale": "Risico voor de klanten."}


def trail() -> RegisterTracer:
    """One incident reported, triaged, made aware of, decided and filed, as the app logs it."""
    tracer = RegisterTracer()
    events: list[tuple[str, str, dict[str, Any]]] = [
        ("organisation.created", "organisation", {"name": "Kruix"}),
        (
            "incident.reported",
            "incident",
            {"reference": "KRX-2026-0001", "state": "reported", "title": "Laptop gestolen"},
        ),
        ("incident.triaged", "incident", {"personal_data": "yes", "breach_types": ["c"]}),
        ("incident.awareness_recorded", "incident", {"aware_at": AWARE, "reason": ""}),
        ("incident.state_changed", "incident", {"state": "decided", "reason": ""}),
        ("incident.decided", "incident", {**DECISION, "follows_recommendation": True}),
        ("incident.notification_recorded", "incident", FILING),
    ]
    for seq, (action, entity, after) in enumerate(events, start=1):
        tracer.add(seq, action, entity, "7" if entity == "incident" else "1", snapshot(after))
    return tracer


def snapshot(after: dict[str, Any]) -> dict[str, Any]:
    from breachdesk.domain.audit.canonical import snapshot as plain

    return plain(after)


def stored(**changes: Any) -> StoredIncident:
    facts = {
        "reference": "KRX-2026-0001",
        "state": "decided",
        "title": "Laptop gestolen",
        "personal_data": "yes",
        "breach_types": ["c"],
        "aware_at": AWARE,
        "decided_outcome": "notify_ap",
        "subjects_exact": 5,  # not in the trail above: not judged
    }
    filings = changes.pop("filings", (FILING,))
    decisions = changes.pop("decisions", (DECISION,))
    return StoredIncident(7, {**facts, **changes}, tuple(filings), tuple(decisions))


def test_a_register_as_its_trail_recorded_it_has_no_finding() -> None:
    assert trail().compare([stored()]) == []


def test_a_moment_of_awareness_changed_in_the_table_is_named_with_both_values() -> None:
    earlier = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # the deadline "met" after all
    (found,) = trail().compare([stored(aware_at=earlier)])
    assert found.kind is MismatchKind.CHANGED and found.fact == "aware_at"
    assert found.stored == "2026-12-01T09:00:00.000000+00:00"
    assert found.recorded == "2026-11-30T22:05:00.000000+00:00" and found.seq == 4
    assert "KRX-2026-0001" in found.reason and "aware_at" in found.reason


def test_each_changed_fact_is_named_once_and_in_order() -> None:
    found = trail().compare([stored(state="closed", breach_types=["a", "c"], title="Iets")])
    assert [(m.kind, m.fact) for m in found] == [
        (MismatchKind.CHANGED, "state"),
        (MismatchKind.CHANGED, "title"),
        (MismatchKind.CHANGED, "breach_types"),
    ]


def test_a_filing_moved_removed_or_added_is_named() -> None:
    moved = {**FILING, "submitted_at": datetime(2026, 12, 1, 10, 0, tzinfo=UTC)}
    found = trail().compare([stored(filings=(moved,))])
    assert [m.kind for m in found] == [
        MismatchKind.FILING_UNRECORDED,
        MismatchKind.FILING_MISSING,
    ]
    assert found[0].stored["submitted_at"] == "2026-12-01T10:00:00.000000+00:00"
    (gone,) = trail().compare([stored(filings=())])
    assert gone.kind is MismatchKind.FILING_MISSING and gone.recorded["reference"] == "M-1"
    (added,) = trail().compare([stored(filings=(FILING, {**FILING, "kind": "supplement"}))])
    assert added.kind is MismatchKind.FILING_UNRECORDED


def test_a_decision_with_other_reasons_is_named() -> None:
    rewritten = {**DECISION, "rationale": "Geen risico."}
    found = trail().compare([stored(decisions=(rewritten,))])
    assert [m.kind for m in found] == [
        MismatchKind.DECISION_UNRECORDED,
        MismatchKind.DECISION_MISSING,
    ]


def test_an_incident_the_trail_never_recorded_or_that_is_gone_is_named() -> None:
    other = StoredIncident(8, {"reference": "KRX-2026-0002", "state": "closed"})
    found = trail().compare([stored(), other])
    assert [(m.incident_id, m.kind) for m in found] == [(8, MismatchKind.NOT_IN_TRAIL)]
    (removed,) = trail().compare([])
    assert removed.kind is MismatchKind.REMOVED and removed.reference == "KRX-2026-0001"
    assert removed.seq == 2


def test_a_value_erased_by_retention_is_not_compared() -> None:
    tracer = trail()
    tracer.add(8, "incident.report_corrected", "incident", "7", {"title": TOMBSTONE})
    assert tracer.compare([stored(title="[erased]")]) == []
    assert tracer.compare([stored(title="Iets anders")]) == []


def test_the_last_value_counts_and_other_events_change_nothing() -> None:
    tracer = trail()
    later = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    tracer.add(8, "incident.awareness_corrected", "incident", "7", snapshot({"aware_at": later}))
    # A filing's "reference" is the AP's, not the incident's: it does not trace the latter.
    tracer.add(9, "incident.mailing_started", "incident", "7", {"reference": "X", "state": "x"})
    assert tracer.compare([stored(aware_at=later)]) == []
    (found,) = tracer.compare([stored()])
    assert found.fact == "aware_at" and found.seq == 8


def test_an_imported_entry_is_traced_from_its_import_event_and_an_old_import_is_not_judged():
    facts = {"reference": "KRX-2023-0001", "state": "closed", "aware_at": AWARE}
    tracer = RegisterTracer()
    after = {"reference": "KRX-2023-0001", **import_snapshot(facts, FILING, DECISION)}
    tracer.add(1, "incident.imported", "incident", "3", snapshot(after))
    entry = StoredIncident(3, facts, (FILING,), (DECISION,))
    assert tracer.compare([entry]) == []
    changed = StoredIncident(3, {**facts, "aware_at": FILED}, (), (DECISION,))
    assert [m.kind for m in tracer.compare([changed])] == [
        MismatchKind.CHANGED,
        MismatchKind.FILING_MISSING,
    ]
    # Imported before the event carried the entry: only its reference is on record.
    old = RegisterTracer()
    old.add(1, "incident.imported", "incident", "3", {"reference": "KRX-2023-0001"})
    assert old.compare([changed]) == []
    (found,) = old.compare([StoredIncident(3, {**facts, "reference": "KRX-2023-0009"})])
    assert found.fact == "reference"


def test_changed_checklist_answers_are_named_by_the_answers_that_differ() -> None:
    tracer = trail()
    answers = {"malicious": "yes", "recipients": "unknown", "groups": []}
    tracer.add(8, "incident.checklist_saved", "incident", "7", {"facts": answers})
    (found,) = tracer.compare([stored(facts={**answers, "malicious": "no", "misuse": "x"})])
    assert found.fact == "facts" and found.differing == ["malicious", "misuse"]
    assert found.reason.endswith("(event #8) in malicious, misuse")


def test_a_moment_written_as_isoformat_by_the_report_correction_equals_the_same_instant() -> None:
    # report_correction writes isoformat() (no microseconds when there are none), the other
    # events utc_text: the same instant, corrected and stored, is no finding.
    tracer = trail()
    corrected = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
    tracer.add(
        8, "incident.report_corrected", "incident", "7", {"discovered_at": corrected.isoformat()}
    )
    assert tracer.compare([stored(discovered_at=corrected)]) == []
    (found,) = tracer.compare([stored(discovered_at=corrected.replace(minute=1))])
    assert found.fact == "discovered_at" and found.recorded == "2026-11-30T20:00:00.000000+00:00"


def test_events_written_before_a_key_was_recorded_are_matched_on_the_keys_they_have() -> None:
    # Filings were recorded without their addressee, decisions without their reasons, in
    # earlier versions: an upgraded installation must not read as tampered with.
    tracer = RegisterTracer()
    tracer.add(1, "incident.reported", "incident", "7", {"reference": "KRX-2026-0001"})
    old_filing = {k: v for k, v in FILING.items() if k != "addressee"}
    tracer.add(2, "incident.notification_recorded", "incident", "7", snapshot(old_filing))
    tracer.add(3, "incident.decided", "incident", "7", {"version": 1, "outcome": "notify_ap"})
    assert tracer.compare([stored()]) == []
    moved = {**FILING, "submitted_at": datetime(2026, 12, 2, 9, 0, tzinfo=UTC)}
    kinds = [m.kind for m in tracer.compare([stored(filings=(moved,))])]
    assert kinds == [MismatchKind.FILING_UNRECORDED, MismatchKind.FILING_MISSING]

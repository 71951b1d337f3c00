"""Rule set 2026.2 (issue 13): each fixed rule and each new fact, both ways — the rule fires,
and it does not when one of its conditions fails — and reasons that say only what is known."""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from breachdesk.domain.assessment import RULESET_VERSION, Outcome, RiskLevel, assess
from breachdesk.domain.checklist import (
    Availability,
    BreachType,
    Consequence,
    Facts,
    Integrity,
    Misuse,
    PasswordProtection,
    Protection,
    Recipients,
    Tri,
    Volume,
)
from breachdesk.domain.profile import EnisaClass
from breachdesk.domain.rule_terms import FLAG_MESSAGES

from .test_assessment_cases import ESTABLISHED, case

C, A, I = BreachType.CONFIDENTIALITY, BreachType.AVAILABILITY, BreachType.INTEGRITY  # noqa: E741


def outcome(facts: Facts) -> Outcome:
    return assess(facts).outcome


def texts(facts: Facts) -> list[str]:
    rec = assess(facts)
    return [r.text() for r in (*rec.reasons, *rec.uncertainties)]


def test_the_rule_set_version_moved() -> None:
    assert RULESET_VERSION == "2026.2" and assess(ESTABLISHED).ruleset_version == "2026.2"


# --- 1. ransomware undone by a backup, whatever boxes were ticked --------------------------

RANSOMWARE_RESTORED = case(
    breach_types={C, I, A},
    malicious=Tri.YES,
    exfiltration=Tri.NO,
    recipients=Recipients.MANY_OR_UNKNOWN,
    protection=Protection.STATE_OF_THE_ART_KEY_SAFE,
    availability=Availability.TEMPORARY,
    backup_available=Tri.YES,
    restore_hours=4.0,
    integrity=Integrity.RECOVERABLE,
    subjects_count=40,
)


@pytest.mark.parametrize("types", [{C, I, A}, {I, A}, {A}, {I}])
def test_ransomware_restored_within_hours_is_register_only(types: set[BreachType]) -> None:
    assert outcome(case(**{**_changes(RANSOMWARE_RESTORED), "breach_types": types})) is (
        Outcome.REGISTER_ONLY
    )


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"restore_hours": 30.0}, id="restored-after-a-day"),
        pytest.param({"restore_hours": None}, id="restore-time-unknown"),
        pytest.param({"integrity": Integrity.NOT_RECOVERABLE}, id="not-recoverable"),
        pytest.param({"exfiltration": Tri.UNKNOWN}, id="exfiltration-unknown"),
        pytest.param({"protection": Protection.NONE}, id="readable-data-reached"),
        pytest.param({"consequences": {Consequence.SERVICE_DISRUPTION}}, id="outage-harmed"),
        pytest.param({"misuse": Misuse.ALREADY_MISUSED}, id="misused"),
    ],
)
def test_ransomware_is_notified_when_one_condition_fails(change: dict[str, Any]) -> None:
    facts = case(**{**_changes(RANSOMWARE_RESTORED), **change})
    assert outcome(facts) is not Outcome.REGISTER_ONLY


# --- 2. an outage without loss or harm ------------------------------------------------------

OUTAGE = case(
    breach_types={A},
    exfiltration=Tri.NO,
    availability=Availability.TEMPORARY,
    backup_available=Tri.NO,  # none was needed: nothing was lost
    restore_hours=3.0,
    consequences={Consequence.SERVICE_UNAVAILABLE},
    subjects_count=2_000,
)


def test_an_outage_of_hours_without_loss_or_harm_is_register_only() -> None:
    rec = assess(OUTAGE)
    assert rec.outcome is Outcome.REGISTER_ONLY
    assert "restored_from_backup" in {r.factor for r in rec.reasons}


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"consequences": {Consequence.SERVICE_DISRUPTION}}, id="people-harmed"),
        pytest.param({"restore_hours": 48.0}, id="two-days"),
        pytest.param({"availability": Availability.PERMANENT}, id="lost"),
        pytest.param({"exfiltration": Tri.UNKNOWN, "malicious": Tri.YES}, id="attack"),
    ],
)
def test_an_outage_is_notified_when_it_harmed_or_lasted(change: dict[str, Any]) -> None:
    assert outcome(replace(OUTAGE, **change)) is Outcome.NOTIFY_AP


# --- 3. a small misdirection to a known recipient --------------------------------------------

SWAPPED_INVOICES = replace(
    ESTABLISHED,
    data_classes=frozenset({EnisaClass.SIMPLE, EnisaClass.BEHAVIOURAL}),  # what they bought
    children=Tri.UNKNOWN,  # nothing suggests either; the case does not say
    vulnerable=Tri.UNKNOWN,
    deletion_requested=Tri.YES,
    subjects_count=2,
)


def test_swapped_invoices_are_register_only_and_say_what_is_unknown() -> None:
    rec = assess(SWAPPED_INVOICES)
    assert rec.outcome is Outcome.REGISTER_ONLY
    assert "minimal_exposure" in {r.factor for r in rec.reasons}


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"children": Tri.YES}, id="a-child"),
        pytest.param({"vulnerable": Tri.YES}, id="vulnerable"),
        pytest.param({"financial_data": Tri.YES}, id="bank-data"),
        pytest.param({"id_document_number": Tri.YES}, id="passport-number"),
        pytest.param({"subjects_count": 11}, id="eleven-people"),
        pytest.param({"malicious": Tri.UNKNOWN}, id="maybe-intentional"),
        pytest.param({"volume_per_person": Volume.EXTENSIVE}, id="a-whole-file"),
        pytest.param({"recipients": Recipients.KNOWN_HOSTILE}, id="hostile-recipient"),
        pytest.param({"misuse": Misuse.ALREADY_MISUSED}, id="misused"),
        pytest.param(
            {"data_classes": frozenset({EnisaClass.SIMPLE, EnisaClass.FINANCIAL})}, id="financial"
        ),
    ],
)
def test_a_misdirection_is_notified_when_one_condition_fails(change: dict[str, Any]) -> None:
    assert outcome(replace(SWAPPED_INVOICES, **change)) is not Outcome.REGISTER_ONLY


@pytest.mark.parametrize(
    "recipients",
    [Recipients.ONE_UNIDENTIFIED, Recipients.AFFECTED_THEMSELVES, Recipients.LIMITED_KNOWN],
)
def test_few_known_recipients_of_format_2_count_as_a_minimal_exposure(
    recipients: Recipients,
) -> None:
    assert outcome(replace(SWAPPED_INVOICES, recipients=recipients)) is Outcome.REGISTER_ONLY


IBAN_MAIL = case(  # one e-mail with 38 customers' IBANs to one known customer
    data_classes={EnisaClass.SIMPLE, EnisaClass.FINANCIAL},
    financial_data=Tri.YES,
    deletion_confirmed=Tri.YES,
    subjects_count=38,
)


def test_a_contained_mistake_is_not_high_on_the_enisa_band_alone() -> None:
    rec = assess(IBAN_MAIL)
    assert rec.severity.band.value in ("high", "very_high")
    assert rec.outcome is Outcome.NOTIFY_AP and rec.risk is RiskLevel.RISK
    assert any("misuse is unlikely" in text for text in texts(IBAN_MAIL))


def test_a_mistake_whose_data_were_taken_is_high_and_its_reasons_say_so_throughout() -> None:
    """Found by exploratory testing: with data taken (exfiltration "yes") and a known
    recipient asked to delete them, the advice said "data were taken ... so the risk is high",
    then "misuse is unlikely and the severity alone does not make the risk high", then "the
    risk is high, so inform them": the register's reasoning contradicted itself."""
    taken = replace(
        IBAN_MAIL,
        exfiltration=Tri.YES,
        deletion_confirmed=Tri.NO,
        deletion_requested=Tri.YES,
        exposure_reach=1,
    )
    rec = assess(taken)
    assert rec.risk is RiskLevel.HIGH and rec.outcome is Outcome.NOTIFY_AP_AND_SUBJECTS
    said = texts(taken)
    assert any(t.startswith("Data were taken (exfiltrated)") for t in said)
    assert not any("misuse is unlikely" in t for t in said)
    assert "One person saw, received or downloaded the data (best estimate)." in said
    assert not any("1 people" in t or ", 3 or more" in t for t in said)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"deletion_confirmed": Tri.NO}, id="deletion-not-confirmed"),
        pytest.param({"malicious": Tri.YES}, id="intentional"),
        pytest.param({"recipients": Recipients.MANY_OR_UNKNOWN}, id="many"),
        pytest.param({"misuse": Misuse.ALREADY_MISUSED}, id="misused"),
    ],
)
def test_the_enisa_band_makes_it_high_when_misuse_is_plausible(change: dict[str, Any]) -> None:
    assert assess(replace(IBAN_MAIL, **change)).risk is RiskLevel.HIGH


# --- 4. criminals hold data that are gone, and what they are is not established ------------

STOLEN_AND_GONE = case(
    breach_types={C, A},
    malicious=Tri.YES,
    exfiltration=Tri.YES,
    recipients=Recipients.MANY_OR_UNKNOWN,
    availability=Availability.PERMANENT,
    backup_available=Tri.NO,
    data_classes=frozenset(),  # not yet established
    special_category=Tri.UNKNOWN,
    financial_data=Tri.UNKNOWN,
    subjects_count=3_000,
)


def test_criminals_holding_unknown_data_that_is_gone_lean_to_informing() -> None:
    rec = assess(STOLEN_AND_GONE)
    assert rec.outcome is Outcome.NOTIFY_AP_AND_SUBJECTS
    assert any("not yet established" in r.text() for r in rec.reasons)
    assert {"special_category", "financial_data", "data_classes"} <= {
        u.factor for u in rec.uncertainties
    }


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            {
                "data_classes": frozenset({EnisaClass.SIMPLE}),
                "special_category": Tri.NO,
                "financial_data": Tri.NO,
            },
            id="kinds-established",
        ),
        pytest.param(
            {"availability": Availability.TEMPORARY, "backup_available": Tri.YES}, id="restored"
        ),
        pytest.param({"protection": Protection.STATE_OF_THE_ART_KEY_SAFE}, id="encrypted"),
    ],
)
def test_that_rule_does_not_fire_when_a_condition_fails(change: dict[str, Any]) -> None:
    rec = assess(replace(STOLEN_AND_GONE, **change))
    assert not any("not yet established (see" in r.text() for r in rec.reasons)


# --- 5. words that say only what was answered ----------------------------------------------


def test_recipients_not_known_read_as_may_have_reached() -> None:
    maybe = texts(case(recipients=Recipients.UNKNOWN, national_id_number=Tri.YES))
    assert any("may have reached" in t for t in maybe)
    assert not any("number reached" in t for t in maybe)
    sure = texts(case(recipients=Recipients.MANY_OR_UNKNOWN, national_id_number=Tri.YES))
    assert any("number reached criminals" in t for t in sure)


@pytest.mark.parametrize(
    ("low", "expected"),
    [
        (110, "Between 110 and 125 people"),
        (None, "Up to 125 people are affected (the best estimate)"),
        (125, "125 people are affected"),
    ],
)
def test_the_number_of_people_says_what_is_known(low: int | None, expected: str) -> None:
    found = texts(case(subjects_count=125, subjects_min=low))
    assert any(t.startswith(expected) for t in found), found


# --- 6. the organisation's own promises --------------------------------------------------

PROMISE = "Een datalek wordt direct bij de Autoriteit Persoonsgegevens gemeld."


def test_a_promise_is_quoted_beside_register_only_advice_without_changing_it() -> None:
    plain, promised = (
        assess(SWAPPED_INVOICES),
        assess(replace(SWAPPED_INVOICES, commitments=(PROMISE,))),
    )
    assert plain.outcome is promised.outcome is Outcome.REGISTER_ONLY
    reason = next(r for r in promised.reasons if r.factor == "commitments")
    assert "does not require notifying" in reason.text()
    # Quoted without its own full stop: the sentence goes on after the quote.
    assert f"“{PROMISE[:-1]}”. A promise is not a legal duty" in reason.text()
    assert "commitments" not in {r.factor for r in plain.reasons}


def test_a_promise_beside_a_notification_asks_whether_it_is_kept() -> None:
    rec = assess(replace(IBAN_MAIL, commitments=(PROMISE,)))
    reason = next(r for r in rec.reasons if r.factor == "commitments")
    assert rec.outcome is Outcome.NOTIFY_AP and "Beside the legal advice" in reason.text()


# --- the other new facts -----------------------------------------------------------------

HASHED = case(
    malicious=Tri.YES,
    exfiltration=Tri.YES,
    recipients=Recipients.MANY_OR_UNKNOWN,
    credentials=Tri.YES,
    subjects_count=1_200,
)


def test_strongly_hashed_passwords_do_not_count_as_readable() -> None:
    strong = assess(replace(HASHED, password_protection=PasswordProtection.STRONG_HASH))
    assert strong.risk is RiskLevel.RISK
    assert "password_protection" in {r.factor for r in strong.reasons}
    for weak in (PasswordProtection.WEAK_HASH, PasswordProtection.CLEAR):
        rec = assess(replace(HASHED, password_protection=weak))
        assert rec.risk is RiskLevel.HIGH and "credentials" in {r.factor for r in rec.reasons}
    unknown = assess(HASHED)
    assert unknown.risk is RiskLevel.HIGH
    assert "password_protection" in {u.factor for u in unknown.uncertainties}


def test_misuse_already_seen_makes_the_risk_high_and_none_found_is_said() -> None:
    base = case(subjects_count=50)  # notified: its reasons list what raises the risk
    assert assess(base).outcome is Outcome.NOTIFY_AP
    assert assess(replace(base, misuse=Misuse.ALREADY_MISUSED)).risk is RiskLevel.HIGH
    none_found = assess(replace(base, misuse=Misuse.NONE_FOUND))
    assert none_found.outcome is assess(base).outcome
    assert "misuse" in {r.factor for r in none_found.reasons}


def test_a_known_hostile_recipient_is_a_wide_exposure() -> None:
    rec = assess(case(recipients=Recipients.KNOWN_HOSTILE, financial_data=Tri.YES))
    assert rec.risk is RiskLevel.HIGH
    assert any("reached criminals, a hostile person" in r.text() for r in rec.reasons)


def test_an_id_document_number_is_scored_like_a_bsn() -> None:
    rec = assess(case(id_document_number=Tri.YES))
    assert rec.severity.base == 3 and rec.severity.base_reason.factor == "id_document_number"


def test_exposure_length_and_reach_are_stated() -> None:
    found = texts(
        case(recipients=Recipients.MANY_OR_UNKNOWN, exposure_hours=504, exposure_reach=40)
    )
    assert "The data were open to others for 504.0 hours." in found
    assert "40 people saw, received or downloaded the data (best estimate)." in found


# --- no reason asserts what was not answered --------------------------------------------------

_TRI_FLAGS = [f.name for f in fields(Facts) if f.type in ("Tri", Tri)]
_UNCERTAIN = ("not known", "not established", "not yet", "may ", "(may", "unknown", "if ")


def _facts_strategy() -> st.SearchStrategy[Facts]:
    values: dict[str, st.SearchStrategy[Any]] = {}
    for f in fields(Facts):
        default = f.default
        if isinstance(default, Tri | Recipients | Availability | Integrity | Protection):
            values[f.name] = st.sampled_from(list(type(default)))
        elif isinstance(default, Volume | Misuse | PasswordProtection):
            values[f.name] = st.sampled_from(list(type(default)))
    values["breach_types"] = st.frozensets(st.sampled_from(list(BreachType)))
    values["data_classes"] = st.frozensets(st.sampled_from(list(EnisaClass)))
    values["consequences"] = st.frozensets(st.sampled_from(list(Consequence)), max_size=3)
    values["subjects_count"] = st.one_of(st.none(), st.integers(0, 200_000))
    values["restore_hours"] = st.one_of(st.none(), st.floats(0, 200))
    return st.builds(Facts, **values)


@seed(13)
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_facts_strategy())
def test_no_reason_asserts_a_fact_whose_answer_is_unknown(facts: Facts) -> None:
    rec = assess(facts)
    for reason in rec.reasons:
        value = getattr(facts, reason.factor, None)
        if reason.factor in _TRI_FLAGS and value is Tri.UNKNOWN:
            text = reason.text()
            assert any(word in text for word in _UNCERTAIN), (reason.factor, text)
            if reason.factor in FLAG_MESSAGES:
                assert text != FLAG_MESSAGES[reason.factor][0], (reason.factor, text)
        if facts.recipients is Recipients.UNKNOWN and not (
            facts.malicious is Tri.YES and facts.exfiltration is Tri.YES
        ):
            text = reason.text()
            assert (
                " reached criminals" not in text
                or "may have) reached" in text
                or ("may have reached" in text)
            ), text


def _changes(facts: Facts) -> dict[str, Any]:
    """``facts`` as keyword arguments for case() (sets as plain sets)."""
    out: dict[str, Any] = {}
    for f in fields(Facts):
        value = getattr(facts, f.name)
        out[f.name] = set(value) if isinstance(value, frozenset) else value
    return out


@seed(33)
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_facts_strategy())
def test_every_source_a_reason_cites_can_be_translated(facts: Facts) -> None:
    """Each reason's rule is one of CITATIONS (marked for translation), and each band a reason
    names is one of the bands' labels."""
    from breachdesk.domain.citations import CITATIONS
    from breachdesk.domain.severity import Band

    rec = assess(facts)
    sev = rec.severity
    found = (
        *rec.reasons,
        *rec.uncertainties,
        sev.base_reason,
        sev.ei_reason,
        *(part.reason for part in sev.cb_parts),
        *(step.reason for step in sev.adjustments),
        *sev.notes,
    )
    for reason in found:
        assert reason.rule in CITATIONS, reason.rule
        if "band" in reason.params:
            assert reason.params["band"] in {b.label for b in Band}
        for value in reason.params.values():  # no English band hidden inside a parameter
            assert not any(str(value).endswith(f"({b.label})") for b in Band), value


# --- groups of people with a different exposure ----------------------------------------------

LEAKED_CUSTOMERS = case(
    malicious=Tri.YES,
    exfiltration=Tri.YES,
    recipients=Recipients.MANY_OR_UNKNOWN,
    subjects_count=12_000,  # names and e-mail addresses of every customer
)


def test_a_group_with_a_worse_exposure_is_assessed_on_its_own() -> None:
    from breachdesk.domain.checklist import PeopleGroup

    whole = assess(LEAKED_CUSTOMERS)
    assert whole.outcome is Outcome.NOTIFY_AP
    facts = replace(
        LEAKED_CUSTOMERS,
        groups=(
            PeopleGroup(
                "accounts entered",
                40,
                (("credentials", Tri.YES), ("misuse", Misuse.ALREADY_MISUSED)),
            ),
            PeopleGroup(
                "newsletter only", 9_000, (("data_classes", frozenset({EnisaClass.SIMPLE})),)
            ),
        ),
    )
    rec = assess(facts)
    assert rec.outcome is Outcome.NOTIFY_AP_AND_SUBJECTS and rec.risk is RiskLevel.HIGH
    entered, newsletter = rec.groups
    assert entered.count == 40 and entered.recommendation.inform_subjects
    assert newsletter.recommendation.outcome is Outcome.NOTIFY_AP
    texts_ = [r.text() for r in rec.reasons]
    assert any("“accounts entered” must be informed" in t for t in texts_)
    assert any("“newsletter only” the breach must be notified" in t for t in texts_)
    assert rec.reasons[-1].factor == "register"


def test_groups_that_change_nothing_change_nothing() -> None:
    from breachdesk.domain.checklist import PeopleGroup

    plain = assess(LEAKED_CUSTOMERS)
    grouped = assess(replace(LEAKED_CUSTOMERS, groups=(PeopleGroup("everyone", 12_000),)))
    assert grouped.outcome is plain.outcome and grouped.risk is plain.risk
    assert (
        grouped.notify_ap == plain.notify_ap
        and grouped.groups[0].recommendation.outcome is plain.outcome
    )


def test_groups_round_trip_and_refuse_what_a_group_cannot_change() -> None:
    from breachdesk.domain.assessment_json import facts_from_dict, facts_to_dict

    data = {
        "groups": [
            {"name": "accounts entered", "count": 40, "facts": {"misuse": "already_misused"}},
        ]
    }
    facts = facts_from_dict(data)
    assert facts.groups[0].changes == (("misuse", Misuse.ALREADY_MISUSED),)
    assert facts_from_dict(facts_to_dict(facts)) == facts
    with pytest.raises(ValueError, match="cannot change"):
        facts_from_dict({"groups": [{"name": "x", "facts": {"breach_types": ["integrity"]}}]})
    with pytest.raises(ValueError, match="name"):
        facts_from_dict({"groups": [{"name": "  ", "facts": {}}]})


def test_every_consequence_has_words_in_the_drafts() -> None:
    """A consequence without words would break the AP sheet and the notice (format 2 added
    one: a service unavailable without harm)."""
    from breachdesk.domain.notices import ap_draft, people_words

    assert set(ap_draft._CONSEQUENCES) == set(Consequence)  # noqa: SLF001
    assert set(people_words.CONSEQUENCES) == set(Consequence)

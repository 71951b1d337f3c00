"""The AP answer sheet's domain: the form table, the drafts, the sheet with edits, the diff."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from breachdesk.domain.checklist import BreachType, Consequence, Facts, Permanence, Protection
from breachdesk.domain.notices.ap_2022 import AP_2022, FORMS
from breachdesk.domain.notices.ap_draft import (
    DataItem,
    DecisionSummary,
    Group,
    Informing,
    Person,
    SheetFacts,
    Status,
    draft_answers,
)
from breachdesk.domain.notices.forms import check_answer
from breachdesk.domain.notices.sheet import Edit, build_sheet, changes, snapshot, snapshot_digest
from breachdesk.domain.profile import Address, OrganisationProfile

#: Every question number of DOMAIN.md §b.2, in the form's order (written out on purpose).
AP_NUMBERS = [
    "1.1", "1.2", "1.3", "2.1.1", "2.2.1", "3.1.1", "3.1.2", "3.2.1", "3.2.2", "3.3",
    "4.1.1", "4.1.2", "4.2", "4.3", "4.5", "5.1", "5.2", "5.3", "5.4", "6.1", "6.2",
    "6.3.1", "7.1", "7.2", "7.3", "8.1", "9.1", "9.2", "9.3", "10.1.1", "10.1.3",
    "10.1.7", "10.2",
]  # fmt: skip

AWARE = datetime(2026, 11, 19, 9, 30, tzinfo=UTC)
PROFILE = OrganisationProfile(
    slug="x",
    legal_name="Voorbeeld B.V.",
    address=Address("Hoofdstraat 1", "1234 AB", "Utrecht"),
    kvk_number="12345678",
    sector="Zorg",
)


def facts(**changes_: object) -> SheetFacts:
    base = SheetFacts(
        now=AWARE + timedelta(hours=10),
        organisation=PROFILE,
        notifier=Person("Fleur Gerritsen", "Functionaris Gegevensbescherming", "fg@x.nl", "030-1"),
        title="Laptop gestolen",
        description="Een laptop met cliëntdossiers is uit de auto gestolen.",
        discovered_at=AWARE - timedelta(hours=2),
        discovery_how="Medewerker meldde het de volgende ochtend.",
        ongoing="no",
        started_at=AWARE - timedelta(hours=14),
        ended_at=AWARE - timedelta(hours=14),
        aware_at=AWARE,
        deadline=AWARE + timedelta(hours=72),
        data=(DataItem("Naam en adres"), DataItem("Gezondheidsgegevens", special_category=True)),
        subjects_mode="range",
        subjects_min=100,
        subjects_max=250,
        records_count=250,
        subject_groups=(Group("Cliënten", "Clients"),),
        report_protection="none",
        containment=("remote_wipe",),
        containment_details="Wachtwoorden van de medewerker gewijzigd.",
        breach_types=("confidentiality",),
    )
    return replace(base, **changes_)  # type: ignore[arg-type]


def test_the_table_has_every_question_of_the_form_in_order_and_is_marked_reconstructed() -> None:
    assert AP_2022.numbers() == AP_NUMBERS
    assert AP_2022.reconstructed and "Reconstructed" in AP_2022.source
    assert FORMS["ap-2022"] is AP_2022
    assert [c.number for c in AP_2022.chapters] == [str(n) for n in range(1, 11)]
    # 9.3 offers the AP's four severity levels.
    assert [o.key for o in AP_2022.question("9.3").options] == [  # type: ignore[union-attr]
        "verwaarloosbaar", "beperkt", "aanzienlijk", "zeer_groot"
    ]  # fmt: skip


def test_every_question_gets_a_draft_in_dutch_by_default() -> None:
    drafts = draft_answers(AP_2022, facts())
    assert list(drafts) == AP_NUMBERS
    assert drafts["3.1.1"].status is Status.COMPLETE
    assert "KvK-nummer: 12345678" in drafts["3.1.1"].text
    assert drafts["6.2"].text == "Ja: Gezondheidsgegevens"
    assert drafts["7.3"].text == "Minimaal 100, maximaal 250"
    assert drafts["5.2"].choices == ("device_lost",) and drafts["5.2"].status is Status.NEEDS_WORDS
    assert drafts["4.5"].text.startswith("Niet van toepassing")
    english = draft_answers(AP_2022, facts(), "en")
    assert english["7.3"].text == "At least 100, at most 250"
    # Found by exploratory testing: the English answers named the data and the people in
    # Dutch ("Voor- en achternaam ... and Bankrekeningnummer"), though the profile has English.
    named = facts(
        data=(
            DataItem("Naam en adres", name_en="Name and address"),
            DataItem("Telefoonnummer"),  # no English name: the Dutch one
            DataItem("Gezondheidsgegevens", special_category=True, name_en="Health data"),
        )
    )
    english = draft_answers(AP_2022, named, "en")
    assert english["6.1"].text == "Name and address and Telefoonnummer"
    assert english["6.2"].text == "Yes: Health data" and english["7.1"].text == "Clients"
    dutch = draft_answers(AP_2022, named)
    assert (
        dutch["6.1"].text == "Naam en adres en Telefoonnummer" and dutch["7.1"].text == "Cliënten"
    )


def test_what_is_not_known_is_missing_with_its_reason() -> None:
    unknown = facts(
        organisation=replace(PROFILE, kvk_number=None),
        started_at=None,
        ended_at=None,
        ongoing="unknown",
        records_count=None,
        subjects_mode="unknown",
        containment=(),
        containment_details="",
    )
    drafts = draft_answers(AP_2022, unknown)
    for number in ("3.1.1", "4.1.1", "4.1.2", "6.3.1", "7.3", "10.2", "9.2", "9.3", "10.1.1"):
        assert drafts[number].status is Status.MISSING, number
        assert drafts[number].reason, number
    assert "KvK" in drafts["3.1.1"].reason


def test_late_filing_needs_the_reasons_for_the_delay() -> None:
    late = facts(now=AWARE + timedelta(hours=80))
    assert draft_answers(AP_2022, late)["4.5"].status is Status.MISSING
    with_reason = facts(
        now=AWARE + timedelta(hours=80),
        first_filed_at=AWARE + timedelta(hours=75),
        delay_reason="De verwerker meldde het pas na drie dagen.",
    )
    assert draft_answers(AP_2022, with_reason)["4.5"].text.startswith("De verwerker")


def test_checklist_and_decision_fill_the_consequences_and_the_follow_up() -> None:
    checklist = Facts(
        breach_types=frozenset({BreachType.CONFIDENTIALITY}),
        protection=Protection.NONE,
        consequences=frozenset({Consequence.IDENTITY_FRAUD, Consequence.PSYCHOLOGICAL_HARM}),
        permanence=Permanence.IRREVERSIBLE,
    )
    decided = facts(
        facts=checklist,
        severity_proposal="aanzienlijk",
        severity_score=3.25,
        severity_band="high",
        decision=DecisionSummary(True, True, False, "zeer_groot", "Gezondheidsgegevens."),
    )
    drafts = draft_answers(AP_2022, decided)
    assert drafts["9.2"].text.startswith("Mogelijke gevolgen: identiteitsfraude en psychische")
    assert "blijvend of onomkeerbaar" in drafts["9.2"].text
    # The decision's severity wins over the proposal, with the ENISA basis and the reasons.
    assert drafts["9.3"].choices == ("zeer_groot",) and drafts["9.3"].status is Status.COMPLETE
    assert "3,25 (hoog)" in drafts["9.3"].text and "Gezondheidsgegevens." in drafts["9.3"].text
    assert drafts["10.1.1"].choices == ("will_inform",)
    assert drafts["8.1"].choices == ("no",)
    # Found by exploratory testing: a supplement filed after everyone had their notice said
    # "Yes, we will" beside 10.1.3's "3 by e-mail and 1 by letter".
    sent = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    partly = replace(decided, informing=Informing(3, 3, sent, sent, 0, 1))
    answer = draft_answers(AP_2022, partly)["10.1.1"]
    assert answer.choices == ("will_inform",) and "nog niet iedereen" in answer.text
    everyone = replace(decided, informing=Informing(3, 3, sent, sent, 1, 1, sent))
    answer = draft_answers(AP_2022, everyone)["10.1.1"]
    assert answer.choices == ("informed",) and answer.text.startswith("Ja, geïnformeerd (20-11")
    not_high = replace(decided, decision=DecisionSummary(True, False, False, "beperkt", ""))
    follow_up = draft_answers(AP_2022, not_high)["10.1.1"]
    assert follow_up.choices == ("not",) and "art. 34 lid 1" in follow_up.text
    exempt = replace(decided, decision=DecisionSummary(True, False, False, "beperkt", "", "a"))
    assert "sub a" in draft_answers(AP_2022, exempt)["10.1.1"].text


def test_negligible_because_the_risk_is_unlikely_does_not_cite_a_high_score_as_its_basis() -> None:
    """Found by exploratory testing: encrypted data, advice "register only", and 9.3 read
    "Negligible / Basis: ENISA severity score 3.00 (high)"; before the decision its note
    called the proposal the ENISA score's."""
    unlikely = facts(
        severity_proposal="verwaarloosbaar",
        severity_score=3.0,
        severity_band="high",
        risk_level="unlikely",
    )
    proposed = draft_answers(AP_2022, unlikely)["9.3"]
    assert proposed.choices == ("verwaarloosbaar",) and "from the advice" in proposed.reason
    decided = replace(
        unlikely, decision=DecisionSummary(False, False, False, "verwaarloosbaar", "")
    )
    text = draft_answers(AP_2022, decided)["9.3"].text
    assert text.startswith("Verwaarloosbaar\nOnderbouwing: een risico voor de betrokkenen is")
    assert "onwaarschijnlijk" in text and "3,00 (hoog)" in text and "weegt daarom niet mee" in text
    assert "Onderbouwing: ernstscore" not in text


@pytest.mark.parametrize(
    ("risk", "severity"), [("high", "aanzienlijk"), ("high", "zeer_groot"), ("risk", "zeer_groot")]
)
def test_a_high_risk_is_never_answered_with_no_high_risk(risk: str, severity: str) -> None:
    """Found by exploratory testing: the AP was told "not a high risk" when the checklist had
    found a high risk and 9.3 said "very high"."""
    police = "Op verzoek van de politie informeren we de mensen pas na het onderzoek."
    decided = facts(
        severity_proposal=severity,
        severity_score=4.5,
        severity_band="very_high",
        risk_level=risk,
        decision=DecisionSummary(True, False, False, severity, police),
    )
    drafts = draft_answers(AP_2022, decided)
    answer = drafts["10.1.1"]
    assert answer.choices == ("not",) and answer.status is Status.NEEDS_WORDS
    assert "hoog risico" not in answer.text and police in answer.text
    assert "Art. 34(3)" in answer.reason
    # The decision's reasons are about informing here, not about the severity it kept.
    assert police not in drafts["9.3"].text
    silent = replace(decided, decision=DecisionSummary(True, False, False, severity, ""))
    assert draft_answers(AP_2022, silent)["10.1.1"].text == "Nee."
    # The Art. 34(3) grounds still answer on their own.
    exempt = replace(decided, decision=DecisionSummary(True, False, False, severity, "", "b"))
    assert draft_answers(AP_2022, exempt)["10.1.1"].status is Status.COMPLETE


def test_no_high_risk_found_is_still_answered_with_art_34_1() -> None:
    """A considerable severity from a medium ENISA score is not a high risk (Art. 34)."""
    decided = facts(
        severity_proposal="aanzienlijk",
        risk_level="risk",
        decision=DecisionSummary(True, False, False, "aanzienlijk", ""),
    )
    answer = draft_answers(AP_2022, decided)["10.1.1"]
    assert answer.status is Status.COMPLETE and "art. 34 lid 1" in answer.text


def test_answers_are_checked_against_the_form() -> None:
    q93, q52, q53 = (AP_2022.question(n) for n in ("9.3", "5.2", "5.3"))
    assert q93 and q52 and q53
    assert check_answer(q93, "", ("beperkt",)) is None
    assert check_answer(q93, "", ("vreselijk",)) is not None
    assert check_answer(q93, "", ("beperkt", "aanzienlijk")) is not None
    assert check_answer(q52, "", ("other",)) is not None  # "Overig, namelijk" needs words
    assert check_answer(q52, "Verkeerde bijlage", ("other",)) is None
    message, params = check_answer(q53, "x" * (q53.max_length + 1), ()) or ("", {})
    assert params == {"max": q53.max_length} and "%(max)d" in message
    assert check_answer(q53, "tekst", ("yes",)) is not None  # free text has no options
    # Words without a tick where the form asks for one (found by exploratory testing).
    assert check_answer(q93, "Best ernstig", ()) is not None
    assert check_answer(q93, "", ()) is None  # nothing at all: still open, not wrong


def test_an_edit_wins_over_the_draft_and_counts_as_answered() -> None:
    drafts = draft_answers(AP_2022, facts())
    plain = build_sheet(AP_2022, drafts, {}, hours_since_awareness=10, decided_to_notify=False)
    edit = Edit("Hacking via een phishingmail", ("hacking",), "Fleur", AWARE)
    edited = build_sheet(
        AP_2022, drafts, {"5.2": edit}, hours_since_awareness=10, decided_to_notify=False
    )
    answer = edited.answer("5.2")
    assert answer and answer.edited and answer.status is Status.COMPLETE
    assert answer.text == "Hacking via een phishingmail" and answer.choices == ("hacking",)
    assert edited.answered == plain.answered + 1
    assert plain.total == len(AP_NUMBERS)
    # An emptied answer is open again.
    empty = build_sheet(
        AP_2022,
        drafts,
        {"5.3": Edit("", (), "Fleur", AWARE)},
        hours_since_awareness=10,
        decided_to_notify=False,
    )
    assert empty.answer("5.3").status is Status.MISSING  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("hours", "decided", "lead"), [(10, False, False), (48, False, True), (10, True, True)]
)
def test_file_provisionally_leads_from_48_hours_or_a_decision_to_notify(
    hours: float, decided: bool, lead: bool
) -> None:
    drafts = draft_answers(AP_2022, facts())
    sheet = build_sheet(AP_2022, drafts, {}, hours_since_awareness=hours, decided_to_notify=decided)
    assert sheet.answered < sheet.total
    assert sheet.lead_with_provisional is lead
    assert [a.status for a in sheet.open_answers()][:1] == [Status.MISSING]


def test_a_supplement_shows_exactly_the_changed_answers() -> None:
    drafts = draft_answers(AP_2022, facts())
    first = snapshot(
        build_sheet(AP_2022, drafts, {}, hours_since_awareness=1, decided_to_notify=False)
    )
    later = draft_answers(AP_2022, facts(records_count=300, subjects_max=300))
    edits = {"5.2": Edit("Diefstal uit auto", ("device_lost",), "Fleur", AWARE)}
    second = snapshot(
        build_sheet(AP_2022, later, edits, hours_since_awareness=1, decided_to_notify=False)
    )
    diff = changes(first, second)
    assert [c.number for c in diff] == ["5.2", "6.3.1", "7.3"]
    assert diff[1].before == "Ongeveer 250" and diff[1].after == "Ongeveer 300"
    assert changes(second, second) == []
    assert [c.number for c in changes(None, second)] == [
        a["number"] for a in second["answers"] if a["text"] or a["choices"]
    ]
    assert snapshot_digest(first) != snapshot_digest(second)
    assert snapshot_digest(first) == snapshot_digest(dict(reversed(list(first.items()))))


def test_4_2_gives_the_processors_own_moments_when_a_processor_told_us() -> None:
    """Found by exploratory testing of the legal outcomes: for a breach a processor reported,
    4.2 gave only our own discovery; the processor's discovery and when it told us belong
    there too (Art. 33(2): the processor informs without undue delay)."""
    told = facts(
        reporting_processor="Sendcloud",
        processor_aware_at=AWARE - timedelta(days=2),
        processor_notified_at=AWARE - timedelta(hours=3),
    )
    dutch = draft_answers(AP_2022, told)["4.2"].text
    assert "De verwerker (Sendcloud) ontdekte het op" in dutch and "meldde het ons op" in dutch
    english = draft_answers(AP_2022, told, "en")["4.2"].text
    assert "The processor (Sendcloud) discovered it on" in english and "told us on" in english
    assert "verwerker" not in draft_answers(AP_2022, facts())["4.2"].text


def test_no_adverse_consequence_likely_is_an_answer_and_a_contradiction_is_flagged() -> None:
    """The checklist had no way to say "no consequences are likely": 9.2 then stayed
    "missing" for a breach the FG judged harmless (found by exploratory testing)."""
    checklist = Facts(consequences=frozenset({Consequence.NONE_LIKELY}))
    harmless = draft_answers(AP_2022, facts(facts=checklist, risk_level="unlikely"))["9.2"]
    assert harmless.status is Status.COMPLETE
    assert harmless.text == "Wij verwachten geen nadelige gevolgen voor de betrokkenen."
    english = draft_answers(AP_2022, facts(facts=checklist, risk_level="unlikely"), "en")["9.2"]
    assert english.text == "We expect no adverse consequences for the people affected."
    # The advice finds a risk all the same: the AP would read a contradiction, so it is said.
    against = draft_answers(AP_2022, facts(facts=checklist, risk_level="high"))["9.2"]
    assert against.status is Status.NEEDS_WORDS and "yet it finds a risk" in against.reason
    assert draft_answers(AP_2022, facts(facts=Facts()))["9.2"].status is Status.MISSING

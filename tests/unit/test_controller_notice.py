"""The processor's notice to the controller: Art. 33(3) elements, processor wording, one-line
subject, supplements that say what changed."""

from __future__ import annotations

from dataclasses import replace

import pytest

from breachdesk.domain.notices.ap_draft import DecisionSummary, Person
from breachdesk.domain.notices.controller_notice import NoticeKind, compose, subject_of
from breachdesk.domain.text import LINE_BREAKS

from .test_ap_sheet import facts

CONTROLLER = "Stichting Zorgklant"


def test_the_notice_holds_every_element_of_article_33_3_in_both_languages() -> None:
    notice = compose(facts(), controller=CONTROLLER, reference="KRX-2026-0007")
    nl, en = notice.body.split("-- English --")
    # (a) nature, categories and approximate numbers of people and records
    assert "Een laptop met cliëntdossiers is uit de auto gestolen." in nl
    assert "Persoonsgegevens: Naam en adres" in nl
    assert "Bijzondere persoonsgegevens: Ja: Gezondheidsgegevens" in nl
    assert "Aantal betrokkenen: Minimaal 100, maximaal 250" in nl
    assert "Aantal gegevensrecords: Ongeveer 250" in nl
    assert "Number of people: At least 100, at most 250" in en
    # when the processor became aware (for the controller's own 72 hours)
    assert "Vastgesteld als datalek (onze kennisname): 19 november 2026 om 10:30" in nl
    # (b) the contact point, (c) consequences, (d) measures
    assert "Fleur Gerritsen" in nl and "fg@x.nl" in nl and "030-1" in nl
    assert "Data Protection Officer" in en
    assert "Waarschijnlijke gevolgen" in nl and "Vertrouwelijkheid:" in nl
    assert "het apparaat op afstand gewist" in nl and "wiped the device remotely" in en
    assert notice.unknown == ()
    assert notice.changed == tuple(s.key for s in notice.sections)


def test_the_processor_speaks_to_the_controller_and_leaves_the_risk_to_it() -> None:
    decided = replace(
        facts(),
        decision=DecisionSummary(False, False, False, "zeer_groot", "Geheim oordeel", None),
    )
    notice = compose(decided, controller=CONTROLLER, reference="KRX-2026-0007")
    nl, en = notice.body.split("-- English --")
    assert nl.startswith(f"Aan {CONTROLLER},")
    assert f"Als verwerker voor {CONTROLLER}" in nl and "artikel 33, lid 2, AVG" in nl
    assert "U beslist als verwerkingsverantwoordelijke of het datalek gemeld moet worden" in nl
    assert "Als verwerker beoordelen wij het risico niet" in nl
    assert "As controller, you decide whether the breach must be notified" in en
    assert "in fasen aan" in nl and "in phases" in en
    # The controller's judgements are not the processor's: no severity, no Art. 34 answer.
    assert "Zeer groot" not in nl and "Geheim oordeel" not in nl
    assert "Nee, omdat" not in nl and "meldnummer" not in notice.body.lower()


def test_what_is_not_known_says_so_and_will_be_supplemented() -> None:
    bare = facts(
        data=(),
        data_other="",
        subjects_mode="unknown",
        records_count=None,
        subject_groups=(),
        subject_groups_other="",
        containment=(),
        containment_details="",
        notifier=Person(),
    )
    notice = compose(bare, controller=CONTROLLER, reference="KRX-2026-0007")
    assert set(notice.unknown) >= {"measures", "contact"}
    assert "Nog niet bekend; wij vullen dit aan zodra wij het weten." in notice.body
    assert "Not known yet; we will supplement this as soon as we know." in notice.body


@pytest.mark.parametrize("breaker", list(LINE_BREAKS))
def test_the_subject_is_one_line_even_with_a_hostile_title(breaker: str) -> None:
    hostile = f"Lek{breaker}Bcc: everyone@example.org{breaker}{breaker}Body"
    notice = compose(facts(title=hostile), controller=f"Klant{breaker}X", reference="R-1")
    assert not any(ch in notice.subject for ch in LINE_BREAKS)
    assert notice.subject.startswith("Melding datalek door verwerker Voorbeeld B.V.: R-1 — Lek")
    # The title is quoted on one line in the body, too.
    assert "Onderwerp:   “Lek Bcc: everyone@example.org Body”" in notice.body


def test_a_long_title_is_shortened_in_the_subject() -> None:
    subject = subject_of(NoticeKind.FIRST, "Org", "R-1", "x" * 500)
    assert len(subject) < 130 and subject.endswith("…")


def test_a_supplement_lists_what_changed_since_the_last_notice() -> None:
    first = compose(facts(), controller=CONTROLLER, reference="R-1")
    later = facts(records_count=4000, containment_details="Alle wachtwoorden vervangen.")
    supplement = compose(
        later,
        controller=CONTROLLER,
        reference="R-1",
        kind=NoticeKind.SUPPLEMENT,
        previous=first.snapshot(),
        previous_at=facts().aware_at,
    )
    assert supplement.changed == ("data", "measures")
    assert supplement.subject.startswith("Aanvulling op melding datalek door verwerker")
    nl, en = supplement.body.split("-- English --")
    assert "Dit is een aanvulling op onze eerdere melding van 19 november 2026 om 10:30" in nl
    assert (
        "Gewijzigd sinds de vorige melding: betrokken personen en gegevens, "
        "wat wij hebben gedaan en voorstellen." in nl
    )
    assert "3. Betrokken personen en gegevens *" in nl and "1. Wat er is gebeurd\n" in nl
    assert "Changed since the last notice: people and data concerned" in en
    unchanged = compose(
        facts(), controller=CONTROLLER, reference="R-1", kind=NoticeKind.SUPPLEMENT,
        previous=first.snapshot(),
    )  # fmt: skip
    assert unchanged.changed == ()
    assert "Er is inhoudelijk niets gewijzigd sinds de vorige melding." in unchanged.body

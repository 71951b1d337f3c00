"""The notice to the people affected (Art. 34 GDPR): advice chosen by the data, the Art. 34(2)
elements, merge fields that are never templates, the digest, and readability."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from breachdesk.domain.checklist import BreachType, Consequence, Facts, Recipients, Tri
from breachdesk.domain.notices.advice import ADVICE, ADVICE_VERSION, DataKind, advice_for
from breachdesk.domain.notices.advice import kinds_involved as kinds
from breachdesk.domain.notices.ap_draft import DataItem, Person, SheetFacts
from breachdesk.domain.notices.people_notice import (
    ART34_ELEMENTS,
    SECTION_KEYS,
    MergePerson,
    draft_people_notice,
    merge,
    missing_elements,
    notice_digest,
    notice_environment,
    render_notice,
    unknown_fields,
)
from breachdesk.domain.notices.readability import (
    band,
    flesch,
    flesch_douma,
    jargon_in,
    long_sentences,
    readability,
    sentences,
)
from breachdesk.domain.profile import (
    ContactDetails,
    ContactKind,
    OrganisationProfile,
    PrivacyContact,
)

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 11, 19, 10, 0, tzinfo=UTC)
PROFILE = OrganisationProfile(
    slug="x",
    legal_name="Voorbeeld B.V.",
    trade_names=("Voorbeeld",),
    privacy_contact=PrivacyContact(ContactKind.FG, "Fleur Gerritsen", "fg@x.nl", "030-1234567"),
)
CHECKLIST = Facts(
    breach_types=frozenset({BreachType.CONFIDENTIALITY}),
    malicious=Tri.YES,
    exfiltration=Tri.YES,
    recipients=Recipients.MANY_OR_UNKNOWN,
    consequences=frozenset({Consequence.FINANCIAL_LOSS, Consequence.PHISHING_OR_SPAM}),
)


def facts(**changes: object) -> SheetFacts:
    base = SheetFacts(
        now=T0 + timedelta(hours=6),
        organisation=PROFILE,
        notifier=Person("Fleur Gerritsen", "Functionaris Gegevensbescherming", "fg@x.nl"),
        title="Klantenbestand gekopieerd",
        description="Via een lek in de webshop is het klantenbestand gedownload.",
        discovered_at=T0 - timedelta(hours=2),
        started_at=T0 - timedelta(days=1, hours=3),
        ended_at=T0 - timedelta(hours=4),
        ongoing="no",
        first_filed_at=T0 + timedelta(hours=5),
        data=(DataItem("Naam"), DataItem("E-mailadres"), DataItem("IBAN")),
        breach_types=("confidentiality",),
        containment=("access_blocked", "password_reset"),
        facts=CHECKLIST,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def keys(f: SheetFacts) -> list[str]:
    return [b.key for b in advice_for(f)]


# --- advice ------------------------------------------------------------------------------------


def test_advice_follows_the_data_involved_in_the_tables_order() -> None:
    assert ADVICE.key == ADVICE_VERSION == "advice-2026-12"
    assert keys(facts()) == ["bank", "phishing", "questions"]
    password = facts(data=(DataItem("Inloggegevens (gebruikersnaam en wachtwoord)"),))
    assert keys(password) == ["password", "bank", "phishing", "questions"]  # by consequences
    no_consequences = replace(CHECKLIST, consequences=frozenset())
    plain = facts(data=(DataItem("Inloggegevens"),), facts=no_consequences)
    assert keys(plain) == ["password", "questions"]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (DataItem("Bankrekeningnummer"), "bank"),
        (DataItem("Kopie van uw identiteitsbewijs"), "id_document"),
        (DataItem("Burgerservicenummer", national_id_number=True), "bsn"),
        (DataItem("Telefoonnummer"), "phone"),
        (DataItem("Gezondheidsgegevens", special_category=True), "health"),
        (DataItem("Locatiegegevens"), "unwanted_contact"),
        (DataItem("Filmbeelden en foto's"), "unwanted_contact"),
    ],
)
def test_each_kind_of_data_brings_its_advice(data: DataItem, expected: str) -> None:
    chosen = keys(facts(data=(data,), facts=None))
    assert expected in chosen and chosen[-1] == "questions"


def test_names_do_not_fool_the_choice_and_the_checklist_wins() -> None:
    # "bijvoorbeeld" holds "beeld" but is no photo; a checklist "no" overrules a name.
    assert DataKind.PHOTOS not in kinds(facts(data=(DataItem("Gegevens, bijvoorbeeld uw naam"),)))
    ruled_out = replace(CHECKLIST, financial_data=Tri.NO, consequences=frozenset())
    assert "bank" not in keys(facts(facts=ruled_out))
    established = replace(CHECKLIST, identity_documents=Tri.YES)
    assert "id_document" in keys(facts(data=(DataItem("Dossier"),), facts=established))
    no_special = replace(CHECKLIST, special_category=Tri.NO)
    assert "health" not in keys(facts(data=(DataItem("Medisch dossier"),), facts=no_special))
    children = facts(children_involved="yes", data=(DataItem("Foto's"),))
    assert keys(children)[-3:] == ["unwanted_contact", "children", "questions"]


def test_scam_warnings_follow_contact_data_only_when_strangers_may_have_them() -> None:
    data = (DataItem("E-mailadres"), DataItem("Telefoonnummer"))
    misaddressed = replace(
        CHECKLIST, malicious=Tri.NO, recipients=Recipients.LIMITED_KNOWN, consequences=frozenset()
    )
    assert keys(facts(data=data, facts=misaddressed)) == ["questions"]
    assert keys(facts(data=data, facts=replace(misaddressed, recipients=Recipients.UNKNOWN))) == [
        "phishing",
        "phone",
        "questions",
    ]
    with_risk = replace(misaddressed, consequences=frozenset({Consequence.PHISHING_OR_SPAM}))
    assert keys(facts(data=data, facts=with_risk)) == ["phishing", "questions"]


def test_an_outage_gets_no_advice_about_disclosed_data_but_always_the_contact_block() -> None:
    lost = replace(
        CHECKLIST, breach_types=frozenset({BreachType.AVAILABILITY}), consequences=frozenset()
    )
    outage = facts(breach_types=("availability",), facts=lost)
    assert keys(outage) == ["questions"]


# --- the draft and Art. 34(2) ------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_full_draft_holds_every_element_and_emptying_one_is_reported(lang: str) -> None:
    draft = draft_people_notice(facts(), lang)
    assert list(draft.sections) == list(SECTION_KEYS)
    assert missing_elements(draft.sections) == []
    for element in ART34_ELEMENTS:
        emptied = {**draft.sections, element.section: " \n\t"}
        assert missing_elements(emptied) == [element]
    assert [e.key for e in missing_elements({})] == [e.key for e in ART34_ELEMENTS]


def test_the_dutch_draft_says_what_the_facts_say_and_no_more() -> None:
    draft = draft_people_notice(facts(), "nl")
    s = draft.sections
    assert draft.subject == "Belangrijk: datalek bij Voorbeeld"
    assert s["what_happened"].startswith(
        "Iemand heeft zonder toestemming gegevens over u gekopieerd of meegenomen."
    )
    assert "Het begon op 18 november 2026 om 8.00 uur (Nederlandse tijd). Het duurde tot " \
        "19 november 2026 om 7.00 uur." in s["what_happened"]  # fmt: skip
    assert "- naam\n- e-mailadres\n- IBAN\n" in s["your_data"] and "[gegevens]" in s["your_data"]
    assert "- U kunt geld kwijtraken." in s["consequences"]
    assert s["measures"] == (
        "Wij hebben de toegang tot de gegevens geblokkeerd.\nWij hebben wachtwoorden veranderd."
    )
    assert "op 19 november 2026 gemeld bij de Autoriteit Persoonsgegevens" in s["ap_informed"]
    assert "Fleur Gerritsen" in s["contact"] and "fg@x.nl" in s["contact"]
    assert "030-1234567" in s["contact"]
    assert "Let op uw bankrekening" in s["advice"]
    assert draft.subject.startswith("Belangrijk") and "what_happened" in draft.notes


def test_the_notice_states_only_what_the_checklist_says_happened() -> None:
    """Found by exploratory testing: a stolen stick with a backup elsewhere was "unavailable
    for a while", a stolen stick's breach "over" while a thief held the data, and data that
    "can be restored" were "restored"."""
    from breachdesk.domain.checklist import Availability, Integrity

    stick = Facts(
        breach_types=frozenset({BreachType.CONFIDENTIALITY, BreachType.AVAILABILITY}),
        availability=Availability.NO_LOSS,
        backup_available=Tri.YES,
    )
    text = draft_people_notice(facts(facts=stick, ended_at=None), "nl").sections["what_happened"]
    assert "niet beschikbaar" not in text and "verloren" not in text
    assert "Het datalek is voorbij" not in text
    assert "Het lek zelf is gestopt. Wie de gegevens kreeg of meenam, kan ze nog hebben." in text
    english = draft_people_notice(facts(facts=stick, ended_at=None), "en").sections
    assert "Whoever got or took the data may still have them." in english["what_happened"]

    altered = Facts(breach_types=frozenset({BreachType.INTEGRITY}), integrity=Integrity.RECOVERABLE)
    text = draft_people_notice(facts(facts=altered, ended_at=None), "nl").sections["what_happened"]
    assert "De juiste gegevens kunnen wij terugzetten." in text
    assert "teruggezet" not in text
    assert "Het datalek is voorbij." in text  # nothing reached anyone
    untouched = replace(altered, integrity=Integrity.NOT_ALTERED)
    text = draft_people_notice(facts(facts=untouched), "nl").sections["what_happened"]
    assert "veranderd" not in text and text.strip()


def test_unknowns_are_left_for_the_fg_like_the_answer_sheet_does() -> None:
    bare = facts(first_filed_at=None, containment=(), facts=None, data=())
    draft = draft_people_notice(bare, "nl")
    assert draft.sections["ap_informed"] == (
        "Wij hebben het datalek nog niet gemeld bij de Autoriteit Persoonsgegevens (AP)."
    )
    assert {e.key for e in missing_elements(draft.sections)} == {"consequences", "measures"}
    assert {"ap_informed", "consequences", "measures", "your_data"} <= set(draft.notes)
    with pytest.raises(ValueError, match="language"):
        draft_people_notice(bare, "de")


def test_the_contact_point_falls_back_to_the_organisation_and_else_is_missing() -> None:
    general = replace(
        PROFILE, privacy_contact=PrivacyContact(), contact=ContactDetails("info@x.nl")
    )
    text = draft_people_notice(facts(organisation=general), "nl").sections["contact"]
    assert (
        text == "Heeft u vragen over dit datalek? Neem dan contact met ons op.\nE-mail: info@x.nl"
    )
    nobody = facts(organisation=replace(general, contact=ContactDetails()), notifier=Person())
    draft = draft_people_notice(nobody, "nl")
    assert [e.key for e in missing_elements(draft.sections)] == ["contact_point"]
    assert "contact" in draft.notes


def test_the_english_draft_uses_english_names_of_the_data() -> None:
    draft = draft_people_notice(facts(), "en")
    assert draft.subject == "Important: data breach at Voorbeeld"
    assert "18 November 2026 at 8:00" in draft.sections["what_happened"]
    assert "[data]" in draft.sections["your_data"]
    assert "Keep an eye on your bank account" in draft.sections["advice"]


# --- merge fields and rendering ------------------------------------------------------------------


def test_merge_fields_are_replaced_with_fallbacks_and_unknown_ones_left_alone() -> None:
    text = "Beste [naam], het gaat om [gegevens] ([kenmerk]). [Name] / [data] / [onbekend]"
    person = MergePerson("Jan Jansen", "naam en IBAN", "K-7")
    assert merge(text, person) == (
        "Beste Jan Jansen, het gaat om naam en IBAN (K-7). Jan Jansen / naam en IBAN / [onbekend]"
    )
    assert merge("Beste [naam], [gegevens]; [reference]", MergePerson()) == (
        "Beste heer/mevrouw, de gegevens die hierboven staan; (no reference)"
    )
    # One pass: a value that looks like a field is not merged again.
    assert merge("[naam]", MergePerson(name="[gegevens]", data="X")) == "[gegevens]"
    assert unknown_fields("[naam] [organisatie] [Naam] [datum] [organisatie]") == [
        "[organisatie]",
        "[datum]",
    ]


def test_the_fgs_text_is_never_a_template_and_html_is_escaped_only_in_html() -> None:
    env = notice_environment(ROOT)
    draft = draft_people_notice(facts(), "nl")
    sections = {
        **draft.sections,
        "measures": "Som: {{ 7*7 }} {% for x in y %}lus{% endfor %} <b>&</b>",
    }
    person = MergePerson("Jan <script>", "naam {{ 1+1 }}", "K-1")
    rendered = render_notice(
        env, subject=draft.subject + " [naam]", sections=sections, person=person,
        lang="nl", organisation_name="Voorbeeld & Zn",
    )  # fmt: skip
    assert rendered.subject == "Belangrijk: datalek bij Voorbeeld Jan <script>"
    text, html = rendered.text, rendered.html
    assert "Som: {{ 7*7 }} {% for x in y %}lus{% endfor %} <b>&</b>" in text
    assert "49" not in text and "naam {{ 1+1 }}" in text
    assert "Som: {{ 7*7 }} {% for x in y %}lus{% endfor %} &lt;b&gt;&amp;&lt;/b&gt;" in html
    assert "Beste Jan &lt;script&gt;," in html and "<script" not in html
    assert "Voorbeeld &amp; Zn" in html and "Voorbeeld & Zn" in text
    assert text.startswith("Beste Jan <script>,\n\nWat is er gebeurd?\n")
    assert text.endswith("Met vriendelijke groet,\nVoorbeeld & Zn\n")
    assert "Uw kenmerk: K-1" in text
    assert '<html lang="nl">' in html
    assert not re.search(r"<(script|img|link|iframe)\b|https?://", html)


def test_a_person_without_a_name_is_greeted_neutrally_and_empty_sections_are_left_out() -> None:
    env = notice_environment(ROOT)
    draft = draft_people_notice(facts(), "en")
    sections = {**draft.sections, "your_data": ""}
    rendered = render_notice(
        env, subject=draft.subject, sections=sections, person=MergePerson(), lang="en",
        organisation_name="Voorbeeld",
    )  # fmt: skip
    assert rendered.text.startswith("Dear Sir or Madam,\n\nWhat happened?\n")
    assert "Which data are involved?" not in rendered.text
    assert "Your reference" not in rendered.text
    assert '<html lang="en">' in rendered.html


def test_the_digest_is_stable_and_changes_with_any_part() -> None:
    draft = draft_people_notice(facts(), "nl")
    digest = notice_digest(draft.subject, draft.sections, "nl")
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    reordered = dict(reversed(list(draft.sections.items())))
    assert notice_digest(draft.subject, reordered, "nl") == digest
    assert notice_digest(draft.subject + ".", draft.sections, "nl") != digest
    assert notice_digest(draft.subject, draft.sections, "en") != digest
    for key in SECTION_KEYS:
        changed = {**draft.sections, key: draft.sections[key] + " "}
        assert notice_digest(draft.subject, changed, "nl") != digest, key


# --- readability -----------------------------------------------------------------------------


def vowel_groups(word: str) -> int:
    """A deterministic stand-in for a hyphenation dictionary: one syllable per vowel group."""
    return len(re.findall(r"[aeiouyáéíóúäëïöü]+", word.lower()))


HARD = (
    "Teneinde de gevolgen van de inbreuk in verband met uw persoonsgegevens te mitigeren, "
    "heeft de verwerkingsverantwoordelijke in overleg met de functionaris gegevensbescherming "
    "onverwijld adequate maatregelen getroffen tegen exfiltratie door onbevoegde derden."
)
PLAIN = "Iemand heeft uw naam gezien. Dat mocht niet. Wij hebben het lek gedicht. Bel ons gerust."


def test_a_long_jargon_heavy_sentence_scores_low_and_is_flagged() -> None:
    hard = readability(HARD, "nl", vowel_groups)
    plain = readability(PLAIN, "nl", vowel_groups)
    assert hard.score is not None and plain.score is not None and hard.band and plain.band
    assert hard.score < 30 < 60 < plain.score
    assert hard.band.key == "very_difficult" and hard.band.label == "zeer moeilijk"
    assert not hard.band.on_target and plain.band.on_target
    assert [s.words for s in hard.long_sentences] == [31] and hard.long_sentences[0].text == HARD
    assert plain.long_sentences == () and plain.jargon == ()
    terms = {j.term for j in hard.jargon}
    assert {"teneinde", "inbreuk", "persoonsgegevens", "mitigeren", "exfiltratie",
            "verwerkingsverantwoordelijke", "onbevoegde derde", "onverwijld"} <= terms  # fmt: skip
    assert "derden" not in terms and "onbevoegd" not in terms  # reported once, as the pair


def test_terms_explained_in_the_text_are_not_reported_and_the_ap_is_no_jargon() -> None:
    assert [j.term for j in jargon_in("Let op phishing.", "nl")] == ["phishing"]
    assert jargon_in("Let op phishing: nepberichten die echt lijken.", "nl") == []
    assert jargon_in("Wij meldden het bij de Autoriteit Persoonsgegevens.", "nl") == []
    assert [j.term for j in jargon_in("Under the GDPR, personal data", "en")] == [
        "personal data",
        "GDPR",
    ]


def test_the_formulas_bands_and_sentence_splitting() -> None:
    assert flesch_douma(100, 10, 150) == pytest.approx(206.84 - 9.3 - 115.5)
    assert flesch(100, 10, 150) == pytest.approx(206.835 - 10.15 - 126.9)
    assert [band(s, "nl").label for s in (10, 40, 55, 65, 75, 90)] == [
        "zeer moeilijk", "moeilijk", "vrij moeilijk", "redelijk", "vrij makkelijk", "makkelijk",
    ]  # fmt: skip
    assert band(60, "en").label == "standard" and band(60, "en").on_target
    assert "60" in band(59.9, "nl").target and not band(59.9, "nl").on_target
    assert sentences("Dit is bijv. een zin van J. Jansen. En nog een!\nKop zonder punt") == [
        "Dit is bijv. een zin van J. Jansen.",
        "En nog een!",
        "Kop zonder punt",
    ]
    assert long_sentences(" ".join(["woord"] * 21) + ".")[0].words == 21
    assert long_sentences(" ".join(["woord"] * 20) + ".") == []
    empty = readability("  \n", "en", vowel_groups)
    assert empty.score is None and empty.band is None and empty.words == 0


def test_an_english_notice_asks_to_translate_the_reporters_own_words() -> None:
    """Found by exploratory testing: "gezondheidsgegevens (psychische klachten)" stood in the
    English notice as the reporter typed it, without a word to the FG."""
    typed = facts(data_other="gezondheidsgegevens (psychische klachten)")
    english = draft_people_notice(typed, "en")
    assert "- gezondheidsgegevens (psychische klachten)" in english.sections["your_data"]
    assert "translate them" in english.notes["your_data"]
    assert "your_data" not in draft_people_notice(typed, "nl").notes


def test_no_adverse_consequence_likely_is_said_plainly() -> None:
    harmless = replace(CHECKLIST, consequences=frozenset({Consequence.NONE_LIKELY}))
    nl = draft_people_notice(facts(facts=harmless), "nl").sections["consequences"]
    assert nl == "Wij verwachten niet dat dit datalek nadelige gevolgen voor u heeft."
    en = draft_people_notice(facts(facts=harmless), "en").sections["consequences"]
    assert en == "We do not expect this breach to harm you."

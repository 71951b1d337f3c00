"""Organisation profiles: the five demo profiles load, stay true to their privacy statements,
and broken profile files are refused with file, field and reason."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from breachdesk.demo import profile_paths
from breachdesk.domain.profile import ContactKind, OrganisationProfile
from breachdesk.services.organisations import (
    ProfileError,
    dump_profile,
    load_profile_file,
    parse_profile,
)

SEEDS = Path(__file__).parents[3] / "shared" / "seeds"
PATHS = profile_paths()
SOURCE_LISTS = ("data_categories", "subject_categories", "processors", "recipients", "retention")


def by_slug(slug: str) -> OrganisationProfile:
    return load_profile_file(next(p for p in PATHS if p.stem == slug))


def collapse(text: str) -> str:
    return " ".join(text.split())


def seed_text(profile: OrganisationProfile) -> str:
    if not SEEDS.is_dir():
        pytest.skip(f"seed folder {SEEDS} is absent")
    assert profile.source_document, f"{profile.slug} names no source_document"
    return (SEEDS / profile.source_document).read_text(encoding="utf-8")


def test_there_are_five_demo_profiles() -> None:
    assert [p.stem for p in PATHS] == ["123samenleven", "kruix", "leiz", "levensmozaiek", "luxigo"]


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_demo_profile_loads(path: Path) -> None:
    profile = load_profile_file(path)
    assert profile.slug == path.stem
    assert profile.data_categories
    for category in profile.data_categories:
        assert category.source.strip(), f"{path.name}: {category.key} has no source quote"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_source_quotes_occur_in_the_seed(path: Path) -> None:
    profile = load_profile_file(path)
    # Quotes are compared as text: whitespace collapsed and Markdown bold markers (**) of the
    # seed ignored, since they are formatting, not words.
    seed = collapse(seed_text(profile).replace("**", ""))
    missing = [
        f"{list_name}[{index}]: {item.source!r}"
        for list_name in SOURCE_LISTS
        for index, item in enumerate(getattr(profile, list_name))
        if item.source and collapse(item.source) not in seed
    ]
    assert not missing, f"quotes not found in {profile.source_document}:\n" + "\n".join(missing)


def test_source_quote_check_can_fail() -> None:
    seed = collapse(seed_text(by_slug("kruix")))
    assert collapse("Wij verwerken ook je IP-adres.") in seed
    assert collapse("Wij verwerken ook je BSN.") not in seed


# --- facts from the privacy statements ---------------------------------------------------


def test_kruix_facts() -> None:
    kruix = by_slug("kruix")
    assert kruix.legal_name == "Sparklab B.V."
    assert kruix.trade_names == ("Kruix",)
    assert kruix.display_name == "Kruix"
    assert kruix.kvk_number == "68034229"
    assert kruix.privacy_contact.kind is ContactKind.FG
    assert kruix.privacy_contact.email == "fg-schade@nn.nl"
    # The statement names no FG person and no processor.
    assert kruix.privacy_contact.name is None
    assert kruix.processors == ()
    seed = seed_text(kruix)
    assert "Sparklab B.V." in seed and "68034229" in seed and "fg-schade@nn.nl" in seed


def test_leiz_facts() -> None:
    leiz = by_slug("leiz")
    assert leiz.privacy_contact.kind is ContactKind.FG
    assert leiz.privacy_contact.name == "Ronald van der Ziel"
    assert leiz.kvk_number == "60752726"
    names = {p.name for p in leiz.processors}
    assert {"Mailchimp", "Google"} <= names
    seed = seed_text(leiz)
    assert "Ronald van der Ziel" in seed and "60752726" in seed


def test_123samenleven_processors() -> None:
    profile = by_slug("123samenleven")
    names = {p.name for p in profile.processors}
    assert {"Google", "Landbot", "ActiveCampaign"} <= names
    google = profile.processor("google")
    assert google is not None
    assert "e-mailadres" in google.data_shared


def test_luxigo_has_children_data() -> None:
    luxigo = by_slug("luxigo")
    assert any(c.children for c in luxigo.data_categories)
    assert "jonger dan 16 jaar" in seed_text(luxigo)


def test_levensmozaiek_has_no_fg_and_no_special_categories() -> None:
    profile = by_slug("levensmozaiek")
    assert profile.privacy_contact.kind is not ContactKind.FG
    assert not any(c.special_category for c in profile.data_categories)
    assert "geen bijzondere en/of gevoelige persoonsgegevens" in seed_text(profile)


def national_number(phone: str) -> str:
    """The digits of a Dutch phone number without country code or trunk 0."""
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("0031"):
        digits = digits[4:]
    elif phone.strip().startswith("+31"):
        digits = digits[2:]
    return digits.lstrip("0")


def phone_numbers_in(text: str) -> set[str]:
    candidates = re.findall(r"\+?[\d(][\d \t()./-]{5,}\d", text)
    return {national_number(c) for c in candidates}


def test_phone_helper_recognises_formats() -> None:
    text = "mobiel: +31-6-15161983 en kantoor 085 060 90 46, T +31 (0)624708188"
    found = phone_numbers_in(text)
    assert national_number("06-15161983") in found
    assert national_number("085-0609046") in found
    assert national_number("+31 624708188") in found
    assert national_number("020-1234567") not in found


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_no_invented_phone_numbers(path: Path) -> None:
    profile = load_profile_file(path)
    seed = seed_text(profile)
    found = phone_numbers_in(seed)
    phones = {
        "contact.phone": profile.contact.phone,
        "privacy_contact.phone": profile.privacy_contact.phone,
    }
    for where, phone in phones.items():
        if phone is not None:
            assert national_number(phone) in found, f"{path.name} {where} {phone!r} not in seed"


# --- broken profile files ----------------------------------------------------------------


@pytest.fixture
def valid_data() -> dict[str, Any]:
    path = next(p for p in PATHS if p.stem == "luxigo")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def write(tmp_path: Path, data: Any, name: str = "broken.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def load_error(path: Path) -> ProfileError:
    with pytest.raises(ProfileError) as info:
        load_profile_file(path)
    error = info.value
    assert error.source == str(path)
    assert error.problems
    for line in str(error).splitlines():
        assert line.startswith(f"{path}: "), line
    return error


def test_valid_data_fixture_loads(tmp_path: Path, valid_data: dict[str, Any]) -> None:
    assert load_profile_file(write(tmp_path, valid_data)).slug == "luxigo"


def test_unknown_top_level_key(tmp_path: Path, valid_data: dict[str, Any]) -> None:
    valid_data["favourite_colour"] = "blauw"
    path = write(tmp_path, valid_data)
    error = load_error(path)
    text = str(error)
    assert str(path) in text
    assert "favourite_colour" in text
    assert "Unknown field: favourite_colour." in text
    assert error.problems[0][0] == ""  # top level
    assert "(top level)" in text


def test_bad_enisa_class(tmp_path: Path, valid_data: dict[str, Any]) -> None:
    valid_data["data_categories"][0]["enisa_class"] = "geheim"
    path = write(tmp_path, valid_data)
    error = load_error(path)
    assert [p for p, _ in error.problems] == ["data_categories[0].enisa_class"]
    assert f"{path}: data_categories[0].enisa_class: " in str(error)
    assert "Choose one of: simple, behavioural, financial, sensitive." in str(error)


def test_bad_enisa_class_in_a_later_item_names_its_index(
    tmp_path: Path, valid_data: dict[str, Any]
) -> None:
    valid_data["data_categories"][3]["enisa_class"] = "Simple"
    error = load_error(write(tmp_path, valid_data))
    assert [p for p, _ in error.problems] == ["data_categories[3].enisa_class"]


@pytest.mark.parametrize("kvk", ["1234567", "123456789", "1234567a", 12345678])
def test_bad_kvk_number(tmp_path: Path, valid_data: dict[str, Any], kvk: object) -> None:
    valid_data["kvk_number"] = kvk
    path = write(tmp_path, valid_data)
    error = load_error(path)
    assert [p for p, _ in error.problems] == ["kvk_number"]
    assert f"{path}: kvk_number: " in str(error)


def test_duplicate_data_category_key(tmp_path: Path, valid_data: dict[str, Any]) -> None:
    categories = valid_data["data_categories"]
    categories.append(copy.deepcopy(categories[0]))
    path = write(tmp_path, valid_data)
    error = load_error(path)
    index = len(categories) - 1
    key = categories[0]["key"]
    assert error.problems == [(f"data_categories[{index}].key", f"The key {key} is used twice.")]
    assert str(path) in str(error)
    assert "is used twice" in str(error)


def test_processor_shares_unknown_data_category(tmp_path: Path, valid_data: dict[str, Any]) -> None:
    valid_data["processors"][1]["data_shared"] = ["bestaat-niet"]
    path = write(tmp_path, valid_data)
    error = load_error(path)
    assert error.problems == [
        (
            "processors[1].data_shared",
            "There is no kind of personal data with the key bestaat-niet.",
        )
    ]
    assert f"{path}: processors[1].data_shared: There is no kind of personal" in str(error)


def test_yaml_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "syntax.yaml"
    path.write_text("slug: kapot\nlegal_name: [niet gesloten\ntrade_names: []\n", encoding="utf-8")
    error = load_error(path)
    text = str(error)
    assert str(path) in text
    assert re.search(r"line \d+, column \d+", text)
    assert "YAML syntax error" in text


def test_a_key_given_twice_is_refused_with_its_line(tmp_path: Path) -> None:
    """YAML keeps the last of two equal keys without a word: two data_categories lists would
    lose the first."""
    path = tmp_path / "twice.yaml"
    path.write_text("slug: a\nlegal_name: A\nslug: b\n", encoding="utf-8")
    text = str(load_error(path))
    assert "the key 'slug' is given twice" in text and "line 3" in text


def test_a_file_of_two_profiles_is_refused_where_one_is_expected(
    tmp_path: Path, valid_data: dict[str, Any]
) -> None:
    path = tmp_path / "two.yaml"
    path.write_text(yaml.safe_dump_all([valid_data, valid_data]), encoding="utf-8")
    assert "2 profiles in one file" in str(load_error(path))


def test_yaml_list_is_not_a_profile(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- slug: a\n- slug: b\n", encoding="utf-8")
    error = load_error(path)
    assert str(path) in str(error)
    assert "mapping" in str(error)
    assert "(top level)" in str(error)


def test_empty_file_is_not_a_profile(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("", encoding="utf-8")
    assert "mapping" in str(load_error(path))


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    assert "cannot read file" in str(load_error(path))


def test_all_problems_are_reported_at_once(tmp_path: Path, valid_data: dict[str, Any]) -> None:
    valid_data["kvk_number"] = "123"
    valid_data["data_categories"][0]["enisa_class"] = "geheim"
    valid_data["unexpected"] = True
    error = load_error(write(tmp_path, valid_data))
    fields = {p for p, _ in error.problems}
    assert fields == {"", "kvk_number", "data_categories[0].enisa_class"}


# --- round trip --------------------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_dump_and_parse_round_trip(path: Path) -> None:
    profile = load_profile_file(path)
    text = dump_profile(profile)
    assert parse_profile(yaml.safe_load(text), "x") == profile


def test_dump_keeps_non_ascii_readable() -> None:
    text = dump_profile(by_slug("123samenleven"))
    assert "Coöperatie" in text


@pytest.mark.parametrize(
    ("change", "problems"),
    [
        pytest.param(
            {"name": "Kopie van uw paspoort", "enisa_class": "simple"},
            {"data_categories[0].identity_documents"},
            id="an-id-copy-without-its-flag",
        ),
        pytest.param(
            {"name": "Kopie van uw paspoort", "identity_documents": True, "enisa_class": "simple"},
            {"data_categories[0].enisa_class"},
            id="an-id-copy-scored-simple",
        ),
        pytest.param(
            {"name": "Uw BSN", "national_id_number": False},
            {"data_categories[0].national_id_number"},
            id="a-bsn-without-its-flag",
        ),
        pytest.param(
            {"name": "Inloggegevens (wachtwoord)"},
            {"data_categories[0].credentials"},
            id="passwords-without-the-flag",
        ),
        pytest.param(
            {"name": "IBAN", "enisa_class": "financial"},
            {"data_categories[0].financial_data"},
            id="bank-data-without-the-flag",
        ),
    ],
)
def test_a_category_that_understates_its_data_is_refused(
    tmp_path: Path, valid_data: dict[str, Any], change: dict[str, Any], problems: set[str]
) -> None:
    """A copy of an identity document scored "simple" understated every breach it was in."""
    valid_data["data_categories"][0].update(change)
    error = load_error(write(tmp_path, valid_data))
    assert {path for path, _ in error.problems} == problems, error.problems


def test_the_demo_profiles_flag_identity_documents_and_bank_data() -> None:
    for path in PATHS:
        org = load_profile_file(path)
        for category in org.data_categories:
            if "identiteitsbewijs" in category.key:
                assert category.identity_documents and category.enisa_class.value == "financial"
            if "rekeningnummer" in category.key:
                assert category.financial_data

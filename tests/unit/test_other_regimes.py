"""Other notification regimes: which the profile's flags give, and their moments in UTC."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import yaml

from breachdesk.demo import profile_paths
from breachdesk.domain.notices.other_regimes import (
    DORA,
    NIS2,
    REGIMES,
    TELECOM,
    VERSION,
    WFT,
    Months,
    Term,
    due_moments,
    regimes_for,
    supervisor_names,
)
from breachdesk.domain.profile import Nis2Entity, OrganisationProfile, profile_to_dict
from breachdesk.domain.timeutil import utc_to_local
from breachdesk.services.organisations import dump_profile, load_profile_file, parse_profile

PLAIN = OrganisationProfile(slug="acme", legal_name="Acme B.V.")
# Saturday 24 October 2026, 12:00 in Amsterdam (CEST, UTC+2); summer time ends the next night.
BEFORE_DST_END = datetime(2026, 10, 24, 10, 0, tzinfo=UTC)


def test_the_table_is_versioned_and_complete() -> None:
    assert VERSION
    assert [r.key for r in REGIMES] == ["nis2", "dora", "telecom", "wft"]
    for regime in REGIMES:
        assert regime.name("nl") and regime.name("en") and regime.to_whom("en")
        assert regime.terms and regime.source and regime.explanation


def test_no_flags_no_regimes() -> None:
    assert regimes_for(PLAIN) == []
    stated_no = replace(
        PLAIN, telecom_provider=False, dora_entity=False, financial_undertaking=False
    )
    assert regimes_for(stated_no) == []
    assert supervisor_names([], "nl") == ()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"nis2_entity": Nis2Entity.ESSENTIAL}, NIS2),
        ({"nis2_entity": Nis2Entity.IMPORTANT}, NIS2),
        ({"telecom_provider": True}, TELECOM),
        ({"dora_entity": True}, DORA),
        ({"financial_undertaking": True}, WFT),
    ],
)
def test_each_flag_gives_its_regime(changes: dict[str, object], expected: object) -> None:
    assert regimes_for(replace(PLAIN, **changes)) == [expected]  # type: ignore[arg-type]


def test_all_flags_in_table_order() -> None:
    profile = replace(
        PLAIN,
        nis2_entity=Nis2Entity.IMPORTANT,
        telecom_provider=True,
        dora_entity=True,
        financial_undertaking=True,
    )
    assert regimes_for(profile) == list(REGIMES)


def test_nis2_moments_across_the_october_dst_change_are_counted_in_utc() -> None:
    moments = due_moments(NIS2, BEFORE_DST_END)
    assert [label for label, _ in moments][:2] == ["Vroegtijdige waarschuwing", "Incidentmelding"]
    assert [moment for _, moment in moments] == [
        datetime(2026, 10, 25, 10, 0, tzinfo=UTC),  # 24 elapsed hours
        datetime(2026, 10, 27, 10, 0, tzinfo=UTC),  # 72 elapsed hours
        datetime(2026, 11, 24, 10, 0, tzinfo=UTC),  # one calendar month, on the UTC date
    ]
    # In Amsterdam the early warning falls at 11:00, one wall-clock hour earlier than naive
    # local arithmetic (12:00 + 24 h) would say.
    assert utc_to_local(moments[0][1]).hour == 11
    assert utc_to_local(moments[1][1]).hour == 11
    english = due_moments(NIS2, BEFORE_DST_END, "en")
    assert english[0][0] == "Early warning" and english[2][0].startswith("Final report")


def test_moments_from_another_zone_come_back_in_utc() -> None:
    from zoneinfo import ZoneInfo

    aware = BEFORE_DST_END.astimezone(ZoneInfo("Europe/Amsterdam"))
    first = due_moments(NIS2, aware)[0][1]
    assert first.tzinfo is UTC and first == BEFORE_DST_END + timedelta(hours=24)


def test_a_month_ends_on_the_last_day_when_the_day_does_not_exist() -> None:
    term = Term("x", "x", Months(1))
    assert term.moment(datetime(2026, 1, 31, 8, 0, tzinfo=UTC)) == datetime(
        2026, 2, 28, 8, 0, tzinfo=UTC
    )
    assert term.moment(datetime(2026, 12, 15, 8, 0, tzinfo=UTC)) == datetime(
        2027, 1, 15, 8, 0, tzinfo=UTC
    )


def test_terms_without_a_known_length_give_no_moment() -> None:
    for regime in (DORA, TELECOM, WFT):
        assert due_moments(regime, BEFORE_DST_END) == []
        assert all("controleer de actuele termijn" in t.label("nl") for t in regime.terms)


def test_a_naive_awareness_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        due_moments(NIS2, datetime(2026, 10, 24, 12, 0))


def test_supervisor_names_for_question_1_3() -> None:
    assert supervisor_names([WFT], "nl") == ("De Nederlandsche Bank (DNB) of de AFM",)
    # DORA and the Wft name the same supervisors once; telecom goes to the AP itself.
    assert supervisor_names([NIS2, DORA, TELECOM, WFT], "en") == (
        "the CSIRT or the competent authority (NIS2/Cbw)",
        "De Nederlandsche Bank (DNB) or the AFM",
    )


# --- the profile fields --------------------------------------------------------------------


def test_an_older_profile_without_the_fields_still_loads() -> None:
    path = profile_paths()[0]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for name in ("nis2_entity", "telecom_provider", "dora_entity"):
        assert name not in data
    profile = parse_profile(data, str(path))
    assert (profile.nis2_entity, profile.telecom_provider, profile.dora_entity) == (None,) * 3
    assert regimes_for(profile) == []  # its financial_undertaking is null: not stated
    # Not stated stays absent, so an older profile exports exactly as it was.
    assert yaml.safe_load(dump_profile(profile)) == data


def test_the_fields_round_trip_through_the_file_format() -> None:
    profile = replace(
        load_profile_file(profile_paths()[0]),
        nis2_entity=Nis2Entity.ESSENTIAL,
        telecom_provider=True,
        dora_entity=False,
    )
    data = profile_to_dict(profile)
    assert (data["nis2_entity"], data["telecom_provider"], data["dora_entity"]) == (
        "essential",
        True,
        False,
    )
    assert parse_profile(yaml.safe_load(dump_profile(profile)), "x") == profile


def test_the_schema_refuses_an_unknown_nis2_category() -> None:
    from breachdesk.services.organisations import ProfileError

    data = profile_to_dict(load_profile_file(profile_paths()[0]))
    data["nis2_entity"] = "critical"
    with pytest.raises(ProfileError) as caught:
        parse_profile(data, "x")
    assert any(path == "nis2_entity" for path, _ in caught.value.problems)

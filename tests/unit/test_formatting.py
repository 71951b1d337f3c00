"""Dates, numbers and file sizes as people read them, in Dutch and in English."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from breachdesk.domain.formatting import decimal, file_size, long_date, long_datetime


def test_an_instant_is_written_in_amsterdam_time_in_words() -> None:
    winter = datetime(2026, 12, 4, 13, 5, tzinfo=UTC)
    summer = datetime(2026, 7, 1, 22, 30, tzinfo=UTC)  # past midnight in Amsterdam
    assert long_datetime(winter, "nl") == "4 december 2026 om 14:05"
    assert long_datetime(winter, "en") == "4 December 2026 at 14:05"
    assert long_datetime(summer, "nl") == "2 juli 2026 om 00:30"
    assert long_date(date(2026, 3, 1), "nl") == "1 maart 2026"
    assert long_date(summer, "en") == "2 July 2026"  # an instant: its Amsterdam date
    with pytest.raises(ValueError, match="naive"):
        long_datetime(datetime(2026, 12, 4, 13, 5), "nl")  # noqa: DTZ001 - the point


def test_decimals_take_the_languages_mark() -> None:
    assert decimal(3.25, "nl") == "3,25" and decimal(3.25, "en") == "3.25"
    assert decimal(1.0, "nl") == "1,0" and decimal(0.5, "nl", 2) == "0,50"


@pytest.mark.parametrize(
    ("size", "nl", "en"),
    [
        (0, "0 bytes", "0 bytes"),
        (1, "1 byte", "1 byte"),
        (512, "512 bytes", "512 bytes"),
        (1023, "1023 bytes", "1023 bytes"),
        (1024, "1,0 kB", "1.0 kB"),
        (1229, "1,2 kB", "1.2 kB"),
        (3_565_158, "3,4 MB", "3.4 MB"),
        (10 * 1024 * 1024, "10 MB", "10 MB"),  # the upload limit reads as it is set
        (5 * 1024**3, "5,0 GB", "5.0 GB"),
    ],
)
def test_a_file_size_is_never_zero_kilobytes(size: int, nl: str, en: str) -> None:
    assert (file_size(size, "nl"), file_size(size, "en")) == (nl, en)

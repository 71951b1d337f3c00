"""The address in the envelope's window: set small enough for every line to stay one line,
never below 8 pt, and a postcode or a house number with its addition never split."""

from __future__ import annotations

from breachdesk.domain.notices.envelope import Piece, fits, pieces, size_class, width_mm, wraps

STREET = "Burgemeester van Nispen tot Sevenaerstraat 1234 bis"
TOWN = "5211 AB 's-Hertogenbosch"
LONG_NAME = "Maria Theodora Wilhelmina van den Heuvel-Oldenbarnevelt-Zuidervaart"


def test_the_address_takes_the_largest_size_at_which_every_line_fits() -> None:
    assert size_class(["Jan de Vries", "Dorpsstraat 12", "1234 AB ZWOLLE"]) == ""
    assert not fits(STREET, 10) and fits(STREET, 8)
    assert size_class(["Jan de Vries", STREET, TOWN]) == "fit-8"
    assert size_class(["Jan de Vries", "Koningin Wilhelminalaan 1234 bis, achterhuis"]) == "fit-9"
    # Too long even at 8 pt: the smallest size, and that line may wrap.
    assert size_class([LONG_NAME, STREET, TOWN]) == "fit-8"
    assert wraps(LONG_NAME) and not wraps(STREET)


def test_widths_are_estimated_on_the_safe_side() -> None:
    """Wider than Liberation Sans (Arial's metrics) for the same text: "W" is 0.944 em there,
    an accented letter counts as its base letter, an unknown sign as a full em."""
    assert width_mm("W" * 10, 10) >= 10 * 0.944 * 10 * 25.4 / 72
    assert width_mm("é", 10) == width_mm("e", 10)
    assert width_mm("\u4e00", 10) == 10 * 25.4 / 72


def test_a_postcode_and_a_house_number_with_its_addition_stay_whole() -> None:
    assert pieces(STREET) == (
        Piece("Burgemeester van Nispen tot Sevenaerstraat "),
        Piece("1234 bis", keep=True),
    )
    assert pieces(TOWN) == (Piece("5211 AB", keep=True), Piece(" 's-Hertogenbosch"))
    assert pieces("Lange Hofstraat 1234 A-bis")[-1] == Piece("1234 A-bis", keep=True)
    assert pieces("Kerkweg 3")[-1] == Piece("3", keep=True)
    assert pieces("t.a.v. de erven") == (Piece("t.a.v. de erven"),)

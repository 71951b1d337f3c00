"""The address in the window of a Dutch window envelope: each line on one line.

The window leaves 80 mm for text (90 mm less 5 mm of play on either side, see
``static/css/letter.css``). A line that does not fit at the letter's 10 pt is set smaller,
one step at a time, down to 8 pt, the smallest that is still easy to read and that sorting
machines read well; the whole address takes the size its longest line needs, so it reads as
one block. Widths are estimated from the glyph widths of the two fonts the letter
names (Liberation Sans, metric-compatible with Arial, and DejaVu Sans, about an eighth wider,
where Liberation is not installed), taking the wider of the two for every character: a line
judged to fit does fit in either font. A line too long even at 8 pt wraps there, at a space
or a hyphen, but never inside a postcode or between a house number and its addition.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

#: Width (mm) the window leaves for the address.
WINDOW_TEXT_MM = 80.0
#: Sizes (pt) the address may be set in, largest first, each with its CSS class ("" = the
#: letter's own size). The address gets the first size at which every line fits; else the last.
SIZES: tuple[tuple[float, str], ...] = ((10.0, ""), (9.0, "fit-9"), (8.0, "fit-8"))

_MM_PER_PT = 25.4 / 72
#: Advance widths of the printable ASCII characters " " to "~" in thousandths of an em: the
#: wider of Liberation Sans and DejaVu Sans (Regular).
_ASCII_WIDTHS = (
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337,
    636, 636, 636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 556,
    1015, 684, 686, 722, 770, 667, 611, 778, 752, 295, 500, 667, 557, 863, 748, 787,
    667, 787, 722, 667, 611, 732, 684, 989, 685, 667, 685, 390, 337, 390, 838, 556,
    500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612,
    635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838,
)  # fmt: skip
#: Any other character: a letter's width at most (most are accented letters, measured as
#: their base letter; the rest count as wide).
_OTHER_WIDTH = 1000

#: What must never be split over two lines: a Dutch postcode ("5211 AB") and a house number
#: with its addition at the end of a line ("1234 bis", "12 A-bis", "7-III").
_UNITS = re.compile(
    r"\b\d{4} [A-Z]{2}\b"
    r"|(?<=\s)\d+[a-zA-Z]?(?:[ -]+[A-Za-z0-9]{1,4}(?:-[A-Za-z0-9]{1,4})?)?$"
)


def _width(ch: str) -> int:
    if " " <= ch <= "~":
        return _ASCII_WIDTHS[ord(ch) - 32]
    if ch == "\u00a0":
        return _ASCII_WIDTHS[0]
    base = unicodedata.normalize("NFKD", ch)[:1]
    if base and " " <= base <= "~":
        return _ASCII_WIDTHS[ord(base) - 32]
    return _OTHER_WIDTH


def width_mm(text: str, size_pt: float) -> float:
    """The width of ``text`` set in ``size_pt`` points, in millimetres (an upper estimate)."""
    return sum(_width(ch) for ch in text) / 1000 * size_pt * _MM_PER_PT


def fits(line: str, size_pt: float) -> bool:
    """Whether ``line`` set in ``size_pt`` points stays one line in the window."""
    return width_mm(line, size_pt) <= WINDOW_TEXT_MM


def size_class(lines: Sequence[str]) -> str:
    """The CSS class that sets the address ``lines`` in the largest size at which every line
    fits the window on one line (the smallest size when one never does: that one wraps)."""
    for size, css in SIZES:
        if all(fits(line, size) for line in lines):
            return css
    return SIZES[-1][1]


def wraps(line: str) -> bool:
    """Whether ``line`` is too long for one line even at the smallest size."""
    return not fits(line, SIZES[-1][0])


@dataclass(frozen=True)
class Piece:
    """Part of an address line; ``keep`` marks a unit that must stay on one line."""

    text: str
    keep: bool = False


def pieces(line: str) -> tuple[Piece, ...]:
    """``line`` cut into plain text and the units that must not be split."""
    found: list[Piece] = []
    at = 0
    for match in _UNITS.finditer(line):
        if match.start() > at:
            found.append(Piece(line[at : match.start()]))
        found.append(Piece(match.group(), keep=True))
        at = match.end()
    if at < len(line):
        found.append(Piece(line[at:]))
    return tuple(found)

"""Marking user-facing messages for translation without importing a translation framework.

Domain code returns English message templates wrapped in :func:`N_`; the web layer looks them
up in the active catalogue (``gettext(message) % params``). ``N_`` is listed as an extraction
keyword in ``babel.cfg`` so the messages land in the catalogues. A :class:`Translatable` is
such a message with its parameters, for code that passes messages around as plain strings.
"""

from __future__ import annotations

import unicodedata


def N_(message: str) -> str:  # noqa: N802 - conventional name for "mark, do not translate yet"
    """Return ``message`` unchanged; marks it for extraction into the translation catalogue."""
    return message


class Translatable(str):
    """An English message that a page can show in the reader's language.

    It *is* its English text, so the command line, logs and code that compare strings use it
    like any other; ``template`` (marked with :func:`N_`) and ``params`` let the web layer
    translate it (``gettext(template) % params``).
    """

    template: str
    params: dict[str, str | int]

    def __new__(cls, template: str, **params: str | int) -> Translatable:
        message = super().__new__(cls, template % params if params else template)
        message.template = template
        message.params = params
        return message


#: Every character Python's ``str.splitlines`` treats as a line boundary: CR, LF, VT (Word's
#: soft line break), FF, FS, GS, RS, NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR.
LINE_BREAKS = "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def single_line(value: str) -> str:
    """``value`` on one line: every line break and other control character becomes a space,
    runs of spaces collapse, and the ends are trimmed.

    Used for anything that must stay one line: e-mail header values (a line break there lets
    a title forge headers, and makes the e-mail library refuse the message) and one-line
    fields quoted in a mail body (a title must not add a line that looks like the app's own).
    """
    cleaned = "".join(" " if ch in LINE_BREAKS or _is_control(ch) else ch for ch in value)
    return " ".join(cleaned.split())


def _is_control(ch: str) -> bool:
    return ord(ch) < 32 or 127 <= ord(ch) < 160


def quoted_block(value: str, marker: str = "  | ") -> str:
    """Free text set apart for a plain-text mail body: every line starts with ``marker``.

    Whatever a reporter typed then reads as a quotation, never as a line of the message
    itself (a description cannot add "Open the incident: http://evil.example").
    """
    lines = "".join("\n" if ch in LINE_BREAKS else ch for ch in value.replace("\r\n", "\n"))
    return "\n".join(marker + single_line(line) for line in lines.split("\n"))


#: Bidirectional embedding, override and isolate controls. Typed into a title they turn the
#: rest of a line around wherever it is shown ("\u202eexe.live" reads "evil.exe"); nobody needs
#: them in one line of text typed into a form.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def shows_something(value: str) -> bool:
    """Whether ``value`` has a character a reader can see: not only spaces, line breaks,
    zero-width or other invisible format and control characters (private-use glyphs count)."""
    return any(
        not (category := unicodedata.category(ch)).startswith(("Z", "C")) or category == "Co"
        for ch in value
    )


def as_typed(value: str, *, one_line: bool = False) -> str:
    """Text a person typed, as breachdesk keeps it: empty when nothing in it can be seen (so
    "write down why" is not answered by a zero-width space, which ``str.strip`` keeps), and
    in a one-line field without bidirectional or other control characters. Otherwise
    unchanged: a joiner inside an emoji or a Persian word stays."""
    if not shows_something(value):
        return ""
    if one_line:
        # Nor control characters (a bell, an escape, a line break through the API: found by
        # exploratory testing): a line break or tab is a space, the others go.
        return "".join(
            " " if ch in "\t\n\r" else ch
            for ch in value
            # NUL stays: a database cannot store it, so the API refuses it at its field
            # and the forms drop it on their own (test_input_edges).
            if ch not in BIDI_CONTROLS and (ch in "\t\n\r\x00" or unicodedata.category(ch) != "Cc")
        )
    return value

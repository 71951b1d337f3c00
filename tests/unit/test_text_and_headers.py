"""Text that people typed cannot break a message: headers stay one line, bodies quote it."""

from __future__ import annotations

from email import message_from_bytes

import pytest

from breachdesk.domain.text import LINE_BREAKS, quoted_block, single_line
from breachdesk.mail import build_message


def test_line_breaks_are_exactly_what_python_splits_lines_on() -> None:
    boundaries = {chr(c) for c in range(0x3000) if len(f"a{chr(c)}b".splitlines()) == 2}
    assert boundaries == set(LINE_BREAKS)


@pytest.mark.parametrize("line_break", list(LINE_BREAKS), ids=lambda c: f"U+{ord(c):04X}")
def test_a_subject_with_any_line_break_is_built_on_one_line(line_break: str) -> None:
    message = build_message(
        sender="bd@x.nl",
        to=["fg@x.nl"],
        subject=f"Lek{line_break}Bcc: victim@example.org",
        text="body",
        organisation=f"kruix{line_break}X-Evil: 1",
    )
    parsed = message_from_bytes(bytes(message))
    assert parsed["Bcc"] is None and parsed["X-Evil"] is None
    assert parsed["Subject"] == "Lek Bcc: victim@example.org"


def test_single_line_folds_controls_and_collapses_spaces() -> None:
    assert (
        single_line("  Laptop\u2028kwijt\x0b\tin de\x00 trein \r\n") == "Laptop kwijt in de trein"
    )
    assert single_line("") == ""


def test_quoted_block_marks_every_line_as_a_quotation() -> None:
    text = "Eerste regel\r\nOpen het incident: http://evil.example\u2029derde"
    assert quoted_block(text).splitlines() == [
        "  | Eerste regel",
        "  | Open het incident: http://evil.example",
        "  | derde",
    ]


def test_the_new_report_mail_ends_a_name_with_a_full_stop_once() -> None:
    """ "gemeld bij Administratiekantoor De Vries B.V.." (found by exploratory testing)."""
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from breachdesk.services.notifications import _new_report_text

    when = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    incident = SimpleNamespace(
        reported_at=when, discovered_at=when, title="Lek", reference="ADV-2026-0001"
    )
    for name, line in (
        ("Administratiekantoor De Vries B.V.", "gemeld bij Administratiekantoor De Vries B.V.\n"),
        ("Kruix", "gemeld bij Kruix.\n"),
    ):
        text = _new_report_text(incident, SimpleNamespace(name=name), "https://x/1")  # type: ignore[arg-type]
        assert line in text and "B.V.." not in text

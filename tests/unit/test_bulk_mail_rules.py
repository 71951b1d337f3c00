"""Bulk mail rules without a server: permanent refusals, the bulk kind, multipart messages."""

from __future__ import annotations

from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from breachdesk.domain.delivery import (
    BULK_KINDS,
    PRIORITY,
    Kind,
    Priority,
    Status,
    is_permanent,
)
from breachdesk.domain.text import LINE_BREAKS, single_line
from breachdesk.mail import (
    FileMailer,
    RecordingMailer,
    build_message,
    header_value,
    open_connection,
)


@pytest.mark.parametrize(
    ("code", "permanent"),
    [(250, False), (421, False), (450, False), (451, False), (452, False), (499, False),
     (500, True), (550, True), (552, True), (553, True), (554, True), (599, True),
     (0, False), (600, False), (-1, False)],
)  # fmt: skip
def test_only_a_5xx_answer_is_permanent(code: int, permanent: bool) -> None:
    assert is_permanent(code) is permanent


def test_the_notice_to_people_is_a_bulk_kind_claimed_after_everything_else() -> None:
    assert Kind.PEOPLE_NOTICE.value == "people_notice"
    assert PRIORITY[Kind.PEOPLE_NOTICE] is Priority.BULK
    assert all(PRIORITY[kind] < Priority.BULK for kind in Kind if kind not in BULK_KINDS)
    assert "people_notice" in BULK_KINDS  # as stored in a row's ``kind`` column
    assert Kind.REMINDER not in BULK_KINDS and Kind.CONTROLLER_NOTICE not in BULK_KINDS
    assert Status.HELD.value == "held"


def reparsed(message: EmailMessage) -> EmailMessage:
    parsed = message_from_bytes(bytes(message), policy=email_policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_with_html_the_message_is_plain_text_then_html_both_utf8() -> None:
    message = reparsed(
        build_message(
            sender="Gemeente X <privacy@x.nl>",
            to=["persoon@example.org"],
            subject="Datalek: uw gegevens",
            text="Beste heer/mevrouw, één regel.",
            html="<p>Beste heer/mevrouw, <b>één</b> regel.</p>",
            reply_to="fg@x.nl",
        )
    )
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert [p.get_content_charset() for p in parts] == ["utf-8", "utf-8"]
    assert "één regel." in parts[0].get_content()
    assert "<b>één</b>" in parts[1].get_content()
    assert message["Reply-To"] == "fg@x.nl"
    assert message["Message-ID"] and message["Date"]
    assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None


def test_without_html_the_message_stays_plain_text_without_reply_to() -> None:
    message = reparsed(build_message(sender="bd@x.nl", to=["fg@x.nl"], subject="S", text="t"))
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert message["Reply-To"] is None and message["List-Unsubscribe"] is None


@pytest.mark.parametrize("line_break", list(LINE_BREAKS), ids=lambda c: f"U+{ord(c):04X}")
def test_reply_to_is_one_line_whatever_was_typed(line_break: str) -> None:
    message = reparsed(
        build_message(
            sender="bd@x.nl",
            to=["p@example.org"],
            subject="S",
            text="t",
            html="<p>t</p>",
            reply_to=f"fg@x.nl{line_break}Bcc: victim@example.org",
        )
    )
    assert message["Bcc"] is None
    assert message.get_all("Reply-To") == [message["Reply-To"]]


def test_every_message_has_its_own_message_id() -> None:
    ids = {
        build_message(sender="bd@x.nl", to=["p@example.org"], subject="S", text="t")["Message-ID"]
        for _ in range(50)
    }
    assert len(ids) == 50


def test_the_simple_mailers_send_over_a_connection_as_they_send_alone(tmp_path: Path) -> None:
    recording = RecordingMailer()
    with open_connection(recording) as connection:
        for n in range(3):
            connection.send(build_message(sender="a@x.nl", to=["b@x.nl"], subject=f"{n}", text="t"))
    assert [m["Subject"] for m in recording.sent] == ["0", "1", "2"]

    files = FileMailer(tmp_path / "outbox")
    with files.connection() as connection:
        receipt = connection.send(
            build_message(sender="a@x.nl", to=["b@x.nl"], subject="S", text="t", organisation="k")
        )
    assert receipt.reply.startswith("written to k/") and len(receipt.sha256) == 64

    class OnlySend:  # a fake with only ``send``: each message goes on its own
        def __init__(self) -> None:
            self.count = 0

        def send(self, message: EmailMessage) -> object:
            self.count += 1
            return None

    fake = OnlySend()
    with open_connection(fake) as connection:  # type: ignore[arg-type]
        connection.send(build_message(sender="a@x.nl", to=["b@x.nl"], subject="S", text="t"))
    assert fake.count == 1


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
@example("  twee  spaties ")
@example("a\u00a0b")  # a no-break space is folded to a space too
@example("Lek\u2028Bcc: x@y.z")
def test_header_value_is_exactly_single_line(value: str) -> None:
    assert header_value(value) == single_line(value)


def test_the_message_id_is_of_the_senders_domain() -> None:
    """It was "@breachdesk.local" for every organisation, a name no mail system resolves and
    a mark of the software (found by exploratory testing)."""
    from breachdesk.mail import build_message

    def message_id(sender: str) -> str:
        message = build_message(sender=sender, to=["a@b.nl"], subject="Onderwerp", text="Tekst")
        return str(message["Message-ID"])

    assert message_id("Kruix <privacy@Kruix.NL>").endswith("@kruix.nl>")
    assert message_id("breachdesk <breachdesk@localhost>").endswith("@localhost>")
    assert message_id("geen adres").endswith("@localhost>")

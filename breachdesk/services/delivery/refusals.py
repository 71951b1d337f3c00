"""What an SMTP failure says: a refusal by the server (its code and text), or trouble with the
connection itself (which a bulk mailing stops for, see the engine)."""

from __future__ import annotations

import smtplib

from ...domain.delivery import is_permanent


def smtp_refusal(error: BaseException) -> tuple[int, str] | None:
    """The SMTP code and text of a refusal by the server; None when it did not answer.

    For refused recipients the code is the first recipient's that is temporary, if any, so
    that the refusal counts as permanent only when every recipient was refused for good.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = [(code, text) for code, text in error.recipients.values()]
        if not answers:
            return None
        code = next((c for c, _ in answers if not is_permanent(c)), answers[0][0])
        text = "; ".join(f"{c} {decoded(t)}" for c, t in answers)
        return code, text
    if isinstance(error, smtplib.SMTPSenderRefused | smtplib.SMTPDataError):
        return error.smtp_code, f"{error.smtp_code} {decoded(error.smtp_error)}"
    return None


def connection_trouble(error: BaseException) -> bool:
    """Whether ``error`` says nothing about the row's recipient or message, only that the mail
    server could not be reached or would not take mail from us at all: it could not be
    connected to, hung up, timed out, refused the login or the sender address. Every other
    row of a bulk mailing would fail the same way, so the tick stops sending bulk rows (each
    would spend an attempt: a 20-minute outage must not use up the attempts of 100,000
    people) and a refusal of the sender is retried, never final for this person.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError):
        return False  # about this recipient or this message
    return isinstance(error, OSError)  # smtplib's errors, sockets, timeouts, TLS


def decoded(text: bytes | str) -> str:
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)

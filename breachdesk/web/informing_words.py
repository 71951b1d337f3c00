"""How far the people affected were informed, in words, for the evidence pack's summary and
the closing form: the register's verdict (:func:`~breachdesk.services.informing.informed_of`)
with what breachdesk did and what still waits (the proof's counts)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext

from ..domain.notices.ap_draft import Informing
from ..domain.register import INFORMED_LABELS, Informed
from ..domain.timeutil import utc_to_local


def _when(value: datetime) -> str:
    return utc_to_local(value).strftime("%d-%m-%Y %H:%M")


def informing_parts(done: Informing) -> list[str]:
    """What was done and what waits, per channel: e-mails sent, letters posted and letters
    not posted yet (of mailings not cancelled), the public communication published."""
    parts = []
    if done.emails_sent and done.first_email_at:
        parts.append(
            _(
                "%(n)d of %(total)d by e-mail, from %(when)s",
                n=done.emails_sent,
                total=done.emails_total,
                when=_when(done.first_email_at),
            )
        )
    elif done.emails_total:
        parts.append(_("%(total)d by e-mail, none sent yet", total=done.emails_total))
    if done.letters_posted and done.letters_posted_at:
        parts.append(
            ngettext(
                "%(num)d by letter, posted %(when)s",
                "%(num)d by letter, posted %(when)s",
                done.letters_posted,
                when=_when(done.letters_posted_at),
            )
        )
    if done.letters_total > done.letters_posted:
        parts.append(
            _("%(n)d by letter, not posted yet", n=done.letters_total - done.letters_posted)
        )
    if done.public_at:
        parts.append(
            _(
                "publicly %(when)s (%(channel)s)",
                when=_when(done.public_at),
                channel=done.public_channel,
            )
            if done.public_channel
            else _("publicly %(when)s", when=_when(done.public_at))
        )
    return parts


def informed_line(standing: Informed, done: Informing | None) -> str:
    """Whether the people were informed, by the register's rule (``standing``), and how:
    "Yes, through breachdesk: …" only when the register says informed, "Not yet: …" while
    it says informing is under way (what waits named among the rest), otherwise the
    register's own words, with what was published if anything was."""
    parts = "; ".join(informing_parts(done)) if done is not None else ""
    if parts and standing is Informed.INFORMED:
        return _("Yes, through breachdesk: %(parts)s.", parts=parts)
    if parts and standing is Informed.INFORMING:
        return _("Not yet: %(parts)s.", parts=parts)
    label = _(INFORMED_LABELS[standing])
    return f"{label}; {parts}." if parts else label

"""One organisation's part of a checkpoint as a short plain-text block for an e-mail.

The FG receives it (weekly) and keeps it: a copy outside the installation, which nobody who
later tampers with the server can recall. Dutch first, then English; times in Dutch local
time for the Dutch text and in UTC for the English text.
"""

from __future__ import annotations

from ..formatting import long_datetime
from .checkpoints import Checkpoint, checkpoint_digest
from .problems import utc_minute


def checkpoint_text(checkpoint: Checkpoint, chain: str, organisation_name: str) -> str:
    """The plain-text block for ``chain`` (e.g. ``org:3``) of ``checkpoint``.

    Raises:
        KeyError: the checkpoint does not record ``chain``.
    """
    head = checkpoint.head(chain)
    if head is None:
        raise KeyError(f"the checkpoint does not record chain {chain}")
    local = long_datetime(checkpoint.created_at, "nl")
    digest = checkpoint_digest(checkpoint)
    return (
        f"Controlepunt van het auditlogboek \u2013 {organisation_name}\n"
        f"Moment:        {local} (Nederlandse tijd)\n"
        f"Logboek:       {chain}, {head.seq} gebeurtenissen\n"
        f"Laatste hash:  {head.hash}\n"
        f"Controlepunt:  {digest}\n"
        f"Ondertekend met sleutel {checkpoint.signing_key_id}.\n"
        "Bewaar dit bericht. Het legt vast hoe het logboek er op dit moment uitzag; wordt er\n"
        "later iets gewijzigd of verwijderd, dan blijkt dat uit een vergelijking hiermee.\n"
        "\n"
        f"Audit trail checkpoint \u2013 {organisation_name}\n"
        f"Time:          {utc_minute(checkpoint.created_at)}\n"
        f"Trail:         {chain}, {head.seq} events\n"
        f"Last hash:     {head.hash}\n"
        f"Checkpoint:    {digest}\n"
        f"Signed with key {checkpoint.signing_key_id}.\n"
        "Keep this message. It records what the audit trail looked like at this moment; if\n"
        "anything is later changed or removed, a comparison with it will show.\n"
    )

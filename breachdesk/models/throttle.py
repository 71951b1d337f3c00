"""Counters of failed attempts and of requests, shared by every worker (see
services/throttle.py). A row holds no e-mail address or IP address in clear: its key is an
HMAC-SHA-256 of the policy and the counted value under the installation's secret key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..types import UTCDateTime


class ThrottleCounter(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "throttle_counter"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # hex HMAC-SHA-256
    policy: Mapped[str] = mapped_column(String(48))  # which limit (for reading, not a secret)
    count: Mapped[int] = mapped_column(Integer)  # failures, or requests in this window
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())  # first counted, this run
    last_at: Mapped[datetime] = mapped_column(UTCDateTime())  # last counted
    # When the row is forgotten (and may be pruned): window after the last failure, or the
    # end of a fixed window.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

"""Sign-in sessions kept on the server, so that a session can end for real.

Flask keeps its session in a signed cookie: without a record on the server, a copied cookie
stays valid after signing out or changing the password, until it expires. Each sign-in makes a
:class:`UserSession`; the cookie holds a random token whose SHA-256 is this row's id. Every
request checks the row (one primary-key read): signing out, "sign out everywhere", a password
change (other sessions) and deactivating the account end rows, and an ended row signs the
cookie out at once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..types import UTCDateTime


class UserSession(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "user_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the token
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Why it ended: signed_out | everywhere | password_changed | deactivated
    ended_because: Mapped[str] = mapped_column(String(20), default="", server_default="")


class PasswordReset(db.Model):  # type: ignore[name-defined,misc]
    """A single-use, short-lived link to set a new password (by mail, an administrator or the
    command line). The link's token is derived from ``nonce`` and the installation's secret
    key (see services/password_reset.py), so it is not stored."""

    __tablename__ = "password_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    nonce: Mapped[str] = mapped_column(String(64))
    requested_by: Mapped[str] = mapped_column(String(20))  # self | admin | cli
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

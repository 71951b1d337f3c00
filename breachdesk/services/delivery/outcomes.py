"""Recording a sent row's outcome: one UPDATE, committed before the next message goes out."""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ...models import Delivery

#: The UPDATE that records a sent row: built once, its SET columns given by the parameters.
_OUTCOME = update(Delivery.__table__).where(Delivery.__table__.c.id == bindparam("row_id"))


class Outcomes:
    """Writes and commits each sent row's outcome before the next message goes out (so a
    crash repeats at most one message), with one UPDATE: no unit-of-work flush, no statement
    built per row; the loaded row is kept in step with it.

    On PostgreSQL the UPDATE goes over a connection of its own in autocommit mode: one round
    trip to the server per message instead of three (BEGIN, UPDATE, COMMIT). The commit is as
    durable as any other (``synchronous_commit`` is left as the server has it). On SQLite,
    where a statement costs no round trip and writes must begin with ``BEGIN IMMEDIATE``
    (:mod:`breachdesk.sqlite`), it goes through the session as before.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.own = session.get_bind().dialect.name == "postgresql"
        self.connection: Connection | None = None

    def record(self, row: Delivery, **values: object) -> None:
        if self.own:
            if self.connection is None:
                engine = self.session.get_bind()
                if isinstance(engine, Connection):  # a session bound to one connection
                    engine = engine.engine
                self.connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            self.connection.execute(_OUTCOME, {"row_id": row.id, **values})
            self.connection.commit()  # ends the logical transaction; the row is already kept
        else:
            self.session.connection().execute(_OUTCOME, {"row_id": row.id, **values})
            self.session.commit()
        for key, value in values.items():
            set_committed_value(row, key, value)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

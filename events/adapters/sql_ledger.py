"""The ledger on SQLite and PostgreSQL (ARCHITECTURE.md R4).

The caller owns the transaction; ``SqlLedger`` only issues INSERT and SELECT against
``ledger_events`` (the database refuses UPDATE and DELETE with triggers, see the migrations).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, func, insert, select, text
from sqlalchemy.exc import IntegrityError

from events.adapters.memory import SystemClock
from events.adapters.tables import ledger_events
from events.domain import DuplicateEventError, EventRecord, StoredEvent
from events.ports import Clock

# Any constant will do: it names the one advisory lock that serialises appends on PostgreSQL.
_APPEND_LOCK_KEY = 0x0C0DE_7ACE


class SqlLedger:
    """Append-only ledger over one SQLAlchemy ``Connection`` inside the caller's transaction."""

    def __init__(self, connection: Connection, clock: Clock | None = None) -> None:
        self._connection = connection
        self._clock: Clock = clock or SystemClock()

    def append(self, record: EventRecord) -> StoredEvent:
        """Insert one event at the next position.

        On PostgreSQL a transaction-scoped advisory lock serialises appends until commit, so
        positions become visible in order and a reader tailing ``position > n`` never skips a
        late commit (the sequence-gap problem eventsourcing documents for ``_insert_events``).
        SQLite serialises writers by itself.
        """
        if self._connection.dialect.name == "postgresql":
            self._connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _APPEND_LOCK_KEY}
            )
        record_time = self._clock.now()
        try:
            with self._connection.begin_nested():
                result = self._connection.execute(
                    insert(ledger_events)
                    .values(
                        event_id=record.event_id,
                        event_type=record.event_type,
                        event_time=record.event_time,
                        record_time=record_time,
                        payload=record.payload,
                    )
                    .returning(ledger_events.c.position)
                )
                position = int(result.scalar_one())
        except IntegrityError as exc:
            if self._exists(record.event_id):
                raise DuplicateEventError(record.event_id) from exc
            raise
        return StoredEvent(position=position, record_time=record_time, record=record)

    def get(self, event_id: str) -> StoredEvent | None:
        """The stored event with this id, or ``None``."""
        row = self._connection.execute(
            select(ledger_events).where(ledger_events.c.event_id == event_id)
        ).one_or_none()
        return None if row is None else _to_stored(row._mapping)  # noqa: SLF001  SQLAlchemy's public row mapping

    def read(self, *, after: int = 0, limit: int | None = None) -> Iterator[StoredEvent]:
        """Events with ``position > after`` in position order."""
        query = (
            select(ledger_events)
            .where(ledger_events.c.position > after)
            .order_by(ledger_events.c.position)
            .limit(limit)
        )
        for row in self._connection.execute(query):
            yield _to_stored(row._mapping)  # noqa: SLF001  SQLAlchemy's public row mapping

    def last_position(self) -> int:
        """The highest position stored, 0 when empty."""
        value = self._connection.execute(select(func.max(ledger_events.c.position))).scalar()
        return int(value or 0)

    def _exists(self, event_id: str) -> bool:
        query = select(ledger_events.c.position).where(ledger_events.c.event_id == event_id)
        return self._connection.execute(query).first() is not None


def _to_stored(row: Any) -> StoredEvent:  # noqa: ANN401  a SQLAlchemy RowMapping
    record = EventRecord(
        event_id=row["event_id"],
        event_type=row["event_type"],
        event_time=row["event_time"],
        payload=row["payload"],
    )
    return StoredEvent(position=int(row["position"]), record_time=row["record_time"], record=record)

"""The ledger on SQLite and PostgreSQL (ARCHITECTURE.md R4).

The caller owns the transaction; ``SqlLedger`` only issues INSERT and SELECT against
``ledger_events`` (the database refuses UPDATE and DELETE with triggers, see the migrations).

Positions are gap-free: the first append of a transaction takes the append lock and reads the
last position, later ones count on from it. On PostgreSQL the lock is a transaction-scoped
advisory lock held until commit, so positions become visible in order and a reader tailing
``position > n`` never skips a late commit (the sequence-gap problem eventsourcing documents for
``_insert_events``); SQLite writers are serialised by ``BEGIN IMMEDIATE``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from typing import Any, Final

from sqlalchemy import Connection, Dialect, func, select, text, union_all
from sqlalchemy.exc import IntegrityError

from events.adapters.memory import SystemClock, find_duplicates
from events.adapters.sql_bulk import append_rows
from events.adapters.tables import ledger_events
from events.domain import DuplicateEventError, EventRecord, StoredEvent
from events.ports import Clock

# Any constant will do: it names the one advisory lock that serialises appends on PostgreSQL.
_APPEND_LOCK_KEY = 0x0C0DE_7ACE
_LOOKUP_CHUNK = 500
_COARSE_UNTIL = 2**20  # ledger size from which the statistics refresh samples fully
_COARSE_TARGET = 10  # PostgreSQL samples 300 rows per unit of target
_ANALYZE_GROWING = (
    "ANALYZE ledger_events (position, event_id, event_hash, kind, event_type, event_time, "
    "record_time, organisation_id, capture_id), event_links, item_state (item, status, "
    "disposition, read_point, biz_location, holder, parent, last_position, last_event_time), "
    "lineage_edges, containment_ends, merkle_nodes"
)


class SqlLedger:
    """Append-only ledger over one SQLAlchemy ``Connection`` inside the caller's transaction."""

    def __init__(self, connection: Connection, clock: Clock | None = None) -> None:
        self._connection = connection
        self._clock: Clock = clock or SystemClock()
        self._last: int | None = None
        # The ledger doubled in this transaction: the planner's statistics are refreshed once
        # it commits (``refresh_statistics``).
        self.statistics_due = False

    def append(self, record: EventRecord) -> StoredEvent:
        """Insert one event at the next position."""
        return self.append_many([record])[0]

    def append_many(self, records: Sequence[EventRecord]) -> list[StoredEvent]:
        """Insert events at the next positions, in one statement; all or none."""
        if not records:
            return []
        last = self._lock_and_last()
        record_time = self._clock.now()
        bound = _bound(self._connection.dialect)
        rows = [
            tuple(
                [
                    value if process is None else process(value)
                    for process, value in zip(
                        bound, _row(record, last + n, record_time), strict=True
                    )
                ]
            )
            for n, record in enumerate(records, 1)
        ]
        try:
            with self._connection.begin_nested():
                # COPY on PostgreSQL, one prepared INSERT on SQLite: a Core insert of 10,000
                # rows processed each row's parameters in SQLAlchemy and, on PostgreSQL, sent
                # each as its own statement (~9 % of a 10,000-event capture there)
                append_rows(self._connection, ledger_events, _COLUMNS, rows)
        except IntegrityError as exc:
            duplicates = self.duplicates(records)
            if duplicates:
                raise DuplicateEventError(next(iter(duplicates.values()))) from exc
            raise
        self._last = last + len(records)
        if self._last.bit_length() > last.bit_length():
            self.statistics_due = True
        return [
            StoredEvent(position=last + n, record_time=record_time, record=record)
            for n, record in enumerate(records, 1)
        ]

    def duplicates(self, records: Sequence[EventRecord]) -> dict[int, str]:
        """Records repeating a stored event (same eventID or hash, same kind) or each other.

        Two lookups on single columns, each served by the leading column of its unique index
        (an OR of row-value IN lists is not, and scans the ledger on PostgreSQL), side by side
        in one statement (a one-event capture asks it once).
        """
        stored: set[tuple[str, str]] = set()
        ids = sorted({r.event_id for r in records})
        hashes = sorted({r.event_hash for r in records})
        columns = (ledger_events.c.event_id, ledger_events.c.event_hash, ledger_events.c.kind)
        for start in range(0, max(len(ids), len(hashes)), _LOOKUP_CHUNK):
            end = start + _LOOKUP_CHUNK
            query = union_all(
                select(*columns).where(ledger_events.c.event_id.in_(ids[start:end])),
                select(*columns).where(ledger_events.c.event_hash.in_(hashes[start:end])),
            )
            for event_id, event_hash, kind in self._connection.execute(query):
                stored.update({(event_id, kind), (event_hash, kind)})
        return find_duplicates(records, stored)

    def get(self, event_id: str, kind: str = "event") -> StoredEvent | None:
        """The stored event with this id and kind, or ``None``."""
        row = self._connection.execute(
            select(ledger_events).where(
                ledger_events.c.event_id == event_id, ledger_events.c.kind == kind
            )
        ).one_or_none()
        return None if row is None else stored_event(row._mapping)  # noqa: SLF001  public row mapping

    def read(self, *, after: int = 0, limit: int | None = None) -> Iterator[StoredEvent]:
        """Events with ``position > after`` in position order, streamed."""
        query = (
            select(ledger_events)
            .where(ledger_events.c.position > after)
            .order_by(ledger_events.c.position)
            .limit(limit)
        )
        # yield_per on the statement: Connection.execution_options would change the connection.
        for row in self._connection.execute(query.execution_options(yield_per=2000)):
            yield stored_event(row._mapping)  # noqa: SLF001  public row mapping

    def last_position(self) -> int:
        """The highest position stored, 0 when empty."""
        value = self._connection.execute(select(func.max(ledger_events.c.position))).scalar()
        return int(value or 0)

    def refresh_statistics(self) -> None:
        """ANALYZE, in a transaction of its own: after the commit, not under the append lock.

        Each time the ledger doubles. SQLite has no autovacuum: without statistics it walked the
        whole ledger by position for a time window (bounded by ``PRAGMA analysis_limit``, see
        engine.py). PostgreSQL's autovacuum lags a bulk import, and plans psycopg prepared while
        the tables were nearly empty stay cached: loading item states for a second
        10,000-event document ran a sequential scan per 500 items (30 s instead of 4 s); ANALYZE
        also replaces those plans. Run inside the capture, it held every other writer behind
        the append lock for its whole run (~50 ms on a young ledger, which doubles often).
        """
        self.statistics_due = False
        with self._connection.begin():
            if self._connection.dialect.name != "postgresql":
                self._connection.exec_driver_sql("ANALYZE")  # sampled within analysis_limit
                return
            # The tables that grow with the ledger, less the JSON columns no plan reads
            # statistics of. A young ledger doubles often: it is sampled coarsely (3,000 rows a
            # table instead of 30,000: ~50 instead of ~250 ms after a 10,000-event import),
            # enough to steer plans off sequential scans until autovacuum's own ANALYZE; from
            # _COARSE_UNTIL events on, doublings are rare and get the full sample.
            if (self._last or 0) < _COARSE_UNTIL:
                self._connection.exec_driver_sql(
                    f"SET LOCAL default_statistics_target = {_COARSE_TARGET}"
                )
            self._connection.exec_driver_sql(_ANALYZE_GROWING)

    def _lock_and_last(self) -> int:
        if self._last is None:
            if self._connection.dialect.name == "postgresql":
                self._connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _APPEND_LOCK_KEY}
                )
            self._last = self.last_position()
        return self._last


_COLUMNS: Final = (
    "position",
    "event_id",
    "event_hash",
    "kind",
    "event_type",
    "event_time",
    "record_time",
    "organisation_id",
    "capture_id",
    "payload",
)


def _row(record: EventRecord, position: int, record_time: Any) -> tuple[Any, ...]:  # noqa: ANN401
    """The values of one ledger row, in ``_COLUMNS`` order, before the columns' processing."""
    return (
        position,
        record.event_id,
        record.event_hash,
        record.kind,
        record.event_type,
        record.event_time,
        record_time,
        record.organisation_id,
        record.capture_id,
        record.payload,
    )


@lru_cache(maxsize=8)  # per dialect (SQLite, PostgreSQL)
def _bound(dialect: Dialect) -> tuple[Callable[[Any], Any] | None, ...]:
    """Each of ``_COLUMNS``' bind processing on ``dialect``, as a Core insert applies it.

    The payload's JSON text (a ``Jsonb`` for psycopg), times in UTC (SQLite's ``DATETIME`` text),
    naive times refused (``tables.UtcDateTime``).
    """
    return tuple(
        ledger_events.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        for name in _COLUMNS
    )


def stored_event(row: Any) -> StoredEvent:  # noqa: ANN401  a SQLAlchemy RowMapping
    """A ``ledger_events`` row as a ``StoredEvent`` (for every adapter that reads the ledger)."""
    record = EventRecord(
        event_id=row["event_id"],
        event_type=row["event_type"],
        event_time=row["event_time"],
        payload=row["payload"],
        event_hash=row["event_hash"],
        kind=row["kind"],
        organisation_id=row["organisation_id"],
        capture_id=row["capture_id"],
    )
    return StoredEvent(position=int(row["position"]), record_time=row["record_time"], record=record)

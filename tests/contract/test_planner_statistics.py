"""The ledger refreshes the planner's statistics each time it doubles, on both backends.

Statistics are taken once the capture that doubled the ledger has committed, in a transaction of
their own (not under the append lock, where every other writer waited for them): the item states
of that capture are in them (the tables a bulk import reads back). A failure there leaves the
committed capture standing.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError

from events.adapters import make_engine
from events.adapters.sql_ledger import SqlLedger
from events.adapters.sql_uow import SqlUnitOfWork
from events.capture import capture


def _analysed(connection: Connection) -> bool:
    if connection.dialect.name == "sqlite":
        query = "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'item_state'"
        return bool(connection.execute(text(query)).scalar())
    # reltuples is -1 until a table is first vacuumed or analysed (PostgreSQL 14+)
    query = "SELECT reltuples FROM pg_class WHERE relname = 'item_state'"
    return float(connection.execute(text(query)).scalar() or -1) > 0


def test_the_first_events_leave_statistics_behind(migrated_database_url: str) -> None:
    engine = make_engine(migrated_database_url)
    try:
        with engine.connect() as connection:
            stats = (
                connection.dialect.name != "sqlite"
                or connection.execute(
                    text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
                ).scalar()
            )
            assert not (stats and _analysed(connection))  # a fresh database: none yet
        for serial in ("STAT1", "STAT2"):  # the second capture doubles a ledger of one event
            assert capture(SqlUnitOfWork(engine), [_event(serial)], organisation_id=None).success
        with engine.connect() as connection:
            assert _analysed(connection)
    finally:
        engine.dispose()


def _event(serial: str) -> dict[str, object]:
    return {
        "type": "ObjectEvent",
        "action": "ADD",
        "eventTime": "2026-06-01T08:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "epcList": [f"urn:epc:id:sgtin:6901234.012345.{serial}"],
    }


def test_a_failed_refresh_leaves_the_capture_committed(
    migrated_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fails(self: SqlLedger) -> None:
        raise OperationalError("ANALYZE", None, Exception("database is locked"))

    monkeypatch.setattr(SqlLedger, "refresh_statistics", fails)
    engine = make_engine(migrated_database_url)
    try:
        outcome = capture(SqlUnitOfWork(engine), [_event("FAIL1")], organisation_id=None)
        assert outcome.success  # the first event doubles an empty ledger: a refresh is due
        with SqlUnitOfWork(engine, read_only=True) as uow:
            assert uow.ledger.get(outcome.stored[0].record.event_id) is not None
    finally:
        engine.dispose()


def test_a_young_ledger_is_sampled_coarsely(migrated_database_url: str) -> None:
    engine = make_engine(migrated_database_url)
    try:
        events = []
        for n in range(150):  # one capture doubles the empty ledger: a refresh after it
            event = _event(f"COARSE{n}")
            event["eventTime"] = f"2026-06-01T08:{n // 60:02d}:{n % 60:02d}+08:00"
            events.append(event)
        assert capture(SqlUnitOfWork(engine), events, organisation_id=None).success
        with engine.connect() as connection:
            assert _analysed(connection)
            if connection.dialect.name != "postgresql":
                return  # SQLite's ANALYZE is bounded by PRAGMA analysis_limit instead
            bounds = connection.execute(
                text(
                    "SELECT array_length(histogram_bounds::text::text[], 1) FROM pg_stats "
                    "WHERE tablename = 'ledger_events' AND attname = 'event_time'"
                )
            ).scalar()
        # 150 distinct times: the default target would keep 101 bounds, target 10 keeps 11
        assert bounds == 11
    finally:
        engine.dispose()

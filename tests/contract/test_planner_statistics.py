"""The ledger refreshes the planner's statistics each time it doubles, on both backends.

Statistics are taken as the ledger grows, before the projections of that capture are written: the
item states of earlier captures are in them (the tables a bulk import reads back).
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from events.adapters import make_engine
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
            event = {
                "type": "ObjectEvent",
                "action": "ADD",
                "eventTime": "2026-06-01T08:00:00+08:00",
                "eventTimeZoneOffset": "+08:00",
                "epcList": [f"urn:epc:id:sgtin:6901234.012345.{serial}"],
            }
            assert capture(SqlUnitOfWork(engine), [event], organisation_id=None).success
        with engine.connect() as connection:
            assert _analysed(connection)
    finally:
        engine.dispose()

"""Lineage reads keep PostgreSQL's plans serial inside their own transaction only."""

from __future__ import annotations

from sqlalchemy import Engine, text

from events.adapters.sql_lineage import SqlLineage

SETTING = "SHOW max_parallel_workers_per_gather"


def test_plans_are_serial_for_the_reads_and_back_after(shared_engine: Engine) -> None:
    with shared_engine.connect() as connection:
        with connection.begin():
            store = SqlLineage(connection, organisation_id=None)
            assert store.known("https://id.gs1.org/01/06901234000014/21/NOPE") is False
            if connection.dialect.name != "postgresql":
                return  # SQLite plans no parallel workers
            assert connection.execute(text(SETTING)).scalar() == "0"
        with connection.begin():  # SET LOCAL: the next transaction plans as configured again
            assert connection.execute(text(SETTING)).scalar() != "0"

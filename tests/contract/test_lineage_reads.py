"""Lineage reads plan serially and without JIT inside their own transaction only (PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from events.adapters.sql_lineage import SqlLineage

SETTINGS = ("max_parallel_workers_per_gather", "jit")


def test_plans_are_serial_and_not_compiled_for_the_reads_and_back_after(
    shared_engine: Engine,
) -> None:
    with shared_engine.connect() as connection:
        with connection.begin():
            store = SqlLineage(connection, organisation_id=None)
            assert store.known("https://id.gs1.org/01/06901234000014/21/NOPE") is False
            if connection.dialect.name != "postgresql":
                return  # SQLite plans no parallel workers and compiles nothing
            shown = [connection.execute(text(f"SHOW {name}")).scalar() for name in SETTINGS]
            assert shown == ["0", "off"]
        with connection.begin():  # local settings: the next transaction plans as configured
            shown = [connection.execute(text(f"SHOW {name}")).scalar() for name in SETTINGS]
            assert shown != ["0", "off"]


@pytest.mark.parametrize("reads_before", [0, 1], ids=["first read", "later read"])
def test_a_failing_read_raises_as_sqlalchemy_does(shared_engine: Engine, reads_before: int) -> None:
    """The reads go to the driver past SQLAlchemy (PostgreSQL's first one through psycopg's
    pipeline): their errors must still arrive as SQLAlchemy's, which the API maps to problem
    details."""
    with shared_engine.connect() as connection, connection.begin():
        store = SqlLineage(connection, organisation_id=None)
        for _ in range(reads_before):
            assert store.known("https://id.gs1.org/01/06901234000014/21/NOPE") is False
        with pytest.raises(DBAPIError, match="no_such_table"):
            store._run_all([("SELECT 1 FROM no_such_table", [])])

"""A read-only unit of work leaves the database as it found it, on both backends.

On PostgreSQL it begins READ ONLY (the server refuses writes) and, having gone well, ends with
COMMIT rather than ROLLBACK: psycopg forgets every prepared statement of a connection when it
sees a ROLLBACK, and the reads a trace repeats would be planned again on every request.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from events.adapters import make_engine
from events.adapters.sql_uow import SqlUnitOfWork

_LOOKUP = "SELECT count(*) FROM organisations WHERE name = 'x'"


def _organisations(engine: Any) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM organisations")).scalar() or 0)


def test_a_read_only_unit_of_work_writes_nothing(migrated_database_url: str) -> None:
    engine = make_engine(migrated_database_url)
    try:
        before = _organisations(engine)
        postgres = engine.dialect.name == "postgresql"
        if postgres:  # refused by the server
            with (
                pytest.raises(DBAPIError, match="read-only transaction"),
                SqlUnitOfWork(engine, read_only=True) as uow,
            ):
                uow.organisations.add("Read Only Co", company_prefixes=["6901234"])
        else:  # SQLite: not refused, and rolled back at the end
            with SqlUnitOfWork(engine, read_only=True) as uow:
                uow.organisations.add("Read Only Co", company_prefixes=["6901234"])
        assert _organisations(engine) == before
        with SqlUnitOfWork(engine) as uow:  # the next unit of work may write again
            uow.organisations.add("Read Only Co", company_prefixes=["6901234"])
            uow.commit()
        assert _organisations(engine) == before + 1
    finally:
        engine.dispose()


def test_postgres_keeps_prepared_statements_across_read_only_units(
    migrated_database_url: str,
) -> None:
    """On SQLite the statement cache is sqlite3's own and outlives transactions anyway."""
    engine = make_engine(migrated_database_url)
    try:
        for _ in range(8):  # psycopg prepares a statement on its 6th execution
            with SqlUnitOfWork(engine, read_only=True) as uow:
                connection = uow.lineage.connection
                assert connection.exec_driver_sql(_LOOKUP).scalar() == 0
                driver = connection.connection.driver_connection
        if engine.dialect.name == "postgresql":
            prepared = driver._prepared._names  # psycopg's cache: no public view
            assert any(_LOOKUP.encode() in bytes(key[0]) for key in prepared)
    finally:
        engine.dispose()

"""Writing many plain rows at once, for the projections a capture updates (and reading by code).

A 10,000-event capture writes ~66,000 item links, ~40,000 item states, ~25,000 lineage edges and
~20,000 Merkle nodes. Through SQLAlchemy Core each row is a parameter dict processed per column,
then sent as its own statement in psycopg's pipeline: ~1.1 s for the links alone on PostgreSQL
and ~0.2 s on SQLite. Here:

- ``append_rows``: ``COPY … FROM STDIN`` on PostgreSQL (~0.2 s for those links; below
  ``COPY_FROM`` rows, the driver's ``executemany`` in its pipeline), the driver's ``executemany``
  of one prepared ``INSERT`` on SQLite (~0.1 s);
- ``upsert_rows``: ``INSERT … ON CONFLICT`` (DO NOTHING, or DO UPDATE of the other columns), on
  PostgreSQL as one statement over ``unnest`` of one array per column, on SQLite by
  ``executemany``.

Only for values that need no type processing by SQLAlchemy (text, integers, floats, bytes, NULL;
JSON passed as its text). Errors are raised as SQLAlchemy's ``DBAPIError`` family, as a Core
statement would raise them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Final, TypeVar

from sqlalchemy import ColumnElement, Connection, Table, any_, literal
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError

CHUNK: Final = 500  # values per read (an IN list on SQLite is one bound value each)
# On PostgreSQL, fewer rows go as one INSERT each in psycopg's pipeline (one round trip): COPY's
# own exchange cost more than it saved for a one-event capture, whose appends hold the append
# lock (POST /epcis/events p99 with 8 clients: 70 ms with INSERTs, 96-189 ms with COPY).
COPY_FROM: Final = 100
T = TypeVar("T", str, int)


def append_rows(
    connection: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert ``rows`` (values in ``columns`` order) into ``table`` in the caller's transaction."""
    if not rows:
        return
    quote = connection.dialect.identifier_preparer.quote
    names = ", ".join(quote(name) for name in columns)
    postgres = connection.dialect.name == "postgresql"
    if not postgres or len(rows) < COPY_FROM:
        marks = ", ".join(("%s" if postgres else "?") for _ in columns)
        # names from our own Table, quoted; the values are bound
        statement = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})"  # noqa: S608
        # one row as a plain execute: psycopg's executemany enters and leaves pipeline mode
        connection.exec_driver_sql(statement, tuple(rows[0]) if len(rows) == 1 else rows)
        return
    statement = f"COPY {quote(table.name)} ({names}) FROM STDIN"
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        with driver_errors(connection, statement, None), cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    finally:
        cursor.close()


@contextmanager
def driver_errors(connection: Connection, statement: str, parameters: Any) -> Iterator[None]:  # noqa: ANN401  as given
    """Raise the driver's errors in the body as SQLAlchemy's ``DBAPIError`` family.

    For work done on the driver connection past SQLAlchemy (``COPY``, pipeline mode, the trace's
    reads): callers and the API's handlers expect SQLAlchemy's exceptions, as a Core statement
    raises them.
    """
    base = connection.dialect.loaded_dbapi.Error
    try:
        yield
    except base as exc:
        raise DBAPIError.instance(statement, parameters, exc, base) from exc


def upsert_rows(  # noqa: PLR0913  what an upsert needs, named
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    key: Sequence[str],
    update: bool,
) -> None:
    """``INSERT`` ``rows``; on a clash on ``key``, update the other columns or keep the row.

    ``update``: take the new values of the columns not in ``key`` (rows must not repeat a key);
    otherwise keep the stored row (``DO NOTHING``).
    """
    if not rows:
        return
    quote = connection.dialect.identifier_preparer.quote
    names = ", ".join(quote(name) for name in columns)
    keys = ", ".join(quote(name) for name in key)
    changed = [quote(name) for name in columns if name not in key]
    action = (
        "DO UPDATE SET " + ", ".join(f"{name} = excluded.{name}" for name in changed)
        if update
        else "DO NOTHING"
    )
    if connection.dialect.name != "postgresql":
        marks = ", ".join("?" * len(columns))
        statement = (  # names from our own Table, quoted; the values are bound
            f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks}) "  # noqa: S608
            f"ON CONFLICT ({keys}) {action}"
        )
        connection.exec_driver_sql(statement, rows)
        return
    casts = ", ".join(
        f"%s::{table.c[name].type.compile(dialect=connection.dialect)}[]" for name in columns
    )
    statement = (
        f"INSERT INTO {quote(table.name)} ({names}) SELECT * FROM unnest({casts}) "  # noqa: S608
        f"ON CONFLICT ({keys}) {action}"
    )
    connection.exec_driver_sql(statement, tuple(list(column) for column in zip(*rows, strict=True)))


def among(
    connection: Connection, column: ColumnElement[Any], values: Sequence[Any]
) -> ColumnElement[bool]:
    """``column`` is one of ``values``: ``= ANY(array)`` on PostgreSQL, ``IN (…)`` on SQLite.

    One array parameter instead of one parameter per value: ~30 % faster for 500 codes on
    PostgreSQL (the item states and containment edges a capture reads).
    """
    if connection.dialect.name == "postgresql":
        return column == any_(literal(list(values), ARRAY(column.type)))
    return column.in_(values)


def chunks(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    """``items`` without repeats, sorted (stable plans and row order), in lists of ``size``."""
    wanted = sorted(set(items))  # codes (str) or positions (int)
    for start in range(0, len(wanted), size):
        yield wanted[start : start + size]


__all__ = ["CHUNK", "COPY_FROM", "among", "append_rows", "chunks", "driver_errors", "upsert_rows"]

"""Engines for SQLite and PostgreSQL, configured the way the ledger needs them.

SQLite gets WAL journaling, ``synchronous=FULL`` (a committed event survives power loss) and
foreign keys; PostgreSQL goes through psycopg 3.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from events.domain import LedgerError

# Execution option naming the statement that begins a SQLite transaction.
SQLITE_BEGIN = "onecode_sqlite_begin"
BUSY_TIMEOUT_S = 10
_HOLDS_WRITER_LOCK = "onecode_holds_writer_lock"


class StorageUnavailableError(LedgerError):
    """The database cannot be reached or the URL is not usable."""


def normalise_url(url: str) -> str:
    """Pick psycopg 3 for plain PostgreSQL URLs.

    >>> normalise_url("postgresql://localhost/onecode")
    'postgresql+psycopg://localhost/onecode'
    >>> normalise_url("sqlite:///instance/onecode.db")
    'sqlite:///instance/onecode.db'
    """
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def make_engine(url: str, **options: Any) -> Engine:  # noqa: ANN401  passed through to SQLAlchemy
    """Build an engine; connects lazily, so this does no I/O.

    Raises:
        StorageUnavailableError: the URL is malformed or names a backend we do not support.
    """
    try:
        parsed = make_url(normalise_url(url))
    except ArgumentError as exc:
        raise StorageUnavailableError(f"database URL {url!r} is not a valid URL") from exc
    if parsed.get_backend_name() not in {"sqlite", "postgresql"}:
        raise StorageUnavailableError(
            f"database URL {url!r}: expected sqlite:/// or postgresql://, "
            f"got {parsed.get_backend_name()}"
        )
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(parsed, **options)
    except (NoSuchModuleError, ImportError) as exc:  # ImportError: psycopg not installed
        raise StorageUnavailableError(
            f"database URL {url!r} needs a driver that is not installed ({exc}); for "
            "PostgreSQL: pip install -e '.[postgres]'"
        ) from exc
    if engine.dialect.name == "sqlite":
        writers = _Writers()
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", writers.begin)
        event.listen(engine, "commit", writers.end)
        event.listen(engine, "rollback", writers.end)
    return engine


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT (SQLAlchemy's "pysqlite serializable"
    # recipe): let SQLAlchemy emit BEGIN itself, see _sqlite_begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA analysis_limit=1000")  # ANALYZE samples, in milliseconds at any size
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
    cursor.close()


class _Writers:
    """Serialise this process's SQLite writers on a lock, in arrival order.

    Writers take the write lock up front (``BEGIN IMMEDIATE``): a deferred transaction that reads
    and then writes fails at once with "database is locked" when another writer committed in
    between (WAL snapshot). Waiting inside SQLite's busy handler works but sleeps in growing
    steps, which gave a p99 of ~440 ms with 8 clients; waiting on a lock wakes the next writer as
    soon as the previous one ends. The lock is bounded by the busy timeout, after which SQLite's
    own handler takes over, so it cannot deadlock. Read-only work (a plain BEGIN) opts out.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def begin(self, connection: Connection) -> None:
        statement = connection.get_execution_options().get(SQLITE_BEGIN, "BEGIN IMMEDIATE")
        if statement == "BEGIN IMMEDIATE" and self._lock.acquire(timeout=BUSY_TIMEOUT_S):
            connection.info[_HOLDS_WRITER_LOCK] = True
        try:
            connection.exec_driver_sql(statement)
        except BaseException:
            self.end(connection)
            raise

    def end(self, connection: Connection) -> None:
        if connection.info.pop(_HOLDS_WRITER_LOCK, False):
            self._lock.release()


def ping(engine: Engine) -> None:
    """Check that the database answers.

    Raises:
        StorageUnavailableError: with the driver's reason, and without the password.
    """
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        where = engine.url.render_as_string(hide_password=True)
        raise StorageUnavailableError(f"cannot reach the database at {where}: {reason}") from exc

"""Copy every table of one OneCode database into an empty one (``onecode db copy``).

Why (docs/OPERATIONS.md, "Moving from SQLite to PostgreSQL"): ``make run`` starts on the embedded
SQLite file, and an operator who outgrows it moves to PostgreSQL without capturing everything
again; benchmarks pre-fill PostgreSQL with millions of events the same way. Capturing validates,
hashes, projects and appends to the Merkle tree event by event (about 2,500 events/s on SQLite,
800/s on PostgreSQL); a copy moves the stored rows as they are, tens of thousands a second.

How:

- Both databases must be at the newest migration (the caller upgrades the target first) and the
  target must hold no rows in any table but ``alembic_version``: :class:`CopyRefusedError`.
- The source is read in one read transaction, a consistent snapshot, each table streamed in
  chunks of :data:`CHUNK` rows (server-side cursor on PostgreSQL), so memory stays flat however
  large the ledger is. Tables go in foreign-key order (``metadata.sorted_tables``).
- Rows keep their values: ledger positions, event hashes, Merkle nodes and signed checkpoints are
  unchanged, so the copy verifies (``onecode ledger verify``) against the same tree heads. JSON
  columns travel as their stored text, neither parsed nor written again.
- PostgreSQL target: binary ``COPY … FROM STDIN`` (psycopg 3), one per chunk, column types taken
  from the target; then every serial/identity sequence is set past the copied ids, so new
  organisations, API keys … do not collide. SQLite target: ``executemany`` inserts.
- The append-only triggers of ``ledger_events`` and ``minted_codes`` refuse UPDATE, DELETE and
  TRUNCATE, not INSERT (nor COPY), so they stay on.
- Everything written to the target is one transaction: a copy that fails part way (or is
  interrupted) leaves the target as empty as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Engine,
    Table,
    Text,
    bindparam,
    cast,
    func,
    insert,
    inspect,
    select,
    text,
)

from events.adapters.engine import SQLITE_BEGIN
from events.adapters.schema import current_revision, head_revision
from events.adapters.tables import metadata

CHUNK = 10_000  # rows fetched from the source and written to the target at a time
_SKIPPED = frozenset({"alembic_version"})  # the target has its own, from its migration

Progress = Callable[[str, int], None]


class CopyRefusedError(Exception):
    """The copy cannot start: the target holds rows, or a schema is not at the newest migration."""


def copy_database(
    source: Engine, target: Engine, *, progress: Progress | None = None
) -> dict[str, int]:
    """Copy every table of ``source`` into the empty, migrated ``target``; rows copied per table.

    ``progress(table, rows)`` is called after each chunk with the rows that chunk wrote.

    Raises:
        CopyRefusedError: a database is not at the newest migration, or the target holds rows.
    """
    _require_head(source, "source")
    _require_head(target, "target")
    report = progress or _no_progress
    postgres = target.dialect.name == "postgresql"
    with _snapshot(source) as reader, target.begin() as writer:
        _refuse_rows(writer)
        copy_table = _copy_table if postgres else _insert_table
        copied = {
            table.name: copy_table(writer, table, _read(reader, table), report)
            for table in metadata.sorted_tables
        }
        if postgres:
            _reset_sequences(writer)
    return copied


def count_rows(engine: Engine) -> dict[str, int]:
    """Rows per table of the schema, in copy order (for a progress bar's total)."""
    with engine.connect() as connection:
        return {
            table.name: int(
                connection.execute(select(func.count()).select_from(table)).scalar_one()
            )
            for table in metadata.sorted_tables
        }


def refuse_rows(engine: Engine) -> None:
    """Refuse a target holding rows in any table, before migrating it (so nothing is written).

    Raises:
        CopyRefusedError: naming the first table found with rows.
    """
    with engine.connect() as connection:
        _refuse_rows(connection)


def _require_head(engine: Engine, role: str) -> None:
    current, head = current_revision(engine), head_revision()
    if current != head:
        where = engine.url.render_as_string(hide_password=True)
        raise CopyRefusedError(
            f"the {role} database {where} is at schema {current or 'empty'}, expected {head}: "
            "run onecode db upgrade"
        )


def _refuse_rows(connection: Connection) -> None:
    quote = connection.dialect.identifier_preparer.quote
    for name in sorted(set(inspect(connection).get_table_names()) - _SKIPPED):
        probe = text(f"SELECT 1 FROM {quote(name)} LIMIT 1")  # noqa: S608  a quoted table name
        if connection.execute(probe).first() is not None:
            where = connection.engine.url.render_as_string(hide_password=True)
            raise CopyRefusedError(
                f"the target database {where} is not empty (table {name} holds rows): "
                "copy only into a new, empty database"
            )


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """One read-only transaction: every table is read as of the same moment."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        else:  # a plain BEGIN: WAL gives the snapshot at the first read, without a write lock
            connection.execution_options(**{SQLITE_BEGIN: "BEGIN"})
        with connection.begin():
            yield connection


def _is_json(column: Column[Any]) -> bool:
    return isinstance(column.type, JSON)


def _no_progress(_table: str, _rows: int) -> None:
    """Progress sink that ignores updates."""


Chunks = Iterator[Sequence[Sequence[Any]]]


def _read(reader: Connection, table: Table) -> Chunks:
    """The table's rows in chunks, JSON columns as their stored text, the rest as Python values."""
    columns = [cast(c, Text).label(c.name) if _is_json(c) else c for c in table.columns]
    result = reader.execute(select(*columns).execution_options(yield_per=CHUNK))
    yield from result.partitions()


def _insert_table(writer: Connection, table: Table, chunks: Chunks, progress: Progress) -> int:
    """SQLite: ``executemany``; JSON text is bound as text so it is not encoded a second time."""
    statement = insert(table).values(
        {c.name: bindparam(c.name, type_=Text() if _is_json(c) else c.type) for c in table.columns}
    )
    names = [c.name for c in table.columns]
    copied = 0
    for rows in chunks:
        writer.execute(statement, [dict(zip(names, row, strict=True)) for row in rows])
        copied += len(rows)
        progress(table.name, len(rows))
    return copied


def _as_is(value: str) -> str:
    """JSON ``dumps`` for text that is JSON already (module level: psycopg caches it by code)."""
    return value


def _copy_table(writer: Connection, table: Table, chunks: Chunks, progress: Progress) -> int:
    """PostgreSQL: binary ``COPY FROM STDIN``, typed as the target's columns are.

    One ``COPY`` per chunk: foreign keys are checked by per-row triggers queued until the end of
    each statement, so one statement for a table of ten million rows would hold ten million
    queued checks in the server's memory.
    """
    from psycopg.types.json import set_json_dumps  # noqa: PLC0415  psycopg is the postgres extra

    quote = writer.dialect.identifier_preparer.quote
    names = [c.name for c in table.columns]
    columns = writer.execute(
        text(
            "SELECT attname, CAST(atttypid AS integer) FROM pg_attribute "
            "WHERE attrelid = CAST(:table AS regclass) AND attnum > 0 AND NOT attisdropped"
        ),
        {"table": quote(table.name)},
    )
    oids: dict[str, int] = dict(columns.all())
    types = [oids[name] for name in names]
    cursor = writer.connection.driver_connection.cursor()  # type: ignore[union-attr]
    set_json_dumps(_as_is, cursor)
    statement = (
        f"COPY {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
        "FROM STDIN (FORMAT BINARY)"
    )
    copied = 0
    for rows in chunks:
        with cursor.copy(statement) as copy:
            copy.set_types(types)
            for row in rows:
                copy.write_row(row)
        copied += len(rows)
        progress(table.name, len(rows))
    return copied


def _reset_sequences(writer: Connection) -> None:
    """Set every serial/identity sequence of our tables past the largest copied id."""
    quote = writer.dialect.identifier_preparer.quote
    columns = writer.execute(
        text(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() "
            "AND (column_default LIKE 'nextval(%' OR is_identity = 'YES')"
        )
    ).all()
    for table, column in columns:
        if table not in metadata.tables:
            continue
        writer.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence(:table, :column), "  # noqa: S608  quoted names
                f"COALESCE(MAX({quote(column)}), 0) + 1, false) FROM {quote(table)}"
            ),
            {"table": quote(table), "column": column},
        )

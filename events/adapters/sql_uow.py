"""One database transaction over every store (cosmicpython's SqlAlchemyUnitOfWork)."""

from __future__ import annotations

import logging
from typing import Self

from sqlalchemy import Connection, Engine, RootTransaction
from sqlalchemy.exc import DBAPIError

from events.adapters.engine import SQLITE_BEGIN
from events.adapters.sql_jobs import SqlCaptureJobs
from events.adapters.sql_ledger import SqlLedger
from events.adapters.sql_lineage import SqlLineage
from events.adapters.sql_master_data import SqlMasterData
from events.adapters.sql_projections import SqlProjections
from events.adapters.sql_recalls import SqlRecalls
from events.adapters.sql_registry import SqlCodeRegistry, SqlOrganisations
from events.adapters.sql_tree import SqlCheckpoints, SqlLedgerTree
from events.ports import Clock

_log = logging.getLogger(__name__)


class SqlUnitOfWork:
    """``with SqlUnitOfWork(engine) as uow: …; uow.commit()``; anything uncommitted rolls back."""

    ledger: SqlLedger
    organisations: SqlOrganisations
    codes: SqlCodeRegistry
    projections: SqlProjections
    merkle: SqlLedgerTree
    jobs: SqlCaptureJobs
    checkpoints: SqlCheckpoints
    master_data: SqlMasterData
    lineage: SqlLineage
    recalls: SqlRecalls

    def __init__(
        self, engine: Engine, clock: Clock | None = None, *, read_only: bool = False
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._read_only = read_only
        # read-only on PostgreSQL: BEGIN READ ONLY, and a COMMIT at the end (``__exit__``)
        self._postgres_reads = read_only and engine.dialect.name == "postgresql"
        self._connection: Connection | None = None
        self._transaction: RootTransaction | None = None

    def __enter__(self) -> Self:
        """Open a connection and begin a transaction."""
        self._connection = self._engine.connect()
        if self._postgres_reads:  # the server refuses writes: the end can be a COMMIT
            self._connection.execution_options(postgresql_readonly=True)
        elif self._read_only:  # SQLite: a plain BEGIN, no write lock (see engine._sqlite_begin)
            self._connection.execution_options(**{SQLITE_BEGIN: "BEGIN"})
        self._transaction = self._connection.begin()
        self.ledger = SqlLedger(self._connection, self._clock)
        self.organisations = SqlOrganisations(self._connection, self._clock)
        self.codes = SqlCodeRegistry(self._connection)
        self.projections = SqlProjections(self._connection)
        self.merkle = SqlLedgerTree(self._connection)
        self.jobs = SqlCaptureJobs(self._connection)
        self.checkpoints = SqlCheckpoints(self._connection)
        self.master_data = SqlMasterData(self._connection)
        self.lineage = SqlLineage(self._connection)
        self.recalls = SqlRecalls(self._connection)
        return self

    def __exit__(self, *exc: object) -> None:
        """Roll back what was not committed and release the connection.

        A read-only PostgreSQL transaction that went well ends with COMMIT instead: it cannot
        have written anything (BEGIN READ ONLY), and psycopg forgets every statement it has
        prepared on the connection when it sees a ROLLBACK. Kept, the reads a trace repeats are
        planned once per connection, not once per request (~1 ms of a ~8 ms backward trace).
        """
        if self._transaction is not None and self._transaction.is_active:
            if self._postgres_reads and exc[0] is None:
                self._transaction.commit()
            else:
                self._transaction.rollback()
        if self._connection is not None:
            self._connection.close()
        self._connection = self._transaction = None

    def commit(self) -> None:
        """Commit (durably: SQLite synchronous=FULL, PostgreSQL synchronous_commit).

        Then, when the ledger doubled, refresh the planner's statistics (``SqlLedger``); the
        commit stands whether or not that succeeds.
        """
        if self._transaction is None:
            raise RuntimeError("commit() outside 'with SqlUnitOfWork(...)'")
        self._transaction.commit()
        if self.ledger.statistics_due:
            try:
                self.ledger.refresh_statistics()
            except DBAPIError:
                _log.warning("planner statistics not refreshed", exc_info=True)

"""Adapters: the only place that imports SQLAlchemy (ARCHITECTURE.md §1).

``memory`` holds in-memory fakes of the ports for unit tests; ``sql_*`` modules implement the
same ports on SQLite and PostgreSQL.
"""

from sqlalchemy import Engine

from events.adapters.engine import StorageUnavailableError, make_engine, normalise_url, ping
from events.adapters.memory import MemoryLedger, SystemClock
from events.adapters.sql_ledger import SqlLedger

__all__ = [
    "Engine",
    "MemoryLedger",
    "SqlLedger",
    "StorageUnavailableError",
    "SystemClock",
    "make_engine",
    "normalise_url",
    "ping",
]

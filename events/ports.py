"""The ports the event services depend on (ARCHITECTURE.md §1, cosmicpython's abstract repository).

Adapters in ``events.adapters`` implement them for memory, SQLite and PostgreSQL, and one
contract suite (``tests/contract``) holds every implementation to the same behaviour.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Protocol

from events.domain import EventRecord, StoredEvent


class Clock(Protocol):
    """Where the ledger gets ``recordTime`` from."""

    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class Ledger(Protocol):
    """The append-only, ordered event store (ARCHITECTURE.md R4)."""

    def append(self, record: EventRecord) -> StoredEvent:
        """Store one event at the next position.

        Raises:
            DuplicateEventError: an event with the same ``event_id`` is already stored; nothing
                is written and the caller's transaction stays usable.
        """
        ...

    def get(self, event_id: str) -> StoredEvent | None:
        """The stored event with this id, or ``None``."""
        ...

    def read(self, *, after: int = 0, limit: int | None = None) -> Iterator[StoredEvent]:
        """Events with ``position > after`` in position order, at most ``limit`` of them."""
        ...

    def last_position(self) -> int:
        """The highest position stored, 0 when the ledger is empty."""
        ...

"""In-memory implementations of the ports, for unit tests and as the contract suite's reference."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime

from events.domain import DuplicateEventError, EventRecord, StoredEvent
from events.ports import Clock


class SystemClock:
    """The wall clock, in UTC."""

    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        return datetime.now(UTC)


class MemoryLedger:
    """A ledger in a Python list: same contract as ``SqlLedger``, no durability."""

    def __init__(self, clock: Clock | None = None) -> None:
        self._clock: Clock = clock or SystemClock()
        self._events: list[StoredEvent] = []
        self._by_id: dict[str, StoredEvent] = {}

    def append(self, record: EventRecord) -> StoredEvent:
        """Store one event at the next position; refuse a known ``event_id``."""
        if record.event_id in self._by_id:
            raise DuplicateEventError(record.event_id)
        stored = StoredEvent(
            position=len(self._events) + 1, record_time=self._clock.now(), record=record
        )
        self._events.append(stored)
        self._by_id[record.event_id] = stored
        return stored

    def get(self, event_id: str) -> StoredEvent | None:
        """The stored event with this id, or ``None``."""
        return self._by_id.get(event_id)

    def read(self, *, after: int = 0, limit: int | None = None) -> Iterator[StoredEvent]:
        """Events after ``after`` in position order (positions are list index + 1)."""
        tail = itertools.islice(self._events, max(after, 0), None)
        return itertools.islice(tail, limit)

    def last_position(self) -> int:
        """The highest position stored, 0 when empty."""
        return len(self._events)

"""In-memory implementations of the ports, for unit tests and as the contract suite's reference."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

from events.domain import DuplicateEventError, EventRecord, StoredEvent
from events.ports import Clock


class SystemClock:
    """The wall clock, in UTC."""

    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        return datetime.now(UTC)


def find_duplicates(records: Sequence[EventRecord], stored: set[tuple[str, str]]) -> dict[int, str]:
    """Index → eventID for records whose keys are in ``stored`` or repeat an earlier record."""
    seen = set(stored)
    found: dict[int, str] = {}
    for index, record in enumerate(records):
        if any(key in seen for key in record.keys):
            found[index] = record.event_id
        seen.update(record.keys)
    return found


class MemoryLedger:
    """A ledger in a Python list: same contract as ``SqlLedger``, no durability."""

    def __init__(self, clock: Clock | None = None) -> None:
        self._clock: Clock = clock or SystemClock()
        self._events: list[StoredEvent] = []
        self._keys: dict[tuple[str, str], StoredEvent] = {}

    def append(self, record: EventRecord) -> StoredEvent:
        """Store one event at the next position; refuse a known eventID or content hash."""
        return self.append_many([record])[0]

    def append_many(self, records: Sequence[EventRecord]) -> list[StoredEvent]:
        """Store events at the next positions; all or none."""
        duplicates = self.duplicates(records)
        if duplicates:
            raise DuplicateEventError(next(iter(duplicates.values())))
        now = self._clock.now()
        stored = []
        for record in records:
            event = StoredEvent(position=len(self._events) + 1, record_time=now, record=record)
            self._events.append(event)
            self._keys.update(dict.fromkeys(record.keys, event))
            stored.append(event)
        return stored

    def duplicates(self, records: Sequence[EventRecord]) -> dict[int, str]:
        """Records that repeat a stored one or an earlier one in ``records``."""
        return find_duplicates(records, {k for r in records for k in r.keys if k in self._keys})

    def get(self, event_id: str, kind: str = "event") -> StoredEvent | None:
        """The stored event with this id and kind, or ``None``."""
        return self._keys.get((event_id, kind))

    def read(self, *, after: int = 0, limit: int | None = None) -> Iterator[StoredEvent]:
        """Events after ``after`` in position order (positions are list index + 1)."""
        tail = itertools.islice(self._events, max(after, 0), None)
        return itertools.islice(tail, limit)

    def last_position(self) -> int:
        """The highest position stored, 0 when empty."""
        return len(self._events)

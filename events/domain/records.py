"""What the ledger stores: one immutable record per EPCIS event.

The ledger is append-only (ARCHITECTURE.md R4). ``EventRecord`` is what a caller appends; the
ledger answers with a ``StoredEvent`` that adds the two facts only the ledger may set: the global
``position`` (gap-free order of commit) and the ``record_time`` (EPCIS 2.0 §7.4.1: recordTime is
set by the repository, never taken from the input).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True, kw_only=True)
class EventRecord:
    """One EPCIS event as it enters the ledger.

    Attributes:
        event_id: the canonical identity (CBV 2.0 §8.9 event hash, ``ni:///sha-256;…``).
        event_type: ``ObjectEvent``, ``AggregationEvent``, … (EPCIS 2.0 §7.4).
        event_time: when the event happened, timezone-aware.
        payload: the event in the JSON-LD binding, kept losslessly.
    """

    event_id: str
    event_type: str
    event_time: datetime
    payload: dict[str, Any]

    def __post_init__(self) -> None:
        """Refuse a naive ``event_time``: EPCIS times always carry an offset (EPCIS 2.0 §7.4.1)."""
        if self.event_time.tzinfo is None:
            raise ValueError(f"event_time {self.event_time.isoformat()} has no timezone offset")


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredEvent:
    """An event as the ledger holds it: the record plus its position and record time."""

    position: int
    record_time: datetime
    record: EventRecord

    @property
    def event_id(self) -> str:
        """The stored event's identity."""
        return self.record.event_id

"""What the ledger stores: one immutable record per EPCIS event.

The ledger is append-only (ARCHITECTURE.md R4). ``EventRecord`` is what a caller appends; the
ledger answers with a ``StoredEvent`` that adds the two facts only the ledger may set: the global
``position`` (gap-free order of commit) and the ``record_time`` (EPCIS 2.0 §7.4.1: recordTime is
set by the repository, never taken from the input).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True, slots=True, kw_only=True)
class EventRecord:
    """One EPCIS event as it enters the ledger.

    Attributes:
        event_id: the canonical identity (CBV 2.0 §8.9 event hash, ``ni:///sha-256;…``).
        event_type: ``ObjectEvent``, ``AggregationEvent``, … (EPCIS 2.0 §7.4).
        event_time: when the event happened, timezone-aware.
        payload: the event in the JSON-LD binding, kept losslessly.
        event_hash: the CBV 2.0 §8.9 content hash (defaults to ``event_id``); an identical event
            captured again has the same hash and is a duplicate.
        kind: ``event``, or ``declaration`` for an event carrying an errorDeclaration, which
            repeats the eventID of the event it corrects (EPCIS 2.0 §7.4.1.2).
        organisation_id: who captured it.
        capture_id: the capture job it came in, if any.
    """

    event_id: str
    event_type: str
    event_time: datetime
    payload: dict[str, Any]
    event_hash: str = ""
    kind: str = "event"
    organisation_id: int | None = None
    capture_id: str | None = None

    def __post_init__(self) -> None:
        """Refuse a naive ``event_time``: EPCIS times always carry an offset (EPCIS 2.0 §7.4.1)."""
        if self.event_time.tzinfo is None:
            raise ValueError(f"event_time {self.event_time.isoformat()} has no timezone offset")
        if not self.event_hash:
            object.__setattr__(self, "event_hash", self.event_id)

    @property
    def keys(self) -> tuple[tuple[str, str], tuple[str, str]]:
        """What must be unique in the ledger: (event_id, kind) and (event_hash, kind)."""
        return (self.event_id, self.kind), (self.event_hash, self.kind)


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

    def leaf(self) -> bytes:
        """The bytes this event contributes to the ledger's Merkle tree (RFC 9162 leaf data).

        Canonical JSON of everything the ledger vouches for: position, identity, kind, content
        hash, record time, who captured it, and a SHA-256 of the stored payload; changing any
        stored column changes the leaf.
        """
        record = self.record
        payload = json.dumps(
            record.payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        fields = {
            "position": self.position,
            "eventID": record.event_id,
            "kind": record.kind,
            "eventHash": record.event_hash,
            "eventType": record.event_type,
            "eventTime": record.event_time.astimezone(UTC).isoformat(),
            "recordTime": self.record_time.astimezone(UTC).isoformat(),
            "organisation": record.organisation_id,
            "captureID": record.capture_id,
            "payloadSha256": hashlib.sha256(payload.encode()).hexdigest(),
        }
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()

    @property
    def leaf_index(self) -> int:
        """Its leaf in the ledger's Merkle tree: positions are gap-free from 1."""
        return self.position - 1

"""Capture: store EPCIS events in the ledger and its projections in one transaction.

Semantics of the EPCIS 2.0 capture interface (EPCIS 2.0 §8.2.2, REST binding ``/capture`` and
``/events``): ``GS1-Capture-Error-Behaviour`` ``rollback`` (default) stores nothing when any event
fails, ``proceed`` stores every event that passes. An event already in the ledger (same eventID,
or same CBV 2.0 §8.9 content hash) is a duplicate and is not stored twice, so a document resent
after a lost response stores nothing new. An event carrying ``errorDeclaration`` repeats the
eventID of the event it corrects (EPCIS 2.0 §7.4.1.2); that event must exist, and stops counting.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from events.domain import EventRecord, StoredEvent
from events.domain.collector import collector_paused
from events.domain.hashing import event_hash
from events.ports import UnitOfWork


class ErrorBehaviour(StrEnum):
    """``GS1-Capture-Error-Behaviour``."""

    ROLLBACK = "rollback"
    PROCEED = "proceed"


@dataclass(frozen=True, slots=True)
class CaptureError:
    """Why one event was not stored; ``index`` is its place in the document."""

    index: int
    event_id: str | None
    kind: str  # "duplicate", "invalid", "unknown-event"
    detail: str


@dataclass(frozen=True, slots=True)
class CaptureOutcome:
    """What a capture stored and what it refused."""

    stored: tuple[StoredEvent, ...]
    errors: tuple[CaptureError, ...]

    @property
    def success(self) -> bool:
        """True when every event was stored."""
        return not self.errors


def prepare(
    event: Mapping[str, Any], organisation_id: int | None, capture_id: str | None
) -> EventRecord:
    """The ledger record of a normalised event; the server fills in a missing eventID.

    Raises:
        ValueError: the event has no usable ``type`` or ``eventTime``.
    """
    payload = dict(event)
    kind = "declaration" if "errorDeclaration" in payload else "event"
    content_hash = event_hash(payload)
    payload.setdefault("eventID", content_hash)  # EPCIS 2.0: the server should populate it
    event_type = payload.get("type")
    if not isinstance(event_type, str):
        raise ValueError("type: expected an EPCIS event type")  # noqa: TRY004  bad input is ValueError
    return EventRecord(
        event_id=str(payload["eventID"]),
        event_type=event_type,
        event_time=_time(payload.get("eventTime")),
        payload=payload,
        event_hash=content_hash,
        kind=kind,
        organisation_id=organisation_id,
        capture_id=capture_id,
    )


def capture(  # noqa: PLR0913  the capture interface's parameters
    uow: UnitOfWork,
    events: Sequence[Mapping[str, Any]],
    *,
    organisation_id: int | None,
    behaviour: ErrorBehaviour = ErrorBehaviour.ROLLBACK,
    capture_id: str | None = None,
    finish: Callable[[UnitOfWork, CaptureOutcome], None] | None = None,
) -> CaptureOutcome:
    """Capture ``events`` in one transaction (committed unless rollback refuses them all).

    ``finish`` runs inside the same transaction with the outcome (a capture job records its
    result there, so a crash cannot separate stored events from their job's report).
    """
    with collector_paused(), uow:  # ~30 objects per event, freed by refcounting alone
        records, errors = _records(events, organisation_id, capture_id)
        errors += _duplicates_and_orphans(uow, records)
        stored: list[StoredEvent] = []
        if not errors or behaviour is ErrorBehaviour.PROCEED:
            refused = {e.index for e in errors}
            stored = uow.ledger.append_many([r for i, r in records if i not in refused])
            uow.projections.apply(stored)
            uow.merkle.append(stored)
        outcome = CaptureOutcome(stored=tuple(stored), errors=tuple(sorted(errors, key=_index)))
        if finish is not None:
            finish(uow, outcome)
        if stored or finish is not None:
            uow.commit()
    return outcome


def _index(error: CaptureError) -> int:
    return error.index


def _records(
    events: Sequence[Mapping[str, Any]], organisation_id: int | None, capture_id: str | None
) -> tuple[list[tuple[int, EventRecord]], list[CaptureError]]:
    records, errors = [], []
    for index, event in enumerate(events):
        try:
            records.append((index, prepare(event, organisation_id, capture_id)))
        except ValueError as exc:
            errors.append(CaptureError(index, _event_id(event), "invalid", str(exc)))
    return records, errors


def _duplicates_and_orphans(
    uow: UnitOfWork, records: list[tuple[int, EventRecord]]
) -> list[CaptureError]:
    errors = []
    duplicates = uow.ledger.duplicates([r for _, r in records])
    for position, event_id in duplicates.items():
        index = records[position][0]
        errors.append(
            CaptureError(index, event_id, "duplicate", f"event {event_id} exists already")
        )
    in_document = {r.event_id for _, r in records if r.kind == "event"}
    for index, record in records:
        known = record.event_id in in_document or uow.ledger.get(record.event_id) is not None
        if record.kind == "declaration" and not known:
            detail = f"errorDeclaration for {record.event_id}: no such event in the ledger"
            errors.append(CaptureError(index, record.event_id, "unknown-event", detail))
    return errors


def _event_id(event: Mapping[str, Any]) -> str | None:
    value = event.get("eventID")
    return value if isinstance(value, str) else None


def _time(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError("eventTime: expected a date-time with a timezone offset")  # noqa: TRY004
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"eventTime: expected an ISO 8601 date-time, got {value!r}") from exc
    if parsed.tzinfo is None:
        raise ValueError(f"eventTime: expected a timezone offset, got {value!r}")
    return parsed

"""The pure event domain: records and errors. Imports only the stdlib and ``identifiers``."""

from events.domain.errors import (
    DuplicateBatchError,
    DuplicateEventError,
    IdempotencyConflictError,
    LedgerError,
    OwnershipError,
)
from events.domain.records import EventRecord, StoredEvent

__all__ = [
    "DuplicateBatchError",
    "DuplicateEventError",
    "EventRecord",
    "IdempotencyConflictError",
    "LedgerError",
    "OwnershipError",
    "StoredEvent",
]

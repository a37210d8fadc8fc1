"""The one error family of the event side (ARCHITECTURE.md R7).

Adapters translate driver errors into these, ``raise … from exc``; ``app.errors`` maps them to
HTTP in one place.
"""

from __future__ import annotations


class LedgerError(Exception):
    """Base class of every error the ledger and its services raise."""


class DuplicateEventError(LedgerError):
    """An event with this eventID is already stored (EPCIS 2.0 §8.2.2: capture is idempotent)."""

    def __init__(self, event_id: str) -> None:
        super().__init__(f"event {event_id!r} is already in the ledger")
        self.event_id = event_id


class OwnershipError(LedgerError):
    """An organisation acts on a code, prefix or name it does not own (or that is taken)."""


class DuplicateBatchError(LedgerError):
    """The organisation already made a batch with this idempotency key."""

    def __init__(self, idempotency_key: str) -> None:
        super().__init__(f"a batch with idempotency key {idempotency_key!r} exists already")
        self.idempotency_key = idempotency_key


class IdempotencyConflictError(LedgerError):
    """An idempotency key was reused for a different request."""

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

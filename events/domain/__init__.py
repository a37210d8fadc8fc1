"""The pure event domain: records and errors. Imports only the stdlib and ``identifiers``."""

from events.domain.errors import DuplicateEventError, LedgerError
from events.domain.records import EventRecord, StoredEvent

__all__ = ["DuplicateEventError", "EventRecord", "LedgerError", "StoredEvent"]

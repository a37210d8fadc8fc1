"""The ports the event services depend on (ARCHITECTURE.md §1, cosmicpython's abstract repository).

Adapters in ``events.adapters`` implement them for memory, SQLite and PostgreSQL, and one
contract suite (``tests/contract``) holds every implementation to the same behaviour.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Protocol, Self

from events.domain import EventRecord, StoredEvent
from events.domain.code_batches import CodeBatch
from events.domain.organisations import Organisation
from identifiers import SerialPolicy


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

    def append_many(self, records: Sequence[EventRecord]) -> list[StoredEvent]:
        """Store events at the next positions, in order; all or none.

        Raises:
            DuplicateEventError: one of them is stored already (or repeated in ``records``).
        """
        ...

    def duplicates(self, records: Sequence[EventRecord]) -> dict[int, str]:
        """Index in ``records`` → eventID it repeats (stored already, or earlier in ``records``)."""
        ...

    def get(self, event_id: str, kind: str = "event") -> StoredEvent | None:
        """The stored event with this id (and kind), or ``None``."""
        ...

    def read(self, *, after: int = 0, limit: int | None = None) -> Iterator[StoredEvent]:
        """Events with ``position > after`` in position order, at most ``limit`` of them."""
        ...

    def last_position(self) -> int:
        """The highest position stored, 0 when the ledger is empty."""
        ...


class Organisations(Protocol):
    """Organisations, what they own, and their API keys."""

    def add(
        self,
        name: str,
        *,
        company_prefixes: Sequence[str] = (),
        glns: Sequence[str] = (),
        handle_prefix: str | None = None,
        serial_policy: SerialPolicy | None = None,
    ) -> Organisation:
        """Register an organisation (with the default serial policy unless one is given).

        Raises:
            OwnershipError: the name, a prefix, a GLN or the Handle prefix is taken already.
        """
        ...

    def by_name(self, name: str) -> Organisation | None:
        """The organisation with this name."""
        ...

    def by_id(self, organisation_id: int) -> Organisation | None:
        """The organisation with this id."""
        ...

    def all(self) -> list[Organisation]:
        """Every organisation, by name."""
        ...

    def company_prefixes(self) -> frozenset[str]:
        """Every GS1 Company Prefix registered on the platform (for EPC URN conversion)."""
        ...

    def add_api_key(self, organisation_id: int, key_hash: str, label: str) -> None:
        """Store the hash of a new API key."""
        ...

    def by_api_key_hash(self, key_hash: str) -> Organisation | None:
        """The organisation holding this (unrevoked) key."""
        ...


class CodeRegistry(Protocol):
    """Batches and every code ever minted; a serial is unique in its ``code_key`` forever."""

    def add_batch(self, batch: CodeBatch) -> None:
        """Store a batch.

        Raises:
            DuplicateBatchError: the organisation used this idempotency key already.
        """
        ...

    def get_batch(self, batch_id: str) -> CodeBatch | None:
        """The batch with this id."""
        ...

    def find_batch(self, organisation_id: int, idempotency_key: str) -> CodeBatch | None:
        """The organisation's batch made with this idempotency key."""
        ...

    def add_codes(
        self, batch_id: str, code_key: str, serials: Sequence[str], first_seq: int
    ) -> int:
        """Store serials numbered from ``first_seq``; return how many were new in ``code_key``.

        Serials already minted in ``code_key`` are skipped (never stored twice).
        """
        ...

    def issued(self, code_key: str) -> int:
        """How many serials were ever minted in ``code_key``."""
        ...

    def serials(self, batch_id: str, *, offset: int = 0, limit: int | None = None) -> Iterator[str]:
        """The batch's serials in minting order."""
        ...

    def allocate_sscc_references(self, company_prefix: str, extension: int, count: int) -> int:
        """Reserve ``count`` consecutive serial references; return the first."""
        ...


class Projections(Protocol):
    """Read models kept in step with the ledger (current item state, links, lineage)."""

    def apply(self, stored: Sequence[StoredEvent]) -> None:
        """Project newly appended events, in position order, in the same transaction."""
        ...

    def rebuild(self, ledger: Ledger, batch: int = 2000) -> int:
        """Clear and replay the whole ledger; return the number of events replayed."""
        ...


class LedgerTree(Protocol):
    """The RFC 9162 Merkle tree whose leaves are the ledger's events, in position order."""

    def append(self, stored: Sequence[StoredEvent]) -> None:
        """Add the leaves of newly appended events."""
        ...

    def size(self) -> int:
        """How many leaves (events) the tree holds."""
        ...

    def root(self, size: int | None = None) -> bytes:
        """The tree head at ``size`` (default: now)."""
        ...

    def inclusion_proof(self, leaf_index: int, size: int) -> list[bytes]:
        """RFC 9162 §2.1.3 audit path of one leaf in the tree of ``size``."""
        ...

    def consistency_proof(self, old_size: int, new_size: int) -> list[bytes]:
        """RFC 9162 §2.1.4 proof that the ``old_size`` tree is a prefix of the newer one."""
        ...

    def leaf_hashes(self, start: int, stop: int) -> list[bytes]:
        """The stored leaf hashes of leaves ``start`` to ``stop - 1`` (for verification)."""
        ...


class UnitOfWork(Protocol):
    """One transaction over every store (cosmicpython's unit of work)."""

    @property
    def ledger(self) -> Ledger:
        """The event ledger, in this transaction."""
        ...

    @property
    def organisations(self) -> Organisations:
        """Organisations, in this transaction."""
        ...

    @property
    def codes(self) -> CodeRegistry:
        """Batches and minted codes, in this transaction."""
        ...

    @property
    def projections(self) -> Projections:
        """Current state, links and lineage, in this transaction."""
        ...

    @property
    def merkle(self) -> LedgerTree:
        """The ledger's Merkle tree, in this transaction."""
        ...

    def __enter__(self) -> Self:
        """Begin."""
        ...

    def __exit__(self, *exc: object) -> None:
        """Roll back whatever was not committed."""
        ...

    def commit(self) -> None:
        """Make the work durable."""
        ...


# The trace engine's read port lives with its link types (``events.trace`` may not import this
# module: the two are independent layers in setup.cfg).
from events.lineage import LineageStore  # noqa: E402, F401  re-exported

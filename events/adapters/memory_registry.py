"""In-memory organisations, code registry and unit of work: the contract suite's reference."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Self

from events.adapters.memory import MemoryLedger
from events.domain import DuplicateBatchError, OwnershipError
from events.domain.code_batches import CodeBatch
from events.domain.merkle import MemoryNodeStore, MerkleLog, leaf_hash
from events.domain.organisations import Organisation
from events.domain.records import StoredEvent
from events.domain.state import ItemState, evolve
from events.ports import Ledger
from identifiers import SerialPolicy


class MemoryOrganisations:
    """Organisations in dicts."""

    def __init__(self) -> None:
        self._by_id: dict[int, Organisation] = {}
        self._keys: dict[str, int] = {}
        self._ids = itertools.count(1)

    def add(
        self,
        name: str,
        *,
        company_prefixes: Sequence[str] = (),
        glns: Sequence[str] = (),
        handle_prefix: str | None = None,
        serial_policy: SerialPolicy | None = None,
    ) -> Organisation:
        """Register an organisation; names, prefixes, GLNs and Handle prefixes are exclusive."""
        for other in self._by_id.values():
            handles = {other.handle_prefix} & {handle_prefix} if handle_prefix else set()
            taken = (
                {other.name} & {name}
                or set(other.company_prefixes) & set(company_prefixes)
                or set(other.glns) & set(glns)
                or {h for h in handles if h}
            )
            if taken:
                raise OwnershipError(f"{min(taken)} is registered to {other.name!r} already")
        organisation = Organisation(
            id=next(self._ids),
            name=name,
            company_prefixes=tuple(company_prefixes),
            glns=tuple(glns),
            handle_prefix=handle_prefix,
            serial_policy=serial_policy or SerialPolicy(),
        )
        self._by_id[organisation.id] = organisation
        return organisation

    def by_name(self, name: str) -> Organisation | None:
        """The organisation with this name."""
        return next((o for o in self._by_id.values() if o.name == name), None)

    def by_id(self, organisation_id: int) -> Organisation | None:
        """The organisation with this id."""
        return self._by_id.get(organisation_id)

    def all(self) -> list[Organisation]:
        """Every organisation, by name."""
        return sorted(self._by_id.values(), key=lambda o: o.name)

    def company_prefixes(self) -> frozenset[str]:
        """Every registered company prefix."""
        return frozenset(p for o in self._by_id.values() for p in o.company_prefixes)

    def add_api_key(self, organisation_id: int, key_hash: str, label: str) -> None:
        """Remember the key's hash."""
        del label
        self._keys[key_hash] = organisation_id

    def by_api_key_hash(self, key_hash: str) -> Organisation | None:
        """The key's organisation."""
        organisation_id = self._keys.get(key_hash)
        return None if organisation_id is None else self._by_id[organisation_id]


class MemoryCodeRegistry:
    """Batches and minted codes in dicts."""

    def __init__(self) -> None:
        self._batches: dict[str, CodeBatch] = {}
        self._codes: dict[str, dict[str, tuple[str, int]]] = {}
        self._sscc: dict[tuple[str, int], int] = {}

    def add_batch(self, batch: CodeBatch) -> None:
        """Store a batch; an idempotency key is used once per organisation."""
        if batch.idempotency_key is not None and self.find_batch(
            batch.organisation_id, batch.idempotency_key
        ):
            raise DuplicateBatchError(batch.idempotency_key)
        self._batches[batch.id] = batch

    def get_batch(self, batch_id: str) -> CodeBatch | None:
        """The batch with this id."""
        return self._batches.get(batch_id)

    def find_batch(self, organisation_id: int, idempotency_key: str) -> CodeBatch | None:
        """The organisation's batch with this idempotency key."""
        return next(
            (
                b
                for b in self._batches.values()
                if b.organisation_id == organisation_id and b.idempotency_key == idempotency_key
            ),
            None,
        )

    def add_codes(
        self, batch_id: str, code_key: str, serials: Sequence[str], first_seq: int
    ) -> int:
        """Store the serials not yet minted in ``code_key``."""
        space = self._codes.setdefault(code_key, {})
        added = 0
        for seq, serial in enumerate(serials, first_seq):
            if serial not in space:
                space[serial] = (batch_id, seq)
                added += 1
        return added

    def issued(self, code_key: str) -> int:
        """How many serials ``code_key`` has."""
        return len(self._codes.get(code_key, {}))

    def serials(self, batch_id: str, *, offset: int = 0, limit: int | None = None) -> Iterator[str]:
        """The batch's serials in minting order."""
        rows = sorted(
            (seq, serial)
            for space in self._codes.values()
            for serial, (owner, seq) in space.items()
            if owner == batch_id
        )
        return itertools.islice(
            (serial for _, serial in rows), offset, None if limit is None else offset + limit
        )

    def allocate_sscc_references(self, company_prefix: str, extension: int, count: int) -> int:
        """Reserve consecutive references from the counter."""
        first = self._sscc.get((company_prefix, extension), 0)
        self._sscc[(company_prefix, extension)] = first + count
        return first


class MemoryProjections:
    """Projections as a replay of the pure fold over every non-erroneous event (a fake)."""

    def __init__(self) -> None:
        self._events: list[StoredEvent] = []

    def apply(self, stored: Sequence[StoredEvent]) -> None:
        """Remember the events; states are computed on demand."""
        self._events.extend(stored)

    def rebuild(self, ledger: Ledger, batch: int = 2000) -> int:
        """Forget and re-read the ledger."""
        del batch
        self._events = list(ledger.read())
        return len(self._events)

    def all_states(self) -> list[ItemState]:
        """Every item's state, by item."""
        erroneous = {e.event_id for e in self._events if e.record.kind == "declaration"}
        states: dict[str, ItemState] = {}
        for event in self._events:
            if event.record.kind == "event" and event.event_id not in erroneous:
                evolve(states, event.record.payload, event.position)
        return [states[item] for item in sorted(states)]


class MemoryLedgerTree:
    """The Merkle tree over a memory node store."""

    def __init__(self) -> None:
        self._store = MemoryNodeStore()
        self._log = MerkleLog(self._store)

    def append(self, stored: Sequence[StoredEvent]) -> None:
        """Add the events' leaves."""
        self._log.append([leaf_hash(s.leaf()) for s in stored])

    def size(self) -> int:
        """How many leaves."""
        return self._log.size

    def root(self, size: int | None = None) -> bytes:
        """The tree head at ``size`` (default: now)."""
        return self._log.root(self._log.size if size is None else size)

    def inclusion_proof(self, leaf_index: int, size: int) -> list[bytes]:
        """RFC 9162 §2.1.3 audit path."""
        return self._log.inclusion_proof(leaf_index, size)

    def consistency_proof(self, old_size: int, new_size: int) -> list[bytes]:
        """RFC 9162 §2.1.4 consistency proof."""
        return self._log.consistency_proof(old_size, new_size)

    def leaf_hashes(self, start: int, stop: int) -> list[bytes]:
        """Stored leaf hashes ``start`` to ``stop - 1``."""
        found = self._store.get_many([(0, i) for i in range(start, stop)])
        return [h for h in found if h is not None]


@dataclass
class MemoryUnitOfWork:
    """All memory stores; commit is a no-op, rollback is not supported (tests only)."""

    ledger: MemoryLedger = field(default_factory=MemoryLedger)
    organisations: MemoryOrganisations = field(default_factory=MemoryOrganisations)
    codes: MemoryCodeRegistry = field(default_factory=MemoryCodeRegistry)
    projections: MemoryProjections = field(default_factory=MemoryProjections)
    merkle: MemoryLedgerTree = field(default_factory=MemoryLedgerTree)
    committed: int = 0

    def __enter__(self) -> Self:
        """Begin."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Nothing to roll back in memory."""

    def commit(self) -> None:
        """Count commits, so tests can see one happened."""
        self.committed += 1

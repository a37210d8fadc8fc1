"""In-memory organisations, code registry and unit of work: the contract suite's reference."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Self

from events.adapters.memory import MemoryLedger
from events.domain import DuplicateBatchError, OwnershipError
from events.domain.code_batches import CodeBatch
from events.domain.organisations import Organisation


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


@dataclass
class MemoryUnitOfWork:
    """All memory stores; commit is a no-op, rollback is not supported (tests only)."""

    ledger: MemoryLedger = field(default_factory=MemoryLedger)
    organisations: MemoryOrganisations = field(default_factory=MemoryOrganisations)
    codes: MemoryCodeRegistry = field(default_factory=MemoryCodeRegistry)
    committed: int = 0

    def __enter__(self) -> Self:
        """Begin."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Nothing to roll back in memory."""

    def commit(self) -> None:
        """Count commits, so tests can see one happened."""
        self.committed += 1

"""Store master data captured in document headers (EPCIS 2.0 §7.2; the header carries it, §9.3).

Master data is not the ledger: an element captured again replaces the earlier one of the same
organisation. It is stored in its own transaction before the document's events are queued, so
names are known by the time the events are shown.

Queries use it too: ``resolve_query`` turns the master-data parameters of a query
(``WD_readPoint``/``WD_bizLocation``, ``HASATTR_…``, ``EQ_ATTR_…``; see ``events.query.params``)
into plain ``EQ_`` sets of location ids, read from the querying organisation's own master data
(no other organisation's master data is visible, as for events), with the element predicates of
the reference oracle (``events.query.oracle``). Each set holds at most ``MAX_RESOLVED``
locations; more is ``QueryTooComplexError``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any, Final, Protocol

from events.domain.master_data import VocabularyElement
from events.ports import Clock, UnitOfWork
from events.query.oracle import attribute_equals, has_attribute
from events.query.params import (
    LOCATION_TYPES,
    Condition,
    QueryParams,
    QueryTooComplexError,
    attribute_spellings,
)

MAX_RESOLVED: Final = 10_000  # locations in one resolved WD_/HASATTR_/EQ_ATTR_ set
_MASTER_DATA_OPS: Final = frozenset({"WD", "HASATTR", "EQATTR"})


class MasterDataUnitOfWork(UnitOfWork, Protocol):
    """A unit of work that also stores master data."""

    @property
    def master_data(self) -> Any:  # noqa: ANN401  SqlMasterData (adapters are not imported here)
        """The master data store."""
        ...


def store_master_data(
    uow: MasterDataUnitOfWork,
    organisation_id: int,
    elements: Sequence[Mapping[str, Any]],
    clock: Clock,
) -> int:
    """Store the codec's vocabulary elements for ``organisation_id``; return how many."""
    if not elements:
        return 0
    parsed = [VocabularyElement.from_codec(e) for e in elements]
    with uow:
        count: int = uow.master_data.store(organisation_id, parsed, clock.now())
        uow.commit()
    return count


def name_nodes(
    master_data: Any,  # noqa: ANN401  SqlMasterData (adapters are not imported here)
    organisation_id: int | None,
    body: dict[str, Any],
) -> dict[str, Any]:
    """Fill the ``name`` of each node of a trace (``Trace.to_json()``) from master data.

    ``organisation_id`` None (an operator's CLI) uses any organisation's master data.
    """
    nodes = body.get("nodes") or []
    found = master_data.lookup(organisation_id, [node["id"] for node in nodes])
    for node in nodes:
        element = found.get(node["id"])
        if node.get("name") is None and element is not None:
            node["name"] = element.name
    return body


class LocationStore(Protocol):
    """What resolving a query reads from the master data store (``SqlMasterData``)."""

    def elements(
        self, organisation_id: int, element_ids: Collection[str], vocabulary_types: Sequence[str]
    ) -> list[VocabularyElement]:
        """The organisation's elements of these types with these canonical ids."""
        ...

    def with_attributes(
        self, organisation_id: int, names: Collection[str], vocabulary_types: Sequence[str]
    ) -> Iterable[VocabularyElement]:
        """The organisation's elements of these types with a non-null attribute keyed by a name.

        ``names`` are stored keys as written (``attribute_spellings``); more elements may come
        back (the caller checks), never fewer.
        """
        ...


def resolve_query(store: LocationStore, organisation_id: int, params: QueryParams) -> QueryParams:
    """``params`` with each master-data condition replaced by an ``EQ_`` set of location ids.

    ``WD_``: the given locations and all their descendants; ``HASATTR_``/``EQ_ATTR_``: the
    locations whose master data satisfies the condition (possibly none: no event matches).

    Raises:
        QueryTooComplexError: a set would hold more than ``MAX_RESOLVED`` locations.
    """
    if not any(c.op in _MASTER_DATA_OPS for c in params.conditions):
        return params
    resolved = tuple(_resolve(store, organisation_id, c) for c in params.conditions)
    return replace(params, conditions=resolved)


def _resolve(store: LocationStore, organisation_id: int, condition: Condition) -> Condition:
    if condition.op == "WD":
        found = _descendants(store, organisation_id, condition)
    elif condition.op == "HASATTR":
        names = condition.members
        spellings = {s for name in names for s in attribute_spellings(name)}
        found = _having(
            store.with_attributes(organisation_id, spellings, LOCATION_TYPES),
            lambda e: has_attribute(e, names),
            condition,
        )
    elif condition.op == "EQATTR":
        spellings = set(attribute_spellings(condition.key))
        found = _having(
            store.with_attributes(organisation_id, spellings, LOCATION_TYPES),
            lambda e: attribute_equals(e, condition.key, condition.members),
            condition,
        )
    else:
        return condition
    return Condition(condition.name, "EQ", condition.field, tuple(sorted(found)))


def _descendants(store: LocationStore, organisation_id: int, condition: Condition) -> set[str]:
    """The given locations and everything reachable through ``children``, breadth first."""
    found = set(condition.values)
    frontier = set(found)
    while frontier:
        elements = store.elements(organisation_id, frontier, LOCATION_TYPES)
        frontier = {child for e in elements for child in e.children} - found
        found |= frontier  # only new ids go on: a cycle ends the walk
        if len(found) > MAX_RESOLVED:
            raise _too_many(condition)
    return found


def _having(
    elements: Iterable[VocabularyElement],
    predicate: Callable[[VocabularyElement], bool],
    condition: Condition,
) -> set[str]:
    found: set[str] = set()
    try:
        for element in elements:
            if predicate(element):
                found.add(element.element_id)
                if len(found) > MAX_RESOLVED:
                    raise _too_many(condition)
    finally:
        close = getattr(elements, "close", None)  # a generator over a server-side cursor
        if close is not None:
            close()
    return found


def _too_many(condition: Condition) -> QueryTooComplexError:
    return QueryTooComplexError(
        f"{condition.name}: more than {MAX_RESOLVED} locations match in master data"
    )

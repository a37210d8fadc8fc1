"""Store master data captured in document headers (EPCIS 2.0 §7.2; the header carries it, §9.3).

Master data is not the ledger: an element captured again replaces the earlier one of the same
organisation. It is stored in its own transaction before the document's events are queued, so
names are known by the time the events are shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from events.domain.master_data import VocabularyElement
from events.ports import Clock, UnitOfWork


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

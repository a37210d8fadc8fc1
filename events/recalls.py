"""Recall workflow (召回): scope from the trace engine, holds through capture, holder progress.

Opening a case traces forward from each bad code (with ``include_siblings``, backward first to
the raw inputs, then forward from those too: every sibling lot that shares an input), holds every
affected item and lot with standard EPCIS ObjectEvents captured through ``events.capture`` in
the caller's organisation (so they are in the ledger and ``item_state``), and stores the case
with a snapshot of its scope, in the same transaction as the hold events.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import Any, Protocol

from events.capture import CaptureOutcome, capture
from events.domain.links import canonical_id
from events.domain.recalls import (
    CLOSED,
    RecallCase,
    RecallClosedError,
    RecallError,
    hold_events,
    holder_progress,
    new_case_id,
)
from events.domain.recalls import confirm as confirm_holder
from events.lineage import LineageStore
from events.ports import Clock, UnitOfWork
from events.trace import MAX_DEPTH, MAX_NODES, Trace, trace
from events.trace_summary import GOODS, holders_now, quantities

__all__ = ["RecallUnitOfWork", "build_scope", "close_recall", "confirm", "open_recall"]

_KEPT_RELATIONS = frozenset({"input", "child"})


class RecallUnitOfWork(UnitOfWork, Protocol):
    """A unit of work with the lineage reads and the recall store."""

    @property
    def lineage(self) -> Any:  # noqa: ANN401  SqlLineage (adapters are not imported here)
        """The lineage store (``scoped(organisation_id)`` gives a ``LineageStore``)."""
        ...

    @property
    def recalls(self) -> Any:  # noqa: ANN401  SqlRecalls
        """The recall case store."""
        ...


def build_scope(
    store: LineageStore,
    codes: Sequence[str],
    *,
    include_siblings: bool = False,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
) -> dict[str, Any]:
    """The scope snapshot of a recall. Raises ``events.trace.UnknownCodeError``."""
    roots = [canonical_id(c.strip()) for c in codes]
    siblings_from: list[str] = []
    if include_siblings:
        for code in list(roots):
            back = trace(store, code, "backward", max_depth=max_depth, max_nodes=max_nodes)
            siblings_from += [s["id"] for s in back.summary.get("sources", ())]
    starts = list(dict.fromkeys(roots + siblings_from))
    traces = [trace(store, r, "forward", max_depth=max_depth, max_nodes=max_nodes) for r in starts]
    goods: dict[str, str] = {}
    containers: set[str] = set()
    for result in traces:
        for node in result.nodes:
            if node.kind in ("item", "class") and GOODS & set(node.roles):
                goods[node.id] = node.kind
            elif node.kind == "container":
                containers.add(node.id)
    edges, used = _edges_and_use(traces)
    return {
        "codes": roots,
        "siblings_from": sorted(set(siblings_from) - set(roots)),
        "items": sorted(n for n, k in goods.items() if k == "item"),
        "classes": [
            {"id": n, "used": quantities(used.get(n, {}))}
            for n in sorted(n for n, k in goods.items() if k == "class")
        ],
        "containers": sorted(containers),
        "products": _products(traces),
        "holders": holders_now(store, dict(sorted(goods.items())), used),
        "shipments": _shipments(traces),
        "edges": edges,
        "truncated": any(t.truncated for t in traces),
    }


def _edges_and_use(
    traces: Sequence[Trace],
) -> tuple[list[dict[str, Any]], dict[str, dict[str | None, float]]]:
    edges: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for result in traces:
        for edge in result.edges:
            if edge.relation in _KEPT_RELATIONS:
                key = (edge.src, edge.dst, edge.relation, edge.event_id)
                edges[key] = {
                    "src": edge.src,
                    "dst": edge.dst,
                    "relation": edge.relation,
                    "event_id": edge.event_id,
                    "event_time": edge.event_time,
                    "quantity": edge.quantity,
                    "uom": edge.uom,
                    "until_time": edge.until_time,
                }
    used: dict[str, dict[str | None, float]] = defaultdict(lambda: defaultdict(float))
    for src, _event, uom, quantity in {
        (e["src"], e["event_id"], e["uom"], e["quantity"])
        for e in edges.values()
        if e["relation"] == "input" and e["quantity"] is not None
    }:
        used[src][uom] += quantity
    return [edges[k] for k in sorted(edges)], used


def _products(traces: Sequence[Trace]) -> list[dict[str, Any]]:
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for result in traces:
        for product in result.summary.get("products", ()):
            key = (product.get("gtin") or "", product.get("lot") or "")
            line = merged.setdefault(
                key, {"gtin": product.get("gtin"), "lot": product.get("lot"), "items": 0}
            )
            line["items"] = max(line["items"], int(product.get("items") or 0))
            line.setdefault("classes", set()).update(c["id"] for c in product.get("classes", ()))
    return [{**v, "classes": sorted(v["classes"])} for _k, v in sorted(merged.items())]


def _shipments(traces: Sequence[Trace]) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for result in traces:
        for shipment in result.summary.get("shipments", ()):
            entry = found.setdefault(shipment["event_id"], {**shipment, "objects": []})
            entry["objects"] = sorted(set(entry["objects"]) | set(shipment["objects"]))
    return sorted(found.values(), key=lambda e: (str(e["event_time"]), e["event_id"]))


def open_recall(  # noqa: PLR0913  the recall request's parameters
    uow: RecallUnitOfWork,
    organisation_id: int,
    codes: Collection[str],
    reason: str,
    *,
    clock: Clock,
    include_siblings: bool = False,
) -> RecallCase:
    """Open a case: scope, hold events and the stored case (one transaction for the last two)."""
    with uow:
        store = uow.lineage.scoped(organisation_id)
        scope = build_scope(store, list(codes), include_siblings=include_siblings)
    classes = [c["id"] for c in scope["classes"]]
    if not scope["items"] and not classes:
        raise RecallError("nothing to hold: the codes reach no item or lot")
    now = clock.now()
    case_id = new_case_id()
    events = hold_events(scope["items"], classes, now, case_id)
    case = RecallCase(
        id=case_id,
        organisation_id=organisation_id,
        reason=reason,
        codes=tuple(scope["codes"]),
        include_siblings=include_siblings,
        created_at=now,
        scope=scope,
        hold_event_ids=tuple(e["eventID"] for e in events),
        holders=tuple(holder_progress(scope["holders"])),
    )

    def store_case(inner: UnitOfWork, outcome: CaptureOutcome) -> None:
        if outcome.success:
            inner.recalls.add(case)  # type: ignore[attr-defined]  # a RecallUnitOfWork

    outcome = capture(uow, events, organisation_id=organisation_id, finish=store_case)
    if not outcome.success:
        raise RecallError("; ".join(e.detail for e in outcome.errors))
    return case


def get_recall(uow: RecallUnitOfWork, organisation_id: int, case_id: str) -> RecallCase | None:
    """The organisation's case, or None (another organisation's case is not found either)."""
    with uow:
        found: RecallCase | None = uow.recalls.get(organisation_id, case_id)
    return found


def confirm(  # noqa: PLR0913, PLR0917  the confirmation's fields
    uow: RecallUnitOfWork,
    organisation_id: int,
    case_id: str,
    holder: str,
    returned: float,
    destroyed: float,
    *,
    clock: Clock,
) -> RecallCase | None:
    """Record a holder's totals returned and destroyed; None when there is no such case."""
    with uow:
        case: RecallCase | None = uow.recalls.get(organisation_id, case_id)
        if case is None:
            return None
        progress = confirm_holder(case, holder, returned, destroyed, clock.now())
        uow.recalls.record_confirmation(case_id, progress)
        uow.commit()
        updated: RecallCase | None = uow.recalls.get(organisation_id, case_id)
    return updated


def close_recall(
    uow: RecallUnitOfWork, organisation_id: int, case_id: str, *, clock: Clock
) -> RecallCase | None:
    """Close the case (the holds stay: recalled goods remain recalled); None when unknown."""
    with uow:
        case: RecallCase | None = uow.recalls.get(organisation_id, case_id)
        if case is None:
            return None
        if case.status == CLOSED:
            raise RecallClosedError(f"recall {case_id} is closed already")
        uow.recalls.close(case_id, clock.now())
        uow.commit()
        updated: RecallCase | None = uow.recalls.get(organisation_id, case_id)
    return updated

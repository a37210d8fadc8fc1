"""The summaries of a trace: affected products and lots, holders now, shipments, sources, tests.

References:
    CBV 2.0 §7.1 bizStep (``inspecting``, ``shipping``), §7.2 disposition; EPCIS 2.0 §7.3.6
    ILMD (``lotNumber``), §7.3.8 sensorElementList; §7.3.5.4 source/destination.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Mapping
from functools import lru_cache
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Final

from events.domain.state import Holding
from events.lineage import Happening, LineageStore, Link

if TYPE_CHECKING:
    from events.trace import TraceNode

GTIN: Final = re.compile(r"/01/(\d{14})")
LOT: Final = re.compile(r"/10/([^/?]+)")
GOODS: Final = frozenset({"self", "origin", "derived"})
_MAX_PARENTS: Final = 50
_LOCATED: Final = frozenset({"biz_location", "read_point"})  # else source:… / destination:…
# an event of a trace: itself, its (relation, place) pairs, the traced objects it names
Named = tuple[Happening, list[tuple[str, str]], list[str]]


def term(value: object) -> str:
    """The CBV term of a vocabulary value in any spelling (bare, URN, GS1 Web URI)."""
    return _term(value) if isinstance(value, str) else ""


@lru_cache(maxsize=4096)
def _term(value: str) -> str:
    # a trace asks for the same few bizSteps and types ~10^5 times
    return re.split(r"[:/-]", value)[-1]


def summarise(  # noqa: PLR0913, PLR0917  the trace's parts, each computed once
    store: LineageStore,
    direction: str,
    nodes: Collection[TraceNode],
    followed: Collection[Link],
    kept: Mapping[str, list[Happening]],
    named: Mapping[int, Named],
) -> dict[str, Any]:
    """Products, containers, inspections; forward holders and shipments; backward sources.

    ``kept``: each node's events in the trace; ``named``: each of those events once, by
    position, with its ``(relation, place)`` pairs and the traced objects it names (the trace's
    timeline, ``events.trace.TraceEvent``).
    """
    goods = [n for n in nodes if n.kind in ("item", "class") and GOODS & set(n.roles)]
    used: dict[str, dict[str | None, float]] = defaultdict(lambda: defaultdict(float))
    # An input's quantity is per event (evolve repeats it on each input x output edge).
    for src, _event, uom, quantity in {
        (k.src, k.event_id, k.uom, k.quantity) for k in followed if k.relation == "input"
    }:
        if quantity is not None:
            used[src][uom] += quantity
    summary: dict[str, Any] = {
        "products": _products(goods, kept, used),
        "containers": sorted(n.id for n in nodes if n.kind == "container"),
        "inspections": _inspections(named, {n.id for n in goods}),
    }
    if direction == "forward":
        summary["holders"] = _holders(store, goods, used)
        summary["shipments"] = _shipments(named)
    else:
        fed = _has_inputs(followed)
        origins = [n for n in goods if "origin" in n.roles and n.id not in fed]
        summary["sources"] = [_source(n, kept, named) for n in origins]
    return summary


def _has_inputs(followed: Collection[Link]) -> set[str]:
    return {link.dst for link in followed if link.relation == "input"}


def _lot(node: str, happenings: list[Happening], by_event: dict[int, str | None]) -> str | None:
    """The lot in the code (``/10/``) or in the ILMD of one of its events (each read once)."""
    found = LOT.search(node)
    if found:
        return found.group(1)
    for happening in happenings:
        position = happening.position
        if position not in by_event:  # a 10,000-bottle recall: ~420 events commission them all
            by_event[position] = ilmd_lot(happening.payload)
        if by_event[position] is not None:
            return by_event[position]
    return None


def ilmd_lot(payload: Mapping[str, Any]) -> str | None:
    """The ``lotNumber`` of an event's ILMD (EPCIS 2.0 §7.3.6), in any namespace, or None."""
    ilmd = payload.get("ilmd")
    if isinstance(ilmd, Mapping):
        for key, value in ilmd.items():
            if key.rsplit(":", 1)[-1] == "lotNumber" and isinstance(value, str):
                return value
    return None


def quantities(amounts: Mapping[str | None, float]) -> list[dict[str, Any]]:
    """Quantities by unit of measure, in a stable order."""
    return [{"quantity": q, "uom": u} for u, q in sorted(amounts.items(), key=lambda x: x[0] or "")]


def _products(
    goods: list[TraceNode],
    kept: Mapping[str, list[Happening]],
    used: Mapping[str, Mapping[str | None, float]],
) -> list[dict[str, Any]]:
    groups: dict[tuple[str | None, str | None], dict[str, Any]] = {}
    lots: dict[int, str | None] = {}
    for node in goods:
        gtin = GTIN.search(node.id)
        key = (gtin.group(1) if gtin else None, _lot(node.id, kept.get(node.id, []), lots))
        group = groups.get(key)
        if group is None:
            group = groups[key] = {
                "gtin": key[0],
                "lot": key[1],
                "items": 0,
                "classes": [],
                "others": [],
            }
        if node.kind == "class":
            group["classes"].append({"id": node.id, "used": quantities(used.get(node.id, {}))})
        elif gtin:
            group["items"] += 1
        else:
            group["others"].append(node.id)
    return [groups[k] for k in sorted(groups, key=lambda k: (k[0] or "", k[1] or ""))]


def _inspections(named: Mapping[int, Named], goods: Collection[str]) -> list[dict[str, Any]]:
    """The inspecting events of the goods: disposition, ILMD, sensor data, the goods inspected."""
    found = []
    for happening, _places, objects in named.values():
        payload = happening.payload
        if term(payload.get("bizStep")) != "inspecting":
            continue
        inspected = [o for o in objects if o in goods]
        if inspected:
            found.append(
                {
                    "event_id": happening.event_id,
                    "event_time": payload.get("eventTime"),
                    "disposition": term(payload.get("disposition")) or None,
                    "ilmd": payload.get("ilmd"),
                    "sensors": payload.get("sensorElementList"),
                    "objects": sorted(inspected),
                }
            )
    return sorted(found, key=lambda e: (str(e["event_time"]), e["event_id"]))


def _shipments(named: Mapping[int, Named]) -> list[dict[str, Any]]:
    """The shipping events of the trace, with their destinations and the traced objects named."""
    found = [
        {
            "event_id": happening.event_id,
            "event_time": happening.payload.get("eventTime"),
            "destinations": happening.payload.get("destinationList") or [],
            "objects": sorted(objects),
        }
        for happening, _places, objects in named.values()
        if term(happening.payload.get("bizStep")) == "shipping"
    ]
    return sorted(found, key=lambda e: (str(e["event_time"]), e["event_id"]))


def _holders(
    store: LineageStore,
    goods: list[TraceNode],
    used: Mapping[str, Mapping[str | None, float]],
) -> list[dict[str, Any]]:
    return holders_now(store, {n.id: n.kind for n in goods}, used)


def holders_now(
    store: LineageStore,
    goods: Mapping[str, str],
    used: Mapping[str, Mapping[str | None, float]],
) -> list[dict[str, Any]]:
    """Who holds each affected object now: the newest holder along its current parents.

    ``goods`` maps each object's id to its node kind (``class`` objects are listed with the
    quantities ``used`` of them, others counted); the result is grouped by holder and location.
    """
    holdings = store.holdings(list(goods))
    for _ in range(_MAX_PARENTS):
        parents = {h.parent for h in holdings.values() if h.parent and h.parent not in holdings}
        if not parents:
            break
        holdings.update(store.holdings(parents))
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    # per parent: the newest holding with a holder and with a place along its own chain (a
    # recall's 10,000 bottles share a few hundred cases, and those a few pallets)
    above: dict[str, tuple[Holding | None, Holding | None]] = {}
    for node, kind in goods.items():
        item = holdings.get(node)
        held = located = None
        if item is not None:
            if item.parent:
                found = above.get(item.parent)
                if found is None:
                    found = above[item.parent] = _newest(_chain(holdings, item.parent))
                held, located = found
            # the object's own holding first: on a tie in position it is the one taken
            if item.holder and (held is None or item.last_position >= held.last_position):
                held = item
            if item.biz_location and (
                located is None or item.last_position >= located.last_position
            ):
                located = item
        holder = held.holder if held else None
        place = located.biz_location if located else None
        group = groups.setdefault(
            (holder or "", place or ""),
            {"holder": holder, "biz_location": place, "items": 0, "classes": []},
        )
        if kind == "class":
            group["classes"].append({"id": node, "used": quantities(used.get(node, {}))})
        else:
            group["items"] += 1
    return [groups[k] for k in sorted(groups)]


def _chain(holdings: Mapping[str, Holding], parent: str) -> list[Holding]:
    """``parent``'s holding and its own parents', in order.

    The rest of an object's chain of ``_MAX_PARENTS`` holdings (its own is the first).
    """
    chain: list[Holding] = []
    item = holdings.get(parent)
    while item is not None and len(chain) < _MAX_PARENTS - 1:
        chain.append(item)
        item = holdings.get(item.parent) if item.parent else None
    return chain


def _newest(chain: list[Holding]) -> tuple[Holding | None, Holding | None]:
    """The holdings with the newest last event among those with a holder and with a place.

    The first of equals, in chain order, as ``max`` gives it.
    """
    held = [s for s in chain if s.holder]
    located = [s for s in chain if s.biz_location]
    return (
        max(held, key=_LAST) if held else None,
        max(located, key=_LAST) if located else None,
    )


_LAST: Final = attrgetter("last_position")


def _source(
    node: TraceNode,
    kept: Mapping[str, list[Happening]],
    named: Mapping[int, Named],
) -> dict[str, Any]:
    """Where a source was (bizLocation, readPoint) and whom it came from or went to."""
    places: set[str] = set()
    parties: set[str] = set()
    for happening in kept.get(node.id, ()):
        for relation, place in named[happening.position][1]:
            (places if relation in _LOCATED else parties).add(place)
    return {
        "id": node.id,
        "kind": node.kind,
        "locations": sorted(places),
        "parties": sorted(parties),
    }

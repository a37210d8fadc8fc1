"""Forward and backward trace over a ``LineageStore`` (bounded, time-aware breadth-first walk).

Backward (逆向回推) from any code: the inputs of every TransformationEvent that produced it,
recursively (EPCIS 2.0 §7.4.5; instance and class level, with the quantities used), the
containers that carried it and when (AggregationEvent ADD…DELETE, §7.4.3, see
``events.lineage``), the contents of a traced container, and the locations and parties of their
events (``bizLocation``/``readPoint`` §7.3.4, ``sourceList``/``destinationList`` §7.3.5.4) and
inspections (CBV 2.0 bizStep ``inspecting`` with disposition, ILMD §7.3.6, sensor data §7.3.8).
The transformations that consumed an object are in a backward answer only when the walk came
through them: its other uses are where it went (forward), not where it came from, and a lot
shared by hundreds of production runs would otherwise bring all of them into every answer.

Forward (顺向追踪): every output derived from it through transformations, the containers that
carried affected goods *while they carried them* (other contents of a container are not
affected), every shipment (bizStep ``shipping``) and who holds the affected goods now.

Each walk state is ``(object, role, span)``: role ``self`` (the code and its contents),
``origin``/``derived`` (reached through transformations: affected for all time), ``carrier``
(a container, affected only during ``span``, a half-open range of ledger positions) or, backward
only, ``associate`` (the parent of an AssociationEvent, EPCIS 2.0 §7.4.6, during ``span``: like a
carrier, and its own inputs are followed as origins, so a weighbridge ticket associated with a
delivery note leads to the lots the note's load was made from; code-to-code association, 码码关联).
A state already covered is not walked again, so cycles end; depth and node bounds stop deep
chains and set ``truncated``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, Final, Literal, NamedTuple

from events.domain.collector import collector_paused
from events.domain.links import canonical_id
from events.lineage import CONTAINMENT, Happening, LineageStore, Link
from events.trace_summary import GTIN, Named, summarise, term

Direction = Literal["forward", "backward"]
Span = tuple[int, int]
FOREVER: Final = 2**62
ALWAYS: Final[Span] = (0, FOREVER)
MAX_DEPTH: Final = 200
MAX_NODES: Final = 100_000
_TRACED: Final = {"forward": "derived", "backward": "origin"}


class UnknownCodeError(LookupError):
    """No non-erroneous event in the ledger names the code."""


class TraceEdge(NamedTuple):
    """A lineage edge of the trace graph (``input``, ``child``, ``associated``), made by one event.

    A named tuple, not a dataclass: a 10,000-item recall makes ~22,000 of them, and a tuple is
    built, hashed and sorted in C (a frozen dataclass took ~0.1 s for 80,000).
    """

    src: str
    dst: str
    relation: str
    event_id: str
    event_time: str
    quantity: float | None = None
    uom: str | None = None
    until_time: str | None = None


class TraceEvent(NamedTuple):
    """One event naming traced objects: when, what step, where, and which of them it names.

    The places (``bizLocation``/``readPoint`` EPCIS 2.0 §7.3.4, ``sourceList``/``destinationList``
    §7.3.5.4) are given once per event, not as an edge per object: an event commissioning 24
    bottles at one plant is one entry naming 24 objects (a 10,000-bottle recall had 51,000
    location edges to two places, 18 of its 28 MB of JSON).
    """

    event_id: str
    event_time: str
    type: str
    biz_step: str | None
    places: tuple[tuple[str, str], ...]  # (relation, place id): see ``_where``
    objects: tuple[str, ...]  # the traced objects it names, sorted


class TraceNode(NamedTuple):
    """One object, location or party, once per canonical id (a named tuple, as ``TraceEdge``)."""

    id: str
    kind: str  # item, class, container, location, party
    roles: tuple[str, ...] = ()
    name: str | None = None  # master data comes later


@dataclass(frozen=True)
class Trace:
    """A trace graph with its summaries."""

    direction: Direction
    root: str
    nodes: tuple[TraceNode, ...]
    edges: tuple[TraceEdge, ...]
    summary: Mapping[str, Any] = field(default_factory=dict)
    truncated: bool = False
    bound: Mapping[str, int] | None = None
    events: tuple[TraceEvent, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable dict (the API and ``onecode trace --json`` answer)."""
        return {
            "direction": self.direction,
            "root": self.root,
            "truncated": self.truncated,
            "bound": dict(self.bound) if self.bound else None,
            "nodes": [n._asdict() | {"roles": list(n.roles)} for n in self.nodes],
            "edges": [e._asdict() for e in self.edges],
            "events": [
                e._asdict()
                | {
                    "places": [{"relation": r, "id": p} for r, p in e.places],
                    "objects": list(e.objects),
                }
                for e in self.events
            ],
            "summary": dict(self.summary),
        }


def backward(
    store: LineageStore, code: str, *, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES
) -> Trace:
    """Where ``code`` (any spelling) came from. Raises ``UnknownCodeError``."""
    return trace(store, code, "backward", max_depth=max_depth, max_nodes=max_nodes)


def forward(
    store: LineageStore, code: str, *, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES
) -> Trace:
    """Where ``code`` (any spelling) went and who holds it now. Raises ``UnknownCodeError``."""
    return trace(store, code, "forward", max_depth=max_depth, max_nodes=max_nodes)


def trace(
    store: LineageStore,
    code: str,
    direction: Direction,
    *,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
) -> Trace:
    """Walk from ``code`` in ``direction``; see the module docstring."""
    root = canonical_id(code.strip())
    with collector_paused():  # the walk allocates ~10 objects per node and edge, all acyclic
        return _traced(store, root, direction, max_depth, max_nodes)


def _traced(
    store: LineageStore, root: str, direction: Direction, max_depth: int, max_nodes: int
) -> Trace:
    walk = _Walk(store, direction, max_nodes)
    walk.run(root, max_depth)
    # Backward, a transformation that consumed an object belongs to the answer only when the walk
    # came through it: the object's other uses are where it went (forward), not where it came from.
    uses: dict[str, set[int]] | None = None
    if direction == "backward":
        uses = {node: set() for node in walk.seen}
        for link in walk.followed:
            if link.relation == "input":
                uses[link.src].add(link.position)
    naming = store.events_naming(list(walk.seen), uses)
    # Asked only now, when its events do not already show it (one read less per trace).
    if root not in naming and not store.known(root):
        raise UnknownCodeError(root)
    edges = [_tuple_new(TraceEdge, _AS_EDGE(link)) for link in walk.followed]
    places: dict[str, str] = {}
    kept: dict[str, list[Happening]] = {}
    # per event, once: the event, its (relation, place) pairs, the traced objects it names
    named: dict[int, Named] = {}
    for node, roles in walk.seen.items():
        spans = [s for spans_ in roles.values() for s in spans_]
        happenings = naming.get(node, [])
        if ALWAYS in spans:  # reached through a transformation or the root: every event counts
            kept[node] = happenings
        else:
            kept[node] = [h for h in happenings if any(a <= h.position < b for a, b in spans)]
        for happening in kept[node]:
            made = named.get(happening.position)
            if made is None:
                found = list(_where(happening.payload))
                places.update((place, kind) for _r, place, kind in found if place not in places)
                made = named[happening.position] = (
                    happening,
                    list(dict.fromkeys((relation, place) for relation, place, _kind in found)),
                    [],
                )
            made[2].append(node)
    containers = {link.dst for link in walk.followed if link.relation == "child"}
    nodes = [
        TraceNode(node, kind_of(node, containers), tuple(sorted(roles)))
        for node, roles in walk.seen.items()
    ]
    nodes += [TraceNode(p, kind) for p, kind in places.items() if p not in walk.seen]
    nodes.sort()  # by id: ids are unique, so the tuples never compare further
    summary = summarise(store, direction, nodes, walk.followed, kept, named)
    return Trace(
        direction,
        root,
        tuple(nodes),
        _in_order(edges),
        summary,
        walk.truncated,
        {"max_depth": max_depth, "max_nodes": max_nodes} if walk.truncated else None,
        _timeline(named.values()),
    )


class _Walk:
    """The bounded breadth-first walk over ``(object, role, span)`` states."""

    def __init__(self, store: LineageStore, direction: Direction, max_nodes: int) -> None:
        self.store, self.direction, self.max_nodes = store, direction, max_nodes
        self.seen: dict[str, dict[str, list[Span]]] = {}
        self.followed: set[Link] = set()
        self.truncated = False

    def run(self, root: str, max_depth: int) -> None:
        self.seen[root] = {"self": [ALWAYS]}
        frontier = [(root, "self", ALWAYS)]
        for _depth in range(max_depth):
            items = list(dict.fromkeys(node for node, _r, _s in frontier))
            # Links into a node matter for its contents (role self) and, backward, its inputs.
            forward = self.direction == "forward"
            entered = list(
                dict.fromkeys(
                    node
                    for node, role, _s in frontier
                    if (role == "self" if forward else role != "carrier")
                )
            )
            to, out = defaultdict(list), defaultdict(list)
            # Backward, links out of a node matter only for its containers.
            into, out_of = self.store.links(entered, items, containment_out=not forward)
            for link in into:
                to[link.dst].append(link)
            for link in out_of:
                out[link.src].append(link)
            following = []
            for node, role, span in frontier:
                for link, other, next_role, next_span in self._steps(node, role, span, to, out):
                    if self._visit(other, next_role, next_span):
                        following.append((other, next_role, next_span))
                    if other in self.seen:
                        self.followed.add(link)
            frontier = following
            if not frontier:
                return
        self.truncated = True

    def _steps(
        self,
        node: str,
        role: str,
        span: Span,
        to: Mapping[str, list[Link]],
        out: Mapping[str, list[Link]],
    ) -> Iterator[tuple[Link, str, str, Span]]:
        forward = self.direction == "forward"
        if role != "carrier":
            for link in (out if forward else to).get(node, ()):
                if link.relation == "input":
                    yield link, link.dst if forward else link.src, _TRACED[self.direction], ALWAYS
        for link in out.get(node, ()):
            inside = link.relation in CONTAINMENT and _meet(span, link)
            if inside:
                # Backward, an associated parent is the same consignment under another code (a
                # weighbridge ticket's delivery note): its inputs are this object's origins too.
                associated = not forward and link.relation == "associated"
                yield link, link.dst, "associate" if associated else "carrier", inside
        if role == "self":
            for link in to.get(node, ()):
                inside = link.relation in CONTAINMENT and _meet(span, link)
                if inside:
                    yield link, link.src, "self", inside

    def _visit(self, node: str, role: str, span: Span) -> bool:
        """Record the state; False when it is covered already or the node bound is hit."""
        roles = self.seen.get(node)
        if roles is None:  # most visits of a recall: a node met for the first time
            if len(self.seen) >= self.max_nodes:
                self.truncated = True
                return False
            self.seen[node] = {role: [span]}
            return True
        spans = roles.get(role)
        if spans is None:
            roles[role] = [span]
            return True
        start, end = span
        for a, b in spans:
            if a <= start and end <= b:
                return False
        spans.append(span)
        return True


def _in_order(edges: list[TraceEdge]) -> tuple[TraceEdge, ...]:
    """By event time, source, destination, relation, eventID (the order of the answer).

    Grouped by time first: a recall's ~22,000 edges fall on a few thousand event times, and
    sorting each group by its other fields takes half the time of one sort of all of them by a
    key built per edge. Stable, as one sort would be.
    """
    by_time: dict[str, list[TraceEdge]] = defaultdict(list)
    for edge in edges:
        by_time[edge.event_time].append(edge)
    ordered: list[TraceEdge] = []
    for time in sorted(by_time):
        group = by_time[time]
        group.sort(key=_AFTER_TIME)
        ordered += group
    return tuple(ordered)


_AFTER_TIME: Final = itemgetter(0, 1, 2, 3)  # src, dst, relation, event_id


def _timeline(named: Iterable[Named]) -> tuple[TraceEvent, ...]:
    """The events of the trace by event time, then eventID, each with its objects sorted."""
    events = [
        _tuple_new(
            TraceEvent,
            (
                happening.event_id,
                str(happening.payload.get("eventTime")),
                str(happening.payload.get("type") or ""),
                term(happening.payload.get("bizStep")) or None,
                tuple(found_places),
                tuple(sorted(objects)),
            ),
        )
        for happening, found_places, objects in named
    ]
    events.sort(key=_BY_TIME)
    return tuple(events)


_BY_TIME: Final = itemgetter(1, 0)  # event_time, event_id


def _meet(span: Span, link: Link) -> Span | None:
    start, end = max(span[0], link.position), min(span[1], link.until or FOREVER)
    return (start, end) if start < end else None


# A recall builds ~22,000 edges: straight through tuple.__new__ (as a named tuple's own __new__
# does, less its Python call), and a link's fields picked in C.
_tuple_new: Final = tuple.__new__
# src, dst, relation, event_id, event_time, quantity, uom, until_time of a ``Link``
_AS_EDGE: Final = itemgetter(0, 1, 2, 4, 5, 6, 7, 9)


def _where(payload: Mapping[str, Any]) -> Iterator[tuple[str, str, str]]:
    """``(relation, place, kind)`` of the locations and parties of one event."""
    for key, relation in (("bizLocation", "biz_location"), ("readPoint", "read_point")):
        where = payload.get(key)
        if isinstance(where, Mapping) and isinstance(where.get("id"), str):
            yield relation, canonical_id(where["id"]), "location"
    for key, relation, inner in (
        ("sourceList", "source", "source"),
        ("destinationList", "destination", "destination"),
    ):
        for entry in payload.get(key) or ():
            party = entry.get(inner) if isinstance(entry, Mapping) else None
            if isinstance(party, str):
                kind = "location" if term(entry.get("type")) == "location" else "party"
                yield f"{relation}:{term(entry.get('type'))}", canonical_id(party), kind


def kind_of(node: str, containers: set[str]) -> str:
    """item, class, container, location or party, from the code and how it was used."""
    if node in containers or "/00/" in node:
        return "container"
    if "/414/" in node:
        return "location"
    if "/417/" in node:
        return "party"
    if GTIN.search(node) and "/21/" not in node:
        return "class"
    return "item"

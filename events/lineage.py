"""Lineage links with containment intervals, and an in-memory ``LineageStore``.

A ``Link`` is a lineage edge (``events.domain.state.Edge``) with the eventID that made it and,
for containment (``child``) and association (``associated``) edges, the event that ended it.

Time-aware containment: a child is inside its parent from the AggregationEvent ADD that packed
it (EPCIS 2.0 §7.4.3) up to, not including, the first later non-erroneous event that took it out,
in ledger (position) order, as ``events.domain.state.evolve`` moves it:

- an AggregationEvent DELETE naming it as a child (whatever the parent), or a DELETE on its
  parent without childEPCs/childQuantityList ("unpack everything", §7.4.3);
- an AggregationEvent ADD or OBSERVE that puts it into another parent.

Associations (AssociationEvent, EPCIS 2.0 §7.4.6) end with a DELETE on the same parent naming
the child or naming no children.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from typing import Any, Final, NamedTuple, Protocol

from events.domain.links import canonical_id, item_links
from events.domain.state import Edge, Holding, States, evolve, holding_of

CONTAINMENT: Final = ("child", "associated")
INPUTS: Final = frozenset({"input", "input_class"})  # event_links roles of a consumed object
_EVENT_OF: Final = {"child": "AggregationEvent", "associated": "AssociationEvent"}


class Link(NamedTuple):
    """``src`` → ``dst`` made by event ``event_id`` at ``position``; ``until*`` ends containment.

    Named tuples (``Link``, ``Happening``): a recall reads ~10^4 of each, built in C.
    """

    src: str
    dst: str
    relation: str
    position: int
    event_id: str
    event_time: str
    quantity: float | None = None
    uom: str | None = None
    until: int | None = None
    until_time: str | None = None


class Happening(NamedTuple):
    """A non-erroneous event naming a traced object."""

    position: int
    event_id: str
    payload: Mapping[str, Any]


class LineageStore(Protocol):
    """What the trace engine reads (``events.trace``); ids are canonical (``canonical_id``).

    Implemented by ``MemoryLineage`` and ``events.adapters.sql_lineage.SqlLineage``; both
    leave out events declared erroneous (EPCIS 2.0 §7.4.1.2).
    """

    def known(self, item: str) -> bool:
        """Whether a non-erroneous event names ``item``."""
        ...

    def links(
        self, into: Collection[str], out_of: Collection[str], *, containment_out: bool = False
    ) -> tuple[list[Link], list[Link]]:
        """Links whose ``dst`` is in ``into``, and those whose ``src`` is in ``out_of``.

        With ``containment_out`` only the containment links (``CONTAINMENT``) out of
        ``out_of``; both lists with containment ends.
        """
        ...

    def events_naming(
        self, items: Collection[str], uses: Mapping[str, Collection[int]] | None = None
    ) -> dict[str, list[Happening]]:
        """The non-erroneous events naming each item, in position order (lists not to change).

        ``uses``: for an item in it, of the events that consumed it (a transformation input)
        only those at the given positions; the others are neither read nor returned. An item
        left with no event is not in the answer.
        """
        ...

    def holdings(self, items: Collection[str]) -> dict[str, Holding]:
        """Who holds each item that has a state, where, and in which parent (``item_state``)."""
        ...


def members(payload: Mapping[str, Any]) -> list[str]:
    """The canonical children (instances and classes) of an aggregation or association."""
    found = [canonical_id(e) for e in payload.get("childEPCs") or () if isinstance(e, str)]
    classes = [e.get("epcClass") for e in payload.get("childQuantityList") or ()]
    return found + [canonical_id(c) for c in classes if isinstance(c, str)]


def ends(edge: Edge, later: Happening) -> bool:
    """Whether ``later`` (an event after ``edge``) ends the containment ``edge`` records."""
    payload = later.payload
    if later.position <= edge.position or payload.get("type") != _EVENT_OF[edge.relation]:
        return False
    parent = payload.get("parentID")
    parent_id = canonical_id(parent) if isinstance(parent, str) else None
    children, action = members(payload), payload.get("action")
    if action == "DELETE":
        if edge.src in children and (edge.relation == "child" or parent_id == edge.dst):
            return True
        return parent_id == edge.dst and not children
    return edge.relation == "child" and parent_id not in (None, edge.dst) and edge.src in children


def with_end(edge: Edge, event_id: str, candidates: Iterable[Happening]) -> Link:
    """The link of ``edge``, ended by the first of ``candidates`` that ends it."""
    until: Happening | None = None
    if edge.relation in CONTAINMENT:
        for happening in sorted(candidates, key=_position):
            if ends(edge, happening):
                until = happening
                break
    return Link(
        edge.src,
        edge.dst,
        edge.relation,
        edge.position,
        event_id,
        edge.event_time,
        edge.quantity,
        edge.uom,
        until.position if until else None,
        str(until.payload.get("eventTime")) if until else None,
    )


def _position(happening: Happening) -> int:
    return happening.position


class MemoryLineage:
    """A ``LineageStore`` over a list of events, replayed with ``evolve`` (tests, ``--dev``)."""

    def __init__(self, events: Iterable[tuple[int, str, str, Mapping[str, Any]]]) -> None:
        """``events``: ``(position, eventID, kind, payload)`` in position order."""
        history = list(events)
        erroneous = {event_id for _p, event_id, kind, _e in history if kind == "declaration"}
        self._states: States = States()
        self._naming: dict[str, list[Happening]] = defaultdict(list)
        self._consumed: set[tuple[str, int]] = set()  # (item, position) where it was an input
        edges: list[tuple[Edge, str]] = []
        for position, event_id, kind, payload in history:
            if kind != "event" or event_id in erroneous:
                continue
            happening = Happening(position, event_id, payload)
            roles: dict[str, set[str]] = defaultdict(set)
            for item, role in item_links(payload):
                roles[item].add(role)
            for item, named_as in roles.items():
                self._naming[item].append(happening)
                if named_as <= INPUTS:
                    self._consumed.add((item, position))
            edges += [(e, event_id) for e in evolve(self._states, payload, position)]
        self._to: dict[str, list[Link]] = defaultdict(list)
        self._from: dict[str, list[Link]] = defaultdict(list)
        for edge, event_id in dict.fromkeys(edges):
            candidates = self._naming[edge.src] + self._naming[edge.dst]
            link = with_end(edge, event_id, candidates)
            self._to[link.dst].append(link)
            self._from[link.src].append(link)

    def known(self, item: str) -> bool:
        """Whether a non-erroneous event names ``item`` (canonical)."""
        return bool(self._naming.get(item))

    def links(
        self, into: Collection[str], out_of: Collection[str], *, containment_out: bool = False
    ) -> tuple[list[Link], list[Link]]:
        """Links into ``into`` and out of ``out_of`` (containment only with ``containment_out``)."""
        return [link for item in into for link in self._to.get(item, ())], [
            link
            for item in out_of
            for link in self._from.get(item, ())
            if not containment_out or link.relation in CONTAINMENT
        ]

    def events_naming(
        self, items: Collection[str], uses: Mapping[str, Collection[int]] | None = None
    ) -> dict[str, list[Happening]]:
        """The non-erroneous events naming each item, in position order; see the protocol."""
        found = {item: self._naming[item] for item in items if item in self._naming}
        for item, kept in (uses or {}).items():
            if item in found:
                found[item] = [
                    h
                    for h in found[item]
                    if h.position in kept or (item, h.position) not in self._consumed
                ]
        return {item: happenings for item, happenings in found.items() if happenings}

    def holdings(self, items: Collection[str]) -> dict[str, Holding]:
        """The holding fields of each item's state, for the items that have one."""
        return {item: holding_of(self._states[item]) for item in items if item in self._states}

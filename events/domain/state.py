"""The current state of every item, as a pure fold over its events (ARCHITECTURE.md R3).

``evolve(states, event, position)`` applies one event to the states of the items it names and
returns the lineage edges it creates. Replaying all non-erroneous events in ledger order gives
the projections; the SQL projection stores exactly what this fold computes.

References:
    EPCIS 2.0 §7.4.2 ObjectEvent (ADD commissions, DELETE decommissions), §7.4.3
    AggregationEvent (ADD/DELETE parent-child), §7.4.5 TransformationEvent (inputs → outputs),
    §7.4.6 AssociationEvent, §7.3.5 persistentDisposition; CBV 2.0 §7.2 (source/destination
    types owning_party, possessing_party, location).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from typing import Any, Final, NamedTuple

from events.domain.links import canonical_id

ACTIVE: Final = "active"
DECOMMISSIONED: Final = "decommissioned"
CONSUMED: Final = "consumed"
OBSERVED: Final = "observed"
HOLDER_TYPES: Final = ("possessing_party", "owning_party", "location")


class ItemState(NamedTuple):
    """What is known now about one item (or class, for quantity events).

    Named tuples (``ItemState``, ``Edge``): a fold builds one state per item per event (a
    10,000-item recall replays ~30,000), and a tuple is built in C where a frozen dataclass
    sets each field through ``object.__setattr__`` (four times slower).
    """

    item: str
    status: str = OBSERVED
    disposition: str | None = None
    persistent: tuple[str, ...] = ()
    read_point: str | None = None
    biz_location: str | None = None
    holder: str | None = None
    parent: str | None = None
    last_position: int = 0
    last_event_time: str | None = None


class Edge(NamedTuple):
    """A lineage edge made by the event at ``position``.

    ``src`` went into ``dst`` (``input``), was packed in it (``child``), or was associated
    with it (``associated``).
    """

    src: str
    dst: str
    relation: str
    position: int
    event_time: str
    quantity: float | None = None
    uom: str | None = None


class States(dict[str, ItemState]):
    """Item states that also index each parent's current children.

    A DELETE without children empties its parent (EPCIS 2.0 §7.4.3); with a plain mapping
    ``evolve`` finds the contents by scanning every state, with ``States`` by one lookup.
    """

    def __init__(self, states: Mapping[str, ItemState] | None = None) -> None:
        super().__init__()
        self._children: dict[str, set[str]] = {}
        if states:
            self.update(states)

    def __setitem__(self, item: str, state: ItemState) -> None:
        old = dict.get(self, item)
        before = None if old is None else old.parent
        if before != state.parent:
            if before is not None:
                self._children[before].discard(item)
            if state.parent is not None:
                self._children.setdefault(state.parent, set()).add(item)
        dict.__setitem__(self, item, state)

    def __delitem__(self, item: str) -> None:
        old = self[item]
        if old.parent is not None:
            self._children[old.parent].discard(item)
        super().__delitem__(item)

    def update(self, *others: Any, **more: ItemState) -> None:  # noqa: ANN401  as dict.update
        """Set each state through ``__setitem__`` (``dict.update`` would bypass the index)."""
        for other in (*others, more):
            for item, state in dict(other).items():
                self[item] = state

    def children_of(self, parent: str) -> list[str]:
        """The items whose state names ``parent`` as their current parent."""
        return sorted(self._children.get(parent, ()))


def evolve(
    states: MutableMapping[str, ItemState], event: Mapping[str, Any], position: int
) -> list[Edge]:
    """Apply ``event`` to ``states`` (missing items start empty); return the new lineage edges."""
    kind = event.get("type")
    common = _common(event, position)
    parent = _id(event.get("parentID"))
    if kind in ("AggregationEvent", "AssociationEvent"):
        children = [_id(e) for e in event.get("childEPCs") or ()]
        children += [_id(q.get("epcClass")) for q in event.get("childQuantityList") or ()]
        members = [c for c in children if c]
        _apply(states, event, common, parent, members)
        relation = "child" if kind == "AggregationEvent" else "associated"
        if event.get("action") == "ADD" and parent:
            return [_edge(c, parent, relation, event, position) for c in members]
        return []
    if kind == "TransformationEvent":
        inputs = _objects(event, "inputEPCList", "inputQuantityList")
        outputs = _objects(event, "outputEPCList", "outputQuantityList")
        _apply(
            states,
            event,
            common,
            None,
            [],
            [i for i, _q, _u in inputs],
            [o for o, _q, _u in outputs],
        )
        return [
            Edge(i, o, "input", position, common["last_event_time"], quantity, uom)
            for i, quantity, uom in inputs
            for o, _oq, _ou in outputs
        ]
    items = [item for item, _q, _u in _objects(event, "epcList", "quantityList")]
    _apply(states, event, common, parent, items)
    return []


class Holding(NamedTuple):
    """The fields of an item's state that say who holds it and where (``holders_now``)."""

    holder: str | None
    biz_location: str | None
    parent: str | None
    last_position: int


def holding_of(state: ItemState) -> Holding:
    """The holding fields of a state ``evolve`` folded."""
    return Holding(state.holder, state.biz_location, state.parent, state.last_position)


class Facts(NamedTuple):
    """What one event sets on the objects it touches, as far as a ``Holding`` goes."""

    kind: str | None
    action: str | None
    holder: str | None
    biz_location: str | None
    parent: str | None  # canonical parentID
    empties: bool  # an AggregationEvent DELETE listing no children: empties its parent


def facts_of(event: Mapping[str, Any]) -> Facts:
    """The ``Facts`` of one event, read as ``evolve`` reads it (``_common``)."""
    kind, action = event.get("type"), event.get("action")
    listed = bool(event.get("childEPCs") or event.get("childQuantityList"))
    return Facts(
        kind,
        action,
        _holder(event.get("destinationList") or ()),
        _place(event, "bizLocation"),
        _id(event.get("parentID")),
        kind == "AggregationEvent" and action == "DELETE" and not listed,
    )


PACKED: Final = frozenset({"child", "child_class"})  # roles of an aggregated object


def holding(
    named: list[tuple[int, str]],
    facts: Mapping[int, Facts],
    emptied_after: Callable[[str, int], bool],
) -> Holding:
    """An item's ``Holding`` from the events naming it, without replaying anything else.

    ``named``: ``(position, role)`` of every event naming the item (a pair per role, at least
    one), in position order, with the ``facts`` of each position;
    ``emptied_after(parent, position)``: whether a later event empties ``parent`` (an
    AggregationEvent DELETE without children, EPCIS 2.0 §7.4.3).

    Equal to the fields ``evolve`` gives replaying the same events: holder, place and last
    position come from the newest events naming the item; its parent from the newest
    AggregationEvent packing or unpacking it (ADD/OBSERVE with a parent, or a DELETE naming
    it), unless its parent was emptied after that. Every object a stored event names is one
    ``evolve`` touches: the EPCIS 2.0 JSON Schema admits ``parentID`` and each object list only
    in the event types whose rule uses them.
    """
    last = named[-1][0]
    holder = place = parent = None
    found_parent = False
    for position, role in reversed(named):
        event = facts[position]
        holder = holder or event.holder
        place = place or event.biz_location
        if not found_parent and role in PACKED and event.kind == "AggregationEvent":
            if event.action == "DELETE":
                found_parent = True
            elif event.action in ("ADD", "OBSERVE") and event.parent:
                found_parent = True
                if not emptied_after(event.parent, position):
                    parent = event.parent
        if found_parent and holder and place:
            break
    return Holding(holder, place, parent, last)


def _apply(  # noqa: PLR0913, PLR0917  the event's objects by role, as evolve finds them
    states: MutableMapping[str, ItemState],
    event: Mapping[str, Any],
    common: Mapping[str, Any],
    parent: str | None,
    members: list[str],
    inputs: list[str] | None = None,
    outputs: list[str] | None = None,
) -> None:
    """The state rule of one event (``evolve``'s, by event type)."""
    kind, action = event.get("type"), event.get("action")
    if kind == "TransformationEvent":
        _touch(states, inputs or [], common, status=CONSUMED)
        _touch(states, outputs or [], common, status=ACTIVE)
        return
    if kind in ("AggregationEvent", "AssociationEvent"):
        if kind == "AggregationEvent":
            _aggregate(states, parent, members, action, whole=not members)
        status = None
    else:
        status = {"ADD": ACTIVE, "DELETE": DECOMMISSIONED}.get(action or "")
    _touch(states, ([parent] if parent else []) + members, common, status=status)


def _id(value: object) -> str | None:
    return canonical_id(value) if isinstance(value, str) else None


def _objects(
    event: Mapping[str, Any], ids: str, quantities: str
) -> list[tuple[str, float | None, str | None]]:
    found: list[tuple[str, float | None, str | None]] = [
        (canonical_id(e), None, None) for e in event.get(ids) or () if isinstance(e, str)
    ]
    for element in event.get(quantities) or ():
        epc_class = element.get("epcClass")
        if isinstance(epc_class, str):
            quantity = element.get("quantity")
            amount = float(quantity) if isinstance(quantity, int | float) else None
            found.append((canonical_id(epc_class), amount, element.get("uom")))
    return found


def _edge(src: str, dst: str, relation: str, event: Mapping[str, Any], position: int) -> Edge:
    return Edge(src, dst, relation, position, str(event.get("eventTime")))


def _common(event: Mapping[str, Any], position: int) -> dict[str, Any]:
    """The state fields every object named by the event takes from it."""
    fields: dict[str, Any] = {"last_position": position, "last_event_time": event.get("eventTime")}
    if event.get("disposition"):
        fields["disposition"] = event["disposition"]
    for key, field in (("readPoint", "read_point"), ("bizLocation", "biz_location")):
        where = _place(event, key)
        if where:
            fields[field] = where
    holder = _holder(event.get("destinationList") or ())
    if holder:
        fields["holder"] = holder
    fields["persistent"] = event.get("persistentDisposition") or {}
    return fields


def _place(event: Mapping[str, Any], key: str) -> str | None:
    """The ``id`` of the event's ``readPoint`` or ``bizLocation`` (``key``), if it has one."""
    where = event.get(key)
    return where.get("id") or None if isinstance(where, Mapping) else None


def _holder(destinations: Any) -> str | None:  # noqa: ANN401  a JSON list
    by_type = {d.get("type"): d.get("destination") for d in destinations if isinstance(d, Mapping)}
    return next((by_type[t] for t in HOLDER_TYPES if by_type.get(t)), None)


def _touch(
    states: MutableMapping[str, ItemState],
    items: list[str],
    common: Mapping[str, Any],
    *,
    status: str | None,
) -> None:
    """Give each of ``items`` the fields ``common`` sets (its parent stays as it is)."""
    change = common["persistent"]
    setting = set(change.get("set") or ()) if change else set()
    unsetting = set(change.get("unset") or ()) if change else set()
    position, event_time = common["last_position"], common["last_event_time"]
    disposition = common.get("disposition", _KEEP)
    read_point = common.get("read_point", _KEEP)
    biz_location = common.get("biz_location", _KEEP)
    holder = common.get("holder", _KEEP)
    # The parent does not change, so the children index of ``States`` needs no update: set
    # through ``dict`` directly (a recall's replay touches ~26,000 states).
    put: Callable[[Any, str, ItemState], None] = (
        dict.__setitem__ if isinstance(states, dict) else type(states).__setitem__
    )
    for item in items:
        base = states.get(item) or ItemState(item)
        persistent = base.persistent
        if change:
            persistent = tuple(sorted((set(persistent) | setting) - unsetting))
        # Built field by field, through tuple.__new__ as ItemState's own __new__ does
        # (dataclasses.replace costs several times more in a fold of 10^4 events).
        put(
            states,
            item,
            _tuple_new(
                ItemState,
                (
                    item,
                    base.status if status is None else status,
                    base.disposition if disposition is _KEEP else disposition,
                    persistent,
                    base.read_point if read_point is _KEEP else read_point,
                    base.biz_location if biz_location is _KEEP else biz_location,
                    base.holder if holder is _KEEP else holder,
                    base.parent,
                    position,
                    event_time,
                ),
            ),
        )


_KEEP: Final = object()  # a field the event does not set
_tuple_new: Final = tuple.__new__


def _aggregate(
    states: MutableMapping[str, ItemState],
    parent: str | None,
    children: list[str],
    action: str | None,
    *,
    whole: bool,
) -> None:
    if action in ("ADD", "OBSERVE") and parent:
        for child in children:
            states[child] = _with_parent(states.get(child) or ItemState(child), parent)
    elif action == "DELETE":
        # DELETE without childEPCs disaggregates everything in the parent (EPCIS 2.0 §7.4.3).
        if not whole:
            leaving = children
        elif isinstance(states, States):
            leaving = states.children_of(parent) if parent else []
        else:
            leaving = [i for i, s in states.items() if s.parent == parent]
        for child in leaving:
            states[child] = _with_parent(states.get(child) or ItemState(child), None)


def _with_parent(state: ItemState, parent: str | None) -> ItemState:
    """``state`` with another current parent (built directly, as in ``_touch``)."""
    return ItemState(
        state.item,
        state.status,
        state.disposition,
        state.persistent,
        state.read_point,
        state.biz_location,
        state.holder,
        parent,
        state.last_position,
        state.last_event_time,
    )

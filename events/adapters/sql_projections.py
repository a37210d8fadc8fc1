"""Projections on SQLite and PostgreSQL, updated in the same transaction as the append.

``apply(stored)`` writes the item links, evolves the current state of every item the events name
(``events.domain.state.evolve``), stores lineage edges, and handles error declarations: the
declared event stops counting, so the items it named are replayed without it. ``rebuild`` clears
the projections and replays the whole ledger; a test holds it equal to the incremental result.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Connection, delete, insert, select

from events.adapters.sql_bulk import among, append_rows, chunks, upsert_rows
from events.adapters.tables import (
    containment_ends,
    erroneous_events,
    event_links,
    item_state,
    ledger_events,
    lineage_edges,
)
from events.domain import StoredEvent
from events.domain.links import canonical_id, item_links
from events.domain.state import Edge, ItemState, States, evolve
from events.lineage import CONTAINMENT, Happening, ends, members
from events.ports import Ledger

_GROUPING = ("AggregationEvent", "AssociationEvent")


class SqlProjections:
    """The read models, over the caller's connection and transaction."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def apply(self, stored: Sequence[StoredEvent]) -> None:
        """Project newly appended events (in position order)."""
        if not stored:
            return
        self._links(stored)
        events = [s for s in stored if s.record.kind == "event"]
        declared = [s for s in stored if s.record.kind == "declaration"]
        self._evolve(events)
        if declared:
            self._declare(declared)

    def state(self, item: str) -> ItemState | None:
        """The current state of one item (any spelling of its code)."""
        states = self._load([canonical_id(item)])
        return next(iter(states.values()), None)

    def all_states(self) -> list[ItemState]:
        """Every item state, by item (for tests and rebuild checks)."""
        rows = self._connection.execute(select(item_state).order_by(item_state.c.item))
        return [_state(row._mapping) for row in rows]  # noqa: SLF001  public row mapping

    def all_edges(self) -> list[Edge]:
        """Every lineage edge, in a stable order."""
        query = select(lineage_edges).order_by(*lineage_edges.primary_key.columns)
        return [_edge(row._mapping) for row in self._connection.execute(query)]  # noqa: SLF001

    def all_containment_ends(self) -> list[tuple[Any, ...]]:
        """Every row of ``containment_ends``, in a stable order (for rebuild checks)."""
        query = select(containment_ends).order_by(*containment_ends.primary_key.columns)
        return [tuple(row) for row in self._connection.execute(query)]

    def erroneous(self) -> set[str]:
        """The eventIDs declared erroneous."""
        return set(self._connection.execute(select(erroneous_events.c.event_id)).scalars())

    def rebuild(self, ledger: Ledger, batch: int = 2000) -> int:
        """Clear the projections and replay the ledger; return the number of events replayed."""
        for table in (event_links, lineage_edges, containment_ends, item_state, erroneous_events):
            self._connection.execute(delete(table))
        replayed, chunk = 0, []
        for event in ledger.read():
            chunk.append(event)
            if len(chunk) == batch:
                self.apply(chunk)
                replayed, chunk = replayed + len(chunk), []
        self.apply(chunk)
        return replayed + len(chunk)

    def _links(self, stored: Sequence[StoredEvent]) -> None:
        rows = [
            (item, s.position, role)
            for s in stored
            for item, role in dict.fromkeys(item_links(s.record.payload))
        ]
        append_rows(self._connection, event_links, ("item", "position", "role"), rows)

    def _evolve(self, events: Sequence[StoredEvent]) -> None:
        if not events:
            return
        items = {item for s in events for item, _role in item_links(s.record.payload)}
        states = States(self._load(items))
        emptied = [
            canonical_id(s.record.payload["parentID"])
            for s in events
            if s.record.payload.get("action") == "DELETE" and "parentID" in s.record.payload
        ]
        states.update(self._children_of(emptied))
        stored = set(states)
        edges: list[Edge] = []
        for s in events:
            edges += evolve(states, s.record.payload, s.position)
        self._save(states.values(), stored)
        self._add_edges(edges)
        self.end_containment(
            [Happening(s.position, s.record.event_id, s.record.payload) for s in events],
            _Batch(set(states) - stored, edges),
        )

    def end_containment(self, happenings: Sequence[Happening], batch: _Batch | None = None) -> None:
        """Record which stored containment edges each grouping event ends (``lineage.ends``).

        Candidates are the containment edges out of the event's members and, for a DELETE, into
        its parent, made before it; the pure rule decides, as ``MemoryLineage`` does. Every
        ending event is kept (not only the first), so readers take the first one they may see.
        ``batch``: the objects that had no state before these events and the edges the events
        made; an object's lineage edges all come from events that gave it a state, so the
        edges of a new object are the batch's, not read (an import of new goods reads none).
        """
        grouping = [h for h in happenings if h.payload.get("type") in _GROUPING]
        if not grouping:
            return
        children = {c for h in grouping for c in members(h.payload)}
        parents = {
            canonical_id(h.payload["parentID"])
            for h in grouping
            if h.payload.get("action") == "DELETE" and isinstance(h.payload.get("parentID"), str)
        }
        new = batch.new if batch else set()
        by_src = self._containment_edges(lineage_edges.c.src, children - new)
        by_dst = self._containment_edges(lineage_edges.c.dst, parents - new)
        for edge in batch.edges if batch else ():
            if edge.relation in CONTAINMENT:
                if edge.src in new and edge.src in children:
                    by_src.setdefault(edge.src, []).append(edge)
                if edge.dst in new and edge.dst in parents:
                    by_dst.setdefault(edge.dst, []).append(edge)
        rows = []
        for happening in grouping:
            payload = happening.payload
            candidates = [e for c in members(payload) for e in by_src.get(c, ())]
            parent = payload.get("parentID")
            if payload.get("action") == "DELETE" and isinstance(parent, str):
                candidates += by_dst.get(canonical_id(parent), ())
            rows += [
                (
                    e.src,
                    e.dst,
                    e.relation,
                    e.position,
                    happening.position,
                    str(payload.get("eventTime")),
                )
                for e in dict.fromkeys(candidates)
                if ends(e, happening)
            ]
        upsert_rows(
            self._connection, containment_ends, _END_COLUMNS, rows, key=_END_KEY, update=False
        )

    def _containment_edges(self, column: Any, ids: set[str]) -> dict[str, list[Edge]]:  # noqa: ANN401
        """The stored containment edges whose ``column`` (src or dst) is one of ``ids``, by it."""
        found: dict[str, list[Edge]] = {}
        for chunk in chunks(ids):
            query = select(lineage_edges).where(
                among(self._connection, column, chunk), lineage_edges.c.relation.in_(CONTAINMENT)
            )
            for row in self._connection.execute(query):
                found.setdefault(row._mapping[column.name], []).append(_edge(row._mapping))  # noqa: SLF001
        return found

    def _declare(self, declarations: Sequence[StoredEvent]) -> None:
        """The declared events stop counting: replay the items they named without them."""
        rows = []
        for s in declarations:
            declaration = s.record.payload.get("errorDeclaration") or {}
            rows.append(
                {
                    "event_id": s.record.event_id,
                    "declaration_position": s.position,
                    "declaration_time": declaration.get("declarationTime"),
                    "reason": declaration.get("reason"),
                }
            )
        known = self.erroneous()
        fresh = [r for r in rows if r["event_id"] not in known]
        if not fresh:
            return
        self._connection.execute(insert(erroneous_events), fresh)
        positions = self._connection.execute(
            select(ledger_events.c.position).where(
                ledger_events.c.event_id.in_([r["event_id"] for r in fresh]),
                ledger_events.c.kind == "event",
            )
        ).scalars()
        self._replay_items_of(list(positions))

    def _replay_items_of(self, positions: list[int]) -> None:
        items = set(
            self._connection.execute(
                select(event_links.c.item).where(event_links.c.position.in_(positions))
            ).scalars()
        )
        for table in (lineage_edges, containment_ends):
            self._connection.execute(delete(table).where(table.c.position.in_(positions)))
        self._connection.execute(delete(item_state).where(item_state.c.item.in_(items)))
        history = self._history(items)
        # A DELETE that empties a parent names the parent, not its children (EPCIS 2.0 §7.4.3):
        # the events of every parent the items were put in are replayed too.
        parents = {
            canonical_id(payload["parentID"])
            for payload in history.values()
            if payload.get("type") == "AggregationEvent"
            and isinstance(payload.get("parentID"), str)
        }
        if parents - items:
            history.update(self._history(parents - items))
        states = States()
        for position in sorted(history):
            evolve(states, history[position], position)  # edges of kept events are stored already
        self._save((s for item, s in states.items() if item in items), set())  # rows deleted above

    def _history(self, items: set[str]) -> dict[int, Any]:
        """The payloads of the non-erroneous events naming ``items``, by position."""
        query = select(ledger_events.c.position, ledger_events.c.payload).where(
            ledger_events.c.position.in_(
                select(event_links.c.position).where(event_links.c.item.in_(items))
            ),
            ledger_events.c.kind == "event",
            ledger_events.c.event_id.not_in(select(erroneous_events.c.event_id)),
        )
        return {row.position: row.payload for row in self._connection.execute(query)}

    def _load(self, items: Iterable[str]) -> dict[str, ItemState]:
        states: dict[str, ItemState] = {}
        for chunk in chunks(items):
            query = select(item_state).where(among(self._connection, item_state.c.item, chunk))
            for row in self._connection.execute(query):
                state = _state(row._mapping)  # noqa: SLF001  public row mapping
                states[state.item] = state
        return states

    def _children_of(self, parents: list[str]) -> dict[str, ItemState]:
        if not parents:
            return {}
        query = select(item_state).where(item_state.c.parent.in_(parents))
        return {row.item: _state(row._mapping) for row in self._connection.execute(query)}  # noqa: SLF001

    def _save(self, states: Iterable[ItemState], stored: set[str]) -> None:
        """Write ``states``: those of ``stored`` items as updates, the others as new rows.

        Appends are serialised (the append lock, or SQLite's one writer), and ``stored`` was read
        after the lock was taken: no other writer can add one of the new items meanwhile. New
        rows (most of them: a capture commissions its items) go by ``COPY``.
        """
        fresh: list[tuple[Any, ...]] = []
        changed: list[tuple[Any, ...]] = []
        for state in states:
            # persistent as the JSON text of its list, as the column's JSON type would write it
            persistent = json.dumps(list(state.persistent)) if state.persistent else "[]"
            row = (*state[:_PERSISTENT], persistent, *state[_PERSISTENT + 1 :])
            (changed if state.item in stored else fresh).append(row)
        append_rows(self._connection, item_state, _STATE_FIELDS, fresh)
        upsert_rows(
            self._connection, item_state, _STATE_FIELDS, changed, key=("item",), update=True
        )

    def _add_edges(self, edges: list[Edge]) -> None:
        """Store new events' edges: the first of each key (an input listed twice makes two).

        The key holds the event's position, new in this transaction, so no stored edge can
        clash: they go by ``COPY``.
        """
        first: dict[tuple[str, str, str, int], Edge] = {}
        for edge in edges:
            first.setdefault(edge[:4], edge)  # src, dst, relation, position: the primary key
        append_rows(self._connection, lineage_edges, _EDGE_FIELDS, list(first.values()))


class _Batch(NamedTuple):
    """Objects without a state before a batch of events, and the edges the batch made."""

    new: set[str]
    edges: list[Edge]


_STATE_FIELDS = ItemState._fields  # the columns of item_state, in order
_PERSISTENT = _STATE_FIELDS.index("persistent")
_EDGE_FIELDS = Edge._fields  # the columns of lineage_edges
_END_COLUMNS = tuple(c.name for c in containment_ends.columns)
_END_KEY = tuple(c.name for c in containment_ends.primary_key)


def _state(row: Any) -> ItemState:  # noqa: ANN401  a RowMapping
    values = dict(row)
    values["persistent"] = tuple(values["persistent"] or ())
    return ItemState(**values)


def _edge(row: Any) -> Edge:  # noqa: ANN401  a RowMapping
    return Edge(**dict(row))


def backfill_containment_ends(connection: Connection, batch: int = 2000) -> int:
    """Fill ``containment_ends`` from the stored ledger (migration 0007); return events read."""
    projections = SqlProjections(connection)
    query = (
        select(ledger_events.c.position, ledger_events.c.event_id, ledger_events.c.payload)
        .where(ledger_events.c.kind == "event", ledger_events.c.event_type.in_(_GROUPING))
        .order_by(ledger_events.c.position)
    )
    read, chunk = 0, []
    for row in connection.execute(query):
        chunk.append(Happening(row.position, row.event_id, row.payload))
        if len(chunk) == batch:
            projections.end_containment(chunk)
            read, chunk = read + len(chunk), []
    projections.end_containment(chunk)
    return read + len(chunk)


__all__ = ["SqlProjections", "backfill_containment_ends"]

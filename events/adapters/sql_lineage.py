"""The trace engine's ``LineageStore`` on SQLite and PostgreSQL (``events.trace``).

Reads the projections (``docs/LEDGER.md``): ``lineage_edges`` (looked up by ``src`` through the
primary key and by ``dst`` through ``ix(dst, relation)``), ``event_links`` (by ``item``, primary
key), ``item_state`` and ``ledger_events`` (by ``position``), leaving out events declared
erroneous (EPCIS 2.0 §7.4.1.2) and, when ``organisation_id`` is given, events other
organisations captured.

Time-aware containment: ``lineage_edges`` records when a child was packed (AggregationEvent ADD,
EPCIS 2.0 §7.4.3); ``containment_ends`` records every later event that ends such an edge
(DELETE naming the child, DELETE of the whole parent, repacking elsewhere), decided at capture
by ``events.lineage.ends``, the same pure rule the memory store applies. A containment lasts
until the first of those ends the caller may see (visible, not erroneous), so both stores give
the same intervals without reading any payload.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from typing import Any, Final

from sqlalchemy import ColumnElement, Connection, Executable, select, text

from events.adapters.tables import (
    containment_ends,
    erroneous_events,
    event_links,
    item_state,
    ledger_events,
    lineage_edges,
)
from events.domain.links import canonical_id
from events.domain.state import ItemState, States, evolve
from events.lineage import CONTAINMENT, Happening, Link

_CHUNK: Final = 500


class SqlLineage:
    """Lineage reads over the caller's connection (one read-only transaction per trace)."""

    def __init__(self, connection: Connection, organisation_id: int | None = None) -> None:
        self._connection = connection
        self._organisation_id = organisation_id
        # Within one transaction the ledger does not change under a trace: the events naming an
        # item and their payloads are read once (the walk, the graph and the summaries ask again).
        self._named: dict[str, list[Happening]] = {}
        self._loaded: dict[int, Happening] = {}
        # Scoped states replayed so far, and the items whose replay is complete.
        self._scoped: dict[str, ItemState] = {}
        self._replayed: set[str] = set()
        self._serial = False

    def _rows(self, query: Executable) -> Sequence[Any]:
        """All rows of a read; on PostgreSQL, first make the transaction's plans serial.

        Every read here is a few hundred index lookups. PostgreSQL overestimates ``= ANY``
        lists on large tables and gathers parallel workers for them: their start-up took 5-7 ms
        of each 12 ms query at 1,000,000 events, and a recall runs some hundred of them.
        """
        if not self._serial:
            self._serial = True
            if self._connection.dialect.name == "postgresql":
                self._connection.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
        return self._connection.execute(query).all()

    @property
    def connection(self) -> Connection:
        """The connection it reads through (to scope another store to the same transaction)."""
        return self._connection

    def scoped(self, organisation_id: int | None) -> SqlLineage:
        """The same reads over the events ``organisation_id`` captured only."""
        return SqlLineage(self._connection, organisation_id)

    def _visible(self) -> list[ColumnElement[bool]]:
        kept = [
            ledger_events.c.kind == "event",
            ledger_events.c.event_id.not_in(select(erroneous_events.c.event_id)),
        ]
        if self._organisation_id is not None:
            kept.append(_owned_by(self._organisation_id))
        return kept

    def known(self, item: str) -> bool:
        """Whether a visible, non-erroneous event names ``item``."""
        query = (
            select(event_links.c.position)
            .join(ledger_events, ledger_events.c.position == event_links.c.position)
            .where(event_links.c.item == item, *self._visible())
            .limit(1)
        )
        return bool(self._rows(query))

    def links_to(self, items: Collection[str]) -> list[Link]:
        """Lineage links into ``items``."""
        return self._links(lineage_edges.c.dst, items)

    def links_from(self, items: Collection[str]) -> list[Link]:
        """Lineage links out of ``items``."""
        return self._links(lineage_edges.c.src, items)

    def events_naming(self, items: Collection[str]) -> dict[str, list[Happening]]:
        """Visible events naming each item, in position order."""
        return self._happenings(items)

    def states(self, items: Collection[str]) -> dict[str, ItemState]:
        """Current states; scoped to an organisation, a replay of its own events only."""
        if self._organisation_id is not None:
            return self._scoped_states(items)
        found: dict[str, ItemState] = {}
        for chunk in _chunks(items):
            query = select(item_state).where(item_state.c.item.in_(chunk))
            for row in self._rows(query):
                values = dict(row._mapping)  # noqa: SLF001  public row mapping
                values["persistent"] = tuple(values["persistent"] or ())
                found[values["item"]] = ItemState(**values)
        return found

    def _scoped_states(self, items: Collection[str]) -> dict[str, ItemState]:
        """``evolve`` over the visible events naming ``items`` and every parent they ever had.

        ``item_state`` folds every organisation's events, so even an item this organisation
        touched last may hold another one's holder or place: the scoped state is always a
        replay. A DELETE that empties a parent names only the parent (EPCIS 2.0 §7.4.3), so the
        replay takes in the events of every parent an item was aggregated into, and of theirs.
        """
        asked = [i for i in dict.fromkeys(items) if i not in self._replayed]
        if asked:
            closure = set(asked)
            frontier: Collection[str] = asked
            while frontier:
                parents = {
                    canonical_id(happening.payload["parentID"])
                    for happenings in self.events_naming(frontier).values()
                    for happening in happenings
                    if happening.payload.get("type") == "AggregationEvent"
                    and isinstance(happening.payload.get("parentID"), str)
                }
                frontier = parents - closure
                closure |= frontier
            history = {
                h.position: h
                for happenings in self.events_naming(closure).values()
                for h in happenings
            }
            states = States()
            for position in sorted(history):
                evolve(states, history[position].payload, position)
            self._replayed |= closure
            self._scoped.update((item, states[item]) for item in closure if item in states)
        return {item: self._scoped[item] for item in items if item in self._scoped}

    def _links(self, column: Any, items: Collection[str]) -> list[Link]:  # noqa: ANN401
        rows: list[Any] = []
        for chunk in _chunks(items):
            query = (
                select(lineage_edges, ledger_events.c.event_id)
                .join(ledger_events, ledger_events.c.position == lineage_edges.c.position)
                .where(column.in_(chunk), *self._visible())
            )
            rows += self._rows(query)
        # rows: (src, dst, relation, position, event_time, quantity, uom, event_id), unpacked
        # rather than read by name (Row attribute access is several times slower, 10^4 rows)
        grouped = {row[0] for row in rows if row[2] in CONTAINMENT}
        first: dict[tuple[str, str, str, int], tuple[int, str]] = {}
        for chunk in _chunks(grouped):
            query = (
                select(containment_ends)
                .join(ledger_events, ledger_events.c.position == containment_ends.c.end_position)
                .where(containment_ends.c.src.in_(chunk), *self._visible())
            )
            for src, dst, relation, position, end_position, end_time in self._rows(query):
                key = (src, dst, relation, position)
                known = first.get(key)
                if known is None or end_position < known[0]:
                    first[key] = (end_position, end_time)
        none = (None, None)
        return [
            Link(src, dst, relation, position, event_id, event_time, quantity, uom, *ended)
            for src, dst, relation, position, event_time, quantity, uom, event_id in rows
            for ended in (first.get((src, dst, relation, position), none),)
        ]

    def _happenings(self, items: Collection[str]) -> dict[str, list[Happening]]:
        named: dict[str, set[int]] = defaultdict(set)
        asked = [i for i in items if i not in self._named]
        for chunk in _chunks(asked):
            query = (
                select(event_links.c.item, event_links.c.position)
                .join(ledger_events, ledger_events.c.position == event_links.c.position)
                .where(event_links.c.item.in_(chunk), *self._visible())
            )
            for item, position in self._rows(query):
                named[item].add(position)
        # Each payload once, however many items it names (a 10,000-bottle transformation).
        wanted = sorted({p for ps in named.values() for p in ps if p not in self._loaded})
        for start in range(0, len(wanted), _CHUNK):
            query = select(
                ledger_events.c.position, ledger_events.c.event_id, ledger_events.c.payload
            ).where(ledger_events.c.position.in_(wanted[start : start + _CHUNK]))
            for row in self._rows(query):
                self._loaded[row.position] = Happening(row.position, row.event_id, row.payload)
        for item in asked:
            self._named[item] = [self._loaded[p] for p in sorted(named.get(item, ()))]
        return {item: self._named[item] for item in items if self._named[item]}


def _owned_by(organisation_id: int) -> ColumnElement[bool]:
    """The event's organisation as a filter only: ``organisation_id + 0`` cannot use an index.

    Every read here is driven by codes (``event_links``/``lineage_edges`` by item), then the
    ledger row by position. Offered ``(organisation_id, …)`` indexes, SQLite's planner drove a
    500-code lookup from all of one organisation's events instead (44 s at 1,000,000 events).
    """
    return (ledger_events.c.organisation_id + 0) == organisation_id


def _chunks(items: Iterable[str]) -> Iterable[list[str]]:
    wanted = sorted(set(items))
    for start in range(0, len(wanted), _CHUNK):
        yield wanted[start : start + _CHUNK]


__all__ = ["SqlLineage"]

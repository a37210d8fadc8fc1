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

import json
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, cast

from sqlalchemy import Connection

from events.adapters.sql_bulk import chunks, driver_errors
from events.domain.state import PACKED, Facts, Holding, facts_of, holding
from events.lineage import CONTAINMENT, Happening, Link

if TYPE_CHECKING:
    import sqlite3

    import psycopg

# The reads, in SQL: a trace runs a hundred of them, and building and compiling SQLAlchemy
# statements with 500-value IN lists cost more than SQLite took to answer them. ``{items}`` is an
# IN list (SQLite) or ``= ANY(array)`` (PostgreSQL); ``{visible}`` leaves out declarations,
# events declared erroneous (EPCIS 2.0 §7.4.1.2) and, scoped, other organisations' events.
_VISIBLE: Final = "le.kind = 'event' AND le.event_id NOT IN (SELECT event_id FROM erroneous_events)"
_KNOWN: Final = (
    "SELECT l.position FROM event_links l JOIN ledger_events le ON le.position = l.position "
    "WHERE {items} AND {visible} LIMIT 1"
)
# ``{side}``: 0 for links into the items, 1 for links out of them (several reads, one statement);
# the columns of a ``Link`` (its containment end left empty), then the side; typed NULLs, as
# PostgreSQL types a NULL that a UNION meets first as text
_LINKS: Final = (
    "SELECT e.src, e.dst, e.relation, e.position, le.event_id, e.event_time, e.quantity, e.uom, "
    "CAST(NULL AS BIGINT), CAST(NULL AS VARCHAR), {side} FROM lineage_edges e "
    "JOIN ledger_events le ON le.position = e.position WHERE {items} AND {visible}"
)
_CONTAINMENT_LINKS: Final = _LINKS + " AND e.relation IN ('child', 'associated')"
_UNION: Final = 4  # chunks of links per statement: a backward trace asks one round trip per level
_ENDS: Final = (
    "SELECT c.src, c.dst, c.relation, c.position, c.end_position, c.end_time "
    "FROM containment_ends c JOIN ledger_events le ON le.position = c.end_position "
    "WHERE {items} AND {visible}"
)
_SIDE: Final = 10  # the column of the side in a row of ``_LINKS``
_END_SIDE: Final = 2
# The ends of the links out of the same items, shaped as link rows (side 2: the end's position
# and time where a link has its end) to share their statement.
_ENDS_BESIDE: Final = (
    "SELECT c.src, c.dst, c.relation, c.position, CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), "
    "CAST(NULL AS FLOAT), CAST(NULL AS VARCHAR), c.end_position, c.end_time, {side} "
    "FROM containment_ends c JOIN ledger_events le ON le.position = c.end_position "
    "WHERE {items} AND {visible}"
)
_NAMING: Final = (
    "SELECT l.item, l.position, l.role FROM event_links l JOIN ledger_events le "
    "ON le.position = l.position WHERE {items} AND {visible}"
)
# the same without the events that consumed the item (checked on the index, before the join)
_NOT_CONSUMING: Final = _NAMING.replace(
    "WHERE {items}", "WHERE {items} AND l.role NOT IN ('input', 'input_class')"
)
# ... and their payloads, in the same statement: rows (item, position, NULL, NULL) and
# (NULL, position, eventID, payload), each event once (a backward trace: one round trip less)
_NOT_CONSUMING_READ: Final = (
    "WITH named AS (NAMED) SELECT item, position, NULL, NULL FROM named UNION ALL "
    "SELECT NULL, le.position, le.event_id, le.payload FROM ledger_events le "
    "WHERE le.position IN (SELECT position FROM named)"
).replace("NAMED", _NOT_CONSUMING, 1)
# Every read here is a few hundred index lookups. PostgreSQL overestimates ``= ANY`` lists on
# large tables: it gathered parallel workers for them (their start-up took 5-7 ms of each 12 ms
# query at 1,000,000 events) and, once the estimated cost passed ``jit_above_cost``, compiled a
# 4 ms lookup for 75 ms. So a trace's transaction plans serially and without JIT, set once with
# its first read (``_run_all``), for this transaction only.
_SERIAL: Final = (
    "SELECT set_config('max_parallel_workers_per_gather', '0', true), "
    "set_config('jit', 'off', true)"
)
# every event naming the items, visible or not: ``_load`` keeps the visible ones
_NAMED: Final = "SELECT l.item, l.position, l.role FROM event_links l WHERE {items}"
_HOLDINGS: Final = (
    "SELECT item, holder, biz_location, parent, last_position FROM item_state WHERE {items}"
)
_PAYLOADS: Final = (
    "SELECT le.position, le.event_id, le.payload FROM ledger_events le WHERE {items} AND {visible}"
)


class SqlLineage:
    """Lineage reads over the caller's connection (one read-only transaction per trace)."""

    def __init__(self, connection: Connection, organisation_id: int | None = None) -> None:
        self._connection = connection
        self._organisation_id = organisation_id
        # Within one transaction the ledger does not change under a trace: the events naming an
        # item and their payloads are read once (the walk, the graph and the summaries ask again).
        self._positions: dict[str, list[int]] = {}
        # (position, role) of each event naming an item read above
        self._roles: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self._loaded: dict[int, Happening] = {}  # the visible events read
        self._hidden: set[int] = set()
        self._event_facts: dict[int, Facts] = {}
        self._emptied: dict[str, int] = {}  # per parent: the last visible event emptying it
        self._serial_set = False  # ``_SERIAL`` sent
        self._postgres = connection.dialect.name == "postgresql"

    def _read(
        self, sql: str, column: str, values: Sequence[Any], *, visible: bool = True
    ) -> Sequence[Any]:
        """Rows of ``sql`` for ``column`` in ``values`` (one chunk), visible events only."""
        return self._run_all([self._part(sql, column, values, visible=visible)])

    def _run_all(self, statements: Sequence[tuple[str, list[Any]]]) -> list[Any]:
        """The rows of several statements, in order, read on the driver's connection.

        The driver's rows as they come: SQLAlchemy's result objects cost ~1 µs a row, 36 ms of a
        ~550 ms forward recall's ~55,000 rows on SQLite (paired A/B). On PostgreSQL the
        statements are sent at once (psycopg pipeline mode), the first of a transaction with
        ``_SERIAL`` and its BEGIN: the server works on the next while this process builds the
        rows of the last, and there is one round trip, not one each (a recall reads ~30,000 links
        in ~30 statements, a backward trace a few small reads).
        """
        rows: list[Any] = []
        if not statements:
            return rows
        raw = self._connection.connection.driver_connection
        with driver_errors(self._connection, *statements[0]):
            if not self._postgres:
                for statement, parameters in statements:
                    rows += (
                        cast("sqlite3.Connection", raw).execute(statement, parameters).fetchall()
                    )
                return rows
            postgres = cast("psycopg.Connection[Any]", raw)
            first = not self._serial_set
            if len(statements) == 1 and not first:  # one needs no pipeline
                return postgres.execute(*statements[0]).fetchall()
            with postgres.pipeline():
                if first:
                    self._serial_set = True
                    postgres.execute(_SERIAL)
                cursors = [
                    postgres.execute(statement, parameters) for statement, parameters in statements
                ]
                for cursor in cursors:
                    rows += cursor.fetchall()
        return rows

    def _part(
        self, sql: str, column: str, values: Sequence[Any], *, visible: bool = True, side: int = 0
    ) -> tuple[str, list[Any]]:
        """``sql`` for ``column`` in ``values`` as a statement and its parameters."""
        listed: list[Any]
        if self._postgres:
            # %b: the array is sent in binary; as text, psycopg checked each of its codes for
            # quoting with a regex (65 ms of a profiled recall's ~70 reads)
            items, listed = f"{column} = ANY(%b)", [list(values)]
        else:
            items, listed = f"{column} IN ({','.join('?' * len(values))})", list(values)
        kept = _VISIBLE
        if visible and self._organisation_id is not None:
            # The organisation as a filter only: ``+ 0`` cannot use an index. Every read here
            # is driven by codes, then the ledger row by position; offered
            # ``(organisation_id, …)`` indexes, SQLite's planner drove a 500-code lookup from
            # all of one organisation's events instead (44 s at 1,000,000 events).
            kept += f" AND le.organisation_id + 0 = {'%s' if self._postgres else '?'}"
            listed.append(self._organisation_id)
        return sql.format(items=items, visible=kept, side=side), listed

    @property
    def connection(self) -> Connection:
        """The connection it reads through (to scope another store to the same transaction)."""
        return self._connection

    def scoped(self, organisation_id: int | None) -> SqlLineage:
        """The same reads over the events ``organisation_id`` captured only."""
        return SqlLineage(self._connection, organisation_id)

    def known(self, item: str) -> bool:
        """Whether a visible, non-erroneous event names ``item``."""
        return bool(self._read(_KNOWN, "l.item", [item]))

    def links(
        self, into: Collection[str], out_of: Collection[str], *, containment_out: bool = False
    ) -> tuple[list[Link], list[Link]]:
        """Links into ``into`` and links out of ``out_of`` (containment only, if asked)."""
        out_chunks = list(chunks(out_of))
        reads = [(0, _LINKS, "e.dst", chunk) for chunk in chunks(into)]
        out_sql = _CONTAINMENT_LINKS if containment_out else _LINKS
        reads += [(1, out_sql, "e.src", chunk) for chunk in out_chunks]
        # their ends in the same round trips (a forward recall asked 25 more statements for them)
        reads += [(_END_SIDE, _ENDS_BESIDE, "c.src", chunk) for chunk in out_chunks]
        unions = []
        for start in range(0, len(reads), _UNION):
            statements, parameters = [], []
            for side, sql, column, chunk in reads[start : start + _UNION]:
                statement, values = self._part(sql, column, chunk, side=side)
                statements.append(statement)
                parameters += values
            unions.append((" UNION ALL ".join(statements), parameters))
        rows = self._run_all(unions)
        into_rows = [row for row in rows if row[_SIDE] == 0]
        out_rows = [row for row in rows if row[_SIDE] == 1]
        ends = [row[:4] + row[8:10] for row in rows if row[_SIDE] == _END_SIDE]
        first = self._first_ends(into_rows, ends, set(out_of))
        return _linked(into_rows, first), _linked(out_rows, first)

    def events_naming(
        self, items: Collection[str], uses: Mapping[str, Collection[int]] | None = None
    ) -> dict[str, list[Happening]]:
        """Visible events naming each item, in position order; ``uses``: see ``LineageStore``."""
        return self._happenings(items, uses)

    def holdings(self, items: Collection[str]) -> dict[str, Holding]:
        """Holders, places and parents now; scoped to an organisation, from its own events."""
        if self._organisation_id is not None:
            return self._scoped_holdings(items)
        reads = [self._part(_HOLDINGS, "item", chunk, visible=False) for chunk in chunks(items)]
        return {item: Holding(*fields) for item, *fields in self._run_all(reads)}

    def _scoped_holdings(self, items: Collection[str]) -> dict[str, Holding]:
        """``events.domain.state.holding`` over the visible events naming each item.

        ``item_state`` folds every organisation's events, so even an item this organisation
        touched last may hold another one's holder or place: scoped, each holding is worked out
        from the organisation's own events naming the item and, for a DELETE that empties its
        parent (it names only the parent, EPCIS 2.0 §7.4.3), the parent's.
        """
        self._named_positions(items)
        roles, facts = self._roles, self._event_facts
        self._read_facts()
        # the parents they were packed in: a later DELETE listing no children empties them
        packed_in = {
            parent
            for item in items
            for position, role in roles.get(item, ())
            if role in PACKED and (parent := facts[position].parent)
        }
        self._named_positions(packed_in)
        self._read_facts()
        found: dict[str, Holding] = {}
        # A holding depends only on the (position, role) pairs naming the item: the bottles of
        # one case are named by the same events, so a recall's 10,000 need ~1,700 worked out.
        by_naming: dict[tuple[tuple[int, str], ...], Holding] = {}
        for item in items:
            named = roles.get(item)
            if named:
                named.sort()
                key = tuple(named)
                held = by_naming.get(key)
                if held is None:
                    held = by_naming[key] = holding(named, facts, self._emptied_after)
                found[item] = held
        return found

    def _read_facts(self) -> None:
        """The ``Facts`` of every payload read so far (each event once)."""
        loaded, facts = self._loaded, self._event_facts
        for position in loaded.keys() - facts.keys():
            facts[position] = facts_of(loaded[position].payload)

    def _emptied_after(self, parent: str, position: int) -> bool:
        """Whether a visible event after ``position`` empties ``parent`` (its facts read)."""
        last = self._emptied.get(parent)
        if last is None:
            facts = self._event_facts
            last = self._emptied[parent] = max(
                (
                    p
                    for p, role in self._roles.get(parent, ())
                    if role == "parent" and facts[p].empties
                ),
                default=-1,
            )
        return last > position

    def _first_ends(
        self, into_rows: Sequence[Any], ends: list[Any], covered: Collection[str]
    ) -> dict[tuple[str, str, str, int], tuple[int, str]]:
        """The first end the caller may see of each containment link that has one.

        ``ends``: ``(src, dst, relation, position, end_position, end_time)`` of every link out
        of the ``covered`` items, already read; the ends of the containments into the items
        (``into_rows``, links out of other items) are read here.
        """
        grouped = {row[0] for row in into_rows if row[2] in CONTAINMENT and row[0] not in covered}
        ends += self._run_all([self._part(_ENDS, "c.src", chunk) for chunk in chunks(grouped)])
        first: dict[tuple[str, str, str, int], tuple[int, str]] = {}
        for src, dst, relation, position, end_position, end_time in ends:
            key = (src, dst, relation, position)
            known = first.get(key)
            if known is None or end_position < known[0]:
                first[key] = (int(end_position), end_time)
        return first

    def _happenings(
        self, items: Collection[str], uses: Mapping[str, Collection[int]] | None = None
    ) -> dict[str, list[Happening]]:
        restricted = [i for i in items if i in uses] if uses else []
        plain = [i for i in items if not uses or i not in uses]
        wanted = self._restricted_positions(restricted, uses or {})
        self._load(set().union(*wanted.values()))
        self._named_positions(plain)
        wanted.update((item, self._positions[item]) for item in plain if self._positions[item])
        loaded = self._loaded
        return {item: [loaded[p] for p in ps] for item, ps in wanted.items()}

    def _named_positions(self, items: Collection[str]) -> None:
        """Read the positions of the visible events naming ``items`` (cached), and their payloads.

        The links are read without the ledger, and visibility is checked once per event where
        its payload is read: a recall's 31,000 links name 3,800 visible events (on PostgreSQL
        the join per link was half of each read's time).
        """
        known = self._positions
        asked = [i for i in dict.fromkeys(items) if i not in known]
        if not asked:
            return
        rows = self._run_all(
            [self._part(_NAMED, "l.item", chunk, visible=False) for chunk in chunks(asked)]
        )
        self._load({position for _item, position, _role in rows})
        loaded, roles = self._loaded, self._roles
        named: dict[str, list[int]] = {item: [] for item in asked}
        for item, position, role in rows:
            if position in loaded:
                named[item].append(position)
                roles[item].append((position, role))
        for item, positions in named.items():
            known[item] = sorted(set(positions))

    def _load(self, positions: set[int]) -> None:
        """Read each visible payload once, however many items it names (a 10,000-bottle event).

        ``_hidden``: the positions asked that are not visible (declarations, events declared
        erroneous, other organisations' when scoped), not asked again.
        """
        asked = positions - self._loaded.keys() - self._hidden
        reads = [self._part(_PAYLOADS, "le.position", chunk) for chunk in chunks(asked)]
        for position, event_id, payload in self._run_all(reads):
            self._loaded[position] = _happening(position, event_id, payload)
        self._hidden.update(asked - self._loaded.keys())

    def _restricted_positions(
        self, items: list[str], uses: Mapping[str, Collection[int]]
    ) -> dict[str, list[int]]:
        """Positions naming ``items`` but the events that consumed them, with their ``uses``.

        Not cached (they depend on ``uses``); a use that is wanted was read as a visible link.
        """
        named: dict[str, set[int]] = defaultdict(set)
        reads = [self._part(_NOT_CONSUMING_READ, "l.item", chunk) for chunk in chunks(items)]
        for item, position, event_id, payload in self._run_all(reads):
            if item is not None:
                named[item].add(position)
            elif position not in self._loaded:
                self._loaded[position] = _happening(position, event_id, payload)
        for item in items:
            named[item].update(uses[item])
        return {item: sorted(named[item]) for item in items if named[item]}


def _linked(
    rows: Sequence[Any], first: Mapping[tuple[str, str, str, int], tuple[int, str]]
) -> list[Link]:
    """The ``Link`` of each ``_LINKS`` row, a containment with its first end (``_first_ends``).

    Built as ``Link``'s own ``__new__`` does, less its Python call (~22,000 in a recall); the rows
    of most walk levels have no ended containment at all.
    """
    new = tuple.__new__
    if not first:
        return [new(Link, row[:_SIDE]) for row in rows]
    return [
        new(Link, row[:8] + ended) if (ended := first.get(row[:4])) else new(Link, row[:_SIDE])
        for row in rows
    ]


def _happening(position: int, event_id: str, payload: Any) -> Happening:  # noqa: ANN401  JSON
    """A ledger row as a ``Happening``: SQLite keeps JSON as text; psycopg decodes jsonb."""
    return Happening(
        position, event_id, json.loads(payload) if isinstance(payload, str) else payload
    )


__all__ = ["SqlLineage"]

"""EPCIS 2.0 SimpleEventQuery (EPCIS 2.0 §8.2.7.1) over ``ledger_events`` and ``event_links``.

What runs in SQL (portable across SQLite JSON functions and PostgreSQL JSONB):
``eventType``, ``GE_/LT_eventTime``, ``GE_/LT_recordTime`` and ``EQ_eventID`` (indexed
columns), ``EXISTS_errorDeclaration`` (``kind``), ``MATCH_*`` (``event_links`` by canonical id,
EPC patterns as ``LIKE``), ``EQ_action``, ``EQ_bizStep``, ``EQ_disposition`` and
``EQ_transformationID`` (JSON(B) member access), extension fields inside locations (false),
plus the caller's organisation, the walk's snapshot, keyset paging and ordering.

Master-data parameters (``WD_``, ``HASATTR_``, ``EQ_ATTR_``) are first resolved, in the same
transaction, into ``EQ_`` sets of location ids from the caller's organisation's master data
(``events.master_data.resolve_query``, at most ``MAX_RESOLVED`` ids each), on every page: a
walk sees master data as it is when each page is read.

Everything else (locations by canonical id, persistent dispositions, quantities, business
transactions, sources/destinations, error-declaration details, sensors, extension fields) is
finished in Python with ``events.query.oracle.holds`` over the rows SQL selected, which are a
superset; so results always equal the oracle's. Paging is keyset (``orderBy`` value, position),
bounded by the snapshot position, so concurrent captures never shift a walk.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from contextlib import closing, contextmanager
from datetime import datetime
from typing import Any, Final

from sqlalchemy import ColumnElement, Connection, Engine, and_, false, func, or_, select

from events.adapters.engine import SQLITE_BEGIN
from events.adapters.sql_ledger import stored_event
from events.adapters.sql_master_data import SqlMasterData
from events.adapters.tables import event_links, ledger_events
from events.domain import StoredEvent
from events.master_data import resolve_query
from events.query.oracle import holds
from events.query.paging import Cursor
from events.query.params import Condition, QueryParams
from events.query.patterns import IdMatcher

_COLUMNS: Final = {
    "type": ledger_events.c.event_type,
    "eventTime": ledger_events.c.event_time,
    "recordTime": ledger_events.c.record_time,
    "eventID": ledger_events.c.event_id,
}
_JSON_FIELDS: Final = frozenset({"action", "bizStep", "disposition", "transformationID"})
_ORDER_COLUMNS: Final = {
    "eventTime": ledger_events.c.event_time,
    "recordTime": ledger_events.c.record_time,
}


@contextmanager
def event_query(engine: Engine) -> Iterator[SqlEventQuery]:
    """A read-only transaction to query in (SQLite: a plain BEGIN, no write lock)."""
    with engine.connect() as connection:
        connection.execution_options(**{SQLITE_BEGIN: "BEGIN"})
        with connection.begin():
            yield SqlEventQuery(connection)


class SqlEventQuery:
    """Run queries on one connection (inside a unit of work)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def snapshot(self) -> int:
        """The highest ledger position now: the bound of a new walk."""
        value = self._connection.execute(select(func.max(ledger_events.c.position))).scalar()
        return int(value or 0)

    def page(
        self, params: QueryParams, *, organisation_id: int, cursor: Cursor, limit: int
    ) -> tuple[list[StoredEvent], Cursor | None]:
        """Up to ``limit`` events after ``cursor``, and the cursor of the next page (None: done).

        Raises:
            QueryTooComplexError: a master-data parameter resolves to too many locations.
        """
        params = resolve_query(SqlMasterData(self._connection), organisation_id, params)
        if params.event_count_limit is not None:
            limit = min(limit, params.event_count_limit - cursor.delivered)
        found: list[StoredEvent] = []
        more = False
        with closing(self._matching(params, organisation_id, cursor)) as matching:
            for event in matching:  # closed early: the server-side cursor is released
                if len(found) == limit:
                    more = True
                    break
                found.append(event)
        if not more or not found:
            return found, None
        last = found[-1]
        key = _key_of(params, last)
        return found, Cursor(
            snapshot=cursor.snapshot,
            key=None if key is None else key.isoformat(),
            position=last.position,
            delivered=cursor.delivered + len(found),
        )

    def distinct(self, field: str, organisation_id: int, limit: int) -> list[str]:
        """Distinct values of a payload field (``bizStep``, ``readPoint.id``, …).

        For ``epc``: the instance identifiers (canonical) the organisation's events name.
        """
        if field == "epc":
            column: Any = event_links.c.item
            query = (
                select(column)
                .join(ledger_events, ledger_events.c.position == event_links.c.position)
                .where(event_links.c.role.in_(("epc", "parent", "child", "input", "output")))
            )
        else:
            column = ledger_events.c.payload[tuple(field.split("."))].as_string()
            query = select(column).where(column.is_not(None))
        query = query.where(ledger_events.c.organisation_id == organisation_id)
        rows = self._connection.execute(query.distinct().order_by(column).limit(limit))
        return [str(value) for value in rows.scalars()]

    def _matching(
        self, params: QueryParams, organisation_id: int, cursor: Cursor
    ) -> Generator[StoredEvent, None, None]:
        in_sql, in_python = _split(params.conditions)
        where = [
            ledger_events.c.organisation_id == organisation_id,
            ledger_events.c.position <= cursor.snapshot,
            *(_where(c) for c in in_sql),
        ]
        if cursor.position:
            where.append(_after(params, cursor))
        order_column = _ORDER_COLUMNS.get(params.order_by or "")
        keys = (
            [ledger_events.c.position]
            if order_column is None
            else [order_column, ledger_events.c.position]
        )
        order = [k.desc() if params.descending else k.asc() for k in keys]
        query = select(ledger_events).where(*where).order_by(*order)
        with self._connection.execute(query.execution_options(yield_per=500)) as rows:
            for row in rows:
                event = stored_event(row._mapping)  # noqa: SLF001  public row mapping
                if all(holds(c, event) for c in in_python):
                    yield event


def _split(conditions: tuple[Condition, ...]) -> tuple[list[Condition], list[Condition]]:
    in_sql: list[Condition] = []
    in_python: list[Condition] = []
    for condition in conditions:
        sql = condition.field in _COLUMNS or condition.field in _JSON_FIELDS
        sql = sql or condition.field in {"links", "location_ext", "errorDeclaration"}
        (in_sql if sql else in_python).append(condition)
    return in_sql, in_python


def _where(condition: Condition) -> ColumnElement[bool]:
    field, op, values = condition.field, condition.op, condition.values
    if op == "NONE":
        return false()
    if field == "errorDeclaration":
        return ledger_events.c.kind == "declaration"
    if field == "links":
        # Driven from event_links (its primary key starts with the item), not a per-row EXISTS:
        # the planner looks the items up first and then fetches only their events, instead of
        # probing event_links for every ledger row up to the snapshot.
        matching = select(event_links.c.position).where(
            event_links.c.role.in_(condition.key.split(",")),
            or_(*(_item(m) for m in values)),
        )
        return ledger_events.c.position.in_(matching)
    column: Any = _COLUMNS.get(field)
    if column is None:
        column = ledger_events.c.payload[field].as_string()
    if op == "GE":
        return column >= values[0]  # type: ignore[no-any-return]
    if op == "LT":
        return column < values[0]  # type: ignore[no-any-return]
    return column.in_(values)  # type: ignore[no-any-return]


def _item(matcher: IdMatcher) -> ColumnElement[bool]:
    if matcher.exact is not None:
        return event_links.c.item == matcher.exact
    like = str(matcher.like)
    return or_(event_links.c.item.like(like), event_links.c.item.like(like + "/%"))


def _after(params: QueryParams, cursor: Cursor) -> ColumnElement[bool]:
    position = ledger_events.c.position
    column = _ORDER_COLUMNS.get(params.order_by or "")
    if column is None or cursor.key is None:
        return position < cursor.position if params.descending else position > cursor.position
    key = datetime.fromisoformat(cursor.key)
    # The first bound repeats what the OR says so the planner can range-scan the
    # (organisation_id, time, position) index in order; with the OR alone SQLite sorted every
    # matching row of the organisation for each page (1 s per page at 1,000,000 events).
    if params.descending:
        return and_(
            column <= key, or_(column < key, and_(column == key, position < cursor.position))
        )
    return and_(column >= key, or_(column > key, and_(column == key, position > cursor.position)))


def _key_of(params: QueryParams, event: StoredEvent) -> datetime | None:
    if params.order_by == "eventTime":
        return event.record.event_time
    if params.order_by == "recordTime":
        return event.record_time
    return None

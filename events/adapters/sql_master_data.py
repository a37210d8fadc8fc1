"""Master data on SQLite and PostgreSQL: upserted per organisation, looked up by canonical id.

For queries (``events.master_data.resolve_query``): elements by id and type (to walk location
hierarchies) and elements having an attribute (a JSON key test, ``->>`` on PostgreSQL and
``JSON_EXTRACT`` on SQLite, whose JSON paths cannot quote a double quote: query attribute names
never hold one, see ``events.query.params``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from events.adapters.tables import master_data
from events.domain.master_data import VocabularyElement

_CHUNK = 500
_NAMES_PER_QUERY = 100  # OR-ed JSON key tests per statement (SQLite's expression depth is 1000)


class SqlMasterData:
    """Vocabulary elements over the caller's connection."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._dialect = connection.dialect.name

    def store(
        self, organisation_id: int, elements: Iterable[VocabularyElement], now: datetime
    ) -> int:
        """Insert or replace the organisation's elements; return how many."""
        rows = [
            {
                "organisation_id": organisation_id,
                "vocabulary_type": e.vocabulary_type,
                "element_id": e.element_id,
                "original_id": e.original_id,
                "attributes": e.attributes,
                "children": list(e.children),
                "updated_at": now,
            }
            for e in elements
        ]
        if rows:
            self._connection.execute(_upsert(self._dialect), rows)
        return len(rows)

    def lookup(
        self, organisation_id: int, element_ids: Iterable[str]
    ) -> dict[str, VocabularyElement]:
        """The organisation's elements with these canonical ids."""
        wanted = sorted(set(element_ids))
        found: dict[str, VocabularyElement] = {}
        for start in range(0, len(wanted), _CHUNK):
            query = select(master_data).where(
                master_data.c.element_id.in_(wanted[start : start + _CHUNK])
            )
            if organisation_id is not None:
                query = query.where(master_data.c.organisation_id == organisation_id)
            for row in self._connection.execute(query):
                element = _element(row._mapping)  # noqa: SLF001  public row mapping
                found[element.element_id] = element
        return found

    def elements(
        self, organisation_id: int, element_ids: Collection[str], vocabulary_types: Sequence[str]
    ) -> list[VocabularyElement]:
        """The organisation's elements of these types with these canonical ids."""
        wanted = sorted(set(element_ids))
        found: list[VocabularyElement] = []
        for start in range(0, len(wanted), _CHUNK):
            query = select(master_data).where(
                master_data.c.organisation_id == organisation_id,
                master_data.c.vocabulary_type.in_(vocabulary_types),
                master_data.c.element_id.in_(wanted[start : start + _CHUNK]),
            )
            found.extend(_element(row._mapping) for row in self._connection.execute(query))  # noqa: SLF001
        return found

    def with_attributes(
        self, organisation_id: int, names: Collection[str], vocabulary_types: Sequence[str]
    ) -> Iterator[VocabularyElement]:
        """The organisation's elements of these types with a non-null attribute keyed by a name.

        ``names`` are keys as stored; an element may come more than once (one per statement).
        """
        keys = sorted(set(names))
        for start in range(0, len(keys), _NAMES_PER_QUERY):
            present = [
                master_data.c.attributes[key].as_string().is_not(None)
                for key in keys[start : start + _NAMES_PER_QUERY]
            ]
            query = select(master_data).where(
                master_data.c.organisation_id == organisation_id,
                master_data.c.vocabulary_type.in_(vocabulary_types),
                or_(*present),
            )
            with self._connection.execute(query.execution_options(yield_per=500)) as rows:
                yield from (_element(row._mapping) for row in rows)  # noqa: SLF001

    def of_type(
        self, organisation_id: int, vocabulary_type: str | None, limit: int
    ) -> list[VocabularyElement]:
        """The organisation's elements, optionally of one vocabulary type, by id."""
        query = select(master_data).where(master_data.c.organisation_id == organisation_id)
        if vocabulary_type:
            query = query.where(master_data.c.vocabulary_type == vocabulary_type)
        rows = self._connection.execute(query.order_by(master_data.c.element_id).limit(limit))
        return [_element(row._mapping) for row in rows]  # noqa: SLF001


@cache
def _upsert(dialect: str) -> Any:  # noqa: ANN401  a dialect's INSERT … ON CONFLICT statement
    statement = (pg_insert if dialect == "postgresql" else sqlite_insert)(master_data)
    return statement.on_conflict_do_update(
        index_elements=[
            master_data.c.organisation_id,
            master_data.c.vocabulary_type,
            master_data.c.element_id,
        ],
        set_={
            c: statement.excluded[c]
            for c in ("original_id", "attributes", "children", "updated_at")
        },
    )


def _element(row: Any) -> VocabularyElement:  # noqa: ANN401  a SQLAlchemy RowMapping
    return VocabularyElement(
        vocabulary_type=row["vocabulary_type"],
        element_id=row["element_id"],
        original_id=row["original_id"],
        attributes=dict(row["attributes"] or {}),
        children=tuple(row["children"] or ()),
    )

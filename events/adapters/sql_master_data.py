"""Master data on SQLite and PostgreSQL: upserted per organisation, looked up by canonical id."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from events.adapters.tables import master_data
from events.domain.master_data import VocabularyElement

_CHUNK = 500


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

"""Recall cases on SQLite and PostgreSQL: cases, their holders and confirmations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from events.adapters.tables import recall_cases, recall_confirmations, recall_holders
from events.domain.recalls import CLOSED, Confirmation, HolderProgress, RecallCase


class SqlRecalls:
    """Recall cases over the caller's connection."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, case: RecallCase) -> None:
        """Store a new case and its holders."""
        self._connection.execute(
            recall_cases.insert().values(
                id=case.id,
                organisation_id=case.organisation_id,
                reason=case.reason,
                codes=list(case.codes),
                include_siblings=case.include_siblings,
                status=case.status,
                created_at=case.created_at,
                closed_at=case.closed_at,
                scope=dict(case.scope),
                hold_event_ids=list(case.hold_event_ids),
            )
        )
        if case.holders:
            self._connection.execute(
                recall_holders.insert(),
                [
                    {
                        "recall_id": case.id,
                        "holder": h.holder,
                        "biz_location": h.biz_location,
                        "items": h.items,
                        "expected_quantity": h.expected_quantity,
                        "uom": h.uom,
                        "returned": h.returned,
                        "destroyed": h.destroyed,
                        "updated_at": h.updated_at,
                    }
                    for h in case.holders
                ],
            )

    def get(self, organisation_id: int | None, case_id: str) -> RecallCase | None:
        """The organisation's case with this id (``None``: any organisation's, for operators)."""
        query = select(recall_cases).where(recall_cases.c.id == case_id)
        if organisation_id is not None:
            query = query.where(recall_cases.c.organisation_id == organisation_id)
        row = self._connection.execute(query).first()
        return self._case(row._mapping) if row else None  # noqa: SLF001  public row mapping

    def list(self, organisation_id: int, limit: int = 100) -> list[RecallCase]:
        """The organisation's cases, newest first."""
        rows = self._connection.execute(
            select(recall_cases)
            .where(recall_cases.c.organisation_id == organisation_id)
            .order_by(recall_cases.c.created_at.desc(), recall_cases.c.id)
            .limit(limit)
        )
        return [self._case(row._mapping) for row in rows]  # noqa: SLF001

    def record_confirmation(self, case_id: str, progress: HolderProgress) -> None:
        """Set the holder's totals and append the confirmation to the timeline."""
        self._connection.execute(
            update(recall_holders)
            .where(recall_holders.c.recall_id == case_id)
            .where(recall_holders.c.holder == progress.holder)
            .values(
                returned=progress.returned,
                destroyed=progress.destroyed,
                updated_at=progress.updated_at,
            )
        )
        self._connection.execute(
            recall_confirmations.insert().values(
                recall_id=case_id,
                holder=progress.holder,
                returned=progress.returned,
                destroyed=progress.destroyed,
                at=progress.updated_at,
            )
        )

    def close(self, case_id: str, at: datetime) -> None:
        """Mark the case closed."""
        self._connection.execute(
            update(recall_cases)
            .where(recall_cases.c.id == case_id)
            .values(status=CLOSED, closed_at=at)
        )

    def _case(self, row: Any) -> RecallCase:  # noqa: ANN401  a SQLAlchemy RowMapping
        holders = self._connection.execute(
            select(recall_holders)
            .where(recall_holders.c.recall_id == row["id"])
            .order_by(recall_holders.c.holder)
        )
        confirmations = self._connection.execute(
            select(recall_confirmations)
            .where(recall_confirmations.c.recall_id == row["id"])
            .order_by(recall_confirmations.c.id)
        )
        return RecallCase(
            id=row["id"],
            organisation_id=row["organisation_id"],
            reason=row["reason"],
            codes=tuple(row["codes"]),
            include_siblings=row["include_siblings"],
            created_at=row["created_at"],
            scope=row["scope"],
            hold_event_ids=tuple(row["hold_event_ids"]),
            status=row["status"],
            closed_at=row["closed_at"],
            holders=tuple(
                HolderProgress(
                    h.holder,
                    h.biz_location,
                    h.items,
                    h.expected_quantity,
                    h.uom,
                    h.returned,
                    h.destroyed,
                    h.updated_at,
                )
                for h in holders
            ),
            confirmations=tuple(
                Confirmation(c.holder, c.returned, c.destroyed, c.at) for c in confirmations
            ),
        )

"""Subscriptions, their durable ledger cursor and the delivery log on SQLite and PostgreSQL.

The cursor (``subscriptions.last_position``) is the outbox of EPCIS 2.0 subscriptions (REST
binding ``/queries/{name}/subscriptions``): events of the organisation at positions above it
are still to be notified. It moves only together with the delivery-log row of a 2xx answer, in
the caller's transaction, and only from the value the delivery started at (no skipping ahead,
no rewinding by a slower worker). A worker claims a subscription by pushing ``next_attempt_at``
forward (a lease), so two workers never deliver the same subscription at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self

from sqlalchemy import Connection, and_, delete, exists, func, insert, or_, select, update

from events.adapters.sql_ledger import stored_event
from events.adapters.sql_uow import SqlUnitOfWork
from events.adapters.tables import (
    ledger_events,
    named_queries,
    subscription_deliveries,
    subscriptions,
)
from events.domain import StoredEvent
from events.subscriptions import Delivery, Subscription

_subs = subscriptions.c
_ledger = ledger_events.c


class SqlSubscriptions:
    """Named-query lookup, subscriptions, pending events and delivery log, in one transaction."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def named_query(self, name: str) -> tuple[int, dict[str, Any]] | None:
        """The owning organisation and the parameters of a named query, or ``None``."""
        row = self._connection.execute(
            select(named_queries.c.organisation_id, named_queries.c.query).where(
                named_queries.c.name == name
            )
        ).one_or_none()
        return None if row is None else (int(row[0]), dict(row[1] or {}))

    def add_named_query(
        self, name: str, organisation_id: int, query: dict[str, Any], now: datetime
    ) -> None:
        """Store a named query (tests and tools; the query API owns ``POST /queries``)."""
        self._connection.execute(
            insert(named_queries).values(
                name=name, organisation_id=organisation_id, query=query, created_at=now
            )
        )

    def named_queries_of(self, organisation_id: int) -> list[tuple[str, dict[str, Any], datetime]]:
        """An organisation's named queries: (name, parameters, created at), by name."""
        query = (
            select(named_queries.c.name, named_queries.c.query, named_queries.c.created_at)
            .where(named_queries.c.organisation_id == organisation_id)
            .order_by(named_queries.c.name)
        )
        return [(row[0], dict(row[1] or {}), row[2]) for row in self._connection.execute(query)]

    def delete_named_query(self, name: str) -> bool:
        """Delete a named query that no subscription refers to; False when one does."""
        used = self._connection.execute(
            select(func.count())
            .select_from(subscriptions)
            .where(subscriptions.c.query_name == name)
        ).scalar()
        if used:
            return False
        self._connection.execute(delete(named_queries).where(named_queries.c.name == name))
        return True

    def start_position(self, organisation_id: int, initial_record_time: datetime | None) -> int:
        """The cursor of a new subscription: before ``initialRecordTime``, else the ledger end."""
        if initial_record_time is None:
            value = self._connection.execute(select(func.max(_ledger.position))).scalar()
            return int(value or 0)
        first = self._connection.execute(
            select(func.min(_ledger.position)).where(
                _ledger.organisation_id == organisation_id,
                _ledger.record_time >= initial_record_time,
            )
        ).scalar()
        if first is None:
            return self.start_position(organisation_id, None)
        return int(first) - 1

    def add(self, subscription: Subscription) -> None:
        """Store a new subscription."""
        self._connection.execute(insert(subscriptions).values(**_row(subscription)))

    def get(self, subscription_id: str) -> Subscription | None:
        """A live (not deleted) subscription."""
        row = self._connection.execute(
            select(subscriptions).where(_subs.id == subscription_id, _subs.deleted_at.is_(None))
        ).one_or_none()
        return None if row is None else _to_subscription(row._mapping)  # noqa: SLF001

    def of_query(self, organisation_id: int, query_name: str) -> list[Subscription]:
        """The organisation's live subscriptions to one query, oldest first."""
        rows = self._connection.execute(
            select(subscriptions)
            .where(
                _subs.organisation_id == organisation_id,
                _subs.query_name == query_name,
                _subs.deleted_at.is_(None),
            )
            .order_by(_subs.created_at, _subs.id)
        )
        return [_to_subscription(row._mapping) for row in rows]  # noqa: SLF001

    def delete(self, subscription_id: str, now: datetime) -> bool:
        """Mark a subscription deleted (its delivery log stays); ``False`` if it was not live."""
        result = self._connection.execute(
            update(subscriptions)
            .where(_subs.id == subscription_id, _subs.deleted_at.is_(None))
            .values(deleted_at=now)
        )
        return result.rowcount == 1

    def due(self, now: datetime, limit: int = 50) -> list[Subscription]:
        """Live subscriptions to attempt now.

        Those whose scheduled or retry time has passed, and stream subscriptions with events of
        their organisation beyond the cursor.
        """
        pending = exists().where(
            _ledger.organisation_id == _subs.organisation_id,
            _ledger.position > _subs.last_position,
        )
        rows = self._connection.execute(
            select(subscriptions)
            .where(
                _subs.deleted_at.is_(None),
                or_(
                    _subs.next_attempt_at <= now,
                    and_(_subs.next_attempt_at.is_(None), _subs.stream.is_(True), pending),
                ),
            )
            .order_by(_subs.next_attempt_at, _subs.id)
            .limit(limit)
        )
        return [_to_subscription(row._mapping) for row in rows]  # noqa: SLF001

    def claim(self, subscription: Subscription, now: datetime, lease_until: datetime) -> bool:
        """Take a due subscription for one delivery run (``False``: another worker has it)."""
        result = self._connection.execute(
            update(subscriptions)
            .where(
                _subs.id == subscription.id,
                _subs.deleted_at.is_(None),
                _subs.last_position == subscription.last_position,
                or_(_subs.next_attempt_at.is_(None), _subs.next_attempt_at <= now),
            )
            .values(next_attempt_at=lease_until)
        )
        return result.rowcount == 1

    def pending(self, subscription: Subscription, limit: int) -> list[StoredEvent]:
        """Up to ``limit`` events of the organisation after the cursor, in ledger order."""
        query = (
            select(ledger_events)
            .where(
                _ledger.organisation_id == subscription.organisation_id,
                _ledger.position > subscription.last_position,
            )
            .order_by(_ledger.position)
            .limit(limit)
        )
        if subscription.initial_record_time is not None:
            query = query.where(_ledger.record_time >= subscription.initial_record_time)
        rows = self._connection.execute(query)
        return [stored_event(row._mapping) for row in rows]  # noqa: SLF001

    def advance(
        self,
        subscription: Subscription,
        cursor: int,
        *,
        delivery: Delivery | None,
        next_attempt_at: datetime | None,
        notified_at: datetime | None,
    ) -> bool:
        """Move the cursor to ``cursor`` and log the (successful) delivery, if any.

        Only from where ``subscription`` had it: ``False``, and nothing written, if it moved.
        """
        values: dict[str, Any] = {
            "last_position": cursor,
            "failures": 0,
            "next_attempt_at": next_attempt_at,
        }
        if notified_at is not None:
            values["last_notified_at"] = notified_at
        result = self._connection.execute(
            update(subscriptions)
            .where(_subs.id == subscription.id, _subs.last_position == subscription.last_position)
            .values(**values)
        )
        if result.rowcount != 1:
            return False
        if delivery is not None:
            self._log(subscription.id, delivery)
        return True

    def failed(
        self, subscription: Subscription, delivery: Delivery, next_attempt_at: datetime
    ) -> None:
        """Log a failed attempt, count it and set the retry time; the cursor stays."""
        self._log(subscription.id, delivery)
        self._connection.execute(
            update(subscriptions)
            .where(_subs.id == subscription.id)
            .values(failures=_subs.failures + 1, next_attempt_at=next_attempt_at)
        )

    def deliveries(self, subscription_id: str, limit: int = 100) -> list[Delivery]:
        """The latest delivery attempts of a subscription, newest first."""
        table = subscription_deliveries.c
        rows = self._connection.execute(
            select(subscription_deliveries)
            .where(table.subscription_id == subscription_id)
            .order_by(table.id.desc())
            .limit(limit)
        )
        return [
            Delivery(
                attempted_at=row.attempted_at,
                first_position=int(row.first_position),
                last_position=int(row.last_position),
                event_count=row.event_count,
                status_code=row.status_code,
                error=row.error,
                succeeded=row.succeeded,
            )
            for row in rows
        ]

    def _log(self, subscription_id: str, delivery: Delivery) -> None:
        self._connection.execute(
            insert(subscription_deliveries).values(
                subscription_id=subscription_id,
                first_position=delivery.first_position,
                last_position=delivery.last_position,
                event_count=delivery.event_count,
                attempted_at=delivery.attempted_at,
                status_code=delivery.status_code,
                error=(delivery.error or None) and delivery.error[:500],
                succeeded=delivery.succeeded,
            )
        )


class SubscriptionsUnitOfWork(SqlUnitOfWork):
    """The unit of work, plus ``subscriptions`` (``SqlSubscriptions``) on the same transaction."""

    subscriptions: SqlSubscriptions

    def __enter__(self) -> Self:
        """Begin, and wire the subscription store to the transaction's connection."""
        super().__enter__()
        if self._connection is None:  # pragma: no cover  set by SqlUnitOfWork.__enter__
            raise RuntimeError("no connection")
        self.subscriptions = SqlSubscriptions(self._connection)
        return self


def _row(subscription: Subscription) -> dict[str, Any]:
    return {
        "id": subscription.id,
        "organisation_id": subscription.organisation_id,
        "query_name": subscription.query_name,
        "dest": subscription.dest,
        "signature_token": subscription.signature_token,
        "stream": subscription.stream,
        "schedule": subscription.schedule,
        "initial_record_time": subscription.initial_record_time,
        "report_if_empty": subscription.report_if_empty,
        "last_position": subscription.last_position,
        "last_notified_at": subscription.last_notified_at,
        "next_attempt_at": subscription.next_attempt_at,
        "failures": subscription.failures,
        "created_at": subscription.created_at,
        "deleted_at": subscription.deleted_at,
    }


def _to_subscription(row: Any) -> Subscription:  # noqa: ANN401  a SQLAlchemy RowMapping
    values = {key: row[key] for key in _row_keys()}
    values["last_position"] = int(values["last_position"])
    return Subscription(**values)


def _row_keys() -> tuple[str, ...]:
    return tuple(c.name for c in subscriptions.columns)


__all__ = ["SqlSubscriptions", "SubscriptionsUnitOfWork"]

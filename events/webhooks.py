"""At-least-once webhook delivery of subscriptions (EPCIS 2.0 REST binding, subscriptions).

``deliver_due`` is called by every worker loop. For each due subscription it claims a lease,
reads the organisation's events after the subscription's durable cursor, keeps those the named
query matches, and ``POST``s them in ledger order, at most ``batch_size`` per request, as an
``EPCISQueryDocument`` (JSON-LD) with the headers ``GS1-Signature`` (see ``webhook_http``),
``GS1-Query-Name`` (percent-encoded UTF-8) and ``GS1-Subscription-ID``. Only a 2xx answer moves
the cursor, in the same transaction as the delivery-log row; any other outcome is logged,
counted, and retried after ``subscriptions.backoff`` (1 s · 2^(n-1), at most 10 min), from the
same position. A worker that dies between the ``POST`` and the commit makes the next worker
send that batch again: receivers deduplicate by ``eventID``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, Self
from urllib.parse import quote

from events.codec import write_query_document
from events.domain import StoredEvent
from events.master_data import resolve_query
from events.ports import Clock
from events.query import QueryParams, QueryTooComplexError, matches, parse_query
from events.subscriptions import Delivery, Subscription, backoff, next_fire
from events.webhook_http import WebhookResult, post, signature

BATCH_SIZE = 100
SCAN_SIZE = 1000
MAX_BATCHES_PER_RUN = 10
LEASE = timedelta(seconds=60)

Sender = Callable[[str, bytes, Mapping[str, str]], WebhookResult]
Matcher = Callable[[StoredEvent], bool]


class SubscriptionsUnitOfWork(Protocol):
    """A unit of work holding ``subscriptions`` (``events.adapters.sql_subscriptions``)."""

    subscriptions: Any
    master_data: Any

    def __enter__(self) -> Self:
        """Begin."""
        ...

    def __exit__(self, *exc: object) -> None:
        """Roll back what was not committed."""
        ...

    def commit(self) -> None:
        """Commit."""
        ...


def deliver_due(  # noqa: PLR0913
    uow_factory: Callable[[], SubscriptionsUnitOfWork],
    clock: Clock,
    now: datetime,
    *,
    allow_private: bool = False,
    send: Sender | None = None,
    batch_size: int | None = None,
) -> int:
    """Deliver what is due at ``now``; the number of notifications the receivers accepted.

    ``batch_size`` is the most events in one notification (default ``BATCH_SIZE``).
    """
    if send is None:

        def send(url: str, body: bytes, headers: Mapping[str, str]) -> WebhookResult:
            return post(url, body, headers, allow_private=allow_private)

    with uow_factory() as uow:
        due: list[Subscription] = uow.subscriptions.due(now)
    accepted = 0
    for subscription in due:
        with uow_factory() as uow:
            claimed = uow.subscriptions.claim(subscription, now, now + LEASE)
            named = uow.subscriptions.named_query(subscription.query_name)
            uow.commit()
        if not claimed:
            continue
        run = _Run(uow_factory, clock, now, send, batch_size or BATCH_SIZE)
        try:
            params = query_params(named[1] if named is not None else {})
            # WD_/HASATTR_/EQ_ATTR_ read the subscriber's master data as of this run, as a query
            with uow_factory() as uow:
                params = resolve_query(uow.master_data, subscription.organisation_id, params)
        except (ValueError, QueryTooComplexError) as exc:  # refused: retry with backoff
            run.fail(subscription, f"invalid query {subscription.query_name}: {exc}")
            continue
        match = _matcher(params)
        accepted += run.deliver(subscription, match)
    return accepted


class _Run:
    """One delivery run of one claimed subscription."""

    def __init__(
        self,
        uow_factory: Callable[[], SubscriptionsUnitOfWork],
        clock: Clock,
        now: datetime,
        send: Sender,
        batch_size: int,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._now = now
        self._send = send
        self._batch_size = batch_size

    def deliver(self, subscription: Subscription, match: Matcher) -> int:
        """Send batches until caught up, a failure, or the per-run limit."""
        accepted = 0
        rounds = MAX_BATCHES_PER_RUN
        for round_ in range(rounds):
            with self._uow_factory() as uow:
                scanned: list[StoredEvent] = uow.subscriptions.pending(subscription, SCAN_SIZE)
            batch, cursor = self._select(subscription, scanned, match)
            caught_up = len(scanned) < SCAN_SIZE and (not scanned or cursor == scanned[-1].position)
            if caught_up:
                after = None if subscription.stream else _next(subscription, self._now)
            else:
                last = round_ == rounds - 1
                after = self._now if last else self._now + LEASE
            empty_report = not subscription.stream and subscription.report_if_empty
            if not batch and not (caught_up and empty_report and accepted == 0):
                with self._uow_factory() as uow:  # nothing to send: just move past non-matches
                    uow.subscriptions.advance(
                        subscription, cursor, delivery=None, next_attempt_at=after, notified_at=None
                    )
                    uow.commit()
            elif not self._notify(subscription, batch, cursor, after):
                return accepted
            else:
                accepted += 1
            subscription = replace(subscription, last_position=cursor, failures=0)
            if caught_up:
                break
        return accepted

    def fail(self, subscription: Subscription, error: str) -> None:
        """Log a failed attempt without sending anything; retry after the backoff."""
        delivery = Delivery(
            attempted_at=self._clock.now(),
            first_position=subscription.last_position,
            last_position=subscription.last_position,
            event_count=0,
            status_code=None,
            error=error,
            succeeded=False,
        )
        with self._uow_factory() as uow:
            retry = self._now + backoff(subscription.failures + 1)
            uow.subscriptions.failed(subscription, delivery, retry)
            uow.commit()

    def _select(
        self, subscription: Subscription, scanned: Sequence[StoredEvent], match: Matcher
    ) -> tuple[list[StoredEvent], int]:
        batch: list[StoredEvent] = []
        cursor = subscription.last_position
        for event in scanned:
            cursor = event.position
            if match(event):
                batch.append(event)
                if len(batch) == self._batch_size:
                    break
        return batch, cursor

    def _notify(
        self,
        subscription: Subscription,
        batch: Sequence[StoredEvent],
        cursor: int,
        after: datetime | None,
    ) -> bool:
        body = document_bytes(subscription.query_name, batch, self._clock.now())
        headers = {
            "Content-Type": "application/ld+json",
            "GS1-EPCIS-Version": "2.0.0",
            "GS1-CBV-Version": "2.0.0",
            "GS1-Query-Name": quote(subscription.query_name, safe=""),
            "GS1-Subscription-ID": subscription.id,
        }
        if subscription.signature_token:
            headers["GS1-Signature"] = signature(body, subscription.signature_token)
        result = self._send(subscription.dest, body, headers)
        attempted = self._clock.now()
        first = batch[0].position if batch else subscription.last_position
        delivery = Delivery(
            attempted_at=attempted,
            first_position=first,
            last_position=cursor,
            event_count=len(batch),
            status_code=result.status,
            error=result.error or (None if result.ok else f"HTTP {result.status}"),
            succeeded=result.ok,
        )
        with self._uow_factory() as uow:
            if result.ok:
                uow.subscriptions.advance(
                    subscription,
                    cursor,
                    delivery=delivery,
                    next_attempt_at=after,
                    notified_at=attempted,
                )
            else:
                retry = self._now + backoff(subscription.failures + 1)
                uow.subscriptions.failed(subscription, delivery, retry)
            uow.commit()
        return result.ok


def document_bytes(query_name: str, events: Sequence[StoredEvent], created: datetime) -> bytes:
    """The ``EPCISQueryDocument`` notified for ``events`` (each with its ``recordTime``)."""
    payloads = [
        {**event.record.payload, "recordTime": _iso(event.record_time)}
        if "recordTime" not in event.record.payload
        else event.record.payload
        for event in events
    ]
    document = write_query_document(payloads, creation_date=_iso(created), query_name=query_name)
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def query_params(query: Mapping[str, Any]) -> QueryParams:
    """The parsed parameters of a stored EPCIS query object (``{"eventType": ["ObjectEvent"]}``).

    Each value is a string or a list of them, passed to the query engine as repeated parameters.

    Raises:
        ValueError: the stored query has an unknown parameter or an invalid value.
    """
    pairs = [
        (name, _text(item))
        for name, value in query.items()
        for item in (value if isinstance(value, list) else [value])
    ]
    return parse_query(pairs)


def _matcher(params: QueryParams) -> Matcher:
    """Whether a stored event matches (``events.query.matches``; master data already resolved)."""
    return lambda event: matches(params, event)


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _next(subscription: Subscription, now: datetime) -> datetime | None:
    return None if subscription.schedule is None else next_fire(subscription.schedule, now)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")

"""Subscriptions to named queries: what they are, how a request is validated, when one is due.

EPCIS 2.0 §8.2.5 (subscriptions) and the REST binding's ``/queries/{name}/subscriptions``.

A subscription is **either** a stream (``stream: true``: notified whenever new matching events
are captured) **or** scheduled (``schedule``: notified at cron-like times, EPCIS 1.2 §8.2.5.3
``QuerySchedule``). Delivery (``events.webhooks``) walks a durable cursor over ledger positions.

Schedule semantics (times in UTC): each of ``second`` (0-59), ``minute`` (0-59), ``hour``
(0-23), ``dayOfMonth`` (1-31), ``month`` (1-12) and ``dayOfWeek`` (1-7, 1 = Monday) is a
comma-separated list of numbers or ranges ``a-b`` (``[a-b]`` also accepted), or ``*`` for every
value. An omitted field finer than the finest given field means its lowest value (so
``{"hour": "2"}`` is 02:00:00 every day, ``{"month": "1"}`` 1 January 00:00:00); an omitted
coarser field, and an omitted ``dayOfWeek``, means every value. A time
matches when every field matches (``dayOfMonth`` and ``dayOfWeek`` both).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

FIELDS: tuple[tuple[str, int, int], ...] = (
    ("second", 0, 59),
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("dayOfMonth", 1, 31),
    ("month", 1, 12),
    ("dayOfWeek", 1, 7),
)
# How fine a field is; dayOfWeek ranks with dayOfMonth (both pick days).
_RANK = {"second": 0, "minute": 1, "hour": 2, "dayOfMonth": 3, "dayOfWeek": 3, "month": 4}
BACKOFF_BASE = timedelta(seconds=1)
BACKOFF_CAP = timedelta(minutes=10)
_ITEM = re.compile(r"^\[?(\d{1,2})(?:-(\d{1,2}))?\]?$")
_SEARCH_LIMIT = timedelta(days=366 * 5)


class SubscriptionError(ValueError):
    """A subscription request is not valid; the message says which field and why."""


@dataclass(frozen=True, slots=True)
class Subscription:
    """One subscription as stored: its query, destination, trigger and delivery cursor."""

    id: str
    organisation_id: int
    query_name: str
    dest: str
    signature_token: str | None
    stream: bool
    schedule: dict[str, str] | None
    initial_record_time: datetime | None
    report_if_empty: bool
    last_position: int
    created_at: datetime
    last_notified_at: datetime | None = None
    next_attempt_at: datetime | None = None
    failures: int = 0
    deleted_at: datetime | None = None

    @property
    def min_record_time(self) -> datetime:
        """EPCIS ``minRecordTime``: the next notification holds events recorded from here on."""
        return self.last_notified_at or self.initial_record_time or self.created_at

    def to_json(self) -> dict[str, Any]:
        """The REST representation (the token is never shown back)."""
        body: dict[str, Any] = {
            "subscriptionID": self.id,
            "queryName": self.query_name,
            "dest": self.dest,
            "signed": self.signature_token is not None,
            "reportIfEmpty": self.report_if_empty,
            "createdAt": _iso(self.created_at),
            "lastNotifiedAt": _iso(self.last_notified_at),
            "minRecordTime": _iso(self.min_record_time),
            "initialRecordTime": _iso(self.initial_record_time),
            "lastPosition": self.last_position,
            "failures": self.failures,
            "nextAttemptAt": _iso(self.next_attempt_at),
        }
        if self.stream:
            body["stream"] = True
        else:
            body["schedule"] = self.schedule
        return body


@dataclass(frozen=True, slots=True)
class Delivery:
    """One delivery attempt, as the delivery log keeps it."""

    attempted_at: datetime
    first_position: int
    last_position: int
    event_count: int
    status_code: int | None
    error: str | None
    succeeded: bool

    def to_json(self) -> dict[str, Any]:
        """The REST representation (our extension)."""
        return {
            "attemptedAt": _iso(self.attempted_at),
            "firstPosition": self.first_position,
            "lastPosition": self.last_position,
            "eventCount": self.event_count,
            "statusCode": self.status_code,
            "error": self.error,
            "succeeded": self.succeeded,
        }


def new_subscription(
    body: Mapping[str, Any], *, organisation_id: int, query_name: str, now: datetime
) -> Subscription:
    """Validate a ``POST …/subscriptions`` body; the cursor is set later from the ledger.

    Raises:
        SubscriptionError: a field is missing or not valid (stream and schedule: exactly one).
    """
    dest = body.get("dest")
    if not isinstance(dest, str) or not dest:
        raise SubscriptionError("dest: a URL is required")
    token = body.get("signatureToken")
    if token is not None and (not isinstance(token, str) or not token):
        raise SubscriptionError("signatureToken: expected a non-empty string")
    stream = body.get("stream", False)
    schedule = body.get("schedule")
    if not isinstance(stream, bool):
        raise SubscriptionError("stream: expected true or false")
    if stream == (schedule is not None):
        raise SubscriptionError("give either stream: true or a schedule (exactly one)")
    report_if_empty = body.get("reportIfEmpty", False)
    if not isinstance(report_if_empty, bool):
        raise SubscriptionError("reportIfEmpty: expected true or false")
    initial = body.get("initialRecordTime")
    initial_time = None
    if initial is not None:
        initial_time = _parse_time(initial)
    parsed = None if schedule is None else validate_schedule(schedule)
    subscription = Subscription(
        id=uuid.uuid4().hex,
        organisation_id=organisation_id,
        query_name=query_name,
        dest=dest,
        signature_token=token,
        stream=stream,
        schedule=parsed,
        initial_record_time=initial_time,
        report_if_empty=report_if_empty,
        last_position=0,
        created_at=now,
    )
    if parsed is not None:
        return replace(subscription, next_attempt_at=next_fire(parsed, now))
    return subscription


def validate_schedule(schedule: object) -> dict[str, str]:
    """The schedule's fields as strings, each checked.

    Raises:
        SubscriptionError: not an object, an unknown field, a bad value, or no field at all.
    """
    if not isinstance(schedule, Mapping):
        raise SubscriptionError("schedule: expected an object")
    names = {name for name, _, _ in FIELDS}
    unknown = sorted(set(schedule) - names)
    if unknown:
        raise SubscriptionError(f"schedule.{unknown[0]}: unknown field")
    result = {str(k): str(v).strip() for k, v in schedule.items() if v is not None}
    if not result:
        raise SubscriptionError("schedule: give at least one of " + ", ".join(sorted(names)))
    for name, low, high in FIELDS:
        if name in result:
            _values(name, result[name], low, high)
    return result


def next_fire(schedule: Mapping[str, str], after: datetime) -> datetime:
    """The first whole second strictly after ``after`` that the schedule matches (UTC)."""
    sets = _sets(schedule)
    t = after.astimezone(UTC).replace(microsecond=0) + timedelta(seconds=1)
    limit = t + _SEARCH_LIMIT
    while t < limit:
        if t.month not in sets["month"]:
            t = (t.replace(day=1) + timedelta(days=32)).replace(day=1, hour=0, minute=0, second=0)
        elif t.day not in sets["dayOfMonth"] or t.isoweekday() not in sets["dayOfWeek"]:
            t = t.replace(hour=0, minute=0, second=0) + timedelta(days=1)
        elif t.hour not in sets["hour"]:
            t = t.replace(minute=0, second=0) + timedelta(hours=1)
        elif t.minute not in sets["minute"]:
            t = t.replace(second=0) + timedelta(minutes=1)
        elif t.second not in sets["second"]:
            t += timedelta(seconds=1)
        else:
            return t
    raise SubscriptionError("schedule: never fires (e.g. 31 February)")


def backoff(failures: int) -> timedelta:
    """Delay before the next attempt after ``failures`` consecutive failures.

    1 s · 2^(failures - 1), at most 10 minutes, no jitter: 1, 2, 4, … 512, 600, 600 s.
    """
    if failures < 1:
        return timedelta(0)
    delay: timedelta = BACKOFF_BASE * 2 ** min(failures - 1, 20)
    return min(delay, BACKOFF_CAP)


def _sets(schedule: Mapping[str, str]) -> dict[str, frozenset[int]]:
    finest = min((_RANK[name] for name in schedule), default=len(FIELDS))
    sets = {}
    for name, low, high in FIELDS:
        if name in schedule:
            sets[name] = _values(name, schedule[name], low, high)
        elif _RANK[name] < finest and name != "dayOfWeek":
            sets[name] = frozenset({low})
        else:
            sets[name] = frozenset(range(low, high + 1))
    return sets


def _values(name: str, raw: str, low: int, high: int) -> frozenset[int]:
    if raw == "*":
        return frozenset(range(low, high + 1))
    values: set[int] = set()
    for item in raw.split(","):
        match = _ITEM.match(item.strip())
        if match is None:
            raise SubscriptionError(f"schedule.{name}: {raw!r} is not a number, range or list")
        start = int(match[1])
        end = int(match[2]) if match[2] else start
        if not low <= start <= end <= high:
            raise SubscriptionError(f"schedule.{name}: {item!r} is outside {low}-{high}")
        values.update(range(start, end + 1))
    return frozenset(values)


def _parse_time(raw: object) -> datetime:
    try:
        value = datetime.fromisoformat(str(raw))
    except ValueError:
        raise SubscriptionError(f"initialRecordTime: {raw!r} is not an ISO 8601 time") from None
    if value.tzinfo is None:
        raise SubscriptionError(f"initialRecordTime: {raw!r} has no timezone offset")
    return value


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")

"""Webhook delivery from the durable cursor, on SQLite and PostgreSQL, with a recording sender."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from events.adapters import make_engine
from events.adapters.sql_subscriptions import SubscriptionsUnitOfWork
from events.capture import capture
from events.domain.master_data import VocabularyElement
from events.subscriptions import new_subscription
from events.webhook_http import WebhookResult
from events.webhooks import deliver_due

T0 = datetime(2026, 3, 2, 10, 20, 30, tzinfo=UTC)
LOCATION = "urn:epcglobal:epcis:vtype:BusinessLocation"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.time = now

    def now(self) -> datetime:
        return self.time


class Receiver:
    """Answers from a script (then 200); remembers what it accepted."""

    def __init__(self, *script: int) -> None:
        self.script = list(script)
        self.calls: list[dict] = []
        self.accepted: list[list[str]] = []

    def __call__(self, url, body, headers) -> WebhookResult:
        status = self.script.pop(0) if self.script else 200
        document = json.loads(body)
        epcs = [
            e["epcList"][0]
            for e in document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        ]
        self.calls.append({"url": url, "headers": dict(headers), "status": status, "epcs": epcs})
        if status == 200:
            self.accepted.append(epcs)
        return WebhookResult(status)


def event(n: int, kind: str = "ObjectEvent") -> dict:
    extra = {"parentID": f"urn:epc:id:sscc:6901234.{n:010d}"} if kind == "AggregationEvent" else {}
    return {
        "type": kind,
        "eventTime": (T0 + timedelta(seconds=n)).isoformat(),
        "eventTimeZoneOffset": "+00:00",
        "action": "ADD",
        ("childEPCs" if extra else "epcList"): [f"urn:epc:id:sgtin:6901234.000001.S{n}"],
        **extra,
    }


@pytest.fixture
def env(migrated_database_url):
    engine = make_engine(migrated_database_url)
    clock = Clock(T0)

    def uow() -> SubscriptionsUnitOfWork:
        return SubscriptionsUnitOfWork(engine, clock)

    with uow() as u:
        org = u.organisations.add("Coconut Co", company_prefixes=["6901234"])
        other = u.organisations.add("Other Co", company_prefixes=["6905555"])
        u.subscriptions.add_named_query("objects", org.id, {"eventType": ["ObjectEvent"]}, T0)
        u.commit()
    yield uow, clock, org.id, other.id
    engine.dispose()


def subscribe(uow, org_id, clock, **body):
    sub = new_subscription(
        {"dest": "https://hooks.example/x", **body},
        organisation_id=org_id,
        query_name="objects",
        now=clock.now(),
    )
    with uow() as u:
        sub = replace(
            sub, last_position=u.subscriptions.start_position(org_id, sub.initial_record_time)
        )
        u.subscriptions.add(sub)
        u.commit()
    return sub


def store(uow, org_id, events) -> None:
    outcome = capture(uow(), events, organisation_id=org_id)
    assert not outcome.errors


def test_stream_in_order_in_batches_with_backoff_and_no_skipping(env) -> None:
    uow, clock, org, other = env
    sub = subscribe(uow, org, clock, stream=True, signatureToken="tok")
    store(uow, org, [event(n) for n in range(12)])
    store(uow, org, [event(100, "AggregationEvent")])  # not matched by the query
    store(uow, other, [event(200)])  # another organisation's
    store(uow, org, [event(n) for n in range(12, 25)])
    receiver = Receiver(503, 500)

    def deliver() -> int:
        return deliver_due(uow, clock, clock.now(), send=receiver, batch_size=10)

    assert deliver() == 0  # 503
    assert deliver() == 0  # not due before 1 s
    clock.time += timedelta(seconds=1)
    assert deliver() == 0  # 500, next in 2 s
    with uow() as u:
        failed = u.subscriptions.get(sub.id)
    assert (failed.failures, failed.next_attempt_at) == (2, clock.now() + timedelta(seconds=2))
    assert failed.last_position == sub.last_position
    clock.time += timedelta(seconds=2)
    assert deliver() == 3
    assert [c["status"] for c in receiver.calls] == [503, 500, 200, 200, 200]
    assert receiver.calls[0]["epcs"] == receiver.calls[2]["epcs"]  # the same batch again
    delivered = [epc for batch in receiver.accepted for epc in batch]
    assert delivered == [f"urn:epc:id:sgtin:6901234.000001.S{n}" for n in range(25)]
    assert [len(b) for b in receiver.accepted] == [10, 10, 5]
    headers = receiver.calls[-1]["headers"]
    assert headers["GS1-Subscription-ID"] == sub.id
    assert headers["GS1-Query-Name"] == "objects"
    assert len(headers["GS1-Signature"]) == 64
    with uow() as u:
        done = u.subscriptions.get(sub.id)
        log = u.subscriptions.deliveries(sub.id)
        last = u.ledger.last_position()
    assert (done.failures, done.next_attempt_at, done.last_notified_at) == (0, None, clock.now())
    assert done.last_position == last
    assert [d.succeeded for d in reversed(log)] == [False, False, True, True, True]
    assert [d.status_code for d in reversed(log)] == [503, 500, 200, 200, 200]
    assert deliver() == 0  # nothing new
    store(uow, org, [event(30)])
    assert deliver() == 1
    assert receiver.accepted[-1] == ["urn:epc:id:sgtin:6901234.000001.S30"]


def test_only_events_after_subscribing_unless_initial_record_time(env) -> None:
    uow, clock, org, _ = env
    store(uow, org, [event(1)])
    clock.time += timedelta(minutes=1)
    late = subscribe(uow, org, clock, stream=True)
    early = subscribe(uow, org, clock, stream=True, initialRecordTime=T0.isoformat())
    store(uow, org, [event(2)])
    receiver = Receiver()
    deliver_due(uow, clock, clock.now(), send=receiver)
    by_sub = {c["headers"]["GS1-Subscription-ID"]: c["epcs"] for c in receiver.calls}
    assert len(by_sub[late.id]) == 1
    assert len(by_sub[early.id]) == 2


def test_scheduled_report_if_empty(env) -> None:
    uow, clock, org, _ = env
    sub = subscribe(uow, org, clock, schedule={"minute": "0"}, reportIfEmpty=True)
    quiet = subscribe(uow, org, clock, schedule={"minute": "0"})
    receiver = Receiver()
    clock.time = datetime(2026, 3, 2, 10, 59, 59, tzinfo=UTC)
    assert deliver_due(uow, clock, clock.now(), send=receiver) == 0
    clock.time = datetime(2026, 3, 2, 11, 0, 0, tzinfo=UTC)
    assert deliver_due(uow, clock, clock.now(), send=receiver) == 1
    assert [(c["headers"]["GS1-Subscription-ID"], c["epcs"]) for c in receiver.calls] == [
        (sub.id, [])
    ]
    store(uow, org, [event(1)])
    assert deliver_due(uow, clock, clock.now(), send=receiver) == 0  # not until 12:00
    clock.time = datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC)
    assert deliver_due(uow, clock, clock.now(), send=receiver) == 2
    with uow() as u:
        assert u.subscriptions.get(quiet.id).next_attempt_at == datetime(2026, 3, 2, 13, tzinfo=UTC)


def test_a_claimed_subscription_is_not_delivered_twice(env) -> None:
    uow, clock, org, _ = env
    sub = subscribe(uow, org, clock, stream=True)
    store(uow, org, [event(1)])
    with uow() as u:
        (due,) = u.subscriptions.due(clock.now())
        assert u.subscriptions.claim(due, clock.now(), clock.now() + timedelta(seconds=60))
        assert not u.subscriptions.claim(due, clock.now(), clock.now() + timedelta(seconds=60))
        u.commit()
    receiver = Receiver()
    assert deliver_due(uow, clock, clock.now(), send=receiver) == 0  # leased elsewhere
    clock.time += timedelta(seconds=61)  # that worker died: the lease runs out
    assert deliver_due(uow, clock, clock.now(), send=receiver) == 1
    assert receiver.calls[0]["headers"]["GS1-Subscription-ID"] == sub.id


def test_deleted_subscriptions_get_nothing(env) -> None:
    uow, clock, org, _ = env
    sub = subscribe(uow, org, clock, stream=True)
    with uow() as u:
        assert u.subscriptions.delete(sub.id, clock.now())
        assert not u.subscriptions.delete(sub.id, clock.now())
        u.commit()
    store(uow, org, [event(1)])
    receiver = Receiver()
    assert deliver_due(uow, clock, clock.now(), send=receiver) == 0
    assert receiver.calls == []


def test_an_invalid_stored_query_is_logged_and_retried(env) -> None:
    uow, clock, org, _ = env
    with uow() as u:
        u.subscriptions.add_named_query("broken", org, {"NOT_a_parameter": "x"}, T0)
        u.commit()
    sub = new_subscription(
        {"dest": "https://hooks.example/x", "stream": True},
        organisation_id=org,
        query_name="broken",
        now=T0,
    )
    with uow() as u:
        u.subscriptions.add(sub)
        u.commit()
    store(uow, org, [event(1)])
    assert deliver_due(uow, clock, clock.now(), send=Receiver()) == 0
    with uow() as u:
        (attempt,) = u.subscriptions.deliveries(sub.id)
        assert u.subscriptions.get(sub.id).failures == 1
    assert "invalid query" in attempt.error


def test_a_subscription_query_with_wd_reads_the_subscribers_master_data(env) -> None:
    """``WD_bizLocation`` delivers events at descendants, as the same query would return them."""
    uow, clock, org, _other = env
    site, dock, elsewhere = (f"urn:epc:id:sgln:6901234.00001.{n}" for n in ("0", "7", "9"))
    with uow() as u:
        u.subscriptions.add_named_query("at-site", org, {"WD_bizLocation": [site]}, T0)
        u.master_data.store(
            org,
            [
                VocabularyElement.from_codec(
                    {"type": LOCATION, "id": site, "attributes": {}, "children": [dock]}
                )
            ],
            T0,
        )
        u.commit()
    sub = new_subscription(
        {"dest": "https://hooks.example/x", "stream": True},
        organisation_id=org,
        query_name="at-site",
        now=clock.now(),
    )
    with uow() as u:
        u.subscriptions.add(replace(sub, last_position=u.subscriptions.start_position(org, None)))
        u.commit()
    placed = [
        event(n) | {"bizLocation": {"id": where}}
        for n, where in enumerate((dock, elsewhere, site, dock))
    ]
    store(uow, org, placed)
    receiver = Receiver()
    assert deliver_due(uow, clock, clock.now(), send=receiver) == 1
    assert receiver.accepted == [
        [f"urn:epc:id:sgtin:6901234.000001.S{n}" for n in (0, 2, 3)]  # not S1, elsewhere
    ]

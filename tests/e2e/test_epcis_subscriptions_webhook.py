"""A real webhook receiver that is down, then failing, then up: every event arrives once, in
order, signed, across a worker restart (state only in the database). SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from flask import Flask

from app.commands.ledger import run_jobs
from app.epcis.subscriptions import subscriptions_uow
from app.wiring import wiring_of
from events import webhooks
from events.adapters.sql_registry import hash_api_key

TOKEN = "s3cret-令牌"
SGTIN = "urn:epc:id:sgtin:6901234.000001.S{}"


class Clock:
    def __init__(self) -> None:
        self.time = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.time


class Receiver:
    """ThreadingHTTPServer on a fixed port; answers ``fail_first`` 503s, then 204."""

    def __init__(self, port: int, fail_first: int) -> None:
        self.failures_left = fail_first
        self.received: list[dict] = []
        self.bad_signatures = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                expected = hmac.new(TOKEN.encode(), body, hashlib.sha256).hexdigest()
                if not hmac.compare_digest(expected, self.headers.get("GS1-Signature", "")):
                    outer.bad_signatures += 1
                if outer.failures_left > 0:
                    outer.failures_left -= 1
                    self.send_response(503)
                else:
                    outer.received.append({"headers": dict(self.headers), "body": json.loads(body)})
                    self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def epcs(self) -> list[str]:
        return [
            event["epcList"][0]
            for r in self.received
            for event in r["body"]["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        ]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make(make_app, url: str, clock: Clock) -> Flask:
    app = make_app({"DATABASE_URL": url, "WEBHOOK_ALLOW_PRIVATE": "true"})
    app.extensions["onecode"] = replace(wiring_of(app), clock=clock)
    return app


def capture(app: Flask, numbers: range) -> None:
    events = [
        {
            "type": "ObjectEvent",
            "eventTime": f"2026-03-01T08:{n % 60:02d}:00+08:00",
            "eventTimeZoneOffset": "+08:00",
            "action": "OBSERVE",
            "epcList": [SGTIN.format(n)],
        }
        for n in numbers
    ]
    document = {
        "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-03-01T09:00:00Z",
        "epcisBody": {"eventList": events},
    }
    response = app.test_client().post(
        "/epcis/capture",
        data=json.dumps(document),
        headers={"Authorization": "Bearer oc_a", "Content-Type": "application/ld+json"},
    )
    assert response.status_code == 202


def worker_round(app: Flask) -> None:
    """One iteration of the real worker loop (``onecode worker --once``)."""
    run_jobs(wiring_of(app), threading.Event(), stop_when_idle=True)


def test_down_then_up_every_event_once_in_order_across_a_restart(  # noqa: PLR0915  one story
    make_app, migrated_database_url, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhooks, "BATCH_SIZE", 5)
    monkeypatch.setattr(webhooks, "MAX_BATCHES_PER_RUN", 2)
    clock = Clock()
    first = make(make_app, migrated_database_url, clock)
    with subscriptions_uow(wiring_of(first)) as uow:
        owner = uow.organisations.add("Coconut Co", company_prefixes=["6901234"])
        uow.organisations.add_api_key(owner.id, hash_api_key("oc_a"), "test")
        uow.subscriptions.add_named_query("观察", owner.id, {"EQ_action": ["OBSERVE"]}, clock.now())
        uow.commit()
    port = free_port()  # nobody listens yet: the receiver is down
    auth = {"Authorization": "Bearer oc_a"}
    created = first.test_client().post(
        "/epcis/queries/观察/subscriptions",
        json={"dest": f"http://127.0.0.1:{port}/hook", "signatureToken": TOKEN, "stream": True},
        headers=auth,
    )
    assert created.status_code == 201, created.get_json()
    location = created.headers["Location"]
    capture(first, range(12))

    worker_round(first)  # connection refused
    worker_round(first)  # not due yet (1 s backoff)
    clock.time += timedelta(seconds=1)
    worker_round(first)  # refused again: next in 2 s
    receiver = Receiver(port, fail_first=2)  # back, but answering 503 twice
    try:
        clock.time += timedelta(seconds=2)
        worker_round(first)  # 503, next in 4 s
        clock.time += timedelta(seconds=3)
        worker_round(first)  # too early
        assert receiver.received == []
        clock.time += timedelta(seconds=1)
        worker_round(first)  # 503, next in 8 s
        clock.time += timedelta(seconds=8)
        worker_round(first)  # two batches of 5 accepted; the worker stops mid-way
        assert receiver.epcs() == [SGTIN.format(n) for n in range(10)]
        capture(first, range(12, 20))
        wiring_of(first).engine.dispose()

        second = make(make_app, migrated_database_url, clock)  # a new worker process
        worker_round(second)
        worker_round(second)
        worker_round(second)
        expected = [SGTIN.format(n) for n in (*range(12), *range(12, 20))]
        assert receiver.epcs() == expected  # all, in order, none twice
        assert receiver.bad_signatures == 0
        headers = receiver.received[0]["headers"]
        assert headers["GS1-Subscription-ID"] == created.get_json()["subscriptionID"]
        assert headers["GS1-Query-Name"] == "%E8%A7%82%E5%AF%9F"
        assert headers["Content-Type"] == "application/ld+json"

        client = second.test_client()
        log = client.get(location + "/deliveries", headers=auth).get_json()
        statuses = [d["statusCode"] for d in reversed(log)]
        assert statuses == [None, None, 503, 503, 204, 204, 204, 204]
        assert log[-1]["error"].startswith("ConnectionRefusedError")
        shown = client.get(location, headers=auth).get_json()
        assert shown["failures"] == 0
        assert shown["lastNotifiedAt"] == shown["minRecordTime"] is not None
    finally:
        receiver.stop()

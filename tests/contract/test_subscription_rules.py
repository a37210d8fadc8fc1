"""Subscription rules: request validation, schedules, backoff, the signature and the SSRF policy."""

from __future__ import annotations

import hashlib
import hmac
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from events.subscriptions import (
    SubscriptionError,
    backoff,
    new_subscription,
    next_fire,
    validate_schedule,
)
from events.webhook_http import DestinationError, check_destination, is_public, post, signature

NOW = datetime(2026, 3, 2, 10, 20, 30, tzinfo=UTC)  # a Monday


def subscribe(**body):
    return new_subscription(
        {"dest": "https://hooks.example/x", **body}, organisation_id=1, query_name="q", now=NOW
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "either stream"),
        ({"stream": True, "schedule": {"minute": "0"}}, "either stream"),
        ({"stream": False}, "either stream"),
        ({"stream": "yes"}, "stream"),
        ({"schedule": {}}, "schedule"),
        ({"schedule": {"minute": "60"}}, "schedule.minute"),
        ({"schedule": {"dayOfWeek": "0"}}, "schedule.dayOfWeek"),
        ({"schedule": {"fortnight": "1"}}, "schedule.fortnight"),
        ({"schedule": {"second": "a"}}, "schedule.second"),
        ({"stream": True, "initialRecordTime": "yesterday"}, "initialRecordTime"),
        ({"stream": True, "initialRecordTime": "2026-03-01T00:00:00"}, "initialRecordTime"),
        ({"stream": True, "reportIfEmpty": "no"}, "reportIfEmpty"),
        ({"stream": True, "signatureToken": ""}, "signatureToken"),
    ],
)
def test_invalid_requests_name_the_field(body, field) -> None:
    with pytest.raises(SubscriptionError, match=field):
        subscribe(**body)


def test_dest_is_required() -> None:
    with pytest.raises(SubscriptionError, match="dest"):
        new_subscription({"stream": True}, organisation_id=1, query_name="q", now=NOW)


def test_a_stream_subscription() -> None:
    sub = subscribe(stream=True, signatureToken="s3cret", initialRecordTime="2026-03-01T00:00Z")
    assert (sub.stream, sub.schedule, sub.next_attempt_at) == (True, None, None)
    body = sub.to_json()
    assert body["createdAt"] == "2026-03-02T10:20:30Z"
    assert body["minRecordTime"] == "2026-03-01T00:00:00Z"
    assert body["lastNotifiedAt"] is None
    assert "s3cret" not in str(body)
    assert body["signed"] is True


def test_a_scheduled_subscription_is_due_at_its_first_time() -> None:
    sub = subscribe(schedule={"minute": "0,30"})
    assert sub.next_attempt_at == datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
    assert sub.to_json()["schedule"] == {"minute": "0,30"}


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        ({"second": "*"}, datetime(2026, 3, 2, 10, 20, 31, tzinfo=UTC)),
        ({"minute": "0"}, datetime(2026, 3, 2, 11, 0, 0, tzinfo=UTC)),
        ({"hour": "2"}, datetime(2026, 3, 3, 2, 0, 0, tzinfo=UTC)),
        ({"hour": "9-17", "minute": "15"}, datetime(2026, 3, 2, 11, 15, tzinfo=UTC)),
        ({"dayOfWeek": "5"}, datetime(2026, 3, 6, tzinfo=UTC)),  # Friday 00:00:00
        ({"dayOfMonth": "1", "hour": "6"}, datetime(2026, 4, 1, 6, tzinfo=UTC)),
        ({"month": "[1-2]"}, datetime(2027, 1, 1, tzinfo=UTC)),
        ({"dayOfMonth": "29", "month": "2"}, datetime(2028, 2, 29, tzinfo=UTC)),
    ],
)
def test_next_fire(schedule, expected) -> None:
    assert next_fire(validate_schedule(schedule), NOW) == expected


def test_a_schedule_that_never_fires_is_refused() -> None:
    with pytest.raises(SubscriptionError, match="never"):
        subscribe(schedule={"dayOfMonth": "31", "month": "2"})


def test_backoff_doubles_from_one_second_up_to_ten_minutes() -> None:
    delays = [backoff(n).total_seconds() for n in range(1, 13)]
    assert delays == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600]
    assert backoff(1000) == timedelta(minutes=10)


def test_signature_is_hex_hmac_sha256_of_the_body() -> None:
    body = '{"type":"EPCISQueryDocument","名":"值"}'.encode()
    expected = hmac.new(b"token", body, hashlib.sha256).hexdigest()
    assert signature(body, "token") == expected
    assert len(expected) == 64


# --- destination policy (SSRF) ---------------------------------------------------------------


def fake(address: str):
    return lambda _host, _port: [address]


@pytest.mark.parametrize(
    "url",
    ["ftp://hooks.example/x", "file:///etc/passwd", "gopher://x", "hooks.example/x", "http://"],
)
def test_only_http_and_https(url) -> None:
    with pytest.raises(DestinationError):
        check_destination(url, allow_private=True, resolver=fake("93.184.216.34"))


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",
        "ff02::1",
    ],
)
def test_non_public_addresses_are_refused(address) -> None:
    assert not is_public(address)
    with pytest.raises(DestinationError, match="not a public address"):
        check_destination("https://hooks.example/x", allow_private=False, resolver=fake(address))


def test_a_hostname_resolving_to_loopback_is_refused() -> None:
    with pytest.raises(DestinationError, match=r"127\.0\.0\.1"):
        check_destination(
            "http://evil.example/hook", allow_private=False, resolver=fake("127.0.0.1")
        )
    with pytest.raises(DestinationError, match="not a public address"):
        check_destination("http://localhost:8080/hook", allow_private=False)  # real DNS


def test_one_private_address_among_several_is_enough_to_refuse() -> None:
    with pytest.raises(DestinationError):
        check_destination(
            "https://hooks.example/",
            allow_private=False,
            resolver=lambda _host, _port: ["93.184.216.34", "10.0.0.1"],
        )


def test_public_and_allowed_private_destinations() -> None:
    target = check_destination(
        "https://hooks.example:8443/a/b?c=d", allow_private=False, resolver=fake("93.184.216.34")
    )
    assert (target.host, target.port, target.path, target.address) == (
        "hooks.example",
        8443,
        "/a/b?c=d",
        "93.184.216.34",
    )
    assert check_destination("http://127.0.0.1:9/x", allow_private=True).address == "127.0.0.1"


def test_credentials_in_the_url_are_refused() -> None:
    with pytest.raises(DestinationError, match="credentials"):
        check_destination(
            "https://u:p@hooks.example/", allow_private=True, resolver=fake("1.1.1.1")
        )


def test_post_checks_again_at_delivery_time() -> None:
    result = post("http://127.0.0.1:9/x", b"{}", {}, allow_private=False)
    assert result.status is None
    assert "destination refused" in (result.error or "")


@pytest.fixture
def redirecting_server():
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            seen.append(self.path)
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(302)
            self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], seen
    server.shutdown()
    server.server_close()


def test_redirects_are_not_followed(redirecting_server) -> None:
    port, seen = redirecting_server
    result = post(f"http://127.0.0.1:{port}/hook", b"{}", {}, allow_private=True)
    assert (result.status, result.ok) == (302, False)
    assert seen == ["/hook"]


def test_a_closed_port_is_an_error_not_an_exception() -> None:
    result = post("http://127.0.0.1:9/x", b"{}", {}, allow_private=True)
    assert result.status is None
    assert result.error

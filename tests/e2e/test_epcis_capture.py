"""The EPCIS 2.0 capture binding and the ledger API, end to end on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.wiring import wiring_of
from events.adapters.sql_registry import hash_api_key
from events.adapters.sql_tree import SqlLedgerTree
from events.checkpoints import SignedCheckpoint, verify
from events.domain.merkle import verify_consistency, verify_inclusion

EXAMPLES = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "conformance"
    / "epcis-examples"
    / "gs1-epcis"
)
SGTIN = "urn:epc:id:sgtin:6901234.000001.{}"


def event(n: int, **extra) -> dict:
    return {
        "type": "ObjectEvent",
        "eventTime": f"2026-03-01T08:{n % 60:02d}:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "ADD",
        "bizStep": "commissioning",
        "epcList": [SGTIN.format(f"S{n}")],
        **extra,
    }


def document(*events: dict) -> dict:
    return {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-03-01T09:00:00Z",
        "epcisBody": {"eventList": list(events)},
    }


@pytest.fixture
def auth(app: Flask, tmp_path: Path) -> dict[str, str]:
    app.extensions["onecode"] = _with_key_file(app, tmp_path)
    with wiring_of(app).uow() as uow:
        for name, prefix, key in (
            ("Coconut Co", "6901234", "oc_a"),
            ("Other Co", "6905555", "oc_b"),
        ):
            owner = uow.organisations.add(name, company_prefixes=[prefix])
            uow.organisations.add_api_key(owner.id, hash_api_key(key), "test")
        uow.commit()
    return {
        "Authorization": "Bearer oc_a",
        "Content-Type": "application/ld+json",
        "Accept-Language": "en",
    }


def _with_key_file(app: Flask, tmp_path: Path):
    wiring = wiring_of(app)
    return replace(
        wiring, settings=replace(wiring.settings, signing_key_file=str(tmp_path / "key"))
    )


CONTEXT = ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"]


def post(client, auth, body, path="/epcis/capture", **headers):
    if path == "/epcis/events":
        body = {"@context": CONTEXT, **body}
    return client.post(path, data=json.dumps(body), headers={**auth, **headers})


def test_options_advertises_the_limits(client: FlaskClient) -> None:
    response = client.options("/epcis/capture")
    assert response.status_code == 204
    assert int(response.headers["GS1-EPCIS-Capture-Limit"]) >= 1
    assert int(response.headers["GS1-EPCIS-Capture-File-Size-Limit"]) >= 1
    assert "rollback" in response.headers["GS1-Capture-Error-Behaviour"]


def test_capture_then_read_the_job(client: FlaskClient, auth) -> None:
    response = post(client, auth, document(event(1), event(2)))
    assert response.status_code == 202
    job = client.get(response.headers["Location"], headers=auth).get_json()
    assert (job["running"], job["success"], job["capturedCount"]) == (False, True, 2)
    assert job["captureID"] in {
        j["captureID"] for j in client.get("/epcis/capture", headers=auth).get_json()
    }
    other = client.get(
        response.headers["Location"], headers={**auth, "Authorization": "Bearer oc_b"}
    )
    assert other.status_code == 404


def test_a_resent_document_reports_duplicates_and_stores_nothing(client, auth, app) -> None:
    post(client, auth, document(event(1)))
    again = post(client, auth, document(event(1)))
    job = client.get(again.headers["Location"], headers=auth).get_json()
    assert (job["running"], job["success"], job["capturedCount"]) == (False, False, 0)
    assert job["errors"][0]["type"] == "epcisException:ResourceAlreadyExistsException"
    with wiring_of(app).uow(read_only=True) as uow:
        assert uow.ledger.last_position() == 1


def test_proceed_captures_what_it_can(client, auth) -> None:
    post(client, auth, document(event(1)))
    response = post(
        client, auth, document(event(1), event(2)), **{"GS1-Capture-Error-Behaviour": "proceed"}
    )
    job = client.get(response.headers["Location"], headers=auth).get_json()
    assert (job["success"], job["capturedCount"], len(job["errors"])) == (False, 1, 1)


@pytest.mark.parametrize(
    ("body", "content_type", "status", "kind"),
    [
        (
            b'{"type": "EPCISDocument", "epcisBody": {"eventList": [',
            "application/ld+json",
            400,
            "ValidationException",
        ),
        (
            b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'>]><x>&a;</x>",
            "application/xml",
            400,
            "ValidationException",
        ),
        (b"hello", "text/plain", 415, "unsupported-media-type"),
    ],
)
def test_bad_documents_are_rejected_whole(  # noqa: PLR0913, PLR0917  parametrised
    client, auth, app, body, content_type, status, kind
) -> None:
    response = client.post(
        "/epcis/capture", data=body, headers={**auth, "Content-Type": content_type}
    )
    assert response.status_code == status
    assert response.content_type == "application/problem+json"
    assert kind in response.get_json()["type"]
    with wiring_of(app).uow(read_only=True) as uow:
        assert uow.ledger.last_position() == 0


def test_bad_check_digit_names_the_field(client, auth) -> None:
    bad = event(1, epcList=["https://id.gs1.org/01/06901234000017/21/X"])
    response = post(client, auth, document(bad))
    assert response.status_code == 400
    assert "epcList" in json.dumps(response.get_json())


def test_too_large_is_refused_before_parsing(client, auth, app) -> None:
    limit = wiring_of(app).settings.capture_file_size_limit
    response = client.post("/epcis/capture", data=b"x" * (limit + 1), headers=auth)
    assert response.status_code == 413
    assert response.get_json()["type"] == "epcisException:CaptureLimitExceededException"
    assert response.headers["GS1-EPCIS-Capture-File-Size-Limit"] == str(limit)


def test_capture_needs_an_api_key(client) -> None:
    response = client.post(
        "/epcis/capture",
        data=json.dumps(document(event(1))),
        headers={"Content-Type": "application/ld+json"},
    )
    assert response.status_code == 401


def test_post_one_event(client, auth) -> None:
    created = post(client, auth, event(5), path="/epcis/events")
    assert created.status_code == 201
    assert created.headers["Location"].startswith("/epcis/events/ni%3A%2F%2F%2Fsha-256")
    stored = client.get(created.headers["Location"], headers=auth)
    assert stored.status_code == 200
    assert stored.get_json()["epcList"] == [SGTIN.format("S5")]
    assert stored.get_json()["eventID"].startswith("ni:///sha-256;")
    hidden = client.get(created.headers["Location"], headers={"Authorization": "Bearer oc_b"})
    assert hidden.status_code == 404
    again = post(client, auth, event(5), path="/epcis/events")
    assert again.status_code == 409
    assert again.get_json()["type"] == "epcisException:ResourceAlreadyExistsException"


@pytest.mark.parametrize(
    "name", ["Example_9.6.1-ObjectEvent.jsonld", "Example_9.6.2-ObjectEvent.jsonld"]
)
def test_the_standards_examples_are_captured(client, auth, name) -> None:
    path = EXAMPLES / "json" / name
    if not path.exists():
        pytest.fail(f"conformance example {path} is missing")
    response = client.post("/epcis/capture", data=path.read_bytes(), headers=auth)
    assert response.status_code == 202, response.get_data(as_text=True)
    job = client.get(response.headers["Location"], headers=auth).get_json()
    assert job["success"], job["errors"]


def test_checkpoint_and_proofs_verify(client, auth) -> None:
    post(client, auth, document(*(event(n) for n in range(3))))
    first = client.get("/api/v1/ledger/checkpoint").get_json()
    signed = SignedCheckpoint.from_json({k: v for k, v in first.items() if k != "note"})
    assert verify(signed, signed.public_key)
    assert signed.checkpoint.tree_size == 3
    created = post(client, auth, event(9), path="/epcis/events")
    event_id = created.headers["Location"].rsplit("/", 1)[1]
    second = client.get("/api/v1/ledger/checkpoint").get_json()
    root = base64.b64decode(second["rootHash"])
    consistency = client.get(
        "/api/v1/ledger/proofs/consistency", query_string={"first": 3, "second": 4}
    ).get_json()
    assert verify_consistency(
        3, 4, signed.checkpoint.root_hash, root, [base64.b64decode(p) for p in consistency["proof"]]
    )
    inclusion = client.get(
        "/api/v1/ledger/proofs/inclusion", query_string={"eventID": unquote(event_id)}, headers=auth
    ).get_json()
    assert inclusion["leafIndex"] == 3
    assert verify_inclusion(
        base64.b64decode(inclusion["leafHash"]),
        3,
        4,
        [base64.b64decode(p) for p in inclusion["auditPath"]],
        root,
    )
    hidden = client.get(
        "/api/v1/ledger/proofs/inclusion",
        query_string={"eventID": unquote(event_id)},
        headers={"Authorization": "Bearer oc_b"},
    )
    assert hidden.status_code == 404


def test_a_small_document_is_captured_inline_without_taking_a_queued_job(client, auth, app) -> None:
    wiring = wiring_of(app)
    app.extensions["onecode"] = replace(
        wiring, settings=replace(wiring.settings, capture_inline_limit=2)
    )
    queued = post(
        client, auth, document(event(1), event(2), event(3))
    )  # over the limit: a worker's
    small = post(client, auth, document(event(4)))
    queued_job = client.get(queued.headers["Location"], headers=auth).get_json()
    small_job = client.get(small.headers["Location"], headers=auth).get_json()
    assert (small_job["running"], small_job["success"], small_job["capturedCount"]) == (
        False,
        True,
        1,
    )
    assert queued_job["running"] is True


def test_an_inline_capture_that_fails_stores_neither_events_nor_its_job(
    client, auth, app, monkeypatch
) -> None:
    """The job of a document captured in the request is recorded in the capture's transaction:
    a failure before the commit leaves no job behind (none running for ever, none for a worker
    to take) and no event; the client had no 202 and may send the document again."""

    def broken(self, stored) -> None:
        raise RuntimeError("the disk is gone")

    monkeypatch.setattr(SqlLedgerTree, "append", broken)
    failed = post(client, auth, document(event(1)))
    assert failed.status_code == 500
    assert failed.mimetype == "application/problem+json"
    monkeypatch.undo()
    assert client.get("/epcis/capture", headers=auth).get_json() == []
    with wiring_of(app).uow() as uow:
        assert uow.ledger.last_position() == 0
        assert uow.jobs.claim(wiring_of(app).clock.now(), wiring_of(app).clock.now()) is None
    accepted = post(client, auth, document(event(1)))  # sent again: captured once
    job = client.get(accepted.headers["Location"], headers=auth).get_json()
    assert (job["running"], job["success"], job["capturedCount"]) == (False, True, 1)

"""Named queries: create, list, show, run, delete; and a subscription to one via the API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask

from app.wiring import wiring_of
from events.adapters.sql_registry import hash_api_key

CONTEXT = ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"]


def event(n: int, biz_step: str) -> dict:
    return {
        "type": "ObjectEvent",
        "eventTime": f"2026-03-01T08:{n:02d}:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "bizStep": biz_step,
        "epcList": [f"urn:epc:id:sgtin:6901234.000001.Q{n}"],
    }


@pytest.fixture
def app(make_app, migrated_database_url, tmp_path: Path) -> Flask:
    app = make_app(
        {
            "DATABASE_URL": migrated_database_url,
            "WEBHOOK_ALLOW_PRIVATE": "true",
            "SIGNING_KEY_FILE": str(tmp_path / "key"),
        }
    )
    with wiring_of(app).uow() as uow:
        for name, key in (("A Co", "oc_a"), ("B Co", "oc_b")):
            owner = uow.organisations.add(name)
            uow.organisations.add_api_key(owner.id, hash_api_key(key), "test")
        uow.commit()
    return app


A = {"Authorization": "Bearer oc_a", "Accept-Language": "en"}
B = {"Authorization": "Bearer oc_b", "Accept-Language": "en"}


def capture(client, events) -> None:
    document = {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-03-01T09:00:00Z",
        "epcisBody": {"eventList": events},
    }
    response = client.post(
        "/epcis/capture",
        data=json.dumps(document),
        headers={**A, "Content-Type": "application/ld+json"},
    )
    assert response.status_code == 202


def test_create_list_show_run_delete(app: Flask) -> None:
    client = app.test_client()
    capture(client, [event(n, "shipping" if n % 2 else "receiving") for n in range(6)])
    created = client.post(
        "/epcis/queries",
        json={
            "name": "shipments",
            "query": {"EQ_bizStep": ["shipping"], "eventType": "ObjectEvent"},
        },
        headers=A,
    )
    assert created.status_code == 201
    assert created.headers["Location"] == "/epcis/queries/shipments"
    assert [q["name"] for q in client.get("/epcis/queries", headers=A).get_json()] == ["shipments"]
    assert client.get("/epcis/queries", headers=B).get_json() == []
    assert client.get("/epcis/queries/shipments", headers=A).get_json()["query"]["EQ_bizStep"] == [
        "shipping"
    ]
    assert client.get("/epcis/queries/shipments", headers=B).status_code == 404
    result = client.get("/epcis/queries/shipments/events", headers=A).get_json()
    found = result["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert result["epcisBody"]["queryResults"]["queryName"] == "shipments"
    assert len(found) == 3
    assert {e["bizStep"] for e in found} == {"shipping"}
    paged = client.get("/epcis/queries/shipments/events?perPage=2", headers=A)
    assert len(paged.get_json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]) == 2
    assert 'rel="next"' in paged.headers["Link"]
    assert client.delete("/epcis/queries/shipments", headers=B).status_code == 404
    assert client.delete("/epcis/queries/shipments", headers=A).status_code == 204
    assert client.get("/epcis/queries/shipments", headers=A).status_code == 404


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ({"name": "x", "query": {"EQ_nonsense": "1"}}, "QueryParameterException"),
        ({"name": "bad/name", "query": {}}, "ValidationException"),
        ({"name": "x"}, "ValidationException"),
        ({"name": "x", "query": {"GE_eventTime": "yesterday"}}, "QueryParameterException"),
    ],
)
def test_invalid_queries_are_refused(app: Flask, body, kind) -> None:
    response = app.test_client().post("/epcis/queries", json=body, headers=A)
    assert response.status_code == 400
    assert kind in response.get_json()["type"]


def test_a_name_is_taken_once(app: Flask) -> None:
    client = app.test_client()
    assert (
        client.post("/epcis/queries", json={"name": "q", "query": {}}, headers=A).status_code == 201
    )
    assert (
        client.post("/epcis/queries", json={"name": "q", "query": {}}, headers=B).status_code == 409
    )


def test_subscriptions_keep_their_query(app: Flask) -> None:
    client = app.test_client()
    client.post("/epcis/queries", json={"name": "watched", "query": {}}, headers=A)
    subscribed = client.post(
        "/epcis/queries/watched/subscriptions",
        json={"dest": "http://127.0.0.1:9/hook", "stream": True},
        headers=A,
    )
    assert subscribed.status_code == 201
    refused = client.delete("/epcis/queries/watched", headers=A)
    assert refused.status_code == 409
    assert client.get("/epcis/queries/watched", headers=A).status_code == 200

"""Top-level resources: what the caller's events contain, and the events of each."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask

from app.wiring import wiring_of
from events.adapters.sql_registry import hash_api_key

CONTEXT = ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"]
A = {"Authorization": "Bearer oc_a"}
B = {"Authorization": "Bearer oc_b"}
SHOP = "urn:epc:id:sgln:6901234.00002.0"


@pytest.fixture
def client(make_app, migrated_database_url, tmp_path: Path):
    app: Flask = make_app(
        {"DATABASE_URL": migrated_database_url, "SIGNING_KEY_FILE": str(tmp_path / "k")}
    )
    with wiring_of(app).uow() as uow:
        for name, key in (("A Co", "oc_a"), ("B Co", "oc_b")):
            uow.organisations.add_api_key(uow.organisations.add(name).id, hash_api_key(key), "t")
        uow.commit()
    client = app.test_client()
    events = [
        {
            "type": "ObjectEvent",
            "eventTime": f"2026-03-01T08:0{n}:00+08:00",
            "eventTimeZoneOffset": "+08:00",
            "action": "OBSERVE",
            "bizStep": "shipping" if n < 2 else "receiving",
            "disposition": "in_transit",
            "bizLocation": {"id": SHOP},
            "epcList": [f"urn:epc:id:sgtin:6901234.000001.R{n}"],
        }
        for n in range(3)
    ]
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
    return client


def members(client, path, headers=A) -> list[str]:
    return client.get(path, headers=headers).get_json()["member"]


def found(client, path) -> list[dict]:
    return client.get(path, headers=A).get_json()["epcisBody"]["queryResults"]["resultsBody"][
        "eventList"
    ]


def test_collections_list_what_the_events_contain(client) -> None:
    assert "ObjectEvent" in members(client, "/epcis/eventTypes")
    assert members(client, "/epcis/bizSteps") == ["receiving", "shipping"]
    assert members(client, "/epcis/dispositions") == ["in_transit"]
    assert members(client, "/epcis/bizLocations") == [SHOP]
    assert len(members(client, "/epcis/epcs")) == 3
    assert members(client, "/epcis/bizSteps", B) == []


def test_each_member_has_its_events(client) -> None:
    assert len(found(client, "/epcis/bizSteps/shipping/events")) == 2
    assert len(found(client, f"/epcis/bizLocations/{quote(SHOP, safe='')}/events")) == 3
    epc = members(client, "/epcis/epcs")[0]
    assert len(found(client, f"/epcis/epcs/{quote(epc, safe='')}/events")) == 1
    assert client.get("/epcis/bizSteps/shipping", headers=A).status_code == 200
    assert client.get("/epcis/bizSteps/packing", headers=A).status_code == 404
    assert len(found(client, "/epcis/eventTypes/ObjectEvent/events?perPage=2")) == 2

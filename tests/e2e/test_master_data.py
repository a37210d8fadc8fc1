"""Master data captured in a document header is stored and answered by code or type."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask

from app.wiring import wiring_of
from events.adapters.sql_registry import hash_api_key

LOCATION = "urn:epcglobal:epcis:vtype:BusinessLocation"
SGLN = "urn:epc:id:sgln:6901234.00001.0"


def header(name: str) -> dict:
    return {
        "epcisMasterData": {
            "vocabularyList": [
                {
                    "type": LOCATION,
                    "vocabularyElementList": [
                        {
                            "id": SGLN,
                            "attributes": [
                                {"id": "urn:epcglobal:cbv:mda#name", "attribute": name},
                                {"id": "urn:epcglobal:cbv:mda#city", "attribute": "Haikou"},
                            ],
                        }
                    ],
                }
            ]
        }
    }


def document(name: str) -> bytes:
    return json.dumps(
        {
            "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": "2026-03-01T09:00:00Z",
            "epcisHeader": header(name),
            "epcisBody": {"eventList": []},
        }
    ).encode()


def test_master_data_is_stored_and_queried(make_app, migrated_database_url, tmp_path: Path) -> None:
    app: Flask = make_app(
        {"DATABASE_URL": migrated_database_url, "SIGNING_KEY_FILE": str(tmp_path / "k")}
    )
    with wiring_of(app).uow() as uow:
        for name, key in (("A Co", "oc_a"), ("B Co", "oc_b")):
            uow.organisations.add_api_key(uow.organisations.add(name).id, hash_api_key(key), "t")
        uow.commit()
    client = app.test_client()
    auth = {"Authorization": "Bearer oc_a"}
    sent = client.post(
        "/epcis/capture",
        data=document("海口配送中心"),
        headers={**auth, "Content-Type": "application/ld+json"},
    )
    assert sent.status_code == 202
    # Captured again with a new name: master data is replaced, not appended.
    client.post(
        "/epcis/capture",
        data=document("海口配送中心 Haikou DC"),
        headers={**auth, "Content-Type": "application/ld+json"},
    )
    by_type = client.get(
        "/api/v1/master-data", query_string={"type": LOCATION}, headers=auth
    ).get_json()
    assert [(e["id"], e["name"]) for e in by_type["elements"]] == [(SGLN, "海口配送中心 Haikou DC")]
    dl = "https://id.gs1.org/414/6901234000016"
    by_code = client.get("/api/v1/master-data", query_string={"id": dl}, headers=auth).get_json()
    assert by_code["elements"][0]["attributes"]["urn:epcglobal:cbv:mda#city"] == "Haikou"
    other = client.get(
        "/api/v1/master-data",
        query_string={"type": LOCATION},
        headers={"Authorization": "Bearer oc_b"},
    )
    assert other.get_json() == {"elements": []}


def test_trace_nodes_carry_master_data_names(
    make_app, migrated_database_url, tmp_path: Path
) -> None:
    app: Flask = make_app(
        {"DATABASE_URL": migrated_database_url, "SIGNING_KEY_FILE": str(tmp_path / "k")}
    )
    with wiring_of(app).uow() as uow:
        uow.organisations.add_api_key(uow.organisations.add("A Co").id, hash_api_key("oc_a"), "t")
        uow.commit()
    auth = {"Authorization": "Bearer oc_a"}
    body = json.loads(document("海口配送中心 Haikou DC"))
    body["epcisBody"]["eventList"] = [
        {
            "type": "ObjectEvent",
            "eventTime": "2026-03-01T08:00:00+08:00",
            "eventTimeZoneOffset": "+08:00",
            "action": "ADD",
            "bizStep": "commissioning",
            "epcList": ["urn:epc:id:sgtin:6901234.000001.N1"],
            "bizLocation": {"id": SGLN},
        }
    ]
    client = app.test_client()
    sent = client.post(
        "/epcis/capture",
        data=json.dumps(body),
        headers={**auth, "Content-Type": "application/ld+json"},
    )
    assert sent.status_code == 202
    traced = client.get(
        "/api/v1/trace",
        query_string={"code": "urn:epc:id:sgtin:6901234.000001.N1", "direction": "backward"},
        headers=auth,
    )
    assert traced.status_code == 200
    names = {node["id"]: node["name"] for node in traced.get_json()["nodes"]}
    assert "海口配送中心 Haikou DC" in names.values()

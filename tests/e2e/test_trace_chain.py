"""Trace API and CLI on the food reference chain (docs/TRACE.md).

Farm lots and a sugar lot → juice batch (TransformationEvent) → serialised bottles → cases →
pallet → shipped to a distributor in Haikou. Forward from the contaminated sugar lot finds every
bottle, case, pallet and holder, but not a bottle of another batch sharing a case; backward from
a bottle finds the lots, farms and the sugar lot's inspection. Time-aware: a bottle unpacked
before its case went on the pallet was never on the pallet.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from tests_support_cli import run

from app.wiring import wiring_of
from events.adapters import make_engine
from events.adapters.sql_registry import hash_api_key
from events.adapters.sql_uow import SqlUnitOfWork
from events.capture import capture
from events.domain.links import canonical_id

T0 = datetime(2026, 6, 1, 8, tzinfo=UTC)
PREFIX = "6901234"
COCONUT = f"urn:epc:class:lgtin:{PREFIX}.012345.COCO-1"
MANGO = f"urn:epc:class:lgtin:{PREFIX}.012346.MANGO-1"
SUGAR = f"urn:epc:class:lgtin:{PREFIX}.012347.SUGAR-7"
JUICE = f"urn:epc:class:lgtin:{PREFIX}.054321.J1"
OTHER_JUICE = f"urn:epc:class:lgtin:{PREFIX}.054321.J0"
FARM_1, FARM_2 = f"urn:epc:id:sgln:{PREFIX}.00001.0", f"urn:epc:id:sgln:{PREFIX}.00002.0"
PLANT = f"urn:epc:id:sgln:{PREFIX}.00003.0"
DISTRIBUTOR = f"urn:epc:id:pgln:{PREFIX}.00009"
BOTTLES = [f"urn:epc:id:sgtin:{PREFIX}.054321.B{n}" for n in range(1, 7)]
STRAY = f"urn:epc:id:sgtin:{PREFIX}.054321.X1"  # another batch, shares case 2
CASES = [f"urn:epc:id:sscc:{PREFIX}.000000000{n}" for n in (1, 2)]
PALLET = f"urn:epc:id:sscc:{PREFIX}.0000000099"


def chain() -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = [
        _obj("ADD", [], [(COCONUT, 500)], FARM_1, biz="commissioning"),
        _obj("ADD", [], [(MANGO, 300)], FARM_2, biz="commissioning"),
        _obj(
            "OBSERVE",
            [],
            [(SUGAR, 50)],
            PLANT,
            biz="inspecting",
            disposition="conformant",
            ilmd={"example:residue": "SO2 12 mg/kg"},
        ),
        {
            "type": "TransformationEvent",
            "inputQuantityList": [_q(COCONUT, 100), _q(MANGO, 40), _q(SUGAR, 8)],
            "outputQuantityList": [_q(JUICE, 120, "LTR")],
            "bizLocation": {"id": PLANT},
        },
        {
            "type": "TransformationEvent",
            "inputQuantityList": [_q(JUICE, 120, "LTR")],
            "outputEPCList": [canonical_id(b) for b in BOTTLES],
            "bizLocation": {"id": PLANT},
            "ilmd": {"cbvmda:lotNumber": "J1"},
        },
        {
            "type": "TransformationEvent",
            "inputQuantityList": [_q(OTHER_JUICE, 1, "LTR")],
            "outputEPCList": [STRAY],
            "bizLocation": {"id": PLANT},
        },
        _pack(CASES[0], BOTTLES[:3]),
        _pack(CASES[1], [*BOTTLES[3:], STRAY]),
        {
            "type": "AggregationEvent",
            "action": "DELETE",
            "parentID": CASES[1],
            "childEPCs": [BOTTLES[5]],
        },
        _pack(PALLET, CASES),
        _obj(
            "OBSERVE",
            [PALLET],
            [],
            PLANT,
            biz="shipping",
            destinations=[{"type": "owning_party", "destination": DISTRIBUTOR}],
        ),
    ]
    return [
        {**s, "eventTime": (T0 + timedelta(hours=i)).isoformat(), "eventTimeZoneOffset": "+00:00"}
        for i, s in enumerate(steps)
    ]


def _q(epc_class: str, quantity: float, uom: str = "KGM") -> dict[str, Any]:
    return {"epcClass": epc_class, "quantity": quantity, "uom": uom}


def _obj(  # noqa: PLR0913
    action: str,
    epcs: list[str],
    classes: list[tuple[str, float]],
    where: str,
    *,
    biz: str,
    disposition: str | None = None,
    ilmd: dict[str, Any] | None = None,
    destinations: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        "action": action,
        "epcList": epcs,
        "quantityList": [_q(c, n) for c, n in classes],
        "bizStep": biz,
        "bizLocation": {"id": where},
        "readPoint": {"id": where},
    }
    for key, value in (
        ("disposition", disposition),
        ("ilmd", ilmd),
        ("destinationList", destinations),
    ):
        if value:
            event[key] = value  # noqa: PERF403
    return event


def _pack(parent: str, children: list[str]) -> dict[str, Any]:
    return {
        "type": "AggregationEvent",
        "action": "ADD",
        "parentID": parent,
        "childEPCs": children,
        "bizStep": "packing",
        "bizLocation": {"id": PLANT},
    }


def ids(body: dict[str, Any]) -> set[str]:
    return {n["id"] for n in body["nodes"]}


def check_forward(body: dict[str, Any]) -> None:
    found = ids(body)
    assert {canonical_id(c) for c in [*BOTTLES, *CASES, PALLET, JUICE]} <= found
    assert canonical_id(STRAY) not in found  # shares case 2, another batch: not affected
    assert canonical_id(COCONUT) not in found
    (product,) = [p for p in body["summary"]["products"] if p["lot"] == "J1" and p["items"]]
    assert product["items"] == 6
    holders = {h["holder"]: h["items"] for h in body["summary"]["holders"]}
    assert holders[DISTRIBUTOR] == 5  # B6 left case 2 before the pallet was shipped
    assert [s["objects"] for s in body["summary"]["shipments"]] == [[canonical_id(PALLET)]]


def check_backward(body: dict[str, Any]) -> None:
    found = ids(body)
    for code in (
        COCONUT,
        MANGO,
        SUGAR,
        JUICE,
        canonical_id(FARM_1),
        canonical_id(FARM_2),
    ):
        assert canonical_id(code) in found
    sources = {s["id"]: s for s in body["summary"]["sources"]}
    assert set(sources) == {canonical_id(c) for c in (COCONUT, MANGO, SUGAR)}
    assert canonical_id(FARM_1) in sources[canonical_id(COCONUT)]["locations"]
    # the timeline: where the coconut lot was, in the event that names it there
    at_farm = [
        e
        for e in body["events"]
        if {"relation": "biz_location", "id": canonical_id(FARM_1)} in e["places"]
    ]
    assert at_farm
    assert all(canonical_id(COCONUT) in e["objects"] for e in at_farm)
    times = [(e["event_time"], e["event_id"]) for e in body["events"]]
    assert times == sorted(times)
    (inspection,) = body["summary"]["inspections"]
    assert inspection["disposition"] == "conformant"
    assert inspection["objects"] == [canonical_id(SUGAR)]


@pytest.fixture
def traced(app: Flask) -> dict[str, str]:
    with wiring_of(app).uow() as uow:
        owner = uow.organisations.add("Coconut Co", company_prefixes=[PREFIX])
        uow.organisations.add_api_key(owner.id, hash_api_key("oc_coconut"), "test")
        other = uow.organisations.add("Other Co", company_prefixes=["6905555"])
        uow.organisations.add_api_key(other.id, hash_api_key("oc_other"), "test")
        uow.commit()
    assert capture(wiring_of(app).uow(), chain(), organisation_id=owner.id).success
    return {"Authorization": "Bearer oc_coconut", "Accept-Language": "en"}


def test_api_forward_from_the_sugar_lot(client: FlaskClient, traced: dict[str, str]) -> None:
    digital_link = canonical_id(SUGAR)  # any spelling
    response = client.get(
        "/api/v1/trace", query_string={"code": digital_link, "direction": "forward"}, headers=traced
    )
    assert response.status_code == 200, response.json
    check_forward(response.json)


def test_api_backward_from_a_bottle(client: FlaskClient, traced: dict[str, str]) -> None:
    response = client.get("/api/v1/trace", query_string={"code": BOTTLES[5]}, headers=traced)
    assert response.status_code == 200
    body = response.json
    check_backward(body)
    assert canonical_id(CASES[1]) in ids(body)
    assert canonical_id(PALLET) not in ids(body)  # B6 left case 2 before the pallet was built
    (carried,) = [e for e in body["edges"] if e["relation"] == "child"]
    assert carried["until_time"] is not None


def test_api_errors(client: FlaskClient, traced: dict[str, str]) -> None:
    bad = client.get("/api/v1/trace", query_string={"code": "(01)06901234000017"}, headers=traced)
    assert bad.status_code == 422
    assert "check digit" in bad.json["detail"]
    unknown = "urn:epc:id:sgtin:6901234.054321.NOPE"
    assert (
        client.get("/api/v1/trace", query_string={"code": unknown}, headers=traced).status_code
        == 404
    )
    others = {"Authorization": "Bearer oc_other"}
    assert (
        client.get("/api/v1/trace", query_string={"code": SUGAR}, headers=others).status_code == 404
    )
    assert client.get("/api/v1/trace", query_string={"code": SUGAR}).status_code == 401


def test_cli_forward_and_backward(migrated_database_url: str, tmp_path) -> None:
    env = {
        "ONECODE_DATABASE_URL": migrated_database_url,
        "ONECODE_SIGNING_KEY_FILE": str(tmp_path / "k"),
    }
    assert run("org", "create", "Coconut Co", "--gcp", PREFIX, env=env).returncode == 0
    engine = make_engine(migrated_database_url)
    with SqlUnitOfWork(engine) as uow:
        org = uow.organisations.by_name("Coconut Co")
    assert org is not None
    assert capture(SqlUnitOfWork(engine), chain(), organisation_id=org.id).success
    engine.dispose()
    forward = run("trace", "forward", SUGAR, "--json", "--org", "Coconut Co", env=env)
    assert forward.returncode == 0, forward.stderr
    check_forward(json.loads(forward.stdout))
    backward = run("trace", "backward", BOTTLES[0], "--json", env=env)
    check_backward(json.loads(backward.stdout))
    tree = run("trace", "backward", canonical_id(BOTTLES[0]), env=env)
    assert tree.returncode == 0, tree.stderr
    assert "SUGAR-7" in tree.stdout and "summary" in tree.stdout  # noqa: PT018
    # the timeline: where the coconut lot was commissioned, at the farm
    timeline = tree.stdout[tree.stdout.index("timeline") : tree.stdout.index("summary")]
    assert "commissioning" in timeline and canonical_id(FARM_1) in timeline  # noqa: PT018
    assert "Example:" in run("trace", "forward", "--help", env=env).stdout
    missing = run("trace", "forward", "urn:epc:id:sgtin:6901234.054321.NOPE", env=env)
    assert missing.returncode != 0 and "no event names" in missing.stderr  # noqa: PT018

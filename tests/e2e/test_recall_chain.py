"""Recall API, exports and CLI on a small food chain built through capture (docs/RECALLS.md).

Coconut and sugar lots → juice batch J1 (TransformationEvent), coconut → sibling batch J2 →
bottles of J1 → cases → pallet → shipped to a distributor (and received there). A recall of the
sugar lot holds every bottle and lot it reached, in the ledger, and lists the distributor.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from PIL import Image
from tests_support_cli import run
from tests_support_pdf import pdf_text, rasterise_pdf

from app.recall.fsma import tlc_label
from app.wiring import wiring_of
from events.adapters import make_engine
from events.adapters.sql_registry import hash_api_key
from events.adapters.sql_uow import SqlUnitOfWork
from events.capture import capture
from events.domain.links import canonical_id

T0 = datetime(2026, 6, 1, 8, tzinfo=UTC)
PREFIX = "6901234"
COCONUT = f"urn:epc:class:lgtin:{PREFIX}.012345.COCO-1"
SUGAR = f"urn:epc:class:lgtin:{PREFIX}.012347.SUGAR-7"
JUICE = f"urn:epc:class:lgtin:{PREFIX}.054321.J1"
SIBLING = f"urn:epc:class:lgtin:{PREFIX}.054321.J2"
FARM, SUPPLIER = f"urn:epc:id:sgln:{PREFIX}.00001.0", f"urn:epc:id:sgln:{PREFIX}.00002.0"
PLANT, DEPOT = f"urn:epc:id:sgln:{PREFIX}.00003.0", f"urn:epc:id:sgln:{PREFIX}.00009.0"
PLANT_PARTY = f"urn:epc:id:pgln:{PREFIX}.00003"
DISTRIBUTOR = f"urn:epc:id:pgln:{PREFIX}.00009"
BOTTLES = [f"urn:epc:id:sgtin:{PREFIX}.054321.B{n}" for n in range(1, 5)]
CASES = [f"urn:epc:id:sscc:{PREFIX}.000000000{n}" for n in (1, 2)]
PALLET = f"urn:epc:id:sscc:{PREFIX}.0000000099"


def _q(epc_class: str, quantity: float, uom: str = "KGM") -> dict[str, Any]:
    return {"epcClass": epc_class, "quantity": quantity, "uom": uom}


def _at(where: str) -> dict[str, Any]:
    return {"bizLocation": {"id": where}, "readPoint": {"id": where}}


def _pack(parent: str, children: list[str]) -> dict[str, Any]:
    return {"type": "AggregationEvent", "action": "ADD", "parentID": parent,
            "childEPCs": children, "bizStep": "packing", **_at(PLANT)}  # fmt: skip


def chain() -> list[dict[str, Any]]:
    new = {"type": "ObjectEvent", "action": "ADD", "epcList": [], "bizStep": "commissioning"}
    steps: list[dict[str, Any]] = [
        {**new, "quantityList": [_q(COCONUT, 500)], **_at(FARM)},
        {**new, "quantityList": [_q(SUGAR, 50)], **_at(SUPPLIER)},
        {
            "type": "TransformationEvent",
            "inputQuantityList": [_q(COCONUT, 100), _q(SUGAR, 8)],
            "outputQuantityList": [_q(JUICE, 120, "LTR")],
            **_at(PLANT),
        },
        {
            "type": "TransformationEvent",
            "inputQuantityList": [_q(COCONUT, 50)],
            "outputQuantityList": [_q(SIBLING, 60, "LTR")],
            **_at(PLANT),
        },
        {
            "type": "TransformationEvent",
            "inputQuantityList": [_q(JUICE, 120, "LTR")],
            "outputEPCList": BOTTLES,
            "ilmd": {"cbvmda:lotNumber": "J1"},
            **_at(PLANT),
        },
        _pack(CASES[0], BOTTLES[:2]),
        _pack(CASES[1], BOTTLES[2:]),
        _pack(PALLET, CASES),
        {
            "type": "ObjectEvent",
            "action": "OBSERVE",
            "epcList": [PALLET],
            "bizStep": "shipping",
            **_at(PLANT),
            "bizTransactionList": [
                {"type": "desadv", "bizTransaction": "urn:epcglobal:cbv:bt:DN-001"}
            ],
            "destinationList": [
                {"type": "owning_party", "destination": DISTRIBUTOR},
                {"type": "location", "destination": DEPOT},
            ],
        },
        {
            "type": "ObjectEvent",
            "action": "OBSERVE",
            "epcList": [PALLET],
            "bizStep": "receiving",
            **_at(DEPOT),
            "sourceList": [{"type": "owning_party", "source": PLANT_PARTY}],
        },
    ]
    return [
        {**s, "eventTime": (T0 + timedelta(hours=i)).isoformat(), "eventTimeZoneOffset": "+00:00"}
        for i, s in enumerate(steps)
    ]


@pytest.fixture
def owner(app: Flask) -> dict[str, str]:
    with wiring_of(app).uow() as uow:
        org = uow.organisations.add("Coconut Co", company_prefixes=[PREFIX])
        uow.organisations.add_api_key(org.id, hash_api_key("oc_coconut"), "test")
        other = uow.organisations.add("Other Co", company_prefixes=["6905555"])
        uow.organisations.add_api_key(other.id, hash_api_key("oc_other"), "test")
        uow.commit()
    assert capture(wiring_of(app).uow(), chain(), organisation_id=org.id).success
    return {"Authorization": "Bearer oc_coconut", "Accept-Language": "en"}


def _open(client: FlaskClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = client.post("/api/v1/recalls", json=body, headers=headers)
    assert response.status_code == 201, response.json
    assert response.headers["Location"].endswith(response.json["id"])
    return dict(response.json)


def test_open_recall_scope_holds_and_holders(
    app: Flask, client: FlaskClient, owner: dict[str, str]
) -> None:
    case = _open(client, owner, codes=[tlc_label(canonical_id(SUGAR))], reason="SO2 above limit")
    scope = case["scope"]
    assert scope["items"] == sorted(canonical_id(b) for b in BOTTLES)
    assert {c["id"] for c in scope["classes"]} == {canonical_id(SUGAR), canonical_id(JUICE)}
    assert set(scope["containers"]) == {canonical_id(c) for c in [*CASES, PALLET]}
    holders = {h["holder"]: h for h in case["holders"]}
    assert holders[DISTRIBUTOR]["items"] == 4
    assert holders[DISTRIBUTOR]["expected_quantity"] == 4
    assert case["status"] == "open"
    assert len(case["hold_event_ids"]) == 2  # one for the items, one for the lots
    with wiring_of(app).uow(read_only=True) as uow:
        for event_id in case["hold_event_ids"]:
            stored = uow.ledger.get(event_id)
            assert stored is not None
            assert stored.record.payload["bizStep"] == "holding"
            assert stored.record.payload["persistentDisposition"] == {"set": ["recalled"]}
        states = [uow.projections.state(canonical_id(c)) for c in (BOTTLES[0], SUGAR)]
    assert {s.disposition for s in states if s} == {"recalled"}
    assert all(s and "recalled" in s.persistent for s in states)
    # the holder is unchanged by the hold: a second recall still finds the distributor
    again = _open(client, owner, codes=[BOTTLES[0]], reason="check")
    assert DISTRIBUTOR in {h["holder"] for h in again["holders"]}


def test_siblings(client: FlaskClient, owner: dict[str, str]) -> None:
    alone = _open(client, owner, codes=[BOTTLES[0]], reason="glass")
    assert canonical_id(SIBLING) not in {c["id"] for c in alone["scope"]["classes"]}
    wide = _open(client, owner, codes=[BOTTLES[0]], reason="glass", include_siblings=True)
    assert canonical_id(SIBLING) in {c["id"] for c in wide["scope"]["classes"]}
    assert canonical_id(COCONUT) in wide["scope"]["siblings_from"]


def test_confirm_close_list_and_visibility(client: FlaskClient, owner: dict[str, str]) -> None:
    case = _open(client, owner, codes=[SUGAR], reason="SO2")
    url = f"/api/v1/recalls/{case['id']}"
    confirmed = client.post(
        f"{url}/confirmations", json={"holder": DISTRIBUTOR, "returned": 3, "destroyed": 1},
        headers=owner,
    )  # fmt: skip
    assert confirmed.status_code == 200, confirmed.json
    (line,) = [h for h in confirmed.json["holders"] if h["holder"] == DISTRIBUTOR]
    assert (line["returned"], line["destroyed"], line["outstanding"]) == (3, 1, 0)
    assert [e["what"] for e in confirmed.json["timeline"]] == ["opened", "held", "confirmed"]
    unknown = client.post(f"{url}/confirmations", json={"holder": "nobody"}, headers=owner)
    assert unknown.status_code == 404
    assert client.post(f"{url}/confirmations", json={"holder": DISTRIBUTOR, "returned": -1},
                       headers=owner).status_code == 422  # fmt: skip
    assert client.post(f"{url}/close", headers=owner).json["status"] == "closed"
    assert client.post(f"{url}/close", headers=owner).status_code == 409
    late = client.post(f"{url}/confirmations", json={"holder": DISTRIBUTOR}, headers=owner)
    assert late.status_code == 409
    listed = client.get("/api/v1/recalls", headers=owner).json["recalls"]
    assert [c["id"] for c in listed] == [case["id"]]
    assert "scope" not in listed[0]
    others = {"Authorization": "Bearer oc_other"}
    assert client.get(url, headers=others).status_code == 404
    assert client.get(f"{url}/export?format=csv", headers=others).status_code == 404
    assert client.get("/api/v1/recalls", headers=others).json["recalls"] == []
    assert client.get(url).status_code == 401
    assert client.post("/api/v1/recalls", json={"codes": [SUGAR], "reason": "x"},
                       headers=others).status_code == 404  # fmt: skip
    bad = client.post("/api/v1/recalls", json={"codes": ["(01)06901234000017"], "reason": "x"},
                      headers=owner)  # fmt: skip
    assert bad.status_code == 422


def test_csv_and_fsma_exports(client: FlaskClient, owner: dict[str, str]) -> None:
    case = _open(client, owner, codes=[SUGAR], reason="SO2")
    url = f"/api/v1/recalls/{case['id']}/export"
    scope = client.get(url, query_string={"format": "csv"}, headers=owner)
    assert scope.status_code == 200
    assert scope.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(scope.data.decode("utf-8-sig"))))
    assert {r["id"] for r in rows if r["kind"] == "item"} == {canonical_id(b) for b in BOTTLES}
    assert [r["id"] for r in rows if r["kind"] == "holder"] == [
        h["holder"] for h in case["holders"]
    ]
    fsma = client.get(url, query_string={"format": "fsma-csv"}, headers=owner)
    table = list(csv.DictReader(io.StringIO(fsma.data.decode("utf-8-sig"))))
    check_fsma(table)
    xlsx = client.get(url, query_string={"format": "fsma-xlsx"}, headers=owner)
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == list(table[0])
    assert len(values) == len(table) + 1
    assert client.get(url, query_string={"format": "doc"}, headers=owner).status_code == 422


def check_fsma(table: list[dict[str, str]]) -> None:
    by_cte: dict[str, list[dict[str, str]]] = {}
    for row in table:
        by_cte.setdefault(row["cte"], []).append(row)
    j1, sugar, coco = (tlc_label(canonical_id(c)) for c in (JUICE, SUGAR, COCONUT))
    (packing,) = by_cte["initial_packing"]
    assert (packing["traceability_lot_code"], packing["quantity"]) == (sugar, "50.0")
    assert packing["tlc_source_location"] == SUPPLIER
    made = {(r["traceability_lot_code"], r["input_traceability_lot_code"], r["input_quantity"],
             r["quantity"], r["unit_of_measure"]) for r in by_cte["transformation"]}  # fmt: skip
    assert made == {
        (j1, sugar, "8.0", "120.0", "LTR"),
        (j1, coco, "100.0", "120.0", "LTR"),
        (j1, j1, "120.0", "4.0", "EA"),
    }
    (shipped,) = by_cte["shipping"]
    assert (shipped["traceability_lot_code"], shipped["quantity"]) == (j1, "4.0")
    assert (shipped["ship_from_location"], shipped["ship_to_location"]) == (PLANT, DEPOT)
    assert shipped["reference_document_type"] == "desadv"
    assert shipped["reference_document_number"].endswith("DN-001")
    assert shipped["tlc_source_location"] == PLANT
    (received,) = by_cte["receiving"]
    assert received["immediate_previous_source"] == PLANT_PARTY
    assert received["location_description"] == DEPOT
    assert {r["tlc_source_reference"] for r in table} == {""}


def _pdf_text(data: bytes, tmp_path: Path) -> str:
    """Every page rendered to a PNG that shows something, then the text of the whole PDF."""
    for number, page in enumerate(rasterise_pdf(data, dpi=50), start=1):
        png = tmp_path / f"page-{number}.png"
        page.save(png)
        assert Image.open(png).getextrema()[0] < 128  # not a blank page: something is drawn
    assert list(tmp_path.glob("page-*.png"))
    return pdf_text(data)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_pdf_report(client: FlaskClient, owner: dict[str, str], lang: str, tmp_path: Path) -> None:
    case = _open(client, owner, codes=[SUGAR], reason="SO2 above limit 二氧化硫超标")
    response = client.get(
        f"/api/v1/recalls/{case['id']}/export",
        query_string={"format": "pdf", "lang": lang},
        headers=owner,
    )
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = _pdf_text(response.data, tmp_path)
    assert case["id"] in text
    assert "SO2 above limit 二氧化硫超标" in text
    assert DISTRIBUTOR in text
    assert ("产品召回报告" in text) == (lang == "zh")
    assert ("Recall report" in text) == (lang == "en")


def test_cli(migrated_database_url: str, tmp_path: Path) -> None:
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
    opened = run("recall", "open", SUGAR, "--reason", "SO2", "--org", "Coconut Co", env=env)
    assert opened.returncode == 0, opened.stderr
    case_id = opened.stdout.split()[1]
    assert case_id.startswith("RC-")
    assert DISTRIBUTOR in opened.stdout
    status = run("recall", "status", case_id, env=env)
    assert status.returncode == 0, status.stderr
    assert "SO2" in status.stdout and "open" in status.stdout  # noqa: PT018
    out = tmp_path / "fsma.csv"
    exported = run("recall", "export", case_id, "--format", "fsma-csv", "--out", str(out), env=env)
    assert exported.returncode == 0, exported.stderr
    check_fsma(list(csv.DictReader(io.StringIO(out.read_text("utf-8-sig")))))
    for command in ("open", "status", "export"):
        assert "Example:" in run("recall", command, "--help", env=env).stdout
    missing = run("recall", "status", "RC-NOPE", env=env)
    assert missing.returncode != 0 and "no recall" in missing.stderr  # noqa: PT018

"""Demo data (docs/DEMO.md): the three reference chains load, verify and trace end to end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests_support_cli import run

from events.codec import read_document
from events.codec.jsonld_writer import write_query_document
from events.demo import building_chain, chains, food_chain, pharma_chain
from events.demo.scale import scaled_steps, write_jsonld
from events.domain.links import canonical_id
from identifiers import parse

SUGAR = "urn:epc:class:lgtin:6971103.010003.SUGAR-260528"
BOTTLE = "urn:epc:id:sgtin:6971104.020002.J2606030001"
API_LOT = "urn:epc:class:lgtin:6972201.030001.MET-260511"
PACK = "urn:epc:id:sgtin:6972202.040002.T2606A00001"
CEMENT = "urn:epc:class:lgtin:6973301.050001.CEM-260601"
POUR = "88.118.34/POUR-T1-F3-COL"
TICKET = "88.118.33/WT-260603-0001"


def test_chains_are_valid_epcis_with_valid_codes() -> None:
    for chain in chains():
        events = [event for _, event in chain.steps]
        document = write_query_document(events, creation_date="2026-06-01T00:00:00+08:00")
        document["type"] = "EPCISDocument"
        document["epcisBody"] = {
            "eventList": document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        }
        back = read_document(json.dumps(document).encode(), "application/ld+json")
        assert list(back.events) == events, chain.name
        assert all(e["eventTime"].endswith("+08:00") for e in events)
        for company in chain.companies:
            for site in range(len(company.sites)):
                assert parse(company.gln(site)).canonical
        for _, code in chain.codes:
            assert parse(code).canonical == canonical_id(code)
    assert food_chain().steps == food_chain().steps  # deterministic
    assert {e["eventTime"] for _, e in pharma_chain(1).steps}.isdisjoint(
        {e["eventTime"] for _, e in pharma_chain(2).steps}
    ) or pharma_chain(1).steps != pharma_chain(2).steps
    assert building_chain(3).steps != building_chain().steps


def test_generate_streams_valid_events(tmp_path: Path) -> None:
    out = tmp_path / "bench.jsonld"
    with out.open("w", encoding="utf-8") as stream:
        assert write_jsonld(scaled_steps(20000), stream) == 20000
    document = read_document(out.read_bytes(), "application/ld+json")
    assert len(document.events) == 20000
    assert len({json.dumps(e, sort_keys=True) for e in document.events}) == 20000


def _trace(env: dict[str, str], direction: str, code: str) -> dict[str, Any]:
    result = run("trace", direction, code, "--json", env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _ids(body: dict[str, Any]) -> set[str]:
    return {n["id"] for n in body["nodes"]}


def _holders(body: dict[str, Any]) -> dict[str | None, int]:
    found: dict[str | None, int] = {}
    for h in body["summary"]["holders"]:
        found[h["holder"]] = found.get(h["holder"], 0) + h["items"]
    return found


def test_demo_load_verify_and_trace(migrated_database_url: str, tmp_path: Path) -> None:
    env = {
        "ONECODE_DATABASE_URL": migrated_database_url,
        "ONECODE_SIGNING_KEY_FILE": str(tmp_path / "k"),
    }
    first = run("demo", "load", "--if-empty", env=env)
    assert first.returncode == 0, first.stderr
    total = sum(len(c.steps) for c in chains())
    assert "SUGAR-260528" in first.stdout and "onecode trace forward" in first.stdout  # noqa: PT018
    again = run("demo", "load", "--if-empty", env=env)
    assert again.returncode == 0 and "not loaded" in again.stdout  # noqa: PT018
    plain = run("demo", "load", env=env)
    assert plain.returncode != 0 and "loaded already" in plain.stderr  # noqa: PT018
    verify = run("ledger", "verify", env=env)
    assert verify.returncode == 0 and f"checked {total} events" in verify.stdout  # noqa: PT018

    forward = _trace(env, "forward", SUGAR)
    bottles = {i for i in _ids(forward) if "/21/J260603" in i}
    assert len(bottles) == 24
    assert not any("/21/J260604" in i for i in _ids(forward))
    assert _holders(forward)["urn:epc:id:pgln:6971106.00001"] == 24  # the supermarkets
    backward = _trace(env, "backward", BOTTLE)
    assert {
        canonical_id(SUGAR),
        canonical_id("urn:epc:class:lgtin:6971101.010001.COCO-2606A"),
    } <= _ids(backward)
    assert "https://id.gs1.org/414/6971101000012" in _ids(backward)  # the coconut farm
    assert any(i["disposition"] == "non_conformant" for i in backward["summary"]["inspections"])

    pharma = _trace(env, "forward", API_LOT)
    packs = {i for i in _ids(pharma) if "/21/T2606A" in i}
    assert len(packs) == 40
    assert not any("/21/T2606B" in i for i in _ids(pharma))
    assert _holders(pharma)["urn:epc:id:pgln:6972204.00001"] == 20  # the hospital pharmacy
    assert _holders(pharma)["urn:epc:id:pgln:6972203.00001"] == 20  # the wholesaler
    assert canonical_id(API_LOT) in _ids(_trace(env, "backward", PACK))

    building = _trace(env, "forward", CEMENT)
    pours = {i for i in _ids(building) if "/POUR-" in i}
    assert pours == {"88.118.34/POUR-T1-F3-COL", "88.118.34/POUR-T1-F3-SLAB"}
    assert canonical_id(CEMENT) in _ids(_trace(env, "backward", POUR))
    ticket = _ids(_trace(env, "backward", TICKET))  # 码码关联: ticket → delivery note → order
    assert {"88.118.33/DN-260603-001", "88.118.33/PO-260603"} <= ticket
    # ... and through the note's load to the lots it was made from (the failed order's cement)
    assert canonical_id(CEMENT) in ticket

"""The identifiers and code-batch API end to end, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.wiring import wiring_of
from events.adapters.sql_registry import hash_api_key
from identifiers import parse

GTIN = "06901234000016"
EN = {"Accept-Language": "en"}


def add_organisation(app: Flask, name: str, prefix: str, key: str) -> None:
    with wiring_of(app).uow() as uow:
        owner = uow.organisations.add(
            name, company_prefixes=[prefix], handle_prefix=f"88.100.{prefix[-1]}"
        )
        uow.organisations.add_api_key(owner.id, hash_api_key(key), "test")
        uow.commit()


@pytest.fixture
def auth(app: Flask) -> dict[str, str]:
    add_organisation(app, "Coconut Co", "6901234", "oc_coconut")
    add_organisation(app, "Other Co", "6905555", "oc_other")
    return {"Authorization": "Bearer oc_coconut", **EN}


def test_parse_answers_every_spelling(client: FlaskClient) -> None:
    response = client.get("/api/v1/identifiers/parse", query_string={"code": f"]d201{GTIN}21A%2F1"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["scheme"] == "sgtin"
    assert body["canonical"] == f"https://id.gs1.org/01/{GTIN}/21/A%252F1"
    assert body["parts"] == {"gtin": GTIN, "serial": "A%2F1"}


def test_parse_uses_the_registered_company_prefixes(client: FlaskClient, auth) -> None:
    body = client.get(
        "/api/v1/identifiers/parse", query_string={"code": f"(01){GTIN}(21)X"}
    ).get_json()
    assert body["epc_urn"] == "urn:epc:id:sgtin:6901234.000001.X"


@pytest.mark.parametrize(
    ("query", "kind", "words"),
    [
        ({"code": "(01)06901234000017"}, "invalid-identifier", "check digit"),
        ({"code": "x" * 10_000}, "invalid-identifier", ""),
        ({}, "validation-failed", "Missing data"),
    ],
)
def test_parse_errors_are_problems(client: FlaskClient, query, kind, words) -> None:
    response = client.get("/api/v1/identifiers/parse", query_string=query, headers=EN)
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["type"] == f"/problems/{kind}"
    assert words in body.get("detail", "") + str(body.get("errors", ""))


def test_minting_needs_an_api_key(client: FlaskClient, auth) -> None:
    for headers in ({}, {"Authorization": "Bearer oc_wrong"}, {"Authorization": "Basic x"}):
        response = client.post(
            "/api/v1/code-batches",
            json={"scheme": "sgtin", "count": 1, "gtin": GTIN},
            headers=headers,
        )
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def mint(client, auth, key=None, **body):
    headers = {**auth, **({"Idempotency-Key": key} if key else {})}
    return client.post(
        "/api/v1/code-batches", json={"scheme": "sgtin", "gtin": GTIN, **body}, headers=headers
    )


def test_mint_then_fetch_as_json_and_csv(client: FlaskClient, auth) -> None:
    created = mint(client, auth, count=25, lot="L2401", expiry="2027-06-30")
    assert created.status_code == 201
    batch = created.get_json()
    assert created.headers["Location"] == batch["links"]["self"]
    assert batch["count"] == 25
    assert batch["request"]["expiry"] == "270630"
    assert 0 < batch["guess_probability"] < 1e-4

    listed, url, pages = [], batch["links"]["self"] + "?limit=10", 0
    while url:
        page = client.get(url, headers=auth).get_json()
        listed += page["codes"]
        url, pages = page["links"].get("next"), pages + 1
    assert pages == 3
    assert len({c["serial"] for c in listed}) == 25

    exported = client.get(batch["links"]["self"], headers={**auth, "Accept": "text/csv"})
    assert exported.content_type.startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert len(rows) == 25
    for row in rows:
        code = parse(row["digital_link"])
        assert code.serial == row["serial"]
        assert code.lot == "L2401"
        assert parse(row["epc_urn"]).canonical == code.canonical
        assert parse(row["element_string"]).canonical == code.canonical


def test_a_retried_post_mints_nothing_twice(client: FlaskClient, auth, app: Flask) -> None:
    first = mint(client, auth, key="order-77", count=7)
    again = mint(client, auth, key="order-77", count=7)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotency-Replayed"] == "true"
    assert again.get_json()["id"] == first.get_json()["id"]
    with wiring_of(app).uow() as uow:
        assert uow.codes.issued(GTIN) == 7
    reused = mint(client, auth, key="order-77", count=8)
    assert reused.status_code == 422
    assert reused.get_json()["type"] == "/problems/idempotency-key-reused"


def test_concurrent_retries_with_one_key_make_one_batch(app: Flask, auth) -> None:
    def post(_: int):
        return mint(app.test_client(), auth, key="race", count=50).get_json()["id"]

    with ThreadPoolExecutor(4) as pool:
        ids = set(pool.map(post, range(8)))
    assert len(ids) == 1
    with wiring_of(app).uow() as uow:
        assert uow.codes.issued(GTIN) == 50


def test_validation_names_each_field(client: FlaskClient, auth) -> None:
    response = mint(
        client, auth, count=0, gtin="06901234000017", lot="L 1", expiry="271301", scheme="nope"
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.get_json()["errors"]}
    assert fields == {"count", "gtin", "lot", "expiry", "scheme"}


def test_codes_of_other_organisations_are_refused(client: FlaskClient, auth) -> None:
    response = mint(client, auth, count=1, gtin="06905555000014")
    assert response.status_code == 403
    assert "6905555" not in response.get_json()["detail"].split("registered:")[1]


def test_other_organisations_batches_are_not_found(client: FlaskClient, auth) -> None:
    location = mint(client, auth, count=1).headers["Location"]
    other = client.get(location, headers={"Authorization": "Bearer oc_other"})
    assert other.status_code == 404
    assert client.get("/api/v1/code-batches/nope", headers=auth).status_code == 404


def test_sscc_and_handle_batches(client: FlaskClient, auth) -> None:
    sscc = client.post(
        "/api/v1/code-batches",
        json={"scheme": "sscc", "count": 2, "company_prefix": "6901234"},
        headers=auth,
    )
    assert sscc.status_code == 201
    rows = client.get(sscc.get_json()["links"]["self"], headers=auth).get_json()["codes"]
    assert [parse(r["sscc"]).epc_urn for r in rows] == [r["epc_urn"] for r in rows]
    handle = client.post(
        "/api/v1/code-batches", json={"scheme": "handle", "count": 2}, headers=auth
    )
    assert handle.status_code == 201
    assert handle.get_json()["code_key"] == "handle:88.100.4"


def test_malformed_json_is_a_problem(client: FlaskClient, auth) -> None:
    response = client.post(
        "/api/v1/code-batches",
        data="{not json",
        headers={**auth, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.content_type == "application/problem+json"


def test_the_openapi_description_lists_the_endpoints(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    assert {
        "/api/v1/identifiers/parse",
        "/api/v1/code-batches",
        "/api/v1/code-batches/{batch_id}",
    } <= set(spec["paths"])

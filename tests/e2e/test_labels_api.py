"""POST /api/v1/labels end to end, on SQLite and PostgreSQL: files decode, ownership is enforced."""

from __future__ import annotations

import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from tests_support_pdf import rasterise_pdf
from tests_support_symbols import decode_image

from app.wiring import wiring_of
from events.adapters.sql_registry import hash_api_key

GTIN = "06901234000016"
OTHER_GTIN = "06905555000014"
EN = {"Accept-Language": "en"}


@pytest.fixture
def auth(app: Flask) -> dict[str, str]:
    with wiring_of(app).uow() as uow:
        for name, prefix, key in (
            ("Coconut Co", "6901234", "oc_coconut"),
            ("Other Co", "6905555", "oc_other"),
        ):
            owner = uow.organisations.add(
                name, company_prefixes=[prefix], handle_prefix=f"88.100.{prefix[-1]}"
            )
            uow.organisations.add_api_key(owner.id, hash_api_key(key), "test")
        uow.commit()
    return {"Authorization": "Bearer oc_coconut", **EN}


def post(client: FlaskClient, auth: dict[str, str], **body):
    return client.post("/api/v1/labels", json=body, headers=auth)


def test_png_symbol_of_an_owned_code(client: FlaskClient, auth) -> None:
    response = post(
        client,
        auth,
        template="pharma",
        format="png",
        codes=[f"(01){GTIN}(21)ABC"],
        lot="B7",
        expiry="2026-12-31",
    )
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.data))
    assert decode_image(image) == [f"]d201{GTIN}1726123110B7\x1d21ABC"]


@pytest.mark.parametrize(
    ("fmt", "media"),
    [("pdf", "application/pdf"), ("svg", "image/svg+xml"), ("zpl", "application/zpl")],
)
def test_each_format_has_its_media_type(client: FlaskClient, auth, fmt, media) -> None:
    response = post(
        client,
        auth,
        template="consumer",
        format=fmt,
        codes=[f"(01){GTIN}(21)A"],
        product_zh="椰子汁",
        product_en="Coconut juice",
    )
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == media
    assert response.data[:4] in {b"%PDF", b"<?xm", b"^XA\n"}


def test_a_minted_batch_prints_as_one_pdf(client: FlaskClient, auth) -> None:
    minted = client.post(
        "/api/v1/code-batches",
        headers=auth,
        json={"scheme": "sgtin", "gtin": GTIN, "count": 30, "lot": "L1"},
    )
    batch_id = minted.get_json()["id"]
    response = post(client, auth, template="a4-24", batch_id=batch_id)
    assert response.status_code == 200
    assert int(re.search(rb"/Count (\d+)", response.data)[1]) == 2  # type: ignore[index]
    # every label of both pages read back: one GS1 DataMatrix and one Digital Link QR per code
    codes = client.get(f"/api/v1/code-batches/{batch_id}?limit=100", headers=auth).get_json()
    decoded = [p for page in rasterise_pdf(response.data) for p in decode_image(page)]
    matrix = sorted(p.split("\x1d21", 1)[1] for p in decoded if p.startswith("]d2"))
    links = sorted(p.removeprefix("]Q1") for p in decoded if p.startswith("]Q1"))
    assert len(codes["codes"]) == 30
    assert matrix == sorted(c["serial"] for c in codes["codes"])
    assert links == sorted(c["digital_link"] for c in codes["codes"])
    other = client.post(
        "/api/v1/labels",
        json={"template": "a4-24", "batch_id": batch_id},
        headers={"Authorization": "Bearer oc_other", **EN},
    )
    assert other.status_code == 404


def test_codes_of_another_organisation_are_forbidden(client: FlaskClient, auth) -> None:
    for code in (f"(01){OTHER_GTIN}(21)A", "(00)069055550000000014", "88.100.5/X"):
        response = post(client, auth, template="consumer", codes=[code])
        assert response.status_code == 403, code
        assert response.get_json()["type"] == "/problems/forbidden"


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"codes": [f"(01){GTIN[:-1]}7(21)A"]}, "codes.0", "check digit"),
        ({"codes": [f"(01){GTIN}(21)A B"]}, "codes.0", "(21)"),
        ({"codes": [f"(01){GTIN}(21)A"], "expiry": "2026-02-30"}, "expiry", "YYYY-MM-DD"),
        ({"codes": [f"(01){GTIN}(10)X(21)A"], "lot": "Y"}, "lot", "carries"),
        ({}, "codes", "one of them"),
    ],
)
def test_gs1_rule_breaks_are_422_naming_the_field(
    client: FlaskClient, auth, body, field, words
) -> None:
    response = post(client, auth, template="consumer", **body)
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["type"] == "/problems/validation-failed"
    assert any(e["field"] == field and words in e["message"] for e in problem["errors"]), problem


def test_labels_need_an_api_key(client: FlaskClient) -> None:
    response = client.post("/api/v1/labels", json={"template": "consumer", "codes": [GTIN]})
    assert response.status_code == 401

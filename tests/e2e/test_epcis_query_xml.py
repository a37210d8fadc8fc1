"""GET /epcis/events in the XML binding: the same events as JSON-LD, paging, CBV format."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient
from lxml import etree

from events.codec import read_document
from tests.e2e.test_epcis_capture import CONTEXT, auth, document, event, post  # noqa: F401  fixture

XML = {"Accept": "application/xml"}
QUERY_NS = "urn:epcglobal:epcis-query:xsd:2"
EXT = "https://example.com/xml-query/"


@pytest.fixture
def captured(client: FlaskClient, auth: dict[str, str]) -> dict[str, str]:  # noqa: F811
    events = [
        event(0),
        event(
            1,
            bizStep="shipping",
            disposition="in_transit",
            readPoint={"id": "urn:epc:id:sgln:6901234.00001.0"},
        ),
        event(
            2,
            bizTransactionList=[
                {"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:6901234000001:42"}
            ],
            quantityList=[
                {"epcClass": "urn:epc:class:lgtin:6901234.000001.L1", "quantity": 2.5, "uom": "KGM"}
            ],
        ),
        event(3, **{"ex:note": "a & b <c>", "ex:box": {"ex:weight": "3"}}),
    ]
    body = {**document(*events), "@context": [*CONTEXT, {"ex": EXT}]}
    assert post(client, auth, body).status_code == 202
    return {"Authorization": auth["Authorization"]}


def _json_events(client: FlaskClient, url: str, headers: dict[str, str]) -> tuple[dict, ...]:
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return read_document(response.data, "application/ld+json").events


def test_xml_answer_reads_back_as_the_json_ld_answer(client: FlaskClient, captured) -> None:
    url = "/epcis/events?orderBy=eventTime&orderDirection=ASC"
    response = client.get(url, headers={**captured, **XML})
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    assert response.headers["GS1-CBV-XML-Format"] == "Always_URN"
    root = etree.fromstring(response.data)
    assert root.tag == f"{{{QUERY_NS}}}EPCISQueryDocument"
    assert root.findtext(f"EPCISBody/{{{QUERY_NS}}}QueryResults/queryName") == "SimpleEventQuery"
    assert b"urn:epcglobal:cbv:bizstep:shipping" in response.data
    from_xml = read_document(response.data, "application/xml").events
    assert len(from_xml) == 4
    assert from_xml == _json_events(client, url, captured)
    assert from_xml[3][f"{{{EXT}}}note"] == "a & b <c>"


def test_json_ld_stays_the_default(client: FlaskClient, captured) -> None:
    for accept in ({}, {"Accept": "*/*"}, {"Accept": "application/json"}):
        response = client.get("/epcis/events", headers={**captured, **accept})
        assert response.status_code == 200
        assert response.mimetype == "application/ld+json"
        assert json.loads(response.data)["type"] == "EPCISQueryDocument"


def test_web_uri_cbv_format(client: FlaskClient, captured) -> None:
    headers = {**captured, **XML, "GS1-CBV-XML-Format": "Always_Web_URI"}
    response = client.get("/epcis/events?EQ_bizStep=shipping", headers=headers)
    assert response.status_code == 200
    assert response.headers["GS1-CBV-XML-Format"] == "Always_Web_URI"
    assert b"<bizStep>https://ref.gs1.org/cbv/BizStep-shipping</bizStep>" in response.data
    assert [e["bizStep"] for e in read_document(response.data, "text/xml").events] == ["shipping"]


def test_xml_pages_carry_the_same_link_headers(client: FlaskClient, captured) -> None:
    url, seen = "/epcis/events?perPage=3&orderBy=eventTime&orderDirection=ASC", []
    pages = 0
    while url:
        response = client.get(url, headers={**captured, **XML})
        assert response.status_code == 200
        pages += 1
        seen.extend(e["eventTime"] for e in read_document(response.data, "application/xml").events)
        link = response.headers.get("Link")
        if link:
            assert link.endswith('>; rel="next"')
            assert "perPage=3" in link
            assert "nextPageToken=" in link
            assert response.headers["GS1-Next-Page-Token-Expires"]
        url = link[1 : link.index(">")] if link else ""
    assert pages == 2
    assert len(seen) == len(set(seen)) == 4

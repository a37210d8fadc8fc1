"""Master-data query parameters through the HTTP API (EPCIS 2.0 §8.2.7.1), SQLite and PostgreSQL.

A document's header (``epcisHeader.epcisMasterData.vocabularyList``) carries a location
hierarchy (region > distribution centre > dock > read point, in both location vocabularies, with
a cycle) and CBV 2.0 §8 attributes; its events are at each level. ``WD_bizLocation`` with the
region finds events at children and grandchildren, ``EQ_ATTR_…_city`` finds events by city, an
unknown attribute finds nothing, another organisation's master data is invisible, and bad forms
of the parameters are 400 ``QueryParameterException`` naming the parameter.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest
from flask.testing import FlaskClient

import events.master_data
from tests.e2e.test_epcis_capture import SGTIN, auth, document, event, post  # noqa: F401  fixture

OTHER = {"Authorization": "Bearer oc_b", "Content-Type": "application/ld+json"}
BIZ = "urn:epcglobal:epcis:vtype:BusinessLocation"
READ = "urn:epcglobal:epcis:vtype:ReadPoint"
REGION = "urn:epc:id:sgln:6901234.00000.0"
DC = "urn:epc:id:sgln:6901234.00001.0"  # Digital Link: https://id.gs1.org/414/6901234000016
DOCK = "urn:epc:id:sgln:6901234.00001.1"
GATE = "urn:epc:id:sgln:6901234.00001.2"  # a read point on the dock
STORE = "urn:epc:id:sgln:6901234.00002.0"
CITY = "urn:epcglobal:cbv:mda#city"


def _element(id_: str, children: list[str], **attributes: str) -> dict:
    return {
        "id": id_,
        "attributes": [{"id": k, "attribute": v} for k, v in attributes.items()],
        "children": children,
    }


def _header() -> dict:
    return {
        "epcisMasterData": {
            "vocabularyList": [
                {
                    "type": BIZ,
                    "vocabularyElementList": [
                        _element(
                            REGION,
                            ["https://id.gs1.org/414/6901234000016"],
                            **{"cbvmda:name": "海南"},
                        ),
                        _element(DC, [DOCK], **{CITY: "Haikou", "cbvmda:name": "海口配送中心"}),
                        _element(DOCK, [GATE, REGION], **{"cbvmda:city": "Haikou"}),  # a cycle
                        _element(STORE, [], **{CITY: "Sanya"}),
                    ],
                },
                {
                    "type": READ,
                    "vocabularyElementList": [_element(GATE, [], **{"cbvmda:name": "Gate 2"})],
                },
            ]
        }
    }


def _at(n: int, where: str) -> dict:
    return event(n, bizLocation={"id": where}, readPoint={"id": where})


@pytest.fixture
def captured(client: FlaskClient, auth: dict[str, str]) -> dict[str, str]:  # noqa: F811
    body = document(_at(1, DC), _at(2, DOCK), _at(3, GATE), _at(4, STORE), event(5))
    assert post(client, auth, {**body, "epcisHeader": _header()}).status_code == 202
    # The other organisation: its events at the dock, but no master data.
    assert post(client, OTHER, document(_at(6, DOCK), _at(7, DC))).status_code == 202
    return {"Authorization": auth["Authorization"]}


def _serials(client: FlaskClient, headers: dict[str, str], **query: str) -> list[str]:
    response = client.get(f"/epcis/events?{urlencode(query, quote_via=quote)}", headers=headers)
    assert response.status_code == 200, response.get_json()
    found = response.get_json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    return sorted(e["epcList"][0].rsplit("/", 1)[-1] for e in found)


def test_with_descendants_finds_children_and_grandchildren(client: FlaskClient, captured) -> None:
    assert _serials(client, captured, WD_bizLocation=REGION) == ["S1", "S2", "S3"]
    dl = "https://id.gs1.org/414/6901234000016"  # the centre, written as a Digital Link
    assert _serials(client, captured, WD_bizLocation=dl) == ["S1", "S2", "S3"]
    assert _serials(client, captured, WD_readPoint=DOCK) == ["S1", "S2", "S3"]  # cycle: all
    assert _serials(client, captured, WD_readPoint=GATE) == ["S3"]
    assert _serials(client, captured, WD_bizLocation=f"{STORE}|{GATE}") == ["S3", "S4"]
    assert _serials(client, captured, EQ_bizLocation=REGION) == []


def test_attributes_of_the_location(client: FlaskClient, captured) -> None:
    assert _serials(client, captured, **{f"EQ_ATTR_bizLocation_{CITY}": "Haikou"}) == ["S1", "S2"]
    assert _serials(client, captured, EQ_ATTR_bizLocation_city="Sanya|Haikou") == [
        "S1",
        "S2",
        "S4",
    ]
    assert _serials(client, captured, **{"EQ_ATTR_readPoint_cbvmda:name": "Gate 2"}) == ["S3"]
    assert _serials(client, captured, HASATTR_readPoint="urn:epcglobal:cbv:mda#name") == [
        "S1",
        "S3",
    ]
    assert _serials(client, captured, EQATTR_bizLocation_city="Haikou") == ["S1", "S2"]


def test_unknown_attributes_and_values_find_nothing(client: FlaskClient, captured) -> None:
    assert _serials(client, captured, HASATTR_bizLocation="urn:example:mda#nothing") == []
    assert _serials(client, captured, **{"EQ_ATTR_bizLocation_urn:example:mda#nothing": "x"}) == []
    assert _serials(client, captured, EQ_ATTR_bizLocation_city="Beijing") == []


def test_another_organisations_master_data_is_not_used(client: FlaskClient, captured) -> None:
    other = {"Authorization": OTHER["Authorization"]}
    assert _serials(client, other, WD_bizLocation=REGION) == []
    assert _serials(client, other, WD_bizLocation=DC) == ["S7"]  # no hierarchy: just the place
    assert _serials(client, other, EQ_ATTR_bizLocation_city="Haikou") == []


def test_named_queries_and_paging_resolve_master_data(client: FlaskClient, captured) -> None:
    body = {"name": "hainan", "query": {"WD_bizLocation": [REGION]}}
    assert client.post("/epcis/queries", json=body, headers=captured).status_code == 201
    url, seen = "/epcis/queries/hainan/events?perPage=1", []
    while url:
        response = client.get(url, headers=captured)
        events = response.get_json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        seen.extend(e["epcList"][0].rsplit("/", 1)[-1] for e in events)
        link = response.headers.get("Link")
        url = link[1 : link.index(">")] if link else ""
    assert sorted(seen) == ["S1", "S2", "S3"]


@pytest.mark.parametrize(
    "query",
    [
        "HASATTR_bizStep=urn:epcglobal:cbv:mda%23city",
        "HASATTR_=city",
        "HASATTR_bizLocation=",
        "EQ_ATTR_bizLocation=Haikou",
        "EQ_ATTR_bizLocation_=Haikou",
        "EQ_ATTR_disposition_city=Haikou",
        'EQ_ATTR_readPoint_a"b=Haikou',
        "EQ_ATTR_readPoint_city=",
        "WD_readPoint=",
    ],
)
def test_bad_forms_are_query_parameter_exceptions(client: FlaskClient, captured, query) -> None:
    response = client.get(f"/epcis/events?{query}", headers=captured)
    assert response.status_code == 400
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["type"] == "epcisException:QueryParameterException"
    assert query.split("=")[0] in body["detail"]


def test_too_many_locations_is_query_too_complex(
    client: FlaskClient, captured, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(events.master_data, "MAX_RESOLVED", 2)
    response = client.get(f"/epcis/events?WD_bizLocation={REGION}", headers=captured)
    assert response.status_code == 413
    assert response.get_json()["type"] == "epcisException:QueryTooComplexException"
    assert "WD_bizLocation" in response.get_json()["detail"]
    assert _serials(client, captured, WD_bizLocation=GATE) == ["S3"]

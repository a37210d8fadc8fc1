"""GET /epcis/events end to end: results, paging with signed tokens, EPC format, bad queries."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient

from tests.e2e.test_epcis_capture import SGTIN, auth, document, event, post  # noqa: F401  fixture

OTHER = {"Authorization": "Bearer oc_b"}


@pytest.fixture
def captured(client: FlaskClient, auth: dict[str, str]) -> dict[str, str]:  # noqa: F811
    extra = {"bizStep": "shipping", "disposition": "in_transit"}
    events = [event(n, **(extra if n % 2 else {})) for n in range(7)]
    assert post(client, auth, document(*events)).status_code == 202
    return {"Authorization": auth["Authorization"]}


def _events(response) -> list[dict]:
    return response.get_json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]


def test_query_returns_the_callers_events(client: FlaskClient, captured) -> None:
    response = client.get("/epcis/events?EQ_bizStep=shipping", headers=captured)
    assert response.status_code == 200
    assert response.get_json()["type"] == "EPCISQueryDocument"
    found = _events(response)
    assert len(found) == 3
    assert all(e["bizStep"] == "shipping" and "recordTime" in e for e in found)
    assert found[0]["epcList"][0].startswith("https://id.gs1.org/01/")  # default: Digital Link
    assert _events(client.get("/epcis/events", headers=OTHER)) == []


def test_epc_format_header(client: FlaskClient, captured) -> None:
    urn = client.get(
        "/epcis/events?MATCH_epc=" + SGTIN.format("S1"),
        headers={**captured, "GS1-EPC-Format": "Always_EPC_URN"},
    )
    assert [e["epcList"] for e in _events(urn)] == [[SGTIN.format("S1")]]
    assert urn.headers["GS1-EPC-Format"] == "Always_EPC_URN"


def test_paging_walks_every_event_once(client: FlaskClient, captured) -> None:
    url, seen = "/epcis/events?perPage=3&orderBy=eventTime&orderDirection=ASC", []
    while url:
        response = client.get(url, headers=captured)
        assert response.status_code == 200
        seen.extend(e["eventID"] for e in _events(response))
        link = response.headers.get("Link")
        url = link[1 : link.index(">")] if link else ""
        if link:
            assert response.headers["GS1-Next-Page-Token-Expires"]
    assert len(seen) == len(set(seen)) == 7


def _token(client: FlaskClient, headers) -> str:
    response = client.get("/epcis/events?perPage=2", headers=headers)
    link = response.headers["Link"]
    return parse_qs(urlsplit(link[1 : link.index(">")]).query)["nextPageToken"][0]


@pytest.mark.parametrize(
    ("query", "kind", "status"),
    [
        ("EQ_nonsense=1", "QueryParameterException", 400),
        ("GE_eventTime=yesterday", "QueryParameterException", 400),
        ("GE_eventTime=2026-01-01T00:00:00", "QueryParameterException", 400),
        ("orderBy=eventTime&eventCountLimit=2&maxEventCount=3", "QueryParameterException", 400),
        ("eventCountLimit=2", "QueryParameterException", 400),
        ("maxEventCount=2", "QueryTooLargeException", 413),
        ("perPage=10001", "QueryTooLargeException", 413),
        ("nextPageToken=forged.token", "QueryParameterException", 400),
    ],
)
def test_bad_queries_are_standard_problems(client, captured, query, kind, status) -> None:
    response = client.get(f"/epcis/events?{query}", headers=captured)
    assert response.status_code == status
    assert response.content_type == "application/problem+json"
    assert response.get_json()["type"] == f"epcisException:{kind}"
    name = query.split("=")[0]
    if status == 400 and name != "orderBy":
        assert name in response.get_json()["detail"]


def test_a_token_from_another_query_is_refused(client, captured) -> None:
    token = _token(client, captured)
    response = client.get(f"/epcis/events?EQ_action=ADD&nextPageToken={token}", headers=captured)
    assert response.status_code == 400
    assert response.get_json()["type"] == "epcisException:QueryParameterException"
    assert "another query" in response.get_json()["detail"]
    assert client.get(f"/epcis/events?nextPageToken={token}", headers=OTHER).status_code == 400
    assert client.delete(f"/epcis/nextPageToken/{token}", headers=captured).status_code == 501

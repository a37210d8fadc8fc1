"""EPCIS 2.0 subscriptions API: subscribe, list, show, delete, delivery log (SQLite, PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask

from app.epcis.subscriptions import subscriptions_uow
from app.wiring import wiring_of
from events.adapters.sql_registry import hash_api_key

BASE = "/epcis/queries/{}/subscriptions"


def setup_orgs(app: Flask) -> dict[str, str]:
    with subscriptions_uow(wiring_of(app)) as uow:
        for name, prefix, key in (
            ("Coconut Co", "6901234", "oc_a"),
            ("Other Co", "6905555", "oc_b"),
        ):
            owner = uow.organisations.add(name, company_prefixes=[prefix])
            uow.organisations.add_api_key(owner.id, hash_api_key(key), "test")
            uow.subscriptions.add_named_query(
                f"q-{key}", owner.id, {"eventType": "ObjectEvent"}, datetime.now(UTC)
            )
        uow.commit()
    return {"Authorization": "Bearer oc_a", "Accept-Language": "en"}


@pytest.fixture
def private_app(make_app, migrated_database_url) -> Flask:
    return make_app({"DATABASE_URL": migrated_database_url, "WEBHOOK_ALLOW_PRIVATE": "true"})


def test_subscribe_list_show_delete(private_app) -> None:
    auth = setup_orgs(private_app)
    client = private_app.test_client()
    body = {"dest": "http://127.0.0.1:9/hook", "signatureToken": "t", "stream": True}
    created = client.post(BASE.format("q-oc_a"), json=body, headers=auth)
    assert created.status_code == 201, created.get_json()
    sub = created.get_json()
    assert created.headers["Location"] == BASE.format("q-oc_a") + "/" + sub["subscriptionID"]
    assert {"createdAt", "lastNotifiedAt", "minRecordTime"} <= set(sub)
    assert sub["lastNotifiedAt"] is None
    assert sub["minRecordTime"] == sub["createdAt"]
    assert "signatureToken" not in sub
    scheduled = client.post(
        BASE.format("q-oc_a"),
        json={"dest": "http://127.0.0.1:9/h", "schedule": {"hour": "2"}, "reportIfEmpty": True},
        headers=auth,
    ).get_json()
    listed = client.get(BASE.format("q-oc_a"), headers=auth).get_json()
    assert [s["subscriptionID"] for s in listed] == [
        sub["subscriptionID"],
        scheduled["subscriptionID"],
    ]
    assert client.get(created.headers["Location"], headers=auth).get_json() == sub
    assert client.get(created.headers["Location"] + "/deliveries", headers=auth).get_json() == []
    assert client.delete(created.headers["Location"], headers=auth).status_code == 204
    assert client.get(created.headers["Location"], headers=auth).status_code == 404
    assert client.delete(created.headers["Location"], headers=auth).status_code == 404
    assert len(client.get(BASE.format("q-oc_a"), headers=auth).get_json()) == 1


def test_only_the_owner_may_subscribe_or_see(private_app) -> None:
    auth = setup_orgs(private_app)
    client = private_app.test_client()
    body = {"dest": "http://127.0.0.1:9/hook", "stream": True}
    other = {**auth, "Authorization": "Bearer oc_b"}
    refused = client.post(BASE.format("q-oc_a"), json=body, headers=other)
    assert refused.status_code == 404
    assert refused.get_json()["type"] == "epcisException:NoSuchResourceException"
    assert client.post(BASE.format("nope"), json=body, headers=auth).status_code == 404
    location = client.post(BASE.format("q-oc_a"), json=body, headers=auth).headers["Location"]
    assert client.get(location, headers=other).status_code == 404
    assert client.delete(location, headers=other).status_code == 404
    assert client.get(BASE.format("q-oc_a"), headers=other).status_code == 404
    assert client.post(BASE.format("q-oc_a"), json=body).status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"dest": "http://127.0.0.1:9/hook"},
        {"dest": "http://127.0.0.1:9/hook", "stream": True, "schedule": {"minute": "0"}},
        {"dest": "http://127.0.0.1:9/hook", "schedule": {"minute": "61"}},
        {"stream": True},
        ["not", "an", "object"],
    ],
)
def test_invalid_subscriptions_are_400(private_app, body) -> None:
    auth = setup_orgs(private_app)
    response = private_app.test_client().post(BASE.format("q-oc_a"), json=body, headers=auth)
    assert response.status_code == 400
    assert response.get_json()["type"] == "epcisException:ValidationException"


@pytest.mark.parametrize(
    "dest", ["http://127.0.0.1:8080/hook", "http://localhost/hook", "ftp://hooks.example/x"]
)
def test_private_and_non_http_destinations_are_refused_by_default(app, dest) -> None:
    auth = setup_orgs(app)
    response = app.test_client().post(
        BASE.format("q-oc_a"), json={"dest": dest, "stream": True}, headers=auth
    )
    assert response.status_code == 400
    assert response.get_json()["title"] == "Webhook destination refused"
    with subscriptions_uow(wiring_of(app)) as uow:
        assert uow.subscriptions.due(datetime.now(UTC)) == []

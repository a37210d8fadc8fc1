"""The foundation's web surface: probes, home page, languages and the one error mapping."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.config import ConfigError
from events.adapters import make_engine
from events.adapters.schema import downgrade

ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}
EN = {"Accept-Language": "en-GB,en;q=0.8"}


def test_healthz(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_when_migrated(client: FlaskClient, migrated_database_url: str) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ready"
    assert body["migrations"]["current"] == body["migrations"]["head"]
    expected = "postgresql" if migrated_database_url.startswith("postgresql") else "sqlite"
    assert body["database"] == expected


def test_readyz_when_not_migrated_is_a_problem(make_app, empty_database_url: str) -> None:
    client = make_app({"DATABASE_URL": empty_database_url}).test_client()
    response = client.get("/readyz", headers=EN)
    assert response.status_code == 503
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["type"] == "/problems/storage-unavailable"
    assert "onecode db upgrade" in body["detail"]


def test_readyz_when_the_database_is_unreachable(make_app) -> None:
    app = make_app({"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert "cannot reach the database" in response.get_json()["detail"]


@pytest.mark.parametrize(
    ("headers", "query", "expected", "absent"),
    [
        (ZH, "", "运维人员", "Operators"),
        (EN, "", "Operators", "运维人员"),
        (ZH, "?lang=en", "Operators", "运维人员"),
        (EN, "?lang=zh", "运维人员", "Operators"),
        ({}, "", "运维人员", "Operators"),  # default locale: Chinese
    ],
)
def test_home_page_lists_entry_points_in_the_users_language(
    client: FlaskClient, headers: dict[str, str], query: str, expected: str, absent: str
) -> None:
    response = client.get("/" + query, headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert expected in html
    assert absent not in html
    assert 'href="/healthz"' in html
    assert 'href="/readyz"' in html


def test_lang_choice_is_remembered_in_a_cookie(client: FlaskClient) -> None:
    client.get("/?lang=en", headers=ZH)
    assert "Operators" in client.get("/", headers=ZH).get_data(as_text=True)


def test_unknown_lang_falls_back_to_the_browser(client: FlaskClient) -> None:
    assert "Operators" in client.get("/?lang=fr", headers=EN).get_data(as_text=True)


def test_api_errors_are_problem_details(client: FlaskClient) -> None:
    response = client.get("/api/v1/does-not-exist", headers=EN)
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
    assert response.get_json() == {
        "type": "/problems/not-found",
        "title": "Not found",
        "status": 404,
        "detail": "Nothing exists at this address. Check the link or the code you entered.",
        "instance": "/api/v1/does-not-exist",
    }


def test_problem_titles_are_localised(client: FlaskClient) -> None:
    assert client.get("/api/v1/nothing", headers=ZH).get_json()["title"] == "未找到"


def test_json_clients_get_problems_anywhere(client: FlaskClient) -> None:
    response = client.get("/nothing", headers={"Accept": "application/json"})
    assert response.content_type == "application/problem+json"


def test_people_get_a_friendly_page(client: FlaskClient) -> None:
    response = client.get("/nothing", headers={"Accept": "text/html", **ZH})
    assert response.status_code == 404
    assert response.content_type.startswith("text/html")
    html = response.get_data(as_text=True)
    assert "未找到" in html
    assert "返回首页" in html


def test_method_not_allowed(client: FlaskClient) -> None:
    response = client.post("/healthz")
    assert response.status_code == 405
    assert response.get_json()["type"] == "/problems/method-not-allowed"


def test_every_problem_type_has_a_page(client: FlaskClient) -> None:
    response = client.get("/problems/not-found", headers=EN)
    assert response.status_code == 200
    assert "Not found" in response.get_data(as_text=True)
    assert client.get("/problems/no-such-problem").status_code == 404


def test_unexpected_errors_never_show_a_traceback(app: Flask) -> None:
    def boom() -> str:
        raise RuntimeError("secret internals")

    app.add_url_rule("/api/v1/boom", view_func=boom)
    app.add_url_rule("/boom", view_func=boom)
    client = app.test_client()
    api = client.get("/api/v1/boom", headers=EN)
    assert api.status_code == 500
    assert api.get_json()["type"] == "/problems/internal-error"
    page = client.get("/boom", headers=ZH)
    assert page.status_code == 500
    for response in (api, page):
        text = response.get_data(as_text=True)
        assert "secret internals" not in text
        assert "Traceback" not in text
    assert "内部错误" in page.get_data(as_text=True)


def test_request_id_is_echoed(client: FlaskClient) -> None:
    assert (
        client.get("/healthz", headers={"X-Request-ID": "abc-1"}).headers["X-Request-ID"] == "abc-1"
    )
    assert len(client.get("/healthz").headers["X-Request-ID"]) == 32


def test_bad_config_in_create_app_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="ONECODE_PORT"):
        create_app({"PORT": "0"})


def test_schema_behind_head_is_reported_with_both_revisions(
    make_app, migrated_database_url: str
) -> None:
    engine = make_engine(migrated_database_url)
    downgrade(engine, "base")
    engine.dispose()
    response = make_app({"DATABASE_URL": migrated_database_url}).test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["migrations"]["current"] is None

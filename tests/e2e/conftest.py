from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.wiring import wiring_of

MakeApp = Callable[..., Flask]


@pytest.fixture
def make_app() -> Iterator[MakeApp]:
    """create_app, with every engine disposed after the test (no connection left open)."""
    made: list[Flask] = []

    def make(config: dict[str, Any]) -> Flask:
        made.append(create_app(config))
        return made[-1]

    yield make
    for app in made:
        wiring_of(app).engine.dispose()


@pytest.fixture
def app(make_app: MakeApp, migrated_database_url: str) -> Flask:
    return make_app({"DATABASE_URL": migrated_database_url})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()

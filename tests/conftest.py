"""Shared fixtures: databases on every backend, a migrated app, paths to the conformance corpus.

SQLite always runs. PostgreSQL runs when ONECODE_TEST_POSTGRES_URL names a server where we may
create databases (.ci/run sets it); otherwise those tests are skipped with the reason.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url

from events.adapters import make_engine
from events.adapters.schema import upgrade

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "support"))  # helpers shared by tests: tests_support_*
CONFORMANCE = REPO.parent / "shared" / "conformance"
POSTGRES_ENV = "ONECODE_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(
            f"PostgreSQL tests need {POSTGRES_ENV}=postgresql://user@host/db (.ci/run sets it)"
        )
    return url


def _create_database(tmp: Path, backend: str, request: pytest.FixtureRequest) -> str:
    """A new, empty database; PostgreSQL ones are dropped when the requesting scope ends."""
    if backend == "sqlite":
        return f"sqlite:///{tmp / 'onecode.db'}"
    server = make_url(request.getfixturevalue("postgres_server_url"))
    name = f"onecode_t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(server.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    request.addfinalizer(drop)
    return server.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh empty database on each backend, for tests that migrate or commit."""
    return _create_database(tmp_path, request.param, request)


@pytest.fixture
def migrated_database_url(empty_database_url: str) -> str:
    engine = make_engine(empty_database_url)
    upgrade(engine)
    engine.dispose()
    return empty_database_url


@pytest.fixture(scope="session", params=BACKENDS)
def shared_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """One migrated database per backend for the session; tests roll their work back."""
    url = _create_database(tmp_path_factory.mktemp(request.param), request.param, request)
    engine = make_engine(url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(shared_engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with shared_engine.connect() as conn:
        transaction = conn.begin()
        yield conn
        transaction.rollback()

"""onecode capture / events hash / ledger verify / projections rebuild, as real processes."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from tests_support_cli import run

from events.adapters import make_engine

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "conformance"
EXAMPLES = CORPUS / "epcis-examples" / "gs1-epcis" / "json"
VECTORS = CORPUS / "hash-vectors" / "ralphtro" / "examples"


@pytest.fixture
def env(migrated_database_url: str, tmp_path: Path) -> dict[str, str]:
    env = {
        "ONECODE_DATABASE_URL": migrated_database_url,
        "ONECODE_SIGNING_KEY_FILE": str(tmp_path / "k"),
    }
    assert run("org", "create", "Demo", "--gcp", "4012345", env=env).returncode == 0
    return env


def examples(n: int) -> list[str]:
    names = ("9.6.1-ObjectEvent", "9.6.3-AggregationEvent", "9.6.4-TransformationEvent")
    return [str(EXAMPLES / f"Example_{name}.jsonld") for name in names[:n]]


def test_capture_verify_rebuild(env: dict[str, str], migrated_database_url: str) -> None:
    files = examples(3)
    first = run("capture", *files, env=env)
    assert first.returncode == 0, first.stderr
    assert "captured" in first.stdout
    resent = run("capture", *files, env=env)
    assert resent.returncode == 1
    assert "exists already" in resent.stderr
    assert "captured 0 events" in resent.stdout
    checkpoint = run("ledger", "checkpoint", env=env)
    assert checkpoint.stdout.startswith("onecode-trace/ledger\n")
    verified = run("ledger", "verify", env=env)
    assert verified.returncode == 0, verified.stderr
    assert "ledger intact" in verified.stdout
    assert run("projections", "rebuild", env=env).stdout.startswith("replayed ")

    engine = make_engine(migrated_database_url)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE ledger_events DISABLE TRIGGER USER"))
        else:
            connection.execute(text("DROP TRIGGER ledger_events_no_update"))
        connection.execute(
            text("UPDATE ledger_events SET event_time = record_time WHERE position = 2")
        )
    engine.dispose()
    tampered = run("ledger", "verify", env=env)
    assert tampered.returncode == 1
    assert "position 2" in tampered.stderr


def test_events_hash_prints_the_cbv_hashes() -> None:
    source = VECTORS / "ReferenceEventHashAlgorithm.jsonld"
    expected = (VECTORS / "ReferenceEventHashAlgorithm.hashes").read_text().split()
    result = run("events", "hash", str(source), env={"ONECODE_DATABASE_URL": "sqlite://"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == expected


def test_an_invalid_file_stops_with_one_line(env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonld"
    bad.write_text('{"type": "EPCISDocument"')
    result = run("capture", str(bad), env=env)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "not a valid EPCIS document" in result.stderr

"""onecode id/org/key/codes as a user runs them: real processes, real files, one-line errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from tests_support_cli import run

from identifiers import parse

GTIN = "06901234000016"


@pytest.fixture
def env(migrated_database_url: str) -> dict[str, str]:
    env = {"ONECODE_DATABASE_URL": migrated_database_url}
    created = run(
        "org", "create", "Coconut Co", "--gcp", "6901234", "--handle-prefix", "88.100.1", env=env
    )
    assert created.returncode == 0, created.stderr
    return env


def test_id_parse_prints_json() -> None:
    result = run(
        "id",
        "parse",
        f"]d201{GTIN}17270630\x1d10L1\x1d21ABC",
        env={"ONECODE_DATABASE_URL": "sqlite://"},
    )
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["scheme"] == "sgtin"
    assert body["attributes"] == {"17": "270630"}
    assert body["parts"]["lot"] == "L1"


@pytest.mark.parametrize(
    ("text", "words"),
    [("(01)06901234000017", "check digit"), ("hello", "expected"), ("88.abc/x", "expected")],
)
def test_id_parse_refuses_bad_codes_with_one_line(text: str, words: str) -> None:
    result = run("id", "parse", text, env={"ONECODE_DATABASE_URL": "sqlite://"})
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert words in result.stderr


def test_org_list_and_key_create(env: dict[str, str]) -> None:
    listed = run("org", "list", env=env)
    assert "Coconut Co" in listed.stdout
    assert "88.100.1" in listed.stdout
    key = run("key", "create", "--label", "WMS", env=env)
    assert key.returncode == 0
    assert key.stdout.strip().startswith("oc_")
    assert "shown once" in key.stderr


def test_taken_prefixes_are_refused(env: dict[str, str]) -> None:
    result = run("org", "create", "Copycat", "--gcp", "6901234", env=env)
    assert result.returncode == 2
    assert "already" in result.stderr
    assert "Copycat" not in run("org", "list", env=env).stdout


def test_mint_writes_a_csv_of_valid_codes(env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "lot.csv"
    result = run(
        "codes",
        "mint",
        "--gtin",
        GTIN,
        "--lot",
        "L2401",
        "--expiry",
        "2027-06-30",
        "--count",
        "300",
        "--out",
        str(out),
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "chance a random guess is valid" in result.stdout
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == len({r["serial"] for r in rows}) == 300
    code = parse(rows[0]["element_string"])
    assert (code.gtin, code.lot, code.expiry) == (GTIN, "L2401", "270630")
    assert not list(tmp_path.glob("*.partial"))


def test_mint_sscc_and_handle_then_export(env: dict[str, str], tmp_path: Path) -> None:
    sscc = run("codes", "mint-sscc", "--company-prefix", "6901234", "--count", "3", env=env)
    assert sscc.returncode == 0, sscc.stderr
    batch_id = sscc.stdout.split()[1].rstrip(":")
    out = tmp_path / "pallets.csv"
    assert run("codes", "export", batch_id, "--out", str(out), env=env).returncode == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [parse(r["sscc"]).epc_urn for r in rows] == [r["epc_urn"] for r in rows]
    handle = run("codes", "mint-handle", "--count", "2", "--out", str(tmp_path / "h.csv"), env=env)
    assert handle.returncode == 0, handle.stderr
    assert all(
        r["prefix"] == "88.100.1"
        for r in csv.DictReader(io.StringIO((tmp_path / "h.csv").read_text()))
    )


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--gtin", "09521234543213", "--count", "5"], "not under a company prefix"),
        (["--gtin", GTIN, "--count", "5", "--expiry", "30/06/2027"], "YYYY-MM-DD"),
        (["--gtin", GTIN, "--count", "5", "--lot", "L 1"], "set 82"),
        (["--gtin", GTIN, "--count", "0"], "--count"),
        (
            ["--gtin", GTIN, "--count", "200", "--serial-length", "4", "--alphabet", "0123456789"],
            "1/10000",
        ),
    ],
)
def test_bad_mint_requests_stop_with_one_line_and_mint_nothing(env, tmp_path, args, words) -> None:
    out = tmp_path / "never.csv"
    result = run("codes", "mint", *args, "--out", str(out), env=env)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert words in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    "args", [["org", "list"], ["codes", "mint", "--gtin", GTIN, "--count", "1"]]
)
def test_commands_needing_the_schema_say_how_to_get_it(args, tmp_path: Path) -> None:
    result = run(*args, env={"ONECODE_DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}"})
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "run onecode db upgrade" in result.stderr

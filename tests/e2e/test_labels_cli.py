"""onecode labels as a user runs it: real processes and files, decoded back, one-line refusals."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from PIL import Image
from tests_support_cli import run
from tests_support_pdf import rasterise_pdf
from tests_support_symbols import decode_image

GTIN = "06901234000016"


@pytest.fixture
def env(migrated_database_url: str) -> dict[str, str]:
    env = {"ONECODE_DATABASE_URL": migrated_database_url}
    created = run(
        "org", "create", "Coconut Co", "--gcp", "6901234", "--handle-prefix", "88.100.1", env=env
    )
    assert created.returncode == 0, created.stderr
    return env


def _decode(path: Path) -> list[str]:
    return decode_image(Image.open(path))


def test_symbol_in_any_spelling_carries_the_gs1_form(env, tmp_path: Path) -> None:
    out = tmp_path / "dm.png"
    spelling = f"https://brand.example.cn/01/{GTIN}/10/L1/21/S1?17=270630"
    result = run(
        "labels",
        "symbol",
        "--symbol",
        "datamatrix",
        "--code",
        spelling,
        "--format",
        "png",
        "--out",
        str(out),
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert _decode(out) == [f"]d201{GTIN}1727063010L1\x1d21S1"]


def test_render_a_minted_batch_to_pdf_and_zpl(env, tmp_path: Path) -> None:
    minted = run(
        "codes",
        "mint",
        "--gtin",
        GTIN,
        "--lot",
        "L1",
        "--expiry",
        "2027-06-30",
        "--count",
        "50",
        env=env,
    )
    assert minted.returncode == 0, minted.stderr
    batch = re.search(r"batch (\w+):", minted.stdout)[1]  # type: ignore[index]
    pdf = tmp_path / "sheet.pdf"
    result = run(
        "labels",
        "render",
        "--template",
        "a4-24",
        "--batch",
        batch,
        "--format",
        "pdf",
        "--out",
        str(pdf),
        "--product-zh",
        "椰子汁",
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "wrote 50 a4-24 labels" in result.stdout
    assert int(re.search(rb"/Count (\d+)", pdf.read_bytes())[1]) == 3  # type: ignore[index]
    # every label of the three pages read back against the batch as `codes export` writes it
    exported = tmp_path / "batch.csv"
    assert run("codes", "export", batch, "--out", str(exported), env=env).returncode == 0
    with exported.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    decoded = [p for page in rasterise_pdf(pdf.read_bytes()) for p in decode_image(page)]
    matrix = sorted(p.split("\x1d21", 1)[1] for p in decoded if p.startswith("]d2"))
    links = sorted(p.removeprefix("]Q1") for p in decoded if p.startswith("]Q1"))
    assert len(rows) == 50
    assert matrix == sorted(row["serial"] for row in rows)
    assert links == sorted(row["digital_link"] for row in rows)
    zpl = tmp_path / "labels.zpl"
    result = run(
        "labels",
        "render",
        "--template",
        "consumer",
        "--batch",
        batch,
        "--format",
        "zpl",
        "--dpi",
        "300",
        "--out",
        str(zpl),
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert zpl.read_text().count("^XA") == 50


@pytest.mark.parametrize(
    ("code", "extra", "words"),
    [
        ("(01)06905555000014(21)A", [], "not under a company prefix"),
        ("88.200.1/X", [], "not under the Handle prefix"),
        (f"(01){GTIN}(21)A", ["--expiry", "2027-02-30"], "expected YYYY-MM-DD"),
        (f"(01){GTIN}(21)A", ["--lot", "L 1"], "(10)"),
        (f"(01){GTIN[:-1]}7(21)A", [], "check digit"),
    ],
)
def test_refusals_are_one_line(env, tmp_path: Path, code, extra, words) -> None:
    out = tmp_path / "x.pdf"
    result = run(
        "labels",
        "render",
        "--template",
        "consumer",
        "--code",
        code,
        *extra,
        "--out",
        str(out),
        env=env,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1
    assert words in result.stderr
    assert not out.exists()
    assert not list(tmp_path.glob("x.pdf*"))  # no partial file left behind

"""Decoding helpers: every symbol the tests make is read back with zxing-cpp, a real decoder.

A decoded payload is the AIM symbology identifier plus the raw data zxing-cpp reports (for GS1
symbols, GS 0x1D separators kept), e.g. ``]d20109521234543213…\\x1d21ABC``, so tests compare it
exactly with ``Symbol.payload``. PDF pages are rasterised with poppler's ``pdftoppm``.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

PDFTOPPM_MISSING = "pdftoppm not found: install poppler-utils (apt-get install poppler-utils)"
GOLDEN = Path(__file__).resolve().parents[2] / "golden"

Decode = Callable[[Image.Image], list[str]]
Rasterise = Callable[..., list[Image.Image]]


def decode_image(image: Image.Image) -> list[str]:
    """Payloads of every symbol zxing-cpp finds, sorted."""
    results = zxingcpp.read_barcodes(image.convert("L"))
    return sorted(r.symbology_identifier + r.bytes.decode("latin-1") for r in results)


@pytest.fixture
def decode() -> Decode:
    return decode_image


@pytest.fixture
def rasterise(tmp_path: Path) -> Rasterise:
    """PDF bytes → one PIL image per page, via pdftoppm (skipped with a reason when missing)."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        pytest.skip(PDFTOPPM_MISSING)

    def pages(
        pdf: bytes, dpi: int = 300, first: int = 1, last: int | None = None
    ) -> list[Image.Image]:
        source = tmp_path / "in.pdf"
        source.write_bytes(pdf)
        args = [tool, "-r", str(dpi), "-gray", "-f", str(first)]
        if last is not None:
            args += ["-l", str(last)]
        subprocess.run([*args, str(source), str(tmp_path / "page")], check=True, timeout=300)  # noqa: S603
        files = sorted(tmp_path.glob("page-*.pgm"))
        images = [Image.open(io.BytesIO(f.read_bytes())) for f in files]
        for f in files:
            f.unlink()
        return images

    return pages


@pytest.fixture
def golden() -> Callable[[str], str]:
    def read(name: str) -> str:
        return (GOLDEN / name).read_text(encoding="utf-8")

    return read

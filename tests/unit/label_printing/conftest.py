"""Decoding helpers: every symbol the tests make is read back with zxing-cpp, a real decoder.

A decoded payload is the AIM symbology identifier plus the raw data zxing-cpp reports (for GS1
symbols, GS 0x1D separators kept), e.g. ``]d20109521234543213…\\x1d21ABC``, so tests compare it
exactly with ``Symbol.payload``. PDF pages are rasterised with PDFium (``tests_support_pdf``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from tests_support_pdf import rasterise_pdf
from tests_support_symbols import decode_image

GOLDEN = Path(__file__).resolve().parents[2] / "golden"

Decode = Callable[[Image.Image], list[str]]
Rasterise = Callable[..., list[Image.Image]]


@pytest.fixture
def decode() -> Decode:
    return decode_image


@pytest.fixture
def rasterise() -> Rasterise:
    """PDF bytes → one PIL image per page, rendered by PDFium."""
    return rasterise_pdf


@pytest.fixture
def golden() -> Callable[[str], str]:
    def read(name: str) -> str:
        return (GOLDEN / name).read_text(encoding="utf-8")

    return read

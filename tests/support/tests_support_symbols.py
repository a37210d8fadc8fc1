"""Symbols read back with zxing-cpp, a real decoder, as the tests compare them.

A decoded payload is the AIM symbology identifier plus the raw data zxing-cpp reports (for GS1
symbols, GS 0x1D separators kept), e.g. ``]d20109521234543213…\\x1d21ABC``.
"""

from __future__ import annotations

import zxingcpp
from PIL import Image


def decode_image(image: Image.Image) -> list[str]:
    """Payloads of every symbol zxing-cpp finds in ``image`` (read in greyscale), sorted."""
    results = zxingcpp.read_barcodes(image.convert("L"))
    return sorted(r.symbology_identifier + r.bytes.decode("latin-1") for r in results)

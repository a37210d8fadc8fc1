"""One symbol as a PNG (1-bit, quiet zones included, 300 dpi metadata), for artwork and tests."""

from __future__ import annotations

import io
from typing import Final

from PIL import Image

from label_printing.spec import SymbolSize
from label_printing.symbols import Symbol

__all__ = ["DPI", "image", "render"]

DPI: Final = 300
_MM_PER_INCH: Final = 25.4


def image(symbol: Symbol, size: SymbolSize, dpi: int = DPI) -> Image.Image:
    """The symbol at ``dpi``, each module a whole number of pixels (never below 2)."""
    scale = max(2, round(size.x_mm * dpi / _MM_PER_INCH))
    q = symbol.quiet
    rows = symbol.rows
    if symbol.linear:
        bar_px = max(1, round(size.height_mm * dpi / _MM_PER_INCH / scale))
        rows = rows * bar_px
    width, height = symbol.width + 2 * q, len(rows) + (2 * q if not symbol.linear else 0)
    pad = "0" * q
    lines = [pad + row + pad for row in rows]
    if not symbol.linear:
        blank = "0" * width
        lines = [blank] * q + lines + [blank] * q
    data = "".join(lines).translate(_GREY).encode("latin-1")
    small = Image.frombytes("L", (width, height), data)
    return small.resize((width * scale, height * scale), Image.Resampling.NEAREST)


_GREY = str.maketrans({"0": "\xff", "1": "\x00"})  # light module white, dark black


def render(symbol: Symbol, size: SymbolSize) -> bytes:
    """PNG bytes of the symbol."""
    buffer = io.BytesIO()
    image(symbol, size).save(buffer, format="PNG", dpi=(DPI, DPI), optimize=True)
    return buffer.getvalue()

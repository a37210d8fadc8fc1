"""reportlab drawing: symbols as vector rectangles (no raster images) and label text.

A symbol is drawn as one filled path of module runs (adjacent dark modules of a row merged into
one rectangle) in a coordinate system of modules, written straight into the page's content
stream: about 15 bytes a run, which keeps 24-up sheets of QR + DataMatrix labels fast.
"""

from __future__ import annotations

import re
from typing import Final

from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfbase.pdfmetrics import stringWidth  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

from label_printing.fonts import HRI_FONT, cjk_font
from label_printing.spec import SymbolSize
from label_printing.symbols import Symbol

__all__ = ["draw_symbol", "extent", "fit_text", "mm"]

_DARK: Final = re.compile("1+")
_MIN_TEXT_PT: Final = 4.5


def extent(symbol: Symbol, size: SymbolSize) -> tuple[float, float]:
    """Width and height in mm, quiet zones included (linear: bar height only)."""
    across = (symbol.width + 2 * symbol.quiet) * size.x_mm
    if symbol.linear:
        return across, size.height_mm
    return across, (len(symbol.rows) + 2 * symbol.quiet) * size.x_mm


def draw_symbol(canvas: Canvas, symbol: Symbol, x: float, y: float, size: SymbolSize) -> None:
    """Draw with the quiet-zone box's lower-left corner at (x, y) mm."""
    module = size.x_mm * mm
    x0 = x * mm + symbol.quiet * module
    if symbol.linear:
        ops = [f"q 0 g {module:.4f} 0 0 {size.height_mm * mm:.4f} {x0:.3f} {y * mm:.3f} cm"]
        ops += [f"{m.start()} 0 {m.end() - m.start()} 1 re" for m in _DARK.finditer(symbol.rows[0])]
    else:
        top = y * mm + (symbol.quiet + len(symbol.rows)) * module
        ops = [f"q 0 g {module:.4f} 0 0 {-module:.4f} {x0:.3f} {top:.3f} cm"]
        ops += [
            f"{m.start()} {r} {m.end() - m.start()} 1 re"
            for r, row in enumerate(symbol.rows)
            for m in _DARK.finditer(row)
        ]
    ops.append("f Q")
    canvas.addLiteral("\n".join(ops))


def fit_text(  # noqa: PLR0913  where, how wide, how big, which font
    canvas: Canvas,
    text: str,
    x: float,
    y: float,
    *,
    width: float,
    size: float,
    font: str | None = None,
    centre: bool = False,
) -> None:
    """Draw one line at (x, y) mm, shrunk (not below 4.5 pt) to fit ``width`` mm."""
    if not text:
        return
    name = font or cjk_font()
    natural = stringWidth(text, name, size)
    if natural > width * mm:
        size = max(_MIN_TEXT_PT, size * width * mm / natural)
    canvas.setFont(name, size)
    if centre:
        canvas.drawCentredString((x + width / 2) * mm, y * mm, text)
    else:
        canvas.drawString(x * mm, y * mm, text)


def hri_text(  # noqa: PLR0913, PLR0917  like canvas.drawString, with a box width
    canvas: Canvas, text: str, x: float, y: float, width: float, size: float
) -> None:
    """The human-readable interpretation, centred under a symbol."""
    fit_text(canvas, text, x, y, width=width, size=size, font=HRI_FONT, centre=True)

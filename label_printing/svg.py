"""One symbol as SVG: one path of module runs, sized in millimetres, quiet zones included."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from label_printing.spec import SymbolSize
from label_printing.symbols import Symbol

__all__ = ["render"]

_DARK = re.compile("1+")


def render(symbol: Symbol, size: SymbolSize) -> bytes:
    """SVG bytes; the user unit is one module, scaled to ``size.x_mm`` per module."""
    q = symbol.quiet
    if symbol.linear:
        bar = size.height_mm / size.x_mm
        runs = (
            f"M{m.start() + q} 0h{m.end() - m.start()}v{bar:g}H{m.start() + q}z"
            for m in _DARK.finditer(symbol.rows[0])
        )
        width, height = symbol.width + 2 * q, bar
    else:
        runs = (
            f"M{m.start() + q} {y + q}h{m.end() - m.start()}v1H{m.start() + q}z"
            for y, row in enumerate(symbol.rows)
            for m in _DARK.finditer(row)
        )
        width, height = symbol.width + 2 * q, len(symbol.rows) + 2 * q
    title = escape(symbol.hri or symbol.payload[3:])
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width * size.x_mm:g}mm" '
        f'height="{height * size.x_mm:g}mm" viewBox="0 0 {width} {height:g}" '
        'shape-rendering="crispEdges">'
        f"<title>{title}</title>"
        f'<rect width="{width}" height="{height:g}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(runs)}"/></svg>\n'
    )
    return text.encode("utf-8")

"""ZPL II for Zebra thermal printers at 203 or 300 dpi: pure string building, golden-tested.

- QR Code: ``^BQN,2,m`` with ``^FDMA,<uri>`` (model 2, error correction M, automatic input).
- GS1 DataMatrix: ``^BXN,h,200,0,0,1,#`` (ECC 200, ``#`` as escape character); the data begins
  with ``#1`` (FNC1 in first position) and ``#1`` separates fields after variable-length AIs
  (``#`` is outside GS1 character set 82, so it never occurs in GS1 data).
- GS1-128: ``^BCN,h,N,N,N,N`` with ``>;>8`` (start code C, FNC1), ``>6``/``>5`` to switch to code
  set B/C, ``>8`` (FNC1) as separator and ``><`` for a literal ``>``.
- Chinese text needs a TrueType CJK font stored on the printer as ``E:CJK.TTF`` (``^CI28``: UTF-8).

References:
    Zebra ZPL II Programming Guide: ^BQ, ^BX (escape sequences), ^BC (invocation characters
    ``>;``, ``>5``, ``>6``, ``>8``), ^CI28; GS1 General Specifications §5.4 (GS1-128), §5.6.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Final

from identifiers import GS, Identifier, Scheme
from label_printing._errors import LabelError
from label_printing.logistics import content_pairs, content_symbols
from label_printing.payloads import element_pairs, hri, qr_text, with_fields
from label_printing.spec import LabelFields

__all__ = ["DPIS", "gs1_128_data", "render_labels"]

DPIS: Final = (203, 300)
CJK_FONT: Final = "E:CJK.TTF"
_DATAMATRIX_ESCAPE: Final = "#"


def _dots(value_mm: float, dpi: int) -> int:
    return round(value_mm * dpi / 25.4)


def _text(  # noqa: PLR0913  position, text, size, resolution, font
    x: float, y: float, text: str, size_mm: float, dpi: int, *, cjk: bool = False
) -> str:
    if not text:
        return ""
    h = _dots(size_mm, dpi)
    font = f"^A@N,{h},{h},{CJK_FONT}" if cjk else f"^A0N,{h},{h}"
    safe = text.replace("^", " ").replace("~", " ")  # ZPL command prefixes never print
    return f"^FO{_dots(x, dpi)},{_dots(y, dpi)}{font}^FD{safe}^FS\n"


def _module(x_mm: float, dpi: int) -> int:
    return max(1, _dots(x_mm, dpi))


def gs1_128_data(raw: str) -> str:
    """ZPL ``^BC`` field data for a GS1 element string (GS = FNC1), with code set switching."""
    out, subset, i = [">;>8"], "C", 0
    while i < len(raw):
        char = raw[i]
        run = len(raw[i:]) - len(raw[i:].lstrip("0123456789"))
        if char == GS:
            out.append(">8")
            i += 1
        elif subset == "C" and run >= 2:  # noqa: PLR2004  code set C packs digit pairs
            out.append(raw[i : i + 2])
            i += 2
        elif subset == "B" and run >= 4 and run % 2 == 0:  # noqa: PLR2004  worth switching
            out.append(">5")
            subset = "C"
        else:
            if subset == "C":
                out.append(">6")
                subset = "B"
            out.append("><" if char == ">" else char)
            i += 1
    return "".join(out)


def _datamatrix(x: float, y: float, code: Identifier, x_mm: float, dpi: int) -> str:
    escape = _DATAMATRIX_ESCAPE
    data = escape + "1" + code.to_element_string(gs=escape + "1")
    field = f"^BXN,{_module(x_mm, dpi)},200,0,0,1,{escape}^FD{data}^FS"
    return f"^FO{_dots(x, dpi)},{_dots(y, dpi)}{field}\n"


def _qr(x: float, y: float, text: str, x_mm: float, dpi: int) -> str:
    magnification = min(10, _module(x_mm, dpi))
    return f"^FO{_dots(x, dpi)},{_dots(y, dpi)}^BQN,2,{magnification}^FDMA,{text}^FS\n"


def _gs1_128(x: float, y: float, raw: str, dpi: int) -> str:
    module, height = _module(0.495, dpi), _dots(31.75, dpi)
    field = f"^BY{module}^BCN,{height},N,N,N,N^FD{gs1_128_data(raw)}^FS"
    return f"^FO{_dots(x, dpi)},{_dots(y, dpi)}{field}\n"


def _consumer(code: Identifier, f: LabelFields, dpi: int) -> str:
    code = with_fields(code, f)
    body = _qr(1, 1, qr_text(code, f.domain), 0.5, dpi)
    body += _text(26, 3, f.product_zh, 3.5, dpi, cjk=True) + _text(26, 8, f.product_en, 2.5, dpi)
    rows = [("批号 Lot", code.lot), ("有效期至 Exp.", code.expiry)]
    for n, (name, value) in enumerate(r for r in rows if r[1]):
        body += _text(26, 13 + 4 * n, f"{name}: {value}", 2.2, dpi, cjk=True)
    return body + _text(1, 35, hri(element_pairs(code)), 2.0, dpi)


def _pharma(code: Identifier, f: LabelFields, dpi: int) -> str:
    body = _text(2, 2, f.product_zh, 3.5, dpi, cjk=True) + _text(2, 7, f.product_en, 2.5, dpi)
    if code.scheme is Scheme.CN_DRUG_CODE:
        height = _dots(8, dpi)
        return body + (
            f"^FO{_dots(8, dpi)},{_dots(14, dpi)}^BY{_module(0.25, dpi)}"
            f"^BCN,{height},Y,N,N,N^FD>;{code.canonical}^FS\n"
        )
    code = with_fields(code, f)
    body += _datamatrix(2, 13, code, 0.38, dpi)
    for n, (ai, value) in enumerate(element_pairs(code)):
        body += _text(16, 13 + 3.6 * n, f"({ai}) {value}", 2.2, dpi)
    return body


def _logistics(code: Identifier, f: LabelFields, dpi: int) -> str:
    if code.scheme is not Scheme.SSCC:
        raise LabelError(
            f"{code.canonical!r}: the logistics label needs an SSCC, got {code.scheme}"
        )
    body = _text(3, 3, "发货方 From", 2, dpi, cjk=True) + _text(3, 6, f.ship_from, 3, dpi, cjk=True)
    body += _text(52, 3, "收货方 To", 2, dpi, cjk=True) + _text(52, 6, f.ship_to, 3, dpi, cjk=True)
    body += f"^FO0,{_dots(12, dpi)}^GB{_dots(100, dpi)},1,1^FS\n"
    body += _text(3, 15, f"SSCC {code.sscc}", 3.5, dpi)
    for n, (ai, value) in enumerate(content_pairs(f)):
        body += _text(3 + 48 * (n // 3), 21 + 4.2 * (n % 3), f"({ai}) {value}", 2.5, dpi)
    top = 150.0 - 3
    symbols = [*content_symbols(content_pairs(f))]
    raws = [s.payload[3:] for s in symbols] + [code.to_element_string()]
    for raw in reversed(raws):
        top -= 36.25
        body += _gs1_128(6, top, raw, dpi)
        body += _text(6, top + 32.5, hri(element_pairs_of(raw)), 2.5, dpi)
    return body


def element_pairs_of(raw: str) -> tuple[tuple[str, str], ...]:
    """AI pairs of a raw element string."""
    from identifiers import parse_element_string  # noqa: PLC0415

    return parse_element_string(raw)


_LAYOUTS: Final = {
    "consumer": (60, 40, _consumer),
    "pharma": (60, 40, _pharma),
    "logistics": (100, 150, _logistics),
}


def render_labels(
    template: str, codes: Iterable[Identifier], fields: LabelFields, dpi: int = 203
) -> Iterator[str]:
    """One ``^XA … ^XZ`` label per code."""
    if dpi not in DPIS:
        raise LabelError(f"ZPL at {dpi} dpi: expected one of {', '.join(map(str, DPIS))}")
    try:
        width, height, layout = _LAYOUTS[template]
    except KeyError:
        raise LabelError(
            f"ZPL for template {template!r}: expected one of {', '.join(_LAYOUTS)}"
        ) from None
    for code in codes:
        yield (
            f"^XA\n^CI28\n^PW{_dots(width, dpi)}\n^LL{_dots(height, dpi)}\n^LH0,0\n"
            + layout(code, fields, dpi)
            + "^PQ1\n^XZ\n"
        )

"""Payload → symbol: module matrices from zint (C library, via zint-bindings). No drawing here.

zint encodes GS1 DataMatrix and GS1-128 with FNC1 in first position and FNC1 separators after
variable-length fields (its GS1 input mode); QR Codes too, 25 times faster than the pure-Python
``qrcode`` package, which matters when a batch of 100,000 labels is printed. Every symbol says
what a scanner must transmit (``payload``, with its AIM symbology identifier) so tests can decode
the rendered output and compare.

References:
    ISO/IEC 18004 (QR Code), ISO/IEC 16022 (Data Matrix), ISO/IEC 15417 (Code 128);
    ISO/IEC 15424 symbology identifiers ]Q1, ]d2, ]C1, ]C0; GS1 General Specifications §5.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import zint

from identifiers import GS, Identifier, Scheme, format_element_string
from label_printing._errors import LabelError
from label_printing.payloads import element_pairs, hri, qr_text
from label_printing.spec import QUIET_ZONE, SymbolKind

__all__ = ["Symbol", "code128", "datamatrix", "for_code", "gs1_128", "qr"]

_ROW_BYTES: Final = 144  # zint's encoded_data: 200 rows of 144 bytes, bit-packed LSB first
_QR_ECC_M: Final = 2  # error correction level M (15 %), as GS1 recommends for Digital Link


@dataclass(frozen=True, slots=True)
class Symbol:
    """A symbol's modules (``rows`` of ``"0"``/``"1"``; one row for linear symbols)."""

    kind: SymbolKind
    rows: tuple[str, ...]
    payload: str  # what a scanner transmits: symbology identifier + data (GS as 0x1D)
    hri: str  # human-readable text printed under it

    @property
    def width(self) -> int:
        """Modules across, without quiet zones."""
        return len(self.rows[0])

    @property
    def quiet(self) -> int:
        """Quiet zone on each side, in modules."""
        return QUIET_ZONE[self.kind]

    @property
    def linear(self) -> bool:
        """True for bar codes (one row of bars), False for matrix symbols."""
        return self.kind in {SymbolKind.GS1_128, SymbolKind.CODE128}


def _encode(
    symbology: zint.Symbology, data: str, *, gs1: bool = False, option_1: int = -1
) -> zint.Symbol:
    symbol = zint.Symbol()
    symbol.symbology = symbology
    if gs1:
        symbol.input_mode = zint.InputMode.GS1
    if option_1 >= 0:
        symbol.option_1 = option_1
    try:
        symbol.encode(data)
    except RuntimeError as exc:  # zint refuses data it cannot encode; say so in one line
        raise LabelError(f"{data!r}: cannot be encoded: {exc}") from exc
    return symbol


def _rows(symbol: zint.Symbol) -> tuple[str, ...]:
    data = symbol.encoded_data.tobytes()
    width = symbol.width
    nbytes = (width + 7) // 8
    rows = []
    for r in range(symbol.rows):
        bits = int.from_bytes(data[r * _ROW_BYTES : r * _ROW_BYTES + nbytes], "little")
        rows.append(format(bits, f"0{nbytes * 8}b")[::-1][:width])
    return tuple(rows)


def _bracketed(pairs: tuple[tuple[str, str], ...]) -> str:
    return "".join(f"[{ai}]{value}" for ai, value in pairs)


def qr(text: str, caption: str = "") -> Symbol:
    """A QR Code (model 2, level M) carrying ``text`` as it is (a URI or a Handle)."""
    symbol = _encode(zint.Symbology.QRCODE, text, option_1=_QR_ECC_M)
    return Symbol(SymbolKind.QR, _rows(symbol), "]Q1" + text, caption)


def datamatrix(pairs: tuple[tuple[str, str], ...]) -> Symbol:
    """A GS1 DataMatrix (ECC 200, square) of AI pairs given in barcode order."""
    symbol = _encode(zint.Symbology.DATAMATRIX, _bracketed(pairs), gs1=True)
    return Symbol(SymbolKind.DATAMATRIX, _rows(symbol), "]d2" + _raw(pairs), hri(pairs))


def gs1_128(pairs: tuple[tuple[str, str], ...]) -> Symbol:
    """A GS1-128 bar code of AI pairs given in barcode order."""
    symbol = _encode(zint.Symbology.GS1_128, _bracketed(pairs), gs1=True)
    return Symbol(SymbolKind.GS1_128, _rows(symbol), "]C1" + _raw(pairs), hri(pairs))


def code128(text: str) -> Symbol:
    """A plain Code 128 bar code (no FNC1): the China drug traceability code."""
    symbol = _encode(zint.Symbology.CODE128, text)
    return Symbol(SymbolKind.CODE128, _rows(symbol), "]C0" + text, text)


def _raw(pairs: tuple[tuple[str, str], ...]) -> str:
    """Element string as transmitted: GS after each variable-length field but the last."""
    return format_element_string(pairs, GS)


def for_code(kind: SymbolKind, code: Identifier, domain: str | None = None) -> Symbol:
    """The symbol of ``kind`` for a parsed code, carrying the GS1 form that kind needs.

    Raises:
        LabelError: the code has no form for that symbol (e.g. a Handle as GS1-128).
    """
    if kind is SymbolKind.QR:
        caption = hri(element_pairs(code)) if code.key else code.canonical
        return qr(qr_text(code, domain), caption)
    if kind is SymbolKind.CODE128:
        if code.scheme is not Scheme.CN_DRUG_CODE:
            raise LabelError(
                f"{code.canonical!r}: plain Code 128 is for 20-digit drug traceability codes; "
                "GS1 codes go in GS1-128"
            )
        return code128(code.canonical)
    if code.scheme is Scheme.CN_DRUG_CODE and kind is SymbolKind.GS1_128:
        return code128(code.canonical)
    pairs = element_pairs(code)
    return datamatrix(pairs) if kind is SymbolKind.DATAMATRIX else gs1_128(pairs)

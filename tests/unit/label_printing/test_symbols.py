"""Symbols carry exactly the GS1 form they should: decoded back from PNG and SVG with zxing-cpp."""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from tests_support_symbols import decode_image

from identifiers import GS, gs1_check_digit, parse
from label_printing import LabelError, SymbolKind, SymbolSize, png, render_symbol, svg, symbol_for

GTIN = "09521234543213"
PHARMA = f"(01){GTIN}(17)261231(10)LOT1(21)ABC123"


@pytest.mark.parametrize(
    ("kind", "text", "payload"),
    [
        (SymbolKind.DATAMATRIX, PHARMA, f"]d201{GTIN}1726123110LOT1{GS}21ABC123"),
        (SymbolKind.GS1_128, PHARMA, f"]C101{GTIN}1726123110LOT1{GS}21ABC123"),
        (SymbolKind.QR, PHARMA, f"]Q1https://id.gs1.org/01/{GTIN}/10/LOT1/21/ABC123?17=261231"),
        (SymbolKind.GS1_128, "(00)069012340000000016", "]C100069012340000000016"),
        (SymbolKind.QR, "88.100.1/ABC-123", "]Q188.100.1/ABC-123"),
        (SymbolKind.CODE128, "81234567890123456789", "]C081234567890123456789"),
        (SymbolKind.GS1_128, "81234567890123456789", "]C081234567890123456789"),
        # any spelling the identifiers layer reads: scanner data, Digital Link, EPC URN
        (SymbolKind.DATAMATRIX, f"]d201{GTIN}10L/1{GS}21S", f"]d201{GTIN}10L/1{GS}21S"),
        (
            SymbolKind.DATAMATRIX,
            f"https://x.cn/01/{GTIN}/21/S%2F1?17=270600",
            f"]d201{GTIN}1727060021S/1",
        ),
        (SymbolKind.GS1_128, "urn:epc:id:sgtin:9521234.054321.ABC", f"]C101{GTIN}21ABC"),
    ],
)
def test_png_decodes_to_the_gs1_payload(kind, text, payload, decode) -> None:
    symbol = symbol_for(kind, parse(text))
    assert symbol.payload == payload
    image = Image.open(io.BytesIO(render_symbol(kind, parse(text), "png")))
    assert decode(image) == [payload]


def test_gs_separates_only_after_variable_length_fields() -> None:
    symbol = symbol_for("datamatrix", parse(f"(21)S1(10)L1(17)270101(01){GTIN}(714)1234567"))
    # pre-defined length (01)(17) first, then (10)(21): GS after each but the last field
    assert symbol.payload == f"]d201{GTIN}1727010110L1{GS}21S1{GS}7141234567"


def test_qr_uses_the_organisations_resolver_domain(decode) -> None:
    code = parse(f"(01){GTIN}(21)ABC")
    image = Image.open(io.BytesIO(render_symbol("qr", code, "png", domain="https://id.coconut.cn")))
    assert decode(image) == [f"]Q1https://id.coconut.cn/01/{GTIN}/21/ABC"]


def test_hri_is_gs1_form_with_spaces() -> None:
    assert symbol_for("datamatrix", parse(f"(01){GTIN}(21)ABC123")).hri == (
        f"(01) {GTIN} (21) ABC123"
    )


def _svg_to_image(data: bytes) -> Image.Image:
    """Rasterise our own SVG (module runs in a path) to check it decodes."""
    text = data.decode()
    view = re.search(r'viewBox="0 0 (\S+) (\S+)"', text)
    assert view is not None
    width, height = int(float(view[1])), float(view[2])
    scale = 6
    image = Image.new("L", (width * scale, round(height * scale)), 255)
    for x, y, w, h in re.findall(r"M(\d+) ([\d.]+)h(\d+)v([\d.]+)", text):
        box = (
            int(x) * scale,
            round(float(y) * scale),
            (int(x) + int(w)) * scale,
            round((float(y) + float(h)) * scale),
        )
        image.paste(0, box)
    return image


@pytest.mark.parametrize("kind", [SymbolKind.QR, SymbolKind.DATAMATRIX, SymbolKind.GS1_128])
def test_svg_decodes_and_is_sized_in_mm(kind, decode) -> None:
    code = parse(PHARMA)
    data = render_symbol(kind, code, "svg")
    assert b'mm" height="' in data
    assert decode(_svg_to_image(data)) == [symbol_for(kind, code).payload]


@pytest.mark.parametrize(
    ("kind", "text", "words"),
    [
        ("datamatrix", "88.100.1/ABC", "no GS1 element string"),
        ("code128", PHARMA, "drug traceability"),
        ("aztec", PHARMA, "unknown symbol"),
    ],
)
def test_codes_without_that_form_are_refused(kind, text, words) -> None:
    with pytest.raises(LabelError, match=words):
        symbol_for(kind, parse(text))


def test_png_keeps_quiet_zones_and_whole_pixel_modules() -> None:
    symbol = symbol_for("datamatrix", parse(PHARMA))
    image = png.image(symbol, SymbolSize(0.38))
    side = (symbol.width + 2) * 4  # 0.38 mm at 300 dpi = 4.49 px → 4 px per module
    assert image.size == (side, side)
    assert image.getpixel((0, 0)) == 255
    assert image.getpixel((4, side - 5)) == 0


_SET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"


@settings(max_examples=40, deadline=None)
@given(
    item=st.integers(0, 99999),
    serial=st.text(alphabet=_SET82, min_size=1, max_size=20),
    lot=st.text(alphabet=_SET82, min_size=1, max_size=20),
    kind=st.sampled_from([SymbolKind.DATAMATRIX, SymbolKind.GS1_128, SymbolKind.QR]),
)
def test_any_set82_serial_and_lot_round_trip(item, serial, lot, kind) -> None:
    body = f"09521234{item:05d}"
    gtin = body + str(gs1_check_digit(body))
    code = parse(f"]d201{gtin}1727022810{lot}{GS}21{serial}")
    symbol = symbol_for(kind, code)
    size = SymbolSize(0.5, 12) if kind is not SymbolKind.GS1_128 else SymbolSize(0.3, 10)
    assert decode_image(png.image(symbol, size)) == [symbol.payload]
    assert svg.render(symbol, size).startswith(b"<?xml")

"""Item-level layouts: consumer bottle/pack label, pharma pack label, 24-up A4 sheet.

Every layout prints Chinese and English captions and the GS1 human-readable interpretation
under each symbol (GS1 General Specifications §4.15).
"""

from __future__ import annotations

from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

from identifiers import Identifier, Scheme
from label_printing.layout import Template, show_date
from label_printing.payloads import element_pairs, hri, with_fields
from label_printing.pdf import draw_symbol, extent, fit_text, hri_text
from label_printing.spec import LabelFields, SymbolKind, SymbolSize
from label_printing.symbols import code128, for_code

__all__ = ["A4_24", "CONSUMER", "PHARMA"]

# X-dimensions inside the GS1 symbol specification tables (Gen Spec §5.12.3):
QR_CONSUMER = SymbolSize(0.5)  # Digital Link QR on consumer items: min 0.396, target 0.495 mm
QR_SMALL = SymbolSize(0.4)  # 24-up office sheet: above the 0.396 mm minimum
DM_PHARMA = SymbolSize(0.38)  # healthcare DataMatrix: min 0.254, target 0.380, max 0.495 mm
DM_SMALL = SymbolSize(0.3)
DRUG_CODE = SymbolSize(0.25, 8.0)  # Code 128 of the China drug code on a pack


def _caption_rows(code: Identifier) -> list[str]:
    rows = []
    if code.lot:
        rows.append(f"批号 Lot: {code.lot}")
    if date := code.ai("11"):
        rows.append(f"生产日期 Prod.: {show_date(date)}")
    if date := code.ai("15"):
        rows.append(f"最佳食用期 Best before: {show_date(date)}")
    if date := code.expiry:
        rows.append(f"有效期至 Exp.: {show_date(date)}")
    return rows


def draw_consumer(canvas: Canvas, x: float, y: float, code: Identifier, f: LabelFields) -> None:
    """60 × 40 mm: Digital Link QR on the left, product name zh/en, lot and dates, HRI below."""
    code = with_fields(code, f)
    qr = for_code(SymbolKind.QR, code, f.domain)
    qw, qh = extent(qr, QR_CONSUMER)
    draw_symbol(canvas, qr, x + 1, y + 40 - 1 - qh, QR_CONSUMER)
    left, width = x + 2 + qw, 60 - 3 - qw
    fit_text(canvas, f.product_zh, left, y + 33, width=width, size=10)
    fit_text(canvas, f.product_en, left, y + 28.5, width=width, size=7)
    for n, row in enumerate(_caption_rows(code)):
        fit_text(canvas, row, left, y + 23 - 4 * n, width=width, size=6.5)
    hri_text(canvas, qr.hri, x + 1, y + 2, 58, 6)


def draw_pharma(canvas: Canvas, x: float, y: float, code: Identifier, f: LabelFields) -> None:
    """60 × 40 mm: GS1 DataMatrix (01)(17)(10)(21) with GTIN/EXP/LOT/SN lines, or Code 128."""
    fit_text(canvas, f.product_zh, x + 2, y + 34, width=56, size=10)
    fit_text(canvas, f.product_en, x + 2, y + 29.5, width=56, size=7)
    if code.scheme is Scheme.CN_DRUG_CODE:
        symbol = code128(code.canonical)
        w, h = extent(symbol, DRUG_CODE)
        draw_symbol(canvas, symbol, x + (60 - w) / 2, y + 9, DRUG_CODE)
        digits = code.canonical
        fit_text(
            canvas,
            f"药品追溯码 Drug code: {digits[:7]} {digits[7:16]} {digits[16:]}",
            x + 2,
            y + 4.5,
            width=56,
            size=7,
        )
        return
    code = with_fields(code, f)
    symbol = for_code(SymbolKind.DATAMATRIX, code)
    w, h = extent(symbol, DM_PHARMA)
    draw_symbol(canvas, symbol, x + 2, y + 26 - h, DM_PHARMA)
    names = {
        "01": "GTIN",
        "17": "有效期 EXP",
        "10": "批号 LOT",
        "21": "序列号 SN",
        "11": "生产 PROD",
        "714": "NHRN",
    }
    lines = [(names.get(ai, ai), ai, value) for ai, value in element_pairs(code)]
    for n, (name, ai, value) in enumerate(lines[:6]):
        fit_text(
            canvas, f"{name} ({ai}) {value}", x + 4 + w, y + 23 - 3.6 * n, width=54 - w, size=6.5
        )


def draw_small(canvas: Canvas, x: float, y: float, code: Identifier, f: LabelFields) -> None:
    """70 × 37.125 mm (24-up A4): Digital Link QR and GS1 DataMatrix side by side, text, HRI."""
    code = with_fields(code, f)
    qr = for_code(SymbolKind.QR, code, f.domain)
    qw, qh = extent(qr, QR_SMALL)
    draw_symbol(canvas, qr, x + 1.5, y + 36 - qh, QR_SMALL)
    dm = for_code(SymbolKind.DATAMATRIX, code)
    dw, dh = extent(dm, DM_SMALL)
    draw_symbol(canvas, dm, x + 2 + qw, y + 36 - dh - 1.5, DM_SMALL)
    left = x + 3 + qw + dw
    width = 70 - (left - x) - 1.5
    fit_text(canvas, f.product_zh, left, y + 31, width=width, size=8)
    fit_text(canvas, f.product_en, left, y + 27.5, width=width, size=6)
    for n, row in enumerate(_caption_rows(code)[:3]):
        fit_text(canvas, row, left, y + 24 - 3.2 * n, width=width, size=5.5)
    hri_text(canvas, hri(element_pairs(code)), x + 1.5, y + 3, 67, 6)


CONSUMER = Template(
    "consumer", "消费品标签 Consumer label", 60, 40, draw_consumer, SymbolKind.QR, QR_CONSUMER
)
PHARMA = Template(
    "pharma",
    "药品包装标签 Pharma pack label",
    60,
    40,
    draw_pharma,
    SymbolKind.DATAMATRIX,
    DM_PHARMA,
)
A4_24 = Template(
    "a4-24",
    "A4 24-up sheet",
    70,
    37.125,
    draw_small,
    SymbolKind.QR,
    QR_SMALL,
    page_mm=(210, 297),
    columns=3,
    rows=8,
)

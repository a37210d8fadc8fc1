"""Logistics layouts: the GS1 logistics label (cases, pallets) and the concrete delivery ticket.

References:
    GS1 Logistic Label Guideline 1.3 (100 × 150 mm; supplier, customer and carrier sections;
    SSCC in the bottom GS1-128); GS1 General Specifications §5.12.3.5 symbol specification
    table 5 (GS1-128 X 0.495-0.940 mm, bar height at least 31.75 mm, quiet zones 10X).
"""

from __future__ import annotations

from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

from identifiers import Identifier, IdentifierError, Scheme, check_ai_value
from label_printing._errors import LabelError
from label_printing.layout import Template, show_date
from label_printing.payloads import hri
from label_printing.pdf import draw_symbol, extent, fit_text, hri_text
from label_printing.spec import GS1_128_MIN_HEIGHT_MM, LabelFields, SymbolKind, SymbolSize
from label_printing.symbols import Symbol, for_code, gs1_128

__all__ = ["DELIVERY_TICKET", "LOGISTICS", "content_pairs"]

LOGISTIC = SymbolSize(0.495, GS1_128_MIN_HEIGHT_MM)
QR_TICKET = SymbolSize(0.9)  # read by phones at arm's length; GS1 maximum 0.990 mm
_WIDTH = 100.0
_BAR_BLOCK = GS1_128_MIN_HEIGHT_MM + 4.5  # bars, HRI line and gap


def content_pairs(f: LabelFields) -> tuple[tuple[str, str], ...]:
    """Content of a case or pallet as AI pairs: (02) GTIN, (37) count, (10) lot and dates."""
    wanted = [
        ("02", f.content_gtin),
        ("37", str(f.count) if f.count is not None else None),
        ("10", f.lot),
        ("11", f.production_date),
        ("15", f.best_before),
        ("17", f.expiry),
    ]
    pairs = tuple((ai, value) for ai, value in wanted if value)
    for ai, value in pairs:
        try:
            check_ai_value(ai, value)
        except IdentifierError as exc:
            raise LabelError(str(exc)) from exc
    if ("37" in dict(pairs)) != ("02" in dict(pairs)):
        raise LabelError("(02) content GTIN and (37) count go together; got only one of them")
    return pairs


def _fits(pairs: tuple[tuple[str, str], ...]) -> Symbol | None:
    symbol = gs1_128(_ordered(pairs))
    return symbol if extent(symbol, LOGISTIC)[0] <= _WIDTH - 4 else None


def _ordered(pairs: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    fixed = [p for p in pairs if p[0] in {"02", "11", "15", "17"}]
    return tuple(fixed + [p for p in pairs if p not in fixed])


def content_symbols(pairs: tuple[tuple[str, str], ...]) -> list[Symbol]:
    """GS1-128 symbols for the content, split so each fits the label at X 0.495 mm."""
    symbols: list[Symbol] = []
    rest = list(pairs)
    while rest:
        for n in range(len(rest), 0, -1):
            if (symbol := _fits(tuple(rest[:n]))) is not None:
                symbols.append(symbol)
                rest = rest[n:]
                break
        else:
            raise LabelError(f"({rest[0][0]}) {rest[0][1]!r}: too long for a 100 mm GS1-128")
    return symbols


def draw_logistics(canvas: Canvas, x: float, y: float, code: Identifier, f: LabelFields) -> None:
    """100 × 150 mm GS1 logistics label: from/to, content text, content bar codes, SSCC."""
    if code.scheme is not Scheme.SSCC:
        raise LabelError(
            f"{code.canonical!r}: the logistics label needs an SSCC, got {code.scheme}"
        )
    pairs = content_pairs(f)
    symbols = [*content_symbols(pairs), for_code(SymbolKind.GS1_128, code)]
    fit_text(canvas, "发货方 From", x + 3, y + 145, width=45, size=6)
    fit_text(canvas, f.ship_from, x + 3, y + 140, width=45, size=9)
    fit_text(canvas, "收货方 To", x + 52, y + 145, width=45, size=6)
    fit_text(canvas, f.ship_to, x + 52, y + 140, width=45, size=9)
    canvas.line(x * 72 / 25.4, (y + 137) * 72 / 25.4, (x + 100) * 72 / 25.4, (y + 137) * 72 / 25.4)
    fit_text(canvas, f"SSCC 系列货运包装箱代码  {code.sscc}", x + 3, y + 131.5, width=94, size=10)
    facts = {
        "02": "内含 Content GTIN",
        "37": "数量 Count",
        "10": "批号 Lot",
        "11": "生产日期 Prod.",
        "15": "最佳食用期 Best before",
        "17": "有效期 Exp.",
    }
    for n, (ai, value) in enumerate(pairs):
        shown = show_date(value) if ai in {"11", "15", "17"} else value
        column, row = divmod(n, 3)
        fit_text(
            canvas,
            f"{facts[ai]}: {shown}",
            x + 3 + 48 * column,
            y + 126 - 4.2 * row,
            width=46,
            size=7.5,
        )
    bottom = y + 3
    for symbol in reversed(symbols):
        w, _ = extent(symbol, LOGISTIC)
        hri_text(canvas, hri(element_pairs_of(symbol)), x, bottom, _WIDTH, 8)
        draw_symbol(canvas, symbol, x + (_WIDTH - w) / 2, bottom + 3.5, LOGISTIC)
        bottom += _BAR_BLOCK
    if bottom > y + 114:
        raise LabelError("the content needs more bar codes than a 100 × 150 mm label holds")


def element_pairs_of(symbol: Symbol) -> tuple[tuple[str, str], ...]:
    """The AI pairs a GS1 symbol's HRI shows (parsed back from its payload)."""
    from identifiers import parse_element_string  # noqa: PLC0415

    return parse_element_string(symbol.payload[3:])


def _weights(f: LabelFields) -> list[tuple[str, str]]:
    if f.gross_kg is None or f.tare_kg is None:
        return [("毛重 Gross", _kg(f.gross_kg)), ("皮重 Tare", _kg(f.tare_kg)), ("净重 Net", "")]
    if f.tare_kg > f.gross_kg or f.tare_kg < 0:
        raise LabelError(f"tare {f.tare_kg} kg: expected 0 to the gross {f.gross_kg} kg")
    net = f.gross_kg - f.tare_kg
    return [("毛重 Gross", _kg(f.gross_kg)), ("皮重 Tare", _kg(f.tare_kg)), ("净重 Net", _kg(net))]


def _kg(value: float | None) -> str:
    return "" if value is None else f"{value:,.0f} kg"


def draw_ticket(canvas: Canvas, x: float, y: float, code: Identifier, f: LabelFields) -> None:
    """A5 concrete delivery ticket: Handle or Digital Link QR, truck, weighbridge, mix, site."""
    qr = for_code(SymbolKind.QR, code, f.domain)
    qw, qh = extent(qr, QR_TICKET)
    draw_symbol(canvas, qr, x + 148 - 8 - qw, y + 210 - 8 - qh, QR_TICKET)
    fit_text(canvas, "混凝土发货单", x + 10, y + 195, width=148 - 26 - qw, size=18)
    fit_text(canvas, "Concrete delivery ticket", x + 10, y + 187, width=148 - 26 - qw, size=11)
    fit_text(canvas, qr.hri, x + 148 - 8 - qw, y + 210 - 10 - qh, width=qw, size=7, centre=True)
    rows = [
        ("车号 Truck", f.truck),
        ("客户 Customer", f.customer),
        ("工地 Site", f.site),
        ("配合比 Mix", f.mix),
        ("搅拌时间 Time batched", f.batched_at),
        *_weights(f),
    ]
    top = y + 210 - 22 - qh
    for n, (name, value) in enumerate(rows):
        line_y = top - 11 * n
        fit_text(canvas, name, x + 10, line_y, width=45, size=9)
        fit_text(canvas, value, x + 58, line_y, width=80, size=11)
        canvas.setLineWidth(0.3)
        canvas.line(
            (x + 10) * 72 / 25.4,
            (line_y - 2.5) * 72 / 25.4,
            (x + 138) * 72 / 25.4,
            (line_y - 2.5) * 72 / 25.4,
        )
    fit_text(canvas, "司机 Driver: ______________", x + 10, y + 14, width=60, size=9)
    fit_text(canvas, "收货人 Received by: ______________", x + 75, y + 14, width=63, size=9)


LOGISTICS = Template(
    "logistics",
    "GS1 物流标签 GS1 logistics label",
    100,
    150,
    draw_logistics,
    SymbolKind.GS1_128,
    LOGISTIC,
    symbol_takes_fields=False,
)
DELIVERY_TICKET = Template(
    "delivery-ticket",
    "混凝土发货单 Delivery ticket (A5)",
    148,
    210,
    draw_ticket,
    SymbolKind.QR,
    QR_TICKET,
    symbol_takes_fields=False,
)

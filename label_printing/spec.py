"""What to print, in millimetres: symbol kinds, GS1 sizes, template fields and jobs.

Sizes follow the GS1 General Specifications §5.12.3 symbol specification tables: the X-dimension
(module width) chosen for each use lies between the table's minimum and maximum, and quiet zones
are those of the tables (QR Code 4X, Data Matrix 1X, GS1-128 10X on each side).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from identifiers import Identifier

__all__ = [
    "GS1_128_MIN_HEIGHT_MM",
    "QUIET_ZONE",
    "LabelFields",
    "LabelJob",
    "SymbolKind",
    "SymbolSize",
]


class SymbolKind(StrEnum):
    """The barcode symbologies labels use."""

    QR = "qr"  # GS1 Digital Link URI or Handle, plain QR Code (symbology id ]Q1)
    DATAMATRIX = "datamatrix"  # GS1 DataMatrix: FNC1 first (]d2)
    GS1_128 = "gs1-128"  # GS1-128: FNC1 after the start character (]C1)
    CODE128 = "code128"  # plain Code 128, for the 20-digit China drug traceability code (]C0)


# Quiet zone on each side, in modules (GS1 Gen Spec §5.12.3 tables; ISO/IEC 18004, 16022, 15417).
QUIET_ZONE: Final = {
    SymbolKind.QR: 4,
    SymbolKind.DATAMATRIX: 1,
    SymbolKind.GS1_128: 10,
    SymbolKind.CODE128: 10,
}
# Symbol specification table 5 (logistics): GS1-128 at X 0.495 mm needs 31.75 mm of bar height.
GS1_128_MIN_HEIGHT_MM: Final = 31.75


@dataclass(frozen=True, slots=True)
class SymbolSize:
    """X-dimension (module width) and, for linear symbols, the bar height, in mm."""

    x_mm: float
    height_mm: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class LabelFields:
    """Text a template prints besides the code; all optional, templates say which they use.

    ``lot``, ``expiry`` (YYMMDD), ``best_before`` and ``production_date`` are GS1 data: when the
    code does not carry them they are added to the symbol, validated by the GS1 rules first.
    """

    domain: str | None = (
        None  # Digital Link URI stem, e.g. https://id.example.cn (default id.gs1.org)
    )
    product_zh: str = ""
    product_en: str = ""
    lot: str | None = None
    expiry: str | None = None
    best_before: str | None = None
    production_date: str | None = None
    national_code: str | None = None  # AI (714) NHRN Portugal or another NHRN AI value
    content_gtin: str | None = None  # logistics label: GTIN-14 of the contained trade items (02)
    count: int | None = None  # logistics label: number of trade items (37)
    ship_from: str = ""
    ship_to: str = ""
    truck: str = ""
    gross_kg: float | None = None
    tare_kg: float | None = None
    mix: str = ""
    customer: str = ""
    site: str = ""
    batched_at: str = ""


@dataclass(frozen=True, slots=True)
class LabelJob:
    """Labels to render: one per code, in order. ``codes`` may be a generator (read once)."""

    template: str
    codes: Iterable[Identifier]
    fields: LabelFields = field(default_factory=LabelFields)
    count: int | None = None  # how many codes, when known, for progress reporting

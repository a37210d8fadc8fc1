"""Shared pieces of label layouts: the template registry entry and bilingual text rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

from identifiers import Identifier
from label_printing.spec import LabelFields, SymbolKind, SymbolSize

__all__ = ["Template", "show_date"]

_LAST_YEAR = 2076
Draw = Callable[[Canvas, float, float, Identifier, LabelFields], None]


@dataclass(frozen=True, slots=True)
class Template:
    """A label layout: its size, how many fit on a page, and how to draw one at (x, y) mm."""

    name: str
    title: str
    width_mm: float
    height_mm: float
    draw: Draw
    main_symbol: SymbolKind  # what `--format png|svg` renders for one code
    main_size: SymbolSize
    page_mm: tuple[float, float] | None = None  # None: one label per page of the label's size
    columns: int = 1
    rows: int = 1
    symbol_takes_fields: bool = True  # lot/dates of the fields go into the main symbol

    @property
    def per_page(self) -> int:
        """Labels on one page."""
        return self.columns * self.rows

    @property
    def page_size_mm(self) -> tuple[float, float]:
        """Page width and height in mm."""
        return self.page_mm or (self.width_mm, self.height_mm)

    def origin(self, slot: int) -> tuple[float, float]:
        """Lower-left corner (mm) of the label in ``slot`` (0 = top left, row by row)."""
        page_w, page_h = self.page_size_mm
        left = (page_w - self.columns * self.width_mm) / 2
        top = page_h - (page_h - self.rows * self.height_mm) / 2
        row, column = divmod(slot, self.columns)
        return left + column * self.width_mm, top - (row + 1) * self.height_mm


def show_date(yymmdd: str | None) -> str:
    """A GS1 date (YYMMDD; day 00 = end of month) as ISO 8601 for people: 2027-06-30, 2027-06."""
    if not yymmdd:
        return ""
    year = 2000 + int(yymmdd[:2])
    if year > _LAST_YEAR:  # GS1 Gen Spec §7.12: two-digit years cover 1977-2076 around now
        year -= 100
    day = yymmdd[4:]
    return f"{year}-{yymmdd[2:4]}" + ("" if day == "00" else f"-{day}")

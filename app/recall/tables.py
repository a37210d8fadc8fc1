"""The scope of a recall as CSV, and the FSMA 204 spreadsheet as CSV and XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any, Final

from app.recall.fsma import COLUMNS, tlc_label
from events.domain.recalls import RecallCase

SCOPE_COLUMNS: Final = ("kind", "id", "lot", "quantity", "unit_of_measure", "holder")


def scope_rows(case: RecallCase) -> list[dict[str, Any]]:
    """One row per affected lot, item and container."""
    scope = case.scope
    rows: list[dict[str, Any]] = []
    rows += [
        {
            "kind": "lot",
            "id": cls["id"],
            "lot": tlc_label(cls["id"]),
            "quantity": used["quantity"],
            "unit_of_measure": used["uom"] or "",
            "holder": "",
        }
        for cls in scope.get("classes", ())
        for used in cls.get("used") or [{"quantity": "", "uom": ""}]
    ]
    rows += [
        {"kind": "item", "id": i, "lot": "", "quantity": 1, "unit_of_measure": "EA", "holder": ""}
        for i in scope.get("items", ())
    ]
    rows += [
        {
            "kind": "container",
            "id": c,
            "lot": "",
            "quantity": "",
            "unit_of_measure": "",
            "holder": "",
        }
        for c in scope.get("containers", ())
    ]
    rows += [
        {
            "kind": "holder",
            "id": h.holder,
            "lot": "",
            "quantity": h.expected_quantity,
            "unit_of_measure": h.uom or "",
            "holder": h.biz_location or "",
        }
        for h in case.holders
    ]
    return rows


def to_csv(columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> str:
    """RFC 4180 CSV with a header row (UTF-8 with BOM added by the caller for Excel)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def fsma_xlsx(rows: Sequence[Mapping[str, Any]], title: str) -> bytes:
    """The FSMA spreadsheet as an Excel workbook: one sheet, a header row, autofilter on."""
    from openpyxl import Workbook  # type: ignore[import-untyped]  # noqa: PLC0415  XLSX only

    book = Workbook()
    sheet = book.active
    sheet.title = "FSMA 204"
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([row.get(c, "") for c in COLUMNS])
    sheet.auto_filter.ref = sheet.dimensions
    sheet.freeze_panes = "A2"
    book.properties.title = title
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

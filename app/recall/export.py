"""One entry point for every recall export: ``export(uow, case, format, lang)``."""

from __future__ import annotations

from typing import Any, Final

from app.recall import fsma
from app.recall.tables import SCOPE_COLUMNS, fsma_xlsx, scope_rows, to_csv
from events.domain.recalls import RecallCase

CSV: Final = "text/csv; charset=utf-8"
FORMATS: Final = frozenset({"pdf", "csv", "fsma-csv", "fsma-xlsx"})
XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_BOM: Final = "\ufeff"  # Excel opens UTF-8 CSV (Chinese names) correctly only with a BOM


def fsma_rows(uow: Any, case: RecallCase) -> list[dict[str, Any]]:  # noqa: ANN401  a unit of work
    """The FSMA 204 rows of the case, from the events of its own organisation."""
    scope = case.scope
    ids = [*scope.get("items", ()), *(c["id"] for c in scope.get("classes", ()))]
    ids += scope.get("containers", ())
    naming = uow.lineage.scoped(case.organisation_id).events_naming(ids)
    return fsma.rows(scope, naming)


def export(
    uow: Any,  # noqa: ANN401  an open SqlUnitOfWork
    case: RecallCase,
    export_format: str,
    lang: str = "en",
) -> tuple[bytes, str, str]:
    """The file's bytes, media type and file name suffix."""
    if export_format == "csv":
        return (_BOM + to_csv(SCOPE_COLUMNS, scope_rows(case))).encode(), CSV, "csv"
    if export_format == "fsma-csv":
        return (_BOM + to_csv(fsma.COLUMNS, fsma_rows(uow, case))).encode(), CSV, "csv"
    if export_format == "fsma-xlsx":
        return fsma_xlsx(fsma_rows(uow, case), f"FSMA 204 {case.id}"), XLSX, "xlsx"
    if export_format == "pdf":
        from app.recall.pdf import report  # noqa: PLC0415  reportlab only for PDFs

        return report(case, lang), "application/pdf", "pdf"
    raise ValueError(f"unknown export format {export_format!r}")

"""The recall report as PDF (reportlab): summary, trace graph, scope, holders, timeline.

Chinese and English; the text uses the embedded CJK TrueType font of ``label_printing.fonts``
(Latin glyphs included), so one font serves both languages.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any, Final

from reportlab.graphics.shapes import Drawing, Line, Polygon, Rect, String  # type: ignore[import-untyped]
from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from app.recall.fsma import tlc_label
from events.domain.recalls import RecallCase, timeline
from label_printing.fonts import cjk_font

MAX_SCOPE_ROWS: Final = 200
_BOXES: Final = 4  # boxes per column of the trace graph
TEXT: Final = {
    "en": {
        "title": "Recall report",
        "case": "Case",
        "status": "Status",
        "reason": "Reason",
        "opened": "Opened",
        "codes": "Recalled codes",
        "counts": "Scope",
        "counts_value": "{lots} lots, {items} items, {containers} containers, {holds} hold events",
        "graph": "Trace graph",
        "scope": "Scope",
        "holders": "Holders to notify",
        "timeline": "Timeline",
        "kind": "Kind",
        "code": "Code",
        "quantity": "Quantity",
        "holder": "Holder",
        "location": "Location",
        "expected": "Expected",
        "returned": "Returned",
        "destroyed": "Destroyed",
        "outstanding": "Outstanding",
        "when": "When",
        "what": "What",
        "detail": "Detail",
        "more": "… and {n} more (see the CSV export)",
        "lot": "lot",
        "item": "item",
        "container": "container",
        "root": "Bad codes",
        "lots": "Lots",
        "items_box": "Items",
        "containers_box": "Containers",
        "holders_box": "Holders",
        "open": "open",
        "closed": "closed",
        "truncated": "The trace hit a bound: the scope may be incomplete.",
    },
    "zh": {
        "title": "产品召回报告",
        "case": "召回编号",
        "status": "状态",
        "reason": "召回原因",
        "opened": "发起时间",
        "codes": "问题代码",
        "counts": "召回范围",
        "counts_value": (
            "{lots} 个批次，{items} 个单品，{containers} 个包装/托盘，{holds} 条冻结事件"
        ),
        "graph": "追溯图",
        "scope": "召回范围明细",
        "holders": "需通知的持有方",
        "timeline": "时间线",
        "kind": "类型",
        "code": "代码",
        "quantity": "数量",
        "holder": "持有方",
        "location": "位置",
        "expected": "应召回",
        "returned": "已退回",
        "destroyed": "已销毁",
        "outstanding": "未完成",
        "when": "时间",
        "what": "事项",
        "detail": "说明",
        "more": "……另有 {n} 条（见 CSV 导出）",
        "lot": "批次",
        "item": "单品",
        "container": "包装",
        "root": "问题代码",
        "lots": "批次",
        "items_box": "单品",
        "containers_box": "包装/托盘",
        "holders_box": "持有方",
        "open": "进行中",
        "closed": "已关闭",
        "truncated": "追溯达到上限：范围可能不完整。",
    },
}


def report(case: RecallCase, lang: str = "en") -> bytes:
    """The PDF report of ``case`` in ``lang`` (``en`` or ``zh``)."""
    words = TEXT["zh" if lang == "zh" else "en"]
    font = cjk_font()
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=12)
    heading = ParagraphStyle("heading", parent=body, fontSize=13, leading=18, spaceBefore=8)
    title = ParagraphStyle("title", parent=body, fontSize=18, leading=24)
    scope = case.scope
    flow: list[Any] = [Paragraph(f"{words['title']} {case.id}", title), Spacer(1, 4 * mm)]
    counts = words["counts_value"].format(
        lots=len(scope.get("classes", ())),
        items=len(scope.get("items", ())),
        containers=len(scope.get("containers", ())),
        holds=len(case.hold_event_ids),
    )
    summary = [
        [words["case"], case.id],
        [words["status"], words.get(case.status, case.status)],
        [words["reason"], Paragraph(_escape(case.reason), body)],
        [words["opened"], case.created_at.isoformat(timespec="seconds")],
        [words["codes"], Paragraph("<br/>".join(_escape(c) for c in case.codes), body)],
        [words["counts"], counts],
    ]
    flow.append(_table(summary, font, widths=(35 * mm, 135 * mm), header=False))
    if scope.get("truncated"):
        flow.append(Paragraph(words["truncated"], body))
    flow += [Paragraph(words["graph"], heading), _graph(case, words, font)]
    flow += [Paragraph(words["holders"], heading), _holders(case, words, font)]
    flow += [Paragraph(words["scope"], heading), *_scope(case, words, font, body)]
    flow.append(Paragraph(words["timeline"], heading))
    lines = [[words["when"], words["what"], words["detail"]]]
    lines += [
        [e["at"][:19], e["what"], Paragraph(_escape(e["detail"]), body)] for e in timeline(case)
    ]
    flow.append(_table(lines, font, widths=(40 * mm, 25 * mm, 105 * mm)))
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        title=f"{words['title']} {case.id}",
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    document.build(flow)
    return out.getvalue()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _table(
    rows: Sequence[Sequence[Any]], font: str, *, widths: Sequence[float], header: bool = True
) -> Table:
    table = Table(list(rows), colWidths=list(widths), repeatRows=1 if header else 0)
    style = [
        ("FONT", (0, 0), (-1, -1), font, 8),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef7")))
    else:
        style.append(("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#e8eef7")))
    table.setStyle(TableStyle(style))
    return table


def _holders(case: RecallCase, words: dict[str, str], font: str) -> Table:
    rows: list[list[Any]] = [
        [
            words["holder"],
            words["location"],
            words["expected"],
            words["returned"],
            words["destroyed"],
            words["outstanding"],
        ]
    ]
    for h in case.holders:
        unit = f" {h.uom}" if h.uom else ""
        rows.append(
            [
                h.holder,
                h.biz_location or "",
                f"{h.expected_quantity:g}{unit}",
                f"{h.returned:g}",
                f"{h.destroyed:g}",
                f"{h.outstanding:g}",
            ]
        )
    widths = (55 * mm, 45 * mm, 20 * mm, 17 * mm, 17 * mm, 16 * mm)
    return _table(rows, font, widths=widths)


def _scope(case: RecallCase, words: dict[str, str], font: str, body: ParagraphStyle) -> list[Any]:
    scope = case.scope
    rows: list[list[Any]] = [[words["kind"], words["code"], words["quantity"]]]
    for cls in scope.get("classes", ()):
        used = ", ".join(f"{u['quantity']:g} {u['uom'] or ''}" for u in cls.get("used", ()))
        rows.append([words["lot"], tlc_label(cls["id"]), used])
    rows += [[words["item"], i, "1"] for i in scope.get("items", ())]
    rows += [[words["container"], c, ""] for c in scope.get("containers", ())]
    extra = len(rows) - 1 - MAX_SCOPE_ROWS
    flow: list[Any] = [
        _table(rows[: MAX_SCOPE_ROWS + 1], font, widths=(20 * mm, 120 * mm, 30 * mm))
    ]
    if extra > 0:
        flow.append(Paragraph(words["more"].format(n=extra), body))
    return flow


def _graph(case: RecallCase, words: dict[str, str], font: str) -> Drawing:
    """Columns: bad codes → lots → items → containers → holders, with counts and arrows."""
    scope = case.scope
    columns = [
        (words["root"], [tlc_label(c) for c in case.codes]),
        (words["lots"], [tlc_label(c["id"]) for c in scope.get("classes", ())]),
        (words["items_box"], [f"{len(scope.get('items', ()))} {words['items_box']}"]),
        (words["containers_box"], [f"{len(scope.get('containers', ()))} {words['container']}"]),
        (words["holders_box"], [h.holder.rsplit("/", 1)[-1][:22] for h in case.holders]),
    ]
    rows = max(len(entries) for _label, entries in columns)
    width, height = 170 * mm, (16 + 8 * min(max(rows, 1), _BOXES + 1)) * mm
    drawing = Drawing(width, height)
    box_w, gap = 29 * mm, (width - 5 * 29 * mm) / 4
    for index, (label, entries) in enumerate(columns):
        x = index * (box_w + gap)
        drawing.add(String(x, height - 10, label, fontName=font, fontSize=8))
        shown = entries[:_BOXES] + ([f"+{len(entries) - _BOXES}"] if len(entries) > _BOXES else [])
        for row, entry in enumerate(shown or ["—"]):
            y = height - 28 - row * 8 * mm
            drawing.add(
                Rect(x, y, box_w, 6 * mm, fillColor=colors.HexColor("#fdecea"), strokeWidth=0.5)
            )
            drawing.add(String(x + 2, y + 6, entry[-24:], fontName=font, fontSize=6))
        if index:
            _arrow(drawing, x - gap + 1, height - 20, x - 1)
    return drawing


def _arrow(drawing: Drawing, x0: float, y: float, x1: float) -> None:
    drawing.add(Line(x0, y, x1 - 3, y, strokeWidth=1))
    drawing.add(Polygon([x1 - 4, y + 2.5, x1, y, x1 - 4, y - 2.5], fillColor=colors.black))

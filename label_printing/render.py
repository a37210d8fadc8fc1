"""Jobs → files: PDF pages streamed chunk by chunk, PNG/SVG of one symbol, ZPL text."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import BinaryIO, Final

from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

from identifiers import Identifier
from label_printing import png, svg
from label_printing._errors import LabelError
from label_printing.layout import Template
from label_printing.logistics import DELIVERY_TICKET, LOGISTICS
from label_printing.payloads import with_fields
from label_printing.spec import LabelFields, LabelJob
from label_printing.stitch import PdfStitcher
from label_printing.symbols import for_code
from label_printing.templates import A4_24, CONSUMER, PHARMA

__all__ = ["TEMPLATES", "Progress", "render_pdf", "render_symbol_file", "template"]

TEMPLATES: Final = {t.name: t for t in (CONSUMER, PHARMA, LOGISTICS, DELIVERY_TICKET, A4_24)}
LABELS_PER_CHUNK: Final = 240  # ten 24-up pages: small reportlab documents, few font subsets
Progress = Callable[[int], None]


def template(name: str) -> Template:
    """The template called ``name``."""
    try:
        return TEMPLATES[name]
    except KeyError:
        expected = ", ".join(sorted(TEMPLATES))
        raise LabelError(f"unknown template {name!r}; expected one of {expected}") from None


def render_chunk(layout: Template, codes: list[Identifier], fields: LabelFields) -> bytes:
    """One small reportlab PDF of ``codes``, ``layout.per_page`` to a page."""
    buffer = io.BytesIO()
    width, height = layout.page_size_mm
    canvas = Canvas(buffer, pagesize=(width * mm, height * mm), pageCompression=1, invariant=1)
    for start in range(0, len(codes), layout.per_page):
        for slot, code in enumerate(codes[start : start + layout.per_page]):
            x, y = layout.origin(slot)
            layout.draw(canvas, x, y, code, fields)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def chunks(codes: Iterable[Identifier], size: int) -> Iterator[list[Identifier]]:
    """Lists of ``size`` codes (the last may be shorter)."""
    iterator = iter(codes)
    while chunk := list(islice(iterator, size)):
        yield chunk


def render_pdf(job: LabelJob, out: BinaryIO, progress: Progress | None = None) -> int:
    """Write the job's labels as one PDF to ``out``; returns how many labels were drawn."""
    layout = template(job.template)
    stitcher = PdfStitcher(out, title=layout.title)
    size = max(layout.per_page, LABELS_PER_CHUNK // layout.per_page * layout.per_page)
    done = 0
    for chunk in chunks(job.codes, size):
        stitcher.add(render_chunk(layout, chunk, job.fields))
        done += len(chunk)
        if progress is not None:
            progress(len(chunk))
    if not done:
        raise LabelError("no codes to print")
    stitcher.close()
    return done


def render_symbol_file(job: LabelJob, fmt: str, out: BinaryIO) -> int:
    """PNG or SVG of the template's main symbol, for exactly one code."""
    codes = list(islice(job.codes, 2))
    if len(codes) != 1:
        raise LabelError(f"{fmt} holds one symbol: expected one code, got {len(codes) or 'none'}")
    layout = template(job.template)
    code = codes[0]
    if layout.symbol_takes_fields and code.key:
        code = with_fields(code, job.fields)
    symbol = for_code(layout.main_symbol, code, job.fields.domain)
    writer = png.render if fmt == "png" else svg.render
    out.write(writer(symbol, layout.main_size))
    return 1

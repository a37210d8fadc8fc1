"""Label printing: spec → symbol → writer (ARCHITECTURE.md R10).

``render(job, fmt, out)`` writes the labels of a ``LabelJob`` (a template, the codes, the
template's fields) as PDF, PNG, SVG or ZPL; ``render_symbol`` writes one bare symbol. Writers are
looked up in ``FORMATS``. Codes are ``identifiers.Identifier`` values, already parsed and checked
for ownership by the caller; GS1 rules on the label's own data are checked here (``LabelError``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO, Final

from identifiers import Identifier
from label_printing import png, svg
from label_printing._errors import LabelError
from label_printing.fonts import font_is_embedded
from label_printing.render import TEMPLATES, Progress, render_pdf, render_symbol_file
from label_printing.spec import LabelFields, LabelJob, SymbolKind, SymbolSize
from label_printing.symbols import Symbol, for_code
from label_printing.zpl import DPIS, render_labels

__all__ = [
    "DPIS",
    "FORMATS",
    "MEDIA_TYPES",
    "TEMPLATES",
    "LabelError",
    "LabelFields",
    "LabelJob",
    "Progress",
    "Symbol",
    "SymbolKind",
    "SymbolSize",
    "font_is_embedded",
    "render",
    "render_symbol",
    "symbol_for",
]

Writer = Callable[[LabelJob, BinaryIO, "Progress | None", int], int]


def _pdf(job: LabelJob, out: BinaryIO, progress: Progress | None, _dpi: int) -> int:
    return render_pdf(job, out, progress)


def _png(job: LabelJob, out: BinaryIO, _progress: Progress | None, _dpi: int) -> int:
    return render_symbol_file(job, "png", out)


def _svg(job: LabelJob, out: BinaryIO, _progress: Progress | None, _dpi: int) -> int:
    return render_symbol_file(job, "svg", out)


def _zpl(job: LabelJob, out: BinaryIO, progress: Progress | None, dpi: int) -> int:
    done = 0
    for label in render_labels(job.template, job.codes, job.fields, dpi):
        out.write(label.encode("utf-8"))
        done += 1
        if progress is not None:
            progress(1)
    if not done:
        raise LabelError("no codes to print")
    return done


FORMATS: Final[dict[str, Writer]] = {"pdf": _pdf, "png": _png, "svg": _svg, "zpl": _zpl}
MEDIA_TYPES: Final = {
    "pdf": "application/pdf",
    "png": "image/png",
    "svg": "image/svg+xml",
    "zpl": "application/zpl",
}
# Default X-dimension of bare symbols (GS1 Gen Spec §5.12.3): consumer QR, healthcare DataMatrix,
# logistics GS1-128 (with its minimum bar height), Code 128 of drug codes on packs.
DEFAULT_SIZES: Final = {
    SymbolKind.QR: SymbolSize(0.5),
    SymbolKind.DATAMATRIX: SymbolSize(0.38),
    SymbolKind.GS1_128: SymbolSize(0.495, 31.75),
    SymbolKind.CODE128: SymbolSize(0.25, 8.0),
}


def render(
    job: LabelJob,
    fmt: str,
    out: BinaryIO,
    *,
    progress: Progress | None = None,
    dpi: int = 203,
) -> int:
    """Write the job's labels to ``out`` in ``fmt``; returns how many labels were written.

    Raises:
        LabelError: unknown format or template, or label data breaking GS1 rules.
    """
    try:
        writer = FORMATS[fmt.lower()]
    except KeyError:
        raise LabelError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}") from None
    return writer(job, out, progress, dpi)


def symbol_for(kind: SymbolKind | str, code: Identifier, domain: str | None = None) -> Symbol:
    """The bare symbol of ``kind`` for ``code`` (see ``symbols.for_code``)."""
    try:
        kind = SymbolKind(kind)
    except ValueError:
        expected = ", ".join(k.value for k in SymbolKind)
        raise LabelError(f"unknown symbol {kind!r}; expected one of {expected}") from None
    return for_code(kind, code, domain)


def render_symbol(
    kind: SymbolKind | str,
    code: Identifier,
    fmt: str,
    *,
    domain: str | None = None,
    size: SymbolSize | None = None,
) -> bytes:
    """PNG or SVG bytes of one bare symbol, quiet zones included."""
    symbol = symbol_for(kind, code, domain)
    size = size or DEFAULT_SIZES[symbol.kind]
    if fmt == "png":
        return png.render(symbol, size)
    if fmt == "svg":
        return svg.render(symbol, size)
    raise LabelError(f"a bare symbol is written as png or svg, not {fmt!r}")

"""PDFs the tests read back: pages rasterised and text extracted with PDFium (``pypdfium2``).

PDFium comes as a wheel from PyPI with the test dependencies, so ``make test`` needs no system
package (it used to be poppler's ``pdftoppm``/``pdftotext``, which a fresh machine lacks and
which made these tests skip there).
"""

from __future__ import annotations

import pypdfium2
from PIL import Image


def rasterise_pdf(
    pdf: bytes, dpi: int = 300, first: int = 1, last: int | None = None
) -> list[Image.Image]:
    """Pages ``first``..``last`` (1-based, inclusive; to the end by default) in greyscale."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        end = len(document) if last is None else min(last, len(document))
        return [
            document[index].render(scale=dpi / 72, grayscale=True).to_pil()
            for index in range(first - 1, end)
        ]
    finally:
        document.close()


def pdf_text(pdf: bytes) -> str:
    """The text of every page, in page order, one page after another."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        texts = []
        for page in document:
            text_page = page.get_textpage()
            texts.append(text_page.get_text_range())
            text_page.close()
            page.close()
        return "\n".join(texts)
    finally:
        document.close()

"""Stream a PDF of any length: pages are made in chunks by reportlab, then copied out.

reportlab keeps every page of a canvas in memory until ``save()``. A 100,000-label batch is
therefore drawn in chunks of a few pages, each its own small reportlab PDF; this module copies the
objects of each chunk into one output file as they come (renumbering references) and collects
only the byte offsets it needs for the cross-reference table. Memory stays flat in the number of
labels. Each chunk embeds its own font subset (a few kB).

References:
    ISO 32000-1 §7.3.10 (indirect objects), §7.5.4 (cross-reference table), §7.7.3 (page tree).
"""

from __future__ import annotations

import re
from typing import BinaryIO, Final

__all__ = ["PdfStitcher"]

_OBJ: Final = re.compile(rb"(\d+) 0 obj\n")
_REF: Final = re.compile(rb"(\d+) 0 R\b")
_LENGTH: Final = re.compile(rb"/Length (\d+)")
_PAGE: Final = re.compile(rb"/Type /Page\b(?!s)")
_ROOT: Final = re.compile(rb"/Root (\d+) 0 R")
_INFO: Final = re.compile(rb"/Info (\d+) 0 R")
_PAGES: Final = re.compile(rb"/Pages (\d+) 0 R")
_CATALOG, _PAGE_TREE, _INFO_OBJ = 1, 2, 3


class PdfStitcher:
    """Write the pages of reportlab PDFs (``add``) into one PDF (``close``)."""

    def __init__(self, out: BinaryIO, title: str = "OneCode Trace labels") -> None:
        self._out = out
        self._title = title
        self._pos = 0
        self._offsets: dict[int, int] = {}
        self._kids: list[int] = []
        self._next = _INFO_OBJ + 1
        self._write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    @property
    def pages(self) -> int:
        """Pages written so far."""
        return len(self._kids)

    def _write(self, data: bytes) -> None:
        self._out.write(data)
        self._pos += len(data)

    def add(self, pdf: bytes) -> None:
        """Copy the pages of one reportlab PDF (and what they use) into the output."""
        trailer = pdf[pdf.rindex(b"trailer") :]
        root, info = int(_ROOT.search(trailer)[1]), int(_INFO.search(trailer)[1])  # type: ignore[index]
        objects = dict(_objects(pdf))
        pages = int(_PAGES.search(objects[root][0])[1])  # type: ignore[index]
        skip = {root, info, pages}
        numbers = {old: self._next + n for n, old in enumerate(o for o in objects if o not in skip)}
        numbers[pages] = _PAGE_TREE
        self._next += len(numbers) - 1

        def renumber(match: re.Match[bytes]) -> bytes:
            return b"%d 0 R" % numbers[int(match[1])]

        for old, (head, stream) in objects.items():
            if old in skip:
                continue
            new = numbers[old]
            self._offsets[new] = self._pos
            if _PAGE.search(head):
                self._kids.append(new)
            self._write(b"%d 0 obj\n" % new + _REF.sub(renumber, head) + stream + b"endobj\n")

    def close(self) -> None:
        """Write the catalog, page tree, document info, cross-reference table and trailer."""
        kids = b" ".join(b"%d 0 R" % k for k in self._kids)
        title = self._title.encode("utf-16-be").hex().upper().encode()
        tail = {
            _CATALOG: b"<< /Type /Catalog /Pages %d 0 R >>" % _PAGE_TREE,
            _PAGE_TREE: b"<< /Type /Pages /Count %d /Kids [ %s ] >>" % (len(self._kids), kids),
            _INFO_OBJ: b"<< /Producer (OneCode Trace) /Title <FEFF%s> >>" % title,
        }
        for number, body in tail.items():
            self._offsets[number] = self._pos
            self._write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
        xref = self._pos
        size = self._next
        rows = [b"0000000000 65535 f \n"]
        rows += [b"%010d 00000 n \n" % self._offsets[n] for n in range(1, size)]
        self._write(b"xref\n0 %d\n%s" % (size, b"".join(rows)))
        self._write(
            b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (size, _CATALOG, _INFO_OBJ, xref)
        )


def _objects(pdf: bytes) -> list[tuple[int, tuple[bytes, bytes]]]:
    """``(number, (dictionary part, stream part))`` of every object, streams skipped by length."""
    found = []
    pos = 0
    while (match := _OBJ.search(pdf, pos)) is not None:
        start = match.end()
        end = pdf.index(b"endobj", start)
        stream_at = pdf.find(b"stream\n", start, end)
        if stream_at != -1 and pdf[stream_at - 3 : stream_at] != b"end":
            length = int(_LENGTH.search(pdf, start, stream_at)[1])  # type: ignore[index]
            data_end = stream_at + len(b"stream\n") + length
            end = pdf.index(b"endobj", data_end)
            found.append((int(match[1]), (pdf[start:stream_at], pdf[stream_at:end])))
        else:
            found.append((int(match[1]), (pdf[start:end], b"")))
        pos = end + len(b"endobj")
    return found

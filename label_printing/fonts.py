"""Fonts for PDF labels: one TrueType font with Chinese and Latin glyphs, embedded as a subset.

reportlab embeds TrueType-outline fonts only (Noto/Source Han CJK are CFF-outline OpenType).
WenQuanYi Micro Hei (文泉驿微米黑, Apache License 2.0, TrueType outlines) comes from PyPI in the
``paperang-p2-fonts-cjk`` package; when it is missing, labels fall back to reportlab's built-in CID
font STSong-Light, which PDF viewers supply themselves (not embedded: docs/LABELS.md).
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Final

from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # type: ignore[import-untyped]
from reportlab.pdfbase.ttfonts import TTFont  # type: ignore[import-untyped]

__all__ = ["HRI_FONT", "cjk_font", "font_is_embedded"]

HRI_FONT: Final = "Helvetica"  # human-readable interpretation: digits and set 82 only
_CJK: Final = "OnecodeCJK"
_FALLBACK: Final = "STSong-Light"


@functools.cache
def cjk_font() -> str:
    """Register (once) and name the font for Chinese and English label text."""
    try:
        path = resources.files("paperang_p2_fonts_cjk") / "fonts" / "wqy-microhei.ttc"
        with resources.as_file(path) as file:
            pdfmetrics.registerFont(TTFont(_CJK, str(file), subfontIndex=0))
    except (ModuleNotFoundError, FileNotFoundError):
        pdfmetrics.registerFont(UnicodeCIDFont(_FALLBACK))
        return _FALLBACK
    return _CJK


def font_is_embedded() -> bool:
    """True when Chinese text is embedded in PDFs (False: the viewer must supply STSong)."""
    return cjk_font() == _CJK

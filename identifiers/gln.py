"""GLN: Global Location Number, 13 digits (AI 414 physical location, 417 party).

References:
    GS1 General Specifications §3.7.9 (AI 414), §3.7.11 (AI 417), §7.9.1 (check digit).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from identifiers._errors import ParseError
from identifiers.checksums import gs1_check_digit

__all__ = ["Gln"]

_SHAPE: Final = re.compile(r"[0-9]{13}")


@dataclass(frozen=True, slots=True)
class Gln:
    """A GLN: company prefix, location reference, check digit.

    >>> Gln.parse("9521234543213").value
    '9521234543213'
    >>> Gln.parse("9521234543210")
    Traceback (most recent call last):
    ...
    identifiers._errors.ParseError: '9521234543210': check digit should be 3, got 0
    """

    value: str  # 13 digits

    @classmethod
    def parse(cls, raw: str) -> Gln:
        """Read a GLN, checking length, digits and check digit."""
        digits = raw.strip()
        if _SHAPE.fullmatch(digits) is None or len(digits) != 13:  # noqa: PLR2004  GLN-13
            raise ParseError(
                f"{raw!r} is not a GLN: expected 13 digits, got {len(digits)} characters"
            )
        expected = gs1_check_digit(digits[:-1])
        if int(digits[-1]) != expected:
            raise ParseError(f"{raw!r}: check digit should be {expected}, got {digits[-1]}")
        return cls(digits.zfill(13))

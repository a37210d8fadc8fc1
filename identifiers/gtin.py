"""GTIN: Global Trade Item Number (GTIN-8, -12, -13, -14), held as 14 digits.

References:
    GS1 General Specifications §3.3.2 (AI 01), §7.9.1 (check digit).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from identifiers._errors import ParseError
from identifiers.checksums import gs1_check_digit

__all__ = ["Gtin"]

_SHAPE: Final = re.compile(r"[0-9]{8,14}")


@dataclass(frozen=True, slots=True)
class Gtin:
    """A GTIN, zero-padded to 14 digits (GS1 Gen Spec §3.3.2).

    >>> Gtin.parse("9521234543213").value
    '09521234543213'
    >>> Gtin.parse("09521234543214")
    Traceback (most recent call last):
    ...
    identifiers._errors.ParseError: '09521234543214': check digit should be 3, got 4
    """

    value: str  # 14 digits

    @classmethod
    def parse(cls, raw: str) -> Gtin:
        """Read GTIN-8/12/13/14, checking length, digits and check digit."""
        digits = raw.strip()
        if _SHAPE.fullmatch(digits) is None or len(digits) not in (8, 12, 13, 14):
            raise ParseError(
                f"{raw!r} is not a GTIN: expected 8/12/13/14 digits, got {len(digits)} characters"
            )
        expected = gs1_check_digit(digits[:-1])
        if int(digits[-1]) != expected:
            raise ParseError(f"{raw!r}: check digit should be {expected}, got {digits[-1]}")
        return cls(digits.zfill(14))

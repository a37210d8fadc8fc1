"""SSCC: Serial Shipping Container Code, 18 digits.

References:
    GS1 General Specifications §3.3.1 (AI 00), §7.9.1 (check digit).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from identifiers._errors import ParseError
from identifiers.checksums import gs1_check_digit

__all__ = ["Sscc"]

_SHAPE: Final = re.compile(r"[0-9]{18}")


@dataclass(frozen=True, slots=True)
class Sscc:
    """An SSCC: extension digit, company prefix, serial reference, check digit.

    >>> Sscc.parse("106141411234567897").value
    '106141411234567897'
    >>> Sscc.parse("106141411234567898")
    Traceback (most recent call last):
    ...
    identifiers._errors.ParseError: '106141411234567898': check digit should be 7, got 8
    """

    value: str  # 18 digits

    @classmethod
    def parse(cls, raw: str) -> Sscc:
        """Read an SSCC, checking length, digits and check digit."""
        digits = raw.strip()
        if _SHAPE.fullmatch(digits) is None or len(digits) != 18:  # noqa: PLR2004  SSCC-18
            raise ParseError(
                f"{raw!r} is not an SSCC: expected 18 digits, got {len(digits)} characters"
            )
        expected = gs1_check_digit(digits[:-1])
        if int(digits[-1]) != expected:
            raise ParseError(f"{raw!r}: check digit should be {expected}, got {digits[-1]}")
        return cls(digits.zfill(18))

"""Value validation of AI data fields: character set, length, then the component linters.

The linter names are those of the GS1 Barcode Syntax Dictionary. Linters that need
reference lists this package does not carry (``iso3166``, ``iso4217``, ``iban``,
``packagetype``, ``mediatype``, coupon and GCP-existence checks ``gcppos1``/``gcppos2``)
are not applied; the character set and length of those fields still are.

References:
    GS1 General Specifications §7.9 (check digits), §7.12 (dates: YYMMDD, and day "00"
    meaning the last day of the month for the AIs the dictionary marks ``yymmd0``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from identifiers._errors import ParseError
from identifiers.ai_table import CSET_NAMES, CSET_PATTERNS, AiSpec, ai_spec
from identifiers.checksums import gmn_check_pair, gs1_check_digit

__all__ = ["validate_value"]

_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_CSET_CHAR = {name: re.compile(pattern) for name, pattern in CSET_PATTERNS.items()}


def _date(value: str, *, day_zero: bool, year_digits: int = 2) -> str | None:
    year, month, day = (
        int(value[:year_digits]),
        int(value[year_digits : year_digits + 2]),
        int(value[year_digits + 2 :]),
    )
    if not 1 <= month <= 12:  # noqa: PLR2004  calendar months
        return f"month 01-12, got {value[year_digits : year_digits + 2]}"
    # Two-digit years map to 1977-2076 around now (Gen Spec §7.12), where YY % 4 == 0
    # is exactly the leap-year rule; four-digit years use the full Gregorian rule.
    leap = year % 4 == 0 and (year_digits == 2 or year % 100 != 0 or year % 400 == 0)  # noqa: PLR2004
    limit = 29 if month == 2 and leap else (28 if month == 2 else _DAYS[month - 1])  # noqa: PLR2004
    low = 0 if day_zero else 1
    if not low <= day <= limit:
        return f"day {low:02}-{limit} for month {month:02}, got {value[-2:]}"
    return None


def _csum(value: str) -> str | None:
    expected = gs1_check_digit(value[:-1])
    return None if int(value[-1]) == expected else f"check digit {expected}, got {value[-1]}"


def _csumalpha(value: str) -> str | None:
    if len(value) < 3 or not value[:-2].isascii():  # noqa: PLR2004  body + pair
        return "at least 3 characters"
    expected = gmn_check_pair(value[:-2])
    return None if value[-2:] == expected else f"check pair {expected}, got {value[-2:]}"


def _range(low: int, high: int) -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        return None if low <= int(value) <= high else f"{low}-{high}, got {value}"

    return check


def _yymmdd(value: str) -> str | None:
    return _date(value, day_zero=False)


def _yymmd0(value: str) -> str | None:
    return _date(value, day_zero=True)


def _yyyymmdd(value: str) -> str | None:
    return _date(value, day_zero=False, year_digits=4)


def _hhmi(value: str) -> str | None:
    return _range(0, 23)(value[:2]) or _range(0, 59)(value[2:])


def _pieceoftotal(value: str) -> str | None:
    half = len(value) // 2
    piece, total = int(value[:half]), int(value[half:])
    return None if 1 <= piece <= total else f"piece 1..total, got {piece} of {total}"


def _pcenc(value: str) -> str | None:
    bad = re.search(r"%(?![0-9A-Fa-f]{2})", value)
    return None if bad is None else "valid percent-encoding"


_LINTERS: Final[dict[str, Callable[[str], str | None]]] = {
    "csum": _csum,
    "csumalpha": _csumalpha,
    "yymmdd": _yymmdd,
    "yymmd0": _yymmd0,
    "yyyymmdd": _yyyymmdd,
    "hhmi": _hhmi,
    "hh": _range(0, 23),
    "mi": _range(0, 59),
    "ss": _range(0, 59),
    "zero": _range(0, 0),
    "nonzero": lambda v: None if int(v) else f"a non-zero value, got {v}",
    "yesno": _range(0, 1),
    "winding": _range(0, 9),
    "pieceoftotal": _pieceoftotal,
    "hyphen": lambda v: None if v == "-" else f"'-', got {v!r}",
    "nozeroprefix": lambda v: None if v == "0" or v[0] != "0" else "no leading zero",
    "hasnondigit": lambda v: None if not v.isdigit() else "at least one non-digit",
    "pcenc": _pcenc,
}


def _explain_mismatch(spec: AiSpec, value: str) -> str:
    if not spec.min_length <= len(value) <= spec.max_length:
        span = (
            str(spec.max_length)
            if spec.min_length == spec.max_length
            else f"{spec.min_length}-{spec.max_length}"
        )
        return f"{span} characters, got {len(value)}"
    offset = 0
    for component in spec.components:
        part = value[offset : offset + component.max]
        for index, char in enumerate(part, start=offset + 1):
            if not _CSET_CHAR[component.cset].fullmatch(char):
                return f"{CSET_NAMES[component.cset]}, got {char!r} at position {index}"
        offset += component.max if component.min == component.max else len(part)
    return "the format of the GS1 Syntax Dictionary"


def validate_value(spec: AiSpec, value: str) -> None:
    """Check ``value`` against ``spec``; raise ``ParseError`` naming AI, input, expected, got.

    >>> from identifiers.ai_table import ai_spec
    >>> validate_value(ai_spec("17"), "261200")  # day 00: last day of the month
    >>> validate_value(ai_spec("17"), "261301")
    Traceback (most recent call last):
    ...
    identifiers._errors.ParseError: (17) '261301': expected month 01-12, got 13
    """
    if spec.pattern.fullmatch(value) is None:
        detail = _explain_mismatch(spec, value)
        raise ParseError(f"({spec.ai}) {value!r}: expected {detail}")
    offset = 0
    for component in spec.components:
        if offset >= len(value):
            break  # optional components after the data ends are ignored
        end = offset + component.max if component.min == component.max else len(value)
        part = value[offset:end]
        for name in component.linters:
            linter = _LINTERS.get(name)
            problem = linter(part) if linter is not None else None
            if problem is not None:
                raise ParseError(f"({spec.ai}) {value!r}: expected {problem}")
        offset = end


def check_ai_value(ai: str, value: str) -> str:
    """Validate one AI's value by the GS1 Syntax Dictionary and return it.

    >>> check_ai_value("10", "LOT-1")
    'LOT-1'
    >>> check_ai_value("10", "LOT 1")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    identifiers._errors.ParseError: (10) 'LOT 1': expected GS1 character set 82, got ' ' ...

    Raises:
        ParseError: unknown AI, or a value that breaks its format or linters.
    """
    spec = ai_spec(ai)
    if spec is None:
        raise ParseError(f"({ai}): expected a GS1 Application Identifier, got an unknown one")
    validate_value(spec, value)
    return value

"""GS1 element strings: the AI-prefixed data a GS1 barcode carries.

Reads the three spellings a scanner or a person sends: raw data with the GS (0x1D)
separator standing for FNC1, raw data whose separators were lost (unambiguous when
pre-defined and fixed-length AIs come first), and the human-readable interpretation
``(01)09521234543213(21)ABC``. Symbology identifiers (``]d2`` …) are stripped by the caller.

Hand-written for speed: one left-to-right scan using a dict of AI lengths by their first
two digits and one precompiled regular expression per AI.

References:
    GS1 General Specifications §5.10.1 (concatenation and FNC1 separators),
    §7.8.5 (pre-defined length AIs), §4.15 (human readable interpretation).
"""

from __future__ import annotations

import re
from typing import Final

from identifiers._errors import ParseError
from identifiers._linters import validate_value
from identifiers.ai_table import AiSpec, ai_length, ai_spec

__all__ = ["GS", "AiPairs", "format_element_string", "format_hri", "parse_element_string"]

GS: Final = "\x1d"
AiPairs = tuple[tuple[str, str], ...]
_HRI_AI = re.compile(r"\((\d{2,4})\)")


def _spec_at(text: str, source: str, pos: int) -> tuple[AiSpec, int]:
    length = ai_length(text[pos : pos + 2])
    spec = ai_spec(text[pos : pos + length]) if length is not None else None
    if spec is None:
        got = text[pos : pos + 4]
        raise ParseError(
            f"{source!r}: expected an Application Identifier at position {pos + 1}, got {got!r}"
        )
    return spec, pos + len(spec.ai)


def _append(pairs: list[tuple[str, str]], source: str, spec: AiSpec, value: str) -> None:
    for ai, seen in pairs:
        if ai == spec.ai:
            if seen == value:
                return
            raise ParseError(f"{source!r}: ({ai}) given twice, with {seen!r} and {value!r}")
    validate_value(spec, value)
    pairs.append((spec.ai, value))


def _parse_raw(text: str, source: str) -> AiPairs:
    pairs: list[tuple[str, str]] = []
    pos, end = 0, len(text)
    while pos < end:
        spec, pos = _spec_at(text, source, pos)
        fixed = spec.fixed_length
        if fixed is not None:
            value = text[pos : pos + fixed]
            pos += fixed
            if pos < end and text[pos] == GS:
                pos += 1
        else:
            stop = text.find(GS, pos)
            stop = end if stop < 0 else stop
            value = text[pos:stop]
            pos = stop + 1
        _append(pairs, source, spec, value)
    return tuple(pairs)


def _parse_hri(text: str, source: str) -> AiPairs:
    pairs: list[tuple[str, str]] = []
    pos, end = 0, len(text)
    while pos < end:
        match = _HRI_AI.match(text, pos)
        spec = ai_spec(match.group(1)) if match else None
        if match is None or spec is None:
            got = text[pos : pos + 6]
            raise ParseError(f"{source!r}: expected '(AI)' at position {pos + 1}, got {got!r}")
        pos = match.end()
        fixed = spec.fixed_length
        if fixed is not None:
            stop = pos + fixed
        else:
            stop = end
            for following in _HRI_AI.finditer(text, pos):
                if ai_spec(following.group(1)) is not None:
                    stop = following.start()
                    break
        _append(pairs, source, spec, text[pos:stop])
        pos = stop
    return tuple(pairs)


def parse_element_string(text: str) -> AiPairs:
    r"""Split an element string into validated ``(ai, value)`` pairs, in input order.

    >>> parse_element_string("(01)09521234543213(17)261200(10)LOT1")
    (('01', '09521234543213'), ('17', '261200'), ('10', 'LOT1'))
    >>> parse_element_string("010952123454321317261200" "10LOT1\x1d21S/1")
    (('01', '09521234543213'), ('17', '261200'), ('10', 'LOT1'), ('21', 'S/1'))
    >>> parse_element_string("0109521234543214")
    Traceback (most recent call last):
    ...
    identifiers._errors.ParseError: (01) '09521234543214': expected check digit 3, got 4
    """
    if not text:
        raise ParseError("'': expected a GS1 element string, got nothing")
    if text[0] == "(":
        return _parse_hri(text, text)
    return _parse_raw(text.lstrip(GS), text)


def format_hri(pairs: AiPairs) -> str:
    """Write pairs as the human-readable interpretation, ``(AI)value`` each.

    >>> format_hri((("01", "09521234543213"), ("21", "ABC")))
    '(01)09521234543213(21)ABC'
    """
    return "".join(f"({ai}){value}" for ai, value in pairs)


def format_element_string(pairs: AiPairs, gs: str = GS) -> str:
    """Write pairs as barcode data: pre-defined length AIs first, ``gs`` only where needed.

    A separator follows every field that is not of pre-defined length, except the last
    (GS1 Gen Spec §7.8.5), so the result is as short as the standard allows.

    >>> format_element_string((("10", "L1"), ("01", "09521234543213"), ("21", "S")), gs="|")
    '010952123454321310L1|21S'
    """
    first = [(ai, v) for ai, v in pairs if _is_fnc1_free(ai)]
    rest = [(ai, v) for ai, v in pairs if not _is_fnc1_free(ai)]
    head = "".join(ai + value for ai, value in first)
    return head + gs.join(ai + value for ai, value in rest)


def _is_fnc1_free(ai: str) -> bool:
    spec = ai_spec(ai)
    return spec is not None and spec.fnc1_free

"""``parse()``: one entry point for whatever a scanner, a partner or a person sends.

Dispatch is on the first characters, so each input is read by exactly one parser:

* ``]xx`` symbology identifier: GS1 ones (``]C1 ]e0 ]d2 ]Q3 ]J1``) mean element string
  data; ``]E0``/``]E4`` (EAN/UPC) mean bare GTIN digits; others are stripped and the
  rest is read as below;
* ``(`` — element string in HRI form;
* ``http(s)://`` — Handle resolver URL when a path segment is an ``88.`` prefix, else
  GS1 Digital Link (any domain, any path prefix);
* ``urn:epc:`` — EPC URN; ``hdl:`` or ``88.…/…`` — Handle;
* only digits — 8/12/13/14 digits with a valid check digit: a GTIN; 18: an SSCC;
  anything else an element string (so ``800304965031954585`` is (8003), not an SSCC
  with a bad check digit); 20 digits that are not a valid element string with a GS1
  key are a China drug code. (20 bare digits are ambiguous — ``00``+SSCC, ``402``+GSIN
  — and a symbology identifier settles it; without one, GS1 wins.)
* anything else starting with a digit — an element string.

Bare 13 digits are read as a GTIN-13, never as a GLN: a GLN needs its AI, ``(414)``.
Inputs over ``MAX_INPUT_LENGTH`` characters are refused before any work is done.

Hand-written for speed (no biip on this path): the dispatch above, the element string
scanner, the Digital Link path walk and the URN slicing; biip is only asked for GS1
Company Prefix lengths, cached per prefix.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from identifiers._errors import IdentifierError, ParseError
from identifiers.checksums import gs1_check_digit, has_valid_check_digit
from identifiers.cn_drug_code import CnDrugCode
from identifiers.company_prefix import CompanyPrefixes, as_company_prefixes
from identifiers.digital_link import CANONICAL_DOMAIN, parse_digital_link
from identifiers.element_strings import parse_element_string
from identifiers.epc_uri import parse_epc_urn
from identifiers.gs1_keys import Scheme, arrange
from identifiers.handle import HandleId, looks_like_handle
from identifiers.identifier import Identifier

__all__ = ["MAX_INPUT_LENGTH", "parse"]

MAX_INPUT_LENGTH: Final = 512
_GS1_SYMBOLOGIES: Final = frozenset({"]C1", "]e0", "]d2", "]Q3", "]J1"})
_EAN_SYMBOLOGIES: Final = frozenset({"]E0", "]E4", "]E3"})
_BARE_KEY_AI: Final = {8: "01", 12: "01", 13: "01", 14: "01", 18: "00"}
_DRUG_CODE_LENGTH: Final = 20


def parse(
    text: str, *, company_prefixes: CompanyPrefixes | Collection[str] | None = None
) -> Identifier:
    r"""Read any supported identifier spelling into an ``Identifier``.

    >>> parse("]d2010952123454321321A/1\x1d17261200").canonical
    'https://id.gs1.org/01/09521234543213/21/A%2F1'
    >>> parse("urn:epc:id:sgtin:9521234.054321.A%2F1") == parse("(01)09521234543213(21)A/1")
    True
    >>> parse("88.100.1/abc").canonical
    '88.100.1/abc'

    Raises:
        ParseError: for anything else, with input, expected and got in the message.
    """
    if not isinstance(text, str):
        raise ParseError(f"{text!r}: expected text, got {type(text).__name__}")
    if len(text) > MAX_INPUT_LENGTH:
        raise ParseError(f"input of {len(text)} characters: expected at most {MAX_INPUT_LENGTH}")
    return _dispatch(text.strip(), as_company_prefixes(company_prefixes))


@dataclass(frozen=True, slots=True)
class Reading:
    """What most callers need of a parse, small enough to cache: identity, key, or the problem."""

    canonical: str | None
    key: tuple[tuple[str, str], ...]
    problem: str | None


# One capture validates, hashes and links the same identifiers: reading each once saves two
# parses in three. Bounded (a ``Reading`` is a few hundred bytes), and large enough for the
# identifiers of a 10,000-event document, so a sequential pass does not flush it.
@lru_cache(maxsize=131_072)
def read(text: str) -> Reading:
    """Parse ``text`` once (cached): its canonical form and key, or why it is not valid.

    >>> read("urn:epc:id:sgtin:9521234.054321.A").canonical
    'https://id.gs1.org/01/09521234543213/21/A'
    >>> read("(01)09521234543214").problem
    "(01) '09521234543214': expected check digit 3, got 4"
    """
    return _plain_urn(text) or _plain_link(text) or _parsed(text)


# The spellings a scanner or an ERP writes most (EPCIS 2.0 §8.2: EPC URNs), in their plainest
# form: an SGTIN whose serial needs no escaping (TDS §6.3.1), an LGTIN class whose lot needs none
# (TDS §6.4) and an SSCC (TDS §6.3.2). Each with the digits of company prefix and reference
# together, the AI of the key they make and the AI of the qualifier in the third field.
_SAFE: Final = "([0-9A-Za-z_.-]{1,20})"  # in set 82, and neither URN nor Digital Link escapes them
_PLAIN_URNS: Final = (
    (re.compile(rf"urn:epc:id:sgtin:([0-9]{{6,12}})\.([0-9]{{1,7}})\.{_SAFE}"), 13, "01", "21"),
    (re.compile(rf"urn:epc:class:lgtin:([0-9]{{6,12}})\.([0-9]{{1,7}})\.{_SAFE}"), 13, "01", "10"),
    (re.compile(r"urn:epc:id:sscc:([0-9]{6,12})\.([0-9]{5,11})"), 17, "00", None),
)


def _plain_urn(text: str) -> Reading | None:
    """The reading of a plain SGTIN, LGTIN or SSCC URN without the general parse, else None.

    A trace replays thousands of stored events whose codes a bounded cache no longer holds:
    the general parse takes ~14 µs for one of these (it also writes the URN back and checks
    every field by the AI table), this ~3 µs. It answers only where the general parse is
    certain to succeed (ASCII digits, a valid partition, a serial or lot of characters that
    neither the URN nor the Digital Link escapes), so both agree; a property test holds it to
    that.
    """
    for pattern, digits, ai, qualifier in _PLAIN_URNS:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        company, reference, *extra = match.groups()
        if len(company) + len(reference) != digits:
            return None
        body = reference[0] + company + reference[1:]  # indicator or extension digit first
        value = body + str(gs1_check_digit(body))
        if qualifier is None:
            return Reading(f"{CANONICAL_DOMAIN}/{ai}/{value}", ((ai, value),), None)
        return Reading(
            f"{CANONICAL_DOMAIN}/{ai}/{value}/{qualifier}/{extra[0]}",
            ((ai, value), (qualifier, extra[0])),
            None,
        )
    return None


# The canonical Digital Links (GS1 Digital Link 1.4 §4) of the same keys and of a GTIN alone:
# each is its own canonical form once its check digit holds.
_PLAIN_LINKS: Final = (
    (re.compile(rf"https://id\.gs1\.org/01/([0-9]{{14}})/21/{_SAFE}"), "01", "21"),
    (re.compile(rf"https://id\.gs1\.org/01/([0-9]{{14}})/10/{_SAFE}"), "01", "10"),
    (re.compile(r"https://id\.gs1\.org/01/([0-9]{14})"), "01", None),
    (re.compile(r"https://id\.gs1\.org/00/([0-9]{18})"), "00", None),
)


def _plain_link(text: str) -> Reading | None:
    """The reading of a canonical SGTIN, LGTIN, GTIN or SSCC Digital Link, else None.

    As ``_plain_urn``: the general parse takes ~19 µs for an SGTIN link; this answers only
    where that parse is certain to accept the text as its own canonical form.
    """
    if not text.startswith("https://id.gs1.org/"):
        return None
    for pattern, ai, qualifier in _PLAIN_LINKS:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        if not has_valid_check_digit(match[1]):
            return None
        key = ((ai, match[1]),) if qualifier is None else ((ai, match[1]), (qualifier, match[2]))
        return Reading(text, key, None)
    return None


def _parsed(text: str) -> Reading:
    """The reading of ``text`` by the general parse (``parse``)."""
    try:
        code = parse(text)
    except IdentifierError as exc:
        return Reading(canonical=None, key=(), problem=str(exc))
    return Reading(canonical=code.canonical, key=code.key, problem=None)


def _dispatch(text: str, prefixes: CompanyPrefixes | None) -> Identifier:  # noqa: PLR0911  one branch per spelling
    first = text[:1]
    if first == "]":
        return _symbology(text, prefixes)
    if first == "(":
        return _from_pairs(parse_element_string(text), text, prefixes)
    if first in "0123456789" and first:
        if text.isdigit() and text.isascii():
            return _digits(text, prefixes)
        if looks_like_handle(text):
            return _handle(text)
        return _from_pairs(parse_element_string(text), text, prefixes)
    lowered = text[:8].lower()
    if lowered.startswith(("http://", "https://")):
        if looks_like_handle(text):
            return _handle(text)
        parts = parse_digital_link(text)
        return Identifier.from_gs1(
            parts.key, parts.attributes, extras=parts.extras, company_prefixes=prefixes
        )
    if lowered == "urn:epc:":
        key, length = parse_epc_urn(text)
        return Identifier.from_gs1(key, company_prefixes=prefixes, company_prefix_length=length)
    if lowered.startswith("hdl:"):
        return _handle(text)
    raise ParseError(
        f"{text[:40]!r}: expected a GS1 element string, Digital Link, EPC URN, handle or "
        "drug code, got none of these"
    )


def _symbology(text: str, prefixes: CompanyPrefixes | None) -> Identifier:
    symbology, data = text[:3], text[3:]
    if symbology in _GS1_SYMBOLOGIES:
        return _from_pairs(parse_element_string(data), text, prefixes)
    if symbology in _EAN_SYMBOLOGIES and data.isdigit() and data.isascii():
        return _digits(data, prefixes)
    if len(symbology) < 3 or not data:  # noqa: PLR2004  "]" + two characters
        raise ParseError(f"{text!r}: expected data after a symbology identifier, got none")
    return _dispatch(data, prefixes)


def _digits(text: str, prefixes: CompanyPrefixes | None) -> Identifier:
    ai = _BARE_KEY_AI.get(len(text))
    if ai is not None and has_valid_check_digit(text):
        return _from_pairs(((ai, text.zfill(14) if ai == "01" else text),), text, prefixes)
    try:
        return _from_pairs(parse_element_string(text), text, prefixes)
    except ParseError:
        if len(text) == _DRUG_CODE_LENGTH:
            return Identifier(scheme=Scheme.CN_DRUG_CODE, canonical=CnDrugCode.parse(text).value)
        if ai is None:
            raise
    # A bare key with a wrong check digit says more than "not an element string".
    expected = gs1_check_digit(text[:-1])
    raise ParseError(f"{text!r}: check digit should be {expected}, got {text[-1]}") from None


def _handle(text: str) -> Identifier:
    handle = HandleId.parse(text)
    return Identifier(scheme=Scheme.HANDLE, canonical=handle.canonical)


def _from_pairs(
    pairs: tuple[tuple[str, str], ...], source: str, prefixes: CompanyPrefixes | None
) -> Identifier:
    key, attributes = arrange(pairs, source)
    return Identifier.from_gs1(key, attributes, company_prefixes=prefixes)

"""GS1 Digital Link URIs (uncompressed): parse from any domain and path prefix, build.

Parsing walks the path from its end: qualifier AIs and their values, back to the first
primary key, so any resolver domain and path prefix (``https://example.com/a/b/01/…``) is
accepted. The legacy short names (``gtin``, ``ser``, ``exp`` …) of Digital Link 1.0 are
read too. Query parameters whose keys are AIs become data attributes; other parameters
are kept, in order, as "extras" (Digital Link §6.5 says to ignore them, callers may not).

References:
    GS1 Digital Link Standard: URI Syntax 1.4, §4.4-4.7 (path and query grammar), §4.8
    (percent-encoding of AI values), Table 4-1 (short names, deprecated but readable).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final
from urllib.parse import quote, unquote

from identifiers._errors import ParseError
from identifiers._linters import validate_value
from identifiers.ai_table import ai_spec
from identifiers.element_strings import AiPairs

__all__ = ["CANONICAL_DOMAIN", "DigitalLinkParts", "build_digital_link", "parse_digital_link"]

CANONICAL_DOMAIN: Final = "https://id.gs1.org"
SHORT_NAMES: Final = {
    "sscc": "00", "gtin": "01", "lot": "10", "exp": "17", "ser": "21", "cpv": "22",
    "gdti": "253", "glnx": "254", "gcn": "255", "ginc": "401", "gsin": "402", "gln": "414",
    "payTo": "415", "payto": "415", "party": "417", "partygln": "417", "expdt": "7003",
    "grai": "8003", "giai": "8004", "itip": "8006", "cpid": "8010", "cpsn": "8011",
    "gmn": "8013", "gsrnp": "8017", "gsrn": "8018", "srin": "8019", "refNo": "8020",
}  # fmt: skip
_URI: Final = re.compile(r"(?i:https?)://([^/?#\s]+)(/[^?#\s]*)(?:\?([^#\s]*))?(?:#\S*)?")
_GTIN_SHORT_LENGTHS: Final = frozenset({8, 12, 13})
# DL §4.3: a URI stem is scheme, host, optional port and optional path, no query.
_STEM: Final = re.compile(
    r"(?i:https?)://[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::([0-9]{1,5}))?"
    r"(?:/[A-Za-z0-9._~!$&'()*+,;=:@%-]*)*"
)
_MAX_PORT: Final = 65535
# RFC 3986 §6.2.3: the scheme's default port is dropped.
_DEFAULT_PORT: Final = re.compile(
    r"^((?i:https)://[^/:]+):443(?=/|$)|^((?i:http)://[^/:]+):80(?=/|$)"
)


@dataclass(frozen=True, slots=True)
class DigitalLinkParts:
    """What a Digital Link carries: the key path, data attributes, and other parameters."""

    key: AiPairs
    attributes: AiPairs
    extras: tuple[tuple[str, str], ...]


def _decode(segment: str, uri: str) -> str:
    try:
        return unquote(segment, errors="strict")
    except UnicodeDecodeError as error:
        raise ParseError(f"{uri!r}: expected UTF-8 percent-encoding, got {segment!r}") from error


def _value(ai: str, raw: str, uri: str) -> str:
    value = _decode(raw, uri)
    if ai == "01" and len(value) in _GTIN_SHORT_LENGTHS and value.isdigit():
        value = value.zfill(14)  # DL §4.7.1: GTIN-8/12/13 are padded to 14 digits
    spec = ai_spec(ai)
    if spec is None:  # pragma: no cover - callers only pass known AIs
        raise ParseError(f"{uri!r}: unknown AI ({ai})")
    validate_value(spec, value)
    return value


def _path_pairs(path: str, uri: str) -> AiPairs:
    segments = path.split("/")
    if segments[-1] == "":
        segments.pop()
    pairs: list[tuple[str, str]] = []
    index = len(segments) - 2
    while index >= 1:
        ai = SHORT_NAMES.get(segments[index], segments[index])
        spec = ai_spec(ai)
        if spec is None:
            break
        pairs.append((ai, _value(ai, segments[index + 1], uri)))
        if spec.dlpkey is not None:
            pairs.reverse()
            _check_qualifiers(pairs, spec.dlpkey, uri)
            return tuple(pairs)
        index -= 2
    raise ParseError(f"{uri!r}: expected a Digital Link path such as /01/<gtin>, got {path!r}")


def _check_qualifiers(
    pairs: list[tuple[str, str]], dlpkey: tuple[tuple[str, ...], ...], uri: str
) -> None:
    given = [ai for ai, _ in pairs[1:]]
    for sequence in dlpkey:
        positions = [sequence.index(ai) if ai in sequence else -1 for ai in given]
        if -1 not in positions and positions == sorted(set(positions)):
            return
    orders = " or ".join("/".join(seq) or "(none)" for seq in dlpkey)
    raise ParseError(
        f"{uri!r}: ({pairs[0][0]}) takes qualifiers {orders} in that order, got {'/'.join(given)}"
    )


def _query(query: str, uri: str) -> tuple[AiPairs, tuple[tuple[str, str], ...]]:
    attributes: dict[str, str] = {}
    extras: list[tuple[str, str]] = []
    for item in query.split("&") if query else ():
        name, _, raw = item.partition("=")
        ai = SHORT_NAMES.get(name, name)
        spec = ai_spec(ai) if ai.isdigit() else None
        if spec is None:
            extras.append((_decode(name, uri), _decode(raw, uri)))
        elif not spec.dl_data_attribute or spec.dlpkey is not None:
            raise ParseError(f"{uri!r}: expected data attributes in the query, got ({ai})")
        elif ai in attributes and attributes[ai] != _value(ai, raw, uri):
            raise ParseError(f"{uri!r}: ({ai}) given twice in the query")
        else:
            attributes[ai] = _value(ai, raw, uri)
    return tuple(sorted(attributes.items())), tuple(extras)


def parse_digital_link(uri: str) -> DigitalLinkParts:
    """Read an uncompressed GS1 Digital Link URI.

    >>> parts = parse_digital_link("https://example.com/p/01/9521234543213/21/A%2FB?17=261231&x=1")
    >>> parts.key, parts.attributes, parts.extras
    ((('01', '09521234543213'), ('21', 'A/B')), (('17', '261231'),), (('x', '1'),))
    """
    match = _URI.fullmatch(uri)
    if match is None:
        raise ParseError(f"{uri!r}: expected an http(s) URI with a path, got something else")
    key = _path_pairs(match.group(2), uri)
    key_ais = {ai for ai, _ in key}
    attributes, extras = _query(match.group(3) or "", uri)
    if any(ai in key_ais for ai, _ in attributes):
        raise ParseError(f"{uri!r}: an AI appears both in the path and in the query")
    return DigitalLinkParts(key, attributes, extras)


def build_digital_link(
    key: AiPairs,
    attributes: AiPairs = (),
    extras: tuple[tuple[str, str], ...] = (),
    domain: str = CANONICAL_DOMAIN,
) -> str:
    """Write a Digital Link URI; values are percent-encoded (DL §4.8).

    >>> build_digital_link((("01", "09521234543213"), ("21", "A/B")), (("17", "261231"),))
    'https://id.gs1.org/01/09521234543213/21/A%2FB?17=261231'
    """
    stem = _STEM.fullmatch(domain)
    if stem is None or int(stem.group(1) or 0) > _MAX_PORT:
        raise ParseError(
            f"{domain!r}: expected a URI stem such as https://example.com, got another form"
        )
    domain = _DEFAULT_PORT.sub(lambda m: m.group(1) or m.group(2), domain)
    path = "".join(f"/{ai}/{quote(value, safe='')}" for ai, value in key)
    params = [f"{ai}={quote(value, safe='')}" for ai, value in attributes]
    params += [
        f"{quote(k, safe='')}={quote(v, safe='')}" if v else quote(k, safe="") for k, v in extras
    ]
    query = "?" + "&".join(params) if params else ""
    return domain.rstrip("/") + path + query

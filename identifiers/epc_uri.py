"""EPC pure identity URNs (``urn:epc:id:…``) and the LGTIN class URN, both ways.

Hand-written for speed: one regular expression per direction and string slicing; the
only table consulted is the company prefix length (see ``company_prefix``).

References:
    EPC Tag Data Standard 2.x: §6.3 pure identity URIs (SGTIN §6.3.1, SSCC §6.3.2,
    SGLN §6.3.3, GRAI §6.3.4, GIAI §6.3.5, GSRN/GSRNP §6.3.6-7, GDTI §6.3.8, SGCN §6.3.10,
    GINC §6.3.11, GSIN §6.3.12, PGLN §6.3.15), §6.4 (``urn:epc:class:lgtin``),
    §5 and Table A-1 (escaping of ``"%&/<>?`` in serial components), §8 (``idpat``).
"""

# ruff: noqa: E501  the builder table reads best with one key per line
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from identifiers._errors import ParseError
from identifiers._linters import validate_value
from identifiers.ai_table import ai_spec
from identifiers.checksums import gs1_check_digit
from identifiers.company_prefix import CompanyPrefixes, company_prefix_length
from identifiers.element_strings import AiPairs
from identifiers.gs1_keys import identity_key

__all__ = ["epc_urn_for", "parse_epc_urn"]

_ESCAPES: Final = {ord(c): f"%{ord(c):02X}" for c in '"%&/<>?'}
_URN: Final = re.compile(r"(?i:urn:epc:(id|class|idpat)):([a-z]+):([^\s]*)")
_ESCAPED: Final = re.compile(r"%([0-9A-Fa-f]{2})")
_RAW_OK: Final = re.compile(r"(?:[!'()*+,\-.0-9:;=A-Z_a-z]|%[0-9A-Fa-f]{2})*")
_DIGITS: Final = re.compile(r"[0-9]*")


def escape_epc_component(value: str) -> str:
    """TDS §5 escaping of a serial-type component.

    >>> escape_epc_component("A/B%1")
    'A%2FB%251'
    """
    return value.translate(_ESCAPES)


def _unescape(value: str, urn: str) -> str:
    if _RAW_OK.fullmatch(value) is None:
        raise ParseError(f"{urn!r}: expected a TDS-escaped component, got {value!r}")
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), value)


def _leading_digits(value: str) -> str:
    match = _DIGITS.match(value, 0, 12)
    return match.group() if match else ""


def _cd(body: str) -> str:
    return body + str(gs1_check_digit(body))


# Each builder gets (key values by AI, company prefix length) and returns the URN body.
def _sgtin(v: dict[str, str], n: int) -> str:
    g = v["01"]
    return f"sgtin:{g[1 : 1 + n]}.{g[0]}{g[1 + n : 13]}.{escape_epc_component(v['21'])}"


def _lgtin(v: dict[str, str], n: int) -> str:
    g = v["01"]
    return f"lgtin:{g[1 : 1 + n]}.{g[0]}{g[1 + n : 13]}.{escape_epc_component(v['10'])}"


def _gtin(v: dict[str, str], n: int) -> str:
    g = v["01"]
    return f"sgtin:{g[1 : 1 + n]}.{g[0]}{g[1 + n : 13]}.*"


def _sgln(v: dict[str, str], n: int) -> str:
    g = v["414"]
    return f"sgln:{g[:n]}.{g[n:12]}.{escape_epc_component(v.get('254', '0'))}"


_BUILDERS: Final[dict[tuple[str, ...], tuple[str, Callable[[dict[str, str], int], str], Callable[[dict[str, str]], str]]]] = {
    ("01", "21"): ("id", _sgtin, lambda v: v["01"][1:13]),
    ("01", "10"): ("class", _lgtin, lambda v: v["01"][1:13]),
    ("01",): ("idpat", _gtin, lambda v: v["01"][1:13]),
    ("00",): ("id", lambda v, n: f"sscc:{v['00'][1 : 1 + n]}.{v['00'][0]}{v['00'][1 + n : 17]}", lambda v: v["00"][1:17]),
    ("414",): ("id", _sgln, lambda v: v["414"][:12]),
    ("414", "254"): ("id", _sgln, lambda v: v["414"][:12]),
    ("417",): ("id", lambda v, n: f"pgln:{v['417'][:n]}.{v['417'][n:12]}", lambda v: v["417"][:12]),
    ("8003",): ("id", lambda v, n: f"grai:{v['8003'][1 : 1 + n]}.{v['8003'][1 + n : 13]}.{escape_epc_component(v['8003'][14:])}", lambda v: v["8003"][1:13]),
    ("8004",): ("id", lambda v, n: f"giai:{v['8004'][:n]}.{escape_epc_component(v['8004'][n:])}", lambda v: _leading_digits(v["8004"])),
    ("253",): ("id", lambda v, n: f"gdti:{v['253'][:n]}.{v['253'][n:12]}.{escape_epc_component(v['253'][13:])}", lambda v: v["253"][:12]),
    ("255",): ("id", lambda v, n: f"sgcn:{v['255'][:n]}.{v['255'][n:12]}.{v['255'][13:]}", lambda v: v["255"][:12]),
    ("401",): ("id", lambda v, n: f"ginc:{v['401'][:n]}.{escape_epc_component(v['401'][n:])}", lambda v: _leading_digits(v["401"])),
    ("402",): ("id", lambda v, n: f"gsin:{v['402'][:n]}.{v['402'][n:16]}", lambda v: v["402"][:16]),
    ("8017",): ("id", lambda v, n: f"gsrnp:{v['8017'][:n]}.{v['8017'][n:17]}", lambda v: v["8017"][:17]),
    ("8018",): ("id", lambda v, n: f"gsrn:{v['8018'][:n]}.{v['8018'][n:17]}", lambda v: v["8018"][:17]),
}  # fmt: skip
# Keys whose EPC needs a serial the GS1 key may omit (TDS §6.3.4, §6.3.8, §6.3.10).
_SERIAL_FROM: Final = {"8003": 14, "253": 13, "255": 13}


def epc_urn_for(
    key: AiPairs, company_prefixes: CompanyPrefixes | None, known_length: int | None = None
) -> tuple[str | None, str | None]:
    """Return ``(urn, None)``, or ``(None, reason)`` when no EPC URN can be written.

    >>> epc_urn_for((("01", "09521234543213"), ("21", "A/1")), None)
    ('urn:epc:id:sgtin:9521234.054321.A%2F1', None)
    >>> epc_urn_for((("01", "09521234543213"), ("10", "L"), ("21", "A")), None)[0]
    'urn:epc:id:sgtin:9521234.054321.A'
    >>> epc_urn_for((("01", "09521234543213"), ("22", "V")), None)[1]
    'EPC URNs (TDS 2.x) cannot carry (01) with (22)'
    """
    key = identity_key(key)
    shape = tuple(ai for ai, _ in key)
    entry = _BUILDERS.get(shape)
    if entry is None:
        return None, f"EPC URNs (TDS 2.x) cannot carry {'(' + ') with ('.join(shape) + ')'}"
    values = dict(key)
    if values.get("254") == "0":
        return None, "GLN extension '0' means 'no extension' in an EPC URN (TDS §6.3.3)"
    start = _SERIAL_FROM.get(shape[0])
    if start is not None and len(values[shape[0]]) <= start:
        return None, f"an EPC for ({shape[0]}) needs its serial component, got none"
    kind, build, digits = entry
    cp_digits = digits(values)
    length = known_length or company_prefix_length(cp_digits, company_prefixes)
    if length is None:
        return None, f"the GS1 Company Prefix length of {cp_digits!r} is unknown"
    return f"urn:epc:{kind}:{build(values, length)}", None


def _fields(body: str, count: int, urn: str) -> list[str]:
    parts = body.split(".", count - 1)
    if len(parts) != count:
        raise ParseError(f"{urn!r}: expected {count} dot-separated fields, got {len(parts)}")
    return parts


def _digits(field: str, urn: str) -> str:
    if _DIGITS.fullmatch(field) is None:
        raise ParseError(f"{urn!r}: expected digits, got {field!r}")
    return field


def _split_cp(body: str, count: int, total: int, urn: str) -> tuple[list[str], int]:
    parts = _fields(body, count, urn)
    cp, ref = _digits(parts[0], urn), _digits(parts[1], urn)
    if not 6 <= len(cp) <= 12 or len(cp) + len(ref) != total:  # noqa: PLR2004  TDS partitions
        raise ParseError(
            f"{urn!r}: expected a 6-12 digit company prefix and {total} digits in all, "
            f"got {len(cp)}+{len(ref)}"
        )
    return parts, len(cp)


def _gtin_from(body: str, urn: str, qualifier: str | None) -> tuple[AiPairs, int]:
    (cp, iir, rest), n = _split_cp(body, 3, 13, urn)
    pairs: AiPairs = (("01", _cd(iir[:1] + cp + iir[1:])),)
    if qualifier is not None:
        pairs += ((qualifier, _unescape(rest, urn)),)
    elif rest != "*":
        raise ParseError(f"{urn!r}: expected '*' as the serial of an idpat, got {rest!r}")
    return pairs, n


def _sscc_from(body: str, urn: str) -> tuple[AiPairs, int]:
    (cp, ref), n = _split_cp(body, 2, 17, urn)
    return (("00", _cd(ref[:1] + cp + ref[1:])),), n


def _sgln_from(body: str, urn: str) -> tuple[AiPairs, int]:
    (cp, loc, ext), n = _split_cp(body, 3, 12, urn)
    pairs: AiPairs = (("414", _cd(cp + loc)),)
    return (pairs if ext == "0" else (*pairs, ("254", _unescape(ext, urn)))), n


def _free_from(ai: str, body: str, urn: str) -> tuple[AiPairs, int]:
    cp, ref = _fields(body, 2, urn)
    if not 6 <= len(_digits(cp, urn)) <= 12:  # noqa: PLR2004  TDS partitions
        raise ParseError(f"{urn!r}: expected a 6-12 digit company prefix, got {cp!r}")
    return ((ai, cp + _unescape(ref, urn)),), len(cp)


def _numeric_from(ai: str, body: str, total: int, urn: str) -> tuple[AiPairs, int]:
    (cp, ref), n = _split_cp(body, 2, total, urn)
    return ((ai, _cd(cp + ref)),), n


def _serialised_from(ai: str, lead: str, body: str, urn: str) -> tuple[AiPairs, int]:
    (cp, ref, serial), n = _split_cp(body, 3, 12, urn)
    return ((ai, lead + _cd(cp + ref) + _unescape(serial, urn)),), n


_READERS: Final[dict[tuple[str, str], Callable[[str, str], tuple[AiPairs, int]]]] = {
    ("id", "sgtin"): lambda b, u: _gtin_from(b, u, "21"),
    ("class", "lgtin"): lambda b, u: _gtin_from(b, u, "10"),
    ("idpat", "sgtin"): lambda b, u: _gtin_from(b, u, None),
    ("id", "sscc"): _sscc_from,
    ("id", "sgln"): _sgln_from,
    ("id", "pgln"): lambda b, u: _numeric_from("417", b, 12, u),
    ("id", "gsin"): lambda b, u: _numeric_from("402", b, 16, u),
    ("id", "gsrn"): lambda b, u: _numeric_from("8018", b, 17, u),
    ("id", "gsrnp"): lambda b, u: _numeric_from("8017", b, 17, u),
    ("id", "giai"): lambda b, u: _free_from("8004", b, u),
    ("id", "ginc"): lambda b, u: _free_from("401", b, u),
    ("id", "grai"): lambda b, u: _serialised_from("8003", "0", b, u),
    ("id", "gdti"): lambda b, u: _serialised_from("253", "", b, u),
    ("id", "sgcn"): lambda b, u: _serialised_from("255", "", b, u),
}


def parse_epc_urn(urn: str) -> tuple[AiPairs, int]:
    """Read an EPC URN into GS1 key pairs and the company prefix length it states.

    >>> parse_epc_urn("urn:epc:id:sgtin:9521234.054321.A%2F1")
    ((('01', '09521234543213'), ('21', 'A/1')), 7)
    >>> parse_epc_urn("urn:epc:id:sgln:9521234.54321.0")
    ((('414', '9521234543213'),), 7)
    """
    match = _URN.fullmatch(urn)
    reader = _READERS.get((match.group(1).lower(), match.group(2))) if match else None
    if match is None or reader is None:
        raise ParseError(f"{urn!r}: expected an EPC pure identity URN such as urn:epc:id:sgtin:…")
    pairs, length = reader(match.group(3), urn)
    for ai, value in pairs:
        spec = ai_spec(ai)
        if spec is not None:
            validate_value(spec, value)
    return pairs, length

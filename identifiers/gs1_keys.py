"""Which AI of an element string is the GS1 key, which are its qualifiers, which are data.

A GS1 Digital Link URI and an EPC identify a thing by one primary key plus key qualifiers
in a fixed order (the ``dlpkey`` attribute of the GS1 Syntax Dictionary); every other AI
is a data attribute. This module makes that split once, so all spellings agree.

References:
    GS1 Digital Link Standard: URI Syntax 1.4, §4 (primary keys, key qualifiers, data
    attributes); GS1 Syntax Dictionary ``dlpkey`` and ``?`` flag.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from identifiers._errors import ParseError
from identifiers.ai_table import ai_spec
from identifiers.element_strings import AiPairs

__all__ = ["KEY_PRIORITY", "Scheme", "arrange", "scheme_of"]


class Scheme(StrEnum):
    """What kind of thing an identifier names (the EPC scheme names where there is one)."""

    SGTIN = "sgtin"
    LGTIN = "lgtin"
    GTIN = "gtin"
    SSCC = "sscc"
    SGLN = "sgln"
    GLN = "gln"
    PGLN = "pgln"
    PAY_TO_GLN = "payto"
    GRAI = "grai"
    GIAI = "giai"
    GDTI = "gdti"
    SGCN = "sgcn"
    GINC = "ginc"
    GSIN = "gsin"
    ITIP = "itip"
    CPI = "cpi"
    GMN = "gmn"
    GSRN = "gsrn"
    GSRNP = "gsrnp"
    HANDLE = "handle"
    CN_DRUG_CODE = "cn_drug_code"


# When an element string carries several keys, the first in this order names the thing.
KEY_PRIORITY: Final = (
    "01", "8006", "00", "8003", "8004", "253", "255", "8010", "8017", "8018",
    "401", "402", "8013", "417", "414", "415",
)  # fmt: skip
_SCHEME_BY_KEY: Final = {
    "00": Scheme.SSCC, "8003": Scheme.GRAI, "8004": Scheme.GIAI, "253": Scheme.GDTI,
    "255": Scheme.SGCN, "401": Scheme.GINC, "402": Scheme.GSIN, "8006": Scheme.ITIP,
    "8010": Scheme.CPI, "8013": Scheme.GMN, "8017": Scheme.GSRNP, "8018": Scheme.GSRN,
    "417": Scheme.PGLN, "415": Scheme.PAY_TO_GLN,
}  # fmt: skip


def scheme_of(key: AiPairs) -> Scheme:
    """Name the scheme of a primary key plus qualifiers.

    >>> scheme_of((("01", "09521234543213"), ("21", "A"))), scheme_of((("01", "09521234543213"),))
    (<Scheme.SGTIN: 'sgtin'>, <Scheme.GTIN: 'gtin'>)
    """
    primary = key[0][0]
    qualifiers = {ai for ai, _ in key[1:]}
    if primary == "01":
        if "21" in qualifiers:
            return Scheme.SGTIN
        return Scheme.LGTIN if "10" in qualifiers else Scheme.GTIN
    if primary == "414":
        return Scheme.SGLN if "254" in qualifiers else Scheme.GLN
    return _SCHEME_BY_KEY[primary]


def identity_key(key: AiPairs) -> AiPairs:
    """The pairs that name the object: a serialised item is GTIN + serial, whatever lot it has.

    An EPC SGTIN is (01)+(21) (TDS 2.x §6.3.1); a lot (10) beside a serial is data about the
    item, so ``/01/G/10/L/21/S`` and ``urn:epc:id:sgtin:…S`` are one object.

    >>> identity_key((("01", "09521234543213"), ("10", "L1"), ("21", "S")))
    (('01', '09521234543213'), ('21', 'S'))
    """
    if key[0][0] == "01" and any(ai == "21" for ai, _ in key[1:]):
        return tuple((ai, value) for ai, value in key if ai != "10")
    return key


def _best_sequence(alternatives: tuple[tuple[str, ...], ...], present: set[str]) -> tuple[str, ...]:
    return max(alternatives, key=lambda seq: sum(ai in present for ai in seq))


def arrange(pairs: AiPairs, source: str) -> tuple[AiPairs, AiPairs]:
    """Split pairs into (primary key + qualifiers in dlpkey order, data attributes by AI).

    >>> arrange((("17", "261231"), ("21", "S"), ("01", "09521234543213")), "x")
    ((('01', '09521234543213'), ('21', 'S')), (('17', '261231'),))
    """
    values = dict(pairs)
    primary = next((ai for ai in KEY_PRIORITY if ai in values), None)
    spec = ai_spec(primary) if primary is not None else None
    if primary is None or spec is None or spec.dlpkey is None:
        raise ParseError(f"{source!r}: expected a GS1 key such as (01), (00) or (414), got none")
    sequence = _best_sequence(spec.dlpkey, set(values))
    key = (
        (primary, values.pop(primary)),
        *((ai, values.pop(ai)) for ai in sequence if ai in values),
    )
    for ai in values:
        attribute_spec = ai_spec(ai)
        if attribute_spec is None or not attribute_spec.dl_data_attribute:
            raise ParseError(
                f"{source!r}: ({ai}) is neither a qualifier of ({primary}) nor a data attribute"
            )
    return key, tuple(sorted(values.items()))

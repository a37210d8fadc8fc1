"""``MATCH_*`` values: an identifier in any spelling, or an EPC pattern, as canonical-id matchers.

Stored items are compared by canonical identity (``events.domain.links.canonical_id``), so
``urn:epc:id:sgtin:…`` and ``https://id.gs1.org/01/…/21/…`` name the same item. EPC patterns
(EPC Tag Data Standard §8, ``urn:epc:idpat:sgtin:9521234.012345.*``) become a canonical prefix in
SQL ``LIKE`` syntax, ``_`` standing for one unknown digit: an item matches when it equals the
prefix or continues it with ``/…`` (so a GTIN pattern also matches its instances and lots).
Patterns are supported for ``sgtin``, ``sscc`` and ``sgln``.

References:
    EPCIS 2.0 §8.2.7.1 (MATCH_epc … MATCH_anyEPCClass); GS1 EPC Tag Data Standard 2.0 §8, §6.3.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from events.domain.links import canonical_id
from identifiers.checksums import gs1_check_digit

_IDPAT = re.compile(r"urn:epc:idpat:(?P<scheme>[a-z0-9]+):(?P<fields>.+)")
_DL = "https://id.gs1.org"


@dataclass(frozen=True, slots=True)
class IdMatcher:
    """Either one canonical id (``exact``) or a canonical prefix in ``LIKE`` syntax (``like``)."""

    exact: str | None = None
    like: str | None = None

    def matches(self, item: str) -> bool:
        """Whether a stored canonical id matches."""
        if self.exact is not None:
            return item == self.exact
        assert self.like is not None  # noqa: S101  one of the two is always set
        base = "".join(r"\d" if c == "_" else re.escape(c) for c in self.like)
        return re.fullmatch(base + r"(/.*)?", item) is not None


def matcher(value: str) -> IdMatcher:
    """The matcher for one ``MATCH_*`` value.

    Raises:
        ValueError: an EPC pattern this server cannot evaluate.
    """
    found = _IDPAT.fullmatch(value.strip())
    if found is None:
        return IdMatcher(exact=canonical_id(value.strip()))
    fields = found["fields"].split(".")
    if "*" not in fields:
        return IdMatcher(exact=canonical_id(value.replace(":idpat:", ":id:", 1)))
    like = _like(found["scheme"], fields)
    if like is None:
        raise ValueError(f"{value}: unsupported EPC pattern (sgtin, sscc and sgln patterns are)")
    return IdMatcher(like=like)


def _like(scheme: str, fields: list[str]) -> str | None:  # noqa: PLR0911  one per scheme
    wild = fields.index("*")
    if any(f != "*" for f in fields[wild:]) or not all(f.isdigit() for f in fields[:wild]):
        return None  # a wildcard must be followed only by wildcards
    cp = fields[0] if wild > 0 else ""
    if scheme == "sgtin" and len(fields) == 3:  # noqa: PLR2004  cp.itemref.serial
        if wild == 2:  # noqa: PLR2004  GTIN known
            body = fields[1][:1] + cp + fields[1][1:]
            return f"{_DL}/01/{body}{gs1_check_digit(body)}"
        return f"{_DL}/01/" + (f"_{cp}" + "_" * (12 - len(cp)) + "_" if cp else "_" * 14)
    if scheme == "sscc" and len(fields) == 2:  # noqa: PLR2004  cp.serialref
        return f"{_DL}/00/" + (f"_{cp}" + "_" * (16 - len(cp)) + "_" if cp else "_" * 18)
    if scheme == "sgln" and len(fields) == 3:  # noqa: PLR2004  cp.locref.extension
        if wild == 2:  # noqa: PLR2004  GLN known
            body = cp + fields[1]
            return f"{_DL}/414/{body}{gs1_check_digit(body)}"
        return f"{_DL}/414/" + (cp + "_" * (13 - len(cp)) if cp else "_" * 13)
    return None

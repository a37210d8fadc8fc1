"""``Identifier``: one value object for every code the platform reads.

GS1 identifiers are held as their primary key plus qualifiers (``key``) and data
attributes (``attribute_pairs``); every spelling (element string, Digital Link, EPC URN)
is derived from those, so the three spellings of one item compare equal.

References:
    GS1 Digital Link Standard 1.4 §4 (canonical URI on id.gs1.org); EPCIS 2.0 §8.2
    (EPCs as EPC URNs or Digital Link URIs); EPC Tag Data Standard 2.x §6.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from identifiers._errors import ParseError
from identifiers.company_prefix import CompanyPrefixes
from identifiers.digital_link import CANONICAL_DOMAIN, build_digital_link
from identifiers.element_strings import GS, AiPairs, format_element_string, format_hri
from identifiers.epc_uri import epc_urn_for
from identifiers.gs1_keys import Scheme, identity_key, scheme_of

__all__ = ["Identifier", "Scheme"]

_GS1_PARTY_KEYS = ("414", "417", "415")


@dataclass(frozen=True, slots=True)
class Identifier:
    """A parsed identifier. Equal when scheme, canonical form and data attributes agree."""

    scheme: Scheme
    canonical: str
    key: AiPairs = ()
    attribute_pairs: AiPairs = ()
    epc_urn: str | None = field(default=None, compare=False)
    epc_urn_problem: str | None = field(default=None, compare=False, repr=False)
    extras: tuple[tuple[str, str], ...] = field(default=(), compare=False, repr=False)
    company_prefix_length: int | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_gs1(
        cls,
        key: AiPairs,
        attributes: AiPairs = (),
        *,
        extras: tuple[tuple[str, str], ...] = (),
        company_prefixes: CompanyPrefixes | None = None,
        company_prefix_length: int | None = None,
    ) -> Identifier:
        """Build from a key already in dlpkey order and attributes sorted by AI."""
        urn, problem = epc_urn_for(key, company_prefixes, company_prefix_length)
        if company_prefix_length is None and urn is not None:
            company_prefix_length = len(urn.split(":", 4)[4].split(".", 1)[0])
        return cls(
            scheme=scheme_of(key),
            canonical=build_digital_link(identity_key(key)),
            key=key,
            attribute_pairs=attributes,
            epc_urn=urn,
            epc_urn_problem=problem,
            extras=extras,
            company_prefix_length=company_prefix_length,
        )

    # --- spellings -------------------------------------------------------------------
    @property
    def element_string(self) -> str | None:
        """HRI form ``(01)…(21)…`` with key, qualifiers, then attributes; None if not GS1."""
        return format_hri(self.key + self.attribute_pairs) if self.key else None

    @property
    def attributes(self) -> Mapping[str, str]:
        """Data attributes that came along, AI → value (read-only)."""
        return MappingProxyType(dict(self.attribute_pairs))

    def to_element_string(self, gs: str = GS) -> str:
        """Barcode data: pre-defined length AIs first, ``gs`` after variable-length fields."""
        return format_element_string(self._gs1_pairs(), gs)

    def to_digital_link(self, domain: str = CANONICAL_DOMAIN, *, extras: bool = False) -> str:
        """Digital Link URI with data attributes in the query (and other params if asked)."""
        self._gs1_pairs()
        return build_digital_link(
            self.key, self.attribute_pairs, self.extras if extras else (), domain
        )

    def to_epc_urn(self, company_prefixes: CompanyPrefixes | None = None) -> str:
        """The EPC URN; raises ``ParseError`` saying why when there is none."""
        self._gs1_pairs()
        if self.epc_urn is not None and company_prefixes is None:
            return self.epc_urn
        urn, problem = epc_urn_for(self.key, company_prefixes, self.company_prefix_length)
        if urn is None:
            raise ParseError(f"{self.canonical!r}: expected an EPC URN, but {problem}")
        return urn

    def _gs1_pairs(self) -> AiPairs:
        if not self.key:
            raise ParseError(f"{self.canonical!r}: expected a GS1 identifier, got {self.scheme}")
        return self.key + self.attribute_pairs

    # --- key parts -------------------------------------------------------------------
    def ai(self, code: str) -> str | None:
        """Value of AI ``code`` in the key or the attributes, if present."""
        for ai, value in self.key + self.attribute_pairs:
            if ai == code:
                return value
        return None

    @property
    def gtin(self) -> str | None:
        """GTIN-14 of (01)."""
        return self.ai("01")

    @property
    def serial(self) -> str | None:
        """Serial (21); for a China drug code the serial segment."""
        if self.scheme is Scheme.CN_DRUG_CODE:
            return self.canonical[7:16]
        return self.ai("21")

    @property
    def lot(self) -> str | None:
        """Batch/lot (10)."""
        return self.ai("10")

    @property
    def expiry(self) -> str | None:
        """Expiry date (17) as YYMMDD, day 00 meaning the month's last day."""
        return self.ai("17")

    @property
    def sscc(self) -> str | None:
        """SSCC (00)."""
        return self.ai("00")

    @property
    def gln(self) -> str | None:
        """GLN of a location (414), party (417) or pay-to party (415)."""
        return next((v for ai, v in self.key[:1] if ai in _GS1_PARTY_KEYS), None)

    @property
    def gln_extension(self) -> str | None:
        """GLN extension component (254)."""
        return self.ai("254")

    @property
    def handle_prefix(self) -> str | None:
        """Handle naming-authority prefix, e.g. ``88.100.1``."""
        return self.canonical.split("/", 1)[0] if self.scheme is Scheme.HANDLE else None

    @property
    def handle_suffix(self) -> str | None:
        """Handle local name."""
        return self.canonical.split("/", 1)[1] if self.scheme is Scheme.HANDLE else None

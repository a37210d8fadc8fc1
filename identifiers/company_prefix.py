"""GS1 Company Prefix lengths: needed to split a GS1 key into the fields of an EPC URN.

A key's digits do not say where the company prefix ends. The platform knows the prefixes
its organisations registered (pass them as ``company_prefixes``); otherwise the GS1
Company Prefix length table shipped by ``biip`` (``biip.gs1_prefixes.GS1CompanyPrefix``,
GS1's published GCP length list) is consulted.

References:
    EPC Tag Data Standard 2.x §6.3 (company prefix in pure identity URIs) and §14
    (partition tables: company prefixes of 6-12 digits); GS1 GCP length table
    (https://www.gs1.org/standards/bc-epc-interop).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Protocol, runtime_checkable

__all__ = ["CompanyPrefixes", "KnownPrefixes", "as_company_prefixes", "company_prefix_length"]

MIN_LENGTH: Final = 6  # TDS partition tables allow 6..12 digits
MAX_LENGTH: Final = 12


@runtime_checkable
class CompanyPrefixes(Protocol):
    """Anything that knows registered GS1 Company Prefixes."""

    def prefix_length(self, digits: str) -> int | None:
        """Length of the registered prefix that ``digits`` starts with, or ``None``."""


@dataclass(frozen=True, slots=True)
class KnownPrefixes:
    """A set of registered company prefixes, e.g. the ones organisations registered.

    >>> KnownPrefixes(frozenset({"9521234"})).prefix_length("952123454321")
    7
    """

    prefixes: frozenset[str]

    def prefix_length(self, digits: str) -> int | None:
        """Length of the longest known prefix of ``digits``."""
        for length in range(MAX_LENGTH, MIN_LENGTH - 1, -1):
            if digits[:length] in self.prefixes:
                return length
        return None


def as_company_prefixes(value: CompanyPrefixes | Collection[str] | None) -> CompanyPrefixes | None:
    """Accept a ``CompanyPrefixes`` object or a plain collection of prefix strings."""
    if value is None or isinstance(value, CompanyPrefixes):
        return value
    return KnownPrefixes(frozenset(value))


@lru_cache(maxsize=65536)
def _table_length(digits: str) -> int | None:
    from biip.gs1_prefixes import GS1CompanyPrefix  # noqa: PLC0415  lazy: loads a table

    found = GS1CompanyPrefix.extract(digits) if digits.isdecimal() else None
    return len(found.value) if found is not None else None


def company_prefix_length(
    digits: str, company_prefixes: CompanyPrefixes | None = None
) -> int | None:
    """Company prefix length for a key whose company prefix starts ``digits``.

    The registered prefixes win; then GS1's GCP length table. ``None`` when unknown or
    outside the 6-12 digits an EPC URN can carry.

    >>> company_prefix_length("952123454321")
    7
    """
    length = company_prefixes.prefix_length(digits) if company_prefixes is not None else None
    if length is None:
        length = _table_length(digits[:MAX_LENGTH])
    if length is None or not MIN_LENGTH <= length <= min(MAX_LENGTH, len(digits)):
        return None
    return length

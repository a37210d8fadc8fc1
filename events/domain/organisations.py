"""Organisations: who captures events and who owns which codes.

An organisation owns the GS1 Company Prefixes (GS1 General Specifications §1.4.4) and GLNs it
registers, and at most one Handle prefix (China industrial-internet identifier, an enterprise
prefix under ``88.``). It may mint codes only under what it owns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from identifiers import SerialPolicy


@dataclass(frozen=True, slots=True, kw_only=True)
class Organisation:
    """A company on the platform."""

    id: int
    name: str
    company_prefixes: tuple[str, ...] = ()
    glns: tuple[str, ...] = ()
    handle_prefix: str | None = None
    serial_policy: SerialPolicy = field(default_factory=SerialPolicy)

    def owns_gtin(self, gtin14: str) -> bool:
        """True when the GTIN's company prefix (after the indicator digit) is one of ours.

        >>> Organisation(id=1, name="x", company_prefixes=("9521234",)).owns_gtin("09521234543213")
        True
        """
        return any(gtin14[1:].startswith(prefix) for prefix in self.company_prefixes)

    def owns_sscc(self, sscc: str) -> bool:
        """True when the SSCC's company prefix (after the extension digit) is one of ours.

        >>> owner = Organisation(id=1, name="x", company_prefixes=("0614141",))
        >>> owner.owns_sscc("106141411234567897")
        True
        """
        return any(sscc[1:].startswith(prefix) for prefix in self.company_prefixes)

    def owns_handle_prefix(self, prefix: str) -> bool:
        """True for our Handle prefix or a prefix below it (``88.100.1`` owns ``88.100.1.7``)."""
        own = self.handle_prefix
        return own is not None and (prefix == own or prefix.startswith(own + "."))

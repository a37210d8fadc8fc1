"""Minting (pure): random serials, Handle suffixes and SSCCs.

Uniqueness across batches is the caller's job (the database); here a batch is distinct
and unguessable.

A serial must not be guessable: EU Falsified Medicines Directive Delegated Regulation
(EU) 2016/161, Art. 4(b) requires that the probability of guessing a valid serial be
negligible and in any case lower than 1/10,000. ``SerialPolicy.check(issued)`` enforces
that for ``issued`` serials in the space the policy defines.

References:
    Commission Delegated Regulation (EU) 2016/161, Art. 4(b); GS1 General Specifications
    §3.3.1 (SSCC structure), §7.11 (character set 82); RFC 3650 §3 (handle local names).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Final, Protocol

from identifiers._errors import MintError
from identifiers.checksums import gs1_check_digit
from identifiers.handle import HandleId

__all__ = [
    "DIGITS",
    "MAX_GUESS_PROBABILITY",
    "SAFE_SET82",
    "RandomChoice",
    "SerialPolicy",
    "build_sscc",
    "mint_handle_suffixes",
    "mint_serials",
]

# Set 82 without look-alikes (0/O/o, 1/I/l/i, 2/Z, 5/S, 8/B, U/V), without punctuation
# that needs escaping in URIs or URNs, and without lower case (case-folding systems).
SAFE_SET82: Final = "34679ACDEFGHJKLMNPQRTWXY"
DIGITS: Final = "0123456789"
MAX_GUESS_PROBABILITY: Final = Fraction(1, 10_000)


class RandomChoice(Protocol):
    """The part of ``secrets`` (or a seeded ``random.Random`` in tests) that minting uses."""

    def choice(self, seq: str, /) -> str:
        """One element of ``seq``."""


@dataclass(frozen=True, slots=True)
class SerialPolicy:
    """How serials look: ``length`` characters drawn from ``alphabet``.

    >>> SerialPolicy().space() == 24**12
    True
    >>> SerialPolicy(length=4, alphabet=DIGITS).guess_probability(2)
    Fraction(1, 5000)
    """

    length: int = 12
    alphabet: str = SAFE_SET82

    def __post_init__(self) -> None:
        if not 1 <= self.length <= 20:  # noqa: PLR2004  AI (21) is X..20
            raise MintError(f"serial length {self.length}: expected 1-20 (AI 21 is X..20)")
        if len(set(self.alphabet)) != len(self.alphabet) or len(self.alphabet) < 2:  # noqa: PLR2004
            raise MintError(f"alphabet {self.alphabet!r}: expected 2+ distinct characters")

    def space(self) -> int:
        """Number of possible serials."""
        space: int = len(self.alphabet) ** self.length
        return space

    def guess_probability(self, issued: int) -> Fraction:
        """Chance that one random guess hits one of ``issued`` valid serials."""
        return Fraction(issued, self.space())

    def check(self, issued: int) -> None:
        """Refuse a batch whose serials would be guessable (EU 2016/161 Art. 4(b))."""
        chance = self.guess_probability(issued)
        if chance >= MAX_GUESS_PROBABILITY:
            raise MintError(
                f"{issued} serials of {self.length} from {len(self.alphabet)} characters: "
                f"expected a guess probability below 1/10000, got {float(chance):.3g}"
            )


def mint_serials(policy: SerialPolicy, count: int, rng: RandomChoice = secrets) -> Iterator[str]:
    """Yield ``count`` distinct random serials (``secrets`` by default).

    >>> len(set(mint_serials(SerialPolicy(), 100)))
    100
    """
    policy.check(count)
    seen: set[str] = set()
    while len(seen) < count:
        serial = "".join(rng.choice(policy.alphabet) for _ in range(policy.length))
        if serial not in seen:
            seen.add(serial)
            yield serial


def mint_handle_suffixes(
    prefix: str,
    policy: SerialPolicy,
    count: int,
    rng: RandomChoice = secrets,
) -> Iterator[HandleId]:
    """Yield ``count`` distinct random handles under ``prefix`` (validated as handles).

    >>> next(mint_handle_suffixes("88.100.1", SerialPolicy(), 1)).prefix
    '88.100.1'
    """
    for suffix in mint_serials(policy, count, rng):
        yield HandleId.parse(f"{prefix}/{suffix}")


def build_sscc(company_prefix: str, extension: int, serial_reference: int) -> str:
    """Build an SSCC: extension digit + company prefix + serial reference + check digit.

    Serial references may be sequential (GS1 Gen Spec §3.3.1 leaves allocation to the owner).

    >>> build_sscc("0614141", 1, 123456789)
    '106141411234567897'
    """
    if not (
        company_prefix.isdigit() and company_prefix.isascii() and 6 <= len(company_prefix) <= 12  # noqa: PLR2004  GCP lengths
    ):
        raise MintError(f"{company_prefix!r}: expected a 6-12 digit GS1 Company Prefix")
    if not 0 <= extension <= 9:  # noqa: PLR2004
        raise MintError(f"extension {extension}: expected one digit 0-9")
    width = 16 - len(company_prefix)
    if not 0 <= serial_reference < 10**width:
        raise MintError(f"serial reference {serial_reference}: expected 0-{10**width - 1}")
    body = f"{extension}{company_prefix}{serial_reference:0{width}d}"
    return body + str(gs1_check_digit(body))

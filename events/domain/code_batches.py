"""Code batches: a request to mint N codes, and the batch it produced.

Serials are random and unguessable (EU 2016/161 Art. 4(b): a guess hits a valid serial with
probability below 1/10,000, counted over every serial ever issued for the GTIN); SSCC serial
references are sequential (GS1 General Specifications §2.2.1 leaves their allocation to the owner).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from fractions import Fraction
from typing import Any

from identifiers import SerialPolicy


class CodeScheme(StrEnum):
    """What a batch mints."""

    SGTIN = "sgtin"  # GTIN + random serial, AI (01)+(21), with lot (10) and expiry (17)
    SSCC = "sscc"  # logistic unit, AI (00)
    HANDLE = "handle"  # industrial-internet identifier prefix/suffix


@dataclass(frozen=True, slots=True, kw_only=True)
class MintRequest:
    """What to mint. ``code_key`` names the space serials must be unique in."""

    scheme: CodeScheme
    count: int
    gtin: str | None = None
    lot: str | None = None
    expiry: str | None = None  # YYMMDD, AI (17)
    company_prefix: str | None = None
    extension: int = 0
    handle_prefix: str | None = None
    serial_length: int | None = None
    serial_alphabet: str | None = None

    @property
    def code_key(self) -> str:
        """The uniqueness space: the GTIN, ``sscc:<prefix>`` or the Handle prefix."""
        if self.scheme is CodeScheme.SGTIN:
            return str(self.gtin)
        if self.scheme is CodeScheme.SSCC:
            return f"sscc:{self.company_prefix}"
        return f"handle:{self.handle_prefix}"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict with only the fields that were given."""
        return {k: v for k, v in asdict(self).items() if v is not None}

    def fingerprint(self) -> str:
        """A stable digest of the request: a retried request must match the first one."""
        canonical = json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MintRequest:
        """The inverse of ``to_json``."""
        return cls(**{**data, "scheme": CodeScheme(data["scheme"])})


@dataclass(frozen=True, slots=True, kw_only=True)
class CodeBatch:
    """A minted batch: its request, owner and when it was made."""

    id: str
    organisation_id: int
    request: MintRequest
    fingerprint: str
    idempotency_key: str | None
    created_at: datetime
    count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class MintReport:
    """The batch plus the figures a quality manager must see: space used, chance of a guess."""

    batch: CodeBatch
    policy: SerialPolicy | None
    issued_for_key: int
    replayed: bool = False

    @property
    def space(self) -> int | None:
        """How many serials the policy allows (``None`` for sequential SSCCs)."""
        return None if self.policy is None else self.policy.space()

    @property
    def guess_probability(self) -> Fraction | None:
        """Chance that one random guess hits a valid serial of this GTIN or prefix."""
        return None if self.policy is None else self.policy.guess_probability(self.issued_for_key)

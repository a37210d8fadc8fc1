"""China drug traceability code (药品追溯码), the 20-digit form.

What the sources say:

* NMPA standard NMPAB/T 1002-2019《药品追溯码编码要求》(draft text seen; final not
  obtained): a drug traceability code is "a code of digits, letters and/or symbols that
  uniquely identifies a drug sales packaging unit"; it consists of a drug identification
  segment (药品标识码, identifying holder, product, dosage form, strength and package) and
  a production identification segment (生产标识码, at least a per-unit serial number;
  may add batch, production date, expiry). It may follow any coding scheme that meets
  ISO/IEC 15459 (e.g. GS1). **It does not, in the text seen, fix a length or a layout.**
* The 20-digit numeric code (inherited from 中国药品电子监管码, now 码上放心) is the
  form most Chinese drug packs carry. Public secondary sources describe it as 20 digits.
  The split used here, 7 digits product identifier + 9 digits serial + 4 digits check,
  comes from the brief and common industry descriptions; it is **not verified** against
  a normative text, and the 4-digit check is issued by the code platform (no public
  algorithm), so it is **not validated**.

So: a code is exactly 20 ASCII digits. ``product_code``, ``serial`` and ``check`` expose
the unverified 7/9/4 split for display and grouping only; nothing rejects a code on it.

References:
    NMPAB/T 1002-2019 药品追溯码编码要求 §3.1, §6 (structure), as seen in the draft
    published with NMPA's 2019 traceability standards consultation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from identifiers._errors import ParseError

__all__ = ["CnDrugCode"]

_TWENTY_DIGITS: Final = re.compile(r"[0-9]{20}")


@dataclass(frozen=True, slots=True)
class CnDrugCode:
    """A 20-digit China drug traceability code.

    >>> code = CnDrugCode.parse("81234560000000011234")
    >>> code.product_code, code.serial, code.check
    ('8123456', '000000001', '1234')
    """

    value: str

    @classmethod
    def parse(cls, raw: str) -> CnDrugCode:
        """Accept exactly 20 ASCII digits (spaces around them are removed)."""
        text = raw.strip()
        if _TWENTY_DIGITS.fullmatch(text) is None:
            raise ParseError(
                f"{raw!r}: expected a 20-digit drug traceability code, got {len(text)} characters"
            )
        return cls(text)

    @property
    def product_code(self) -> str:
        """Digits 1-7, the drug identification segment (layout unverified, see module)."""
        return self.value[:7]

    @property
    def serial(self) -> str:
        """Digits 8-16, the per-unit serial (layout unverified, see module)."""
        return self.value[7:16]

    @property
    def check(self) -> str:
        """Digits 17-20, issued by the code platform; not validated (no public algorithm)."""
        return self.value[16:]

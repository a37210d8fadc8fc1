"""What a label's symbols carry: the code with the template's GS1 data, in the right spelling.

References:
    GS1 General Specifications §4.15 (HRI: AIs in parentheses), §7.8.5 (pre-defined length
    AIs first, FNC1/GS only after variable-length fields); GS1 Digital Link URI Syntax 1.4.
"""

from __future__ import annotations

from identifiers import (
    Identifier,
    IdentifierError,
    Scheme,
    format_hri,
    parse,
    parse_element_string,
)
from label_printing._errors import LabelError
from label_printing.spec import LabelFields

__all__ = ["element_pairs", "hri", "with_fields"]

AiPairs = tuple[tuple[str, str], ...]
_FIELD_AIS = (
    ("lot", "10"),
    ("production_date", "11"),
    ("best_before", "15"),
    ("expiry", "17"),
    ("national_code", "714"),
)


def with_fields(code: Identifier, fields: LabelFields) -> Identifier:
    """The code with the fields' GS1 data (lot, dates, NHRN) added, validated by GS1 rules.

    Raises:
        LabelError: a field breaks a GS1 rule, or contradicts what the code itself carries.
    """
    extra = [(ai, value) for name, ai in _FIELD_AIS if (value := getattr(fields, name))]
    if not extra:
        return code
    if not code.key:
        names = ", ".join(name for name, _ in _FIELD_AIS if getattr(fields, name))
        raise LabelError(f"{code.canonical!r}: {names} need a GS1 code, got a {code.scheme} code")
    pairs = list(code.key + code.attribute_pairs)
    for ai, value in extra:
        own = code.ai(ai)
        if own is None:
            pairs.append((ai, value))
        elif own != value:
            raise LabelError(f"({ai}): the code carries {own!r}, the label asks for {value!r}")
    try:
        return parse(format_hri(tuple(pairs)))
    except IdentifierError as exc:
        raise LabelError(str(exc)) from exc


def element_pairs(code: Identifier) -> AiPairs:
    """The code's AI pairs in barcode order (pre-defined length first), as symbols encode them."""
    if not code.key:
        raise LabelError(
            f"{code.canonical!r}: a {code.scheme} code has no GS1 element string; "
            "print it as a QR code (Handle) or Code 128 (drug traceability code)"
        )
    return parse_element_string(code.to_element_string())


def hri(pairs: AiPairs) -> str:
    """Human-readable interpretation with a space after each AI: ``(01) 0952… (21) ABC``."""
    return " ".join(f"({ai}) {value}" for ai, value in pairs)


def qr_text(code: Identifier, domain: str | None) -> str:
    """What a QR code carries: the GS1 Digital Link URI, or the Handle ``prefix/suffix``."""
    if code.key:
        try:
            return code.to_digital_link(domain) if domain else code.to_digital_link()
        except IdentifierError as exc:
            raise LabelError(str(exc)) from exc
    if code.scheme is Scheme.HANDLE or code.scheme is Scheme.CN_DRUG_CODE:
        return code.canonical
    raise LabelError(f"{code.canonical!r}: no QR form for a {code.scheme} code")

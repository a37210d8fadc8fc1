"""The one JSON shape of a parsed identifier, shared by ``onecode id parse`` and the API."""

from __future__ import annotations

from typing import Any

from identifiers import Identifier


def identifier_json(code: Identifier) -> dict[str, Any]:
    """Scheme, every spelling, the key and data attributes, and the named parts present."""
    gs1 = code.element_string is not None
    body: dict[str, Any] = {
        "scheme": str(code.scheme),
        "canonical": code.canonical,
        "digital_link": code.to_digital_link() if gs1 else None,
        "element_string": code.element_string,
        "epc_urn": code.epc_urn,
    }
    if gs1 and code.epc_urn is None and code.epc_urn_problem:
        body["epc_urn_problem"] = code.epc_urn_problem
    body["key"] = dict(code.key)
    body["attributes"] = dict(code.attributes)
    parts = {
        "gtin": code.gtin,
        "serial": code.serial,
        "lot": code.lot,
        "expiry": code.expiry,
        "sscc": code.sscc,
        "gln": code.gln,
        "gln_extension": code.gln_extension,
        "handle_prefix": code.handle_prefix,
        "handle_suffix": code.handle_suffix,
    }
    body["parts"] = {name: value for name, value in parts.items() if value is not None}
    return body

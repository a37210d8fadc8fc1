"""Validation: the official EPCIS 2.0 JSON Schema, plus the identifier check it cannot make.

The schema (``_data/EPCIS-JSON-Schema.json``) is compiled once per process and run once per
document. Identifier rule (our judgement, EPCIS 2.0 §8.2.2 and §8.3): a value that looks like
a GS1 identifier (an ``urn:epc:`` URN, or a web URI whose path holds a GS1 primary key such as
``/01/…``) must parse with ``identifiers.parse`` (check digits, lengths, character sets); any
other absolute URI (``geo:``, ``urn:uuid:``, private ``https://…``) is accepted as a
non-GS1 identifier; text without a scheme is refused.

References:
    EPCIS 2.0 §9.3 (JSON Schema), §8.2 (identifier syntaxes); GS1 Digital Link 1.4 §4;
    EPC Tag Data Standard 2.x §6.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Final

import jsonschema_rs

from events.codec.errors import FieldError
from identifiers import read

__all__ = ["check_identifier", "schema_errors"]

_SCHEME: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:\S+")
_GS1_PATH: Final = re.compile(
    r"https?://[^/?#]+(?:/[^?#]*)?/(00|01|253|255|401|402|414|417|8003|8004|8006|8010|8017|8018"
    r"|gtin|sscc|gln|party|grai|giai|gsrn|gsrnp|gdti|gcn|ginc|gsin|itip|cpid)/\d"
)
_UNPARSED_URNS: Final = re.compile(
    r"urn:epc:(?:(?:id|idpat):(?:cpi|itip|upui|usdod|adi|bic|imovn|gid)|idpat:[a-z]+):\S+"
)
_MAX_SCHEMA_ERRORS: Final = 50
# The 2023-05 schema forgets persistentDisposition in some event types' propertyNames, though
# EPCIS 2.0 §7.3.1 makes it a field of every event type.
_SCHEMA_BUG: Final = '"persistentDisposition" is not valid under any of the schemas'


@cache
def _validator() -> jsonschema_rs.Draft7Validator:
    text = resources.files("events.codec").joinpath("_data/EPCIS-JSON-Schema.json").read_text()
    # JSON-LD blank node identifiers (``_:document1``) are valid ``id`` values (JSON-LD 1.1
    # §4.1.4); the schema's "uri" format would refuse them.
    return jsonschema_rs.Draft7Validator(
        json.loads(text), validate_formats=True, formats={"uri": _is_uri}
    )


def _is_uri(value: str) -> bool:
    return value.startswith("_:") or bool(_SCHEME.fullmatch(value))


def schema_errors(document: object) -> list[FieldError]:
    """Check a whole JSON document (or a bare event) against the EPCIS 2.0 JSON Schema."""
    errors = []
    for error in _validator().iter_errors(document):
        if error.message.startswith(_SCHEMA_BUG):
            continue
        errors.append(FieldError(_path(error.instance_path), error.message))
        if len(errors) >= _MAX_SCHEMA_ERRORS:
            break
    return sorted(errors, key=lambda e: -e.field.count("."))


def _path(parts: object) -> str:
    path = ""
    for part in parts if isinstance(parts, list | tuple) else ():
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "$"


def check_identifier(value: object) -> str | None:
    """Return why ``value`` is not an acceptable EPC/identifier, or None if it is."""
    if not isinstance(value, str):
        return f"expected an identifier string, got {type(value).__name__}"
    return _identifier_problem(value)


def _identifier_problem(value: str) -> str | None:
    if value.startswith("urn:epc:") or _GS1_PATH.match(value):
        if _UNPARSED_URNS.fullmatch(value):
            return None
        return read(value).problem
    if not _SCHEME.fullmatch(value):
        return f"{value!r}: expected an EPC URN, a GS1 Digital Link URI or another absolute URI"
    return None

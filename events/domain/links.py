"""Which items an EPCIS event names, and in which role, by canonical identity.

An item written as an EPC URN in one event and as a Digital Link in another is one item: every
identifier goes through ``identifiers.parse`` and is keyed by its canonical form. Identifiers
that are not GS1/Handle codes (any other URI) are kept as written.

References:
    EPCIS 2.0 §7.3 (event fields naming objects: epcList, parentID, childEPCs, inputEPCList,
    outputEPCList, quantity lists with epcClass).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from identifiers import read

# Role of an identifier in an event; "*_class" roles name classes (GTIN+lot, GTIN) with quantities.
INSTANCE_FIELDS: Final = (
    ("epcList", "epc"),
    ("childEPCs", "child"),
    ("inputEPCList", "input"),
    ("outputEPCList", "output"),
)
CLASS_FIELDS: Final = (
    ("quantityList", "class"),
    ("childQuantityList", "child_class"),
    ("inputQuantityList", "input_class"),
    ("outputQuantityList", "output_class"),
)


def canonical_id(text: str) -> str:
    """The canonical identity of an identifier, or the text itself when it is no code we know.

    >>> canonical_id("urn:epc:id:sgtin:9521234.054321.ABC")
    'https://id.gs1.org/01/09521234543213/21/ABC'
    >>> canonical_id("urn:example:asset:7")
    'urn:example:asset:7'
    """
    return read(text).canonical or text


def item_links(event: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """``(canonical id, role)`` for every object the event names, in field order."""
    parent = event.get("parentID")
    if isinstance(parent, str):
        yield canonical_id(parent), "parent"
    for field, role in INSTANCE_FIELDS:
        for epc in event.get(field) or ():
            yield canonical_id(epc), role
    for field, role in CLASS_FIELDS:
        for element in event.get(field) or ():
            epc_class = element.get("epcClass")
            if isinstance(epc_class, str):
                yield canonical_id(epc_class), role

"""A hardened XML parser: no DTDs, no entities, no external references, no XInclude.

Every DTD is refused, internal or external, so entity expansion attacks ("billion laughs")
and external entities (XXE) cannot start; the parser itself is also set never to load a
DTD, resolve an entity or touch the network. Size limits are the caller's concern.

References:
    OWASP XML External Entity Prevention Cheat Sheet; EPCIS 2.0 §10 (the XML binding has
    no use for a DTD).
"""

from __future__ import annotations

import re
from typing import Final

from lxml import etree

from events.codec.errors import EpcisValidationError, FieldError

__all__ = ["parse_xml"]

_XINCLUDE: Final = "{http://www.w3.org/2001/XInclude}"
_FORBIDDEN: Final = re.compile(rb"<!(?:DOCTYPE|ENTITY|ELEMENT|ATTLIST)", re.IGNORECASE)
# A bare ``<!DOCTYPE name>`` (no internal subset, no SYSTEM/PUBLIC id) declares nothing; some
# GS1 examples carry one, so it is the single form let through.
_HARMLESS_DOCTYPE: Final = re.compile(rb"<!DOCTYPE\s+[A-Za-z_][\w.:-]*\s*>")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(body: bytes) -> etree._Element:
    """Parse ``body`` or raise ``EpcisValidationError`` (malformed, DTD, entities, XInclude)."""
    if _FORBIDDEN.search(_HARMLESS_DOCTYPE.sub(b"", body, count=1)):
        raise EpcisValidationError(
            [FieldError("$", "DTDs and entity declarations are not allowed")]
        )
    try:
        root = etree.fromstring(body, parser=_parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise EpcisValidationError([FieldError("$", f"not well-formed XML: {exc}")]) from exc
    tree = root.getroottree()
    info = tree.docinfo
    dtd = info.internalDTD
    declares = dtd is not None and (any(dtd.iterelements()) or any(dtd.iterentities()))
    if declares or info.system_url or info.public_id:
        raise EpcisValidationError([FieldError("$", "DTDs are not allowed")])
    for element in root.iter():
        if not isinstance(element.tag, str):
            raise EpcisValidationError([FieldError("$", "entity references are not allowed")])
        if element.tag.startswith(_XINCLUDE):
            raise EpcisValidationError([FieldError("$", "XInclude is not allowed")])
    return root

"""Read the EPCIS XML binding (2.0 and 1.2) into normalised events.

Each event element becomes the JSON-like dict of the JSON-LD binding (compact keys, Clark
keys for extensions), then goes through the same ``EventReader`` as JSON, so both bindings
give one shape and one set of checks. EPCIS 1.2 ``<extension>``/``<baseExtension>`` wrappers
are flattened; XML attributes of extension elements become members of their dict.

References:
    EPCIS 2.0 §10 (XML binding, namespace ``urn:epcglobal:epcis:xsd:2``), EPCIS 1.2 §9
    (``urn:epcglobal:epcis:xsd:1``, extension wrappers); EPCIS 2.0 Annex (1.2 → 2.0 mapping).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from lxml import etree

from events.codec.cbv import STANDARD_PREFIXES
from events.codec.errors import EpcisValidationError, FieldError
from events.codec.jsonld import RawDocument
from events.codec.safe_xml import parse_xml
from events.codec.shape import EVENT_TYPES, EventReader

__all__ = ["read_xml_document", "read_xml_event"]

_EPCIS_NS: Final = frozenset(
    {
        "urn:epcglobal:epcis:xsd:2",
        "urn:epcglobal:epcis:xsd:1",
        "urn:epcglobal:epcis-query:xsd:2",
        "urn:epcglobal:epcis-query:xsd:1",
    }
)
_XSI: Final = "{http://www.w3.org/2001/XMLSchema-instance}"
_WRAPPERS: Final = frozenset({"extension", "baseExtension"})
_TEXT: Final = frozenset(
    {
        "eventTime",
        "recordTime",
        "eventTimeZoneOffset",
        "eventID",
        "action",
        "parentID",
        "bizStep",
        "disposition",
        "transformationID",
    }
)
_ID_LISTS: Final = frozenset({"epcList", "childEPCs", "inputEPCList", "outputEPCList"})
_QUANTITY_LISTS: Final = frozenset(
    {"quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"}
)
_PARTIES: Final = {
    "bizTransactionList": "bizTransaction",
    "sourceList": "source",
    "destinationList": "destination",
}


def _local(element: etree._Element) -> str:
    return str(etree.QName(element).localname)


def _is_epcis(element: etree._Element) -> bool:
    return etree.QName(element).namespace in _EPCIS_NS or etree.QName(element).namespace is None


def _children(element: etree._Element) -> Iterator[etree._Element]:
    """Child elements, with un-namespaced ``extension``/``baseExtension`` wrappers flattened."""
    for child in element:
        if _is_epcis(child) and _local(child) in _WRAPPERS:
            yield from _children(child)
        else:
            yield child


def _text(element: etree._Element) -> str:
    return (element.text or "").strip()


def read_xml_document(body: bytes, *, validate: bool = True) -> RawDocument:
    """Read an EPCISDocument or EPCISQueryDocument (EPCIS 2.0 or 1.2 XML).

    ``validate=False`` keeps going past invalid content (for hashing and diagnostics only);
    XML that is not well-formed or not safe is refused either way.
    """
    root = parse_xml(body)
    if _local(root) not in ("EPCISDocument", "EPCISQueryDocument") or not _is_epcis(root):
        raise EpcisValidationError(
            [FieldError("$", "expected an EPCISDocument or EPCISQueryDocument")]
        )
    raw = RawDocument()
    raw.schema_version = root.get("schemaVersion", "")
    raw.creation_date = root.get("creationDate")
    errors: list[FieldError] = []
    reader = EventReader({**STANDARD_PREFIXES, **_prefixes(root)}, errors)
    holders = [root]
    event_list = None
    for element in root.iter():
        name = _local(element) if isinstance(element.tag, str) else ""
        if name in ("EPCISBody", "QueryResults", "resultsBody"):
            holders.append(element)
        elif name == "EventList" and event_list is None:
            event_list = element
        elif name == "VocabularyList":
            raw.master_data.extend(_master_data(element))
    if event_list is None:
        errors.append(FieldError("EPCISBody.EventList", "missing"))
    else:
        for index, element in enumerate(_children(event_list)):
            raw.events.append(reader.event(_event(element), f"EPCISBody.EventList[{index}]"))
    raw.ignored = frozenset(
        child.tag
        for holder in holders
        for ext in holder
        if _local(ext) == "ignoreFields"
        for child in ext
    )
    if errors and validate:
        raise EpcisValidationError(errors)
    return raw


def read_xml_event(body: bytes, *, validate: bool = True) -> dict[str, object]:
    """Read one bare event element (``POST /events`` in the XML binding)."""
    root = parse_xml(body)
    errors: list[FieldError] = []
    event = EventReader({**STANDARD_PREFIXES, **_prefixes(root)}, errors).event(_event(root), "$")
    if errors and validate:
        raise EpcisValidationError(errors)
    return event


def _prefixes(root: etree._Element) -> dict[str, str]:
    return {k: v for k, v in root.nsmap.items() if k}


def _event(element: etree._Element) -> dict[str, object]:  # noqa: C901  one branch per field kind
    name = _local(element)
    if name not in EVENT_TYPES or not _is_epcis(element):
        return {"type": name}
    out: dict[str, object] = {"type": name}
    for child in _children(element):
        key = _key(child)
        if key in _TEXT:
            out[key] = _text(child)
        elif key == "certificationInfo":
            _append(out, key, _text(child))
        elif key in _ID_LISTS:
            out[key] = [_text(e) for e in child]
        elif key in _QUANTITY_LISTS:
            out[key] = [
                {_local(f): _text(f) for f in q if f.get(f"{_XSI}nil") != "true"} for q in child
            ]
        elif key in ("readPoint", "bizLocation", "persistentDisposition", "errorDeclaration"):
            out[key] = _structure(child)
        elif key in _PARTIES:
            out[key] = [_party(e, _PARTIES[key]) for e in child]
        elif key == "sensorElementList":
            out[key] = [_sensor(e) for e in child]
        else:  # ilmd and user extensions
            _append(out, key, _extension(child))
    if isinstance(out.get("persistentDisposition"), dict):
        pd: dict[str, object] = out["persistentDisposition"]  # type: ignore[assignment]
        out["persistentDisposition"] = {k: v if isinstance(v, list) else [v] for k, v in pd.items()}
    if isinstance(out.get("errorDeclaration"), dict):
        _corrective(out["errorDeclaration"])  # type: ignore[arg-type]
    return out


def _corrective(declaration: dict[str, object]) -> None:
    ids = declaration.pop("correctiveEventIDs", None)
    if isinstance(ids, dict):
        found = ids.get("correctiveEventID", [])
        declaration["correctiveEventIDs"] = found if isinstance(found, list) else [found]


def _append(out: dict[str, object], key: str, value: object) -> None:
    if key not in out:
        out[key] = value
    elif isinstance(out[key], list):
        out[key].append(value)  # type: ignore[attr-defined]
    else:
        out[key] = [out[key], value]


def _key(element: etree._Element) -> str:
    """Local name for EPCIS fields (tolerating needlessly qualified ones), Clark otherwise."""
    return _local(element) if _is_epcis(element) else str(element.tag)


def _structure(element: etree._Element) -> dict[str, object]:
    out: dict[str, object] = {}
    for child in _children(element):
        _append(out, _key(child), _extension(child))
    return out


def _extension(element: etree._Element) -> object:
    """Text for a leaf; otherwise a dict of attributes and children (``#text`` if mixed)."""
    kids = list(_children(element))
    if not kids and not _attributes(element):
        return _text(element)
    out: dict[str, object] = _attributes(element)
    for child in kids:
        _append(out, _key(child), _extension(child))
    if _text(element):
        out["#text"] = _text(element)
    return out


def _attributes(element: etree._Element) -> dict[str, object]:
    """Attributes as dict members; ``xsi:type`` and friends annotate, so they are dropped."""
    return {str(k): v for k, v in element.attrib.items() if not str(k).startswith(_XSI)}


def _party(element: etree._Element, label: str) -> dict[str, object]:
    out: dict[str, object] = {}
    if element.get("type") is not None:
        out["type"] = element.get("type", "").strip()
    out[label] = _text(element)
    return out


def _sensor(element: etree._Element) -> dict[str, object]:
    out: dict[str, object] = {}
    for child in _children(element):
        key = _key(child)
        if key == "sensorMetadata":
            out[key] = _attributes(child)
        elif key == "sensorReport":
            _append(out, key, [_attributes(child)] if key not in out else _attributes(child))
        else:
            _append(out, key, _extension(child))
    return out


def _master_data(vocabulary_list: etree._Element) -> Iterator[dict[str, object]]:
    for vocabulary in vocabulary_list:
        for element in vocabulary.iter():
            if isinstance(element.tag, str) and _local(element) == "VocabularyElement":
                yield {
                    "type": vocabulary.get("type"),
                    "id": element.get("id"),
                    "attributes": {
                        a.get("id"): _extension(a) for a in element if _local(a) == "attribute"
                    },
                    "children": [_text(i) for c in element if _local(c) == "children" for i in c],
                }

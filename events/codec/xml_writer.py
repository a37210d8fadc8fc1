"""Write normalised events as the EPCIS 2.0 XML binding (EPCIS 2.0 §10, ``EPCISQueryDocument``).

The mirror of ``xml_reader``: each event becomes its XSD element with the standard fields in
the schema's order for its type, then user extensions. CBV terms are written as CBV 1.x URNs
(``urn:epcglobal:cbv:bizstep:shipping``) or, on request, as CBV 2.0 web URIs; sensor
measurement types as GS1 web vocabulary URIs. Extensions (Clark keys ``{namespace}local``)
become namespaced elements with generated prefixes (``ext1``, ``ext2``, … in order of first
use); an un-namespaced member of an extension value is written as an attribute when it is a
scalar (the reader gives attributes back that way). The tree is built with lxml, so text and
names are escaped or refused, never pasted.

References:
    EPCIS 2.0 §10 and ``EPCglobal-epcis-2_0.xsd`` (element order, attributes),
    ``EPCglobal-epcis-query-2_0.xsd`` (``EPCISQueryDocument``, ``QueryResults``);
    GS1 CBV 2.0 §8.2-8.4 (URN and web URI forms); openapi.yaml ``GS1-CBV-XML-Format``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Final

from lxml import etree

from events.codec.cbv import urn, web_uri

__all__ = ["CBV_FORMATS", "EPCIS_NS", "QUERY_NS", "write_event_xml", "write_events_xml"]

EPCIS_NS: Final = "urn:epcglobal:epcis:xsd:2"
QUERY_NS: Final = "urn:epcglobal:epcis-query:xsd:2"
CBV_FORMATS: Final = ("Always_URN", "Always_Web_URI")
_XML_NS: Final = "http://www.w3.org/XML/1998/namespace"
_GS1_VOC: Final = "https://gs1.org/voc/"
_HEAD: Final = (
    "eventTime",
    "recordTime",
    "eventTimeZoneOffset",
    "eventID",
    "errorDeclaration",
    "certificationInfo",
)
_WHERE: Final = "bizStep disposition readPoint bizLocation"
_REST: Final = "sourceList destinationList sensorElementList persistentDisposition"
_BODY: Final = {  # EPCglobal-epcis-2_0.xsd: the sequence of each event type, after _HEAD
    "ObjectEvent": f"epcList action {_WHERE} bizTransactionList quantityList {_REST} ilmd",
    "AggregationEvent": f"parentID childEPCs action {_WHERE} bizTransactionList "
    f"childQuantityList {_REST}",
    "TransactionEvent": f"bizTransactionList parentID epcList action {_WHERE} quantityList {_REST}",
    "TransformationEvent": "inputEPCList inputQuantityList outputEPCList outputQuantityList "
    f"transformationID {_WHERE} bizTransactionList {_REST} ilmd",
    "AssociationEvent": f"parentID childEPCs childQuantityList action {_WHERE} "
    f"bizTransactionList {_REST}",
}
_TEXT: Final = frozenset(
    {"eventTime", "recordTime", "eventTimeZoneOffset", "eventID", "action", "parentID"}
    | {"transformationID", "certificationInfo"}
)
_ID_LISTS: Final = frozenset({"epcList", "childEPCs", "inputEPCList", "outputEPCList"})
_QUANTITY_LISTS: Final = frozenset(
    {"quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"}
)
_PARTIES: Final = {
    "bizTransactionList": ("bizTransaction", "BTT"),
    "sourceList": ("source", "SDT"),
    "destinationList": ("destination", "SDT"),
}
_VOCAB: Final = {"bizStep": "BizStep", "disposition": "Disp"}
_STRUCTURES: Final = {"readPoint": ("id",), "bizLocation": ("id",), "ilmd": ()}
_SKIPPED: Final = frozenset({"type", "@context"})


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _list(value: object) -> list[Any]:
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def _namespaces(value: object) -> Iterator[str]:
    """Every extension namespace used in ``value``, in order of first use."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(key, str) and key.startswith("{") and "}" in key:
                yield key[1 : key.index("}")]
            yield from _namespaces(item)
    elif isinstance(value, list):
        for item in value:
            yield from _namespaces(item)


def _nsmap(events: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for namespace in _namespaces(list(events)):
        if namespace and namespace not in (_XML_NS, EPCIS_NS, QUERY_NS):
            found.setdefault(namespace, f"ext{len(found) + 1}")
    return {prefix: namespace for namespace, prefix in found.items()}


class _Writer:
    """Append events to a parent element, with CBV values in one format."""

    def __init__(self, cbv_format: str) -> None:
        if cbv_format not in CBV_FORMATS:
            raise ValueError(f"unknown CBV format {cbv_format!r}; expected one of {CBV_FORMATS}")
        self.vocab: Callable[[str, str], str] = web_uri if cbv_format == "Always_Web_URI" else urn

    def event(self, parent: etree._Element, event: Mapping[str, Any]) -> etree._Element:
        kind = str(event.get("type", ""))
        if kind not in _BODY:
            raise ValueError(f"unknown event type {kind!r}")
        element = etree.SubElement(parent, kind)
        standard = (*_HEAD, *_BODY[kind].split())
        for key in standard:
            if key in event:
                self.field(element, key, event[key])
        for key, value in event.items():
            if key not in standard and key not in _SKIPPED:
                self.field(element, key, value)
        return element

    def field(self, parent: etree._Element, key: str, value: Any) -> None:  # noqa: ANN401  JSON data
        """One event member: a standard field by its kind, anything else as an extension."""
        if key in _TEXT:
            for item in _list(value):
                _leaf(parent, key, item)
        elif key in _VOCAB:
            _leaf(parent, key, self.vocab(str(value), _VOCAB[key]))
        elif key in _ID_LISTS:
            holder = etree.SubElement(parent, key)
            for item in _list(value):
                _leaf(holder, "epc", item)
        elif key in _QUANTITY_LISTS:
            holder = etree.SubElement(parent, key)
            for item in _list(value):
                _quantity(holder, item)
        elif key in _STRUCTURES:
            _structure(etree.SubElement(parent, key), value, _STRUCTURES[key])
        else:
            self.composite(parent, key, value)

    def composite(self, parent: etree._Element, key: str, value: Any) -> None:  # noqa: ANN401  JSON data
        if key in _PARTIES:
            self.parties(etree.SubElement(parent, key), key, value)
        elif key == "sensorElementList":
            holder = etree.SubElement(parent, key)
            for item in _list(value):
                self.sensor(holder, item)
        elif key == "persistentDisposition":
            self.persistent(etree.SubElement(parent, key), value)
        elif key == "errorDeclaration":
            self.error_declaration(etree.SubElement(parent, key), value)
        else:
            _extension(parent, key, value)

    def parties(self, holder: etree._Element, key: str, value: object) -> None:
        label, kind = _PARTIES[key]
        for item in _list(value):
            entry = item if isinstance(item, Mapping) else {label: item}
            element = _leaf(holder, label, entry.get(label))
            if entry.get("type") is not None:
                element.set("type", self.vocab(str(entry["type"]), kind))

    def persistent(self, element: etree._Element, value: object) -> None:
        item = value if isinstance(value, Mapping) else {}
        for key in ("unset", "set"):  # the XSD puts unset first
            for term in _list(item.get(key)):
                _leaf(element, key, self.vocab(str(term), "Disp"))
        _structure(element, item, ("unset", "set"), standard_done=True)

    def error_declaration(self, element: etree._Element, value: object) -> None:
        item = value if isinstance(value, Mapping) else {}
        if "declarationTime" in item:
            _leaf(element, "declarationTime", item["declarationTime"])
        if "reason" in item:
            _leaf(element, "reason", self.vocab(str(item["reason"]), "ER"))
        if "correctiveEventIDs" in item:
            holder = etree.SubElement(element, "correctiveEventIDs")
            for event_id in _list(item["correctiveEventIDs"]):
                _leaf(holder, "correctiveEventID", event_id)
        standard = ("declarationTime", "reason", "correctiveEventIDs")
        _structure(element, item, standard, standard_done=True)

    def sensor(self, holder: etree._Element, value: object) -> None:
        item = value if isinstance(value, Mapping) else {}
        element = etree.SubElement(holder, "sensorElement")
        if isinstance(item.get("sensorMetadata"), Mapping):
            _attributes(etree.SubElement(element, "sensorMetadata"), item["sensorMetadata"])
        for report in _list(item.get("sensorReport")):
            fields = dict(report) if isinstance(report, Mapping) else {}
            for key in ("type", "exception"):
                term = fields.get(key)
                if isinstance(term, str) and ":" not in term:
                    fields[key] = _GS1_VOC + term
            if isinstance(fields.get("component"), str):
                fields["component"] = self.vocab(fields["component"], "Comp")
            _attributes(etree.SubElement(element, "sensorReport"), fields)
        _structure(element, item, ("sensorMetadata", "sensorReport"), standard_done=True)


def _leaf(parent: etree._Element, tag: str, value: object) -> etree._Element:
    element = etree.SubElement(parent, tag)
    element.text = _scalar(value)
    return element


def _quantity(holder: etree._Element, value: object) -> None:
    item = value if isinstance(value, Mapping) else {}
    element = etree.SubElement(holder, "quantityElement")
    for key in ("epcClass", "quantity", "uom"):
        if key in item:
            _leaf(element, key, item[key])


def _attributes(element: etree._Element, fields: Mapping[str, Any]) -> None:
    for key, value in fields.items():
        element.set(key, _scalar(value))


def _structure(
    element: etree._Element,
    value: object,
    standard: tuple[str, ...],
    *,
    standard_done: bool = False,
) -> None:
    """Standard leaf members (unless already written), then the extension members."""
    item = value if isinstance(value, Mapping) else {}
    for key in standard:
        if key in item and not standard_done:
            for part in _list(item[key]):
                _leaf(element, key, part)
    for key, part in item.items():
        if key not in standard:
            _extension(element, key, part)


def _extension(parent: etree._Element, key: str, value: object) -> None:
    """One extension member: an element per list item, children and attributes for dicts."""
    if isinstance(value, list):
        for item in value:
            _extension(parent, key, item)
        return
    element = etree.SubElement(parent, key)
    if not isinstance(value, Mapping):
        element.text = _scalar(value)
        return
    for name, item in value.items():
        if name == "#text":
            element.text = _scalar(item)
        elif not name.startswith("{") and not isinstance(item, Mapping | list):
            element.set(name, _scalar(item))
        else:
            _extension(element, name, item)


def write_events_xml(
    events: Iterable[Mapping[str, Any]],
    *,
    creation_date: str,
    query_name: str = "SimpleEventQuery",
    cbv_format: str = "Always_URN",
) -> bytes:
    """An EPCIS 2.0 XML ``EPCISQueryDocument`` holding ``events`` (UTF-8, with declaration).

    Raises:
        ValueError: for an unknown ``cbv_format`` or event type, or text XML cannot carry.
    """
    events = list(events)
    writer = _Writer(cbv_format)
    nsmap = {"epcisq": QUERY_NS, "epcis": EPCIS_NS, **_nsmap(events)}
    root = etree.Element(f"{{{QUERY_NS}}}EPCISQueryDocument", nsmap=nsmap)
    root.set("schemaVersion", "2.0")
    root.set("creationDate", creation_date)
    body = etree.SubElement(root, "EPCISBody")
    results = etree.SubElement(body, f"{{{QUERY_NS}}}QueryResults")
    _leaf(results, "queryName", query_name)
    event_list = etree.SubElement(etree.SubElement(results, "resultsBody"), "EventList")
    for event in events:
        writer.event(event_list, event)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def write_event_xml(event: Mapping[str, Any], *, cbv_format: str = "Always_URN") -> bytes:
    """One event as a bare, un-namespaced event element (the ``POST /events`` XML body)."""
    holder = etree.Element("holder", nsmap=_nsmap([event]))
    element = _Writer(cbv_format).event(holder, event)
    return bytes(etree.tostring(element, encoding="UTF-8"))

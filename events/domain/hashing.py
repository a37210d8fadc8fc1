"""The CBV 2.0 event hash: a syntax-independent fingerprint of one EPCIS event.

``prehash(event)`` builds the canonical pre-hash string of a normalised event (the dict
shape of ``events.codec``: EPCIS 2.0 JSON-LD compact keys, extension keys in Clark notation
``{namespace}local``); ``event_hash(event)`` is its SHA-256 as ``ni:///sha-256;…?ver=CBV2.0``.

The canonical form, as the CBV 2.0 §8.9 reference generator computes it:

* ``eventType=<type>``, then the standard fields in a fixed order (``_ORDER``), each as
  ``name=value`` or ``name`` followed by its children; repeated values are sorted;
* extensions inside ``readPoint``, ``sensorElement`` etc. follow their parent's standard
  fields, sorted; everything else (``bizTransactionList``, ``sourceList``,
  ``destinationList``, ``ilmd``, top-level extensions) comes last, sorted as strings;
* values: CBV URNs, CURIEs and bare CBV terms become ``https://ref.gs1.org/cbv/…`` web
  URIs, ``gs1:`` becomes ``https://gs1.org/voc/``, numbers lose redundant zeros, EPC URNs
  and GS1 Digital Link URIs become canonical ``https://id.gs1.org/…`` URIs at the finest
  identification level, and timestamps are rounded to milliseconds in UTC;
* ``eventID``, ``recordTime``, ``errorDeclaration`` and comments never take part.

References:
    GS1 CBV 2.0 §8.9 (event hash ID); EPCIS 2.0 §7.4.1 (eventID); GS1 Digital Link 1.4 §4.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Mapping
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Final
from urllib.parse import quote

from identifiers import IdentifierError, gs1_check_digit, parse, read

__all__ = ["event_hash", "prehash"]

_Node = tuple[str, str, list["_Node"]]
_Order = tuple[tuple[str, "_Order | None"], ...]

_QUANTITY: Final[_Order] = (
    ("quantityElement", (("epcClass", None), ("quantity", None), ("uom", None))),
)
_EPCS: Final[_Order] = (("epc", None),)
SENSOR_METADATA_FIELDS: Final = (  # sensorMetadata members, in CBV 2.0 §8.9 hash order
    "time",
    "startTime",
    "endTime",
    "deviceID",
    "deviceMetadata",
    "rawData",
    "dataProcessingMethod",
    "bizRules",
)
SENSOR_REPORT_FIELDS: Final = (  # sensorReport members, in CBV 2.0 §8.9 hash order
    "type",
    "exception",
    "deviceID",
    "deviceMetadata",
    "rawData",
    "dataProcessingMethod",
    "time",
    "microorganism",
    "chemicalSubstance",
    "value",
    "component",
    "stringValue",
    "booleanValue",
    "hexBinaryValue",
    "uriValue",
    "minValue",
    "maxValue",
    "meanValue",
    "sDev",
    "percRank",
    "percValue",
    "uom",
    "coordinateReferenceSystem",
)
_SENSOR: Final[_Order] = (
    (
        "sensorElement",
        (
            ("sensorMetadata", tuple((n, None) for n in SENSOR_METADATA_FIELDS)),
            ("sensorReport", tuple((n, None) for n in SENSOR_REPORT_FIELDS)),
        ),
    ),
)
_ORDER: Final[_Order] = (
    ("eventTime", None),
    ("eventTimeZoneOffset", None),
    ("certificationInfo", None),
    ("parentID", None),
    ("epcList", _EPCS),
    ("inputEPCList", _EPCS),
    ("childEPCs", _EPCS),
    ("quantityList", _QUANTITY),
    ("childQuantityList", _QUANTITY),
    ("inputQuantityList", _QUANTITY),
    ("outputEPCList", _EPCS),
    ("outputQuantityList", _QUANTITY),
    ("action", None),
    ("transformationID", None),
    ("bizStep", None),
    ("disposition", None),
    ("persistentDisposition", (("set", None), ("unset", None))),
    ("readPoint", (("id", None),)),
    ("bizLocation", (("id", None),)),
    ("sensorElementList", _SENSOR),
)
_SKIPPED: Final = frozenset(
    {
        "type",
        "eventID",
        "recordTime",
        "errorDeclaration",
        "@context",
        "comment",
        "rdfs:comment",
        "{http://www.w3.org/2000/01/rdf-schema#}comment",
    }
)
_EPC_LISTS: Final = frozenset({"epcList", "inputEPCList", "outputEPCList", "childEPCs"})
_PARTY_LISTS: Final = {
    "bizTransactionList": ("bizTransaction", "BTT-"),
    "sourceList": ("source", "SDT-"),
    "destinationList": ("destination", "SDT-"),
}
_VOCAB: Final = {
    "bizStep": "BizStep-",
    "disposition": "Disp-",
    "set": "Disp-",
    "unset": "Disp-",
    "component": "Comp-",
}
_CBV: Final = "https://ref.gs1.org/cbv/"
_URN_VOCAB: Final = (
    ("urn:epcglobal:cbv:bizstep:", _CBV + "BizStep-"),
    ("urn:epcglobal:cbv:disp:", _CBV + "Disp-"),
    ("urn:epcglobal:cbv:btt:", _CBV + "BTT-"),
    ("urn:epcglobal:cbv:sdt:", _CBV + "SDT-"),
    ("urn:epcglobal:cbv:er:", _CBV + "ER-"),
)
_GS1_VOC: Final = "https://gs1.org/voc/"
_CURIES: Final = (("gs1:", _GS1_VOC), ("cbv:", _CBV))
_PATTERN_LENGTHS: Final = {"8003": 14, "253": 13, "255": 13}
_TIME: Final = re.compile(
    r"(\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d)?)(?:[.,](\d+))?\s*(Z|[+-]\d\d:?\d\d)?", re.IGNORECASE
)
_ROUNDABLE_URNS: Final = re.compile(r"urn:epc:(id|idpat):(cpi|itip|upui):(.*)")
_DL_SAFE: Final = "';="  # kept raw, as in an EPC URN component (TDS 2.x Table A-1)


def event_hash(event: Mapping[str, object], ignore: Collection[str] = ()) -> str:
    """Return the CBV 2.0 hash ID ``ni:///sha-256;<hex>?ver=CBV2.0`` of one event.

    ``ignore`` names extra fields (Clark keys) to leave out, as a document's
    ``ignoreFields`` list asks.
    """
    digest = hashlib.sha256(prehash(event, ignore).encode()).hexdigest()
    return f"ni:///sha-256;{digest}?ver=CBV2.0"


def prehash(event: Mapping[str, object], ignore: Collection[str] = ()) -> str:
    """Return the canonical pre-hash string of one event (CBV 2.0 §8.9)."""
    children: list[_Node] = []
    for key, value in event.items():
        if key not in _SKIPPED and key not in ignore:
            children.extend(_nodes(key, value))
    ordered = _ordered(children, _ORDER)
    return f"eventType={event.get('type', '')}{ordered}{_generic(children)}"


# --- the event as a tree of (name, text, children), the XML binding's shape ---------------


def _nodes(key: str, value: object) -> list[_Node]:  # noqa: C901, PLR0911  one branch per shape
    if value is None:
        return []
    if isinstance(value, list):
        if key in _EPC_LISTS:
            return [(key, "", [("epc", _text(v), []) for v in value])]
        if key.endswith("QuantityList") or key == "quantityList":
            return [(key, "", [n for v in value for n in _nodes("quantityElement", v)])]
        if key in _PARTY_LISTS:
            return [(key, "", [_party(key, v) for v in value])]
        if key == "sensorElementList":
            return [(key, "", [n for v in value for n in _nodes("sensorElement", v)])]
        return [n for v in value for n in _nodes(key, v)]
    if isinstance(value, Mapping):
        kids = [n for k, v in value.items() if k != "#text" for n in _nodes(k, v)]
        return [(key, _text(value.get("#text", "")), kids)]
    text = _text(value)
    if text and ":" not in text:
        if key in _VOCAB:
            text = f"{_CBV}{_VOCAB[key]}{text}"
        elif key in ("type", "exception"):  # sensor report terms: the GS1 web vocabulary
            text = f"{_GS1_VOC}{text}"
    return [(key, text, [])]


def _party(key: str, entry: object) -> _Node:
    label, prefix = _PARTY_LISTS[key]
    entry = entry if isinstance(entry, Mapping) else {}
    kids: list[_Node] = []
    kind = _text(entry.get("type", ""))
    if kind:
        kids.append(("type", kind if ":" in kind else f"{_CBV}{prefix}{kind}", []))
    kids.append((label, _text(entry.get(label, "")), []))
    return ("", "", kids)


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


# --- rendering --------------------------------------------------------------------------


def _ordered(children: list[_Node], order: _Order) -> str:
    """Render the children named in ``order``; consume them, leaving the rest in place."""
    extensions: list[_Node] = []
    if len(children) > 1 and not any("eventTime" in c[0] or "action" in c[0] for c in children):
        kept: list[_Node] = []
        for child in children:  # namespaced ({uri/}name) extensions apart, the rest kept
            (extensions if "{" in child[0] and "/}" in child[0] else kept).append(child)
        if extensions:
            children[:] = kept
    by_name: dict[str, list[_Node]] = {}
    for child in children:
        by_name.setdefault(child[0], []).append(child)
    out: list[str] = []
    consumed = False
    for name, sub_order in order:
        group = by_name.get(name)
        if group is None:
            continue
        values = []
        for child in group:
            rendered = _ordered_child(child, sub_order)
            if rendered:
                values.append(rendered)
            consumed = consumed or not child[2]
        out.extend(sorted(values))
    if consumed:  # the ordered children left without sub-elements are done with
        named = _names(order)
        children[:] = [c for c in children if c[2] or c[0] not in named]
    return "".join(out) + (_generic(extensions) if extensions else "")


@lru_cache(maxsize=64)
def _names(order: _Order) -> frozenset[str]:
    return frozenset(name for name, _sub in order)


def _ordered_child(child: _Node, sub_order: _Order | None) -> str:
    name, text, kids = child
    grand = _ordered(kids, sub_order) if sub_order else ""
    if text:
        text = _timestamp(text) if _timed(name) else _canonical(text)
    if text:
        text = "=" + text
    return name + text + grand if (text or grand) else ""


@lru_cache(maxsize=256)
def _timed(name: str) -> bool:
    lowered = name.lower()
    return "time" in lowered and "offset" not in lowered


def _generic(children: list[_Node]) -> str:
    values = []
    for name, text, kids in children:
        shown = "=" + _canonical(text) if text else ""
        values.append(name + shown + _generic(kids))
    if len(children) > 1 and not any(
        c[0] in ("bizTransaction", "source", "destination") for c in children
    ):
        values.sort()
    return "".join(values)


# --- value canonicalisation -------------------------------------------------------------


@lru_cache(maxsize=65536)
def _canonical(text: str) -> str:
    for prefix, uri in _CURIES:
        if text.startswith(prefix):
            text = uri + text[len(prefix) :]
    if "urn:epcglobal:cbv:" in text:
        for urn, uri in _URN_VOCAB:
            text = text.replace(urn, uri)
    text = _number(text)
    return _digital_link(text) or text


def _number(text: str) -> str:
    # float() reads (stripped) text starting with a sign, a point, a decimal digit in any
    # script, "inf" or "nan": the rest is not a number, and a failed float() is costly
    if not text or not (text[0] in "+-.iInN" or text[0].isdecimal()):
        return text
    try:
        number = float(text)
        return str(int(number)) if number == int(number) else str(number)
    except (ValueError, OverflowError):
        return text


@lru_cache(maxsize=65536)
def _timestamp(text: str) -> str:
    match = _TIME.fullmatch(text.strip())
    if match is None:
        return text
    stamp, fraction, zone = match.groups()
    try:
        moment = datetime.fromisoformat(stamp).replace(tzinfo=UTC)
        if zone and zone.upper() != "Z":
            sign = -1 if zone[0] == "-" else 1
            digits = zone[1:].replace(":", "")
            moment -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    except (ValueError, OverflowError):
        return text
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    moment += timedelta(microseconds=round(micro, -3))
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@lru_cache(maxsize=65536)
def _digital_link(text: str) -> str | None:
    """Canonical GS1 Digital Link URI at the finest identification level, or None."""
    lowered = text[:12].lower()
    if not (lowered.startswith(("urn:epc:", "http://", "https://")) and "." in text):
        return None
    special = _ROUNDABLE_URNS.fullmatch(text)
    if special:
        return _special_urn(*special.groups())
    reading = read(text)
    key = reading.key if reading.problem is None else _pattern_key(text)
    if not key:
        return None
    pairs = [(ai, v) for ai, v in key if ai != "22"]
    if pairs[0][0] in ("01", "8006") and any(ai == "21" for ai, _ in pairs):
        pairs = [(ai, v) for ai, v in pairs if ai != "10"]
    return "https://id.gs1.org" + "".join(f"/{ai}/{quote(v, safe=_DL_SAFE)}" for ai, v in pairs)


def _pattern_key(text: str) -> tuple[tuple[str, str], ...]:
    """The class-level key of an EPC pattern URN such as ``urn:epc:idpat:grai:CP.TYPE.*``."""
    if not (text.startswith("urn:epc:idpat:") and text.endswith(".*")):
        return ()
    try:
        key = parse(text[:-1].replace(":idpat:", ":id:") + "0").key
    except IdentifierError:
        return ()
    if not key or key[0][0] not in _PATTERN_LENGTHS:
        return ()
    return ((key[0][0], key[0][1][: _PATTERN_LENGTHS[key[0][0]]]),)


def _special_urn(kind: str, scheme: str, body: str) -> str | None:
    """CPI, ITIP and UPUI URNs (TDS 2.x §6.3.13, §6.3.16, §6.3.17), which ``parse`` leaves out."""
    parts = body.split(".")
    if scheme == "cpi" and len(parts) == 3:  # noqa: PLR2004
        cpi = parts[0] + _unescape(parts[1])
        serial = "" if kind == "idpat" else f"/8011/{parts[2]}"
        return f"https://id.gs1.org/8010/{quote(cpi, safe=_DL_SAFE)}{serial}"
    if len(parts) < 3 or not (parts[0] + parts[1]).isdigit():  # noqa: PLR2004
        return None
    body13 = parts[1][:1] + parts[0] + parts[1][1:]
    gtin = body13 + str(gs1_check_digit(body13))
    if scheme == "itip" and len(parts) == 5:  # noqa: PLR2004
        tail = "" if kind == "idpat" else f"/21/{quote(_unescape(parts[4]), safe=_DL_SAFE)}"
        return f"https://id.gs1.org/8006/{gtin}{parts[2]}{parts[3]}{tail}"
    if scheme == "upui":
        serial = _unescape(".".join(parts[2:]))
        tail = "" if kind == "idpat" else f"/235/{quote(serial, safe=_DL_SAFE)}"
        return f"https://id.gs1.org/01/{gtin}{tail}"
    return None


def _unescape(component: str) -> str:
    return re.sub(r"%([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), component)

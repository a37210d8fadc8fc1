"""The normalised event: one JSON-serialisable dict per EPCIS event, whatever the binding.

Conventions (both readers produce them, both writers consume them, the hash reads them):

* keys are the EPCIS 2.0 JSON-LD compact names (``eventTime``, ``epcList``, ``readPoint`` …);
* user extensions use Clark keys ``{namespace}local`` at any depth (``ilmd``, ``readPoint``,
  sensor elements, the event itself), so no ``@context`` is needed to read them back;
  extension values are strings, numbers, booleans, lists and dicts, and a dict may hold
  ``#text`` when an XML element has both text and attributes/children;
* CBV values (bizStep, disposition, persistentDisposition, bizTransaction/source/destination
  types, error reasons, sensor components) are bare terms (``shipping``); others full URIs;
* identifiers and timestamps are kept as written; ``quantity`` and the numeric sensor
  report fields are JSON numbers and ``booleanValue`` a boolean.

References:
    EPCIS 2.0 §7.3-7.4 (event types and fields), §9.5-9.8 (extension rules), §10-11 (XML and
    JSON-LD bindings); GS1 CBV 2.0 §7.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Final

from events.codec.cbv import normalise_vocab
from events.codec.errors import FieldError
from events.codec.validation import check_identifier
from events.domain.hashing import SENSOR_METADATA_FIELDS, SENSOR_REPORT_FIELDS
from events.domain.links import CLASS_FIELDS, INSTANCE_FIELDS

__all__ = ["EVENT_TYPES", "EventReader", "clark"]

EVENT_TYPES: Final = frozenset(
    {
        "ObjectEvent",
        "AggregationEvent",
        "TransactionEvent",
        "TransformationEvent",
        "AssociationEvent",
    }
)
_ID_LISTS: Final = tuple(field for field, _role in INSTANCE_FIELDS)
_QUANTITY_LISTS: Final = tuple(field for field, _role in CLASS_FIELDS)
_PLAIN: Final = frozenset(
    {
        "type",
        "eventID",
        "eventTime",
        "eventTimeZoneOffset",
        "recordTime",
        "action",
        "transformationID",
        "certificationInfo",
        "@context",
    }
)
_PARTIES: Final = {
    "bizTransactionList": ("bizTransaction", "BTT"),
    "sourceList": ("source", "SDT"),
    "destinationList": ("destination", "SDT"),
}
_METADATA: Final = frozenset(SENSOR_METADATA_FIELDS)
# bizRules is accepted on sensorReport (GS1 and openepcis examples use it) but not hashed.
_REPORT: Final = frozenset((*SENSOR_REPORT_FIELDS, "bizRules"))
_NUMERIC: Final = frozenset(
    {"value", "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue", "quantity"}
)
_OFFSET: Final = re.compile(r"[+-]\d\d:\d\d")
_ZONED: Final = re.compile(r".*T.*(Z|z|[+-]\d\d:\d\d)")
_ACTION_FREE: Final = frozenset({"TransformationEvent"})
_ACTIONS: Final = frozenset({"ADD", "OBSERVE", "DELETE"})


def clark(key: str, prefixes: Mapping[str, str]) -> str | None:
    """A ``prefix:local``, full IRI or Clark key as ``{namespace}local``; None if un-namespaced."""
    if key.startswith("{"):
        return key if "}" in key[1:] else None
    head, sep, tail = key.partition(":")
    if not sep:
        return None
    if tail.startswith("//") or head == "urn":
        cut = max(key.rfind("/"), key.rfind("#"), key.rfind(":")) + 1
        return f"{{{key[:cut]}}}{key[cut:]}" if 0 < cut < len(key) else None
    namespace = prefixes.get(head)
    return f"{{{namespace}}}{tail}" if namespace and tail else None


class EventReader:
    """Turn one raw event (JSON-like dict with compact keys) into the normalised shape.

    Problems go to ``errors`` as ``FieldError`` with the path given; nothing is raised.
    """

    def __init__(self, prefixes: Mapping[str, str], errors: list[FieldError]) -> None:
        self.prefixes = prefixes
        self.errors = errors
        self._handlers: dict[str, Callable[[object, str], object]] = {
            "bizStep": lambda v, p: self._vocab(v, "BizStep", p),
            "disposition": lambda v, p: self._vocab(v, "Disp", p),
            "parentID": self._id,
            "readPoint": self._location,
            "bizLocation": self._location,
            "persistentDisposition": self._persistent,
            "sensorElementList": lambda v, p: self._each(v, p, self._sensor),
            "ilmd": lambda v, p: self._extensions(v, p, frozenset()),
            "errorDeclaration": self._error_declaration,
        }
        for key in _ID_LISTS:
            self._handlers[key] = self._ids
        for key in _QUANTITY_LISTS:
            self._handlers[key] = lambda v, p: self._each(v, p, self._quantity)
        for key in _PARTIES:
            self._handlers[key] = self._party_reader(key)

    def _party_reader(self, key: str) -> Callable[[object, str], object]:
        def read(value: object, path: str) -> object:
            return self._each(value, path, lambda e, q: self._party(key, e, q))

        return read

    def _each(
        self, value: object, path: str, read: Callable[[object, str], dict[str, object]]
    ) -> list[dict[str, object]]:
        return [read(item, f"{path}[{i}]") for i, item in enumerate(_list(value))]

    def event(self, raw: object, path: str) -> dict[str, object]:
        """Normalise one event; record what is wrong with it."""
        if not isinstance(raw, Mapping):
            self._fail(path, "expected an event object")
            return {}
        kind = raw.get("type")
        if kind not in EVENT_TYPES:
            self._fail(f"{path}.type", f"unknown event type {kind!r}")
            return {}
        out: dict[str, object] = {}
        for key, value in raw.items():
            here = f"{path}.{key}"
            if key == "@context":
                continue
            handler = self._handlers.get(key)
            if key in _PLAIN:
                out[key] = value
            elif handler is not None:
                out[key] = handler(value, here)
            else:
                self._extension(key, value, here, out)
        self._check_event(out, kind, path)
        return out

    # --- own checks the JSON schema cannot make ---------------------------------------
    def _check_event(self, event: Mapping[str, object], kind: str, path: str) -> None:
        if kind not in _ACTION_FREE and event.get("action") not in _ACTIONS:
            self._fail(f"{path}.action", "expected ADD, OBSERVE or DELETE")
        time = event.get("eventTime")
        if not isinstance(time, str) or not _ZONED.fullmatch(time):
            self._fail(f"{path}.eventTime", "expected a dateTime with a time zone offset")
        offset = event.get("eventTimeZoneOffset")
        if not isinstance(offset, str) or not _OFFSET.fullmatch(offset):
            self._fail(f"{path}.eventTimeZoneOffset", "expected ±hh:mm")

    def _fail(self, field: str, message: str) -> None:
        self.errors.append(FieldError(field, message))

    # --- fields -----------------------------------------------------------------------
    def _vocab(self, value: object, kind: str, path: str) -> object:
        if not isinstance(value, str):
            self._fail(path, "expected a string")
            return value
        normal = normalise_vocab(value, kind, self.prefixes)
        if normal is None:
            self._fail(path, f"{value!r} is neither a CBV {kind} value nor a URI")
            return value
        return normal

    def _id(self, value: object, path: str) -> object:
        problem = check_identifier(value)
        if problem:
            self._fail(path, problem)
        return value

    def _ids(self, value: object, path: str) -> list[object]:
        return [self._id(v, f"{path}[{i}]") for i, v in enumerate(_list(value))]

    def _quantity(self, value: object, path: str) -> dict[str, object]:
        item = dict(value) if isinstance(value, Mapping) else {}
        if "epcClass" in item:
            self._id(item["epcClass"], f"{path}.epcClass")
        if "quantity" in item:
            item["quantity"] = _number(item["quantity"])
        return item

    def _location(self, value: object, path: str) -> dict[str, object]:
        if not isinstance(value, Mapping):
            self._fail(path, "expected an object with an id")
            return {}
        return self._extensions(value, path, {"id"})

    def _party(self, key: str, value: object, path: str) -> dict[str, object]:
        label, kind = _PARTIES[key]
        item = self._extensions(value, path, {"type", label})
        if isinstance(item.get("type"), str):
            item["type"] = self._vocab(item["type"], kind, f"{path}.type")
        return item

    def _persistent(self, value: object, path: str) -> dict[str, object]:
        item = self._extensions(value, path, {"set", "unset"})
        for key in ("set", "unset"):
            if key in item:
                item[key] = [self._vocab(v, "Disp", f"{path}.{key}") for v in _list(item[key])]
        return item

    def _sensor(self, value: object, path: str) -> dict[str, object]:
        item = self._extensions(value, path, {"sensorMetadata", "sensorReport"})
        if "sensorMetadata" in item:
            item["sensorMetadata"] = self._extensions(
                item["sensorMetadata"], f"{path}.sensorMetadata", _METADATA
            )
        if "sensorReport" in item:
            reports = _list(item["sensorReport"])
            item["sensorReport"] = [
                self._report(r, f"{path}.sensorReport[{i}]") for i, r in enumerate(reports)
            ]
        return item

    def _report(self, value: object, path: str) -> dict[str, object]:
        report = self._extensions(value, path, _REPORT)
        for key in _NUMERIC & report.keys():
            report[key] = _number(report[key])
        flag = report.get("booleanValue")
        if isinstance(flag, str):
            report["booleanValue"] = flag.strip() == "true"
        for key in ("type", "exception"):
            term = report.get(key)
            if isinstance(term, str):
                report[key] = _gs1_term(term)
        component = report.get("component")
        if isinstance(component, str):  # non-CBV components stay as written (CBV 2.0 §8.9 hash)
            bare = normalise_vocab(component, "Comp", {})
            report["component"] = bare if bare and ":" not in bare else component
        return report

    def _error_declaration(self, value: object, path: str) -> dict[str, object]:
        item = self._extensions(value, path, {"declarationTime", "reason", "correctiveEventIDs"})
        if isinstance(item.get("reason"), str):
            item["reason"] = self._vocab(item["reason"], "ER", f"{path}.reason")
        if "correctiveEventIDs" in item:
            item["correctiveEventIDs"] = _list(item["correctiveEventIDs"])
        return item

    # --- extensions ---------------------------------------------------------------------
    def _extensions(
        self, value: object, path: str, standard: set[str] | frozenset[str]
    ) -> dict[str, object]:
        out: dict[str, object] = {}
        if not isinstance(value, Mapping):
            self._fail(path, "expected an object")
            return out
        for key, item in value.items():
            if key in standard:
                out[key] = item
            else:
                self._extension(key, item, f"{path}.{key}", out)
        return out

    def _extension(self, key: str, value: object, path: str, out: dict[str, object]) -> None:
        name = clark(key, self.prefixes)
        if name is None:
            self._fail(path, "unknown field: extension fields need a namespace")
        out[name or key] = _extension_value(value, self.prefixes)


def _extension_value(value: object, prefixes: Mapping[str, str]) -> object:
    if isinstance(value, list):
        return [_extension_value(v, prefixes) for v in value]
    if isinstance(value, Mapping):
        return {
            (clark(k, prefixes) or k) if k != "#text" else k: _extension_value(v, prefixes)
            for k, v in value.items()
        }
    return value


def _gs1_term(value: str) -> str:
    """Sensor measurement and alert types: bare GS1 web vocabulary terms (``Temperature``)."""
    for prefix in ("gs1:", "https://gs1.org/voc/"):
        if value.startswith(prefix) and value[len(prefix) :]:
            return value[len(prefix) :]
    return value


def _list(value: object) -> list[object]:
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def _number(value: object) -> object:
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() and "." not in value else number
    return value

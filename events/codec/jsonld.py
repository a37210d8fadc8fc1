"""Read the EPCIS 2.0 JSON/JSON-LD binding into normalised events.

Extension prefixes come from the document's (and each event's) ``@context`` objects, on top
of the prefixes the standard EPCIS context defines (``gs1``, ``cbv``, ``cbvmda`` …); the
remote context itself is never fetched.

References:
    EPCIS 2.0 §11 (JSON/JSON-LD binding), §9.3 (JSON Schema), §11.2 (@context and
    user extensions); EPCIS 2.0 REST binding (EPCISQueryDocument ``queryResults``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Final

from events.codec.cbv import STANDARD_PREFIXES
from events.codec.errors import EpcisValidationError, FieldError
from events.codec.shape import EventReader, clark
from events.codec.validation import schema_errors

__all__ = ["RawDocument", "read_json_document", "read_json_event"]

_DOCUMENT_TYPES: Final = frozenset({"EPCISDocument", "EPCISQueryDocument"})


class RawDocument:
    """What a reader found: events, master data, header facts and hash-ignored fields."""

    def __init__(self) -> None:
        self.events: list[dict[str, object]] = []
        self.master_data: list[dict[str, object]] = []
        self.schema_version = ""
        self.creation_date: str | None = None
        self.ignored: frozenset[str] = frozenset()


def _load(body: bytes) -> object:
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise EpcisValidationError([FieldError("$", f"not valid JSON: {exc}")]) from exc


def prefixes_of(context: object, base: Mapping[str, str]) -> dict[str, str]:
    """The prefix → namespace map declared by a JSON-LD ``@context`` value."""
    found = dict(base)
    for item in context if isinstance(context, list) else [context]:
        if isinstance(item, Mapping):
            found.update({k: v for k, v in item.items() if isinstance(v, str) and ":" in v})
    return found


def read_json_document(body: bytes, *, validate: bool = True) -> RawDocument:
    """Read an EPCISDocument or EPCISQueryDocument; raise ``EpcisValidationError`` if invalid."""
    document = _load(body)
    if not isinstance(document, dict) or document.get("type") not in _DOCUMENT_TYPES:
        raise EpcisValidationError(
            [FieldError("type", "expected EPCISDocument or EPCISQueryDocument")]
        )
    errors = schema_errors(document) if validate else []
    prefixes = prefixes_of(document.get("@context"), STANDARD_PREFIXES)
    raw = RawDocument()
    raw.schema_version = str(document.get("schemaVersion", ""))
    created = document.get("creationDate")
    raw.creation_date = created if isinstance(created, str) else None
    body_ = document.get("epcisBody")
    body_ = body_ if isinstance(body_, Mapping) else {}
    base, events = "epcisBody.eventList", body_.get("eventList")
    holders: list[Mapping[str, object]] = [document, body_]
    if document["type"] == "EPCISQueryDocument":
        results = body_.get("queryResults")
        results = results if isinstance(results, Mapping) else {}
        inner = results.get("resultsBody")
        inner = inner if isinstance(inner, Mapping) else {}
        base, events = "epcisBody.queryResults.resultsBody.eventList", inner.get("eventList")
        holders.append(results)
    elif events is None and "event" in body_:
        base, events = "epcisBody.event", [body_["event"]]
    if not isinstance(events, list):
        errors.append(FieldError(base, "expected a list of events"))
        events = []
    reader = EventReader(prefixes, errors)
    for index, event in enumerate(events):
        raw.events.append(_event(reader, event, f"{base}[{index}]", prefixes))
    raw.master_data = _master_data(document.get("epcisHeader"))
    raw.ignored = _ignored(holders, prefixes)
    if errors and validate:
        raise EpcisValidationError(errors)
    return raw


def read_json_event(body: bytes, *, validate: bool = True) -> dict[str, object]:
    """Read one bare event (the body of ``POST /events``)."""
    event = _load(body)
    errors = schema_errors(event) if validate else []
    if not isinstance(event, Mapping):
        raise EpcisValidationError([FieldError("$", "expected an event object")])
    prefixes = prefixes_of(event.get("@context"), STANDARD_PREFIXES)
    result = _event(EventReader(prefixes, errors), event, "$", prefixes)
    if errors and validate:
        raise EpcisValidationError(errors)
    return result


def _event(
    reader: EventReader, event: object, path: str, prefixes: dict[str, str]
) -> dict[str, object]:
    if isinstance(event, Mapping) and "@context" in event:
        reader = EventReader(prefixes_of(event["@context"], prefixes), reader.errors)
    return reader.event(event, path)


def _master_data(header: object) -> list[dict[str, object]]:
    if not isinstance(header, Mapping):
        return []
    master = header.get("epcisMasterData")
    vocabularies = master.get("vocabularyList") if isinstance(master, Mapping) else None
    out: list[dict[str, object]] = []
    for vocabulary in vocabularies if isinstance(vocabularies, list) else []:
        if not isinstance(vocabulary, Mapping):
            continue
        elements = vocabulary.get("vocabularyElementList")
        for element in elements if isinstance(elements, list) else []:
            if isinstance(element, Mapping):
                attributes = element.get("attributes")
                out.append(
                    {
                        "type": vocabulary.get("type"),
                        "id": element.get("id"),
                        "attributes": {
                            a.get("id"): a.get("attribute")
                            for a in (attributes if isinstance(attributes, list) else [])
                            if isinstance(a, Mapping)
                        },
                        "children": list(element.get("children") or []),
                    }
                )
    return out


def _ignored(holders: list[Mapping[str, object]], prefixes: Mapping[str, str]) -> frozenset[str]:
    """Fields a document asks to leave out of the event hash (``…:ignoreFields``)."""
    found: set[str] = set()
    for holder in holders:
        for key, value in holder.items():
            if key.endswith(":ignoreFields") and isinstance(value, list):
                found.update(n for v in value if isinstance(v, str) and (n := clark(v, prefixes)))
    return frozenset(found)

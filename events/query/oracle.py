"""The reference query evaluator: a plain filter over stored events (the test oracle).

``matches`` says whether one stored event satisfies every condition of a query;
``run`` filters, orders (by ``orderBy`` then ledger position) and applies ``eventCountLimit``.
The SQL adapter (``events.adapters.sql_query``) must return exactly what ``run`` returns, and
finishes the predicates it cannot express portably by calling ``matches``.

Semantics (EPCIS 2.0 §8.2.7.1): a multi-valued parameter holds when any value matches; sensor
parameters hold when any sensor metadata/report has the field matching (each parameter
separately); quantity parameters when any quantity element (of any quantity list) matches.
Identifiers and locations compare by canonical identity.

Master-data parameters are evaluated against ``Locations``, the querying organisation's location
master data (both location vocabulary types, ``LOCATION_TYPES``), given to ``run``/``matches``:
``WD_`` holds when the location is one of the given ones or reachable from one through
``children`` (any depth; cycles are harmless); ``HASATTR_`` when an element of the location has
a non-null attribute of one of the names; ``EQ_ATTR_`` when an element of the location has the
attribute with one of the values (a string compares after stripping, a number numerically, a
boolean as ``true``/``false``, an XML attribute value with attributes by its ``#text``, a list
when any member does). Without master data (``locations`` omitted) ``WD_`` is ``EQ_`` and the
attribute parameters hold for no event. The SQL adapter gets the same results by resolving them
into ``EQ_`` location sets first (``events.master_data.resolve_query``).

References:
    EPCIS 2.0 §8.2.7.1 (SimpleEventQuery parameters), §7.3.5-7.3.6 (sensor, error declaration),
    §7.2.2 (vocabulary elements, attributes and children).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from events.domain import StoredEvent
from events.domain.links import canonical_id, item_links
from events.domain.master_data import VocabularyElement
from events.query.params import (
    LOCATION_FIELDS,
    LOCATION_TYPES,
    Condition,
    QueryParams,
    attribute_key,
)

_QUANTITY_LISTS: Final = (
    "quantityList",
    "childQuantityList",
    "inputQuantityList",
    "outputQuantityList",
)
_ORDER: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "EQ": operator.eq,
    "GT": operator.gt,
    "GE": operator.ge,
    "LT": operator.lt,
    "LE": operator.le,
}


@dataclass(frozen=True, slots=True)
class Locations:
    """Location master data (elements of ``LOCATION_TYPES``) by canonical id."""

    by_id: Mapping[str, tuple[VocabularyElement, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, elements: Iterable[VocabularyElement]) -> Locations:
        """The location elements among ``elements`` (other vocabulary types are left out)."""
        by_id: dict[str, list[VocabularyElement]] = {}
        for element in elements:
            if element.vocabulary_type in LOCATION_TYPES:
                by_id.setdefault(element.element_id, []).append(element)
        return cls({key: tuple(found) for key, found in by_id.items()})

    def with_descendants(self, roots: Iterable[str]) -> set[str]:
        """``roots`` and every location reachable from them through ``children``."""
        found = set(roots)
        todo = list(found)
        while todo:
            for element in self.by_id.get(todo.pop(), ()):
                fresh = [child for child in element.children if child not in found]
                found.update(fresh)
                todo.extend(fresh)
        return found


_NO_MASTER_DATA: Final = Locations()


def has_attribute(element: VocabularyElement, names: frozenset[str]) -> bool:
    """Whether ``element`` has a non-null attribute named one of ``names`` (``attribute_key``)."""
    return any(
        value is not None and attribute_key(key) in names
        for key, value in element.attributes.items()
    )


def attribute_equals(element: VocabularyElement, name: str, values: frozenset[str]) -> bool:
    """Whether ``element``'s attribute ``name`` (an ``attribute_key``) is one of ``values``."""
    return any(
        attribute_key(key) == name and _attribute_in(value, values)
        for key, value in element.attributes.items()
    )


def _attribute_in(value: Any, wanted: frozenset[str]) -> bool:  # noqa: ANN401  JSON data
    if isinstance(value, Mapping):
        value = value.get("#text")
    if isinstance(value, list):
        return any(_attribute_in(v, wanted) for v in value)
    if isinstance(value, bool):
        return ("true" if value else "false") in wanted
    if isinstance(value, str):
        return value.strip() in wanted
    if isinstance(value, int | float):
        return any(_number(w) == value for w in wanted)
    return False


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def run(
    params: QueryParams, events: Iterable[StoredEvent], locations: Locations | None = None
) -> list[StoredEvent]:
    """The events matching ``params``, ordered, truncated to ``eventCountLimit``.

    ``locations``: the querying organisation's location master data (None: none).
    """
    found = [e for e in events if matches(params, e, locations)]
    found.sort(key=lambda e: sort_key(params, e), reverse=params.descending)
    return found[: params.event_count_limit] if params.event_count_limit else found


def sort_key(params: QueryParams, event: StoredEvent) -> tuple[Any, ...]:
    """``(orderBy value, position)``, the total order of query results."""
    if params.order_by == "eventTime":
        return (event.record.event_time, event.position)
    if params.order_by == "recordTime":
        return (event.record_time, event.position)
    return (event.position,)


def matches(params: QueryParams, event: StoredEvent, locations: Locations | None = None) -> bool:
    """Whether ``event`` satisfies every condition of ``params``."""
    return all(holds(c, event, locations) for c in params.conditions)


def holds(  # noqa: PLR0911  one branch per kind
    condition: Condition, event: StoredEvent, locations: Locations | None = None
) -> bool:
    """Whether one condition holds for one stored event."""
    payload = event.record.payload
    field, op, values = condition.field, condition.op, condition.values
    if op == "NONE":
        return False
    if field == "type":
        return event.record.event_type in values
    if field == "eventTime":
        return _ORDER[op](event.record.event_time, values[0])
    if field == "recordTime":
        return _ORDER[op](event.record_time, values[0])
    if field in LOCATION_FIELDS:
        place = payload.get(field)
        if not isinstance(place, Mapping):
            return False
        return _location(condition, canonical_id(str(place.get("id"))), locations)
    if field == "links":
        roles = condition.key.split(",")
        return any(
            role in roles and any(m.matches(item) for m in values)
            for item, role in item_links(payload)
        )
    if field in _HOLDERS:
        return _HOLDERS[field](condition, payload)
    if op == "EXISTS":
        return field in payload
    return _path_holds(condition, payload)


def _location(condition: Condition, where: str, locations: Locations | None) -> bool:
    known = locations or _NO_MASTER_DATA
    if condition.op == "EQ":
        return where in condition.members
    if condition.op == "WD":
        return where in known.with_descendants(condition.values)
    elements = known.by_id.get(where, ())
    if condition.op == "HASATTR":
        return any(has_attribute(e, condition.members) for e in elements)
    return any(attribute_equals(e, condition.key, condition.members) for e in elements)


def _path_holds(condition: Condition, payload: Mapping[str, Any]) -> bool:
    head, _, tail = condition.field.partition(".")
    found = payload.get(head)
    if tail:
        found = found.get(tail) if isinstance(found, Mapping) else None
    if condition.op in {"GE", "LT"}:
        time = _time(found)
        return time is not None and _ORDER[condition.op](time, condition.values[0])
    found_values = found if isinstance(found, list) else [found]
    return any(v in condition.values for v in found_values if v is not None)


def _party(condition: Condition, payload: Mapping[str, Any]) -> bool:
    member = condition.field.removesuffix("List")
    wanted = {canonical_id(v) for v in condition.values}
    return any(
        element.get("type") == condition.key and canonical_id(str(element.get(member))) in wanted
        for element in payload.get(condition.field) or ()
        if isinstance(element, Mapping)
    )


def _quantity(condition: Condition, payload: Mapping[str, Any]) -> bool:
    return any(
        isinstance(element.get("quantity"), int | float)
        and (not condition.key or element.get("uom") == condition.key)
        and _ORDER[condition.op](element["quantity"], condition.values[0])
        for name in _QUANTITY_LISTS
        for element in payload.get(name) or ()
        if isinstance(element, Mapping)
    )


def _sensor_parts(payload: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for element in payload.get("sensorElementList") or ():
        if isinstance(element.get("sensorMetadata"), Mapping):
            yield element["sensorMetadata"]
        yield from (r for r in element.get("sensorReport") or () if isinstance(r, Mapping))


def _sensor(condition: Condition, payload: Mapping[str, Any]) -> bool:
    key, op = condition.key, condition.op
    for part in _sensor_parts(payload):
        value = part.get(key)
        if value is None:
            continue
        if key in {"time", "startTime", "endTime"}:
            time = _time(value)
            if time is not None and _ORDER[op](time, condition.values[0]):
                return True
        elif key == "percRank":
            if isinstance(value, int | float) and _ORDER[op](value, condition.values[0]):
                return True
        elif _term(value) in {_term(v) for v in condition.values}:
            return True
    return False


def _sensor_value(condition: Condition, payload: Mapping[str, Any]) -> bool:
    field, _, uom = condition.key.partition("_")
    return any(
        part.get("uom") == uom
        and isinstance(part.get(field), int | float)
        and _ORDER[condition.op](part[field], condition.values[0])
        for part in _sensor_parts(payload)
    )


def _containers(scope: str, payload: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    if scope == "":
        return [payload]
    if scope == "ILMD":
        return [payload["ilmd"]] if isinstance(payload.get("ilmd"), Mapping) else []
    if scope == "ERROR_DECLARATION":
        found = payload.get("errorDeclaration")
        return [found] if isinstance(found, Mapping) else []
    elements = [e for e in payload.get("sensorElementList") or () if isinstance(e, Mapping)]
    if scope == "SENSORELEMENT":
        return elements
    if scope == "SENSORMETADATA":
        return [
            e["sensorMetadata"] for e in elements if isinstance(e.get("sensorMetadata"), Mapping)
        ]
    return [r for e in elements for r in e.get("sensorReport") or () if isinstance(r, Mapping)]


def _nested(value: Any, key: str) -> Iterator[Any]:  # noqa: ANN401  JSON data
    if isinstance(value, Mapping):
        for k, v in value.items():
            if k == key:
                yield v
            yield from _nested(v, key)
    elif isinstance(value, list):
        for v in value:
            yield from _nested(v, key)


def _ext(condition: Condition, payload: Mapping[str, Any]) -> bool:
    inner = condition.scope.startswith("INNER")
    scope = condition.scope.removeprefix("INNER").lstrip("_")
    found: list[Any] = []
    for container in _containers(scope, payload):
        if inner:
            for k, v in container.items():
                if k.startswith("{"):
                    found.extend(_nested(v, condition.key))
        elif condition.key in container:
            found.append(container[condition.key])
    if condition.op == "EXISTS":
        return bool(found)
    return any(_compare(condition.op, v, q) for v in found for q in condition.values)


def _compare(op: str, stored: Any, wanted: str) -> bool:  # noqa: ANN401  JSON data
    if isinstance(stored, Mapping):
        stored = stored.get("#text")
    if stored is None or isinstance(stored, list | Mapping):
        return False
    if op == "EQ" and str(stored) == wanted:
        return True
    if isinstance(stored, bool):
        return False
    try:
        return _ORDER[op](float(stored), float(wanted))
    except ValueError:
        pass
    left, right = _time(stored), _time(wanted)
    return left is not None and right is not None and _ORDER[op](left, right)


def _time(value: Any) -> datetime | None:  # noqa: ANN401  JSON data
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _term(value: Any) -> str:  # noqa: ANN401  JSON data
    text = str(value)
    for prefix in ("https://gs1.org/voc/", "gs1:"):
        text = text.removeprefix(prefix)
    return text


_HOLDERS: Final[dict[str, Callable[[Condition, Mapping[str, Any]], bool]]] = {
    "sensor": _sensor,
    "sensor_value": _sensor_value,
    "quantity": _quantity,
    "ext": _ext,
    "bizTransactionList": _party,
    "sourceList": _party,
    "destinationList": _party,
}

"""The reference query evaluator: a plain filter over stored events (the test oracle).

``matches`` says whether one stored event satisfies every condition of a query;
``run`` filters, orders (by ``orderBy`` then ledger position) and applies ``eventCountLimit``.
The SQL adapter (``events.adapters.sql_query``) must return exactly what ``run`` returns, and
finishes the predicates it cannot express portably by calling ``matches``.

Semantics (EPCIS 2.0 §8.2.7.1): a multi-valued parameter holds when any value matches; sensor
parameters hold when any sensor metadata/report has the field matching (each parameter
separately); quantity parameters when any quantity element (of any quantity list) matches.
Identifiers and locations compare by canonical identity.

References:
    EPCIS 2.0 §8.2.7.1 (SimpleEventQuery parameters), §7.3.5-7.3.6 (sensor, error declaration).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, Final

from events.domain import StoredEvent
from events.domain.links import canonical_id, item_links
from events.query.params import Condition, QueryParams

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


def run(params: QueryParams, events: Iterable[StoredEvent]) -> list[StoredEvent]:
    """The events matching ``params``, ordered, truncated to ``eventCountLimit``."""
    found = [e for e in events if matches(params, e)]
    found.sort(key=lambda e: sort_key(params, e), reverse=params.descending)
    return found[: params.event_count_limit] if params.event_count_limit else found


def sort_key(params: QueryParams, event: StoredEvent) -> tuple[Any, ...]:
    """``(orderBy value, position)``, the total order of query results."""
    if params.order_by == "eventTime":
        return (event.record.event_time, event.position)
    if params.order_by == "recordTime":
        return (event.record_time, event.position)
    return (event.position,)


def matches(params: QueryParams, event: StoredEvent) -> bool:
    """Whether ``event`` satisfies every condition of ``params``."""
    return all(holds(c, event) for c in params.conditions)


def holds(condition: Condition, event: StoredEvent) -> bool:  # noqa: PLR0911  one branch per kind
    """Whether one condition holds for one stored event."""
    payload = event.record.payload
    field, op, values = condition.field, condition.op, condition.values
    if field == "type":
        return event.record.event_type in values
    if field == "eventTime":
        return _ORDER[op](event.record.event_time, values[0])
    if field == "recordTime":
        return _ORDER[op](event.record_time, values[0])
    if field in {"readPoint", "bizLocation"}:
        place = payload.get(field)
        return isinstance(place, Mapping) and canonical_id(str(place.get("id"))) in values
    if field == "links":
        roles = condition.key.split(",")
        return any(
            role in roles and any(m.matches(item) for m in values)
            for item, role in item_links(payload)
        )
    if field == "masterdata":
        return False
    if field in _HOLDERS:
        return _HOLDERS[field](condition, payload)
    if op == "EXISTS":
        return field in payload
    return _path_holds(condition, payload)


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

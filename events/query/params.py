"""Parse EPCIS 2.0 query parameters (REST binding query string) into a frozen ``QueryParams``.

Every parameter of EPCIS 2.0 §8.2.7.1 (SimpleEventQuery) and the REST binding (openapi.yaml
``/events``; JSON schema ``EPCIS-Query`` ``patternProperties``) is recognised; anything else is
a ``QueryParameterError`` naming it (``epcisException:QueryParameterException``). List values
are separated by ``|`` or ``,`` and repeated parameters add values. Extension field names are
``{namespace}local``, ``namespace#local`` or ``prefix:local`` with the prefix declared in the
``GS1-Extensions`` header (passed as ``prefixes``).

Parameters that need master data (EPCIS 2.0 §8.2.7.1; "fieldname" here is ``readPoint`` or
``bizLocation``, the standard fields whose values are location vocabulary elements):

- ``WD_readPoint``/``WD_bizLocation``: op ``WD``, the given locations "with descendants" (the
  ``children`` of location master data, EPCIS 2.0 §7.2.2, transitively);
- ``HASATTR_{fieldname}``: op ``HASATTR``, the attribute names (values) of which the field's
  master data must have one with a non-null value;
- ``EQ_ATTR_{fieldname}_{attrname}`` (EPCIS 1.2: ``EQATTR_``): op ``EQATTR``, ``key`` the
  attribute name, the field's master data must have it equal to one of the values.

Attribute names are compared by ``attribute_key``: the CBV master data attributes
(CBV 2.0 §8, ``urn:epcglobal:cbv:mda#city``) may also be written ``urn:epcglobal:cbv:mda:city``,
``cbvmda:city`` or just ``city`` (the JSON schema's word-only ``EQ_ATTR_`` pattern); any other
name is compared as written. Other field names (``bizStep``, extension fields, …) are a
``QueryParameterError``: no other field has master data here. ``events.master_data.resolve_query``
turns these conditions into plain ``EQ`` location sets from the organisation's master data;
``events.query.oracle`` evaluates them directly against given master data.

Extension fields inside ``readPoint``/``bizLocation`` (``EQ_readPoint_{ns:field}``,
``EQ_INNER_bizLocation_…``) are accepted and match nothing: they are not evaluated yet.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from events.codec.cbv import normalise_vocab
from events.domain.links import canonical_id
from events.query.patterns import IdMatcher, matcher

MAX_CONDITIONS: Final = 64
MAX_VALUES: Final = 1000
# Location master data (EPCIS 2.0 §7.2, CBV 2.0 §8): elements of either type describe a location,
# whether an event names it as readPoint or as bizLocation.
LOCATION_TYPES: Final = (
    "urn:epcglobal:epcis:vtype:BusinessLocation",
    "urn:epcglobal:epcis:vtype:ReadPoint",
)
LOCATION_FIELDS: Final = ("readPoint", "bizLocation")
CBV_MDA: Final = "urn:epcglobal:cbv:mda#"
_CBV_MDA_SPELLINGS: Final = (
    CBV_MDA,
    "urn:epcglobal:cbv:mda:",
    "cbvmda:",
    "https://ref.gs1.org/cbv/MDA-",
)
_ATTRIBUTE_NAME: Final = re.compile(r'[^\s"\\]+')


class QueryParameterError(ValueError):
    """An unknown parameter or an invalid value (EPCIS 2.0 §8.2.7 QueryParameterException)."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter


class QueryTooComplexError(ValueError):
    """More conditions or values than this server evaluates (QueryTooComplexException)."""


@dataclass(frozen=True, slots=True)
class Condition:
    """One filter: ``op`` (EQ GT GE LT LE EXISTS MATCH NONE WD HASATTR EQATTR) on ``field``.

    ``key`` qualifies the field: a MATCH role set, a bizTransaction/source/destination type, a
    unit of measure, a sensor field, an attribute name (``EQATTR``), or for ``field="ext"`` the
    Clark key; ``scope`` says where an extension field lives (``""``, ``ILMD``,
    ``ERROR_DECLARATION``, ``SENSORELEMENT``, …, with an ``INNER_`` prefix for nested ones).
    ``members`` is ``values`` as a set, for membership tests on large (resolved) value lists.
    """

    name: str
    op: str
    field: str
    values: tuple[Any, ...] = ()
    key: str = ""
    scope: str = ""
    members: frozenset[Any] = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Index ``values``."""
        object.__setattr__(self, "members", frozenset(self.values))


@dataclass(frozen=True, slots=True)
class QueryParams:
    """A parsed query: its conditions (all must hold), ordering, limits and paging."""

    conditions: tuple[Condition, ...] = ()
    order_by: str | None = None  # "eventTime" | "recordTime"; None: ledger position
    descending: bool = False
    event_count_limit: int | None = None
    max_event_count: int | None = None
    per_page: int | None = None
    next_page_token: str | None = None

    def fingerprint(self) -> str:
        """SHA-256 of everything that selects and orders events (not the page size or token)."""
        body = [
            [c.name, c.op, c.field, [_plain(v) for v in c.values], c.key, c.scope]
            for c in self.conditions
        ]
        text = json.dumps(
            [body, self.order_by, self.descending, self.event_count_limit, self.max_event_count],
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(text.encode()).hexdigest()


def _plain(value: Any) -> Any:  # noqa: ANN401  JSON data
    if isinstance(value, IdMatcher):
        return [value.exact, value.like]
    return value.isoformat() if isinstance(value, datetime) else value


_MATCH_ROLES: Final = {
    "epc": ("epc", "child"),
    "parentID": ("parent",),
    "inputEPC": ("input",),
    "outputEPC": ("output",),
    "anyEPC": ("epc", "child", "parent", "input", "output"),
    "epcClass": ("class", "child_class"),
    "inputEPCClass": ("input_class",),
    "outputEPCClass": ("output_class",),
    "anyEPCClass": ("class", "child_class", "input_class", "output_class"),
}
_SENSOR_TIMES: Final = ("time", "startTime", "endTime")
_SENSOR_EQ: Final = [
    "type",
    "deviceID",
    "dataProcessingMethod",
    "microorganism",
    "chemicalSubstance",
    "bizRules",
    "stringValue",
    "booleanValue",
    "hexBinaryValue",
    "uriValue",
]
_SENSOR_NUMBERS: Final = ("value", "minValue", "maxValue", "meanValue", "sDev", "percValue")
_CMP = r"(?P<op>EQ|GT|GE|LT|LE)"
_SCOPES = (
    r"(?P<scope>(?:INNER_)?"
    r"(?:ILMD_|ERROR_DECLARATION_|SENSORELEMENT_|SENSORMETADATA_|SENSORREPORT_)?|INNER_)"
)
_PATTERNS: Final = (
    ("party", re.compile(r"EQ_(?P<field>bizTransaction|source|destination)_(?P<key>.+)")),
    ("quantity", re.compile(_CMP + r"_quantity(?:_(?P<key>[A-Z0-9]{2,4}))?")),
    (
        "sensor_value",
        re.compile(_CMP + r"_(?P<field>" + "|".join(_SENSOR_NUMBERS) + r")_(?P<key>[A-Z0-9]{2,4})"),
    ),
    ("hasattr", re.compile(r"HASATTR_(?P<field>.*)")),
    ("eqattr", re.compile(r"EQ_?ATTR_(?P<field>[^_]*)_?(?P<key>.*)")),
    ("location_ext", re.compile(r"EQ_(?:INNER_)?(?:readPoint|bizLocation)_.+")),
    ("ext", re.compile(r"(?P<op>EQ|GT|GE|LT|LE|EXISTS)_" + _SCOPES + r"(?P<key>.+)")),
)


def parse_query(
    args: Iterable[tuple[str, str]], prefixes: Mapping[str, str] | None = None
) -> QueryParams:
    """``QueryParams`` from ``(name, value)`` pairs (a multi-dict's ``items(multi=True)``).

    Raises:
        QueryParameterError: an unknown parameter or an invalid value, naming the parameter.
        QueryTooComplexError: more than ``MAX_CONDITIONS`` parameters or ``MAX_VALUES`` values.
    """
    grouped: dict[str, list[str]] = {}
    for name, value in args:
        grouped.setdefault(name, []).append(value)
    options: dict[str, Any] = {}
    conditions: list[Condition] = []
    for name, raw in grouped.items():
        if name in _OPTIONS:
            options[_OPTIONS[name][0]] = _OPTIONS[name][1](name, raw)
        else:
            conditions.append(_condition(name, raw, prefixes or {}))
    if len(conditions) > MAX_CONDITIONS or sum(len(c.values) for c in conditions) > MAX_VALUES:
        raise QueryTooComplexError(
            f"at most {MAX_CONDITIONS} parameters and {MAX_VALUES} values per query"
        )
    if "order_by" in options:
        options.setdefault(
            "descending", True
        )  # EPCIS 2.0 §8.2.7.1: orderDirection defaults to DESC
    params = QueryParams(conditions=tuple(conditions), **options)
    if params.event_count_limit is not None and params.max_event_count is not None:
        raise QueryParameterError("eventCountLimit", "cannot be combined with maxEventCount")
    if params.event_count_limit is not None and params.order_by is None:
        raise QueryParameterError("eventCountLimit", "needs orderBy")
    return params


def _nothing(name: str, raw: list[str]) -> tuple[str, ...]:
    del name, raw
    return ()


def _one(name: str, raw: list[str]) -> str:
    if len(raw) != 1:
        raise QueryParameterError(name, "expected a single value")
    return raw[0].strip()


def _list(name: str, raw: list[str]) -> tuple[str, ...]:
    values = tuple(v.strip() for r in raw for v in re.split(r"[|,]", r) if v.strip())
    if not values:
        raise QueryParameterError(name, "expected at least one value")
    return values


def _count(name: str, raw: list[str]) -> int:
    text = _one(name, raw)
    if not text.isdigit() or int(text) < 1:
        raise QueryParameterError(name, f"expected a positive integer, got {text!r}")
    return int(text)


def _time(name: str, raw: list[str]) -> datetime:
    text = _one(name, raw)
    try:
        value = datetime.fromisoformat(text.replace(" ", "+"))  # '+' arrives as ' ' unencoded
    except ValueError:
        raise QueryParameterError(name, f"expected an ISO 8601 time, got {text!r}") from None
    if value.tzinfo is None:
        raise QueryParameterError(name, f"{text!r} has no time zone offset")
    return value


def _number(name: str, raw: list[str]) -> float:
    text = _one(name, raw)
    try:
        return float(text)
    except ValueError:
        raise QueryParameterError(name, f"expected a number, got {text!r}") from None


def _order_by(name: str, raw: list[str]) -> str:
    value = _one(name, raw)
    if value not in {"eventTime", "recordTime"}:
        raise QueryParameterError(name, f"expected eventTime or recordTime, got {value!r}")
    return value


def _direction(name: str, raw: list[str]) -> bool:
    value = _one(name, raw).upper()
    if value not in {"ASC", "DESC"}:
        raise QueryParameterError(name, f"expected ASC or DESC, got {value!r}")
    return value == "DESC"


_OPTIONS: Final[dict[str, tuple[str, Callable[[str, list[str]], Any]]]] = {
    "orderBy": ("order_by", _order_by),
    "orderDirection": ("descending", _direction),
    "eventCountLimit": ("event_count_limit", _count),
    "maxEventCount": ("max_event_count", _count),
    "perPage": ("per_page", _count),
    "nextPageToken": ("next_page_token", _one),
}


def _vocab(kind: str) -> Callable[[str, list[str]], tuple[str, ...]]:
    def parse(name: str, raw: list[str]) -> tuple[str, ...]:
        return tuple(normalise_vocab(v, kind, {}) or v for v in _list(name, raw))

    return parse


def _ids(name: str, raw: list[str]) -> tuple[str, ...]:
    return tuple(canonical_id(v) for v in _list(name, raw))


def _actions(name: str, raw: list[str]) -> tuple[str, ...]:
    values = _list(name, raw)
    for value in values:
        if value not in {"ADD", "OBSERVE", "DELETE"}:
            raise QueryParameterError(name, f"expected ADD, OBSERVE or DELETE, got {value!r}")
    return values


def _types(name: str, raw: list[str]) -> tuple[str, ...]:
    return _list(name, raw)


# name -> (op, field, value parser)
_FIXED: Final[dict[str, tuple[str, str, Callable[[str, list[str]], Any]]]] = {
    "eventType": ("EQ", "type", _types),
    "GE_eventTime": ("GE", "eventTime", _time),
    "LT_eventTime": ("LT", "eventTime", _time),
    "GE_recordTime": ("GE", "recordTime", _time),
    "LT_recordTime": ("LT", "recordTime", _time),
    "EQ_action": ("EQ", "action", _actions),
    "EQ_bizStep": ("EQ", "bizStep", _vocab("BizStep")),
    "EQ_disposition": ("EQ", "disposition", _vocab("Disp")),
    "EQ_persistentDisposition_set": ("EQ", "persistentDisposition.set", _vocab("Disp")),
    "EQ_persistentDisposition_unset": ("EQ", "persistentDisposition.unset", _vocab("Disp")),
    "EQ_readPoint": ("EQ", "readPoint", _ids),
    "WD_readPoint": ("WD", "readPoint", _ids),
    "EQ_bizLocation": ("EQ", "bizLocation", _ids),
    "WD_bizLocation": ("WD", "bizLocation", _ids),
    "EQ_transformationID": ("EQ", "transformationID", _list),
    "EQ_eventID": ("EQ", "eventID", _list),
    "EXISTS_errorDeclaration": ("EXISTS", "errorDeclaration", _nothing),
    "GE_errorDeclarationTime": ("GE", "errorDeclaration.declarationTime", _time),
    "LT_errorDeclarationTime": ("LT", "errorDeclaration.declarationTime", _time),
    "GE_errorDeclaration_Time": ("GE", "errorDeclaration.declarationTime", _time),
    "LT_errorDeclaration_Time": ("LT", "errorDeclaration.declarationTime", _time),
    "EQ_errorReason": ("EQ", "errorDeclaration.reason", _vocab("ER")),
    "EQ_correctiveEventID": ("EQ", "errorDeclaration.correctiveEventIDs", _list),
    "EXISTS_sensorElementList": ("EXISTS", "sensorElementList", _nothing),
    **{f"{op}_{t}": (op, "sensor", _time) for t in _SENSOR_TIMES for op in ("GE", "LT")},
    **{f"EQ_{f}": ("EQ", "sensor", _list) for f in _SENSOR_EQ},
    **{f"{op}_percRank": (op, "sensor", _number) for op in ("GE", "LT", "GT", "LE")},
    **{f"MATCH_{f}": ("MATCH", "links", _list) for f in _MATCH_ROLES},
}


def _condition(  # noqa: PLR0911  one return per parameter family
    name: str, raw: list[str], prefixes: Mapping[str, str]
) -> Condition:
    if name in _FIXED:
        op, field, parse = _FIXED[name]
        value = parse(name, raw)
        values = value if isinstance(value, tuple) else (value,)
        if name.startswith("MATCH_"):
            return _match(name, values)
        if field == "sensor":
            return Condition(name, op, field, _sensor_values(name, values), key=name[3:])
        return Condition(name, op, field, values)
    for kind, pattern in _PATTERNS:
        found = pattern.fullmatch(name)
        if found is None:
            continue
        groups = found.groupdict()
        if kind == "party":
            vocab = "BTT" if groups["field"] == "bizTransaction" else "SDT"
            key = normalise_vocab(groups["key"], vocab, {}) or groups["key"]
            return Condition(name, "EQ", groups["field"] + "List", _list(name, raw), key=key)
        if kind in {"hasattr", "eqattr", "location_ext"}:
            return _location_condition(name, kind, groups, raw)
        if kind in {"quantity", "sensor_value"}:
            field = "quantity" if kind == "quantity" else "sensor_value"
            sub = groups.get("field") or ""
            key = f"{sub}_{groups['key']}" if sub else groups["key"] or ""
            return Condition(name, groups["op"], field, (_number(name, raw),), key=key)
        clark = _clark(groups["key"], prefixes)
        if clark is not None:
            op = groups["op"]
            values = (
                () if op == "EXISTS" else _list(name, raw) if op == "EQ" else (_one(name, raw),)
            )
            scope = groups["scope"].rstrip("_")
            return Condition(name, groups["op"], "ext", values, key=clark, scope=scope)
    raise QueryParameterError(name, "unknown query parameter")


def _location_condition(
    name: str, kind: str, groups: Mapping[str, str], raw: list[str]
) -> Condition:
    """``HASATTR_{field}``, ``EQ_ATTR_{field}_{attr}``, or an extension field in a location.

    ``HASATTR_`` values are attribute names, ``EQ_ATTR_`` values attribute values; extension
    fields inside a location are not evaluated (they match nothing).
    """
    if kind == "location_ext":
        return Condition(name, "NONE", "location_ext", tuple(raw))
    where = groups["field"]
    if where not in LOCATION_FIELDS:
        prefix = "HASATTR_" if kind == "hasattr" else "EQ_ATTR_"
        raise QueryParameterError(
            name,
            f"master-data attributes can be queried for {prefix}readPoint and "
            f"{prefix}bizLocation only, not for {where!r}"
            if where
            else f"expected {prefix}readPoint or {prefix}bizLocation",
        )
    if kind == "hasattr":
        names = tuple(dict.fromkeys(_attribute_name(name, n) for n in _list(name, raw)))
        return Condition(name, "HASATTR", where, names)
    key = _attribute_name(name, groups["key"])
    return Condition(name, "EQATTR", where, _list(name, raw), key=key)


def _attribute_name(parameter: str, text: str) -> str:
    if not _ATTRIBUTE_NAME.fullmatch(text):
        raise QueryParameterError(
            parameter, f"expected a master-data attribute name (a URI), got {text!r}"
        )
    return attribute_key(text)


def attribute_key(name: str) -> str:
    """The name a master-data attribute is compared by (stored keys and query names alike).

    CBV 2.0 §8 attributes have one key whatever the spelling; other names are kept as written.

    >>> attribute_key("cbvmda:city"), attribute_key("city")
    ('urn:epcglobal:cbv:mda#city', 'urn:epcglobal:cbv:mda#city')
    >>> attribute_key("https://example.com/mda#region")
    'https://example.com/mda#region'
    """
    for prefix in _CBV_MDA_SPELLINGS:
        if name.startswith(prefix) and len(name) > len(prefix):
            return CBV_MDA + name[len(prefix) :]
    if name and not any(c in name for c in ":#/"):
        return CBV_MDA + name
    return name


def attribute_spellings(key: str) -> tuple[str, ...]:
    """Every stored key that ``attribute_key`` maps to ``key``, to find elements by key in SQL.

    For every string ``s``: ``s in attribute_spellings(attribute_key(s))``.
    """
    if key.startswith(CBV_MDA) and len(key) > len(CBV_MDA):
        local = key[len(CBV_MDA) :]
        return (*(prefix + local for prefix in _CBV_MDA_SPELLINGS), local)
    return (key,)


def _match(name: str, values: tuple[str, ...]) -> Condition:
    try:
        matchers = tuple(matcher(v) for v in values)
    except ValueError as exc:
        raise QueryParameterError(name, str(exc)) from None
    roles = _MATCH_ROLES[name.removeprefix("MATCH_")]
    return Condition(name, "MATCH", "links", matchers, key=",".join(roles))


def _sensor_values(name: str, values: tuple[Any, ...]) -> tuple[Any, ...]:
    if name == "EQ_booleanValue":
        parsed = {"true": True, "false": False}
        if any(v.lower() not in parsed for v in values):
            raise QueryParameterError(name, "expected true or false")
        return tuple(parsed[v.lower()] for v in values)
    return values


def _clark(field: str, prefixes: Mapping[str, str]) -> str | None:
    """The Clark key ``{namespace}local`` of an extension field name, or None."""
    if field.startswith("{") and "}" in field:
        return field
    if "#" in field:
        namespace, _, local = field.rpartition("#")
        return f"{{{namespace}}}{local}" if namespace and local else None
    prefix, sep, local = field.partition(":")
    if sep and prefix in prefixes and local:
        return f"{{{prefixes[prefix]}}}{local}"
    return None

"""FSMA 204 electronic sortable spreadsheet (21 CFR 1.1455(c)(3)(ii)) of a recall's scope.

One row per critical tracking event (CTE) and traceability lot (TLC); a transformation has one
row per output lot and input lot, sharing the event id. CTEs from EPCIS (the GS1 US FSMA 204
mapping): TransformationEvent → transformation; bizStep ``shipping`` → shipping; ``receiving`` /
``arriving`` → receiving; ``commissioning`` (an ObjectEvent ADD that assigns a lot) → initial
packing. Holds, packing and inspections are not CTEs. TLC = GTIN + lot (an LGTIN class, or the
lot of a serialised item from its ILMD ``lotNumber``); a container stands for the lots it carried
at the time of the event.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from events.domain.links import canonical_id
from events.lineage import Happening
from events.trace_summary import GTIN, LOT, ilmd_lot, term

COLUMNS: Final = (
    "event_id",
    "cte",
    "event_date",
    "event_time",
    "traceability_lot_code",
    "product_description",
    "quantity",
    "unit_of_measure",
    "location_description",
    "ship_from_location",
    "ship_to_location",
    "immediate_previous_source",
    "tlc_source_location",
    "tlc_source_reference",
    "reference_document_type",
    "reference_document_number",
    "input_traceability_lot_code",
    "input_quantity",
    "input_unit_of_measure",
)
EMPTY_ALWAYS: Final = ("tlc_source_reference",)
_MAX_CONTENTS: Final = 1_000_000
_SERIAL: Final = re.compile(r"/21/([^/?]+)")
_CTE_STEPS: Final = {
    "shipping": "shipping",
    "receiving": "receiving",
    "arriving": "receiving",
    "commissioning": "initial_packing",
}
_RECIPIENT: Final = ("location", "owning_party", "possessing_party")


def tlc_label(tlc: str) -> str:
    """A TLC as a GS1 element string, ``(01)GTIN(10)LOT`` (other codes as they are)."""
    gtin, lot = GTIN.search(tlc), LOT.search(tlc)
    if gtin and lot:
        return f"(01){gtin.group(1)}(10){lot.group(1)}"
    return tlc


def rows(
    scope: Mapping[str, Any], naming: Mapping[str, Sequence[Happening]]
) -> list[dict[str, Any]]:
    """The spreadsheet rows, sorted by event time, event id and lot."""
    lots = _lots(scope, naming)
    events: dict[str, Happening] = {}
    for happenings in naming.values():
        for happening in happenings:
            events.setdefault(happening.event_id, happening)
    found: list[tuple[Mapping[str, Any], str, dict[str, Any]]] = []
    for happening in events.values():
        payload = happening.payload
        cte = _cte(payload)
        if cte is not None:
            found += [(payload, cte, line) for line in _lines(payload, cte, lots, scope)]
    sources = _tlc_sources(found)
    table = [_row(payload, cte, line, sources) for payload, cte, line in found]
    return sorted(table, key=lambda r: (r["event_time"], r["event_id"], r["traceability_lot_code"]))


def _cte(payload: Mapping[str, Any]) -> str | None:
    if payload.get("type") == "TransformationEvent":
        return "transformation"
    step = _CTE_STEPS.get(term(payload.get("bizStep")))
    if step == "initial_packing" and payload.get("action") != "ADD":
        return None
    return step


def _lots(scope: Mapping[str, Any], naming: Mapping[str, Sequence[Happening]]) -> dict[str, str]:
    """The TLC of each item and lot of the scope."""
    lots = {c["id"]: c["id"] for c in scope.get("classes", ())}
    for item in scope.get("items", ()):
        lots[item] = _item_lot(item, naming.get(item, ()))
    return lots


def _item_lot(item: str, happenings: Iterable[Happening]) -> str:
    gtin = GTIN.search(item)
    if gtin is None:
        return item
    for happening in happenings:
        lot = ilmd_lot(happening.payload)
        if lot is not None:
            return f"https://id.gs1.org/01/{gtin.group(1)}/10/{lot}"
    return item


def _objects(payload: Mapping[str, Any], ids: str, quantities: str) -> list[tuple[str, Any, Any]]:
    found: list[tuple[str, Any, Any]] = [(e, None, None) for e in payload.get(ids) or ()]
    found += [
        (q.get("epcClass"), q.get("quantity"), q.get("uom")) for q in payload.get(quantities) or ()
    ]
    return [(canonical_id(o), q, u) for o, q, u in found if isinstance(o, str)]


def _amounts(
    objects: Iterable[tuple[str, Any, Any]],
    lots: Mapping[str, str],
    contents: _Contents,
) -> dict[str, tuple[float, str | None]]:
    """Quantity per TLC: a lot's stated quantity, or one per item (EA), containers opened."""
    found: dict[str, list[Any]] = defaultdict(lambda: [0.0, None])
    for code, quantity, uom in objects:
        if code in lots and quantity is not None:
            line = found[lots[code]]
            line[0] += float(quantity)
            line[1] = uom
            continue
        for member in [code, *contents(code)]:
            if member in lots and not _is_class(member):
                line = found[lots[member]]
                line[0] += 1
                line[1] = line[1] or "EA"
    return {lot: (line[0], line[1]) for lot, line in found.items()}


def _is_class(code: str) -> bool:
    return GTIN.search(code) is not None and _SERIAL.search(code) is None


def _lines(
    payload: Mapping[str, Any], cte: str, lots: Mapping[str, str], scope: Mapping[str, Any]
) -> list[dict[str, Any]]:
    when = _time(payload.get("eventTime"))
    contents = _Contents(scope.get("edges", ()), when)
    if cte == "transformation":
        outputs = _amounts(_objects(payload, "outputEPCList", "outputQuantityList"), lots, contents)
        used = _objects(payload, "inputEPCList", "inputQuantityList")
        every_lot = {**lots, **{o: o for o, _q, _u in used if _is_class(o)}}
        inputs = _amounts(used, every_lot, contents)
        return [
            {"tlc": out, "amount": amount, "input": (tlc, used)}
            for out, amount in outputs.items()
            for tlc, used in (inputs.items() or [("", (None, None))])
        ]
    objects = _objects(payload, "epcList", "quantityList")
    objects += [(canonical_id(p), None, None) for p in [payload.get("parentID")] if p]
    objects += _objects(payload, "childEPCs", "childQuantityList")
    return [
        {"tlc": tlc, "amount": amount, "input": None}
        for tlc, amount in _amounts(objects, lots, contents).items()
    ]


class _Contents:
    """What a container carried at one time (time-aware, from the scope's ``child`` edges)."""

    def __init__(self, edges: Iterable[Mapping[str, Any]], when: datetime | None) -> None:
        self._children: dict[str, list[str]] = defaultdict(list)
        for edge in edges:
            if edge["relation"] == "child" and _during(edge, when):
                self._children[edge["dst"]].append(edge["src"])

    def __call__(self, code: str) -> list[str]:
        found: list[str] = []
        stack = list(self._children.get(code, ()))
        while stack and len(found) < _MAX_CONTENTS:
            child = stack.pop()
            found.append(child)
            stack += self._children.get(child, ())
        return found


def _during(edge: Mapping[str, Any], when: datetime | None) -> bool:
    start, end = _time(edge.get("event_time")), _time(edge.get("until_time"))
    if when is None or start is None:
        return True
    return start <= when and (end is None or when < end)


def _time(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _tlc_sources(found: Sequence[tuple[Mapping[str, Any], str, dict[str, Any]]]) -> dict[str, str]:
    """Where each lot was assigned: the location of its transformation or initial packing."""
    sources: dict[str, str] = {}
    for payload, cte, line in found:
        if cte in ("transformation", "initial_packing"):
            place = _place(payload)
            if place:
                sources.setdefault(line["tlc"], place)
    return sources


def _place(payload: Mapping[str, Any]) -> str:
    for key in ("bizLocation", "readPoint"):
        where = payload.get(key)
        if isinstance(where, Mapping) and isinstance(where.get("id"), str):
            return str(where["id"])
    return ""


def _party(payload: Mapping[str, Any], key: str, inner: str) -> str:
    by_type = {
        term(e.get("type")): e.get(inner) for e in payload.get(key) or () if isinstance(e, Mapping)
    }
    return next((str(by_type[t]) for t in _RECIPIENT if by_type.get(t)), "")


def _row(
    payload: Mapping[str, Any], cte: str, line: Mapping[str, Any], sources: Mapping[str, str]
) -> dict[str, Any]:
    tlc = line["tlc"]
    quantity, uom = line["amount"]
    gtin = GTIN.search(tlc)
    documents = [d for d in payload.get("bizTransactionList") or () if isinstance(d, Mapping)]
    place = _place(payload)
    stamp = str(payload.get("eventTime") or "")
    row = {
        "event_id": str(payload.get("eventID") or ""),
        "cte": cte,
        "event_date": stamp[:10],
        "event_time": stamp,
        "traceability_lot_code": tlc_label(tlc),
        "product_description": f"GTIN {gtin.group(1)}" if gtin else "",
        "quantity": quantity,
        "unit_of_measure": uom or "",
        "location_description": place,
        "ship_from_location": (_party(payload, "sourceList", "source") or place)
        if cte == "shipping"
        else "",
        "ship_to_location": _party(payload, "destinationList", "destination"),
        "immediate_previous_source": _party(payload, "sourceList", "source")
        if cte == "receiving"
        else "",
        "tlc_source_location": sources.get(tlc, ""),
        "tlc_source_reference": "",
        "reference_document_type": term(documents[0].get("type")) if documents else "",
        "reference_document_number": str(documents[0].get("bizTransaction", ""))
        if documents
        else "",
        "input_traceability_lot_code": "",
        "input_quantity": "",
        "input_unit_of_measure": "",
    }
    if line["input"] is not None:
        used_tlc, (used, used_uom) = line["input"]
        row["input_traceability_lot_code"] = tlc_label(used_tlc)
        row["input_quantity"] = "" if used is None else used
        row["input_unit_of_measure"] = used_uom or ""
    return row

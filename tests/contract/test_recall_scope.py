"""Recall scope, holds and the case store: the memory and SQL lineage stores agree; the case
store round-trips on SQLite and PostgreSQL; hold events fold into ``recalled`` states."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from events.adapters.sql_recalls import SqlRecalls
from events.adapters.sql_registry import SqlOrganisations
from events.capture import prepare
from events.domain.links import canonical_id
from events.domain.recalls import (
    HOLD_BATCH,
    RecallCase,
    confirm,
    hold_events,
    holder_progress,
)
from events.domain.state import ItemState, evolve
from events.lineage import MemoryLineage
from events.recalls import build_scope

NOW = datetime(2026, 7, 1, 9, tzinfo=UTC)
COCONUT = "urn:epc:class:lgtin:6901234.012345.COCO-1"
SUGAR = "urn:epc:class:lgtin:6901234.012347.SUGAR-7"
JUICE = "urn:epc:class:lgtin:6901234.054321.J1"
SIBLING = "urn:epc:class:lgtin:6901234.054321.J2"
BOTTLES = [f"urn:epc:id:sgtin:6901234.054321.B{n}" for n in range(1, 4)]
PALLET = "urn:epc:id:sscc:6901234.0000000099"
DISTRIBUTOR = "urn:epc:id:pgln:6901234.00009"


def chain() -> list[dict[str, Any]]:
    """Coconut + sugar → J1 → bottles on a pallet shipped to a distributor; coconut → J2."""

    def made(inputs: list[tuple[str, float]], output: dict[str, Any]) -> dict[str, Any]:
        used = [{"epcClass": c, "quantity": q, "uom": "KGM"} for c, q in inputs]
        return {"type": "TransformationEvent", "inputQuantityList": used, **output}

    steps = [
        made([(COCONUT, 100), (SUGAR, 8)], {"outputQuantityList": [{"epcClass": JUICE}]}),
        made([(COCONUT, 50)], {"outputQuantityList": [{"epcClass": SIBLING}]}),
        made([(JUICE, 120)], {"outputEPCList": BOTTLES}),
        {"type": "AggregationEvent", "action": "ADD", "parentID": PALLET, "childEPCs": BOTTLES},
        {
            "type": "ObjectEvent",
            "action": "OBSERVE",
            "epcList": [PALLET],
            "bizStep": "shipping",
            "destinationList": [{"type": "owning_party", "destination": DISTRIBUTOR}],
        },
    ]
    return [
        {**s, "eventTime": f"2026-06-01T0{i}:00:00+00:00", "eventTimeZoneOffset": "+00:00"}
        for i, s in enumerate(steps)
    ]


def memory() -> MemoryLineage:
    records = [prepare(e, None, None) for e in chain()]
    return MemoryLineage((i + 1, r.event_id, r.kind, r.payload) for i, r in enumerate(records))


def test_scope_on_the_memory_store() -> None:
    scope = build_scope(memory(), [SUGAR])
    assert scope["items"] == sorted(canonical_id(b) for b in BOTTLES)
    assert {c["id"] for c in scope["classes"]} == {canonical_id(SUGAR), canonical_id(JUICE)}
    assert {h["holder"]: h["items"] for h in scope["holders"]}[DISTRIBUTOR] == len(BOTTLES)
    wide = build_scope(memory(), [BOTTLES[0]], include_siblings=True)
    assert canonical_id(SIBLING) in {c["id"] for c in wide["classes"]}


def test_hold_events_batch_and_fold_into_recalled() -> None:
    items = [f"https://id.gs1.org/01/06901234543210/21/S{n}" for n in range(HOLD_BATCH + 1)]
    events = hold_events(items, ["https://id.gs1.org/01/06901234543210/10/L1"], NOW, "RC-1")
    assert [len(e["epcList"]) for e in events] == [HOLD_BATCH, 1, 0]
    assert len({e["eventID"] for e in events}) == len(events)
    states: dict[str, ItemState] = {}
    for position, event in enumerate(events, 1):
        evolve(states, event, position)
    assert {s.disposition for s in states.values()} == {"recalled"}
    assert {s.persistent for s in states.values()} == {("recalled",)}


def test_case_store_round_trip(connection: Connection) -> None:
    org = SqlOrganisations(connection).add("Recall Co", company_prefixes=["6901234"])
    scope = build_scope(memory(), [SUGAR])
    holders = tuple(holder_progress(scope["holders"]))
    case = RecallCase(
        "RC-T1",
        org.id,
        "SO2",
        (SUGAR,),
        include_siblings=False,
        created_at=NOW,
        scope=scope,
        hold_event_ids=("e1",),
        holders=holders,
    )
    store = SqlRecalls(connection)
    store.add(case)
    loaded = store.get(org.id, "RC-T1")
    assert loaded is not None
    assert loaded.scope == scope
    assert loaded.holders == holders
    assert store.get(org.id + 1, "RC-T1") is None
    store.record_confirmation("RC-T1", confirm(loaded, DISTRIBUTOR, 2, 1, NOW))
    store.close("RC-T1", NOW)
    again = store.get(None, "RC-T1")
    assert again is not None
    assert again.status == "closed"
    (line,) = [h for h in again.holders if h.holder == DISTRIBUTOR]
    assert (line.returned, line.destroyed, line.outstanding) == (2, 1, len(BOTTLES) - 3)
    assert [e["what"] for e in again.to_json()["timeline"]] == [
        "opened", "held", "confirmed", "closed"
    ]  # fmt: skip
    assert [c.id for c in store.list(org.id)] == ["RC-T1"]

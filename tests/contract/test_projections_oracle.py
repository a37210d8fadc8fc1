"""SQL projections equal the pure fold over non-erroneous events, incrementally and rebuilt.

Random histories (commission, observe, pack/unpack incl. "unpack all", transform, ship,
persistent dispositions, error declarations), applied in random batch splits, on SQLite and
PostgreSQL, are compared with ``events.domain.state.evolve`` replayed in plain Python.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, delete

from events.adapters.sql_ledger import SqlLedger
from events.adapters.sql_projections import SqlProjections, backfill_containment_ends
from events.adapters.tables import containment_ends
from events.domain import EventRecord
from events.domain.state import ItemState, evolve
from identifiers import gs1_check_digit

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def sgtin(n: int) -> str:
    body = f"069012340000{n % 10}"[:13]
    return f"urn:epc:id:sgtin:6901234.0{body[8:12]}.S{n}"


ITEMS = [sgtin(n) for n in range(6)] + [
    f"https://id.gs1.org/01/0690123400001{gs1_check_digit('0690123400001')}/21/D{n}"
    for n in range(2)
]
PARENTS = [f"urn:epc:id:sscc:6901234.{n:010d}" for n in range(3)]

ITEM, CASE, SITE = ITEMS[0], PARENTS[0], "urn:epc:id:sgln:6901234.00001.0"
LOT = "urn:epc:class:lgtin:6901234.000001.L1"
item = st.sampled_from(ITEMS)
parent = st.sampled_from(PARENTS)
where = st.sampled_from(["urn:epc:id:sgln:6901234.00001.0", "urn:epc:id:sgln:6901234.00002.0"])

object_event = st.builds(
    lambda epcs, action, disp, loc, pset: {
        "type": "ObjectEvent",
        "action": action,
        "epcList": epcs,
        **({"disposition": disp} if disp else {}),
        "bizLocation": {"id": loc},
        **({"persistentDisposition": {"set": [pset]}} if pset else {}),
    },
    st.lists(item, min_size=1, max_size=3, unique=True),
    st.sampled_from(["ADD", "OBSERVE", "DELETE"]),
    st.none() | st.sampled_from(["in_progress", "recalled", "in_transit"]),
    where,
    st.none() | st.just("recalled"),
)
aggregation = st.builds(
    lambda p, children, action: {
        "type": "AggregationEvent",
        "action": action,
        "parentID": p,
        **({"childEPCs": children} if children or action != "DELETE" else {}),
    },
    parent,
    st.lists(item, max_size=3, unique=True),
    st.sampled_from(["ADD", "ADD", "DELETE", "OBSERVE"]),
)
transformation = st.builds(
    lambda inputs, outputs: {
        "type": "TransformationEvent",
        "inputEPCList": inputs,
        "outputEPCList": outputs,
    },
    st.lists(item, min_size=1, max_size=2, unique=True),
    st.lists(item, min_size=1, max_size=2, unique=True),
)
shipping = st.builds(
    lambda epcs, to: {
        "type": "ObjectEvent",
        "action": "OBSERVE",
        "bizStep": "shipping",
        "epcList": epcs,
        "destinationList": [{"type": "owning_party", "destination": to}],
    },
    st.lists(item | parent, min_size=1, max_size=2, unique=True),
    st.sampled_from(["urn:epc:id:pgln:6901234.00009", "urn:epc:id:pgln:6901234.00008"]),
)
step = st.one_of(object_event, aggregation, transformation, shipping) | st.integers(0, 30)


def records(steps: list) -> list[EventRecord]:
    made: list[EventRecord] = []
    for n, step_ in enumerate(steps):
        when = T0 + timedelta(minutes=n)
        if isinstance(step_, int):  # declare an earlier event erroneous
            declared = {r.event_id for r in made if r.kind == "declaration"}
            originals = [r for r in made if r.kind == "event" and r.event_id not in declared]
            if not originals:
                continue
            target = originals[step_ % len(originals)]
            payload = {
                **target.payload,
                "errorDeclaration": {
                    "declarationTime": when.isoformat(),
                    "reason": "incorrect_data",
                },
            }
            made.append(
                EventRecord(
                    event_id=target.event_id,
                    event_type=target.event_type,
                    event_time=when,
                    payload=payload,
                    event_hash=f"h-decl-{n}",
                    kind="declaration",
                )
            )
            continue
        payload = {**step_, "eventTime": when.isoformat(), "eventID": f"urn:uuid:e{n}"}
        made.append(
            EventRecord(
                event_id=f"urn:uuid:e{n}",
                event_type=step_["type"],
                event_time=when,
                payload=payload,
                event_hash=f"h{n}",
            )
        )
    return made


def oracle(made: list[EventRecord]) -> dict[str, ItemState]:
    erroneous = {r.event_id for r in made if r.kind == "declaration"}
    states: dict[str, ItemState] = {}
    for position, record in enumerate(made, 1):
        if record.kind == "event" and record.event_id not in erroneous:
            evolve(states, record.payload, position)
    return states


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(step, min_size=1, max_size=25), cuts=st.lists(st.integers(1, 25), max_size=4))
@example(  # a declaration replays an item whose case is later emptied by a DELETE naming the case
    steps=[
        {"type": "ObjectEvent", "action": "ADD", "epcList": [ITEM], "bizLocation": {"id": SITE}},
        {"type": "AggregationEvent", "action": "ADD", "parentID": CASE, "childEPCs": [ITEM]},
        {"type": "ObjectEvent", "action": "ADD", "epcList": [ITEM], "bizLocation": {"id": SITE}},
        0,
        {"type": "AggregationEvent", "action": "DELETE", "parentID": CASE},
    ],
    cuts=[4],
)
@example(  # one input class listed twice: two edges with one key, the first is stored
    steps=[
        {
            "type": "TransformationEvent",
            "inputQuantityList": [
                {"epcClass": LOT, "quantity": 2, "uom": "KGM"},
                {"epcClass": LOT, "quantity": 3, "uom": "KGM"},
            ],
            "outputEPCList": [ITEM],
        }
    ],
    cuts=[],
)
def test_incremental_and_rebuilt_projections_equal_the_fold(
    connection: Connection, steps, cuts
) -> None:
    savepoint = connection.begin_nested()
    try:
        made = records(steps)
        ledger, projections = SqlLedger(connection), SqlProjections(connection)
        start = ledger.last_position()
        bounds = sorted({0, len(made), *(c for c in cuts if c < len(made))})
        for lo, hi in pairwise(bounds):
            projections.apply(ledger.append_many(made[lo:hi]))
        expected = oracle(made)
        shifted = dict(expected)
        got = {s.item: s for s in projections.all_states()}
        assert {k: _unshift(v, start) for k, v in got.items()} == shifted
        incremental = (
            projections.all_states(),
            projections.all_edges(),
            projections.all_containment_ends(),
            projections.erroneous(),
        )
        projections.rebuild(ledger)
        assert (
            projections.all_states(),
            projections.all_edges(),
            projections.all_containment_ends(),
            projections.erroneous(),
        ) == incremental
        # migration 0007 fills the table from a stored ledger: the same rows
        connection.execute(delete(containment_ends))
        backfill_containment_ends(connection)
        assert projections.all_containment_ends() == incremental[2]
    finally:
        savepoint.rollback()


def _unshift(state: ItemState, start: int) -> ItemState:
    """Positions in the shared test database start after earlier tests' events."""
    return state._replace(last_position=state.last_position - start)

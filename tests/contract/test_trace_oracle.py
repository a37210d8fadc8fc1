"""Forward and backward traces equal a brute-force oracle, on memory, SQLite and PostgreSQL.

Random supply histories (commission/observe/inspect/ship with locations and parties,
pack/unpack incl. "unpack all" and repacking into another parent, associations,
transformations at instance and class level with quantities, error declarations), with every
code spelled at random as an EPC URN or a GS1 Digital Link. The oracle replays the
non-erroneous events in plain Python, builds the whole graph naively (every containment edge
with its end found by scanning all later events) and walks it to a fixpoint.
"""

from __future__ import annotations

import functools
import itertools
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.adapters import make_engine, sql_bulk, sql_lineage
from events.adapters.sql_uow import SqlUnitOfWork
from events.capture import capture
from events.domain.links import canonical_id
from events.lineage import MemoryLineage
from events.trace import FOREVER, Trace, backward, forward

T0 = datetime(2026, 3, 1, tzinfo=UTC)
NONCE = itertools.count(1)
LOCATIONS = ["urn:epc:id:sgln:6901234.00001.0", "https://id.gs1.org/414/6901234000023"]
PARTIES = ["urn:epc:id:pgln:6901234.00009", "https://id.gs1.org/417/6901234000085"]

spelling = st.booleans()
ref = st.tuples(st.integers(0, 3), spelling)  # (which object, URN or Digital Link)
cls = st.tuples(st.integers(0, 2), spelling)
box = st.tuples(st.integers(0, 1), spelling)
obj = st.tuples(
    st.sampled_from(["obj"]),
    st.lists(ref, min_size=1, max_size=3),
    st.sampled_from(["ADD", "OBSERVE", "DELETE"]),
    st.sampled_from([None, "inspecting", "shipping", "receiving"]),
    st.integers(0, 1),
    st.none() | st.integers(0, 1),
    st.booleans(),
)
# a parent: a box (SSCC 0-1) or, so that an associated parent can have inputs, an item (2-3)
holder = box | st.tuples(st.integers(2, 3), spelling)
agg = st.tuples(
    st.sampled_from(["agg", "assoc"]),
    holder,
    st.lists(ref | box, max_size=3),
    st.lists(cls, max_size=1),
    st.sampled_from(["ADD", "ADD", "DELETE", "DELETE", "OBSERVE"]),
)
trans = st.tuples(
    st.sampled_from(["trans"]),
    st.lists(ref, max_size=2),
    st.lists(cls, max_size=2),
    st.lists(ref, max_size=2),
    st.lists(cls, max_size=1),
    st.none() | st.integers(0, 1),  # where it happened: a location edge per object
)
step = st.one_of(agg, obj, trans, st.tuples(st.just("declare"), st.integers(0, 40)))
histories = st.lists(step, min_size=8, max_size=30)


def materialise(steps: list[tuple[Any, ...]]) -> list[dict[str, Any]]:  # noqa: C901, PLR0912
    """EPCIS events (JSON-LD shape) for ``steps``, with codes unique to this history."""
    n = next(NONCE)

    def item(k: int, urn: bool) -> str:  # noqa: FBT001
        text = f"urn:epc:id:sgtin:6901234.012345.X{n}S{k}"
        return text if urn else canonical_id(text)

    def lot(k: int, urn: bool) -> str:  # noqa: FBT001
        text = f"urn:epc:class:lgtin:6901234.012345.X{n}L{k}"
        return text if urn else canonical_id(text)

    def sscc(k: int, urn: bool) -> str:  # noqa: FBT001
        text = f"urn:epc:id:sscc:6901234.{n * 10 + k:010d}"
        return text if urn else canonical_id(text)

    def code(choice: tuple[int, bool], kind: str) -> str:
        return {"item": item, "lot": lot, "box": sscc}[kind](*choice)

    def qty(choices: list[tuple[int, bool]]) -> list[dict[str, Any]]:
        return [{"epcClass": lot(*c), "quantity": 5 + c[0], "uom": "KGM"} for c in choices]

    events: list[dict[str, Any]] = []
    for i, s in enumerate(steps):
        base = {
            "eventTime": (T0 + timedelta(minutes=i)).isoformat(),
            "eventTimeZoneOffset": "+00:00",
            "eventID": f"urn:uuid:00000000-0000-4000-8000-{n:06d}{i:06d}",
        }
        if s[0] == "declare":
            originals = [e for e in events if "errorDeclaration" not in e]
            declared = {e["eventID"] for e in events if "errorDeclaration" in e}
            left = [e for e in originals if e["eventID"] not in declared]
            if left:
                target = left[s[1] % len(left)]
                events.append(
                    {
                        **target,
                        "errorDeclaration": {
                            "declarationTime": base["eventTime"],
                            "reason": "incorrect_data",
                        },
                    }
                )
            continue
        if s[0] == "obj":
            _, refs, action, biz, loc, dest, src = s
            event = {
                **base,
                "type": "ObjectEvent",
                "action": action,
                "epcList": [code(r, "item") for r in refs],
                "bizLocation": {"id": LOCATIONS[loc]},
                "readPoint": {"id": LOCATIONS[1 - loc]},
            }
            if biz:
                event["bizStep"] = biz
            if biz == "inspecting":
                event["disposition"] = "conformant"
            if dest is not None:
                event["destinationList"] = [{"type": "owning_party", "destination": PARTIES[dest]}]
            if src:
                event["sourceList"] = [{"type": "location", "source": LOCATIONS[0]}]
        elif s[0] in ("agg", "assoc"):
            _, parent, children, classes, action = s
            if s[0] == "assoc" and action == "OBSERVE":
                action = "ADD"
            kids = [code(c, "item") if c[0] > 1 else code(c, "box") for c in children]
            parent_code = code(parent, "item") if parent[0] > 1 else code(parent, "box")
            kids = list(
                dict.fromkeys(k for k in kids if canonical_id(k) != canonical_id(parent_code))
            )
            event = {
                **base,
                "type": "AggregationEvent" if s[0] == "agg" else "AssociationEvent",
                "action": action,
                "parentID": parent_code,
            }
            if kids or action != "DELETE":
                event["childEPCs"] = kids
            if classes and action != "DELETE":
                event["childQuantityList"] = qty(classes)
        else:
            _, ins, in_cls, outs, out_cls, loc = s
            if not (ins or in_cls) or not (outs or out_cls):
                continue
            event = {
                **base,
                "type": "TransformationEvent",
                "inputEPCList": list(dict.fromkeys(code(r, "item") for r in ins)),
                "inputQuantityList": qty(list(dict.fromkeys(in_cls))),
                "outputEPCList": list(dict.fromkeys(code(r, "item") for r in outs)),
                "outputQuantityList": qty(list(dict.fromkeys(out_cls))),
                **({} if loc is None else {"bizLocation": {"id": LOCATIONS[loc]}}),
            }
        events.append(event)
    return events


# ---------------------------------------------------------------- the oracle, naively
def oracle(events: list[dict[str, Any]], root: str, direction: str) -> tuple[set, set, set]:  # noqa: C901, PLR0912, PLR0915
    declared = {e["eventID"] for e in events if "errorDeclaration" in e}
    valid = [
        (p, e)
        for p, e in enumerate(events, 1)
        if "errorDeclaration" not in e and e["eventID"] not in declared
    ]
    c = canonical_id

    def kids(e: dict[str, Any]) -> list[str]:
        return [c(x) for x in e.get("childEPCs") or []] + [
            c(q["epcClass"]) for q in e.get("childQuantityList") or []
        ]

    links = []
    for p, e in valid:
        if e["type"] in ("AggregationEvent", "AssociationEvent") and e["action"] == "ADD":
            relation = "child" if e["type"] == "AggregationEvent" else "associated"
            for k in kids(e):
                links.append((k, c(e["parentID"]), relation, p, e))  # noqa: PERF401
        if e["type"] == "TransformationEvent":
            ins = [(c(x), None, None) for x in e["inputEPCList"]] + [
                (c(q["epcClass"]), float(q["quantity"]), q["uom"]) for q in e["inputQuantityList"]
            ]
            outs = [c(x) for x in e["outputEPCList"]] + [
                c(q["epcClass"]) for q in e["outputQuantityList"]
            ]
            links += [(i, o, "input", p, e, q, u) for i, q, u in ins for o in outs]

    def end(link: tuple) -> dict[str, Any] | None:
        src, dst, relation, p = link[:4]
        for later_p, e in valid:
            if later_p <= p:
                continue
            parent = c(e["parentID"]) if "parentID" in e else None
            if relation == "child" and e["type"] == "AggregationEvent":
                if e["action"] == "DELETE" and (src in kids(e) or (parent == dst and not kids(e))):
                    return {"p": later_p, "e": e}
                if e["action"] != "DELETE" and parent != dst and src in kids(e):
                    return {"p": later_p, "e": e}
            if relation == "associated" and e["type"] == "AssociationEvent" and parent == dst:  # noqa: SIM102
                if e["action"] == "DELETE" and (src in kids(e) or not kids(e)):
                    return {"p": later_p, "e": e}
        return None

    full = []
    for link in dict.fromkeys((x[0], x[1], x[2], x[3]) for x in links):
        whole = next(x for x in links if (x[0], x[1], x[2], x[3]) == link)
        ended = end(link) if link[2] != "input" else None
        quantity, uom = (whole[5], whole[6]) if link[2] == "input" else (None, None)
        full.append((*link, whole[4], quantity, uom, ended))

    states = {(root, "self", (0, FOREVER))}
    used = set()
    changed = True
    while changed:
        changed = False
        for node, role, (a, b) in states.copy():  # the walk adds states
            for src, dst, relation, p, e, quantity, uom, ended in full:
                until = ended["p"] if ended else FOREVER
                step = None
                if relation == "input" and role != "carrier":
                    if direction == "forward" and src == node:
                        step = (dst, "derived", (0, FOREVER))
                    if direction == "backward" and dst == node:
                        step = (src, "origin", (0, FOREVER))
                elif relation != "input" and max(a, p) < min(b, until):
                    span = (max(a, p), min(b, until))
                    if src == node:  # backward, an associated parent's inputs count too
                        associated = relation == "associated" and direction == "backward"
                        step = (dst, "associate" if associated else "carrier", span)
                    elif dst == node and role == "self":
                        step = (src, "self", span)
                if step:
                    edge = (
                        src,
                        dst,
                        relation,
                        e["eventID"],
                        e["eventTime"],
                        quantity,
                        uom,
                        ended["e"]["eventTime"] if ended else None,
                    )
                    used.add(edge)
                    if step not in states:
                        states.add(step)
                        changed = True
    nodes = {s[0] for s in states}
    # per event naming a traced object within its spans: its places and those objects
    timeline: dict[str, tuple[tuple[str, str, str, Any, frozenset], set[str]]] = {}
    for node in set(nodes):
        spans = [s[2] for s in states if s[0] == node]
        for p, e in valid:
            named = {
                c(x) for k in ("epcList", "inputEPCList", "outputEPCList") for x in e.get(k) or []
            }
            named |= set(kids(e)) | ({c(e["parentID"])} if "parentID" in e else set())
            named |= {
                c(q["epcClass"])
                for k in ("quantityList", "inputQuantityList", "outputQuantityList")
                for q in e.get(k) or []
            }
            if node not in named or not any(a <= p < b for a, b in spans):
                continue
            consumed = named_in(e, "inputEPCList", "inputQuantityList")
            made_here = named_in(e, "outputEPCList", "outputQuantityList")
            came_through = any(
                u[0] == node and u[2] == "input" and u[3] == e["eventID"] for u in used
            )
            if direction == "backward" and node in consumed - made_here and not came_through:
                continue  # another use of an input: where it went, not where it came from
            places = {
                (rel, c(e[key]["id"]))
                for key, rel in (("bizLocation", "biz_location"), ("readPoint", "read_point"))
                if key in e
            }
            places |= {
                (f"destination:{d['type']}", c(d["destination"]))
                for d in e.get("destinationList") or []
            }
            places |= {(f"source:{d['type']}", c(d["source"])) for d in e.get("sourceList") or []}
            what = (e["eventID"], e["eventTime"], e["type"], e.get("bizStep"), frozenset(places))
            timeline.setdefault(e["eventID"], (what, set()))[1].add(node)
    events = {(*what, frozenset(objects)) for what, objects in timeline.values()}
    nodes |= {edge[1] for edge in used} | {edge[0] for edge in used}
    nodes |= {place for *_what, places, _objects in events for _r, place in places}
    return nodes, set(used), events


def named_in(event: dict[str, Any], ids: str, quantities: str) -> set[str]:
    """The canonical objects of one instance list and one quantity list of ``event``."""
    return {canonical_id(x) for x in event.get(ids) or []} | {
        canonical_id(q["epcClass"]) for q in event.get(quantities) or []
    }


def shape(result: Trace) -> tuple[set, set, set]:
    edges = {
        (e.src, e.dst, e.relation, e.event_id, e.event_time, e.quantity, e.uom, e.until_time)
        for e in result.edges
    }
    events = {
        (e.event_id, e.event_time, e.type, e.biz_step, frozenset(e.places), frozenset(e.objects))
        for e in result.events
    }
    return {n.id for n in result.nodes}, edges, events


def check(store: Any, events: list[dict[str, Any]], roots: list[str]) -> None:
    for root in roots:
        for direction, walk in (("forward", forward), ("backward", backward)):
            result = walk(store, root)
            assert not result.truncated
            assert shape(result) == oracle(events, canonical_id(root), direction), (direction, root)
            assert len({n.id for n in result.nodes}) == len(result.nodes)
            assert len(set(result.edges)) == len(result.edges)  # no edge twice
            times = [(e.event_time, e.event_id) for e in result.events]
            assert times == sorted(set(times))  # each event once, in time order
            assert all(list(e.objects) == sorted(set(e.objects)) for e in result.events)
            assert all(len(set(e.places)) == len(e.places) for e in result.events)


def roots_of(events: list[dict[str, Any]]) -> list[str]:
    declared = {e["eventID"] for e in events if "errorDeclaration" in e}
    found = [
        x
        for e in events
        if e["eventID"] not in declared and "errorDeclaration" not in e
        for k in ("epcList", "childEPCs", "inputEPCList", "outputEPCList")
        for x in e.get(k) or []
    ] + [e["parentID"] for e in events if "parentID" in e and e["eventID"] not in declared]
    return list(dict.fromkeys(found))[:4]


def memory_store(events: list[dict[str, Any]]) -> MemoryLineage:
    return MemoryLineage(
        (p, e["eventID"], "declaration" if "errorDeclaration" in e else "event", e)
        for p, e in enumerate(events, 1)
    )


@settings(max_examples=150, deadline=None)
@given(steps=histories)
def test_memory_trace_equals_oracle(steps: list[tuple[Any, ...]]) -> None:
    events = materialise(steps)
    check(memory_store(events), events, roots_of(events))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=histories,
    cuts=st.sets(st.integers(1, 39), max_size=6),
    chunk=st.sampled_from([1, 2, 500]),
)
def test_sql_trace_equals_oracle(
    migrated_database_url: str, steps: list[tuple[Any, ...]], cuts: set[int], chunk: int
) -> None:
    # Its own database: captures commit, and other suites compare whole projection tables.
    engine = make_engine(migrated_database_url)
    try:
        events = materialise(steps)
        # Captured in several documents (cut at ``cuts``): a later capture must end the
        # containments earlier ones stored, as well as its own.
        bounds = [0, *sorted(c for c in cuts if c < len(events)), len(events)]
        for start, end in itertools.pairwise(bounds):
            outcome = capture(SqlUnitOfWork(engine), events[start:end], organisation_id=None)
            assert outcome.success, outcome.errors
        # Small chunks: each read in several statements, as a recall's thousands of codes are
        # (on PostgreSQL sent together in pipeline mode).
        in_chunks = functools.partial(sql_bulk.chunks, size=chunk)
        with (
            SqlUnitOfWork(engine, read_only=True) as uow,
            patch.object(sql_lineage, "chunks", in_chunks),
        ):
            check(uow.lineage, events, roots_of(events))
    finally:
        engine.dispose()


def test_a_cycle_and_a_deep_chain_end_with_truncated() -> None:
    chain = [
        {
            "type": "TransformationEvent",
            "eventID": f"urn:uuid:c{i}",
            "eventTime": T0.isoformat(),
            "inputEPCList": [f"urn:example:x{i}"],
            "outputEPCList": [f"urn:example:x{(i + 1) % 60}"],
        }
        for i in range(60)
    ]
    store = memory_store(chain)
    assert len(forward(store, "urn:example:x0").nodes) == 60  # a cycle: every node once
    deep = forward(store, "urn:example:x0", max_depth=10)
    assert deep.truncated and deep.bound == {"max_depth": 10, "max_nodes": 100_000}  # noqa: PT018
    assert forward(store, "urn:example:x0", max_nodes=5).truncated


def test_unknown_code_is_refused() -> None:
    from events.trace import UnknownCodeError  # noqa: PLC0415

    with pytest.raises(UnknownCodeError):
        backward(memory_store([]), "urn:epc:id:sgtin:6901234.012345.1")


def test_mixed_spellings_are_one_node() -> None:
    urn = "urn:epc:id:sgtin:6901234.012345.7"
    assert re.match(r"https://id\.gs1\.org/01/\d{14}/21/7", canonical_id(urn))

"""``States`` keeps each parent's children in step with the states (the index is a speed-up)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from events.domain.state import ItemState, States, evolve

items = st.sampled_from([f"i{n}" for n in range(6)])
parents = st.one_of(st.none(), st.sampled_from(["p0", "p1", "i0"]))
operations = st.lists(
    st.one_of(
        st.tuples(st.just("set"), items, parents),
        st.tuples(st.just("update"), items, parents),
        st.tuples(st.just("delete"), items, parents),
    ),
    max_size=40,
)


@given(operations)
def test_children_of_equals_a_scan(ops: list[tuple[str, str, str | None]]) -> None:
    states = States()
    for op, item, parent in ops:
        if op == "set":
            states[item] = ItemState(item, parent=parent)
        elif op == "update":
            states.update({item: ItemState(item, parent=parent)})
        elif item in states:
            del states[item]
        for candidate in ("p0", "p1", "i0"):
            scanned = sorted(i for i, s in states.items() if s.parent == candidate)
            assert states.children_of(candidate) == scanned


def test_a_delete_of_a_whole_parent_empties_it_as_with_a_plain_mapping() -> None:
    events = [
        {
            "type": "AggregationEvent",
            "action": "ADD",
            "parentID": "urn:x:case",
            "childEPCs": ["urn:x:a", "urn:x:b"],
            "eventTime": "2026-01-01T00:00:00Z",
        },
        {
            "type": "AggregationEvent",
            "action": "ADD",
            "parentID": "urn:x:other",
            "childEPCs": ["urn:x:c"],
            "eventTime": "2026-01-01T00:01:00Z",
        },
        {
            "type": "AggregationEvent",
            "action": "DELETE",
            "parentID": "urn:x:case",
            "eventTime": "2026-01-01T00:02:00Z",
        },
    ]
    indexed: States = States()
    plain: dict[str, ItemState] = {}
    for position, event in enumerate(events, 1):
        evolve(indexed, event, position)
        evolve(plain, event, position)
    assert dict(indexed) == plain
    assert indexed["urn:x:a"].parent is None
    assert indexed["urn:x:c"].parent == "urn:x:other"

"""``holding`` (item by item, from the events naming it) equals the fields ``evolve`` folds.

Random supply histories from ``test_trace_oracle`` (packing, "unpack all", repacking into
another parent, associations, transformations, shipments, error declarations), of which a random
subset is seen (as an organisation sees only its own events): for every item, ``holding`` over
the seen events naming it, with the parents' events for "unpack all", must equal holder, place,
parent and last position of the state ``evolve`` gives replaying the same events in order.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from events.domain.links import item_links
from events.domain.state import Facts, States, evolve, facts_of, holding, holding_of
from tests.contract.test_trace_oracle import histories, materialise


def seen_events(events: list[dict[str, Any]], mask: list[bool]) -> list[dict[str, Any]]:
    """The events of ``mask`` that count: not declarations, not declared erroneous."""
    declared = {e["eventID"] for e in events if "errorDeclaration" in e}
    return [
        e
        for e, seen in zip(events, mask, strict=False)
        if seen and "errorDeclaration" not in e and e["eventID"] not in declared
    ]


@settings(max_examples=1500, deadline=None)
@given(steps=histories, mask=st.lists(st.booleans(), min_size=40, max_size=40))
@example(  # packed, then its parent emptied by a DELETE naming no child: no parent now
    steps=[("agg", (0, False), [(1, False)], [], "ADD"), ("agg", (0, False), [], [], "DELETE")],
    mask=[True] * 40,
)
@example(  # packed, repacked elsewhere, then the first parent emptied: still in the second
    steps=[
        ("agg", (0, False), [(2, False)], [], "ADD"),
        ("agg", (3, False), [(2, False)], [], "ADD"),
        ("agg", (0, False), [], [], "DELETE"),
    ],
    mask=[True] * 40,
)
def test_holding_equals_the_fold(steps: list[tuple[Any, ...]], mask: list[bool]) -> None:
    events = seen_events(materialise(steps), mask)
    states = States()
    named: dict[str, list[tuple[int, str]]] = defaultdict(list)
    facts: dict[int, Facts] = {}
    for position, event in enumerate(events, start=1):
        evolve(states, event, position)
        facts[position] = facts_of(event)
        for item, role in item_links(event):
            named[item].append((position, role))

    def emptied_after(parent: str, position: int) -> bool:
        return any(p > position and r == "parent" and facts[p].empties for p, r in named[parent])

    for item, history in named.items():  # every object a seen event names has a state
        assert holding(history, facts, emptied_after) == holding_of(states[item]), item

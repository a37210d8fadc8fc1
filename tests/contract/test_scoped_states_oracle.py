"""An organisation's view of holdings and holders equals a replay of its own events.

Random supply histories (``test_trace_oracle``'s generator: packing, "unpack all", repacking,
associations, transformations, shipments, error declarations) are captured by two organisations,
each event by one of them at random. Scoped to an organisation, ``SqlLineage.holdings`` (holder,
place, parent, last position, worked out item by item by ``events.domain.state.holding``) must
give exactly the fields ``evolve`` gives replaying that organisation's non-erroneous events alone
(EPCIS 2.0 §7.4.1.2), whoever touched the item last; and ``holders_now`` over the scoped store
must give what it gives over the replayed states.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from events.adapters import make_engine
from events.adapters.sql_uow import SqlUnitOfWork
from events.capture import capture
from events.domain.links import canonical_id, item_links
from events.domain.state import Holding, States, evolve, holding_of
from events.trace_summary import holders_now
from tests.contract.test_trace_oracle import histories, materialise


def replayed(
    events: list[dict[str, Any]], owners: list[int], positions: list[int], organisation: int
) -> States:
    """The states ``organisation`` sees: its own non-erroneous events, replayed in order."""
    declared = {e["eventID"] for e in events if "errorDeclaration" in e}
    states = States()
    for event, owner, position in zip(events, owners, positions, strict=True):
        mine = owner == organisation and "errorDeclaration" not in event
        if mine and event["eventID"] not in declared:
            evolve(states, event, position)
    return states


RUN = itertools.count(1)  # organisation names unique per example (id() values get reused)


class Replayed:
    """A store whose holdings are the replay's (``holders_now`` reads nothing else)."""

    def __init__(self, states: States) -> None:
        self._states = states

    def holdings(self, items: Collection[str]) -> dict[str, Holding]:
        return {item: holding_of(self._states[item]) for item in items if item in self._states}


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=histories, choices=st.lists(st.sampled_from([0, 1]), min_size=40, max_size=40))
@example(  # a DELETE naming only a child outside the replayed items must not empty the parent
    steps=[
        ("agg", (0, False), [], [], "ADD"),
        ("agg", (2, False), [], [(0, False)], "ADD"),
        ("agg", (2, False), [(0, False)], [], "DELETE"),
    ],
    choices=[0] * 40,
)
def test_scoped_states_and_holders_equal_a_replay_of_own_events(
    migrated_database_url: str, steps: list[tuple[Any, ...]], choices: list[int]
) -> None:
    engine = make_engine(migrated_database_url)
    try:
        with SqlUnitOfWork(engine) as uow:
            run = next(RUN)
            names = [f"Scoped {run}-{k}" for k in (0, 1)]
            orgs = [uow.organisations.add(name).id for name in names]
            uow.commit()
        events = materialise(steps)
        owners: list[int] = []
        for index, event in enumerate(events):  # a declaration: by whoever captured the event
            first = next(i for i, e in enumerate(events) if e["eventID"] == event["eventID"])
            owners.append(owners[first] if first < index else orgs[choices[index % 40]])
        positions = []
        for event, owner in zip(events, owners, strict=True):  # one capture each, in order
            outcome = capture(SqlUnitOfWork(engine), [event], organisation_id=owner)
            assert outcome.success, outcome.errors
            positions.append(outcome.stored[0].position)
        items = sorted({canonical_id(i) for e in events for i, _r in item_links(e)})
        with SqlUnitOfWork(engine, read_only=True) as uow:
            for org in orgs:
                scoped = uow.lineage.scoped(org)
                expected = replayed(events, owners, positions, org)
                held = {i: holding_of(expected[i]) for i in items if i in expected}
                assert scoped.holdings(items) == held
                # Asked one at a time (parents before their contents), what a store read for
                # earlier items must not stand in for the events a later item needs.
                one_by_one = uow.lineage.scoped(org)
                for item in items:  # SSCCs (/00/) sort before the items (/01/)
                    assert one_by_one.holdings([item]) == (
                        {item: held[item]} if item in held else {}
                    )
                # holders_now asks the store for the goods, then for their parents in rounds
                goods = dict.fromkeys(items, "item")
                assert holders_now(scoped, goods, {}) == holders_now(
                    Replayed(expected),  # type: ignore[arg-type]  only holdings() is read
                    goods,
                    {},
                )
    finally:
        engine.dispose()

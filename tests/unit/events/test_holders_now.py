"""``holders_now`` equals the plain rule: per object, the newest holder and place along its chain.

The rule, as written here without the per-parent reuse: an object's chain is its state, its
parent's, and so on (``_MAX_PARENTS`` states at most, so a cycle ends); its holder is the holder
of the chain state with the newest last event among those with a holder (the first of equals),
its place likewise. Random states with shared parents, cycles, missing parents and equal
positions.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from events.domain.state import Holding, ItemState, holding_of
from events.trace_summary import _MAX_PARENTS, holders_now

NAMES = [f"o{i}" for i in range(8)]


def plain(states: dict[str, ItemState], goods: dict[str, str]) -> list[dict[str, Any]]:
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for node, kind in goods.items():
        chain: list[ItemState] = []
        item = states.get(node)
        while item is not None and len(chain) < _MAX_PARENTS:
            chain.append(item)
            item = states.get(item.parent) if item.parent else None
        held = [s for s in chain if s.holder]
        located = [s for s in chain if s.biz_location]
        holder = max(held, key=lambda s: s.last_position).holder if held else None
        place = max(located, key=lambda s: s.last_position).biz_location if located else None
        group = groups.setdefault(
            (holder or "", place or ""),
            {"holder": holder, "biz_location": place, "items": 0, "classes": []},
        )
        if kind == "class":
            group["classes"].append({"id": node, "used": []})
        else:
            group["items"] += 1
    return [groups[k] for k in sorted(groups)]


class Store:
    def __init__(self, states: dict[str, ItemState]) -> None:
        self._states = states

    def holdings(self, items: Collection[str]) -> dict[str, Holding]:
        return {i: holding_of(self._states[i]) for i in items if i in self._states}


state = st.builds(
    lambda parent, holder, place, position: (parent, holder, place, position),
    st.none() | st.sampled_from([*NAMES, "gone"]),  # "gone": a parent without a state
    st.none() | st.sampled_from(["h1", "h2", "h3"]),
    st.none() | st.sampled_from(["p1", "p2"]),
    st.integers(0, 4),  # few positions: ties are common
)


@settings(max_examples=500, deadline=None)
@given(
    fields=st.dictionaries(st.sampled_from(NAMES), state, max_size=8),
    goods=st.dictionaries(st.sampled_from([*NAMES, "unknown"]), st.sampled_from(["item", "class"])),
)
def test_holders_now_equals_the_plain_rule(
    fields: dict[str, tuple[Any, ...]], goods: dict[str, str]
) -> None:
    states = {
        name: ItemState(
            name, parent=parent, holder=holder, biz_location=place, last_position=position
        )
        for name, (parent, holder, place, position) in fields.items()
    }
    assert holders_now(Store(states), goods, {}) == plain(states, goods)  # type: ignore[arg-type]

"""The trace's edges come in the order of their fields: time, source, destination, relation, id."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from events.trace import TraceEdge, _in_order

# short texts from a small alphabet so that prefixes and ties are common
text = st.text(alphabet=st.sampled_from(["a", "b", "\x00", "中"]), max_size=2)
edges = st.lists(st.builds(TraceEdge, text, text, text, text, text), max_size=60)


@settings(max_examples=300)
@given(edges)
def test_edges_sort_as_their_fields_in_order(found: list[TraceEdge]) -> None:
    def fields(e: TraceEdge) -> tuple[str, ...]:
        return (e.event_time, e.src, e.dst, e.relation, e.event_id)

    assert [fields(e) for e in _in_order(found)] == sorted(map(fields, found))

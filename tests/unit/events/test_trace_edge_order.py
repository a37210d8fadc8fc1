"""The trace's one-string edge sort key orders edges exactly as the tuple of their fields."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from events.trace import TraceEdge, _edge_order

# short texts from a small alphabet so that prefixes and ties are common; NUL is excluded (no
# identifier, relation or time contains it), any other character may appear
text = st.text(alphabet=st.sampled_from(["a", "b", "/", "\x01", "é", "中", "0", "9"]), max_size=4)
edges = st.lists(st.builds(TraceEdge, text, text, text, text, text), max_size=60)


@given(edges)
def test_the_key_sorts_as_the_fields_in_order(found: list[TraceEdge]) -> None:
    def fields(e: TraceEdge) -> tuple[str, ...]:
        return (e.event_time, e.src, e.dst, e.relation, e.event_id)

    assert [fields(e) for e in sorted(found, key=_edge_order)] == sorted(map(fields, found))

"""Python's cyclic garbage collector, paused while one bulk computation allocates.

A forward recall builds some 10^5 small objects (links, happenings, states, graph edges), and a
capture of 10,000 events some 10^6 (records, payloads, states, rows), that refcounting frees on
its own; with the collector running, every 700 allocations start a young collection and the
growing heap sets off full ones: a third of a 10,000-item trace, and capture ran 1.4 times faster
without them (docs/PERFORMANCE.md).

The pause is per call and re-enables the collector on the way out only if it was running when
the call began, so concurrent or nested callers leave it as they found it (in any order of exit,
it ends enabled unless something else disabled it).

On the way out, the objects allocated while paused are moved to the oldest generation
(``gc.freeze()`` then ``gc.unfreeze()``) before the collector runs again. Left young, the first
allocation after ``gc.enable()`` starts a young collection that walks every one of them: the
trace's result and the store's caches, 30-55 ms after each forward recall. Most of them die with
the request, by refcount, and are never walked; the ones that live on are walked by the next full
collection, as any long-lived object is. Objects of other threads move too: their cyclic garbage
waits for that full collection instead of a young one (later, not lost). Small bodies (a
one-event capture) hand over too: tried with a 50,000-object floor, the one-event
`POST /epcis/events` p99 on PostgreSQL (8 clients, docs/PERFORMANCE.md) went from 96-98 ms to
108-110 ms in two runs each, as the survivors of every request went through the young
generations and set off more full collections.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the body with ``gc`` disabled; restore the previous setting afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()  # every tracked object to the permanent generation, ...
            gc.unfreeze()  # ... then to the oldest one, unscanned
            gc.enable()

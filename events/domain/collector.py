"""Python's cyclic garbage collector, paused while one bulk computation allocates.

A forward recall builds some 10^5 small objects (links, happenings, states, graph edges), and a
capture of 10,000 events some 10^6 (records, payloads, states, rows), that refcounting frees on
its own; with the collector running, every 700 allocations start a young collection and the
growing heap sets off full ones: a third of a 10,000-item trace, and capture ran 1.4 times faster
without them (docs/PERFORMANCE.md).

The pause is per call and re-enables the collector on the way out only if it was running when
the call began, so concurrent or nested callers leave it as they found it (in any order of exit,
it ends enabled unless something else disabled it).
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
            gc.enable()

"""The collector pause leaves ``gc`` as it found it, whatever happens in the body."""

from __future__ import annotations

import gc

import pytest

from events.domain.collector import collector_paused


@pytest.fixture(autouse=True)
def _restore_collector() -> object:
    was_enabled = gc.isenabled()
    yield
    if was_enabled:
        gc.enable()
    else:
        gc.disable()


def test_paused_inside_and_running_again_after() -> None:
    gc.enable()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_an_error_in_the_body_still_restarts_it() -> None:
    gc.enable()
    with pytest.raises(ValueError, match="boom"), collector_paused():
        raise ValueError("boom")
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled() -> None:
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_overlapping_pauses_end_with_it_running() -> None:
    gc.enable()
    outer, inner = collector_paused(), collector_paused()
    outer.__enter__()
    inner.__enter__()
    outer.__exit__(None, None, None)  # the first caller leaves before the second
    inner.__exit__(None, None, None)
    assert gc.isenabled()


def _in_generation(thing: object, generation: int) -> bool:
    return any(o is thing for o in gc.get_objects(generation=generation))


def test_what_the_body_kept_is_old_and_nothing_stays_frozen() -> None:
    gc.enable()
    gc.collect()
    with collector_paused():
        kept = [[n] for n in range(1_000)]  # survives the body, as a trace's result does
    assert gc.get_freeze_count() == 0
    assert _in_generation(kept, 2)
    assert not _in_generation(kept, 0)
    assert gc.get_count()[0] < 50  # no young backlog left for the next allocation to walk


def test_a_cycle_made_while_paused_is_still_collected() -> None:
    gc.enable()

    class Node:
        pass

    with collector_paused():
        cycle = Node()
        cycle.self = cycle  # type: ignore[attr-defined]
        made = id(cycle)
        del cycle
    assert gc.collect() >= 1
    assert not any(id(o) == made for o in gc.get_objects() if isinstance(o, Node))

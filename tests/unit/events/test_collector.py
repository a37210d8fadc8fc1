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

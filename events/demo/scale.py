"""Scale the demo chains to any number of events, streaming (memory stays flat).

Run ``n`` > 0 of each chain has its own lots, serials, containers and times, so copies never
collide with each other or with the demo data itself (run 0).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime
from typing import Any, TextIO

from events.codec.jsonld_writer import EPCIS_CONTEXT
from events.demo import chains
from events.demo.model import DEMO_NS, TZ, ChainBuilder, Event

_PREFIX = "demo"


def scaled_chains(count: int) -> Iterator[ChainBuilder]:
    """Copies of the chains (runs 1, 2, …), the last one cut so that ``count`` events result."""
    left, run = count, 1
    while left > 0:
        for chain in chains(run):
            if left <= 0:
                return
            if len(chain.steps) > left:
                chain = replace(chain, steps=chain.steps[:left])  # noqa: PLW2901
            left -= len(chain.steps)
            yield chain
        run += 1


def scaled_steps(count: int) -> Iterator[tuple[str, Event]]:
    """``count`` events of the scaled chains with the company key of each."""
    for chain in scaled_chains(count):
        yield from chain.steps


def _compact(value: Any) -> Any:  # noqa: ANN401  JSON data
    if isinstance(value, dict):
        return {_key(k): _compact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_compact(v) for v in value]
    return value


def _key(key: str) -> str:
    namespace, _, local = key[1:].partition("}")
    return f"{_PREFIX}:{local}" if key.startswith("{") and namespace == DEMO_NS else key


def write_jsonld(
    steps: Iterator[tuple[str, Event]],
    stream: TextIO,
    *,
    progress: Callable[[], Any] | None = None,
) -> int:
    """Write an EPCIS 2.0 JSON-LD capture document event by event; return how many."""
    header = {
        "@context": [EPCIS_CONTEXT, {_PREFIX: DEMO_NS}],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": datetime(2026, 6, 1, tzinfo=TZ).isoformat(),
    }
    stream.write(json.dumps(header, ensure_ascii=False)[:-1] + ', "epcisBody": {"eventList": [\n')
    written = 0
    for _, event in steps:
        stream.write(("," if written else "") + json.dumps(_compact(event), ensure_ascii=False))
        stream.write("\n")
        written += 1
        if progress is not None:
            progress()
    stream.write("]}}\n")
    return written

"""Demo data: the three reference chains of docs/MISSION.md as EPCIS events and master data.

Pure generators (``food_chain``, ``pharma_chain``, ``building_chain``) and ``load_chain``, which
captures them through ``events.capture.capture`` like any document. See docs/DEMO.md.
"""

from __future__ import annotations

from events.demo.building import building_chain
from events.demo.food import food_chain
from events.demo.load import load_chain
from events.demo.model import ChainBuilder, Company
from events.demo.pharma import pharma_chain

__all__ = [
    "ChainBuilder",
    "Company",
    "building_chain",
    "chains",
    "food_chain",
    "load_chain",
    "pharma_chain",
]


def chains(run: int = 0) -> list[ChainBuilder]:
    """Every reference chain (``run`` > 0: a copy with its own codes, for benchmarks)."""
    return [food_chain(run), pharma_chain(run), building_chain(run)]

"""Median and spread of repeated measurements, and markdown table rendering."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile, nearest-rank (a latency that some repetition really had)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))  # ceil(n * p / 100)
    return ordered[int(rank) - 1]


@dataclass(frozen=True, slots=True)
class Summary:
    """Median, min, max and interquartile range of ``n`` samples."""

    n: int
    median: float
    low: float
    high: float
    q1: float
    q3: float

    @classmethod
    def of(cls, samples: Sequence[float]) -> Summary:
        if not samples:
            raise ValueError("no samples")
        values = sorted(samples)
        if len(values) == 1:
            q1 = q3 = values[0]
        else:
            # "inclusive": quartiles interpolated between the samples themselves (no extrapolation)
            q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
        return cls(
            n=len(values),
            median=statistics.median(values),
            low=values[0],
            high=values[-1],
            q1=q1,
            q3=q3,
        )

    def spread(self, fmt: str = "{:,.0f}") -> str:
        """``min–max; IQR q1–q3`` formatted with ``fmt``."""
        return (
            f"{fmt.format(self.low)}–{fmt.format(self.high)}; "
            f"IQR {fmt.format(self.q1)}–{fmt.format(self.q3)}"
        )


def spread_note(repetitions: int) -> str:
    note = (
        f"Spread is min–max over the {repetitions} repetitions, then the interquartile range "
        "(IQR, inclusive quartiles)"
    )
    return note + ("; with so few the IQR is coarse, read min–max." if repetitions < 5 else ".")


def rate(count: int, seconds: float) -> float:
    """Items per second."""
    return count / seconds if seconds > 0 else float("inf")


def fmt_rate(value: float) -> str:
    return f"{value:,.0f}/s"


def fmt_seconds(value: float) -> str:
    return f"{value:,.2f} s"


def fmt_mib(kib: float) -> str:
    return f"{kib / 1024:,.0f} MiB"


def yes_no(met: bool | None) -> str:  # noqa: FBT001  a table cell
    if met is None:
        return "n/a"
    return "**yes**" if met else "**no**"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub-flavoured markdown table; ``|`` in cells is escaped."""

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

    out = [line(headers), "|" + "|".join("---" for _ in headers) + "|"]
    out += [line(row) for row in rows]
    return "\n".join(out)


@dataclass(frozen=True, slots=True)
class Section:
    """One ``##`` section of docs/PERFORMANCE.md: its heading and its markdown body."""

    title: str
    body: str

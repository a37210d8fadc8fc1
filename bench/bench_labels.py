"""Labels per second for a 24-up A4 PDF with a Digital Link QR and a GS1 DataMatrix per label.

End to end as ``onecode labels render --template a4-24 --batch …`` runs it after the database
read: each code is parsed from its element string (as batch rows arrive), the symbols are encoded
by zint, drawn as vector paths by reportlab, and the PDF is streamed to a file in chunks. Each
run is a fresh spawned process, so its peak RSS is its own; 10,000 and 100,000 labels show
whether memory stays flat in the number of labels.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from bench.stats import Section, Summary, fmt_mib, fmt_rate, fmt_seconds, rate, table, yes_no

TITLE = "Printing labels (24-up A4 PDF, QR + DataMatrix)"
TARGET_RATE = 300.0  # labels/s end to end on the 2-core reference machine
GTIN = "06901234000016"


@dataclass(frozen=True, slots=True)
class Config:
    counts: tuple[int, ...]
    repetitions: int


FULL = Config(counts=(10_000, 100_000), repetitions=3)
QUICK = Config(counts=(1_000, 5_000), repetitions=1)


def worker(count: int) -> dict[str, Any]:
    """Render ``count`` labels to a temporary PDF; seconds, file size and peak RSS."""
    from identifiers import parse  # noqa: PLC0415
    from label_printing import LabelFields, LabelJob, render  # noqa: PLC0415

    fields = LabelFields(product_zh="海南椰子汁", product_en="Hainan coconut juice")
    codes = (parse(f"(01){GTIN}(17)270630(10)L2401(21){n:012X}") for n in range(count))
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        render(LabelJob("a4-24", codes, fields, count), "pdf", out)
        seconds = time.perf_counter() - started
        size = out.tell()
    return {
        "seconds": seconds,
        "bytes": size,
        "rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


def run(*, quick: bool) -> Section:
    config = QUICK if quick else FULL
    results: dict[int, list[dict[str, Any]]] = {n: [] for n in config.counts}
    context = multiprocessing.get_context("spawn")
    for repetition in range(config.repetitions):
        for count in config.counts:
            with ProcessPoolExecutor(1, mp_context=context) as pool:
                result = pool.submit(worker, count).result()
            results[count].append(result)
            print(
                f"  labels {count}: {fmt_rate(rate(count, result['seconds']))} labels, "
                f"peak RSS {fmt_mib(result['rss_kib'])} (round {repetition + 1})",
                flush=True,
            )
    rows = []
    for count, runs in results.items():
        rates = Summary.of([rate(count, r["seconds"]) for r in runs])
        rows.append(
            [
                f"{count:,}",
                fmt_rate(rates.median),
                fmt_seconds(min(r["seconds"] for r in runs)),
                fmt_mib(max(r["rss_kib"] for r in runs)),
                f"{runs[0]['bytes'] / count / 1024:.1f} KiB",
                "n/a" if quick else yes_no(rates.median >= TARGET_RATE),
            ]
        )
    peaks = [max(r["rss_kib"] for r in runs) for runs in results.values()]
    flat = peaks[-1] <= peaks[0] * 1.2
    body = (
        f"Target: at least {TARGET_RATE:.0f} labels/s end to end on a 2-core machine, memory flat "
        f"in the number of labels. One process (CPUs here: {len(os.sched_getaffinity(0))}); "
        f"median of {config.repetitions} run(s), each in a fresh process.\n\n"
        + table(
            [
                "labels",
                "labels/s (median)",
                "best time",
                "peak RSS",
                "PDF size per label",
                "target met",
            ],
            rows,
        )
        + f"\n\nPeak memory flat from {config.counts[0]:,} to {config.counts[-1]:,} labels "
        f"(within 20 %): {yes_no(flat)}."
    )
    return Section(TITLE, body)

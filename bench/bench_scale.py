"""Query and trace latency on a large ledger (issues 5 and 6), on SQLite and PostgreSQL.

A fresh SQLite database (a file in a temp dir) is pre-filled in one spawned process with copies
of the three demo supply chains (``events.demo.scale.scaled_chains``: fresh lots, serials and
times per run) captured through ``events.capture.capture`` by the demo organisations. A fresh
PostgreSQL database (``onecode_bench_*``, dropped afterwards) receives the same rows with
``events.adapters.sql_copy.copy_database`` (``onecode db copy``): capture on PostgreSQL runs at
a third of SQLite's rate here, and the copy holds exactly the rows capture made. Then, per
backend in another fresh process, each operation is timed ``repetitions`` times from seeded
random starts in the generated data, beside one indexed lookup
(``SELECT position FROM event_links WHERE item = ? LIMIT 1``) timed the same way.

Batches: the runs of a block are captured company by company (each company's events in their
own order, as ``onecode demo generate --load`` keeps them), in chunks of at most
``BATCH_MAX`` events, so most transactions hold thousands of events. Queries and traces are
scoped to one organisation, which sees exactly its own events in its own order.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.bench_minting import (
    DB_PREFIX,
    DEFAULT_PG_URL,
    _Postgres,
    _Sqlite,
    postgres_version,
)
from bench.stats import Section, Summary, percentile, table, yes_no
from events.demo.food import SHARED_SUGAR_RUNS

TITLE = "Query and trace at scale"
BATCH_MAX = 10_000
TARGET_ITEM_P95_MS = 20.0  # issue 5: MATCH_anyEPC for one item
TARGET_PAGE_MS = 50.0  # issue 5: a 100-event page
# issue 6: p95 targets (backward, forward recall) in ms by ledger size
TRACE_TARGETS_MS = {1_000_000: (10.0, 350.0), 10_000_000: (50.0, 1_000.0)}
TARGET_EVENTS = 1_000_000
WINDOW_EVENTS = 100
WALK_PAGES, WALK_PER_PAGE = 10, 1_000
SEED = 20260601
BASELINE_SQL = "SELECT position FROM event_links WHERE item = :item LIMIT 1"
# Per chain: the organisation that transforms the raw lot (time window and page walk in its
# scope), the organisation that names the retail item most (backward trace and MATCH_anyEPC in
# its scope), the item's index in ``chain.codes``, and the bizStep of the time-window query (the
# transforming organisation's most frequent one).
VIEWS = {
    "food": ("juice-plant", "juice-plant", 1, "packing"),
    "pharma": ("pharma-maker", "pharma-maker", 1, "packing"),
    "building": ("batching-plant", "contractor", 4, "shipping"),
}
# The forward recall trace starts from a bad sugar lot that ``SHARED_SUGAR_RUNS`` food runs share
# (events/demo/food.py): about 10,000 bottles, in the juice plant's scope.
FORWARD_ORG = "juice-plant"


@dataclass(frozen=True, slots=True)
class Config:
    events: int  # captured on SQLite, copied to PostgreSQL
    repetitions: int
    block_runs: int  # runs of the three chains generated and captured together


FULL = Config(events=1_000_000, repetitions=100, block_runs=600)
QUICK = Config(events=20_000, repetitions=20, block_runs=60)


def title(events: int) -> str:
    """The section's heading: one section per measured size (1,000,000 keeps the plain one)."""
    return TITLE if events == FULL.events else f"{TITLE}: {events:,} events"


def trace_targets(stored: int) -> tuple[int, float, float]:
    """The issue's size, backward and forward p95 targets (ms) for a ledger of ``stored``."""
    size = max((n for n in TRACE_TARGETS_MS if n <= stored), default=TARGET_EVENTS)
    return (size, *TRACE_TARGETS_MS[size])


# --- pre-fill: a fresh spawned process ------------------------------------------------------------


def _blocks(count: int, block_runs: int) -> Iterator[list[Any]]:
    """The scaled chains, ``block_runs`` runs (3 chains each) at a time."""
    from events.demo.scale import scaled_chains  # noqa: PLC0415

    block: list[Any] = []
    for chain in scaled_chains(count):
        block.append(chain)
        if len(block) == 3 * block_runs:
            yield block
            block = []
    if block:
        yield block


def prefill_worker(url: str, count: int, block_runs: int) -> dict[str, Any]:
    """Migrate, create the demo organisations, capture ``count`` scaled demo events."""

    from events.adapters import make_engine  # noqa: PLC0415
    from events.adapters.schema import upgrade  # noqa: PLC0415
    from events.adapters.sql_uow import SqlUnitOfWork  # noqa: PLC0415
    from events.capture import ErrorBehaviour, capture  # noqa: PLC0415
    from events.demo import chains  # noqa: PLC0415
    from events.demo.load import organisations  # noqa: PLC0415

    engine = make_engine(url)
    try:
        upgrade(engine)
        orgs = organisations(SqlUnitOfWork(engine), chains(1))
        stored, sizes, refused = 0, [], 0
        start = time.perf_counter()
        last_report = start
        for block in _blocks(count, block_runs):
            by_company: dict[str, list[Any]] = {}
            for chain in block:
                for key, event in chain.steps:
                    by_company.setdefault(key, []).append(event)
            for key, events in by_company.items():
                for first in range(0, len(events), BATCH_MAX):
                    batch = events[first : first + BATCH_MAX]
                    outcome = capture(
                        SqlUnitOfWork(engine),
                        batch,
                        organisation_id=orgs[key],
                        behaviour=ErrorBehaviour.PROCEED,
                    )
                    stored += len(outcome.stored)
                    refused += len(outcome.errors)
                    sizes.append(len(batch))
            now = time.perf_counter()
            if now - last_report > 30:
                print(
                    f"    pre-filled {stored:,} events in {now - start:.0f} s "
                    f"({stored / (now - start):,.0f}/s)",
                    flush=True,
                )
                last_report = now
        seconds = time.perf_counter() - start
        # PostgreSQL: what autovacuum does soon after a bulk load (SQLite analyses by itself)
        analyse = 0.0 if url.startswith("sqlite") else _analyse(engine)
    finally:
        engine.dispose()
    return {
        "stored": stored,
        "refused": refused,
        "seconds": seconds,
        "analyse": analyse,
        "batches": sizes,
        "organisations": orgs,
    }


# --- measurement: another fresh spawned process ----------------------------------------------


def _timed(call: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def _time_reads() -> list[float]:
    """Time this process's trace reads from here on (a one-item accumulator).

    Every statement a trace sends goes through ``SqlLineage._run_all`` (links and their
    containment ends, the events naming the traced objects, their payloads, holdings), with the
    driver building the rows it fetched: the time inside it is a lower bound of the database's
    share of a trace, the floor under its time whatever the trace does with those rows.
    """
    from events.adapters.sql_lineage import SqlLineage  # noqa: PLC0415

    spent = [0.0]
    run_all = SqlLineage._run_all  # noqa: SLF001  the one way every trace read goes

    def timed(self: SqlLineage, statements: Any) -> list[Any]:
        start = time.perf_counter()
        try:
            return run_all(self, statements)
        finally:
            spent[0] += time.perf_counter() - start

    SqlLineage._run_all = timed  # type: ignore[method-assign]  # noqa: SLF001
    return spent


def measure_worker(  # noqa: C901, PLR0915  one sequence of measurements, read top to bottom
    url: str, count: int, repetitions: int, orgs: dict[str, int]
) -> dict[str, Any]:
    """Time every operation ``repetitions`` times from seeded random starts."""
    from sqlalchemy import func, select, text  # noqa: PLC0415

    from events.adapters import make_engine  # noqa: PLC0415
    from events.adapters.sql_query import event_query  # noqa: PLC0415
    from events.adapters.sql_uow import SqlUnitOfWork  # noqa: PLC0415
    from events.adapters.tables import ledger_events  # noqa: PLC0415
    from events.demo import chains  # noqa: PLC0415
    from events.demo.food import BAD_SUGAR, SUGAR, SUGAR_MILL  # noqa: PLC0415
    from events.domain.links import canonical_id  # noqa: PLC0415
    from events.query import Cursor, parse_query  # noqa: PLC0415
    from events.trace import trace  # noqa: PLC0415

    rng = random.Random(SEED)
    engine = make_engine(url)
    out: dict[str, Any] = {}
    try:
        with engine.connect() as connection:
            stored = int(
                connection.execute(select(func.count()).select_from(ledger_events)).scalar() or 0
            )
        runs = count // sum(len(c.steps) for c in chains(1))  # complete runs of all three chains
        # (chain name, run) per repetition
        picks = [(rng.choice(list(VIEWS)), rng.randint(1, runs)) for _ in range(repetitions)]
        codes: dict[tuple[str, int], str] = {}
        for name, run in picks:
            if (name, run) not in codes:
                chain = next(c for c in chains(run) if c.name == name)
                _, _, item_at, _ = VIEWS[name]
                codes[name, run] = canonical_id(chain.codes[item_at][1])
        groups = max(1, runs // SHARED_SUGAR_RUNS)  # complete groups (a partial one when quick)
        lot_rng = random.Random(
            SEED + 1
        )  # one generator: a fresh one per pick repeats its first draw
        bad_lots = [
            canonical_id(SUGAR_MILL.lot(SUGAR, f"{BAD_SUGAR}G{lot_rng.randint(1, groups)}"))
            for _ in picks
        ]

        def lookup(item: str) -> Any:
            with engine.connect() as connection:
                return connection.execute(
                    text(BASELINE_SQL),
                    {"item": item},
                ).first()

        def page(pairs: list[tuple[str, str]], org: int, limit: int) -> list[Any]:
            with event_query(engine) as query:
                found, _ = query.page(
                    parse_query(pairs),
                    organisation_id=org,
                    cursor=Cursor(snapshot=query.snapshot()),
                    limit=limit,
                )
            return found

        def walk(pairs: list[tuple[str, str]], org: int) -> int:
            params = parse_query(pairs)
            with event_query(engine) as query:
                cursor: Cursor | None = Cursor(snapshot=query.snapshot())
            delivered = 0
            for _ in range(WALK_PAGES):
                if cursor is None:
                    break
                with event_query(engine) as query:  # one transaction per page, as the API
                    found, cursor = query.page(
                        params, organisation_id=org, cursor=cursor, limit=WALK_PER_PAGE
                    )
                delivered += len(found)
            return delivered

        def traced(code: str, org: int, direction: str) -> Any:
            with SqlUnitOfWork(engine, read_only=True) as uow:
                return trace(uow.lineage.scoped(org), code, direction)  # type: ignore[arg-type]

        out["cache"] = warm_cache(engine)
        reading = _time_reads()
        # warm-up: imports, compiled statements, pool, caches (a running server is warm)
        for name, run in picks[:3]:
            _, holder, _, _ = VIEWS[name]
            item = codes[name, run]
            lookup(item)
            page([("MATCH_anyEPC", item)], orgs[holder], 100)
            traced(item, orgs[holder], "backward")
        traced(bad_lots[0], orgs[FORWARD_ORG], "forward")

        samples: dict[str, list[float]] = {}
        counts: dict[str, list[int]] = {}

        def record(key: str, seconds: float, n: int) -> None:
            samples.setdefault(key, []).append(seconds)
            counts.setdefault(key, []).append(n)

        # time windows: per organisation and bizStep, the sorted event times (read once, untimed)
        times: dict[str, list[Any]] = {}
        for name, (org_key, _, _, step) in VIEWS.items():
            column = ledger_events.c.payload["bizStep"].as_string()
            query = (
                select(ledger_events.c.event_time)
                .where(ledger_events.c.organisation_id == orgs[org_key], column == step)
                .order_by(ledger_events.c.event_time)
            )
            with engine.connect() as connection:
                times[name] = [row[0] for row in connection.execute(query)]
        all_times: dict[str, list[Any]] = {}
        for name, (org_key, _, _, _) in VIEWS.items():
            query = (
                select(ledger_events.c.event_time)
                .where(ledger_events.c.organisation_id == orgs[org_key])
                .order_by(ledger_events.c.event_time)
            )
            with engine.connect() as connection:
                all_times[name] = [row[0] for row in connection.execute(query)]

        for rep, (name, run) in enumerate(picks):
            maker, holder, _, step = VIEWS[name]
            org, held = orgs[maker], orgs[holder]
            item, lot = codes[name, run], bad_lots[rep]
            seconds, row = _timed(lambda item=item: lookup(item))
            record("baseline", seconds, int(row is not None))
            seconds, found = _timed(
                lambda item=item, held=held: page([("MATCH_anyEPC", item)], held, 100)
            )
            record("item", seconds, len(found))
            series = times[name]
            first = rng.randrange(0, max(1, len(series) - WINDOW_EVENTS))
            low = series[first]
            high = series[min(first + WINDOW_EVENTS, len(series) - 1)]
            pairs = [
                ("EQ_bizStep", step),
                ("GE_eventTime", _iso(low)),
                ("LT_eventTime", _iso(high)),
            ]
            seconds, found = _timed(lambda pairs=pairs, org=org: page(pairs, org, 1_000))
            record("window", seconds, len(found))
            series = all_times[name]
            need = WALK_PAGES * WALK_PER_PAGE
            first = rng.randrange(0, max(1, len(series) - need - 1))
            pairs = [("GE_eventTime", _iso(series[first])), ("orderBy", "eventTime")]
            seconds, delivered = _timed(lambda pairs=pairs, org=org: walk(pairs, org))
            record("walk", seconds, delivered)
            seconds, result = _timed(lambda item=item, held=held: traced(item, held, "backward"))
            record("backward", seconds, len(result.nodes))
            out.setdefault("backward_truncated", 0)
            out["backward_truncated"] += int(result.truncated)
            forward_org = orgs[FORWARD_ORG]
            reading[0] = 0.0
            seconds, result = _timed(lambda lot=lot, org=forward_org: traced(lot, org, "forward"))
            record("forward", seconds, len(result.nodes))
            record("forward_reads", reading[0], len(result.nodes))
            items = sum(1 for n in result.nodes if n.kind == "item")
            counts.setdefault("forward_items", []).append(items)
            out.setdefault("forward_truncated", 0)
            out["forward_truncated"] += int(result.truncated)
            if rep % 25 == 24:
                print(f"    measured {rep + 1}/{repetitions}", flush=True)
        out.update(
            {
                "stored": stored,
                "samples": samples,
                "counts": counts,
                "chains": [name for name, _ in picks],
                "forward_lots": len(set(bad_lots)),
            }
        )
    finally:
        engine.dispose()
    return out


def _iso(value: Any) -> str:
    import datetime as dt  # noqa: PLC0415

    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.isoformat()


# --- the parent -------------------------------------------------------------------------------


def _in_fresh_process(worker: Callable[..., dict], *args: Any) -> dict:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(worker, *args).result()


def copy_worker(source_url: str, target_url: str) -> dict[str, Any]:
    """Migrate the target, copy every table of the source into it, then ``VACUUM (ANALYZE)``."""

    from events.adapters import make_engine  # noqa: PLC0415
    from events.adapters.schema import upgrade  # noqa: PLC0415
    from events.adapters.sql_copy import copy_database  # noqa: PLC0415

    source, target = make_engine(source_url), make_engine(target_url)
    try:
        upgrade(target)
        start = time.perf_counter()
        rows = copy_database(source, target)
        seconds = time.perf_counter() - start
        analyse = _analyse(target)
    finally:
        source.dispose()
        target.dispose()
    return {"rows": sum(rows.values()), "seconds": seconds, "analyse": analyse}


def _analyse(engine: Any) -> float:
    """``VACUUM (ANALYZE)`` on PostgreSQL (statistics and the visibility map), ``ANALYZE`` on
    SQLite; return the seconds it took.

    What autovacuum does soon after a bulk load (insert thresholds, PostgreSQL 13+). Without the
    visibility map an index-only read visits the table: a lot's ~420 uses cost a heap page each.
    """
    from sqlalchemy import text  # noqa: PLC0415

    begun = time.perf_counter()
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        postgres = engine.dialect.name == "postgresql"
        connection.execute(text("VACUUM (ANALYZE)" if postgres else "ANALYZE"))
    return time.perf_counter() - begun


def warm_cache(engine: Any) -> dict[str, Any]:
    """Read the whole database once into the operating system's file cache; what was read.

    The issue's trace targets are for a warm cache. A pre-fill built or copied minutes earlier is
    only partly in the cache (the other backend's database pushed it out), and the first touch of
    a random item was then a disk read: PostgreSQL backward p95 49.9 ms against 4.4 ms once the
    database files had been read (200 backward traces each, 1,000,000 events, AMD EPYC).
    SQLite: the database file and its WAL. PostgreSQL: every table, index and TOAST relation of
    the database with ``pg_prewarm(…, 'read')`` (the contrib extension, created if missing);
    without it the measurement goes on and the section says so.
    """
    from sqlalchemy import text  # noqa: PLC0415

    begun = time.perf_counter()
    if engine.dialect.name != "postgresql":
        read = 0
        database = Path(engine.url.database or "")
        for path in (database, Path(f"{database}-wal")):
            if path.is_file():
                with path.open("rb") as file:
                    while chunk := file.read(1 << 20):
                        read += len(chunk)
        return {"bytes": read, "seconds": time.perf_counter() - begun, "how": "file"}
    try:
        with engine.connect() as connection:
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_prewarm"))
            blocks = connection.execute(
                text(
                    "SELECT coalesce(sum(pg_prewarm(c.oid, 'read')), 0), "
                    "current_setting('block_size')::int FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE c.relkind IN ('r', 'i', 't') AND n.nspname IN ('public', 'pg_toast')"
                )
            ).one()
            connection.commit()
    except Exception as exc:  # noqa: BLE001  a server without the contrib modules: say so
        return {"bytes": 0, "seconds": 0.0, "how": f"not warmed ({type(exc).__name__})"}
    return {
        "bytes": int(blocks[0]) * int(blocks[1]),
        "seconds": time.perf_counter() - begun,
        "how": "pg_prewarm",
    }


def _measure(name: str, url: str, config: Config, filled: dict[str, Any]) -> dict[str, Any]:
    measured = _in_fresh_process(
        measure_worker, url, config.events, config.repetitions, filled["organisations"]
    )
    for key, values in measured["samples"].items():
        print(
            f"  scale {name} {key}: median {statistics.median(values) * 1000:.2f} ms, "
            f"p95 {percentile(values, 95) * 1000:.2f} ms",
            flush=True,
        )
    return {"prefill": filled, **measured}


def reuse_worker(url: str) -> None:
    """Bring a kept pre-fill to the newest migration and refresh SQLite's statistics."""

    from events.adapters import make_engine  # noqa: PLC0415
    from events.adapters.schema import upgrade  # noqa: PLC0415

    engine = make_engine(url)
    try:
        upgrade(engine)
        _analyse(engine)
    finally:
        engine.dispose()


def run(  # noqa: PLR0913  the command line's scale options
    *,
    quick: bool,
    pg_url: str = DEFAULT_PG_URL,
    keep: Path | None = None,
    prefilled: Path | None = None,
    pg_prefilled: str | None = None,
    events: int | None = None,
    postgres: bool = True,
) -> Section:
    """Measure; ``keep`` saves the SQLite pre-fill (and its record), ``prefilled`` reuses one.

    ``pg_prefilled``: a PostgreSQL database already holding a copy of ``prefilled`` (made with
    ``onecode db copy`` and analysed), measured as it is and kept.
    """
    config = configured(events, quick=quick)
    parts = [_intro(config, quick=quick)]
    with tempfile.TemporaryDirectory(prefix=DB_PREFIX) as tmp:
        sqlite = _Sqlite(Path(tmp))
        if prefilled is not None:
            url = f"sqlite:///{prefilled.resolve()}"
            filled = json.loads(prefilled.with_suffix(".json").read_text()) | {"reused": True}
            _in_fresh_process(reuse_worker, url)
            print(f"  scale SQLite: reusing the pre-fill {prefilled}", flush=True)
        else:
            url = f"sqlite:///{keep.resolve()}" if keep is not None else sqlite.fresh("scale")
            filled = _in_fresh_process(prefill_worker, url, config.events, config.block_runs)
            if keep is not None:
                keep.with_suffix(".json").write_text(json.dumps(filled))
            print(
                f"  scale SQLite: pre-filled {filled['stored']:,} events in "
                f"{filled['seconds']:.0f} s ({filled['stored'] / filled['seconds']:,.0f}/s)",
                flush=True,
            )
        parts.append(_render("SQLite", _measure("SQLite", url, config, filled), quick=quick))
        version, reason = postgres_version(pg_url)
        if not postgres:
            reason = "not selected in this run (`--scale-no-postgres`)"
        measured: dict[str, Any] = {}
        if reason is None and pg_prefilled is not None:
            print(f"  scale PostgreSQL: reusing the copy {pg_prefilled}", flush=True)
            measured = _measure("PostgreSQL", pg_prefilled, config, filled) | {"copy": None}
        elif reason is None:
            postgres = _Postgres(pg_url)
            target = postgres.fresh("scale")
            try:
                copied = _in_fresh_process(copy_worker, url, target)
                print(
                    f"  scale PostgreSQL: copied {copied['rows']:,} rows in "
                    f"{copied['seconds']:.0f} s",
                    flush=True,
                )
                measured = _measure("PostgreSQL", target, config, filled) | {"copy": copied}
            except Exception as exc:  # noqa: BLE001  the report says why instead of failing the run
                reason = f"the run failed: {type(exc).__name__}: {str(exc).splitlines()[0]}"
            finally:
                postgres.drop(target)
        if reason is None:
            parts.append(_render(f"PostgreSQL {version}", measured, quick=quick))
        else:
            print(f"  scale PostgreSQL not measured: {reason}", flush=True)
            parts.append(f"### PostgreSQL\n\nnot measured: {reason}")
        if keep is None and prefilled is None:
            sqlite.drop(url)
    return Section(title(config.events), "\n\n".join(parts))


def configured(events: int | None, *, quick: bool) -> Config:
    """The run's sizes: quick, or the full run at ``events`` (default 1,000,000)."""
    return QUICK if quick else Config(events or FULL.events, FULL.repetitions, FULL.block_runs)


def run_direct(config: Config, url: str, record: Path, *, fill_only: bool) -> Section | None:
    """PostgreSQL only: pre-fill the empty database ``url`` through ``capture`` and keep it.

    For sizes whose SQLite pre-fill and PostgreSQL copy do not both fit on the disk (10,000,000
    events take ~40 GB on SQLite and ~46 GB on PostgreSQL). The pre-fill's record goes to
    ``record``; when it exists, the database is reused as it is. ``fill_only`` stops after the
    pre-fill (measure later with the same options, against the newest code).
    """
    if record.exists():
        filled = json.loads(record.read_text()) | {
            "reused": True,
            "reused_with": "--scale-pg-direct",
        }
        _in_fresh_process(reuse_worker, url)
        print(f"  scale PostgreSQL: reusing the direct pre-fill {url}", flush=True)
    else:
        filled = _in_fresh_process(prefill_worker, url, config.events, config.block_runs)
        record.write_text(json.dumps(filled))
        print(
            f"  scale PostgreSQL: pre-filled {filled['stored']:,} events in "
            f"{filled['seconds']:.0f} s ({filled['stored'] / filled['seconds']:,.0f}/s)",
            flush=True,
        )
    if fill_only:
        return None
    version, reason = postgres_version(url)
    if reason is not None:
        raise RuntimeError(f"PostgreSQL not reachable: {reason}")
    measured = _measure("PostgreSQL", url, config, filled)
    body = (
        _intro(config, quick=False, direct=True)
        + "\n\n"
        + _render(f"PostgreSQL {version}", measured, quick=False)
    )
    return Section(f"{title(config.events)}, PostgreSQL pre-filled directly", body)


# --- rendering --------------------------------------------------------------------------------


def _intro(config: Config, *, quick: bool, direct: bool = False) -> str:
    """What the section measured; ``direct``: PostgreSQL only, pre-filled through ``capture``."""
    note = "*Quick mode: sizes are reduced and targets are not evaluated.*\n\n" if quick else ""
    where = "PostgreSQL database" if direct else "fresh SQLite database"
    loaded = (
        "Then `VACUUM (ANALYZE)` (what autovacuum does shortly after a load: statistics and "
        "the visibility map that index-only reads need). Not copied from SQLite, as the "
        "1,000,000-event section is: at this size a SQLite pre-fill and its PostgreSQL copy do "
        "not both fit on this machine's disk. Then, in a fresh spawned process"
        if direct
        else "A "
        "fresh PostgreSQL database then receives exactly those rows with `onecode db copy` "
        "(`events.adapters.sql_copy.copy_database`, COPY), followed by one `VACUUM (ANALYZE)` "
        "(what autovacuum does shortly after a load: statistics and the visibility map that "
        "index-only reads need); SQLite refreshes its statistics itself each "
        "time the ledger doubles. Then, per backend in a fresh spawned process"
    )
    views = "; ".join(
        f"{name}: window (`{step}`) and walk as `{maker}`, `MATCH_anyEPC` and backward as "
        f"`{holder}` from `codes[{item}]`"
        for name, (maker, holder, item, step) in VIEWS.items()
    )
    return (
        f"{note}A {where} is pre-filled with {config.events:,} events"
        f"{' directly' if direct else ''}: copies of "
        "the three demo chains (`events.demo.scale.scaled_chains`, 129 to 131 events per run of "
        "food + pharma + building, each run with its own lots, serials, containers and times; "
        f"one bad sugar lot shared by {SHARED_SUGAR_RUNS} consecutive food runs, made, delivered "
        "and tested at intake once, its retained sample failing once) captured through "
        "`events.capture.capture(SqlUnitOfWork(engine), …, behaviour=PROCEED)` by the demo "
        "organisations (created as `onecode demo` does; master data not loaded). The runs are "
        f"captured {config.block_runs} at a time, company by company with each company's events "
        f"in their own order, in transactions of at most {BATCH_MAX:,} events (sizes below). "
        f"{loaded}, the database is first read once into the file cache (the targets are "
        "for a warm cache; how, below), then each "
        f"operation runs {config.repetitions} times; repetition *i* picks a chain and a run "
        f"with `random.Random({SEED})` (the same picks on both backends) and times, each in its "
        "own connection/transaction as a request would: the **baseline**, one indexed lookup "
        f"`{BASELINE_SQL.replace(':item', '?')}` for the retail item; "
        "**`MATCH_anyEPC`** for that item (`SqlEventQuery.page`, limit 100); **`EQ_bizStep` + "
        f"`GE_/LT_eventTime`** with a window spanning {WINDOW_EVENTS} of the organisation's "
        "events with that bizStep from a random start; a **page walk** of "
        f"{WALK_PAGES * WALK_PER_PAGE:,} events (`GE_eventTime` from a random start, "
        f"`orderBy=eventTime`, {WALK_PAGES} pages of {WALK_PER_PAGE:,}, each page in its own "
        "transaction with the walk's cursor, total time); **backward trace** from the retail "
        "item (bottle, dispensed pack or pour); **forward recall trace** from a shared bad "
        f"sugar lot (a random complete group, `random.Random({SEED + 1})`) as `{FORWARD_ORG}`; "
        "traces with `events.trace.trace(uow.lineage.scoped(org), …)` and the default bounds. "
        f"Scope per chain: {views}. Percentiles are nearest-rank; targets are judged on p95 "
        "(the 100-event page on its median and p95)."
    )


def _cache_note(cache: dict[str, Any] | None) -> str:
    """The sentence saying how the database was read into the file cache before measuring."""
    if not cache:
        return "Cache: not warmed before measuring (a run before the warming step was added)."
    if cache["how"] == "file":
        how = "the SQLite file and its WAL read through"
    elif cache["how"] == "pg_prewarm":
        how = "every table, index and TOAST relation read with `pg_prewarm(…, 'read')`"
    else:
        return f"Cache: **{cache['how']}**: the first touch of a random item may be a disk read."
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    tail = (
        f" That is more than this machine's {memory / 2**30:,.1f} GiB of memory: only part of "
        "it stays cached, and a random start may still read from disk."
        if cache["bytes"] > memory * 0.8
        else ""
    )
    return (
        f"Cache: before measuring, the database was read once into the file cache ({how}: "
        f"{cache['bytes'] / 2**30:,.2f} GiB in {cache['seconds']:,.1f} s).{tail}"
    )


def _ms(value: float) -> str:
    return f"{value * 1000:,.2f} ms"


def _render(heading: str, measured: dict[str, Any], *, quick: bool) -> str:
    samples, counts = measured["samples"], measured["counts"]
    stored = measured["stored"]
    base = samples["baseline"]
    base_median, base_p95 = statistics.median(base), percentile(base, 95)
    size, backward_ms, forward_ms = trace_targets(stored)
    full_size = stored >= size

    def judged(p95: float, target_ms: float, *, at_target_size: bool) -> str:
        if quick:
            return yes_no(None)
        met = yes_no(p95 * 1000 < target_ms)
        if at_target_size and not full_size:
            return f"{met} at {stored:,} (at {size:,}: not measured)"
        return met

    def row(key: str, what: str, target: str, met: str, returned: str) -> list[str]:
        values = samples[key]
        summary = Summary.of([v * 1000 for v in values])
        median, p95 = statistics.median(values), percentile(values, 95)
        return [
            what,
            _ms(median),
            _ms(p95),
            summary.spread("{:,.2f}") + " ms",
            f"{_ms(base_median)} / {_ms(base_p95)}",
            f"{median / base_median:,.0f}×",
            returned,
            target,
            met,
        ]

    def returned(key: str) -> str:
        values = counts[key]
        return f"{statistics.median(values):,.0f} (min {min(values):,}, max {max(values):,})"

    item, window = samples["item"], samples["window"]
    rows = [
        row("baseline", "baseline: one indexed lookup", "—", "—", returned("baseline")),
        row(
            "item",
            "`MATCH_anyEPC` one item",
            f"p95 < {TARGET_ITEM_P95_MS:.0f} ms",
            judged(percentile(item, 95), TARGET_ITEM_P95_MS, at_target_size=False),
            returned("item"),
        ),
        row(
            "window",
            f"`EQ_bizStep` + time window (~{WINDOW_EVENTS} events)",
            f"< {TARGET_PAGE_MS:.0f} ms",
            judged(percentile(window, 95), TARGET_PAGE_MS, at_target_size=False)
            + (
                ""
                if quick
                else f" (median: {yes_no(statistics.median(window) * 1000 < TARGET_PAGE_MS)})"
            ),
            returned("window"),
        ),
        row(
            "walk",
            f"page walk {WALK_PAGES * WALK_PER_PAGE:,} events "
            f"({WALK_PAGES} × {WALK_PER_PAGE:,}), total",
            "—",
            "—",
            returned("walk"),
        ),
        row(
            "backward",
            "backward trace from a retail item",
            f"p95 < {backward_ms:,.0f} ms at {size:,} events",
            judged(percentile(samples["backward"], 95), backward_ms, at_target_size=True),
            returned("backward") + " nodes",
        ),
        row(
            "forward",
            "forward recall trace from a shared bad sugar lot",
            f"p95 < {forward_ms:,.0f} ms at {size:,} events",
            judged(percentile(samples["forward"], 95), forward_ms, at_target_size=True),
            returned("forward") + f" nodes, {returned('forward_items')} items",
        ),
    ]
    if "forward_reads" in samples:  # not in records of runs before it was measured
        reads = statistics.median(samples["forward_reads"])
        rows.append(
            row(
                "forward_reads",
                "… its SQL reads alone, rows fetched (within the same recalls)",
                "—",
                f"median leaves {forward_ms - reads * 1000:,.0f} ms of the {forward_ms:,.0f} ms "
                "for all the rest",
                returned("forward_reads") + " nodes",
            )
        )
    filled = measured["prefill"]
    sizes = filled.get("batches") or []
    by_chain = {name: measured["chains"].count(name) for name in VIEWS}
    notes = [
        f"Stored: **{stored:,} events** (target size {size:,}"
        + ("" if full_size else ", **not reached**")
        + f"); pre-fill {filled['seconds']:,.0f} s "
        f"({filled['stored'] / filled['seconds']:,.0f} events/s through `capture`, "
        f"{filled['refused']} refused"
        + (
            f", kept from an earlier run and reused with "
            f"`{filled.get('reused_with', '--scale-prefilled')}`"
            if filled.get("reused")
            else ""
        )
        + ")"
        + (f", then `VACUUM (ANALYZE)` {filled['analyse']:,.1f} s" if filled["analyse"] else "")
        + (
            f"; {len(sizes):,} transactions of {min(sizes):,}–{max(sizes):,} events "
            f"(median {statistics.median(sizes):,.0f})"
            if sizes
            else "; transaction sizes not recorded with the kept pre-fill"
        )
        + (
            f"; copied to this database in {measured['copy']['seconds']:,.0f} s "
            f"({measured['copy']['rows']:,} rows, "
            f"{measured['copy']['rows'] / measured['copy']['seconds']:,.0f} rows/s), then "
            f"`VACUUM (ANALYZE)` {measured['copy']['analyse']:,.1f} s."
            if measured.get("copy")
            else "; a copy kept from an earlier `onecode db copy` of that pre-fill, then "
            "`VACUUM (ANALYZE)`, reused with `--scale-pg-prefilled`."
            if "copy" in measured
            else "."
        ),
        _cache_note(measured.get("cache")),
        "Repetitions per chain: "
        + ", ".join(f"{n} {name}" for name, n in by_chain.items())
        + f". Traces truncated by a bound: backward {measured.get('backward_truncated', 0)}, "
        f"forward {measured.get('forward_truncated', 0)}. Forward traces started from "
        f"{measured.get('forward_lots', 0)} different shared sugar lots.",
        "Backward trace by chain (median / p95; the food chain's bottles come from a sugar lot "
        f"shared by {SHARED_SUGAR_RUNS} runs; its uses in the other runs are not part of a "
        "backward answer): "
        + "; ".join(
            f"{name} {_ms(statistics.median(values))} / {_ms(percentile(values, 95))}"
            for name in VIEWS
            if (
                values := [
                    seconds
                    for seconds, chain in zip(samples["backward"], measured["chains"], strict=True)
                    if chain == name
                ]
            )
        )
        + ".",
        (
            "The issue also states targets at 10,000,000 events: measured with "
            "`--scale-events 10000000` in its own section when that run was made."
            if size < max(TRACE_TARGETS_MS)
            else "Measured with `--scale-events 10000000`."
        ),
    ]
    if "forward_reads" in samples:
        notes.append(
            "The forward recall's SQL reads alone: the time inside the one method every trace "
            "read goes through (`SqlLineage._run_all`: links and their containment ends, the "
            "events naming the traced objects, their payloads), the driver building the rows "
            "included, added up within the same recalls. Whatever the trace does with those "
            "rows (walk, naming, holders, products, graph, timeline) has to fit in what is left "
            "of the target."
        )
    headers = [
        "what",
        "median",
        "p95",
        "spread (min–max; IQR)",
        "baseline median / p95",
        "median ÷ baseline",
        "returned (median)",
        "target",
        "met?",
    ]
    return f"### {heading}\n\n" + table(headers, rows) + "\n\n" + "\n\n".join(notes)

"""Minting N codes end to end (random serials, unique index, CSV export) on SQLite and PostgreSQL.

"Ours" is the project's own path, exactly as ``onecode codes mint --out`` runs it: Alembic
migrations, ``minting.mint`` through ``SqlUnitOfWork``, then ``code_export.batch_rows`` into
``csv.writer``. The raw baseline is a bare mint-and-insert loop on the same backend: the same
``mint_serials`` into a plain table with the same primary key and index (SQLite ``executemany``,
PostgreSQL ``COPY``, one transaction each), then its serials to CSV.

Every run happens in a fresh spawned process (so peak RSS belongs to that run alone) against a
fresh SQLite file or a fresh PostgreSQL database, dropped afterwards. Ours and raw alternate.
"""

from __future__ import annotations

import csv
import multiprocessing
import os
import resource
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.stats import (
    Section,
    Summary,
    fmt_mib,
    fmt_rate,
    fmt_seconds,
    rate,
    spread_note,
    table,
    yes_no,
)

TITLE = "Minting codes end to end"
TARGET_PG_SECONDS = 40.0
TARGET_COUNT = 1_000_000
COMPANY_PREFIX = "6901234"
DB_PREFIX = "onecode_bench_"
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True, slots=True)
class Config:
    count: int
    repetitions: int


FULL = Config(count=TARGET_COUNT, repetitions=3)
QUICK = Config(count=50_000, repetitions=2)


def gtin_for(repetition: int) -> str:
    """A GTIN-14 under the bench organisation's prefix, different per repetition."""
    body = f"0{COMPANY_PREFIX}{10 + repetition:05d}"[:13]
    from identifiers import gs1_check_digit  # noqa: PLC0415

    return body + str(gs1_check_digit(body))


# --- workers: run in a fresh spawned process each ------------------------------------------------


def _peak_rss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def ours_worker(url: str, count: int, gtin: str, csv_path: str) -> dict[str, Any]:
    """The project's code path, as the CLI runs it; returns timings and RSS."""
    from events import minting  # noqa: PLC0415
    from events.adapters import SystemClock, make_engine  # noqa: PLC0415
    from events.adapters.schema import upgrade  # noqa: PLC0415
    from events.adapters.sql_uow import SqlUnitOfWork  # noqa: PLC0415
    from events.code_export import COLUMNS, batch_rows  # noqa: PLC0415
    from events.domain.code_batches import CodeScheme, MintRequest  # noqa: PLC0415

    engine = make_engine(url)
    upgrade(engine)
    with SqlUnitOfWork(engine) as uow:
        org = uow.organisations.add("Bench Co", company_prefixes=[COMPANY_PREFIX])
        uow.commit()
    request = MintRequest(
        scheme=CodeScheme.SGTIN, count=count, gtin=gtin, lot="L1", expiry="270630"
    )
    rss_setup = _peak_rss_kib()
    start = time.perf_counter()
    report = minting.mint(SqlUnitOfWork(engine), org, request, clock=SystemClock())
    minted = time.perf_counter()
    rows = 0
    with SqlUnitOfWork(engine) as uow, Path(csv_path).open("w", newline="") as handle:
        writer = csv.writer(handle)  # as app/commands/codes.py:_write_csv: header, then rows
        writer.writerow(COLUMNS[request.scheme])
        rows += 1
        for row in batch_rows(uow, report.batch):
            writer.writerow(row)
            rows += 1
    exported = time.perf_counter()
    rss_peak = _peak_rss_kib()
    engine.dispose()
    if rows != count + 1:
        raise RuntimeError(f"ours on {url}: expected {count} CSV rows + header, got {rows}")
    return _result(start, minted, exported, rss_setup, rss_peak, csv_path)


def raw_worker(url: str, count: int, gtin: str, csv_path: str) -> dict[str, Any]:
    """A bare mint-and-insert loop plus a serial-only CSV export; returns timings and RSS."""
    if url.startswith("sqlite:///"):
        return _raw_sqlite(url.removeprefix("sqlite:///"), count, gtin, csv_path)
    return _raw_postgres(url, count, gtin, csv_path)


_RAW_TABLE = (
    "CREATE TABLE raw_codes (code_key VARCHAR(100) NOT NULL, serial VARCHAR(100) NOT NULL, "
    "batch_id VARCHAR(32) NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (code_key, serial))"
)
_RAW_INDEX = "CREATE INDEX raw_codes_batch_seq ON raw_codes (batch_id, seq)"
_RAW_EXPORT = "SELECT serial FROM raw_codes WHERE batch_id = {} ORDER BY seq"


def _raw_sqlite(path: str, count: int, gtin: str, csv_path: str) -> dict[str, Any]:
    from identifiers import SerialPolicy, mint_serials  # noqa: PLC0415

    connection = sqlite3.connect(path, isolation_level=None)
    # the same durability settings as the project's engine (events/adapters/engine.py)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute(_RAW_TABLE)
    connection.execute(_RAW_INDEX)
    batch = uuid.uuid4().hex
    rss_setup = _peak_rss_kib()
    start = time.perf_counter()
    connection.execute("BEGIN")
    connection.executemany(
        "INSERT INTO raw_codes (code_key, serial, batch_id, seq) VALUES (?, ?, ?, ?)",
        ((gtin, s, batch, n) for n, s in enumerate(mint_serials(SerialPolicy(), count))),
    )
    connection.execute("COMMIT")
    minted = time.perf_counter()
    with Path(csv_path).open("w", newline="") as handle:
        csv.writer(handle).writerows(connection.execute(_RAW_EXPORT.format("?"), (batch,)))
    exported = time.perf_counter()
    rss_peak = _peak_rss_kib()
    connection.close()
    # the parent counts the CSV's rows (outside the timing)
    return _result(start, minted, exported, rss_setup, rss_peak, csv_path)


def _raw_postgres(url: str, count: int, gtin: str, csv_path: str) -> dict[str, Any]:
    import psycopg  # noqa: PLC0415

    from identifiers import SerialPolicy, mint_serials  # noqa: PLC0415

    with psycopg.connect(url) as connection:
        connection.execute(_RAW_TABLE)
        connection.execute(_RAW_INDEX)
        connection.commit()
        batch = uuid.uuid4().hex
        rss_setup = _peak_rss_kib()
        start = time.perf_counter()
        with (
            connection.cursor() as cursor,
            cursor.copy("COPY raw_codes (code_key, serial, batch_id, seq) FROM STDIN") as copy,
        ):
            for n, serial in enumerate(mint_serials(SerialPolicy(), count)):
                copy.write_row((gtin, serial, batch, n))
        connection.commit()
        minted = time.perf_counter()
        with (
            Path(csv_path).open("w", newline="") as handle,
            connection.cursor(name="raw_export") as cursor,  # server-side: streams
        ):
            cursor.itersize = 10_000
            cursor.execute(_RAW_EXPORT.format("%s"), (batch,))
            csv.writer(handle).writerows(cursor)
        connection.commit()
        exported = time.perf_counter()
        rss_peak = _peak_rss_kib()
    # the parent counts the CSV's rows (outside the timing)
    return _result(start, minted, exported, rss_setup, rss_peak, csv_path)


def _result(  # noqa: PLR0913, PLR0917
    start: float, minted: float, exported: float, rss_setup: int, rss_peak: int, csv_path: str
) -> dict[str, Any]:
    return {
        "mint": minted - start,
        "export": exported - minted,
        "total": exported - start,
        "rss_setup": rss_setup,
        "rss_peak": rss_peak,
        "csv_bytes": Path(csv_path).stat().st_size,
    }


# --- the parent: databases, repetitions, report --------------------------------------------------

Worker = Callable[[str, int, str, str], dict[str, Any]]


def _in_fresh_process(worker: Worker, *args: Any) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(worker, *args).result()


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


class _Backend:
    """Hands out fresh databases for one backend."""

    name: str

    def fresh(self, tag: str) -> str:
        raise NotImplementedError

    def drop(self, url: str) -> None:
        raise NotImplementedError


class _Sqlite(_Backend):
    name = "SQLite"

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def fresh(self, tag: str) -> str:
        return f"sqlite:///{self.directory / f'{tag}.db'}"

    def drop(self, url: str) -> None:
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


class _Postgres(_Backend):
    name = "PostgreSQL"

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url

    def _admin(self, sql: str) -> None:
        import psycopg  # noqa: PLC0415

        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=5) as connection:
            connection.execute(sql)

    def fresh(self, tag: str) -> str:
        from sqlalchemy.engine import make_url  # noqa: PLC0415

        name = f"{DB_PREFIX}{tag}_{os.getpid()}"
        self._admin(f"DROP DATABASE IF EXISTS {name}")
        self._admin(f"CREATE DATABASE {name}")
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        from sqlalchemy.engine import make_url  # noqa: PLC0415

        name = make_url(url).database
        if name and name.startswith(DB_PREFIX):
            self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def postgres_version(admin_url: str) -> tuple[str | None, str | None]:
    """(server version, None) or (None, the reason PostgreSQL cannot be used)."""
    try:
        import psycopg  # noqa: PLC0415
    except ImportError as exc:  # pragma: no cover - the test extras install it
        return None, f"psycopg is not installed ({exc})"
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as connection:
            row = connection.execute("SHOW server_version").fetchone()
    except psycopg.Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return None, f"cannot connect to {_redacted(admin_url)}: {reason}"
    return (str(row[0]) if row else "unknown"), None


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url  # noqa: PLC0415

    return make_url(url).render_as_string(hide_password=True)


def _measure(backend: _Backend, config: Config, workdir: Path) -> dict[str, list[dict[str, Any]]]:
    runs: dict[str, list[dict[str, Any]]] = {"ours": [], "raw": []}
    workers: dict[str, Worker] = {"ours": ours_worker, "raw": raw_worker}
    for rep in range(config.repetitions):
        for kind in ("ours", "raw") if rep % 2 == 0 else ("raw", "ours"):
            url = backend.fresh(f"{kind}_{rep}")
            csv_path = workdir / f"{kind}_{rep}.csv"
            try:
                result = _in_fresh_process(
                    workers[kind], url, config.count, gtin_for(rep), str(csv_path)
                )
                if kind == "raw" and (lines := _count_lines(csv_path)) != config.count:
                    raise RuntimeError(
                        f"raw on {backend.name}: {lines} CSV rows, expected {config.count}"
                    )
            finally:
                backend.drop(url)
                csv_path.unlink(missing_ok=True)
            runs[kind].append(result)
            print(
                f"  minting {backend.name} {kind} rep {rep + 1}/{config.repetitions}: "
                f"mint {result['mint']:.2f} s, export {result['export']:.2f} s, "
                f"total {result['total']:.2f} s, peak RSS {fmt_mib(result['rss_peak'])}",
                flush=True,
            )
    return runs


def run(*, quick: bool, pg_url: str = DEFAULT_PG_URL) -> Section:
    config = QUICK if quick else FULL
    parts = [_intro(config, quick=quick)]
    with tempfile.TemporaryDirectory(prefix=DB_PREFIX) as tmp:
        workdir = Path(tmp)
        sqlite_runs = _measure(_Sqlite(workdir), config, workdir)
        parts.append(_render_backend("SQLite", config, sqlite_runs, target=None, quick=quick))
        version, reason = postgres_version(pg_url)
        pg_runs: dict[str, list[dict[str, Any]]] = {}
        if reason is None:
            try:
                pg_runs = _measure(_Postgres(pg_url), config, workdir)
            except Exception as exc:  # noqa: BLE001  the report says why instead of failing the run
                reason = f"the run failed: {type(exc).__name__}: {str(exc).splitlines()[0]}"
        if reason is None:
            parts.append(
                _render_backend(
                    f"PostgreSQL {version}", config, pg_runs, target=TARGET_PG_SECONDS, quick=quick
                )
            )
        else:
            print(f"  minting PostgreSQL not measured: {reason}", flush=True)
            parts.append(f"### PostgreSQL\n\nnot measured: {reason}")
    return Section(TITLE, "\n\n".join(parts))


def _intro(config: Config, *, quick: bool) -> str:
    note = "*Quick mode: sizes are reduced and targets are not evaluated.*\n\n" if quick else ""
    return (
        f"{note}N = {config.count:,} SGTIN codes (12-character random serials, GTIN with lot and "
        f"expiry), {config.repetitions} repetitions per backend, ours and raw alternating, each "
        "run in a fresh spawned process against a fresh database (SQLite file in a temp dir; "
        f"PostgreSQL database `{DB_PREFIX}*`, dropped afterwards). *Mint* is `minting.mint(...)` "
        "(serial generation, uniqueness check through the primary key, commit); *export* is "
        "`batch_rows` → `csv.writer` (7 columns: Digital Link, element string, EPC URN, GTIN, "
        "serial, lot, expiry); *total* is both, excluding migrations and setup. The raw baseline "
        "is `mint_serials` into a plain table with the same primary key (code_key, serial) and "
        "index (batch_id, seq) in one transaction (SQLite `executemany` with the project's WAL + "
        "`synchronous=FULL`; PostgreSQL `COPY`), then the serials (one column) to CSV. "
        "*% of raw* is raw time / our time (speed relative to raw). Peak RSS is the worker "
        f"process's `ru_maxrss` after mint + export. {spread_note(config.repetitions)} "
        "Target met is judged on the median; the slowest run is given beside it."
    )


def _render_backend(
    heading: str,
    config: Config,
    runs: dict[str, list[dict[str, Any]]],
    *,
    target: float | None,
    quick: bool,
) -> str:
    def summary(kind: str, key: str) -> Summary:
        return Summary.of([r[key] for r in runs[kind]])

    def rates(kind: str) -> Summary:
        return Summary.of([rate(config.count, r["total"]) for r in runs[kind]])

    rows = []
    for phase in ("mint", "export", "total"):
        ours, raw = summary("ours", phase), summary("raw", phase)
        is_total = phase == "total"
        if is_total and target is not None and not quick:
            met = yes_no(ours.median < target) + f" (slowest {fmt_seconds(ours.high)})"
            goal = f"< {target:.0f} s for {TARGET_COUNT:,}"
        elif is_total and target is not None:
            met, goal = yes_no(None), f"< {target:.0f} s for {TARGET_COUNT:,}"
        else:
            met, goal = "—", "none (reported)" if is_total else "—"
        rows.append(
            [
                f"{phase} time",
                fmt_seconds(ours.median),
                ours.spread("{:,.2f} s"),
                fmt_seconds(raw.median),
                f"{100 * raw.median / ours.median:,.0f} %",
                goal,
                met,
            ]
        )
    ours_rate, raw_rate = rates("ours"), rates("raw")
    rows.append(
        [
            "end-to-end rate, codes/s",
            fmt_rate(ours_rate.median),
            ours_rate.spread(),
            fmt_rate(raw_rate.median),
            f"{100 * ours_rate.median / raw_rate.median:,.0f} %",
            "—",
            "—",
        ]
    )
    ours_rss, raw_rss = summary("ours", "rss_peak"), summary("raw", "rss_peak")
    setup_rss = summary("ours", "rss_setup")
    rows.append(
        [
            f"peak RSS (after setup: {fmt_mib(setup_rss.median)})",
            fmt_mib(ours_rss.median),
            f"{fmt_mib(ours_rss.low)}–{fmt_mib(ours_rss.high)}",
            fmt_mib(raw_rss.median),
            f"{ours_rss.median / raw_rss.median:,.2f}× raw's memory",
            "none (reported)",
            "—",
        ]
    )
    csv_mb = Summary.of([r["csv_bytes"] for r in runs["ours"]]).median / 1e6
    raw_mb = Summary.of([r["csv_bytes"] for r in runs["raw"]]).median / 1e6
    return (
        f"### {heading}\n\n"
        + table(
            [
                "what",
                "ours, median",
                "ours, spread (min–max; IQR)",
                "raw baseline, median",
                "% of raw",
                "target",
                "met?",
            ],
            rows,
        )
        + f"\n\nCSV written: ours {csv_mb:,.0f} MB (7 columns), raw {raw_mb:,.0f} MB (serial only)."
    )

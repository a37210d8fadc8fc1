"""``python -m bench [identifiers] [minting] [--quick]``: run benchmarks, write docs/PERFORMANCE.md.

Sections of benchmarks not selected in this run are kept from the existing file, each with the
date, command and machine of the run that measured it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shlex
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from bench import bench_capture, bench_identifiers, bench_labels, bench_minting, bench_scale
from bench.stats import Section, table

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = ROOT / "docs" / "PERFORMANCE.md"
QUICK_OUTPUT = ROOT / "bench" / "out" / "PERFORMANCE.quick.md"  # git-ignored
MACHINE = "Machine and run"
BENCHMARKS = ("identifiers", "minting", "labels", "capture", "scale")
ORDER = (
    MACHINE,
    bench_identifiers.TITLE,
    bench_minting.TITLE,
    bench_labels.TITLE,
    bench_capture.TITLE,
    bench_scale.TITLE,
)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if unknown := sorted(set(args.benchmarks) - set(BENCHMARKS)):
        # not argparse choices=: Python 3.11 checks a nargs="*" default against them and fails
        parser.error(f"unknown benchmark {unknown[0]!r}: expected one of {', '.join(BENCHMARKS)}")
    selected = [b for b in BENCHMARKS if b in args.benchmarks] or list(BENCHMARKS)
    output = args.output or (QUICK_OUTPUT if args.quick else DEFAULT_OUTPUT)
    started = time.perf_counter()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    command = _command(argv)
    pg_version, pg_reason = bench_minting.postgres_version(args.pg_url)
    machine = _machine(pg_version or f"not reachable ({pg_reason})")
    # once, before the run writes its own output file (checked at the end, it was always dirty)
    commit = _commit()
    stamp = (
        f"*Measured {now:%Y-%m-%d %H:%M} UTC with `{command}` at commit {commit}, on "
        f"{machine['CPU model']} ({machine['CPUs (nproc)']} CPUs), Python {machine['Python']}"
        f"{', quick mode' if args.quick else ''}.*"
    )
    runners: dict[str, Callable[[], Section | None]] = {
        "identifiers": lambda: bench_identifiers.run(quick=args.quick),
        "minting": lambda: bench_minting.run(quick=args.quick, pg_url=args.pg_url),
        "labels": lambda: bench_labels.run(quick=args.quick),
        "capture": lambda: _capture(args),
        "scale": lambda: _scale(args),
    }
    sections: dict[str, str] = _previous_sections(output)
    for name in selected:
        print(f"bench {name}{' (quick)' if args.quick else ''} …", flush=True)
        section = runners[name]()
        if section is None:  # a pre-fill only (--scale-fill-only): nothing measured
            continue
        sections[section.title] = f"{stamp}\n\n{section.body}"
        _write(output, sections)  # after each benchmark, so a later failure loses nothing
    elapsed = time.perf_counter() - started
    sections[MACHINE] = _machine_section(machine, now, command, commit, selected, elapsed)
    _write(output, sections)
    print(f"wrote {output} in {elapsed / 60:.1f} min", flush=True)
    return 0


def _capture(args: argparse.Namespace) -> Section:
    if args.capture_pg_prefilled is None:
        return bench_capture.run(
            quick=args.quick, pg_url=args.pg_url, prefilled=args.capture_prefilled
        )
    if args.scale_keep is None:
        raise SystemExit("--capture-pg-prefilled needs --scale-keep FILE for the pre-fill's record")
    kept = bench_capture.Kept(
        args.capture_pg_prefilled, args.scale_keep.with_suffix(".json"), "a PostgreSQL database"
    )
    return bench_capture.run_postgres_on(kept, pg_url=args.pg_url)


def _scale(args: argparse.Namespace) -> Section | None:
    if args.scale_pg_direct is None:
        return bench_scale.run(
            quick=args.quick,
            pg_url=args.pg_url,
            keep=args.scale_keep,
            prefilled=args.scale_prefilled,
            pg_prefilled=args.scale_pg_prefilled,
            events=args.scale_events,
            postgres=not args.scale_no_postgres,
        )
    if args.scale_keep is None:
        raise SystemExit("--scale-pg-direct needs --scale-keep FILE for the pre-fill's record")
    return bench_scale.run_direct(
        bench_scale.configured(args.scale_events, quick=args.quick),
        args.scale_pg_direct,
        args.scale_keep.with_suffix(".json"),
        fill_only=args.scale_fill_only,
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Run the OneCode Trace benchmarks and write docs/PERFORMANCE.md.",
    )
    parser.add_argument(
        "benchmarks",
        nargs="*",
        metavar="{identifiers,minting,labels,capture,scale}",
        help="which benchmarks to run (default: all)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"smaller sizes for a smoke check; writes {QUICK_OUTPUT.relative_to(ROOT)} "
        "unless --output is given, and evaluates no targets",
    )
    parser.add_argument("--output", type=Path, help=f"markdown file (default {DEFAULT_OUTPUT})")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("ONECODE_BENCH_PG_URL", bench_minting.DEFAULT_PG_URL),
        help="maintenance database URL; bench databases named onecode_bench_* are created "
        "and dropped next to it (default: $ONECODE_BENCH_PG_URL or %(default)s)",
    )
    parser.add_argument(
        "--capture-prefilled",
        type=Path,
        metavar="FILE.db",
        help="capture: measure SQLite's rate at scale on top of a pre-fill kept by "
        "--scale-keep (it grows by the documents posted)",
    )
    parser.add_argument(
        "--capture-pg-prefilled",
        metavar="URL",
        help="capture: PostgreSQL only, its rate at scale on a database pre-filled by "
        "--scale-pg-direct (record: the --scale-keep FILE's .json), in a section of its own",
    )
    parser.add_argument(
        "--scale-keep",
        type=Path,
        metavar="FILE.db",
        help="scale: keep the SQLite pre-fill in FILE.db (and its record in FILE.json)",
    )
    parser.add_argument(
        "--scale-prefilled",
        type=Path,
        metavar="FILE.db",
        help="scale: reuse a pre-fill kept by --scale-keep instead of capturing again",
    )
    parser.add_argument(
        "--scale-events",
        type=int,
        metavar="N",
        help="scale: the ledger size (default 1,000,000); another size gets its own section",
    )
    parser.add_argument(
        "--scale-no-postgres",
        action="store_true",
        help="scale: measure SQLite only (the section says PostgreSQL was not selected)",
    )
    parser.add_argument(
        "--scale-pg-prefilled",
        metavar="URL",
        help="scale: with --scale-prefilled, a PostgreSQL database holding its copy "
        "(onecode db copy, then VACUUM (ANALYZE)), measured instead of copying again",
    )
    parser.add_argument(
        "--scale-pg-direct",
        metavar="URL",
        help="scale: PostgreSQL only, pre-filled directly through capture into the empty "
        "database URL and kept (record in the --scale-keep FILE's .json; reused when it "
        "exists), for sizes whose SQLite pre-fill and copy do not both fit on the disk",
    )
    parser.add_argument(
        "--scale-fill-only",
        action="store_true",
        help="scale: with --scale-pg-direct, stop after the pre-fill (measure in a later run)",
    )
    return parser


def _command(argv: list[str] | None) -> str:
    args = sys.argv[1:] if argv is None else argv
    python = Path(sys.executable)
    try:
        shown = str(python.relative_to(Path.cwd()))
    except ValueError:
        shown = str(python)
    return shlex.join([shown, "-m", "bench", *args])


def _commit() -> str:
    try:
        sha = _git("rev-parse", "--short", "HEAD")
        dirty = _git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{sha}{' + uncommitted changes' if dirty else ''}"


def _git(*args: str) -> str:
    return subprocess.run(  # noqa: S603  fixed arguments, read-only
        ["git", *args],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def _machine(pg_version: str) -> dict[str, str]:
    cpuinfo = _read("/proc/cpuinfo")
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    meminfo = re.search(r"^MemTotal:\s*(\d+) kB", _read("/proc/meminfo"), re.MULTILINE)
    return {
        "CPU model": model.group(1).strip() if model else platform.processor() or "unknown",
        "CPUs (nproc)": str(len(os.sched_getaffinity(0))),
        "RAM": f"{int(meminfo.group(1)) / 1024**2:.1f} GiB" if meminfo else "unknown",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
        "PostgreSQL": pg_version,
        "SQLAlchemy / psycopg / biip": " / ".join(
            _version(p) for p in ("sqlalchemy", "psycopg", "biip")
        ),
    }


def _machine_section(  # noqa: PLR0913, PLR0917  the run's facts, each a row
    machine: dict[str, str],
    now: dt.datetime,
    command: str,
    commit: str,
    selected: list[str],
    elapsed: float,
) -> str:
    rows = [[k, v] for k, v in machine.items()]
    rows += [
        ["date (UTC)", f"{now:%Y-%m-%d %H:%M}"],
        ["command", f"`{command}`"],
        ["commit", commit],
        ["benchmarks run", ", ".join(selected)],
        ["wall time of the run", f"{elapsed / 60:.1f} min"],
    ]
    return (
        "The latest run. A section below that this run did not select keeps the figures, date "
        "and machine of the run that measured it (first line of the section).\n\n"
        + table(["", ""], rows)
    )


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def _previous_sections(path: Path) -> dict[str, str]:
    """The existing file's ``## `` sections, by heading (empty when there is no file)."""
    text = _read(str(path))
    sections: dict[str, str] = {}
    for chunk in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        heading, _, body = chunk.partition("\n")
        sections[heading.strip()] = body.strip()
    return sections


def _write(path: Path, sections: dict[str, str]) -> None:
    parts = [
        "# Performance",
        (
            "Measured, not guessed: every figure below comes from `make bench` (that is "
            "`.venv/bin/python -m bench` from the repository root) and is written by it; "
            "nothing here is typed by hand. To reproduce, run `make bench` (a few minutes; the "
            "wall time of the latest run is in the table below; "
            "PostgreSQL is used at `$ONECODE_BENCH_PG_URL`, default "
            f"`{bench_minting.DEFAULT_PG_URL}`, and skipped with the reason when unreachable). "
            "`python -m bench NAME` runs one benchmark ("
            + ", ".join(f"`{name}`" for name in BENCHMARKS)
            + "); "
            "`python -m bench --quick` is a smoke check with smaller sizes that writes "
            f"`{QUICK_OUTPUT.relative_to(ROOT)}` instead. The test suite never runs benchmarks."
        ),
    ]
    titles = [t for t in ORDER if t in sections] + [t for t in sections if t not in ORDER]
    parts += [f"## {title}\n\n{sections[title]}" for title in titles]
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    partial.replace(path)


if __name__ == "__main__":
    sys.exit(main())

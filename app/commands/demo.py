"""``onecode demo load|generate``: the reference chains of docs/MISSION.md as demo data."""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import quote

import click
from flask.cli import with_appcontext
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from app.wiring import wiring_of
from events.demo import chains, load_chain
from events.demo.load import organisations
from events.demo.scale import scaled_chains, scaled_steps, write_jsonld
from events.domain.links import canonical_id

_TASK = TaskID(0)  # the one task of each progress bar


@click.group("demo")
def demo() -> None:
    """Demo data: food, pharma and building-materials chains with planted problems.

    Example: onecode demo load --if-empty
    """


def _bar(total: int, label: str) -> Progress:
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn())
    progress = Progress(*columns, disable=not sys.stderr.isatty(), transient=True)
    progress.add_task(label, total=total)
    return progress


@demo.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when the ledger holds events already.")
@with_appcontext
def demo_load(*, if_empty: bool) -> None:
    """Create the demo organisations, their master data and events (once).

    Everything goes through the same capture path as real data. No API key is created:
    make one with `onecode key create --org NAME` to use the API as a demo company.

    Example: onecode demo load --if-empty
    """
    wiring = wiring_of()
    wiring.require_migrated()
    built = chains()
    with wiring.uow(read_only=True) as uow:
        held = uow.ledger.last_position()
        taken = [c.name for b in built for c in b.companies if uow.organisations.by_name(c.name)]
    if held and if_empty:
        click.echo(f"the ledger holds {held} events already: demo data not loaded")
        return
    if taken:
        raise click.ClickException(f"demo data is loaded already ({taken[0]!r} exists)")
    ids = organisations(wiring.uow(), built)
    counts = {}
    with _bar(sum(len(b.steps) for b in built), "loading demo") as bar:
        for chain in built:
            counts[chain.name] = load_chain(
                wiring.uow, chain, ids, wiring.clock, progress=lambda n: bar.advance(_TASK, n)
            )
    for chain in built:
        click.echo(
            f"{chain.name}: {counts[chain.name]} events, {len(chain.companies)} organisations: "
            + ", ".join(c.name for c in chain.companies)
        )
    click.echo("\nCodes to try (onecode serve, then the trace API or these commands):")
    for label, code in (pair for chain in built for pair in chain.codes):
        direction = "backward" if "backward" in label else "forward"
        click.echo(f"  {label}\n    {canonical_id(code)}")
        click.echo(f'    onecode trace {direction} "{code}"')
        click.echo(f"    /api/v1/trace?code={quote(code, safe='')}&direction={direction}")
    click.echo('\nAPI keys: onecode key create --org "海口果汁厂 Haikou Juice Plant"')


@demo.command("generate")
@click.option("--events", "count", type=click.IntRange(1), required=True, help="How many events.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="JSON-LD file.")
@click.option("--load", "into_database", is_flag=True, help="Capture into the database instead.")
@with_appcontext
def demo_generate(count: int, out: Path | None, *, into_database: bool) -> None:
    """Repeat the demo chains with fresh codes to COUNT events, for benchmarks (streaming).

    Example: onecode demo generate --events 100000 --out bench.jsonld
    """
    if (out is None) == (not into_database):
        raise click.UsageError("give exactly one of --out FILE or --load")
    if out is not None:
        with out.open("w", encoding="utf-8") as stream, _bar(count, "writing") as bar:
            written = write_jsonld(scaled_steps(count), stream, progress=lambda: bar.advance(_TASK))
        click.echo(f"wrote {written} events to {out}")
        return
    wiring = wiring_of()
    wiring.require_migrated()
    stored = 0
    with _bar(count, "capturing") as bar:
        for chain in scaled_chains(count):
            ids = organisations(wiring.uow(), [chain])
            stored += load_chain(
                wiring.uow, chain, ids, wiring.clock, progress=lambda n: bar.advance(_TASK, n)
            )
    click.echo(f"captured {stored} events")

"""``onecode recall open|status|export``: recall cases from the command line (docs/RECALLS.md)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from app.commands.organisations import find_organisation
from app.recall.export import FORMATS, export
from app.wiring import wiring_of
from events.domain.recalls import RecallCase, RecallError
from events.recalls import open_recall
from events.trace import UnknownCodeError
from identifiers import parse


@click.group("recall")
def recall() -> None:
    """Recall cases: hold everything a bad code reached, follow the holders, export reports.

    Example: onecode recall open "urn:epc:class:lgtin:6901234.012347.SUGAR-7" --reason "SO2"
    """


@recall.command("open")
@click.argument("codes", nargs=-1, required=True)
@click.option("--reason", required=True, help="Why the goods are recalled (shown in reports).")
@click.option(
    "--siblings", is_flag=True, help="Also recall sibling lots made from the same inputs."
)
@click.option("--org", "org_name", help="The organisation [default: the only one].")
@with_appcontext
def recall_open(
    codes: tuple[str, ...], reason: str, *, siblings: bool, org_name: str | None
) -> None:
    """Open a recall of CODES: trace forward, record hold events, list the holders.

    Example: onecode recall open "(01)06901234123479(10)SUGAR-7" --reason "SO2" --org "Coconut Co"
    """
    wiring = wiring_of()
    wiring.require_migrated()
    with wiring.uow(read_only=True) as uow:
        prefixes = uow.organisations.company_prefixes()
        organisation = find_organisation(uow, org_name)
    canonical = [parse(code, company_prefixes=prefixes).canonical for code in codes]
    try:
        case = open_recall(
            wiring.uow(),
            organisation.id,
            canonical,
            reason,
            clock=wiring.clock,
            include_siblings=siblings,
        )
    except UnknownCodeError as exc:
        raise click.ClickException(f"no event of {organisation.name} names {exc}") from exc
    except RecallError as exc:
        raise click.ClickException(str(exc)) from exc
    _print(case)


@recall.command("status")
@click.argument("case_id")
@with_appcontext
def recall_status(case_id: str) -> None:
    """Show a recall case: scope counts, holders with progress, timeline.

    Example: onecode recall status RC-3F9A1C2B7D4E
    """
    _print(_find(case_id))


@recall.command("export")
@click.argument("case_id")
@click.option(
    "--format", "export_format", type=click.Choice(sorted(FORMATS)), required=True,
    help="pdf report, csv scope, or the FSMA 204 spreadsheet (fsma-csv, fsma-xlsx).",
)  # fmt: skip
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@with_appcontext
def recall_export(case_id: str, export_format: str, lang: str, out: Path) -> None:
    """Write a recall report or spreadsheet to a file.

    Example: onecode recall export RC-3F9A1C2B7D4E --format pdf --lang zh --out recall.pdf
    """
    case = _find(case_id)
    with wiring_of().uow(read_only=True) as uow:
        data, _media_type, _suffix = export(uow, case, export_format, lang)
    out.write_bytes(data)
    click.echo(f"wrote {out} ({len(data)} bytes)")


def _find(case_id: str) -> RecallCase:
    wiring = wiring_of()
    wiring.require_migrated()
    with wiring.uow(read_only=True) as uow:
        case: RecallCase | None = uow.recalls.get(None, case_id)
    if case is None:
        raise click.ClickException(f"no recall {case_id}")
    return case


def _print(case: RecallCase) -> None:
    scope = case.scope
    click.echo(f"recall {case.id} {case.status}: {case.reason}")
    click.echo(f"  opened {case.created_at.isoformat(timespec='seconds')}")
    click.echo(
        f"  scope: {len(scope.get('classes', ()))} lots, {len(scope.get('items', ()))} items, "
        f"{len(scope.get('containers', ()))} containers; {len(case.hold_event_ids)} hold events"
    )
    click.echo("  holders (expected / returned / destroyed / outstanding):")
    for h in case.holders:
        unit = f" {h.uom}" if h.uom else ""
        click.echo(
            f"    {h.holder}: {h.expected_quantity:g}{unit} / {h.returned:g} / "
            f"{h.destroyed:g} / {h.outstanding:g}"
        )

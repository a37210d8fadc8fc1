"""``onecode id parse`` and ``onecode codes …``: read any code, mint and export batches."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask.cli import with_appcontext
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from app.commands.organisations import company_prefix, find_organisation
from app.gs1_dates import gs1_date
from app.identifier_json import identifier_json
from app.wiring import wiring_of
from events import minting
from events.adapters import StorageUnavailableError
from events.code_export import COLUMNS, batch_rows
from events.domain.code_batches import CodeBatch, CodeScheme, MintReport, MintRequest
from events.ports import UnitOfWork
from identifiers import parse


@click.group("id")
def id_group() -> None:
    """Identifiers: read any code a scanner, partner or person may send.

    Example: onecode id parse "]d2010952123454321321ABC123"
    """


@id_group.command("parse")
@click.argument("text")
@with_appcontext
def id_parse(text: str) -> None:
    """Parse TEXT (element string, Digital Link, EPC URN, Handle, drug code) and print JSON.

    Exit status 2 with one line on stderr when TEXT is not a valid identifier.

    Example: onecode id parse "https://example.com/01/09521234543213/21/ABC%2F1?17=261231"
    """
    code = parse(text, company_prefixes=_registered_prefixes())
    click.echo(json.dumps(identifier_json(code), ensure_ascii=False, indent=2))


def _registered_prefixes() -> frozenset[str]:
    """The platform's company prefixes, or none when there is no usable database yet."""
    wiring = wiring_of()
    try:
        wiring.require_migrated()
    except StorageUnavailableError:
        return frozenset()  # parsing needs no database; only EPC URNs may then be unknown
    with wiring.uow(read_only=True) as uow:
        return uow.organisations.company_prefixes()


@click.group("codes")
def codes() -> None:
    """Mint batches of unique, unguessable codes and export them.

    Example: onecode codes mint --gtin 06901234000016 --lot L1 --count 1000 --out lot.csv
    """


_org_option = click.option(
    "--org", "org_name", help="Organisation name (may be left out when there is only one)."
)
_count_option = click.option(
    "--count", type=click.IntRange(1, minting.MAX_BATCH), required=True, help="How many codes."
)
_out_option = click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the codes to this CSV file.",
)


@codes.command("mint")
@_org_option
@click.option(
    "--gtin",
    required=True,
    help="GTIN-8/12/13/14 under one of the organisation's company prefixes.",
)
@click.option("--lot", help="Batch/lot number, AI (10).")
@click.option(
    "--expiry",
    callback=lambda _c, _p, v: gs1_date(v, "--expiry"),
    help="Expiry date, YYYY-MM-DD or YYMMDD (AI 17).",
)
@_count_option
@click.option(
    "--serial-length", type=click.IntRange(1, 20), help="Serial length [organisation's policy, 12]."
)
@click.option("--alphabet", help="Characters serials are drawn from [organisation's policy].")
@_out_option
@with_appcontext
def codes_mint(
    org_name: str | None,
    gtin: str,
    lot: str | None,
    expiry: str | None,
    count: int,
    serial_length: int | None,
    alphabet: str | None,
    out: Path | None,
) -> None:
    """Mint COUNT serialised codes (GTIN + random serial) for a lot.

    Example: onecode codes mint --gtin 06901234000016 --lot L1 --expiry 270630 --count 1000
    """
    request = MintRequest(
        scheme=CodeScheme.SGTIN,
        count=count,
        gtin=gtin,
        lot=lot,
        expiry=expiry,
        serial_length=serial_length,
        serial_alphabet=alphabet,
    )
    _mint_and_export(org_name, request, out)


@codes.command("mint-sscc")
@_org_option
@click.option(
    "--company-prefix",
    required=True,
    callback=lambda c, p, v: company_prefix(c, p, (v,))[0],
    help="The organisation's GS1 Company Prefix.",
)
@click.option(
    "--extension",
    type=click.IntRange(0, 9),
    default=0,
    show_default=True,
    help="SSCC extension digit.",
)
@_count_option
@_out_option
@with_appcontext
def codes_mint_sscc(
    org_name: str | None, company_prefix: str, extension: int, count: int, out: Path | None
) -> None:
    """Mint COUNT SSCCs for cases or pallets (serial references are sequential).

    Example: onecode codes mint-sscc --company-prefix 6901234 --count 50 --out pallets.csv
    """
    request = MintRequest(
        scheme=CodeScheme.SSCC, count=count, company_prefix=company_prefix, extension=extension
    )
    _mint_and_export(org_name, request, out)


@codes.command("mint-handle")
@_org_option
@click.option(
    "--prefix", "handle_prefix", help="Handle prefix [the organisation's], e.g. 88.100.1."
)
@_count_option
@click.option(
    "--serial-length", type=click.IntRange(1, 20), help="Suffix length [organisation's policy, 12]."
)
@_out_option
@with_appcontext
def codes_mint_handle(
    org_name: str | None,
    handle_prefix: str | None,
    count: int,
    serial_length: int | None,
    out: Path | None,
) -> None:
    """Mint COUNT industrial-internet identifiers (prefix/random suffix).

    Example: onecode codes mint-handle --count 200 --out tickets.csv
    """
    request = MintRequest(
        scheme=CodeScheme.HANDLE,
        count=count,
        handle_prefix=handle_prefix,
        serial_length=serial_length,
    )
    _mint_and_export(org_name, request, out)


@codes.command("export")
@click.argument("batch_id")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="CSV file to write.",
)
@with_appcontext
def codes_export(batch_id: str, out: Path) -> None:
    """Write the codes of a batch to a CSV file.

    Example: onecode codes export 3f2a9c0d4b6e4f1a8c7d2e5b9a1c3d4e --out batch.csv
    """
    wiring_of().require_migrated()
    with wiring_of().uow(read_only=True) as uow:
        batch = uow.codes.get_batch(batch_id)
        if batch is None:
            raise click.BadParameter(f"no batch {batch_id!r}", param_hint="BATCH_ID")
        _write_csv(uow, batch, out)


def _mint_and_export(org_name: str | None, request: MintRequest, out: Path | None) -> None:
    wiring = wiring_of()
    wiring.require_migrated()
    with wiring.uow() as uow:
        organisation = find_organisation(uow, org_name)
    with _progress("minting", request.count) as advance:
        report = minting.mint(
            wiring.uow(), organisation, request, clock=wiring.clock, progress=advance
        )
    _summarise(report)
    if out is not None:
        with wiring.uow(read_only=True) as uow:
            _write_csv(uow, report.batch, out)


def _summarise(report: MintReport) -> None:
    batch = report.batch
    click.echo(
        f"batch {batch.id}: {batch.count} {batch.request.scheme} codes for {batch.request.code_key}"
    )
    if report.space is not None and report.guess_probability is not None:
        click.echo(
            f"serial space {report.space:.3e}; {report.issued_for_key} issued in it; "
            f"chance a random guess is valid: {float(report.guess_probability):.3e} (limit 1e-4)"
        )


def _write_csv(uow: UnitOfWork, batch: CodeBatch, out: Path) -> None:
    partial = out.with_name(out.name + ".partial")
    with (
        _progress("exporting", batch.count) as advance,
        partial.open("w", newline="", encoding="utf-8") as handle,
    ):
        writer = csv.writer(handle)
        writer.writerow(COLUMNS[batch.request.scheme])
        for n, row in enumerate(batch_rows(uow, batch), 1):
            writer.writerow(row)
            if n % 10_000 == 0:
                advance(n)
        advance(batch.count)
    partial.replace(out)  # never leave a half-written file under the real name
    click.echo(f"wrote {batch.count} codes to {out}")


@contextmanager
def _progress(what: str, total: int) -> Iterator[minting.Progress]:
    columns = (TextColumn(what), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, disable=not sys.stderr.isatty(), transient=True) as bar:
        task = bar.add_task(what, total=total)
        yield lambda done: bar.update(task, completed=done)

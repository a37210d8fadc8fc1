"""``onecode labels …``: print labels (PDF, PNG, SVG, ZPL) for codes the organisation owns."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from app.commands.organisations import find_organisation
from app.gs1_dates import gs1_date
from app.wiring import wiring_of
from events.code_export import batch_rows
from events.domain.code_batches import CodeBatch, CodeScheme
from events.domain.organisations import Organisation
from events.ports import UnitOfWork
from identifiers import Identifier, IdentifierError, Scheme, parse
from label_printing import (
    DPIS,
    FORMATS,
    TEMPLATES,
    LabelError,
    LabelFields,
    LabelJob,
    SymbolKind,
    render,
    render_symbol,
)
from label_printing.printer import RAW_PORT, send


class Refused(click.ClickException):
    """Bad label input: one line on stderr, exit status 2."""

    exit_code = 2


def refusal(organisation: Organisation, code: Identifier) -> str | None:
    """Why ``organisation`` may not print ``code``, or None when it owns it.

    GTINs and SSCCs must lie under one of its GS1 Company Prefixes, Handles under its Handle
    prefix. 20-digit drug traceability codes carry no owner the platform can check.
    """
    if code.gtin is not None and not organisation.owns_gtin(code.gtin):
        return f"GTIN {code.gtin} is not under a company prefix of {organisation.name!r}"
    if code.sscc is not None and not organisation.owns_sscc(code.sscc):
        return f"SSCC {code.sscc} is not under a company prefix of {organisation.name!r}"
    if code.scheme is Scheme.HANDLE and not organisation.owns_handle_prefix(
        code.handle_prefix or ""
    ):
        return f"Handle {code.canonical} is not under the Handle prefix of {organisation.name!r}"
    if code.key and code.gtin is None and code.sscc is None:
        return f"{code.canonical}: only GTIN, SSCC and Handle codes can be printed"
    return None


def owned(organisation: Organisation, codes: list[Identifier]) -> list[Identifier]:
    """The codes, all of them owned by the organisation (else ``Refused``)."""
    for code in codes:
        if (why := refusal(organisation, code)) is not None:
            raise Refused(f"refused: {why}")
    return codes


def checked(organisation: Organisation, codes: Iterator[Identifier]) -> Iterator[Identifier]:
    """The codes as they stream, refusing at the first one the organisation does not own."""
    for code in codes:
        owned(organisation, [code])
        yield code


def batch_codes(uow: UnitOfWork, batch: CodeBatch) -> Iterator[Identifier]:
    """The batch's codes, parsed from their rows as they stream from the database."""
    handle = batch.request.scheme is CodeScheme.HANDLE
    for row in batch_rows(uow, batch):
        yield parse(row[0] if handle else row[1])


@click.group("labels")
def labels() -> None:
    """Labels: GS1 QR, DataMatrix and GS1-128 as PDF sheets, PNG/SVG symbols and ZPL.

    Example: onecode labels render --template consumer --batch 3f2a… --format pdf --out lot.pdf
    """


def _fields(**options: Any) -> LabelFields:  # noqa: ANN401  click's option values
    return LabelFields(**{k: v for k, v in options.items() if v is not None})


def _date(option: str) -> Any:  # noqa: ANN401  a click callback
    return lambda _c, _p, value: gs1_date(value, option)


@labels.command("render")
@click.option(
    "--org", "org_name", help="Organisation name (may be left out when there is only one)."
)
@click.option("--template", required=True, type=click.Choice(sorted(TEMPLATES)), help="Layout.")
@click.option("--code", "codes", multiple=True, help="A code, in any spelling (repeatable).")
@click.option("--batch", "batch_id", help="Print every code of a minted batch.")
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="pdf", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--dpi", type=click.Choice([str(d) for d in DPIS]), default="203", help="ZPL only.")
@click.option("--printer", help="ZPL only: also send to HOST[:PORT] (raw TCP, port 9100).")
@click.option("--domain", help="Digital Link URI stem, e.g. https://id.example.cn.")
@click.option("--product-zh", help="Product name in Chinese.")
@click.option("--product-en", help="Product name in English.")
@click.option("--lot", help="Batch/lot, AI (10), when the code does not carry it.")
@click.option("--expiry", callback=_date("--expiry"), help="Expiry date, AI (17).")
@click.option("--best-before", callback=_date("--best-before"), help="Best before, AI (15).")
@click.option("--production-date", callback=_date("--production-date"), help="AI (11).")
@click.option("--national-code", help="National healthcare reimbursement number, AI (714).")
@click.option("--content-gtin", help="Logistics: GTIN of the contained items, AI (02).")
@click.option("--count", type=click.IntRange(1, 99_999_999), help="Logistics: item count (37).")
@click.option("--ship-from", help="Logistics: shipper name and address.")
@click.option("--ship-to", help="Logistics: consignee name and address.")
@click.option("--truck", help="Delivery ticket: truck plate.")
@click.option("--gross-kg", type=float, help="Delivery ticket: weighbridge gross.")
@click.option("--tare-kg", type=float, help="Delivery ticket: weighbridge tare.")
@click.option("--mix", help="Delivery ticket: mix design, e.g. C30.")
@click.option("--customer", help="Delivery ticket: customer.")
@click.option("--site", help="Delivery ticket: construction site.")
@click.option("--batched-at", help="Delivery ticket: time batched.")
@with_appcontext
def labels_render(
    org_name: str | None,
    template: str,
    codes: tuple[str, ...],
    batch_id: str | None,
    fmt: str,
    out: Path,
    dpi: str,
    printer: str | None,
    **field_options: Any,  # noqa: ANN401
) -> None:
    """Render labels for --code CODE… or a whole --batch into one file.

    PDF streams any number of labels (a batch of 100,000 makes a multi-page PDF with flat memory);
    PNG and SVG hold the template's main symbol for one code; ZPL suits Zebra printers.

    Example: onecode labels render --template pharma --code "(01)06901234000016(21)A1"
    --lot B7 --expiry 2027-06-30 --format zpl --dpi 300 --out pack.zpl
    """
    if bool(codes) == bool(batch_id):
        raise click.UsageError("give --code CODE… or --batch ID (one of them)")
    fields = _fields(**field_options)
    wiring = wiring_of()
    wiring.require_migrated()
    with wiring.uow(read_only=True) as uow:
        organisation = find_organisation(uow, org_name)
        if codes:
            _write(
                LabelJob(
                    template, owned(organisation, [parse(c) for c in codes]), fields, len(codes)
                ),
                fmt,
                out,
                int(dpi),
            )
        else:
            batch = uow.codes.get_batch(str(batch_id))
            if batch is None or batch.organisation_id != organisation.id:
                raise Refused(f"no batch {batch_id!r} of {organisation.name!r}")
            stream = checked(organisation, batch_codes(uow, batch))
            _write(LabelJob(template, stream, fields, batch.count), fmt, out, int(dpi))
    if printer:
        host, _, port = printer.partition(":")
        try:
            send(out.read_bytes(), host, int(port or RAW_PORT))
        except LabelError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"sent {out} to {host}:{port or RAW_PORT}")


def _write(job: LabelJob, fmt: str, out: Path, dpi: int) -> None:
    partial = out.with_name(out.name + ".partial")
    try:
        with _progress("rendering", job.count) as advance, partial.open("wb") as handle:
            done = render(job, fmt, handle, progress=advance, dpi=dpi)
    except (LabelError, IdentifierError) as exc:
        partial.unlink(missing_ok=True)
        raise Refused(str(exc)) from exc
    partial.replace(out)  # never leave a half-written file under the real name
    click.echo(f"wrote {done} {job.template} label{'s' if done != 1 else ''} to {out}")


@contextmanager
def _progress(what: str, total: int | None) -> Iterator[Any]:
    columns = (TextColumn(what), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, disable=not sys.stderr.isatty(), transient=True) as bar:
        task = bar.add_task(what, total=total)
        yield lambda n: bar.advance(task, n)


@labels.command("symbol")
@click.option(
    "--org", "org_name", help="Organisation name (may be left out when there is only one)."
)
@click.option("--symbol", "kind", type=click.Choice([k.value for k in SymbolKind]), required=True)
@click.option("--code", required=True, help="The code, in any spelling identifiers accept.")
@click.option(
    "--format", "fmt", type=click.Choice(["png", "svg"]), default="png", show_default=True
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--domain", help="QR only: Digital Link URI stem, e.g. https://id.example.cn.")
@with_appcontext
def labels_symbol(
    org_name: str | None, kind: str, code: str, fmt: str, out: Path, domain: str | None
) -> None:
    """Write one bare symbol carrying the GS1 form of CODE (quiet zones included).

    Example: onecode labels symbol --symbol datamatrix
    --code "(01)06901234000016(17)270630(10)L1" --format svg --out dm.svg
    """
    wiring = wiring_of()
    wiring.require_migrated()
    with wiring.uow(read_only=True) as uow:
        organisation = find_organisation(uow, org_name)
    [parsed] = owned(organisation, [parse(code)])
    try:
        data = render_symbol(kind, parsed, fmt, domain=domain)
    except LabelError as exc:
        raise Refused(str(exc)) from exc
    out.write_bytes(data)
    click.echo(f"wrote {kind} {fmt} to {out}")

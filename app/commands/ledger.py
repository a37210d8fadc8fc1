"""``onecode capture``, ``events hash``, ``ledger …``, ``projections rebuild`` and ``worker``."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from app.commands.organisations import find_organisation
from app.epcis.subscriptions import deliver_subscriptions
from app.signing import signing_key
from app.wiring import Wiring, wiring_of
from events.audit import verify
from events.capture import ErrorBehaviour, capture
from events.checkpoints import public_key_bytes
from events.checkpoints import verify as verify_signature
from events.codec import CaptureDocument, EpcisValidationError, read_document
from events.domain.hashing import event_hash
from events.master_data import store_master_data
from events.submissions import process_next
from events.tree_heads import current_checkpoint

MEDIA_TYPES = {
    ".json": "application/ld+json",
    ".jsonld": "application/ld+json",
    ".xml": "application/xml",
}


def _media_type(path: Path) -> str:
    try:
        return MEDIA_TYPES[path.suffix.lower()]
    except KeyError:
        raise click.BadParameter(
            f"{path}: expected a .json, .jsonld or .xml file", param_hint="FILE"
        ) from None


def _read_document(path: Path) -> CaptureDocument:
    try:
        return read_document(path.read_bytes(), _media_type(path))
    except EpcisValidationError as exc:
        first = exc.errors[0] if exc.errors else None
        where = f" at {first.field}: {first.message}" if first else f": {exc}"
        raise click.ClickException(f"{path} is not a valid EPCIS document{where}") from exc


def _read(path: Path) -> list[dict[str, object]]:
    return list(_read_document(path).events)


@click.command("capture")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--org", "org_name", help="Organisation that captures (may be left out when there is only one)."
)
@click.option(
    "--proceed", is_flag=True, help="Store the valid events of a document even if others fail."
)
@with_appcontext
def capture_files(files: tuple[Path, ...], org_name: str | None, *, proceed: bool) -> None:
    """Capture EPCIS documents (JSON-LD or XML, EPCIS 2.0 or 1.2) into the ledger.

    Each file is one transaction: all its events or none (unless --proceed). Files already
    captured are reported as duplicates and store nothing twice.

    Example: onecode capture shipments/*.jsonld --org "Coconut Co"
    """
    wiring = wiring_of()
    wiring.require_migrated()
    with wiring.uow(read_only=True) as uow:
        organisation = find_organisation(uow, org_name)
    behaviour = ErrorBehaviour.PROCEED if proceed else ErrorBehaviour.ROLLBACK
    stored = refused = 0
    columns = (TextColumn("capturing"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, disable=not sys.stderr.isatty(), transient=True) as bar:
        task = bar.add_task("files", total=len(files))
        for path in files:
            document = _read_document(path)
            store_master_data(wiring.uow(), organisation.id, document.master_data, wiring.clock)
            outcome = capture(
                wiring.uow(),
                list(document.events),
                organisation_id=organisation.id,
                behaviour=behaviour,
            )
            stored += len(outcome.stored)
            refused += len(outcome.errors)
            for error in outcome.errors[:5]:
                click.echo(f"{path}: event {error.index}: {error.detail}", err=True)
            bar.advance(task)
    click.echo(f"captured {stored} events from {len(files)} files; {refused} refused")
    if refused and not proceed:
        sys.exit(1)


@click.group("events")
def events_group() -> None:
    """EPCIS events: hashes and inspection.

    Example: onecode events hash document.jsonld
    """


@events_group.command("hash")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def events_hash(file: Path) -> None:
    """Print the CBV 2.0 event hash of every event in FILE, one per line, in document order.

    Example: onecode events hash shipment.xml
    """
    for event in _read(file):
        click.echo(event_hash(event))


@click.group("ledger")
def ledger() -> None:
    """The append-only, tamper-evident ledger.

    Example: onecode ledger verify
    """


@ledger.command("verify")
@with_appcontext
def ledger_verify() -> None:
    """Recompute every leaf and tree head; report altered or missing events (exit status 1).

    Example: onecode ledger verify
    """
    wiring = wiring_of()
    wiring.require_migrated()
    key = public_key_bytes(signing_key(wiring.settings.signing_key_file))
    with wiring.uow(read_only=True) as uow:
        stored = uow.checkpoints.all()
    heads = []
    for signed in stored:
        if signed.public_key == key and not verify_signature(signed, key):
            click.echo(f"checkpoint of size {signed.checkpoint.tree_size}: bad signature", err=True)
            sys.exit(1)
        heads.append((signed.checkpoint.tree_size, signed.checkpoint.root_hash))
    report = verify(wiring.uow(read_only=True), heads=heads)
    for problem in report.problems:
        click.echo(f"PROBLEM: {problem}", err=True)
    click.echo(
        f"checked {report.events} events, {report.tree_size} leaves, {len(heads)} checkpoints: "
        + ("ledger intact" if report.ok else f"{len(report.problems)} problems")
    )
    if not report.ok:
        sys.exit(1)


@ledger.command("checkpoint")
@with_appcontext
def ledger_checkpoint() -> None:
    """Sign and print the current tree head as a signed note.

    Example: onecode ledger checkpoint > checkpoint.txt
    """
    wiring = wiring_of()
    wiring.require_migrated()
    signed = current_checkpoint(
        wiring.uow(), signing_key(wiring.settings.signing_key_file), wiring.clock
    )
    click.echo(signed.note(), nl=False)


@click.group("projections")
def projections() -> None:
    """Read models built from the ledger (item state, links, lineage).

    Example: onecode projections rebuild
    """


@projections.command("rebuild")
@with_appcontext
def projections_rebuild() -> None:
    """Clear the projections and replay the whole ledger into them, in one transaction.

    Example: onecode projections rebuild
    """
    wiring = wiring_of()
    wiring.require_migrated()
    with wiring.uow() as uow:
        replayed = uow.projections.rebuild(uow.ledger)
        uow.commit()
    click.echo(f"replayed {replayed} events")


@click.command("worker")
@click.option("--once", is_flag=True, help="Process the waiting jobs, then stop.")
@with_appcontext
def worker(*, once: bool) -> None:
    """Capture queued documents; several workers may share the queue (PostgreSQL).

    Example: onecode worker
    """
    wiring = wiring_of()
    wiring.require_migrated()
    done = run_jobs(wiring, threading.Event(), stop_when_idle=once)
    click.echo(f"processed {done} capture jobs")


def run_jobs(
    wiring: Wiring, stop: threading.Event, *, stop_when_idle: bool = False, idle: float = 0.5
) -> int:
    """Process capture jobs until ``stop`` is set (or the queue is empty: ``stop_when_idle``)."""
    done = 0
    while not stop.is_set():
        deliver_subscriptions(wiring)  # due webhook notifications (docs/WEBHOOKS.md)
        if process_next(wiring.uow, wiring.clock) is not None:
            done += 1
        elif stop_when_idle:
            break
        else:
            stop.wait(idle)
    return done


def start_worker_thread(app: Flask) -> threading.Event:
    """Run a capture worker beside ``onecode serve`` (no other process needed by default)."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run_jobs, args=(wiring_of(app), stop), name="capture-worker", daemon=True
    )
    thread.start()
    return stop


COMMANDS = (capture_files, events_group, ledger, projections, worker)

"""The ``onecode`` command line, built on Flask's CLI so it sees the same configuration.

Every command documents itself with an example (``onecode COMMAND --help``). Errors end in one
line on stderr and a non-zero exit status: 2 for bad input or configuration, 1 when something
the command needs (the database, a port) is not available.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from app import create_app, entry_points
from app.commands import codes, demo, labels, ledger, organisations, recall, trace
from app.config import ConfigError
from app.wiring import wiring_of
from events.adapters import StorageUnavailableError, make_engine, ping
from events.adapters.schema import current_revision, head_revision, upgrade
from events.adapters.sql_copy import CopyRefusedError, copy_database, count_rows, refuse_rows
from events.domain import LedgerError
from identifiers import IdentifierError

EXIT_BAD_INPUT = 2
EXIT_UNAVAILABLE = 1


class OnecodeGroup(FlaskGroup):
    """Flask's group without its own commands and without loading the app to list commands.

    Flask's ``list_commands`` builds the app to find plugin commands and prints a traceback when
    that fails; our commands are all declared here, so ``onecode --help`` never needs the app.
    """

    def __init__(self, **kwargs: Any) -> None:  # noqa: ANN401  FlaskGroup's keyword arguments
        super().__init__(**kwargs)
        # --app/--env-file/--debug would let a user bypass our factory and settings.
        self.params = [p for p in self.params if p.name not in {"app", "env_file", "debug"}]

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Our commands only."""
        return click.Group.list_commands(self, ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Our commands only."""
        return click.Group.get_command(self, ctx, cmd_name)


@click.group(
    cls=OnecodeGroup,
    create_app=create_app,
    add_default_commands=False,
    add_version_option=False,
    load_dotenv=False,
    set_debug_flag=False,
)
def cli() -> None:
    """OneCode Trace (一物一码追溯平台): supply-chain traceability on GS1 EPCIS 2.0.

    Settings come from ONECODE_* environment variables (docs/CONFIGURATION.md).

    Example: onecode db upgrade && onecode serve
    """


@cli.group()
def db() -> None:
    """Database schema: migrations are the only way the schema is made.

    Example: ONECODE_DATABASE_URL=postgresql://localhost/onecode onecode db upgrade
    """


@db.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Migrate the database to the newest schema (safe to run again).

    Example: onecode db upgrade
    """
    engine = wiring_of().engine
    ping(engine)
    before = current_revision(engine)
    upgrade(engine)
    after = current_revision(engine)
    where = engine.url.render_as_string(hide_password=True)
    click.echo(f"database {where}: {before or 'empty'} -> {after}")


@db.command("current")
@with_appcontext
def db_current() -> None:
    """Print the schema revision of the database and the newest one.

    Example: onecode db current
    """
    engine = wiring_of().engine
    ping(engine)
    click.echo(f"current: {current_revision(engine) or 'empty'}\nhead: {head_revision()}")


@db.command("copy")
@click.argument("target_url")
@with_appcontext
def db_copy(target_url: str) -> None:
    """Copy every table of this database into a new, empty one, e.g. SQLite to PostgreSQL.

    The source is ONECODE_DATABASE_URL. TARGET_URL is migrated first and must hold no rows;
    rows are copied as they are (positions, hashes, the Merkle tree), in one transaction, so a
    failed copy leaves the target empty. Stop the server first: later captures are not copied.
    Afterwards point ONECODE_DATABASE_URL at the target (docs/OPERATIONS.md).

    Example: onecode db copy postgresql://onecode@localhost/onecode
    """
    wiring = wiring_of()
    wiring.require_migrated()
    source = wiring.engine
    try:
        target = make_engine(target_url)
    except StorageUnavailableError as exc:
        raise click.BadParameter(str(exc), param_hint="TARGET_URL") from exc
    try:
        ping(target)
        refuse_rows(target)  # before migrating it, so a refused target is left untouched
        upgrade(target)
        totals = count_rows(source)
        seconds = dict.fromkeys(totals, 0.0)
        started = last = time.perf_counter()

        def advance(table: str, rows: int) -> None:
            nonlocal last
            now = time.perf_counter()
            seconds[table] += now - last
            last = now
            bar.update(_TASK, advance=rows, description=table)

        with _bar(sum(totals.values())) as bar:
            copied = copy_database(source, target, progress=advance)
    except CopyRefusedError as exc:
        raise _RefusedError(str(exc)) from exc
    finally:
        target.dispose()
    elapsed = time.perf_counter() - started
    total = sum(copied.values())
    click.echo(
        f"copied {total:,} rows in {elapsed:.1f} s ({total / max(elapsed, 1e-9):,.0f} rows/s): "
        f"{source.url.render_as_string(hide_password=True)} -> "
        f"{target.url.render_as_string(hide_password=True)}"
    )
    for table, rows in copied.items():
        rate = f"  {rows / seconds[table]:>9,.0f} rows/s" if rows and seconds[table] else ""
        click.echo(f"  {table:<24} {rows:>12,}{rate}")


_TASK = TaskID(0)  # the one task of the copy's progress bar


class _RefusedError(click.ClickException):
    """Bad input (a target that is not empty): one line on stderr, exit status 2."""

    exit_code = EXIT_BAD_INPUT


def _bar(total: int) -> Progress:
    columns = (TextColumn("{task.description:<24}"), BarColumn(), MofNCompleteColumn())
    console = Console(stderr=True)
    progress = Progress(*columns, console=console, disable=not console.is_terminal, transient=True)
    progress.add_task("copying", total=total)
    return progress


@cli.command()
@click.option("--host", help="Address to listen on [default: ONECODE_HOST or 127.0.0.1].")
@click.option("--port", type=int, help="Port to listen on [default: ONECODE_PORT or 5000].")
@with_appcontext
def serve(host: str | None, port: int | None) -> None:
    """Serve the web pages and APIs with a production WSGI server (waitress).

    Refuses to start when the database is unreachable or not migrated.

    Example: ONECODE_PORT=8080 onecode serve
    """
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]  # noqa: SLF001
    settings = wiring_of(app).settings
    host, port = host or settings.host, port or settings.port
    wiring_of(app).require_migrated()
    from waitress import create_server  # noqa: PLC0415  heavy import only for this command

    try:
        server = create_server(app, host=host, port=port, threads=settings.threads)
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on {host}:{port}: {exc.strerror}; set ONECODE_PORT to a free port"
        ) from exc
    _banner(app, f"http://{host}:{port}")
    stop = ledger.start_worker_thread(app)
    try:
        server.run()
    finally:
        stop.set()


for _command in (
    organisations.org,
    organisations.key,
    codes.id_group,
    codes.codes,
    labels.labels,
    *ledger.COMMANDS,
    trace.trace,
    recall.recall,
    demo.demo,
):
    cli.add_command(_command)


def _banner(app: Flask, base: str) -> None:
    click.echo(f"OneCode Trace 一物一码追溯平台 serving on {base}/")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        for entry in entry_points.of(app):
            click.echo(f"  {entry.audience!s:<12} {entry.title!s:<14} {base}{entry.path}")
    click.echo("Press Ctrl+C to stop.")


def main(argv: list[str] | None = None) -> Any:  # noqa: ANN401  click's return value
    """Run the CLI, turning our errors into one line on stderr and an exit status."""
    try:
        status = cli.main(args=argv, prog_name="onecode", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("onecode: aborted", err=True)
        sys.exit(EXIT_UNAVAILABLE)
    except click.ClickException as exc:
        click.echo(f"onecode: error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except ConfigError as exc:
        click.echo(f"onecode: configuration error: {exc}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except StorageUnavailableError as exc:
        click.echo(f"onecode: database error: {exc}", err=True)
        sys.exit(EXIT_UNAVAILABLE)
    except (IdentifierError, LedgerError) as exc:
        click.echo(f"onecode: error: {exc}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except Exception as exc:
        # A bug: the traceback goes to the log at DEBUG, the user gets one line.
        logging.getLogger("onecode.cli").debug("unexpected error", exc_info=exc)
        click.echo(
            f"onecode: internal error: {type(exc).__name__}: {exc} "
            "(run again with ONECODE_LOG_LEVEL=DEBUG for details)",
            err=True,
        )
        sys.exit(EXIT_UNAVAILABLE)
    sys.exit(status if isinstance(status, int) else 0)

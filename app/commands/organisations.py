"""``onecode org …`` and ``onecode key …``: organisations, what they own, and their API keys."""

from __future__ import annotations

import secrets

import click
from flask.cli import with_appcontext
from rich.console import Console
from rich.table import Table

from app.wiring import wiring_of
from events.adapters.sql_registry import hash_api_key
from events.domain.organisations import Organisation
from events.ports import UnitOfWork
from identifiers import Gln, HandleId, SerialPolicy
from identifiers.minting import SAFE_SET82

API_KEY_PREFIX = "oc_"


def company_prefix(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> tuple[str, ...]:
    """A GS1 Company Prefix is 4 to 12 digits (GS1 General Specifications §1.4.4)."""
    for value in values:
        if not (value.isascii() and value.isdigit() and 4 <= len(value) <= 12):  # noqa: PLR2004
            raise click.BadParameter(f"{value!r}: expected a GS1 Company Prefix of 4-12 digits")
    return values


def find_organisation(uow: UnitOfWork, name: str | None) -> Organisation:
    """The named organisation, or the only one when no name is given."""
    if name is not None:
        found = uow.organisations.by_name(name)
        if found is None:
            raise click.BadParameter(
                f"no organisation named {name!r} (see onecode org list)", param_hint="--org"
            )
        return found
    everyone = uow.organisations.all()
    if len(everyone) != 1:
        raise click.BadParameter(
            f"{len(everyone)} organisations exist: name one with --org", param_hint="--org"
        )
    return everyone[0]


@click.group("org")
def org() -> None:
    """Organisations: companies that capture events and own codes.

    Example: onecode org create "Hainan Coconut Co" --gcp 6901234 --gln 6901234000017
    """


@org.command("create")
@click.argument("name")
@click.option(
    "--gcp", "gcps", multiple=True, callback=company_prefix, help="GS1 Company Prefix (repeatable)."
)
@click.option("--gln", "glns", multiple=True, help="Global Location Number of a site (repeatable).")
@click.option("--handle-prefix", help="Industrial-internet enterprise prefix, e.g. 88.100.1.")
@click.option(
    "--serial-length",
    type=click.IntRange(1, 20),
    default=12,
    show_default=True,
    help="Length of minted serials.",
)
@click.option(
    "--serial-alphabet",
    default=SAFE_SET82,
    show_default=True,
    help="Characters of minted serials (GS1 set 82).",
)
@with_appcontext
def org_create(
    name: str,
    gcps: tuple[str, ...],
    glns: tuple[str, ...],
    handle_prefix: str | None,
    serial_length: int,
    serial_alphabet: str,
) -> None:
    """Register an organisation and what it owns.

    Example: onecode org create "Haikou Pharma" --gcp 6923456 --handle-prefix 88.118.2
    """
    glns = tuple(Gln.parse(g).value for g in glns)
    policy = SerialPolicy(serial_length, serial_alphabet)
    wiring_of().require_migrated()
    if handle_prefix:
        HandleId.parse(f"{handle_prefix}/x")
    with wiring_of().uow() as uow:
        created = uow.organisations.add(
            name,
            company_prefixes=gcps,
            glns=glns,
            handle_prefix=handle_prefix,
            serial_policy=policy,
        )
        uow.commit()
    click.echo(f"organisation {created.name!r} created (id {created.id})")


@org.command("list")
@with_appcontext
def org_list() -> None:
    """List organisations with their prefixes and locations.

    Example: onecode org list
    """
    wiring_of().require_migrated()
    table = Table("id", "name", "company prefixes", "GLNs", "Handle prefix")
    with wiring_of().uow() as uow:
        for o in uow.organisations.all():
            table.add_row(
                str(o.id),
                o.name,
                " ".join(o.company_prefixes),
                " ".join(o.glns),
                o.handle_prefix or "",
            )
    Console().print(table)


@click.group("key")
def key() -> None:
    """API keys: each belongs to one organisation; only its hash is stored.

    Example: onecode key create --org "Hainan Coconut Co"
    """


@key.command("create")
@click.option(
    "--org", "org_name", help="Organisation name (may be left out when there is only one)."
)
@click.option("--label", default="", help="What the key is for, e.g. 'ERP integration'.")
@with_appcontext
def key_create(org_name: str | None, label: str) -> None:
    """Create an API key and print it once: store it now, it cannot be shown again.

    Example: onecode key create --org "Hainan Coconut Co" --label "WMS"
    """
    wiring_of().require_migrated()
    secret = API_KEY_PREFIX + secrets.token_urlsafe(32)
    with wiring_of().uow() as uow:
        owner = find_organisation(uow, org_name)
        uow.organisations.add_api_key(owner.id, hash_api_key(secret), label)
        uow.commit()
    click.echo(
        f"API key for {owner.name!r} (shown once; send it as 'Authorization: Bearer <key>'):",
        err=True,
    )
    click.echo(secret)

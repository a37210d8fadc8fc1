"""``onecode trace forward|backward CODE``: the trace graph as JSON or a tree in the terminal."""

from __future__ import annotations

import json
from typing import Any, Final

import click
from flask.cli import with_appcontext
from rich.console import Console
from rich.markup import escape
from rich.tree import Tree

from app.commands.organisations import find_organisation
from app.wiring import wiring_of
from events.master_data import name_nodes
from events.trace import MAX_DEPTH, MAX_NODES, Direction, UnknownCodeError
from events.trace import trace as run_trace
from identifiers import parse


@click.group("trace")
def trace() -> None:
    """Trace a code forward (where it went) or backward (where it came from).

    Example: onecode trace forward "urn:epc:class:lgtin:6901234.012345.SUGAR-7"
    """


def _options(command: Any) -> Any:  # noqa: ANN401  a click command
    command = click.option("--json", "as_json", is_flag=True, help="Print the JSON graph.")(command)
    command = click.option(
        "--org",
        "org_name",
        help="Trace over this organisation's events only [default: every event].",
    )(command)
    command = click.option("--max-depth", type=click.IntRange(1, MAX_DEPTH), default=MAX_DEPTH)(
        command
    )
    return click.option("--max-nodes", type=click.IntRange(1, MAX_NODES), default=MAX_NODES)(
        command
    )


@trace.command("forward")
@click.argument("code")
@_options
@with_appcontext
def trace_forward(
    code: str, *, as_json: bool, org_name: str | None, max_depth: int, max_nodes: int
) -> None:
    """Everything derived from CODE, the containers and shipments, who holds it now.

    Example: onecode trace forward "(01)06901234123456(10)SUGAR-7" --org "Coconut Co"
    """
    _run(code, "forward", as_json=as_json, org_name=org_name, bounds=(max_depth, max_nodes))


@trace.command("backward")
@click.argument("code")
@_options
@with_appcontext
def trace_backward(
    code: str, *, as_json: bool, org_name: str | None, max_depth: int, max_nodes: int
) -> None:
    """The inputs, containers, locations, parties and inspections CODE came through.

    Example: onecode trace backward "https://id.gs1.org/01/06901234123456/21/B1" --json
    """
    _run(code, "backward", as_json=as_json, org_name=org_name, bounds=(max_depth, max_nodes))


def _run(
    code: str, direction: Direction, *, as_json: bool, org_name: str | None, bounds: tuple[int, int]
) -> None:
    wiring = wiring_of()
    wiring.require_migrated()
    with wiring.uow(read_only=True) as uow:
        canonical = parse(code, company_prefixes=uow.organisations.company_prefixes()).canonical
        organisation = find_organisation(uow, org_name) if org_name else None
        store = uow.lineage.scoped(organisation.id if organisation else None)
        try:
            result = run_trace(
                store, canonical, direction, max_depth=bounds[0], max_nodes=bounds[1]
            )
        except UnknownCodeError as exc:
            raise click.ClickException(f"no event names {canonical}") from exc
        body = name_nodes(
            uow.master_data, organisation.id if organisation else None, result.to_json()
        )
    if as_json:
        click.echo(json.dumps(body, ensure_ascii=False, indent=2))
        return
    Console().print(_tree(body))


def _tree(body: dict[str, Any]) -> Tree:  # noqa: C901
    """The graph as a tree from the root (each node expanded once), then the summaries."""
    kinds = {n["id"]: n["kind"] for n in body["nodes"]}
    forward = body["direction"] == "forward"
    children: dict[str, list[dict[str, Any]]] = {}
    for edge in body["edges"]:
        if edge["relation"] in ("input", "child", "associated"):
            if edge["relation"] == "input":
                here, there = (edge["src"], edge["dst"]) if forward else (edge["dst"], edge["src"])
            else:
                here, there = edge["src"], edge["dst"]
            children.setdefault(here, []).append(edge | {"other": there})
    for edge in body["edges"]:
        if edge["relation"] in ("child", "associated") and edge["dst"] in children:
            children.setdefault(edge["dst"], [])
    title = f"[bold]{body['direction']} trace[/] of {body['root']}"
    if body["truncated"]:
        title += f" [red](truncated at {body['bound']})[/]"
    tree = Tree(title)
    shown: set[str] = set()

    def grow(branch: Tree, node: str) -> None:
        if node in shown:
            return
        shown.add(node)
        for edge in children.get(node, []):
            when = edge["event_time"] + (f" → {edge['until_time']}" if edge["until_time"] else "")
            amount = f" {edge['quantity']:g} {edge['uom'] or ''}" if edge["quantity"] else ""
            label = f"{edge['relation']}: {kinds.get(edge['other'], '?')} {edge['other']}"
            grow(branch.add(f"{label}{amount} [dim]{when}[/]"), edge["other"])

    grow(tree, body["root"])
    _timeline(tree, body.get("events") or [])
    summary = tree.add("[bold]summary[/]")
    for key, value in body["summary"].items():
        if value:
            section = summary.add(f"{key} ({len(value) if isinstance(value, list) else value})")
            for entry in value if isinstance(value, list) else []:
                section.add(json.dumps(entry, ensure_ascii=False))
    return tree


_SHOWN_EVENTS: Final = 50  # a recall's timeline has thousands: --json has them all
_SHOWN_OBJECTS: Final = 3


def _timeline(tree: Tree, events: list[dict[str, Any]]) -> None:
    """The events of the trace, oldest first: step, objects named, places (the first 50)."""
    if not events:
        return
    branch = tree.add(f"[bold]timeline[/] ({len(events)} events)")
    for event in events[:_SHOWN_EVENTS]:
        objects = event["objects"]
        named = ", ".join(objects[:_SHOWN_OBJECTS])
        if len(objects) > _SHOWN_OBJECTS:
            named += f" … +{len(objects) - _SHOWN_OBJECTS}"
        places = ", ".join(f"{p['relation']} {p['id']}" for p in event["places"])
        line = f"{event['event_time']} {event['biz_step'] or event['type']}: {named}"
        branch.add(escape(line) + (f" [dim]@ {escape(places)}[/]" if places else ""))
    if len(events) > _SHOWN_EVENTS:
        branch.add(f"… {len(events) - _SHOWN_EVENTS} more (--json lists them all)")

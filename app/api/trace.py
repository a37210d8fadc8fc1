"""``GET /api/v1/trace``: forward (顺向追踪) and backward (逆向回推) trace of one code.

Visibility, for now: an organisation traces over the events it captured (its API key decides).
Tracing across companies (the regulator role) comes with the security issue.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from app.api.auth import current_organisation, require_organisation
from app.problems import CATALOGUE, Problem, ProblemError
from app.wiring import wiring_of
from events.master_data import name_nodes
from events.trace import MAX_DEPTH, MAX_NODES, UnknownCodeError, trace
from identifiers import MAX_INPUT_LENGTH, parse

bp = Blueprint(
    "trace",
    __name__,
    url_prefix="/trace",
    description="Forward and backward trace over the ledger: lots, items, containers, holders.",
)


class TraceQuery(Schema):
    """The code to trace, in any spelling, and the direction."""

    code = fields.String(
        required=True, metadata={"example": "urn:epc:class:lgtin:6901234.012345.SUGAR-7"}
    )
    direction = fields.String(
        load_default="backward", validate=validate.OneOf(["forward", "backward"])
    )
    max_depth = fields.Integer(load_default=MAX_DEPTH, validate=validate.Range(1, MAX_DEPTH))
    max_nodes = fields.Integer(load_default=MAX_NODES, validate=validate.Range(1, MAX_NODES))


@bp.route("")
class Trace(MethodView):
    """Trace one code."""

    decorators = [require_organisation]  # noqa: RUF012  Flask's View API

    @bp.doc(security=[{"bearer": []}])
    @bp.arguments(TraceQuery, location="query", as_kwargs=True)
    @bp.response(200)
    def get(self, code: str, direction: str, max_depth: int, max_nodes: int) -> Response:
        """The trace graph (nodes, edges), its timeline of events and summaries, over your events.

        ``direction=backward``: the inputs, containers, locations, parties and inspections the
        code came through. ``direction=forward``: everything derived from it, the containers
        that carried it, shipments and who holds it now. 422 for a code that is not valid,
        404 when no event of yours names it; ``truncated`` is true when a bound was hit.
        """
        wiring = wiring_of()
        with wiring.uow(read_only=True) as uow:
            prefixes = uow.organisations.company_prefixes()
            canonical = parse(code[: MAX_INPUT_LENGTH + 1], company_prefixes=prefixes).canonical
            store = uow.lineage.scoped(current_organisation().id)
            try:
                result = trace(
                    store,
                    canonical,
                    "forward" if direction == "forward" else "backward",
                    max_depth=max_depth,
                    max_nodes=max_nodes,
                )
            except UnknownCodeError as exc:
                raise ProblemError(
                    Problem(CATALOGUE["not-found"], detail=f"no event of yours names {canonical}")
                ) from exc
            body = name_nodes(uow.master_data, current_organisation().id, result.to_json())
        return _json(body)


def _json(body: dict[str, Any]) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=200, mimetype="application/json")

"""Named queries (EPCIS 2.0 REST binding ``/queries``): store a query under a name, run it later.

``POST /epcis/queries`` takes ``{"name": …, "query": {parameter: value or [values]}}`` with the
same parameters as ``GET /epcis/events`` (validated now, 400 QueryParameterException otherwise).
Names are unique on the platform; a query belongs to the organisation that made it, and other
organisations see 404 for it. Subscriptions run named queries.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, json, request

from app.api.auth import current_organisation, require_organisation
from app.epcis.queries import answer
from app.epcis.subscriptions import subscriptions_uow
from app.problems import CATALOGUE, Problem, ProblemError
from app.wiring import wiring_of
from events.query import QueryParameterError, QueryTooComplexError, parse_query

bp = Blueprint("epcis_named_queries", __name__, url_prefix="/epcis")

NAME = re.compile(r"[^\s/?#%]{1,200}")
PAGING = ("perPage", "nextPageToken")


def query_pairs(query: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The stored ``{parameter: value or [values]}`` as (name, value) pairs."""
    return [
        (name, str(one))
        for name, value in query.items()
        for one in (value if isinstance(value, list) else [value])
    ]


@bp.post("/queries")
@require_organisation
def create() -> Response:
    """Store a named query (201 with its location; 409 when the name is taken)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("query"), dict):
        raise _invalid("expected a JSON object with a name and a query object")
    name = body.get("name")
    if not isinstance(name, str) or NAME.fullmatch(name) is None:
        raise _invalid("name: expected 1-200 characters without spaces, '/', '?', '#' or '%'")
    try:
        parse_query(query_pairs(body["query"]))
    except (QueryParameterError, QueryTooComplexError) as exc:
        raise ProblemError(Problem(CATALOGUE["epcis-query-parameter"], detail=str(exc))) from exc
    wiring = wiring_of()
    with subscriptions_uow(wiring) as uow:
        if uow.subscriptions.named_query(name) is not None:
            raise ProblemError(
                Problem(CATALOGUE["conflict"], detail=f"a query named {name!r} exists")
            )
        uow.subscriptions.add_named_query(
            name, current_organisation().id, body["query"], wiring.clock.now()
        )
        uow.commit()
    return Response(status=201, headers={"Location": f"/epcis/queries/{quote(name, safe='')}"})


@bp.get("/queries")
@require_organisation
def listing() -> Response:
    """The caller's named queries."""
    with subscriptions_uow(wiring_of(), read_only=True) as uow:
        found = uow.subscriptions.named_queries_of(current_organisation().id)
    body = [{"name": n, "query": q, "createdAt": at.isoformat()} for n, q, at in found]
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/json")


@bp.get("/queries/<name>")
@require_organisation
def show(name: str) -> Response:
    """One named query."""
    query = _own(name)
    body = {"name": name, "query": query}
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/json")


@bp.delete("/queries/<name>")
@require_organisation
def remove(name: str) -> Response:
    """Delete a named query (409 while subscriptions refer to it, deleted ones included)."""
    _own(name)
    with subscriptions_uow(wiring_of()) as uow:
        if not uow.subscriptions.delete_named_query(name):
            detail = f"query {name!r} has subscriptions (kept with their delivery log)"
            raise ProblemError(Problem(CATALOGUE["conflict"], detail=detail))
        uow.commit()
    return Response(status=204)


@bp.get("/queries/<name>/events")
@require_organisation
def run(name: str) -> Response:
    """Run a named query: its stored parameters, plus ``perPage``/``nextPageToken`` for paging."""
    query = _own(name)
    paging = [(k, v) for k, v in request.args.items(multi=True) if k in PAGING]
    return answer([*query_pairs(query), *paging], query_name=name)


def _own(name: str) -> dict[str, Any]:
    with subscriptions_uow(wiring_of(), read_only=True) as uow:
        found = uow.subscriptions.named_query(name)
    if found is None or found[0] != current_organisation().id:
        raise ProblemError(Problem(CATALOGUE["epcis-not-found"], detail=f"no query named {name!r}"))
    return found[1]


def _invalid(detail: str) -> ProblemError:
    return ProblemError(Problem(CATALOGUE["epcis-validation"], detail=detail))

"""Top-level resources of the EPCIS 2.0 REST binding: what exists, and its events.

``/epcis/{eventTypes|epcs|bizSteps|bizLocations|readPoints|dispositions}`` list what the caller's
events contain; ``/…/{x}`` confirms one (404 otherwise); ``/…/{x}/events`` is the matching query
(``eventType``, ``MATCH_anyEPC``, ``EQ_bizStep``, ``EQ_bizLocation``, ``EQ_readPoint``,
``EQ_disposition``) with the same paging as ``GET /epcis/events``. Collections list at most
``LIMIT`` members (no paging yet).
"""

from __future__ import annotations

from typing import Final

from flask import Blueprint, Response, json, request

from app.api.auth import current_organisation, require_organisation
from app.epcis.queries import answer
from app.problems import CATALOGUE, Problem, ProblemError
from app.wiring import wiring_of
from events.adapters.sql_query import event_query
from events.codec.jsonld_writer import EPCIS_CONTEXT
from events.codec.shape import EVENT_TYPES

bp = Blueprint("epcis_resources", __name__, url_prefix="/epcis")

LIMIT: Final = 1000
# resource → (payload field for listing, query parameter for its events)
RESOURCES: Final = {
    "epcs": ("epc", "MATCH_anyEPC"),
    "bizSteps": ("bizStep", "EQ_bizStep"),
    "bizLocations": ("bizLocation.id", "EQ_bizLocation"),
    "readPoints": ("readPoint.id", "EQ_readPoint"),
    "dispositions": ("disposition", "EQ_disposition"),
}
PAGING: Final = ("perPage", "nextPageToken")


def _collection(members: list[str]) -> Response:
    body = {"@context": [EPCIS_CONTEXT], "type": "Collection", "member": members}
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/ld+json")


def _members(resource: str) -> list[str]:
    if resource == "eventTypes":
        return sorted(EVENT_TYPES)
    field = RESOURCES[resource][0]
    with event_query(wiring_of().engine) as query:
        return query.distinct(field, current_organisation().id, LIMIT)


def _known(resource: str, value: str) -> None:
    if value not in _members(resource):
        raise ProblemError(Problem(CATALOGUE["epcis-not-found"], detail=f"no {resource} {value!r}"))


def _events(resource: str, value: str) -> Response:
    parameter = "eventType" if resource == "eventTypes" else RESOURCES[resource][1]
    paging = [(k, v) for k, v in request.args.items(multi=True) if k in PAGING]
    return answer([(parameter, value), *paging])


for _resource in ("eventTypes", *RESOURCES):

    def _list(resource: str = _resource) -> Response:
        return _collection(_members(resource))

    def _one(value: str, resource: str = _resource) -> Response:
        _known(resource, value)
        body = {"@context": [EPCIS_CONTEXT], "id": value, "events": f"{request.path}/events"}
        return Response(json.dumps(body, ensure_ascii=False), mimetype="application/ld+json")

    def _its_events(value: str, resource: str = _resource) -> Response:
        return _events(resource, value)

    bp.add_url_rule(f"/{_resource}", f"{_resource}_list", require_organisation(_list))
    bp.add_url_rule(
        f"/{_resource}/<path:value>/events",
        f"{_resource}_events",
        require_organisation(_its_events),
    )
    bp.add_url_rule(f"/{_resource}/<path:value>", f"{_resource}_one", require_organisation(_one))

"""The EPCIS 2.0 REST binding's query side (GS1 EPCIS 2.0 openapi.yaml; EPCIS 2.0 §8.2.7, §12).

``GET /epcis/events`` runs a SimpleEventQuery over the caller's organisation's events and answers
an ``EPCISQueryDocument`` (JSON-LD), ``perPage`` events at a time with ``Link: <…>; rel="next"``
and ``GS1-Next-Page-Token-Expires``. Page tokens are stateless (HMAC-signed, see
``events.query.paging``), so ``DELETE /epcis/nextPageToken/{token}`` answers 501. Their secret is
derived from the ledger signing key: SHA-256 over a label and the Ed25519 private key bytes of
``ONECODE_SIGNING_KEY_FILE`` (rotating that key invalidates outstanding tokens).
Top-level resources (``/eventTypes``, ``/epcs``, ``/bizSteps``, ``/bizLocations``,
``/readPoints``, ``/dispositions``) and named queries (``/queries``) are in
``app.epcis.resources``. ``GS1-EPC-Format`` converts identifiers in the output. JSON-LD is the
default; ``Accept: application/xml`` (or ``text/xml``) answers the XML binding's
``EPCISQueryDocument``, with CBV values as URNs unless ``GS1-CBV-XML-Format: Always_Web_URI``
(``No_Preference`` and ``Never_Translates`` get URNs: stored events keep bare CBV terms, so there
is no original spelling to keep).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any, Final
from urllib.parse import urlencode

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Blueprint, Response, json, request

from app.api.auth import current_organisation, require_organisation
from app.problems import CATALOGUE, Problem, ProblemError
from app.signing import signing_key
from app.wiring import wiring_of
from events.adapters.sql_query import event_query
from events.codec import write_events_xml, write_query_document
from events.domain import StoredEvent
from events.domain.links import CLASS_FIELDS, INSTANCE_FIELDS
from events.query import (
    Cursor,
    QueryParameterError,
    QueryParams,
    QueryTooComplexError,
    parse_query,
)
from events.query.paging import PageTokens
from identifiers import IdentifierError, parse
from identifiers.company_prefix import as_company_prefixes

bp = Blueprint("epcis_queries", __name__, url_prefix="/epcis")

PER_PAGE_DEFAULT: Final = 30
PER_PAGE_MAX: Final = 10_000  # events per page; more is QueryTooLargeException (413)
EPC_FORMATS: Final = (
    "Always_GS1_Digital_Link",
    "Always_EPC_URN",
    "No_Preference",
    "Never_Translates",
)
_ID_LISTS: Final = tuple(field for field, _role in INSTANCE_FIELDS)
_CLASS_LISTS: Final = tuple(field for field, _role in CLASS_FIELDS)
_TOKEN_LABEL: Final = b"onecode-trace/epcis/nextPageToken/v1\0"
_XML_TYPES: Final = frozenset({"application/xml", "text/xml"})


@bp.get("/events")
@require_organisation
def events() -> Response:
    """SimpleEventQuery with the query string's parameters (EPCIS 2.0 §8.2.7.1)."""
    return answer(request.args.items(multi=True))


@bp.delete("/nextPageToken/<token>")
@require_organisation
def delete_token(token: str) -> Response:
    """Tokens are stateless and expire by themselves: nothing to delete (501, as allowed)."""
    del token
    return Response(status=501)


def answer(args: Iterable[tuple[str, str]], query_name: str = "SimpleEventQuery") -> Response:
    """Run a query from ``(name, value)`` pairs and answer one page of an EPCISQueryDocument."""
    media_type = _check_accept()
    params = _params(args)
    per_page = params.per_page or PER_PAGE_DEFAULT
    if per_page > PER_PAGE_MAX:
        raise _problem("epcis-query-too-large", f"perPage {per_page}: at most {PER_PAGE_MAX}")
    organisation_id = current_organisation().id
    fingerprint = hashlib.sha256(f"{organisation_id}:{params.fingerprint()}".encode()).hexdigest()
    wiring = wiring_of()
    now = wiring.clock.now()
    tokens = PageTokens(page_token_secret(signing_key(wiring.settings.signing_key_file)))
    try:
        with event_query(wiring.engine) as query:
            if params.next_page_token:
                cursor = tokens.read(params.next_page_token, fingerprint, now)
            else:
                cursor = Cursor(snapshot=query.snapshot())
                _check_max(query, params, organisation_id, cursor)
            found, following = query.page(
                params, organisation_id=organisation_id, cursor=cursor, limit=per_page
            )
    except QueryParameterError as exc:
        raise _problem("epcis-query-parameter", str(exc)) from exc
    except QueryTooComplexError as exc:  # a master-data parameter names too many locations
        raise _problem("epcis-query-too-complex", str(exc)) from exc
    response = _document(
        _output(found), media_type, creation_date=now.isoformat(), query_name=query_name
    )
    response.headers["GS1-EPC-Format"] = _epc_format()
    if following is not None:
        token, expires = tokens.issue(fingerprint, following, now)
        pairs = [(k, v) for k, v in request.args.items(multi=True) if k != "nextPageToken"]
        link = f"{request.base_url}?{urlencode([*pairs, ('nextPageToken', token)])}"
        response.headers["Link"] = f'<{link}>; rel="next"'
        response.headers["GS1-Next-Page-Token-Expires"] = expires.isoformat()
    return response


def page_token_secret(key: Ed25519PrivateKey) -> bytes:
    """The HMAC secret for page tokens: SHA-256 of a label and the signing key's private bytes."""
    return hashlib.sha256(_TOKEN_LABEL + key.private_bytes_raw()).digest()


def _params(args: Iterable[tuple[str, str]]) -> QueryParams:
    prefixes = dict(
        part.strip().split("=", 1)
        for part in request.headers.get("GS1-Extensions", "").split(",")
        if "=" in part
    )
    try:
        return parse_query(args, prefixes)
    except QueryTooComplexError as exc:
        raise _problem("epcis-query-too-complex", str(exc)) from exc
    except QueryParameterError as exc:
        raise _problem("epcis-query-parameter", str(exc)) from exc


def _check_max(query: Any, params: QueryParams, organisation_id: int, cursor: Cursor) -> None:  # noqa: ANN401
    """``maxEventCount``: more matching events than that is QueryTooLargeException (§8.2.7.1)."""
    if params.max_event_count is None:
        return
    limit = params.max_event_count
    found, _ = query.page(params, organisation_id=organisation_id, cursor=cursor, limit=limit + 1)
    if len(found) > limit:
        raise _problem("epcis-query-too-large", f"maxEventCount {limit}: more events match")


def _check_accept() -> str:
    """The media type to answer in: JSON-LD unless the client prefers XML; 406 for neither."""
    best = request.accept_mimetypes.best_match(
        ["application/ld+json", "application/json", "application/xml", "text/xml"],
        default="application/ld+json",
    )
    if best is None:
        raise _problem("not-acceptable", "query results are available as JSON-LD or XML")
    return best


def _document(
    events: list[dict[str, Any]], media_type: str, *, creation_date: str, query_name: str
) -> Response:
    """The EPCISQueryDocument in the negotiated binding (JSON-LD, or XML with its CBV format)."""
    if media_type in _XML_TYPES:
        cbv_format = request.headers.get("GS1-CBV-XML-Format", "")
        cbv_format = "Always_Web_URI" if cbv_format == "Always_Web_URI" else "Always_URN"
        body = write_events_xml(
            events, creation_date=creation_date, query_name=query_name, cbv_format=cbv_format
        )
        response = Response(body, status=200, mimetype=media_type)
        response.headers["GS1-CBV-XML-Format"] = cbv_format
        return response
    document = write_query_document(events, creation_date=creation_date, query_name=query_name)
    return Response(
        json.dumps(document, ensure_ascii=False), status=200, mimetype="application/ld+json"
    )


def _epc_format() -> str:
    value = request.headers.get("GS1-EPC-Format", "Always_GS1_Digital_Link")
    return value if value in EPC_FORMATS else "Always_GS1_Digital_Link"


def _output(found: list[StoredEvent]) -> list[dict[str, Any]]:
    """Payloads with their recordTime, identifiers in the requested ``GS1-EPC-Format``."""
    epc_format = _epc_format()
    prefixes: frozenset[str] = frozenset()
    if epc_format == "Always_EPC_URN":
        with wiring_of().uow(read_only=True) as uow:
            prefixes = uow.organisations.company_prefixes()
    out = []
    for event in found:
        payload = {**event.record.payload, "recordTime": event.record_time.isoformat()}
        if epc_format in {"Always_GS1_Digital_Link", "Always_EPC_URN"}:
            payload = _convert(payload, urn=epc_format == "Always_EPC_URN", prefixes=prefixes)
        out.append(payload)
    return out


def _convert(payload: Mapping[str, Any], *, urn: bool, prefixes: frozenset[str]) -> dict[str, Any]:
    def one(text: Any) -> Any:  # noqa: ANN401  JSON data
        if not isinstance(text, str):
            return text
        try:
            parsed = parse(text)
            return (
                parsed.to_epc_urn(company_prefixes=as_company_prefixes(prefixes))
                if urn
                else parsed.to_digital_link()
            )
        except (IdentifierError, ValueError, AttributeError):
            return text  # not convertible: keep it as written

    result = dict(payload)
    if "parentID" in result:
        result["parentID"] = one(result["parentID"])
    for name in _ID_LISTS:
        if isinstance(result.get(name), list):
            result[name] = [one(x) for x in result[name]]
    for name in _CLASS_LISTS:
        if isinstance(result.get(name), list):
            result[name] = [
                {**q, "epcClass": one(q.get("epcClass"))} if isinstance(q, Mapping) else q
                for q in result[name]
            ]
    return result


def _problem(slug: str, detail: str) -> ProblemError:
    return ProblemError(Problem(CATALOGUE[slug], detail=detail))


__all__ = ["answer", "bp", "page_token_secret"]

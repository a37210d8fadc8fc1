"""RFC 9457 problem details: the catalogue of problem types and the one way to build a response.

Each problem type has a stable ``type`` URI, ``/problems/<slug>``, which is also a page that
explains it in the reader's language. ``title`` and ``detail`` are localised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Response, json, request
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

MEDIA_TYPE = "application/problem+json"


@dataclass(frozen=True, slots=True)
class ProblemType:
    """One kind of problem: its status, a short title and a longer explanation.

    ``standard_type`` replaces our ``/problems/<slug>`` URI where a standard names the type
    (the EPCIS 2.0 REST binding's ``epcisException:…`` types).
    """

    slug: str
    status: int
    title: LazyString
    explanation: LazyString
    standard_type: str | None = None

    @property
    def uri(self) -> str:
        """The stable ``type`` member (a relative URI reference, RFC 9457 §3.1.1)."""
        return self.standard_type or f"/problems/{self.slug}"


CATALOGUE: dict[str, ProblemType] = {
    p.slug: p
    for p in (
        ProblemType(
            "bad-request",
            400,
            _l("Bad request"),
            _l("The request could not be understood. Check its syntax and parameters."),
        ),
        ProblemType(
            "unauthorized",
            401,
            _l("Authentication required"),
            _l("Send a valid API key in the Authorization header: Bearer <key>."),
        ),
        ProblemType(
            "forbidden",
            403,
            _l("Not allowed"),
            _l("Your organisation may not see or change this resource."),
        ),
        ProblemType(
            "not-found",
            404,
            _l("Not found"),
            _l("Nothing exists at this address. Check the link or the code you entered."),
        ),
        ProblemType(
            "method-not-allowed",
            405,
            _l("Method not allowed"),
            _l("This address does not accept that HTTP method."),
        ),
        ProblemType(
            "not-acceptable",
            406,
            _l("Not acceptable"),
            _l("None of the media types in the Accept header can be produced here."),
        ),
        ProblemType(
            "conflict",
            409,
            _l("Conflict"),
            _l("The request conflicts with what is already stored."),
        ),
        ProblemType(
            "payload-too-large",
            413,
            _l("Request too large"),
            _l("The request body is larger than this server accepts."),
        ),
        ProblemType(
            "unsupported-media-type",
            415,
            _l("Unsupported media type"),
            _l("Send the body in one of the media types this address accepts."),
        ),
        ProblemType(
            "validation-failed",
            422,
            _l("Invalid input"),
            _l("Some fields of the request are not valid; each error names its field."),
        ),
        ProblemType(
            "invalid-identifier",
            422,
            _l("Invalid code"),
            _l(
                "The code is not a valid GS1 key, Digital Link, EPC URN, Handle or drug "
                "traceability code; the detail says what was expected and what was found."
            ),
        ),
        ProblemType(
            "idempotency-key-reused",
            422,
            _l("Idempotency key reused"),
            _l("This Idempotency-Key was used for a different request; send a new key."),
        ),
        ProblemType(
            "epcis-validation",
            400,
            _l("Invalid EPCIS document"),
            _l("The document or event breaks the EPCIS 2.0 schema or rules; nothing was stored."),
            "epcisException:ValidationException",
        ),
        ProblemType(
            "epcis-capture-limit",
            413,
            _l("Capture limit exceeded"),
            _l("The document has more events, or more bytes, than this server accepts."),
            "epcisException:CaptureLimitExceededException",
        ),
        ProblemType(
            "epcis-exists",
            409,
            _l("Event exists already"),
            _l("An event with this eventID or the same content is already in the ledger."),
            "epcisException:ResourceAlreadyExistsException",
        ),
        ProblemType(
            "epcis-not-found",
            404,
            _l("No such resource"),
            _l("There is no capture job or event with this identifier for your organisation."),
            "epcisException:NoSuchResourceException",
        ),
        ProblemType(
            "epcis-subscription-invalid",
            400,
            _l("Invalid subscription"),
            _l(
                "Give dest and either stream: true or a schedule; the detail names the field "
                "that is wrong."
            ),
            "epcisException:ValidationException",
        ),
        ProblemType(
            "webhook-destination-refused",
            400,
            _l("Webhook destination refused"),
            _l(
                "Webhooks go only to http:// or https:// addresses that resolve to public IP "
                "addresses; private, loopback and link-local ones are refused."
            ),
            "epcisException:ValidationException",
        ),
        ProblemType(
            "epcis-subscription-not-found",
            404,
            _l("No such query or subscription"),
            _l(
                "There is no named query or subscription "
                "with this name or id for your organisation."
            ),
            "epcisException:NoSuchResourceException",
        ),
        ProblemType(
            "epcis-query-parameter",
            400,
            _l("Invalid query parameter"),
            _l("A query parameter is unknown or has an invalid value; the detail names it."),
            "epcisException:QueryParameterException",
        ),
        ProblemType(
            "epcis-query-too-large",
            413,
            _l("Query result too large"),
            _l("The query would return more events than allowed; narrow it or use paging."),
            "epcisException:QueryTooLargeException",
        ),
        ProblemType(
            "epcis-query-too-complex",
            413,
            _l("Query too complex"),
            _l("The query has more parameters or values than this server evaluates."),
            "epcisException:QueryTooComplexException",
        ),
        ProblemType(
            "internal-error",
            500,
            _l("Internal error"),
            _l("Something went wrong on our side. It has been logged; please try again."),
        ),
        ProblemType(
            "storage-unavailable",
            503,
            _l("Database unavailable"),
            _l("The database cannot be reached or is not migrated. Try again shortly."),
        ),
    )
}

_BY_STATUS = {p.status: p for p in CATALOGUE.values() if p.standard_type is None}


def problem_type_for(status: int) -> ProblemType:
    """The catalogue entry for an HTTP status; other 4xx: bad-request, other 5xx: internal-error."""
    fallback = "internal-error" if status >= 500 else "bad-request"  # noqa: PLR2004  HTTP classes
    return _BY_STATUS.get(status, CATALOGUE[fallback])


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem occurrence (RFC 9457 §3.1), with per-field errors where input was at fault."""

    kind: ProblemType
    detail: str | None = None
    status: int | None = None
    errors: tuple[dict[str, str], ...] = field(default=())
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON members, ``type`` first."""
        body: dict[str, Any] = {
            "type": self.kind.uri,
            "title": str(self.kind.title),
            "status": self.status or self.kind.status,
        }
        if self.detail:
            body["detail"] = self.detail
        body["instance"] = request.path
        if self.errors:
            body["errors"] = list(self.errors)
        body.update(self.extra)
        return body

    def response(self) -> Response:
        """An ``application/problem+json`` response."""
        body = self.to_dict()
        return Response(
            json.dumps(body, ensure_ascii=False),
            status=body["status"],
            mimetype=MEDIA_TYPE,
        )


class ProblemError(Exception):
    """Raise from a view to answer with a problem (mapped in ``app.errors``)."""

    def __init__(self, problem: Problem, headers: dict[str, str] | None = None) -> None:
        super().__init__(problem.detail or str(problem.kind.title))
        self.problem = problem
        self.headers = headers or {}

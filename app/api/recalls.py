"""``/api/v1/recalls``: open a recall case, follow its holders, close it, export it.

Opening a case traces forward from the bad codes over the caller's events, records hold events
(standard EPCIS ObjectEvents, disposition ``recalled``) in the caller's ledger and lists the
holders to notify (docs/RECALLS.md). Only the owning organisation sees a case (404 otherwise).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, url_for
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from app.api.auth import current_organisation, require_organisation
from app.problems import CATALOGUE, Problem, ProblemError
from app.recall.export import FORMATS, export
from app.wiring import wiring_of
from events.domain.recalls import RecallCase, RecallClosedError, RecallError, UnknownHolderError
from events.recalls import close_recall, confirm, get_recall, open_recall
from events.trace import UnknownCodeError
from identifiers import MAX_INPUT_LENGTH, parse

bp = Blueprint(
    "recalls",
    __name__,
    url_prefix="/recalls",
    description="Recall cases: scope, holds in the ledger, holders to notify, regulator exports.",
)

MAX_CODES = 100


class OpenRecallSchema(Schema):
    """The bad codes (any spelling) and why they are recalled."""

    codes = fields.List(
        fields.String(validate=validate.Length(1, MAX_INPUT_LENGTH)),
        required=True,
        validate=validate.Length(1, MAX_CODES),
        metadata={"example": ["urn:epc:class:lgtin:6901234.012347.SUGAR-7"]},
    )
    reason = fields.String(required=True, validate=validate.Length(1, 2000))
    include_siblings = fields.Boolean(
        load_default=False,
        metadata={"description": "Also recall sibling lots made from the same inputs."},
    )


class ConfirmationSchema(Schema):
    """A holder's totals so far (a resend changes nothing)."""

    holder = fields.String(required=True, validate=validate.Length(1, 300))
    returned = fields.Float(load_default=0.0, validate=validate.Range(min=0))
    destroyed = fields.Float(load_default=0.0, validate=validate.Range(min=0))


class ExportQuery(Schema):
    """The export format and the report language."""

    format = fields.String(required=True, validate=validate.OneOf(sorted(FORMATS)))
    lang = fields.String(load_default="en", validate=validate.OneOf(["en", "zh"]))


class ListQuery(Schema):
    """How many cases to list, newest first."""

    limit = fields.Integer(load_default=100, validate=validate.Range(1, 1000))


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:  # noqa: ANN401
    return Response(
        json.dumps(body, ensure_ascii=False),
        status=status,
        mimetype="application/json",
        headers=headers,
    )


def _body(case: RecallCase, *, with_scope: bool = True) -> dict[str, Any]:
    body = case.to_json(with_scope=with_scope)
    body["links"] = {
        "self": url_for("recalls.RecallItem", case_id=case.id),
        "pdf": url_for("recalls.RecallExport", case_id=case.id, format="pdf"),
        "fsma_csv": url_for("recalls.RecallExport", case_id=case.id, format="fsma-csv"),
    }
    return body


def _not_found(case_id: str) -> ProblemError:
    detail = _("no recall %(id)s of yours", id=case_id)
    return ProblemError(Problem(CATALOGUE["not-found"], detail=detail))


def _conflict(exc: Exception) -> ProblemError:
    return ProblemError(Problem(CATALOGUE["conflict"], detail=str(exc)))


@bp.route("")
class Recalls(MethodView):
    """Open a recall case; list yours."""

    decorators = [require_organisation]  # noqa: RUF012  Flask's View API

    @bp.doc(security=[{"bearer": []}])
    @bp.arguments(OpenRecallSchema, location="json")
    @bp.response(201)
    def post(self, body: dict[str, Any]) -> Response:
        """Open a case: scope, hold events in your ledger, holders to notify (201).

        The scope is the forward trace from each code (with ``include_siblings``: backward
        to the raw inputs first, then forward from them). 422 for an invalid code, 404 when no
        event of yours names one.
        """
        wiring = wiring_of()
        organisation = current_organisation()
        with wiring.uow(read_only=True) as uow:
            prefixes = uow.organisations.company_prefixes()
        codes = [parse(c, company_prefixes=prefixes).canonical for c in body["codes"]]
        try:
            case = open_recall(
                wiring.uow(),
                organisation.id,
                codes,
                body["reason"],
                clock=wiring.clock,
                include_siblings=body["include_siblings"],
            )
        except UnknownCodeError as exc:
            detail = _("no event of yours names %(code)s", code=str(exc))
            raise ProblemError(Problem(CATALOGUE["not-found"], detail=detail)) from exc
        except RecallError as exc:
            raise _conflict(exc) from exc
        location = url_for("recalls.RecallItem", case_id=case.id)
        return _json(_body(case), 201, {"Location": location})

    @bp.doc(security=[{"bearer": []}])
    @bp.arguments(ListQuery, location="query", as_kwargs=True)
    @bp.response(200)
    def get(self, limit: int) -> Response:
        """Your recall cases, newest first (without their scope)."""
        with wiring_of().uow(read_only=True) as uow:
            cases = uow.recalls.list(current_organisation().id, limit)
        return _json({"recalls": [_body(c, with_scope=False) for c in cases]})


@bp.route("/<string:case_id>")
class RecallItem(MethodView):
    """One recall case."""

    decorators = [require_organisation]  # noqa: RUF012  Flask's View API

    @bp.doc(security=[{"bearer": []}])
    @bp.response(200)
    def get(self, case_id: str) -> Response:
        """The case: scope, hold event ids, holders with progress, timeline."""
        case = get_recall(wiring_of().uow(read_only=True), current_organisation().id, case_id)
        if case is None:
            raise _not_found(case_id)
        return _json(_body(case))


@bp.route("/<string:case_id>/confirmations")
class RecallConfirmations(MethodView):
    """Holders' confirmations."""

    decorators = [require_organisation]  # noqa: RUF012  Flask's View API

    @bp.doc(security=[{"bearer": []}])
    @bp.arguments(ConfirmationSchema, location="json")
    @bp.response(200)
    def post(self, body: dict[str, Any], case_id: str) -> Response:
        """Record a holder's totals returned and destroyed (404 unknown holder, 409 closed)."""
        wiring = wiring_of()
        try:
            case = confirm(
                wiring.uow(),
                current_organisation().id,
                case_id,
                body["holder"],
                body["returned"],
                body["destroyed"],
                clock=wiring.clock,
            )
        except UnknownHolderError as exc:
            raise ProblemError(Problem(CATALOGUE["not-found"], detail=str(exc))) from exc
        except RecallClosedError as exc:
            raise _conflict(exc) from exc
        if case is None:
            raise _not_found(case_id)
        return _json(_body(case, with_scope=False))


@bp.route("/<string:case_id>/close")
class RecallClose(MethodView):
    """Close a case."""

    decorators = [require_organisation]  # noqa: RUF012  Flask's View API

    @bp.doc(security=[{"bearer": []}])
    @bp.response(200)
    def post(self, case_id: str) -> Response:
        """Close the case (409 when closed already); the holds stay in the ledger."""
        wiring = wiring_of()
        try:
            case = close_recall(
                wiring.uow(), current_organisation().id, case_id, clock=wiring.clock
            )
        except RecallClosedError as exc:
            raise _conflict(exc) from exc
        if case is None:
            raise _not_found(case_id)
        return _json(_body(case, with_scope=False))


@bp.route("/<string:case_id>/export")
class RecallExport(MethodView):
    """Exports of a case."""

    decorators = [require_organisation]  # noqa: RUF012  Flask's View API

    @bp.doc(security=[{"bearer": []}])
    @bp.arguments(ExportQuery, location="query", as_kwargs=True)
    @bp.response(200)
    def get(self, case_id: str, format: str, lang: str) -> Response:  # noqa: A002  the query name
        """``pdf`` report (``lang=zh|en``), ``csv`` scope, FSMA 204 ``fsma-csv``/``fsma-xlsx``."""
        wiring = wiring_of()
        organisation_id = current_organisation().id
        with wiring.uow(read_only=True) as uow:
            case = uow.recalls.get(organisation_id, case_id)
            if case is None:
                raise _not_found(case_id)
            data, media_type, suffix = export(uow, case, format, lang)
        name = f"{case.id}-{format}.{suffix}"
        return Response(
            data,
            mimetype=media_type,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

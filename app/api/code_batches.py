"""``/api/v1/code-batches``: mint batches of codes and fetch them as JSON or CSV.

``POST`` is idempotent with an ``Idempotency-Key`` header: a retried request returns the batch
made the first time and mints nothing (the same key with a different body is refused, 422).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from flask import Response, request, stream_with_context, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from app.api.auth import current_organisation, require_organisation
from app.api.fields import AiValueField, GtinField
from app.problems import CATALOGUE, Problem, ProblemError
from app.wiring import wiring_of
from events import minting
from events.code_export import COLUMNS, batch_rows
from events.domain import DuplicateBatchError
from events.domain.code_batches import CodeBatch, CodeScheme, MintReport, MintRequest

bp = Blueprint(
    "code_batches",
    __name__,
    url_prefix="/code-batches",
    description="Mint unique, unguessable codes (GTIN + serial, SSCC, Handle) in batches.",
)

MAX_KEY = 200
PAGE = 1000


class MintRequestSchema(Schema):
    """What to mint. ``scheme`` decides which other fields are needed."""

    scheme = fields.String(required=True, validate=validate.OneOf([s.value for s in CodeScheme]))
    count = fields.Integer(required=True, validate=validate.Range(1, minting.MAX_BATCH))
    gtin = GtinField(metadata={"description": "sgtin: GTIN-8/12/13/14 of the product"})
    lot = AiValueField("10", metadata={"description": "sgtin: batch/lot, AI (10)"})
    expiry = AiValueField("17", metadata={"description": "sgtin: YYMMDD or YYYY-MM-DD, AI (17)"})
    company_prefix = fields.String(
        validate=validate.Regexp(r"^[0-9]{4,12}$"), metadata={"description": "sscc"}
    )
    extension = fields.Integer(load_default=0, validate=validate.Range(0, 9))
    handle_prefix = fields.String(metadata={"description": "handle: e.g. 88.100.1"})
    serial_length = fields.Integer(validate=validate.Range(1, 20))
    serial_alphabet = fields.String(validate=validate.Length(2, 82))


class IdempotencyHeader(Schema):
    """Send a unique key per intended batch; retry with the same key after a lost answer."""

    idempotency_key = fields.String(
        data_key="Idempotency-Key", validate=validate.Length(1, MAX_KEY), load_default=None
    )


class PageQuery(Schema):
    """Which codes of the batch to list in JSON."""

    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))
    limit = fields.Integer(load_default=PAGE, validate=validate.Range(1, 10_000))


def batch_json(batch: CodeBatch, report: MintReport | None = None) -> dict[str, Any]:
    """A batch's description, with its space and guess probability when just minted."""
    body: dict[str, Any] = {
        "id": batch.id,
        "scheme": str(batch.request.scheme),
        "count": batch.count,
        "code_key": batch.request.code_key,
        "request": batch.request.to_json(),
        "created_at": batch.created_at.isoformat(),
        "links": {
            "self": url_for("code_batches.CodeBatchItem", batch_id=batch.id),
            "csv": url_for("code_batches.CodeBatchItem", batch_id=batch.id, format="csv"),
        },
    }
    if report is not None and report.space is not None and report.guess_probability is not None:
        body["serial_space"] = str(report.space)
        body["issued_for_key"] = report.issued_for_key
        body["guess_probability"] = float(report.guess_probability)
    return body


@bp.route("")
class CodeBatches(MethodView):
    """Mint a batch."""

    decorators = [require_organisation]  # noqa: RUF012  Flask's View API

    @bp.doc(security=[{"bearer": []}])
    @bp.arguments(IdempotencyHeader, location="headers", as_kwargs=True)
    @bp.arguments(MintRequestSchema, location="json")
    @bp.response(201)
    def post(self, body: dict[str, Any], idempotency_key: str | None) -> Response:
        """Mint ``count`` codes for the caller's organisation (201 with ``Location``).

        Requires ``Authorization: Bearer <key>``. GTINs, company prefixes and Handle prefixes
        must belong to the caller's organisation (403 otherwise).
        """
        organisation = current_organisation()
        mint_request = MintRequest(**{**body, "scheme": CodeScheme(body["scheme"])})
        wiring = wiring_of()
        try:
            report = minting.mint(
                wiring.uow(),
                organisation,
                mint_request,
                clock=wiring.clock,
                idempotency_key=idempotency_key,
            )
        except DuplicateBatchError:  # a concurrent retry with the same key won the race
            report = minting.mint(
                wiring.uow(),
                organisation,
                mint_request,
                clock=wiring.clock,
                idempotency_key=idempotency_key,
            )
        response = _json(batch_json(report.batch, report), 201)
        response.headers["Location"] = url_for(
            "code_batches.CodeBatchItem", batch_id=report.batch.id
        )
        if report.replayed:
            response.headers["Idempotency-Replayed"] = "true"
        return response


@bp.route("/<string:batch_id>")
class CodeBatchItem(MethodView):
    """One batch and its codes."""

    decorators = [require_organisation]  # noqa: RUF012  Flask's View API

    @bp.doc(security=[{"bearer": []}])
    @bp.arguments(PageQuery, location="query", as_kwargs=True)
    @bp.response(200)
    def get(self, batch_id: str, offset: int, limit: int) -> Response:
        """The batch with a page of its codes (JSON), or every code as CSV.

        CSV is chosen by ``Accept: text/csv`` or ``?format=csv``; it streams, whatever the size.
        """
        batch = _own_batch(batch_id)
        if request.args.get("format") == "csv" or _prefers_csv():
            return _csv(batch)
        columns = COLUMNS[batch.request.scheme]
        with wiring_of().uow(read_only=True) as uow:
            rows = batch_rows(uow, batch, offset=offset, limit=limit)
            page = [dict(zip(columns, row, strict=True)) for row in rows]
        body = batch_json(batch)
        body["codes"] = page
        if offset + len(page) < batch.count:
            body["links"]["next"] = url_for(
                "code_batches.CodeBatchItem", batch_id=batch_id, offset=offset + limit, limit=limit
            )
        return _json(body, 200)


def _json(body: dict[str, Any], status: int) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json"
    )


def _own_batch(batch_id: str) -> CodeBatch:
    """The caller's batch; another organisation's batch is answered as not found."""
    with wiring_of().uow(read_only=True) as uow:
        batch = uow.codes.get_batch(batch_id)
    if batch is None or batch.organisation_id != current_organisation().id:
        raise ProblemError(Problem(CATALOGUE["not-found"], detail=f"no batch {batch_id!r}"))
    return batch


def _prefers_csv() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/csv"])
    return best == "text/csv"


def _csv(batch: CodeBatch) -> Response:
    """Stream every code as CSV in one transaction, rows sent as they are read."""
    wiring = wiring_of()

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(COLUMNS[batch.request.scheme])
        with wiring.uow(read_only=True) as uow:
            for n, row in enumerate(batch_rows(uow, batch), 1):
                writer.writerow(row)
                if n % 1000 == 0:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
        yield buffer.getvalue()

    response = Response(stream_with_context(lines()), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="batch-{batch.id}.csv"'
    return response

"""``POST /api/v1/labels``: labels for the caller's codes as PDF, PNG, SVG or ZPL.

Codes must belong to the caller's organisation (403 otherwise); codes or label data that break
GS1 rules are refused with 422 problem details naming the field.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.api.auth import current_organisation, require_organisation
from app.api.fields import AiValueField, GtinField, IdentifierField
from app.commands.labels import batch_codes, refusal
from app.problems import CATALOGUE, Problem, ProblemError
from app.wiring import wiring_of
from events.domain.organisations import Organisation
from identifiers import Identifier, IdentifierError
from label_printing import (
    DPIS,
    FORMATS,
    MEDIA_TYPES,
    TEMPLATES,
    LabelError,
    LabelFields,
    LabelJob,
    render,
)

bp = Blueprint(
    "labels",
    __name__,
    url_prefix="/labels",
    description="Print labels: GS1 QR, DataMatrix and GS1-128 as PDF, PNG, SVG or ZPL.",
)

MAX_CODES = 10_000
SPOOL_BYTES = 32 * 1024 * 1024  # larger files go to a temporary file, not memory


class LabelRequestSchema(Schema):
    """Which labels: a template, the codes (or a batch), the output format and the fields."""

    template = fields.String(required=True, validate=validate.OneOf(sorted(TEMPLATES)))
    codes = fields.List(IdentifierField(), validate=validate.Length(1, MAX_CODES))
    batch_id = fields.String(validate=validate.Length(1, 64))
    format = fields.String(load_default="pdf", validate=validate.OneOf(list(FORMATS)))
    dpi = fields.Integer(
        load_default=203, validate=validate.OneOf(DPIS), metadata={"description": "ZPL only"}
    )
    domain = fields.String(
        metadata={"description": "Digital Link URI stem, e.g. https://id.example.cn"}
    )
    product_zh = fields.String(validate=validate.Length(max=200))
    product_en = fields.String(validate=validate.Length(max=200))
    lot = AiValueField("10")
    expiry = AiValueField("17", metadata={"description": "YYMMDD or YYYY-MM-DD"})
    best_before = AiValueField("15")
    production_date = AiValueField("11")
    national_code = AiValueField("714")
    content_gtin = GtinField(metadata={"description": "logistics: GTIN of the contents (02)"})
    count = fields.Integer(validate=validate.Range(1, 99_999_999))
    ship_from = fields.String(validate=validate.Length(max=300))
    ship_to = fields.String(validate=validate.Length(max=300))
    truck = fields.String(validate=validate.Length(max=100))
    gross_kg = fields.Float(validate=validate.Range(0, 1_000_000))
    tare_kg = fields.Float(validate=validate.Range(0, 1_000_000))
    mix = fields.String(validate=validate.Length(max=100))
    customer = fields.String(validate=validate.Length(max=200))
    site = fields.String(validate=validate.Length(max=200))
    batched_at = fields.String(validate=validate.Length(max=50))

    @validates_schema
    def one_source(self, data: dict[str, Any], **_kwargs: object) -> None:
        """Exactly one of ``codes`` and ``batch_id``."""
        if ("codes" in data) == ("batch_id" in data):
            raise ValidationError("give codes or batch_id (one of them)", "codes")


_AI_FIELDS = {
    "10": "lot",
    "11": "production_date",
    "15": "best_before",
    "17": "expiry",
    "714": "national_code",
    "02": "content_gtin",
    "37": "count",
}


def _field_of(message: str) -> str:
    """The request field a label error is about (an AI's field, the weights, else ``codes``)."""
    if message.startswith("(") and (ai := message[1:].partition(")")[0]) in _AI_FIELDS:
        return _AI_FIELDS[ai]
    return "tare_kg" if message.startswith("tare") else "codes"


def _forbidden(why: str) -> ProblemError:
    return ProblemError(Problem(CATALOGUE["forbidden"], detail=why))


def _checked(organisation: Organisation, codes: Any) -> Any:  # noqa: ANN401  an iterator
    for code in codes:
        if (why := refusal(organisation, code)) is not None:
            raise _forbidden(why)
        yield code


@bp.route("")
class Labels(MethodView):
    """Render labels."""

    decorators = [require_organisation]  # noqa: RUF012  Flask's View API

    @bp.doc(security=[{"bearer": []}])
    @bp.arguments(LabelRequestSchema, location="json")
    @bp.response(
        200, description="The file: application/pdf, image/png, image/svg+xml or application/zpl"
    )
    def post(self, body: dict[str, Any]) -> Response:
        """Render the labels and answer with the file.

        Requires ``Authorization: Bearer <key>``. Codes (or the batch) must belong to the caller's
        organisation (403). Data breaking GS1 rules is refused with 422.
        """
        organisation = current_organisation()
        template, fmt, dpi = body.pop("template"), body.pop("format"), body.pop("dpi")
        codes: list[Identifier] | None = body.pop("codes", None)
        batch_id: str | None = body.pop("batch_id", None)
        label_fields = LabelFields(**body)
        out: Any = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115  closed by _file
        try:
            if codes is not None:
                job = LabelJob(template, list(_checked(organisation, codes)), label_fields)
                render(job, fmt, out, dpi=dpi)
            else:
                with wiring_of().uow(read_only=True) as uow:
                    batch = uow.codes.get_batch(str(batch_id))
                    if batch is None or batch.organisation_id != organisation.id:
                        raise ProblemError(  # noqa: TRY301  the spool file is closed below
                            Problem(CATALOGUE["not-found"], detail=f"no batch {batch_id!r}")
                        )
                    stream = _checked(organisation, batch_codes(uow, batch))
                    render(LabelJob(template, stream, label_fields), fmt, out, dpi=dpi)
        except (LabelError, IdentifierError) as exc:
            out.close()
            raise ProblemError(
                Problem(
                    CATALOGUE["validation-failed"],
                    detail=str(exc),
                    errors=({"field": _field_of(str(exc)), "message": str(exc)},),
                )
            ) from exc
        except ProblemError:
            out.close()
            raise
        return _file(out, MEDIA_TYPES[fmt], f"labels-{template}.{fmt}")


def _file(out: Any, media_type: str, name: str) -> Response:  # noqa: ANN401  a spooled file
    """The rendered file: from memory when small, else streamed from disk and then closed."""
    size = out.tell()
    out.seek(0)
    if size <= SPOOL_BYTES:
        with out:
            response = Response(out.read(), mimetype=media_type)
    else:

        def chunks() -> Iterator[bytes]:
            with out:
                while chunk := out.read(1 << 20):
                    yield chunk

        response = Response(chunks(), mimetype=media_type)
        response.headers["Content-Length"] = str(size)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

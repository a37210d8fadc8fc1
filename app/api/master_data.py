"""``/api/v1/master-data``: the names and attributes of locations, parties and products.

Master data arrives in EPCIS document headers (``onecode capture`` or ``POST /epcis/capture``);
this API reads the caller's organisation's elements, by vocabulary type or by code (any spelling).
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from app.api.auth import current_organisation, require_organisation
from app.wiring import wiring_of
from events.domain.links import canonical_id

bp = Blueprint(
    "master_data", __name__, url_prefix="/master-data", description="Vocabularies: names of codes."
)

LIMIT = 1000


class MasterDataQuery(Schema):
    """Filter by vocabulary type (e.g. urn:epcglobal:epcis:vtype:BusinessLocation) or by codes."""

    vocabulary_type = fields.String(
        data_key="type", metadata={"description": "vocabulary type URI"}
    )
    codes = fields.List(
        fields.String(), data_key="id", metadata={"description": "codes, any spelling (repeatable)"}
    )
    limit = fields.Integer(load_default=LIMIT, validate=validate.Range(1, LIMIT))


@bp.route("")
class MasterData(MethodView):
    """The caller's master data."""

    @bp.doc(security=[{"bearer": []}])
    @bp.arguments(MasterDataQuery, location="query", as_kwargs=True)
    @bp.response(200)
    @require_organisation
    def get(
        self, limit: int, vocabulary_type: str | None = None, codes: list[str] | None = None
    ) -> dict[str, Any]:
        """Elements with their names and attributes, by type or by code."""
        organisation_id = current_organisation().id
        with wiring_of().uow(read_only=True) as uow:
            if codes:
                found = uow.master_data.lookup(organisation_id, (canonical_id(c) for c in codes))
                elements = [
                    e
                    for e in found.values()
                    if vocabulary_type is None or e.vocabulary_type == vocabulary_type
                ]
            else:
                elements = uow.master_data.of_type(organisation_id, vocabulary_type, limit)
        return {"elements": [e.to_json() for e in elements]}

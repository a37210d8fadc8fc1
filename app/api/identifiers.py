"""``GET /api/v1/identifiers/parse``: read any code, answer with every spelling of it."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from app.identifier_json import identifier_json
from app.wiring import wiring_of
from identifiers import MAX_INPUT_LENGTH, parse

bp = Blueprint(
    "identifiers",
    __name__,
    url_prefix="/identifiers",
    description="Parse GS1 element strings, Digital Links, EPC URNs, Handles and drug codes.",
)


class ParseQuery(Schema):
    """The code to read, in any spelling."""

    code = fields.String(required=True, metadata={"example": "]d2010952123454321321ABC123"})


@bp.route("/parse")
class ParseIdentifier(MethodView):
    """Parse one code."""

    @bp.arguments(ParseQuery, location="query", as_kwargs=True)
    @bp.response(200)
    def get(self, code: str) -> dict[str, Any]:
        """Parse a code and return its scheme, canonical form, EPC URN and data attributes.

        A code that is not valid is answered with 422 problem details saying what was
        expected and what was found (for example a wrong check digit).
        """
        with wiring_of().uow(read_only=True) as uow:
            prefixes = uow.organisations.company_prefixes()
        return identifier_json(parse(code[: MAX_INPUT_LENGTH + 1], company_prefixes=prefixes))

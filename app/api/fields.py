"""Marshmallow fields that parse codes, so every API that takes a code validates it the same way.

A bad code becomes a 422 problem whose ``errors`` name the field and say what was expected and
what was found (the identifiers layer's message).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from typing import Any

from marshmallow import ValidationError, fields

from identifiers import Gtin, Identifier, IdentifierError, Scheme, check_ai_value, parse


class IdentifierField(fields.Field):  # type: ignore[type-arg]
    """Any code ``identifiers.parse`` reads, optionally limited to some schemes."""

    def __init__(self, *, schemes: Collection[Scheme] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.schemes = frozenset(schemes or ())

    def _deserialize(
        self,
        value: Any,
        attr: str | None,  # noqa: ARG002  marshmallow's signature
        data: Mapping[str, Any] | None,  # noqa: ARG002
        **kwargs: Any,  # noqa: ARG002
    ) -> Identifier:
        if not isinstance(value, str):
            raise ValidationError("expected a code as a string")
        text = value
        try:
            code = parse(text)
        except IdentifierError as exc:
            raise ValidationError(str(exc)) from exc
        if self.schemes and code.scheme not in self.schemes:
            expected = ", ".join(sorted(self.schemes))
            raise ValidationError(f"{text!r}: expected a {expected} code, got {code.scheme}")
        return code


class GtinField(fields.String):
    """A GTIN-8/12/13/14 with a valid check digit, loaded as its 14-digit form."""

    def _deserialize(
        self,
        value: Any,
        attr: str | None,
        data: Mapping[str, Any] | None,
        **kwargs: Any,
    ) -> str:
        try:
            return Gtin.parse(super()._deserialize(value, attr, data, **kwargs)).value
        except IdentifierError as exc:
            raise ValidationError(str(exc)) from exc


class AiValueField(fields.String):
    """The value of one GS1 Application Identifier, checked by the GS1 Syntax Dictionary."""

    def __init__(self, ai: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ai = ai

    def _deserialize(
        self,
        value: Any,
        attr: str | None,
        data: Mapping[str, Any] | None,
        **kwargs: Any,
    ) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) == 10 and text[4] == "-":  # noqa: PLR2004  an ISO date for a YYMMDD AI
            try:
                text = dt.date.fromisoformat(text).strftime("%y%m%d")
            except ValueError as exc:
                raise ValidationError(f"{text!r}: expected YYYY-MM-DD or YYMMDD") from exc
        try:
            return check_ai_value(self.ai, text)
        except IdentifierError as exc:
            raise ValidationError(str(exc)) from exc

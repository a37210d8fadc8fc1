"""The one error the EPCIS codec raises for bad input.

References:
    EPCIS 2.0 §12 and the REST binding's ``epcisException:ValidationException`` (HTTP 400).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EpcisValidationError", "FieldError"]


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem: ``field`` is a path such as ``epcisBody.eventList[3].action``."""

    field: str
    message: str


class EpcisValidationError(ValueError):
    """The document or event is not valid EPCIS 2.0; ``errors`` says where and why."""

    def __init__(self, errors: tuple[FieldError, ...] | list[FieldError]) -> None:
        self.errors: tuple[FieldError, ...] = tuple(errors) or (FieldError("$", "invalid"),)
        first = self.errors[0]
        more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
        super().__init__(f"{first.field}: {first.message}{more}")

"""Capture jobs: the asynchronous side of ``POST /capture`` (EPCIS 2.0 REST binding).

State semantics (``running``, ``success``): (true, true) still capturing; (false, true) all
captured; (false, false) all rejected under rollback, or some captured with errors under
proceed (EPCIS 2.0 openapi.yaml, CaptureJob).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True, kw_only=True)
class CaptureJob:
    """One submitted document and what became of it."""

    id: str
    organisation_id: int
    created_at: datetime
    behaviour: str
    media_type: str
    event_count: int = 0
    running: bool = True
    success: bool = True
    finished_at: datetime | None = None
    captured: int = 0
    errors: tuple[dict[str, Any], ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        """The standard ``CaptureJob`` representation."""
        body: dict[str, Any] = {
            "captureID": self.id,
            "createdAt": self.created_at.isoformat(),
            "running": self.running,
            "success": self.success,
            "captureErrorBehaviour": self.behaviour,
            "errors": list(self.errors),
        }
        if self.finished_at is not None:
            body["finishedAt"] = self.finished_at.isoformat()
        body["eventCount"] = self.event_count
        body["capturedCount"] = self.captured
        return body

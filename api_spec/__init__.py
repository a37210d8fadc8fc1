"""The OpenAPI description of our own API, committed so partners can review it in the repo.

``openapi.json`` is generated from the running app's marshmallow schemas (``make api-spec``);
a test fails when the committed file and the app disagree. A leaf package: imports nothing of ours.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SPEC = Path(__file__).with_name("openapi.json")


def load() -> dict[str, Any]:
    """The committed OpenAPI document."""
    document: dict[str, Any] = json.loads(SPEC.read_text(encoding="utf-8"))
    return document

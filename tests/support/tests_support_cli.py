"""Run ``onecode`` as a user does: a real process with a clean ONECODE_* environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ONECODE = str(Path(sys.executable).with_name("onecode"))


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``onecode ARGS…`` with only the given ONECODE_* settings."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ONECODE_")}
    environ.update(env or {})
    return subprocess.run(  # noqa: S603  our own entry point
        [ONECODE, *args], capture_output=True, text=True, env=environ, timeout=120, check=False
    )

"""The composition root: ``create_app`` builds a fully wired Flask application (ARCHITECTURE.md R8).

Nothing here does I/O at import time; configuration flows in from ``ONECODE_*`` variables and the
optional ``config`` mapping (tests), validated by ``app.config.Settings``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from app import api, epcis, errors, health, i18n, logs, pages, wiring
from app.config import REPO_ROOT, Settings

__all__ = ["create_app"]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application.

    Args:
        config: settings that override the environment, by name without the ``ONECODE_``
            prefix (``{"DATABASE_URL": "sqlite:///…"}``).

    Raises:
        ConfigError: a setting is unknown or unusable; the message says which and why.
    """
    settings = Settings.from_env(overrides=config)
    app = Flask(__name__, instance_path=str(REPO_ROOT / "instance"))
    app.config["JSON_AS_ASCII"] = False
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Chinese stays readable
    logs.configure(settings.log_level, settings.log_format)
    wiring.init_app(app, settings)
    i18n.init_app(app, settings.default_locale)
    logs.init_app(app)
    pages.init_app(app)
    health.init_app(app)
    api.init_app(app)
    epcis.init_app(app)
    errors.register(app)
    return app

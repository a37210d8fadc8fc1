"""Language choice for pages and messages: Simplified Chinese or English.

Order of precedence: the ``lang`` query parameter (remembered in a ``lang`` cookie), the cookie,
the browser's ``Accept-Language``, then ``ONECODE_DEFAULT_LOCALE``. Texts live in gettext
catalogues under ``app/translations`` (``make translations`` compiles them), never in templates.
"""

from __future__ import annotations

from flask import Flask, Response, g, request
from flask_babel import Babel, get_locale

from app.config import LOCALES

COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600


def select_locale() -> str:
    """The locale for this request (see the module docstring for the order)."""
    for candidate in (request.args.get(COOKIE), request.cookies.get(COOKIE)):
        if candidate in LOCALES:
            return candidate
    best = request.accept_languages.best_match(LOCALES)
    if best:
        return best
    default: str = g.get("default_locale", LOCALES[0])
    return default


def init_app(app: Flask, default_locale: str) -> None:
    """Install Flask-Babel with our selector and remember an explicit ``lang`` choice."""
    Babel(app, locale_selector=select_locale, default_domain="messages")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = "translations"

    @app.context_processor
    def _locale() -> dict[str, str]:
        locale = get_locale()
        return {"locale": locale.language if locale else default_locale}

    @app.before_request
    def _default() -> None:
        g.default_locale = default_locale

    @app.after_request
    def _remember(response: Response) -> Response:
        chosen = request.args.get(COOKIE)
        if chosen in LOCALES:
            response.set_cookie(COOKIE, chosen, max_age=COOKIE_MAX_AGE, samesite="Lax")
        return response

"""Our own REST API under ``/api/v1`` (the standard EPCIS binding lives under ``/epcis``).

flask-smorest builds the OpenAPI 3.1 description from the marshmallow schemas and serves it at
``/api/v1/openapi.json``; ``api_spec/openapi.json`` is a committed snapshot of it.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_smorest import Api

from app import entry_points
from app.api import code_batches, identifiers, labels, ledger, master_data, recalls, trace

PREFIX = "/api/v1"


def init_app(app: Flask) -> Api:
    """Register the API blueprints and the OpenAPI document."""
    app.config.update(
        API_TITLE="OneCode Trace API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX=PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
    )
    api = Api(
        app,
        spec_kwargs={
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        },
    )
    for blueprint in (
        identifiers.bp,
        code_batches.bp,
        ledger.bp,
        labels.bp,
        trace.bp,
        master_data.bp,
        recalls.bp,
    ):
        api.register_blueprint(blueprint, url_prefix=PREFIX + (blueprint.url_prefix or ""))
    partners = _l("Partner systems")
    entry_points.add(
        app,
        entry_points.EntryPoint(
            partners,
            _l("API description"),
            f"{PREFIX}/openapi.json",
            _l("OpenAPI 3.1 of our REST API"),
        ),
    )
    entry_points.add(
        app,
        entry_points.EntryPoint(
            partners,
            _l("Parse a code"),
            f"{PREFIX}/identifiers/parse?code=(01)09521234543213(21)ABC",
            _l("Any GS1, EPC, Handle or drug code, in every spelling"),
        ),
    )
    return api

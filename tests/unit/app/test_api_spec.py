"""The committed OpenAPI document is the one the app serves (regenerate with make api-spec)."""

from __future__ import annotations

import api_spec
from app import create_app


def test_committed_openapi_matches_the_app() -> None:
    app = create_app({"DATABASE_URL": "sqlite://"})
    served = app.test_client().get("/api/v1/openapi.json").get_json()
    assert served == api_spec.load(), "the API changed: run make api-spec and commit the result"


def test_the_spec_documents_authentication_and_problems() -> None:
    spec = api_spec.load()
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for method in ("post",):
        assert spec["paths"]["/api/v1/code-batches"][method]["security"] == [{"bearer": []}]
    assert spec["paths"]["/api/v1/code-batches/{batch_id}"]["get"]["security"] == [{"bearer": []}]

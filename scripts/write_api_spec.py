"""Write api_spec/openapi.json from the app (make api-spec). Needs no database."""

from __future__ import annotations

import json

from api_spec import SPEC
from app import create_app


def main() -> None:
    """Render the OpenAPI document the app serves at /api/v1/openapi.json."""
    app = create_app({"DATABASE_URL": "sqlite://"})
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    SPEC.write_text(
        json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
    )
    print(f"wrote {SPEC}")


if __name__ == "__main__":
    main()

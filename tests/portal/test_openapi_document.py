"""The OpenAPI document is the contract other teams' tests read: it changes only on purpose.

When an endpoint is added or changed on purpose, write the new document over the committed copy:
`python -m tests.portal.test_openapi_document` (and read the diff before committing it).
"""

from __future__ import annotations

import json
from pathlib import Path

COMMITTED = Path(__file__).resolve().parents[1] / "fixtures" / "openapi.json"


def rendered(document: dict) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def test_the_openapi_document_is_the_committed_one(api):
    document = api("funder").get("/api/v1/openapi.json").get_json()
    assert rendered(document) == COMMITTED.read_text()


if __name__ == "__main__":
    from portal import create_app
    from portal.api import api

    app = create_app("test", SQLALCHEMY_DATABASE_URI="sqlite://")
    with app.app_context():  # the document served, which only signed-in callers may fetch
        COMMITTED.write_text(rendered(api.spec.to_dict()))
    print(f"wrote {COMMITTED}")

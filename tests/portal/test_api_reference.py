"""The API reference: drawn on the server from the OpenAPI document, for signed-in people, linked
from their account page and nowhere else."""

from __future__ import annotations

from markupsafe import escape

METHODS = ("get", "post", "put", "patch", "delete")


def test_the_reference_lists_every_operation_and_shape_of_the_document(client, login_as):
    login_as("site_lead")  # the document too is for signed-in people
    document = client.get("/api/v1/openapi.json").get_json()
    page = client.get("/api/docs").get_data(as_text=True)
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                assert f"<code>{method.upper()} {escape(path)}</code>" in page, (method, path)
                summary = item[method].get("summary")
                if summary:
                    assert str(escape(summary)) in page
    for name in document["components"]["schemas"]:
        assert f'id="shape-{name}"' in page
    assert "<script" not in page.split("</header>", 1)[1].split("<footer", 1)[0]


def test_the_reference_is_for_signed_in_people(client):
    response = client.get("/api/docs")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_account_page_links_the_reference_and_no_footer_does(client, login_as):
    assert "/api/docs" not in client.get("/login").get_data(as_text=True)
    login_as("funder")
    assert "/api/docs" not in client.get("/").get_data(as_text=True)
    assert 'href="/api/docs"' in client.get("/account").get_data(as_text=True)

"""A visit's page: the site row links to the site (issue 14, point 1)."""

from __future__ import annotations

from html.parser import HTMLParser

from tests.training.visits.test_visits import add_visit


class _Links(HTMLParser):
    """Every <a> element in a page, as (href, text) pairs."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href = dict(attrs).get("href") or ""
            self._text = []

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._text).strip()))
            self._href = None


def links_in(page: str) -> list[tuple[str, str]]:
    parser = _Links()
    parser.feed(page)
    return parser.links


def test_the_site_row_is_a_link_to_the_site_not_printed_markup(client, login_as, make):
    site = make.site(
        name="Enable & Co <IPS> service", organisation=make.organisation(name="Enable")
    )
    visit = add_visit(site)
    login_as("admin")

    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)

    assert (f"/sites/{site.id}", "Enable & Co <IPS> service") in links_in(page)
    assert "&lt;a href" not in page
    assert "Enable &amp; Co &lt;IPS&gt; service</a> (Enable)" in page

"""Browser-test fixtures: a fresh page on the live server, watched for errors and outside
requests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.pages import TIMEOUT_MS, Watch


@pytest.fixture
def page_and_watch(browser, live_server) -> Iterator[tuple]:
    context = browser.new_context(base_url=live_server)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    watch = Watch(live_server)
    watch.attach(page)
    try:
        yield page, watch
    finally:
        context.close()

"""axe-core in the browser tests: run it on the open page, keep what is serious or critical.

axe is loaded from our own static folder by URL, not injected inline: the pages' CSP refuses every
inline script (which is the point), so `add_script_tag(path=...)` would be blocked and show up as
a console error. The file is the same one, static/vendor/axe-core/axe.min.js.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from config import ROOT

AXE_FILE = ROOT / "static" / "vendor" / "axe-core" / "axe.min.js"
AXE_URL_PATH = "/static/vendor/axe-core/axe.min.js"
BLOCKING = ("serious", "critical")


def violations(page: Any, impacts: tuple[str, ...] = BLOCKING) -> list[dict[str, Any]]:
    """The page's axe violations of the given impacts (by default serious and critical)."""
    assert AXE_FILE.exists(), f"{AXE_FILE} is missing: build static/vendor with `make install`"
    if not page.evaluate("() => typeof window.axe === 'object'"):
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
        page.add_script_tag(url=origin + AXE_URL_PATH)
    results = page.evaluate("() => window.axe.run(document, {resultTypes: ['violations']})")
    return [v for v in results["violations"] if v.get("impact") in impacts]


def describe(found: list[dict[str, Any]]) -> str:
    """A readable list for an assertion message: rule, impact, help and the first few nodes."""
    lines = []
    for violation in found:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:3]:
            lines.append(f"    {node['target']}: {node['html'][:160]}")
    return "\n".join(lines)

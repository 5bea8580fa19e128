"""Where a "return to" address from a query string or form may send someone: only to this site."""

from __future__ import annotations

from urllib.parse import urlsplit


def local_address(target: str | None, default: str) -> str:
    """`target` when it is a path on this site; anything else (another host, `//host`, `/\\host`,
    which browsers read as `//host`, a scheme) is the default."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return default

"""Gives built assets content-hashed names, so browsers may keep them for ever.

Usage: fingerprint_assets.py STATIC_DIR FILE...   (each FILE relative to STATIC_DIR)

Beside each FILE (vendor/plotly-cartesian.min.js) this writes a copy whose name carries the first
12 hex digits of its SHA-256 (vendor/plotly-cartesian.min.0123456789ab.js), with copies of its
compressed forms (.gz, .br) when they exist, and it writes STATIC_DIR/vendor/manifest.json mapping
each FILE to its copy. portal/assets.py reads the manifest: templates link the copies through
`asset_url()`, and they are served as immutable. The plain names stay, for anything that links
them directly.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

MANIFEST = "vendor/manifest.json"  # portal/assets.py reads it from the same place


def hashed_name(path: Path) -> str:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return f"{path.stem}.{digest}{path.suffix}"


def main(static: Path, files: list[str]) -> None:
    manifest = {}
    for name in files:
        source = static / name
        copy = source.with_name(hashed_name(source))
        shutil.copy2(source, copy)
        for suffix in (".gz", ".br"):
            compressed = source.with_name(source.name + suffix)
            if compressed.exists():
                shutil.copy2(compressed, copy.with_name(copy.name + suffix))
        manifest[name] = copy.relative_to(static).as_posix()
    (static / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2:])

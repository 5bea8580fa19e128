"""The import benchmark: a generated CSV of returns imported through sites.returns.importing in a
child process, which reports its peak resident set size.

The peak is the kernel's high-water mark of the child's own memory (VmHWM in /proc/self/status).
getrusage's ru_maxrss is not used: on Linux a child started by fork (or vfork) and exec keeps the
parent's high-water mark from before the exec, so it would report the benchmark's own memory
(the generator's) rather than the import's. Where /proc is missing, getrusage is the fallback.

The file holds months before the network's history (a back-fill of older returns), every row
valid, so the import checks and writes all of them: returns, their first versions and audit
events, committed at the end like the upload page does.

`python -m bench.csv_import URL CSV USER_ID TODAY` is the child.
"""

from __future__ import annotations

import csv
import json
import random
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bench.generate import _figures, _SiteModel
from config import ROOT
from core.months import add_months
from sites.returns.importing.reader import HEADER


@dataclass(frozen=True)
class ImportRun:
    rows: int
    seconds: float
    peak_rss_mb: float  # the child's peak resident set
    before_import_mb: float  # its peak before the import began (the app and its imports)
    file_mb: float


def write_csv(path: Path, site_ids: list[int], rows: int, before: date, seed: int = 1) -> int:
    """`rows` returns over the sites, each site's months running up to the month before
    `before`, oldest first; every row valid. Returns the number of rows written."""
    rng = random.Random(seed)
    per_site = -(-rows // len(site_ids))
    written = 0
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for site_id in site_ids:
            model = _SiteModel(site_id, "", rng.uniform(25, 140), rng.uniform(0.02, 0.1), 3, 0)
            recent: list[int] = []
            for k in range(per_site):
                if written == rows:
                    return written
                month = add_months(before, k - per_site)
                figures = _figures(rng, model, recent)
                writer.writerow(
                    [site_id, f"{month:%Y-%m}", *(figures[name] for name in HEADER[2:])]
                )
                written += 1
    return written


def run_import(database_url: str, csv_path: Path, user_id: int, today: date) -> ImportRun:
    """Import the file in a child process; its time and peak memory."""
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.csv_import",
            database_url,
            str(csv_path),
            str(user_id),
            today.isoformat(),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
    )
    output = child.stdout.read() if child.stdout else b""
    if child.wait() != 0:
        raise RuntimeError(f"the import child failed ({child.returncode})")
    answer = json.loads(output)
    return ImportRun(
        rows=answer["imported"],
        seconds=answer["seconds"],
        peak_rss_mb=answer["peak_kb"] / 1024,
        before_import_mb=answer["before_import_kb"] / 1024,
        file_mb=csv_path.stat().st_size / 1024 / 1024,
    )


def _child(database_url: str, csv_path: str, user_id: int, today: date) -> None:
    from accounts.models import User
    from core.extensions import db
    from portal import create_app
    from sites.returns.importing.writer import import_returns

    app = create_app("test", SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        user = db.session.get(User, user_id)
        before = peak_rss_kb()
        started = time.perf_counter()
        with open(csv_path, "rb") as stream:
            result = import_returns(stream, user, today=today)
        db.session.commit()
        seconds = time.perf_counter() - started
    answer = {
        "imported": result.imported,
        "seconds": seconds,
        "before_import_kb": before,
        "peak_kb": peak_rss_kb(),
    }
    print(json.dumps(answer))


def peak_rss_kb() -> int:
    """This process's peak resident set size in kB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2], int(sys.argv[3]), date.fromisoformat(sys.argv[4]))

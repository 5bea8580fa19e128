"""The demo sites' monthly returns. Job starts follow each period's line with noise, scaled to
its recorded total where there is one; the other figures are drawn around them. Live sites report
up to the last month that has ended; a couple of them are late with the latest due months, so
that the dashboards have late returns to show.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from core.months import month_end, months_between, previous_month
from core.working_days import england_and_wales_holidays, last_due_month
from portal.demo.network import SEED, SITES, SiteSpec
from sites.models import SECTORS, MonthlyReturn, ReturnSector, Site
from sites.returns.queries import working_days_allowed

# Where job starts go, roughly as UK IPS services report them.
SECTOR_WEIGHTS = {
    "health_and_social_care": 22,
    "retail": 18,
    "hospitality": 15,
    "admin_and_finance": 12,
    "education": 7,
    "construction": 6,
    "engineering_and_trades": 6,
    "animal_care": 2,
    "other": 12,
}
assert set(SECTOR_WEIGHTS) == set(SECTORS)


def monthly_returns(sites: dict[str, Site], today: date) -> list[MonthlyReturn]:
    """Every demo site's returns, each drawn from a generator seeded for its site."""
    last_ended, last_due = _last_months(today)
    returns = []
    for spec in SITES:
        rng = random.Random(f"{SEED}:{spec.key}")
        returns += _returns(spec, sites[spec.key], rng, last_ended, last_due)
    return returns


def _apportion(total: int, weights: list[float]) -> list[int]:
    """Whole numbers in proportion to `weights` that sum to `total` (largest remainders)."""
    if not weights:
        return []
    scale = sum(weights)
    quotas = (
        [total * w / scale for w in weights] if scale else [total / len(weights)] * len(weights)
    )
    counts = [int(q) for q in quotas]
    by_remainder = sorted(range(len(quotas)), key=lambda i: (counts[i] - quotas[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _line(start: float, end: float, n: int) -> list[float]:
    return [start + (end - start) * i / max(n - 1, 1) for i in range(n)]


def _half(value: float) -> Decimal:
    """To the nearest half FTE."""
    return (Decimal(str(value)) * 2).quantize(Decimal("1"), ROUND_HALF_UP) / 2


def _last_months(today: date) -> tuple[date, date]:
    """The latest month that has ended, and the latest month whose return is already due."""
    holidays = england_and_wales_holidays(today.year - 1, today.year)
    working_days = working_days_allowed()
    return previous_month(today), last_due_month(today, holidays, working_days)


@dataclass
class Figures:
    month: date
    job_starts: int
    referrals: int | None = None
    status: str = "submitted"


def _site_months(
    spec: SiteSpec, rng: random.Random, last_ended: date, last_due: date
) -> list[Figures]:
    """Each reported month's job starts (and referrals where the record fixes them)."""
    rows: list[Figures] = []
    for period in spec.periods:
        months = months_between(period.first, period.last or last_ended)
        weights = [w * rng.uniform(0.6, 1.4) for w in _line(*period.rate, len(months))]
        total = period.job_starts if period.job_starts is not None else round(sum(weights))
        job_starts = _apportion(total, weights)
        referrals: list[int | None] = [None] * len(months)
        if period.referrals is not None:
            referrals = list(_apportion(period.referrals, [w + 2.5 for w in weights]))
        rows += [Figures(m, j, r) for m, j, r in zip(months, job_starts, referrals, strict=True)]
    if spec.late == "missing":  # nothing for the last two due months, nor since
        rows = [row for row in rows if row.month < previous_month(last_due)]
    elif spec.late == "draft":  # the latest due month is still a draft; nothing since
        rows = [row for row in rows if row.month <= last_due]
        rows[-1].status = "draft"
    return rows


def _submitted_at(month: date, rng: random.Random) -> datetime:
    """A few days after the month ended, and never later than now."""
    sent = datetime.combine(month_end(month) + timedelta(days=rng.randint(2, 9)), time(10), UTC)
    return min(sent, datetime.now(UTC))


def _returns(
    spec: SiteSpec, site: Site, rng: random.Random, last_ended: date, last_due: date
) -> list[MonthlyReturn]:
    rows = _site_months(spec, rng, last_ended, last_due)
    ftes = _line(float(spec.fte[0]), float(spec.fte[1]), len(rows))
    sectors, sector_weights = list(SECTOR_WEIGHTS), list(SECTOR_WEIGHTS.values())
    returns: list[MonthlyReturn] = []
    sustained_so_far = 0
    eligible_so_far = 0
    for i, row in enumerate(rows):
        fte = _half(ftes[i])
        per_fte = (15.5, 19.5)  # within IPS's 20 people per specialist
        if spec.recent_caseload_per_fte and i >= len(rows) - 3:
            per_fte = spec.recent_caseload_per_fte
        caseload = max(round(float(fte) * rng.uniform(*per_fte)), row.job_starts)
        referrals = row.referrals
        if referrals is None:
            referrals = round(caseload * rng.uniform(0.12, 0.22))
        new_to_service = round(referrals * rng.uniform(0.7, 0.9))
        # Sustained: a steady share of the job starts three months earlier, rounding carried on.
        earlier = rows[i - 3].job_starts if i >= 3 else 0
        eligible_so_far += earlier
        sustained = round(spec.sustained * eligible_so_far) - sustained_so_far
        sustained = min(max(sustained, 0), earlier)
        sustained_so_far += sustained
        submitted = row.status == "submitted"
        record = MonthlyReturn(
            site=site,
            month=row.month,
            referrals=referrals,
            caseload=caseload,
            new_to_service=new_to_service,
            first_contact_within_4_weeks=round(new_to_service * rng.uniform(0.7, 0.95)),
            job_starts=row.job_starts,
            in_work=round(caseload * rng.uniform(0.32, 0.5)),
            sustained_13_weeks=sustained,
            employment_specialists_fte=fte,
            discharges=round(caseload * rng.uniform(0.04, 0.1)),
            status=row.status,
            submitted_at=_submitted_at(row.month, rng) if submitted else None,
        )
        by_sector = Counter(rng.choices(sectors, sector_weights, k=row.job_starts))
        record.sectors = [
            ReturnSector(sector=s, job_starts=n) for s, n in sorted(by_sector.items())
        ]
        returns.append(record)
    return returns

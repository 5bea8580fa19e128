"""The demo network: places, organisations, programmes and monthly returns shaped by public reports.

`load()` adds it to the session and flushes; the caller (`flask --app portal demo load`) commits.
Names are of places and organisations only; demo users are named by their role.

The figures reproduce the public record exactly, counting only submitted returns of months inside
each site's participation and the programme's period:
- Making IPS Work (Department of Health): Bradford 61 job starts against 60, 246 referrals; the
  first three sites 217 against 180; a target of 340 over three years.
- Sussex regional trainer pilot (2012): 286 job starts against 125.
- CNTW IPS: 149 job starts since late 2019, 81% of them sustained 13 weeks.
- Blackpool Council IPS: 812 job starts since 2020.
- Fidelity: Worcestershire reviewed Exemplary three times, the last 118; Blackpool Exemplary;
  Bradford Good before its Centre of Excellence award in 2019. Other sites' trajectories are
  plausible, not recorded; item scores are drawn to add up to each review's total.
Live sites report up to the last month that has ended; a couple of them are late with the latest
due months, so that the dashboards have late returns to show. Everything else is drawn from a
random generator seeded per site, so a load on the same day always gives the same network.
"""

from __future__ import annotations

import random
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from accounts.models import User
from core.extensions import db
from core.months import month_end, month_start, next_month, previous_month
from core.working_days import england_and_wales_holidays, last_due_month
from programme.models import Funder, Participation, Programme, TargetMonth
from sites.models import (
    SECTORS,
    Designation,
    MonthlyReturn,
    Organisation,
    ReturnSector,
    Site,
    UserSite,
)
from sites.returns.queries import working_days_allowed
from training.fidelity import scale as fidelity
from training.models import Action, Assignment, FidelityReview, FidelityScore, Visit

SEED = 2012
DOMAIN = "demo.ips.example"

LOGINS: list[tuple[str, str, str]] = [
    ("admin", f"admin@{DOMAIN}", "demo-admin-ips-2026"),
    ("trainer", f"trainer@{DOMAIN}", "demo-trainer-ips-2026"),
    ("site_lead", f"site.lead@{DOMAIN}", "demo-site-lead-ips-2026"),
    ("funder", f"funder@{DOMAIN}", "demo-funder-ips-2026"),
]

USER_NAMES = {
    "admin": "Programme staff (demo)",
    "trainer": "Regional trainer, North and Midlands (demo)",
    "site_lead": "Site lead, Bradford IPS service (demo)",
    "funder": "Funder contact, Department of Health (demo)",
}

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


# --- The network ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Org:
    name: str
    kind: str
    region: str
    ods_code: str | None = None


# fmt: off
ORGANISATIONS = {
    "bdct": Org("Bradford District Care NHS Foundation Trust", "nhs_trust",
                "north-east-and-yorkshire", "TAD"),
    "bhft": Org("Berkshire Healthcare NHS Foundation Trust", "nhs_trust", "south-east", "RWX"),
    "lpft": Org("Lincolnshire Partnership NHS Foundation Trust", "nhs_trust", "midlands", "RP7"),
    "cpft": Org("Cambridgeshire and Peterborough NHS Foundation Trust", "nhs_trust",
                "east-of-england", "RT1"),
    "dpt": Org("Devon Partnership NHS Trust", "nhs_trust", "south-west", "RWV"),
    "nhft": Org("Nottinghamshire Healthcare NHS Foundation Trust", "nhs_trust", "midlands", "RHA"),
    "spft": Org("Sussex Partnership NHS Foundation Trust", "nhs_trust", "south-east", "RX2"),
    "enable": Org("Enable", "other", "midlands"),
    "bsmhft": Org("Birmingham and Solihull Mental Health NHS Foundation Trust", "nhs_trust",
                  "midlands", "RXT"),
    "cwpt": Org("Coventry and Warwickshire Partnership NHS Trust", "nhs_trust", "midlands", "RYG"),
    "bchft": Org("Black Country Healthcare NHS Foundation Trust", "nhs_trust", "midlands", "TAJ"),
    "nscht": Org("North Staffordshire Combined Healthcare NHS Trust", "nhs_trust", "midlands",
                 "RLY"),
    "hwhct": Org("Herefordshire and Worcestershire Health and Care NHS Trust", "nhs_trust",
                 "midlands", "R1A"),
    "cntw": Org("Cumbria, Northumberland, Tyne and Wear NHS Foundation Trust", "nhs_trust",
                "north-east-and-yorkshire", "RX4"),
    "blackpool": Org("Blackpool Council", "local_authority", "north-west"),
}
# fmt: on


@dataclass(frozen=True)
class Period:
    """A stretch of a site's monthly returns. Job starts follow a line from `rate[0]` to `rate[1]`
    a month, with noise; when `job_starts` is given they are scaled to sum to it exactly (and the
    same for `referrals`). `last=None` runs to the latest month that has ended."""

    first: date
    last: date | None
    rate: tuple[float, float]
    job_starts: int | None = None
    referrals: int | None = None


@dataclass(frozen=True)
class SiteSpec:
    key: str
    org: str
    name: str
    locality: str
    region: str
    latitude: float
    longitude: float
    launched_on: date
    periods: tuple[Period, ...]
    fte: tuple[str, str]  # employment specialists at the first and the last reported month
    sustained: float  # the share of job starts still in work 13 weeks later
    late: str | None = None  # "draft": the latest due month is a draft; "missing": the last two
    designated_on: date | None = None


D = date
# A site: key, organisation, name, locality, region, latitude, longitude, launched on, the
# periods it reported, its specialists (FTE) at first and last, its 13-week sustainment.
# fmt: off
SITES = [
    # Making IPS Work: three sites from April 2015, three more from April 2016.
    SiteSpec("bradford", "bdct", "Bradford IPS service", "Bradford", "north-east-and-yorkshire",
             53.7960, -1.7594, D(2015, 4, 1),
             (Period(D(2015, 4, 1), D(2018, 3, 1), (0.8, 2.4), job_starts=61, referrals=246),
              Period(D(2018, 4, 1), None, (2.4, 3.6))),
             ("2.0", "3.0"), 0.72, designated_on=D(2019, 10, 1)),
    SiteSpec("berkshire", "bhft", "Berkshire IPS service", "Reading", "south-east",
             51.4543, -0.9781, D(2015, 4, 1),
             (Period(D(2015, 4, 1), D(2018, 3, 1), (1.2, 3.2), job_starts=80),),
             ("2.5", "3.0"), 0.68),
    SiteSpec("lincolnshire", "lpft", "Lincolnshire IPS service", "Lincoln", "midlands",
             53.2307, -0.5406, D(2015, 4, 1),
             (Period(D(2015, 4, 1), D(2018, 3, 1), (1.0, 3.0), job_starts=76),),
             ("2.5", "3.0"), 0.66),
    SiteSpec("cambridgeshire", "cpft", "Cambridgeshire IPS service", "Cambridge",
             "east-of-england", 52.2053, 0.1218, D(2016, 4, 1),
             (Period(D(2016, 4, 1), D(2018, 3, 1), (1.2, 3.0), job_starts=52),),
             ("2.0", "2.5"), 0.64),
    SiteSpec("devon", "dpt", "Devon IPS service", "Exeter", "south-west",
             50.7184, -3.5339, D(2016, 4, 1),
             (Period(D(2016, 4, 1), D(2018, 3, 1), (1.0, 2.8), job_starts=47),),
             ("2.0", "2.5"), 0.62),
    SiteSpec("nottingham", "nhft", "Nottingham IPS service", "Nottingham", "midlands",
             52.9548, -1.1581, D(2016, 4, 1),
             (Period(D(2016, 4, 1), D(2018, 3, 1), (1.4, 3.4), job_starts=58),),
             ("2.0", "3.0"), 0.65),
    # The Sussex regional trainer pilot, 2012: 92 + 71 + 64 + 59 = 286.
    SiteSpec("brighton", "spft", "Brighton and Hove IPS service", "Brighton", "south-east",
             50.8225, -0.1372, D(2011, 10, 1),
             (Period(D(2012, 1, 1), D(2012, 12, 1), (5.0, 10.0), job_starts=92),),
             ("5.5", "6.0"), 0.7),
    SiteSpec("worthing", "spft", "West Sussex coastal IPS service", "Worthing", "south-east",
             50.8179, -0.3729, D(2011, 10, 1),
             (Period(D(2012, 1, 1), D(2012, 12, 1), (4.0, 8.0), job_starts=71),),
             ("4.5", "5.0"), 0.68),
    SiteSpec("hastings", "spft", "Hastings and Rother IPS service", "Hastings", "south-east",
             50.8543, 0.5735, D(2011, 10, 1),
             (Period(D(2012, 1, 1), D(2012, 12, 1), (3.5, 7.0), job_starts=64),),
             ("4.0", "4.5"), 0.66),
    SiteSpec("crawley", "spft", "Crawley and Horsham IPS service", "Crawley", "south-east",
             51.1092, -0.1872, D(2011, 10, 1),
             (Period(D(2012, 1, 1), D(2012, 12, 1), (3.5, 6.5), job_starts=59),),
             ("3.5", "4.0"), 0.67),
    # West Midlands: Enable leads Improve (six teams, 2017-2019) and Improve 2 (from 2024).
    SiteSpec("enable", "enable", "Enable IPS service", "Birmingham", "midlands",
             52.4862, -1.8904, D(2012, 4, 1),
             (Period(D(2017, 4, 1), None, (3.5, 4.5)),),
             ("3.0", "3.5"), 0.74, designated_on=D(2016, 6, 1)),
    SiteSpec("coventry", "cwpt", "Coventry IPS team", "Coventry", "midlands",
             52.4068, -1.5197, D(2017, 4, 1),
             (Period(D(2017, 4, 1), D(2019, 3, 1), (1.8, 4.5), job_starts=78),
              Period(D(2019, 4, 1), None, (3.8, 5.6))),
             ("3.0", "4.0"), 0.7),
    SiteSpec("warwickshire", "cwpt", "Warwickshire IPS team", "Leamington Spa", "midlands",
             52.2852, -1.5201, D(2017, 4, 1),
             (Period(D(2017, 4, 1), D(2019, 3, 1), (1.5, 3.8), job_starts=63),),
             ("2.5", "3.0"), 0.66),
    SiteSpec("solihull", "bsmhft", "Solihull IPS team", "Solihull", "midlands",
             52.4128, -1.7781, D(2017, 4, 1),
             (Period(D(2017, 4, 1), D(2019, 3, 1), (1.6, 4.0), job_starts=69),
              Period(D(2019, 4, 1), None, (3.4, 5.2))),
             ("3.0", "4.0"), 0.69),
    SiteSpec("birmingham-north", "bsmhft", "Birmingham North IPS team", "Erdington", "midlands",
             52.5235, -1.8388, D(2017, 4, 1),
             (Period(D(2017, 4, 1), D(2019, 3, 1), (2.0, 4.6), job_starts=81),),
             ("3.0", "3.5"), 0.67),
    SiteSpec("walsall", "bchft", "Walsall IPS team", "Walsall", "midlands",
             52.5860, -1.9829, D(2017, 4, 1),
             (Period(D(2017, 4, 1), D(2019, 3, 1), (1.8, 4.2), job_starts=74),
              Period(D(2019, 4, 1), None, (3.6, 5.4))),
             ("3.0", "4.0"), 0.71),
    SiteSpec("wolverhampton", "bchft", "Wolverhampton IPS team", "Wolverhampton", "midlands",
             52.5862, -2.1288, D(2017, 4, 1),
             (Period(D(2017, 4, 1), D(2019, 3, 1), (1.8, 4.2), job_starts=72),),
             ("3.0", "3.5"), 0.65),
    SiteSpec("dudley", "bchft", "Dudley IPS team", "Dudley", "midlands",
             52.5123, -2.0811, D(2024, 10, 1),
             (Period(D(2024, 10, 1), None, (0.6, 3.6)),),
             ("1.5", "2.5"), 0.6, late="draft"),
    SiteSpec("stoke", "nscht", "Stoke-on-Trent IPS team", "Stoke-on-Trent", "midlands",
             53.0027, -2.1794, D(2024, 10, 1),
             (Period(D(2024, 10, 1), None, (0.5, 3.4)),),
             ("1.5", "2.5"), 0.58, late="missing"),
    # Long-running and newer services of the Centres of Excellence network.
    SiteSpec("worcestershire", "hwhct", "Worcestershire IPS", "Worcester", "midlands",
             52.1920, -2.2200, D(2010, 1, 1),
             (Period(D(2014, 4, 1), None, (4.0, 5.5)),),
             ("4.0", "5.0"), 0.78, designated_on=D(2015, 1, 1)),
    SiteSpec("cntw", "cntw", "CNTW IPS", "Newcastle upon Tyne", "north-east-and-yorkshire",
             54.9783, -1.6178, D(2019, 11, 1),
             (Period(D(2019, 11, 1), None, (0.8, 2.6), job_starts=149),),
             ("1.5", "2.5"), 0.81),
    SiteSpec("blackpool", "blackpool", "Blackpool Council IPS", "Blackpool", "north-west",
             53.8175, -3.0357, D(2020, 4, 1),
             (Period(D(2020, 4, 1), None, (4.0, 14.0), job_starts=812),),
             ("4.0", "9.0"), 0.74),
]
# fmt: on


@dataclass(frozen=True)
class ProgrammeSpec:
    name: str
    funder: str
    summary: str
    starts_on: date
    ends_on: date
    target: int
    sites: tuple[tuple[str, date, int | None], ...]  # site key, joined on, site target
    profile: str | None = None  # how the target profile is drawn: None means linear


# fmt: off
PROGRAMMES = [
    ProgrammeSpec(
        "Sussex regional trainer pilot", "Sussex Partnership NHS Foundation Trust",
        "Twelve months of a regional IPS trainer working alongside four Sussex teams to raise "
        "fidelity to the model and job starts.",
        D(2012, 1, 1), D(2012, 12, 31), 125,
        (("brighton", D(2012, 1, 1), 35), ("worthing", D(2012, 1, 1), 30),
         ("hastings", D(2012, 1, 1), 30), ("crawley", D(2012, 1, 1), 30)),
    ),
    ProgrammeSpec(
        "Making IPS Work", "Department of Health",
        "An innovation fund bringing IPS to mental health services in six areas that had none: "
        "three sites from the first year, three more from the second.",
        D(2015, 4, 1), D(2018, 3, 31), 340,
        (("bradford", D(2015, 4, 1), 60), ("berkshire", D(2015, 4, 1), 60),
         ("lincolnshire", D(2015, 4, 1), 60), ("cambridgeshire", D(2016, 4, 1), 55),
         ("devon", D(2016, 4, 1), 55), ("nottingham", D(2016, 4, 1), 50)),
        profile="ramp",
    ),
    ProgrammeSpec(
        "Improve", "West Midlands Combined Authority",
        "Six new West Midlands IPS teams, trained and supported by the Centre of Excellence "
        "Enable.",
        D(2017, 4, 1), D(2019, 3, 31), 420,
        tuple((key, D(2017, 4, 1), 70) for key in (
            "coventry", "warwickshire", "solihull", "birmingham-north", "walsall", "wolverhampton"
        )),
    ),
    ProgrammeSpec(
        "Improve 2", "West Midlands Combined Authority",
        "Enable's second West Midlands programme: three Improve teams grow, and two new teams "
        "join after six months.",
        D(2024, 4, 1), D(2027, 3, 31), 600,
        (("coventry", D(2024, 4, 1), 150), ("walsall", D(2024, 4, 1), 150),
         ("solihull", D(2024, 4, 1), 150), ("dudley", D(2024, 10, 1), 75),
         ("stoke", D(2024, 10, 1), 75)),
        profile="site targets",
    ),
    # Its target is set so that, late in 2026, the network is behind its line but its recent
    # run rate would still reach the target: "at risk" beside Improve 2's "on track".
    ProgrammeSpec(
        "IPS Centres of Excellence network", "Charitable funders' consortium",
        "Centres of Excellence and high-fidelity services share practice, host visits and keep "
        "their outcomes high. Bradford joined as the first Centre of Excellence in Yorkshire.",
        D(2019, 10, 1), D(2027, 9, 30), 2275,
        (("bradford", D(2019, 10, 1), None), ("worcestershire", D(2019, 10, 1), None),
         ("enable", D(2019, 10, 1), None), ("cntw", D(2019, 11, 1), None),
         ("blackpool", D(2020, 4, 1), None)),
    ),
]
# fmt: on

TRAINER_SITES = ("bradford", "enable", "coventry", "walsall", "solihull", "dudley")
TRAINER_FROM = D(2023, 4, 1)


# --- Months and numbers -----------------------------------------------------------------------


def _months(first: date, last: date) -> list[date]:
    months = []
    month = month_start(first)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


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
    return previous_month(month_start(today)), last_due_month(today, holidays, working_days)


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
        months = _months(period.first, period.last or last_ended)
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
        caseload = max(round(float(fte) * rng.uniform(15.5, 19.5)), row.job_starts)
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


def _profile(spec: ProgrammeSpec) -> list[TargetMonth]:
    months = _months(spec.starts_on, spec.ends_on)
    n = len(months)
    if spec.profile == "ramp":  # slow while services are set up, then steady
        values = [round(spec.target * ((i + 1) / n) ** 1.3) for i in range(n)]
    elif spec.profile == "site targets":  # each site's target spread evenly over its months
        values = [0.0] * n
        for _, joined_on, site_target in spec.sites:
            first = months.index(month_start(joined_on))
            share = (site_target or 0) / (n - first)
            for i in range(first, n):
                values[i] += share * (i - first + 1)
        values = [round(v) for v in values]
    else:
        return []
    return [TargetMonth(month=m, cumulative=v) for m, v in zip(months, values, strict=True)]


# --- Fidelity reviews -------------------------------------------------------------------------

# Site key -> its reviews: (reviewed on, kind, total). Final unless the kind is "draft:...".
EXTERNAL, PEER, SELF = "external_review", "peer_review", "self_assessment"
# fmt: off
REVIEWS: dict[str, tuple[tuple[date, str, int], ...]] = {
    "worcestershire": ((D(2014, 11, 12), EXTERNAL, 116), (D(2018, 5, 16), EXTERNAL, 117),
                       (D(2023, 3, 15), EXTERNAL, 118)),
    "blackpool": ((D(2021, 6, 9), PEER, 104), (D(2023, 9, 20), EXTERNAL, 116)),
    "bradford": ((D(2015, 11, 4), EXTERNAL, 84), (D(2017, 2, 8), EXTERNAL, 98),
                 (D(2019, 3, 13), EXTERNAL, 108), (D(2022, 10, 5), EXTERNAL, 113)),
    "berkshire": ((D(2015, 12, 2), EXTERNAL, 88), (D(2017, 6, 14), EXTERNAL, 101)),
    "lincolnshire": ((D(2016, 1, 20), EXTERNAL, 79), (D(2017, 7, 12), EXTERNAL, 93)),
    "cambridgeshire": ((D(2016, 11, 9), EXTERNAL, 72), (D(2017, 12, 6), EXTERNAL, 90)),
    "devon": ((D(2016, 11, 23), EXTERNAL, 75), (D(2018, 1, 17), EXTERNAL, 86)),
    "nottingham": ((D(2016, 12, 7), EXTERNAL, 81), (D(2018, 2, 7), EXTERNAL, 99)),
    "brighton": ((D(2012, 2, 8), PEER, 92), (D(2012, 11, 14), EXTERNAL, 105)),
    "worthing": ((D(2012, 2, 15), PEER, 88), (D(2012, 11, 21), EXTERNAL, 100)),
    "hastings": ((D(2012, 2, 22), PEER, 83), (D(2012, 11, 28), EXTERNAL, 97)),
    "crawley": ((D(2012, 2, 29), PEER, 80), (D(2012, 12, 5), EXTERNAL, 95)),
    "enable": ((D(2016, 3, 9), EXTERNAL, 112), (D(2020, 2, 12), EXTERNAL, 117),
               (D(2024, 4, 17), EXTERNAL, 115)),
    "coventry": ((D(2017, 10, 4), SELF, 70), (D(2018, 9, 19), EXTERNAL, 89),
                 (D(2024, 6, 12), PEER, 102)),
    "warwickshire": ((D(2017, 10, 11), SELF, 68), (D(2018, 10, 3), EXTERNAL, 85)),
    "solihull": ((D(2017, 10, 18), SELF, 74), (D(2018, 10, 17), EXTERNAL, 94),
                 (D(2024, 7, 10), PEER, 99)),
    "birmingham-north": ((D(2017, 10, 25), SELF, 71), (D(2018, 11, 7), EXTERNAL, 88)),
    "walsall": ((D(2017, 11, 1), SELF, 76), (D(2018, 11, 14), EXTERNAL, 96),
                (D(2024, 5, 15), PEER, 103)),
    "wolverhampton": ((D(2017, 11, 8), SELF, 69), (D(2018, 11, 21), EXTERNAL, 83)),
    "dudley": ((D(2025, 4, 9), SELF, 66), (D(2026, 3, 11), PEER, 79)),
    "stoke": ((D(2025, 4, 23), SELF, 63),),
    "cntw": ((D(2020, 9, 16), PEER, 94), (D(2022, 9, 21), EXTERNAL, 106),
             (D(2025, 2, 19), EXTERNAL, 111)),
}
# fmt: on
# The items UK services most often score low on: benefits advice, the two job-development items,
# work with other employment services and the diversity of employers.
OFTEN_WEAK = (12, 17, 18, 6, 20)
REVIEWERS = {
    EXTERNAL: "External fidelity reviewer (demo)",
    PEER: "Peer reviewer from another Centre of Excellence (demo)",
    SELF: "Team lead (demo)",
}


def _item_scores(total: int, rng: random.Random) -> dict[int, int]:
    """25 item scores from 1 to 5 that add up to `total`, lower on the often weak items."""
    numbers = [item.number for item in fidelity.ITEMS]
    base, extra = divmod(total, len(numbers))
    scores = dict.fromkeys(numbers, base)
    strong = [n for n in numbers if n not in OFTEN_WEAK]
    rng.shuffle(strong)
    for n in (strong + list(OFTEN_WEAK))[:extra]:
        scores[n] += 1
    for _ in range(12):  # move points from weak items to others, keeping the total
        low, high = rng.choice(OFTEN_WEAK), rng.choice(strong)
        if scores[low] > 1 and scores[high] < 5:
            scores[low] -= 1
            scores[high] += 1
    assert sum(scores.values()) == total
    return scores


def _reviews(sites: dict[str, Site]) -> list[FidelityReview]:
    reviews = []
    for key, entries in REVIEWS.items():
        for reviewed_on, kind, total in entries:
            rng = random.Random(f"{SEED}:{key}:{reviewed_on}")
            scores = _item_scores(total, rng)
            review = FidelityReview(
                site=sites[key],
                reviewed_on=reviewed_on,
                kind=kind,
                lead_reviewer=REVIEWERS[kind],
                status="final",
                total=fidelity.review_total(scores),
            )
            review.scores = [
                FidelityScore(
                    item=n,
                    score=score,
                    note="Agreed as a priority for the next year." if score <= 2 else None,
                )
                for n, score in scores.items()
            ]
            reviews.append(review)
    return reviews


# --- Trainers' visits and the actions agreed at them ---------------------------------------
# The demo trainer visits each of TRAINER_SITES every five to eight weeks from TRAINER_FROM; a
# second, former trainer (no login) covered the Sussex pilot in 2012, two Making IPS Work sites
# and, until a few months ago, two south-east sites: all of those assignments have ended. Actions
# are due three to eight weeks after the visit; those due more than two months ago were done or
# dropped, some due since are still open (overdue), and the rest are open and upcoming.

FORMER_TRAINER = ("trainer.south@demo.ips.example", "Regional trainer, South (demo)")
# Site key, first day, last day (days before the load when an int).
FORMER_ASSIGNMENTS: tuple[tuple[str, date, date | int], ...] = (
    ("brighton", D(2012, 1, 1), D(2012, 12, 31)),
    ("worthing", D(2012, 1, 1), D(2012, 12, 31)),
    ("hastings", D(2012, 1, 1), D(2012, 12, 31)),
    ("crawley", D(2012, 1, 1), D(2012, 12, 31)),
    ("berkshire", D(2015, 4, 1), D(2018, 3, 31)),
    ("devon", D(2016, 4, 1), D(2018, 3, 31)),
    ("brighton", D(2023, 4, 1), 120),
    ("berkshire", D(2023, 4, 1), 120),
)
PURPOSE_WEIGHTS = {
    "training": 30,
    "supervision": 25,
    "steering_group": 10,
    "employer_engagement": 20,
    "fidelity_review": 5,
    "other": 10,
}
VISIT_SUMMARIES = {
    "training": "Training session for the employment specialists on {topic}.",
    "supervision": "Group supervision with the team leader: reviewed the caseload and {topic}.",
    "steering_group": "Attended the steering group with the service's managers; discussed {topic}.",
    "employer_engagement": "Joined the team on employer visits and planned work on {topic}.",
    "fidelity_review": "Prepared the team for its next fidelity review, looking at {topic}.",
    "other": "Met the service lead to plan the next quarter, including {topic}.",
}
TOPICS = (
    "rapid job search",
    "benefits advice for people starting work",
    "job development with local employers",
    "in-work support",
    "integration with the community mental health teams",
    "zero exclusion and referral routes",
    "the diversity of jobs and employers",
)
AGREED = (
    ("Book a benefits adviser for a monthly clinic", "Team leader"),
    ("Each specialist to make six employer contacts a week", "Employment specialists"),
    ("Add the employment specialist to the weekly clinical meeting", "Community team manager"),
    ("Review the referral criteria with the clinical teams", "Service manager"),
    ("Set up a shared log of employer contacts", "Team leader"),
    ("Plan in-work support reviews at 4 and 13 weeks", "Employment specialists"),
    ("Present the service's outcomes to the trust board", "Service manager"),
    ("Agree a protocol for disclosure conversations", "Team leader"),
)


def _former_trainer() -> User:
    email, name = FORMER_TRAINER
    user = User(email=email, name=name, role="trainer", active=False)
    user.set_password(secrets.token_urlsafe(24))  # nobody logs in: the trainer has left
    return user


def _visit_dates(first: date, last: date, rng: random.Random) -> list[date]:
    """Weekdays every five to eight weeks from a week or two after `first` to `last`."""
    dates = []
    day = first + timedelta(days=rng.randint(7, 14))
    while day <= last:
        weekday = day - timedelta(days=max(day.weekday() - 4, 0))  # a Saturday or Sunday: Friday
        dates.append(weekday)
        day += timedelta(days=rng.randint(35, 56))
    return dates


def _actions_of(
    visit: Visit, rng: random.Random, today: date, *, may_stay_open: bool
) -> list[Action]:
    actions = []
    for description, owner in rng.sample(AGREED, rng.choices((0, 1, 2), (3, 5, 2))[0]):
        due_on = visit.visited_on + timedelta(weeks=rng.randint(3, 8))
        status, closed_on = "open", None
        if due_on < today:
            recent = due_on >= today - timedelta(days=60)
            draw = rng.random()
            if may_stay_open and recent and draw < 0.5:
                status = "open"  # overdue
            elif draw < 0.88:
                status = "done"
                closed_on = min(due_on - timedelta(days=rng.randint(0, 14)), today)
                closed_on = max(closed_on, visit.visited_on)
            else:
                status = "dropped"
                closed_on = min(due_on + timedelta(days=rng.randint(0, 21)), today)
        actions.append(
            Action(
                site=visit.site,
                visit=visit,
                description=description,
                owner=owner,
                due_on=due_on,
                status=status,
                closed_on=closed_on,
            )
        )
    return actions


def _visits(
    sites: dict[str, Site],
    trainer: User,
    assignments: list[tuple[str, date, date | None]],
    today: date,
    *,
    current: bool,
) -> tuple[list[Visit], list[Action]]:
    visits: list[Visit] = []
    actions: list[Action] = []
    purposes, weights = list(PURPOSE_WEIGHTS), list(PURPOSE_WEIGHTS.values())
    for key, first, last in assignments:
        rng = random.Random(f"{SEED}:visits:{trainer.email}:{key}:{first}")
        until = min(last or today, today - timedelta(days=1))
        for visited_on in _visit_dates(first, until, rng):
            purpose = rng.choices(purposes, weights)[0]
            visit = Visit(
                site=sites[key],
                trainer=trainer,
                visited_on=visited_on,
                purpose=purpose,
                summary=VISIT_SUMMARIES[purpose].format(topic=rng.choice(TOPICS)),
            )
            visits.append(visit)
            actions += _actions_of(visit, rng, today, may_stay_open=current)
    return visits, actions


# --- Loading ----------------------------------------------------------------------------------


def load(today: date | None = None) -> dict[str, int]:
    """Add the demo network to the session and flush (the caller commits). Returns counts."""
    today = today or date.today()
    last_ended, last_due = _last_months(today)

    organisations = {
        key: Organisation(name=o.name, kind=o.kind, region=o.region, ods_code=o.ods_code)
        for key, o in ORGANISATIONS.items()
    }
    sites: dict[str, Site] = {}
    designations = []
    for spec in SITES:
        sites[spec.key] = Site(
            organisation=organisations[spec.org],
            name=spec.name,
            locality=spec.locality,
            region=spec.region,
            launched_on=spec.launched_on,
            latitude=spec.latitude,
            longitude=spec.longitude,
        )
        if spec.designated_on:
            designations.append(Designation(site=sites[spec.key], awarded_on=spec.designated_on))
    funders: dict[str, Funder] = {}
    programmes = []
    participations = []
    for spec in PROGRAMMES:
        funder = funders.setdefault(spec.funder, Funder(name=spec.funder))
        programme = Programme(
            name=spec.name,
            funder=funder,
            summary=spec.summary,
            starts_on=spec.starts_on,
            ends_on=spec.ends_on,
            job_start_target=spec.target,
        )
        programme.target_profile = _profile(spec)
        programmes.append(programme)
        participations += [
            Participation(
                programme=programme, site=sites[key], joined_on=joined_on, site_target=site_target
            )
            for key, joined_on, site_target in spec.sites
        ]
    db.session.add_all(
        [
            *organisations.values(),
            *sites.values(),
            *designations,
            *funders.values(),
            *programmes,
            *participations,
        ]
    )
    db.session.flush()

    returns = []
    for spec in SITES:
        rng = random.Random(f"{SEED}:{spec.key}")
        returns += _returns(spec, sites[spec.key], rng, last_ended, last_due)
    db.session.add_all(returns)
    db.session.flush()

    reviews = _reviews(sites)
    db.session.add_all(reviews)
    db.session.flush()

    former_trainer = _former_trainer()  # first: the LOGINS users come after it
    db.session.add(former_trainer)
    db.session.flush()
    users = {}
    for role, email, password in LOGINS:
        user = User(email=email, name=USER_NAMES[role], role=role)
        user.set_password(password)
        users[role] = user
    users["funder"].funder = funders["Department of Health"]
    db.session.add_all(users.values())
    db.session.flush()
    db.session.add(UserSite(user_id=users["site_lead"].id, site_id=sites["bradford"].id))
    db.session.add_all(
        Assignment(user=users["trainer"], site=sites[key], starts_on=TRAINER_FROM)
        for key in TRAINER_SITES
    )
    former = [
        (key, first, today - timedelta(days=last) if isinstance(last, int) else last)
        for key, first, last in FORMER_ASSIGNMENTS
    ]
    db.session.add_all(
        Assignment(user=former_trainer, site=sites[key], starts_on=first, ends_on=last)
        for key, first, last in former
    )
    db.session.flush()

    visits, actions = _visits(
        sites,
        users["trainer"],
        [(key, TRAINER_FROM, None) for key in TRAINER_SITES],
        today,
        current=True,
    )
    former_visits, former_actions = _visits(sites, former_trainer, former, today, current=False)
    db.session.add_all([*visits, *former_visits, *actions, *former_actions])
    db.session.flush()

    return {
        "organisations": len(organisations),
        "sites": len(sites),
        "designations": len(designations),
        "funders": len(funders),
        "programmes": len(programmes),
        "participations": len(participations),
        "monthly returns": len(returns),
        "fidelity reviews": len(reviews),
        "users": len(users) + 1,
        "assignments": len(TRAINER_SITES) + len(former),
        "visits": len(visits) + len(former_visits),
        "actions": len(actions) + len(former_actions),
    }

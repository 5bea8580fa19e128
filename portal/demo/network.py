"""The demo's places, organisations, sites, programmes and funders: their specs, and the records
`build_network()` makes of them. Names are of places and organisations only.

The sites' job starts reproduce the public record, counting only submitted returns of months
inside each site's participation and the programme's period:
- Making IPS Work (Department of Health): Bradford 61 job starts against 60, 246 referrals; the
  first three sites 217 against 180; a target of 340 over three years.
- Sussex regional trainer pilot (2012): 286 job starts against 125.
- CNTW IPS: 149 job starts since late 2019, 81% of them sustained 13 weeks.
- Blackpool Council IPS: 812 job starts since 2020.

Who leads each programme, each site's role in it, who mentored whom and where the trainers work
are portal/demo/mentoring.py's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.months import month_start, months_between
from programme.models import Funder, Participation, Programme, TargetMonth
from sites.models import Designation, Organisation, Site

SEED = 2012  # every random generator of the demo is seeded from it


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
    # The charity that leads the Sussex pilot, Making IPS Work and the Centres network.
    "charity": Org("Centre for Mental Health", "voluntary", "london"),
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
    designation_ended_on: date | None = None
    # Caseload per specialist over its last 3 months, well above IPS's 20 (fidelity drift).
    recent_caseload_per_fte: tuple[float, float] | None = None


D = date
# A site: key, organisation, name, locality, region, latitude, longitude, launched on, the
# periods it reported, its specialists (FTE) at first and last, its 13-week sustainment.
# fmt: off
SITES = [
    # Making IPS Work: three pilot sites from April 2015, three more from April 2016. Bradford
    # became a Centre of Excellence in 2016, the first in Yorkshire.
    SiteSpec("bradford", "bdct", "Bradford IPS service", "Bradford", "north-east-and-yorkshire",
             53.7960, -1.7594, D(2015, 4, 1),
             (Period(D(2015, 4, 1), D(2018, 3, 1), (0.8, 2.4), job_starts=61, referrals=246),
              Period(D(2018, 4, 1), None, (2.4, 3.6))),
             ("2.0", "3.0"), 0.72, designated_on=D(2016, 10, 1)),
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
    # The Centre of Excellence in Sussex that hosted the first regional trainer (2012) and
    # mentored the pilot's teams; its award ended in 2019. No returns: it predates the portal.
    SiteSpec("sussex-centre", "spft", "Sussex Partnership IPS service", "Chichester",
             "south-east", 50.8376, -0.7749, D(2008, 4, 1), (), ("4.0", "4.0"), 0.7,
             designated_on=D(2011, 6, 1), designation_ended_on=D(2019, 6, 30)),
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
             ("3.0", "4.0"), 0.7, recent_caseload_per_fte=(27.0, 29.0)),
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
    lead: str | None = None  # the lead organisation's key
    partners: tuple[str, ...] = ()  # organisation keys
    roles: tuple[tuple[str, str], ...] = ()  # site key, role; the others are new services

    def role_of(self, site_key: str) -> str:
        return dict(self.roles).get(site_key, "new_service")


# fmt: off
PROGRAMMES = [
    ProgrammeSpec(
        "Sussex regional trainer pilot", "Sussex Partnership NHS Foundation Trust",
        "Twelve months of a regional IPS trainer working alongside four Sussex teams to raise "
        "fidelity to the model and job starts.",
        D(2012, 1, 1), D(2012, 12, 31), 125,
        (("brighton", D(2012, 1, 1), 35), ("worthing", D(2012, 1, 1), 30),
         ("hastings", D(2012, 1, 1), 30), ("crawley", D(2012, 1, 1), 30)),
        lead="charity", partners=("spft",),
        roles=tuple((key, "pilot") for key in ("brighton", "worthing", "hastings", "crawley")),
    ),
    ProgrammeSpec(
        "Making IPS Work", "Department of Health",
        "An innovation fund bringing IPS to mental health services in six areas that had none: "
        "three sites from the first year, three more from the second.",
        D(2015, 4, 1), D(2018, 3, 31), 340,
        (("bradford", D(2015, 4, 1), 60), ("berkshire", D(2015, 4, 1), 60),
         ("lincolnshire", D(2015, 4, 1), 60), ("cambridgeshire", D(2016, 4, 1), 55),
         ("devon", D(2016, 4, 1), 55), ("nottingham", D(2016, 4, 1), 50)),
        profile="ramp", lead="charity",
        roles=tuple((key, "pilot") for key in ("bradford", "berkshire", "lincolnshire")),
    ),
    ProgrammeSpec(
        "Improve", "West Midlands Combined Authority",
        "Six new West Midlands IPS teams, trained and supported by the Centre of Excellence "
        "Enable.",
        D(2017, 4, 1), D(2019, 3, 31), 420,
        tuple((key, D(2017, 4, 1), 70) for key in (
            "coventry", "warwickshire", "solihull", "birmingham-north", "walsall", "wolverhampton"
        )),
        lead="enable", partners=("charity",),
    ),
    ProgrammeSpec(
        "Improve 2", "West Midlands Combined Authority",
        "Enable's second West Midlands programme: three Improve teams grow, and two new teams "
        "join after six months.",
        D(2024, 4, 1), D(2027, 3, 31), 600,
        (("coventry", D(2024, 4, 1), 150), ("walsall", D(2024, 4, 1), 150),
         ("solihull", D(2024, 4, 1), 150), ("dudley", D(2024, 10, 1), 75),
         ("stoke", D(2024, 10, 1), 75)),
        profile="site targets", lead="enable",
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
        lead="charity",
        roles=tuple((key, "mentor") for key in ("bradford", "worcestershire", "enable")),
    ),
]
# fmt: on


@dataclass
class Network:
    organisations: dict[str, Organisation]
    sites: dict[str, Site]
    designations: list[Designation]
    funders: dict[str, Funder]
    programmes: list[Programme]
    participations: list[Participation]

    def records(self) -> list[object]:
        return [
            *self.organisations.values(),
            *self.sites.values(),
            *self.designations,
            *self.funders.values(),
            *self.programmes,
            *self.participations,
        ]


def build_network() -> Network:
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
            designations.append(
                Designation(
                    site=sites[spec.key],
                    awarded_on=spec.designated_on,
                    ended_on=spec.designation_ended_on,
                )
            )
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
                programme=programme,
                site=sites[key],
                joined_on=joined_on,
                site_target=site_target,
                role=spec.role_of(key),
            )
            for key, joined_on, site_target in spec.sites
        ]
    return Network(organisations, sites, designations, funders, programmes, participations)


def _profile(spec: ProgrammeSpec) -> list[TargetMonth]:
    months = months_between(spec.starts_on, spec.ends_on)
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

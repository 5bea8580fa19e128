"""The synthetic network: deterministic from a seed and the day, written straight into the app's
database with bulk Core inserts (COPY on PostgreSQL), bypassing the ORM and its audit hook.

Every site sends a return for every month of the history (the last `months` complete months);
a few of them are drafts, so some sites owe returns. Reviews, visits and actions are spread over
the sites; each of TRAINERS trainers is assigned a tenth of the sites. Nothing here names a
person: places, organisations and numbered reviewers only.
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from accounts.models import ApiToken, User, hash_token
from core.extensions import db
from core.months import add_months, month_end
from programme.models import Funder, Participation, Programme, TargetMonth
from sites.models import (
    ORGANISATION_KINDS,
    SECTORS,
    Designation,
    MonthlyReturn,
    Organisation,
    ReturnSector,
    Site,
)
from training.fidelity import scale as fidelity
from training.fidelity import scoring
from training.models import (
    REVIEW_KINDS,
    VISIT_PURPOSES,
    Action,
    Assignment,
    FidelityReview,
    FidelityScore,
    Visit,
)

TRAINERS = 10
BATCH = 10_000
PASSWORD = "bench-password-not-secret"

PLACES = {
    "north-east-and-yorkshire": ["Bradford", "Leeds", "Sheffield", "Newcastle", "York", "Hull"],
    "north-west": ["Blackpool", "Manchester", "Liverpool", "Preston", "Lancaster", "Carlisle"],
    "midlands": ["Birmingham", "Worcester", "Nottingham", "Leicester", "Derby", "Lincoln"],
    "east-of-england": ["Norwich", "Cambridge", "Ipswich", "Peterborough", "Luton"],
    "london": ["Camden", "Hackney", "Lambeth", "Croydon", "Ealing", "Barnet"],
    "south-east": ["Reading", "Brighton", "Oxford", "Southampton", "Canterbury"],
    "south-west": ["Bristol", "Exeter", "Plymouth", "Gloucester", "Truro"],
    "wales": ["Cardiff", "Swansea", "Newport", "Wrexham"],
    "scotland": ["Glasgow", "Edinburgh", "Aberdeen", "Dundee"],
    "northern-ireland": ["Belfast", "Derry", "Newry", "Armagh"],
}


@dataclass(frozen=True)
class Sizes:
    sites: int
    programmes: int
    months: int  # of returns per site
    reviews: int  # fidelity reviews, 25 scores each
    visits: int  # trainers' visits, with 0 to 3 actions each

    @property
    def returns(self) -> int:
        return self.sites * self.months

    def describe(self) -> str:
        return (
            f"{self.sites:,} sites, {self.programmes} programmes, {self.months} months "
            f"({self.returns:,} returns), {self.reviews:,} reviews, {self.visits:,} visits"
        )


SIZES = {
    "default": Sizes(sites=2000, programmes=40, months=120, reviews=8000, visits=20_000),
    "tenth": Sizes(sites=200, programmes=4, months=120, reviews=800, visits=2000),
    "small": Sizes(sites=50, programmes=5, months=24, reviews=200, visits=500),
    "tiny": Sizes(sites=20, programmes=2, months=24, reviews=80, visits=200),
}


@dataclass
class Network:
    """What the scenarios need to know about the network just written."""

    sizes: Sizes
    seed: int
    today: date
    admin_id: int
    admin_token: str
    trainer_id: int  # assigned to sites // TRAINERS sites
    trainer_token: str
    trainer_sites: int
    largest_programme_id: int
    largest_programme_sites: int
    site_id: int  # a site of the largest programme, with reviews and visits
    region: str  # with `band`, the sites list filter matching the most sites
    band: str
    history: tuple[date, date]  # the first and last month of returns
    counts: Counter[str] = field(default_factory=Counter)  # rows written per table
    seconds: float = 0.0


class _Writer:
    """Bulk rows into tables in batches: COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self, connection: sa.Connection) -> None:
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"
        self.counts: Counter[str] = Counter()

    def write(self, table: sa.Table, rows: Iterable[dict[str, Any]]) -> None:
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH:
                self._flush(table, batch)
                batch = []
        if batch:
            self._flush(table, batch)

    def _flush(self, table: sa.Table, rows: list[dict[str, Any]]) -> None:
        self.counts[table.name] += len(rows)
        if not self.postgres:
            self.connection.execute(table.insert(), rows)
            return
        columns = list(rows[0])
        names = ", ".join(f'"{name}"' for name in columns)
        cursor = self.connection.connection.cursor()
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([row[name] for name in columns])


def _ids(connection: sa.Connection, model: Any) -> Iterator[int]:
    """Fresh ids for a table: from one past its highest id."""
    start = connection.scalar(sa.select(sa.func.max(model.id))) or 0
    return iter(range(start + 1, 2**31))


def _reset_sequences(connection: sa.Connection, tables: Iterable[sa.Table]) -> None:
    """After COPY with explicit ids, PostgreSQL's id sequences must move past them."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        connection.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                f'coalesce((SELECT max(id) FROM "{table.name}"), 0) + 1, false)'
            )
        )


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


@dataclass
class _SiteModel:
    """A site's hidden character, from which its figures are drawn."""

    id: int
    region: str
    caseload: float
    job_rate: float  # job starts a month per person on the caseload
    fidelity: float  # the mean item score of its first review
    trainer: int  # index into the trainers


def generate(sizes: Sizes, seed: int = 2026, today: date | None = None) -> Network:
    """Write the network into the database the app is bound to (inside an app context), in one
    transaction, and return what the scenarios need. Ids continue from what the tables hold."""
    started = time.perf_counter()
    today = today or date.today()
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    last = add_months(today.replace(day=1), -1)
    first = add_months(last, -(sizes.months - 1))
    months = [add_months(first, i) for i in range(sizes.months)]
    stamp = {"created_at": now, "updated_at": now, "version": 1}
    db.session.commit()

    with db.engine.begin() as connection:
        out = _Writer(connection)
        ids = {
            model: _ids(connection, model)
            for model in (
                Organisation,
                Site,
                Designation,
                Funder,
                Programme,
                TargetMonth,
                Participation,
                MonthlyReturn,
                ReturnSector,
                User,
                ApiToken,
                Assignment,
                FidelityReview,
                FidelityScore,
                Visit,
                Action,
            )
        }

        # Users: programme staff and the trainers, one password hash for all (hashing is slow).
        password = generate_password_hash(PASSWORD)
        admin_id = next(ids[User])
        trainer_ids = [next(ids[User]) for _ in range(TRAINERS)]
        users = [
            {"id": admin_id, "role": "admin", "email": f"bench-admin-{admin_id}@example.org"},
            *(
                {"id": uid, "role": "trainer", "email": f"bench-trainer-{uid}@example.org"}
                for uid in trainer_ids
            ),
        ]
        out.write(
            User.__table__,
            (
                user
                | {
                    "name": f"Bench {user['role']} {user['id']}",
                    "password_hash": password,
                    "active": True,
                    "funder_id": None,
                }
                | stamp
                for user in users
            ),
        )
        admin_token, trainer_token = f"bench-{seed}-admin", f"bench-{seed}-trainer"
        out.write(
            ApiToken.__table__,
            (
                {
                    "id": next(ids[ApiToken]),
                    "user_id": uid,
                    "name": "benchmark",
                    "token_hash": hash_token(secret),
                    "revoked_at": None,
                }
                | stamp
                for uid, secret in ((admin_id, admin_token), (trainer_ids[0], trainer_token))
            ),
        )

        # Organisations and sites.
        regions = list(PLACES)
        kinds = list(ORGANISATION_KINDS)
        organisations = []
        for n in range(max(1, sizes.sites // 4)):
            region = regions[n % len(regions)] if n < len(regions) else rng.choice(regions)
            place = rng.choice(PLACES[region])
            oid = next(ids[Organisation])
            kind = rng.choices(kinds, weights=(6, 3, 2, 1))[0]
            organisations.append(
                {
                    "id": oid,
                    "name": f"{place} {ORGANISATION_KINDS[kind]} {oid}",
                    "kind": kind,
                    "ods_code": f"B{oid:05d}" if kind == "nhs_trust" else None,
                    "region": region,
                }
                | stamp
            )
        out.write(Organisation.__table__, organisations)

        site_rows, models = [], []
        for n in range(sizes.sites):
            organisation = organisations[n % len(organisations)]
            sid = next(ids[Site])
            place = rng.choice(PLACES[organisation["region"]])
            closed = rng.random() < 0.02
            site_rows.append(
                {
                    "id": sid,
                    "organisation_id": organisation["id"],
                    "name": f"{place} IPS service {sid}",
                    "locality": place,
                    "region": organisation["region"],
                    "launched_on": first - timedelta(days=rng.randrange(0, 1500)),
                    # A closed site closed this month: every month of its history is before it.
                    "closed_on": today.replace(day=1) if closed else None,
                    "latitude": round(rng.uniform(50.1, 58.5), 5),
                    "longitude": round(rng.uniform(-5.5, 1.7), 5),
                }
                | stamp
            )
            models.append(
                _SiteModel(
                    id=sid,
                    region=organisation["region"],
                    caseload=rng.uniform(25, 140),
                    job_rate=rng.uniform(0.02, 0.1),
                    fidelity=rng.uniform(2.6, 4.4),
                    trainer=n % TRAINERS,
                )
            )
        out.write(Site.__table__, site_rows)
        out.write(
            Designation.__table__,
            (
                {
                    "id": next(ids[Designation]),
                    "site_id": model.id,
                    "awarded_on": first + timedelta(days=rng.randrange(0, 30 * sizes.months)),
                    "ended_on": None,
                }
                | stamp
                for model in models
                if rng.random() < 0.05
            ),
        )

        # Funders, programmes, target profiles and participations. Programme 0 is the largest:
        # a tenth of the sites, running from four years ago to a year from now.
        funders = [next(ids[Funder]) for _ in range(max(1, sizes.programmes // 4))]
        out.write(
            Funder.__table__,
            ({"id": fid, "name": f"Bench funder {fid}"} | stamp for fid in funders),
        )
        programmes = []
        for n in range(sizes.programmes):
            if n == 0:
                starts = add_months(last, -47)
                ends = month_end(add_months(last, 12))
            elif n == sizes.programmes - 1 and sizes.programmes > 2:
                starts = add_months(last, 3)  # not started yet
                ends = month_end(add_months(starts, 35))
            else:
                starts = add_months(first, rng.randrange(0, max(1, sizes.months - 6)))
                ends = month_end(add_months(starts, rng.randrange(24, 61) - 1))
            programmes.append({"id": next(ids[Programme]), "starts_on": starts, "ends_on": ends})

        share = max(1, sizes.sites // 10, 2 * sizes.sites // sizes.programmes)
        primary = [0 if n < share else None for n in range(sizes.sites)]
        members: dict[int, list[tuple[int, _SiteModel]]] = {n: [] for n in range(len(programmes))}
        for n, model in enumerate(models):
            chosen = primary[n] if primary[n] is not None else rng.randrange(1, sizes.programmes)
            members[chosen % len(programmes)].append((n, model))
            if rng.random() < 0.3 and sizes.programmes > 1:
                other = rng.randrange(0, sizes.programmes)
                if other != chosen:
                    members[other].append((n, model))

        participations, expected_starts = [], Counter()
        for n, programme in enumerate(programmes):
            starts, ends = programme["starts_on"], programme["ends_on"]
            for _, model in members[n]:
                joined = starts if rng.random() < 0.7 else add_months(starts, rng.randrange(1, 12))
                left = None
                if rng.random() < 0.1:
                    left = month_end(add_months(joined, rng.randrange(6, 30)))
                    left = None if left >= ends else left
                span = _months_between(joined, min(left or ends, ends))
                expected_starts[n] += model.caseload * model.job_rate * span
                participations.append(
                    {
                        "id": next(ids[Participation]),
                        "programme_id": programme["id"],
                        "site_id": model.id,
                        "joined_on": joined,
                        "left_on": left,
                        "site_target": None
                        if rng.random() < 0.2
                        else max(1, round(model.caseload * model.job_rate * span)),
                    }
                    | stamp
                )
        for n, programme in enumerate(programmes):
            programme |= {
                "name": f"Bench programme {programme['id']}",
                "funder_id": funders[n % len(funders)],
                "summary": "A synthetic programme for the benchmark.",
                "job_start_target": max(10, round(expected_starts[n] * rng.uniform(0.85, 1.25))),
            } | stamp
        out.write(Programme.__table__, programmes)
        out.write(Participation.__table__, participations)
        out.write(
            TargetMonth.__table__,
            (
                row
                for n, programme in enumerate(programmes)
                if n % 3 == 1
                for row in _profile(programme, ids[TargetMonth], stamp)
            ),
        )

        # Monthly returns and their job starts by sector, written a batch of sites at a time.
        sectors = list(SECTORS)
        draft_last_month = {model.id for model in models if rng.random() < 0.12}
        return_rows: list[dict[str, Any]] = []
        sector_rows: list[dict[str, Any]] = []
        for model in models:
            recent: list[int] = []
            for month in months:
                figures = _figures(rng, model, recent)
                draft = (month == last and model.id in draft_last_month) or rng.random() < 0.003
                rid = next(ids[MonthlyReturn])
                return_rows.append(
                    {
                        "id": rid,
                        "site_id": model.id,
                        "month": month,
                        **figures,
                        "status": "draft" if draft else "submitted",
                        "submitted_at": None if draft else now,
                        "submitted_by_id": None if draft else admin_id,
                    }
                    | stamp
                )
                if not draft and figures["job_starts"]:
                    sector_rows.append(
                        {
                            "id": next(ids[ReturnSector]),
                            "return_id": rid,
                            "sector": rng.choice(sectors),
                            "job_starts": figures["job_starts"],
                        }
                        | stamp
                    )
            if len(return_rows) >= BATCH or model is models[-1]:
                out.write(MonthlyReturn.__table__, return_rows)
                out.write(ReturnSector.__table__, sector_rows)
                return_rows, sector_rows = [], []
        out.write(
            Assignment.__table__,
            (
                {
                    "id": next(ids[Assignment]),
                    "user_id": trainer_ids[model.trainer],
                    "site_id": model.id,
                    "starts_on": date(2015, 1, 1),
                    "ends_on": None,
                }
                | stamp
                for model in models
            ),
        )

        # Fidelity reviews: about one every two years a site, improving a little each time;
        # the latest of one site in twenty is a draft. Reviews of the last two years agree
        # actions for their two weakest items.
        latest_totals: dict[int, int] = {}
        review_rows, score_rows, action_rows = [], [], []
        per_site = _spread(sizes.reviews, sizes.sites)
        for model, count in zip(models, per_site, strict=True):
            dates = sorted(
                today - timedelta(days=rng.randrange(20, 30 * sizes.months)) for _ in range(count)
            )
            for k, reviewed_on in enumerate(dates):
                draft = k == count - 1 and rng.random() < 0.05
                rid = next(ids[FidelityReview])
                mean = model.fidelity + 0.12 * k
                scores = {
                    item.number: _clamp(mean + rng.gauss(0, 0.7), 1, 5) for item in fidelity.ITEMS
                }
                if draft:
                    for number in range(rng.randrange(5, 25), 26):
                        scores[number] = None
                total = None if draft else sum(scores.values())
                if total is not None:
                    latest_totals[model.id] = total
                review_rows.append(
                    {
                        "id": rid,
                        "site_id": model.id,
                        "reviewed_on": reviewed_on,
                        "kind": rng.choice(list(REVIEW_KINDS)),
                        "lead_reviewer": f"Reviewer {rng.randrange(1, 40)}",
                        "status": "draft" if draft else "final",
                        "total": total,
                        "recorded_by_id": admin_id,
                    }
                    | stamp
                )
                for number, score in scores.items():
                    score_rows.append(
                        {
                            "id": next(ids[FidelityScore]),
                            "review_id": rid,
                            "item": number,
                            "score": score,
                            "note": None,
                            "action_description": None,
                            "action_owner": None,
                            "action_due_on": None,
                        }
                        | stamp
                    )
                if not draft and reviewed_on > today - timedelta(days=730):
                    weakest = sorted(scores.items(), key=lambda pair: (pair[1], pair[0]))[:2]
                    for number, _ in weakest:
                        due = reviewed_on + timedelta(days=42)
                        action_rows.append(
                            _action(rng, ids[Action], model.id, due, today, stamp)
                            | {"review_id": rid, "visit_id": None, "item": number}
                        )
            if len(score_rows) >= BATCH or model is models[-1]:
                out.write(FidelityReview.__table__, review_rows)
                out.write(FidelityScore.__table__, score_rows)
                review_rows, score_rows = [], []

        # Visits by each site's trainer over the last five years, with the actions agreed.
        visit_rows = []
        purposes = list(VISIT_PURPOSES)
        for model, count in zip(models, _spread(sizes.visits, sizes.sites), strict=True):
            for _ in range(count):
                vid = next(ids[Visit])
                visited = today - timedelta(days=rng.randrange(0, 5 * 365))
                visit_rows.append(
                    {
                        "id": vid,
                        "site_id": model.id,
                        "trainer_id": trainer_ids[model.trainer],
                        "visited_on": visited,
                        "purpose": rng.choice(purposes),
                        "summary": "Worked through the action plan with the team "
                        "(no personal information).",
                    }
                    | stamp
                )
                for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
                    due = visited + timedelta(days=rng.randrange(14, 91))
                    action_rows.append(
                        _action(rng, ids[Action], model.id, due, today, stamp)
                        | {"visit_id": vid, "review_id": None, "item": None}
                    )
        out.write(Visit.__table__, visit_rows)
        out.write(Action.__table__, action_rows)

        _reset_sequences(
            connection,
            [
                model.__table__
                for model in ids
                if out.counts[model.__table__.name] or model in (User, ApiToken)
            ],
        )

    # Statistics and (on PostgreSQL) the visibility map that index-only scans need, as
    # autovacuum keeps them on a live server; of these tables only, so that a shared server's
    # other schemas are left alone.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        command = "VACUUM (ANALYZE)" if connection.dialect.name == "postgresql" else "ANALYZE"
        for name in out.counts:
            connection.exec_driver_sql(f'{command} "{name}"')

    largest = max(range(len(programmes)), key=lambda n: (len(members[n]), -n))
    bands = Counter(
        (model.region, scoring.band_for(latest_totals[model.id]))
        for model in models
        if model.id in latest_totals
    )
    (region, band), _ = bands.most_common(1)[0]
    return Network(
        sizes=sizes,
        seed=seed,
        today=today,
        admin_id=admin_id,
        admin_token=admin_token,
        trainer_id=trainer_ids[0],
        trainer_token=trainer_token,
        trainer_sites=sum(1 for model in models if model.trainer == 0),
        largest_programme_id=programmes[largest]["id"],
        largest_programme_sites=len({model.id for _, model in members[largest]}),
        site_id=members[largest][0][1].id,
        region=region,
        band=band,
        history=(first, last),
        counts=out.counts,
        seconds=time.perf_counter() - started,
    )


def _months_between(first: date, last: date) -> int:
    return max(0, (last.year - first.year) * 12 + last.month - first.month + 1)


def _spread(total: int, parts: int) -> list[int]:
    """`total` split over `parts` as evenly as it goes."""
    base, extra = divmod(total, parts)
    return [base + (1 if n < extra else 0) for n in range(parts)]


def _profile(programme: dict[str, Any], ids: Iterator[int], stamp: dict) -> Iterator[dict]:
    """A target profile that starts slowly: target x (month / months) ^ 1.3, never falling."""
    count = _months_between(programme["starts_on"], programme["ends_on"])
    for i in range(count):
        yield {
            "id": next(ids),
            "programme_id": programme["id"],
            "month": add_months(programme["starts_on"], i),
            "cumulative": math.floor(programme["job_start_target"] * ((i + 1) / count) ** 1.3),
        } | stamp


def _figures(rng: random.Random, model: _SiteModel, recent: list[int]) -> dict[str, Any]:
    """One month's figures that break no rule: in work within the caseload, first contacts
    within those new, sustained jobs within the job starts of three months before."""
    caseload = max(5, round(model.caseload * rng.uniform(0.85, 1.15)))
    new = rng.randrange(1, max(2, caseload // 5))
    job_starts = max(0, round(caseload * model.job_rate * rng.uniform(0.4, 1.6)))
    base = recent[-3] if len(recent) >= 3 else 0
    recent.append(job_starts)
    fte = Decimal(max(1, round(caseload / rng.uniform(14, 22) * 2))) / 2
    return {
        "referrals": new + rng.randrange(0, 6),
        "caseload": caseload,
        "new_to_service": new,
        "first_contact_within_4_weeks": rng.randrange(0, new + 1),
        "job_starts": job_starts,
        "in_work": round(caseload * rng.uniform(0.2, 0.55)),
        "sustained_13_weeks": rng.randrange(0, base + 1),
        "employment_specialists_fte": fte,
        "discharges": rng.randrange(0, max(1, caseload // 8)),
    }


def _action(
    rng: random.Random, ids: Iterator[int], site_id: int, due: date, today: date, stamp: dict
) -> dict[str, Any]:
    """An action: long past its due date it is mostly done; some stay open (overdue)."""
    status = "open"
    if due < today - timedelta(days=60):
        status = rng.choices(("done", "dropped", "open"), weights=(8, 1, 1))[0]
    closed = None if status == "open" else min(today, due + timedelta(days=rng.randrange(-20, 20)))
    return {
        "id": next(ids),
        "site_id": site_id,
        "description": rng.choice(
            (
                "Agree a caseload cap with the team manager",
                "Book benefits advice training for the team",
                "Join the community mental health team's weekly meeting",
                "Set a target of six employer contacts a week",
                "Write the supervision plan for new specialists",
            )
        ),
        "owner": rng.choice(("Team lead", "Employment specialists", "Service manager")),
        "due_on": due,
        "status": status,
        "closed_on": closed,
    } | stamp

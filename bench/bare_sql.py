"""The bare SQL of each page: the aggregates its numbers need, written by hand and run directly
(text statements, rows fetched, nothing else). A page cannot be faster than this; the benchmark
prints page / bare SQL.

Each function takes a connection and the Facts of the network and returns the rows it fetched.
The statements follow the app's rules (programme.queries, sites.queries, training.queries) but
none of its code, so they double as an independent check of the numbers (see `achieved`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from bench.generate import Network
from core.months import add_months, financial_year_start
from programme.late_returns import last_due_month
from sites.models import SECTORS
from sites.outcomes import last_12_months, sustainment_base_months
from training.fidelity import scoring

PER_PAGE = 50
# The returns whose figures staff count (sites.returns.workflow.COUNTED), and the job starts among
# them awaiting approval, which the app reads beside each total.
COUNTED = "('submitted', 'approved')"
AWAITING = "coalesce(sum(r.job_starts) FILTER (WHERE r.status = 'submitted'), 0)"


@dataclass(frozen=True)
class Facts:
    """The network and the dates every page works out for today (read in an app context)."""

    network: Network
    today: date
    due: date  # the last month whose return is due
    year_start: date
    period: tuple[date, date]  # the default period of rates: the last 12 complete months
    base: tuple[date, date]  # the months of that period's 13-week sustainment denominator
    band_range: tuple[int, int]
    last_page: int


def facts_for(network: Network) -> Facts:
    today = network.today
    period = last_12_months(today)
    base = sustainment_base_months(period.first, period.last)
    return Facts(
        network=network,
        today=today,
        due=last_due_month(today),
        year_start=financial_year_start(today),
        period=(period.first, period.last),
        base=base or (period.first, period.first),
        band_range=scoring.band_range(network.band),
        last_page=max(1, math.ceil(network.sizes.sites / PER_PAGE)),
    )


class _Sql:
    """Runs text statements on one connection, with the dialect's month arithmetic."""

    def __init__(self, connection: sa.Connection) -> None:
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"

    def month_start(self, expression: str) -> str:
        if self.postgres:
            return f"CAST(date_trunc('month', {expression}) AS DATE)"
        return f"date({expression}, 'start of month')"

    def rows(self, statement: str, **params: Any) -> list[Any]:
        text = sa.text(statement)
        for name, value in params.items():
            if isinstance(value, list | tuple | set):
                text = text.bindparams(sa.bindparam(name, expanding=True))
        if not self.postgres:  # SQLite keeps dates as ISO text
            params = {k: v.isoformat() if isinstance(v, date) else v for k, v in params.items()}
        return self.connection.execute(text, params).all()

    # Shared fragments ---------------------------------------------------------------------

    def participating(self, extra_joins: str = "") -> str:
        """FROM and WHERE of the counted returns inside their site's participation."""
        ms = self.month_start
        return f"""
            FROM participation p
            JOIN programme g ON g.id = p.programme_id
            JOIN monthly_return r ON r.site_id = p.site_id
            {extra_joins}
            WHERE r.status IN {COUNTED}
              AND r.month >= {ms("p.joined_on")}
              AND (p.left_on IS NULL OR r.month <= p.left_on)
              AND r.month >= {ms("g.starts_on")}
              AND r.month <= g.ends_on"""

    def in_late_window(self) -> str:
        ms = self.month_start
        return f"""
              AND r.month <= :due
              AND (s.launched_on IS NULL OR r.month >= {ms("s.launched_on")})
              AND (s.closed_on IS NULL OR r.month < s.closed_on)"""

    @staticmethod
    def latest_final(where: str = "") -> str:
        return f"""
            SELECT id, site_id, reviewed_on, total FROM (
                SELECT id, site_id, reviewed_on, total,
                       row_number() OVER (
                           PARTITION BY site_id ORDER BY reviewed_on DESC, id DESC) AS rank
                FROM fidelity_review WHERE status = 'final' {where}
            ) ranked WHERE rank = 1"""

    def outcome_totals(self, facts: Facts, where: str, **params: Any) -> list[Any]:
        in_period = "r.month BETWEEN :first AND :last"
        in_base = "r.month BETWEEN :base_first AND :base_last"
        counted = (
            "referrals",
            "caseload",
            "new_to_service",
            "first_contact_within_4_weeks",
            "job_starts",
            "in_work",
            "sustained_13_weeks",
            "discharges",
            "employment_specialists_fte",
        )
        sums = ",\n".join(
            f"coalesce(sum(r.{name}) FILTER (WHERE {in_period}), 0)" for name in counted
        )
        return self.rows(
            f"""
            SELECT r.site_id, {sums},
                   count(*) FILTER (WHERE {in_period}),
                   coalesce(sum(r.job_starts) FILTER (WHERE {in_base}), 0),
                   coalesce(sum(r.job_starts)
                            FILTER (WHERE {in_period} AND r.status = 'submitted'), 0)
            FROM monthly_return r
            WHERE r.status IN {COUNTED} AND ({in_period} OR {in_base}) {where}
            GROUP BY r.site_id""",
            first=facts.period[0],
            last=facts.period[1],
            base_first=facts.base[0],
            base_last=facts.base[1],
            **params,
        )

    def windows(self, where: str, **params: Any) -> list[Any]:
        return self.rows(
            f"""
            SELECT p.site_id, s.name, o.name, s.region, g.name, p.joined_on, p.left_on,
                   g.starts_on, g.ends_on, s.launched_on, s.closed_on
            FROM participation p
            JOIN programme g ON g.id = p.programme_id
            JOIN site s ON s.id = p.site_id
            JOIN organisation o ON o.id = s.organisation_id
            WHERE 1 = 1 {where}""",
            **params,
        )

    def submitted_counts(self, facts: Facts, where: str, **params: Any) -> list[Any]:
        return self.rows(
            f"""
            SELECT p.site_id, count(DISTINCT r.month)
            {self.participating("JOIN site s ON s.id = p.site_id")}
            {self.in_late_window()} {where}
            GROUP BY p.site_id""",
            due=facts.due,
            **params,
        )

    def programme_options(self) -> list[Any]:
        return self.rows("SELECT id, name FROM programme ORDER BY name")


# The pages ---------------------------------------------------------------------------------


def dashboard(connection: sa.Connection, facts: Facts) -> list[Any]:
    """network_summary and the overdue actions count."""
    q, today = _Sql(connection), facts.today
    return [
        q.rows(
            """
            SELECT count(id),
                   count(id) FILTER (WHERE closed_on IS NOT NULL AND closed_on <= :today),
                   count(id) FILTER (WHERE (launched_on IS NULL OR launched_on <= :today)
                                       AND (closed_on IS NULL OR closed_on > :today))
            FROM site""",
            today=today,
        ),
        q.rows(
            """
            SELECT count(DISTINCT site_id) FROM designation
            WHERE awarded_on <= :today AND (ended_on IS NULL OR ended_on > :today)""",
            today=today,
        ),
        q.rows(
            f"""
            SELECT coalesce(sum(r.job_starts), 0),
                   coalesce(sum(r.job_starts) FILTER (WHERE r.month >= :year_start), 0),
                   {AWAITING},
                   coalesce(sum(r.job_starts) FILTER (WHERE r.month >= :year_start
                                                      AND r.status = 'submitted'), 0)
            FROM monthly_return r WHERE r.status IN {COUNTED}""",
            year_start=facts.year_start,
        ),
        q.rows("SELECT id, starts_on, ends_on, job_start_target FROM programme"),
        q.rows(
            f"""
            SELECT p.programme_id, r.month, sum(r.job_starts), {AWAITING} {q.participating()}
              AND r.month <= :today
            GROUP BY p.programme_id, r.month""",
            today=today,
        ),
        q.rows("SELECT programme_id, month, cumulative FROM target_month"),
        q.windows(""),
        q.submitted_counts(facts, ""),
        q.rows(
            "SELECT count(id) FROM action WHERE status = 'open' AND due_on < :today",
            today=today,
        ),
    ]


def _progress(q: _Sql, facts: Facts, late: bool = True) -> list[Any]:
    """The programme, its job starts by month, its target profile, its sites' job starts, their
    late-return windows and submitted months (unless not `late`), and its sites."""
    pid, today = facts.network.largest_programme_id, facts.today
    windows = (
        [
            q.windows("AND p.programme_id = :pid", pid=pid),
            q.submitted_counts(facts, "AND p.programme_id = :pid", pid=pid),
        ]
        if late
        else []
    )
    return [
        q.rows(
            """SELECT g.*, f.name FROM programme g JOIN funder f ON f.id = g.funder_id
               WHERE g.id = :pid""",
            pid=pid,
        ),
        q.rows(
            f"""
            SELECT r.month, sum(r.job_starts), {AWAITING} {q.participating()}
              AND p.programme_id = :pid AND r.month <= :today
            GROUP BY r.month""",
            pid=pid,
            today=today,
        ),
        q.rows(
            "SELECT month, cumulative FROM target_month WHERE programme_id = :pid ORDER BY month",
            pid=pid,
        ),
        q.rows(
            f"""
            SELECT p.id, sum(r.job_starts), {AWAITING} {q.participating()}
              AND p.programme_id = :pid AND r.month <= :today
            GROUP BY p.id""",
            pid=pid,
            today=today,
        ),
        *windows,
        q.rows(
            """
            SELECT p.id, p.site_id, p.joined_on, p.left_on, p.site_target, s.name, o.name,
                   s.region
            FROM participation p
            JOIN site s ON s.id = p.site_id
            JOIN organisation o ON o.id = s.organisation_id
            WHERE p.programme_id = :pid
            ORDER BY s.name, p.joined_on""",
            pid=pid,
        ),
    ]


def achieved(connection: sa.Connection, facts: Facts) -> int:
    """The largest programme's job starts to date, by the bare SQL."""
    return sum(int(total or 0) for _, total, _ in _progress(_Sql(connection), facts)[1])


def progress_api(connection: sa.Connection, facts: Facts) -> list[Any]:
    return _progress(_Sql(connection), facts)


def programme_page(connection: sa.Connection, facts: Facts) -> list[Any]:
    q = _Sql(connection)
    in_programme = "AND r.site_id IN (SELECT site_id FROM participation WHERE programme_id = :pid)"
    pid = facts.network.largest_programme_id
    return [
        *_progress(q, facts),
        q.outcome_totals(facts, in_programme, pid=pid),
        q.rows(
            q.latest_final(
                "AND site_id IN (SELECT site_id FROM participation WHERE programme_id = :pid)"
            ),
            pid=pid,
        ),
    ]


def _site_list(q: _Sql, facts: Facts, where: str, page: int, **params: Any) -> list[Any]:
    today = facts.today
    count = q.rows(
        f"""
        SELECT count(*) FROM site s JOIN organisation o ON o.id = s.organisation_id
        WHERE 1 = 1 {where}""",
        **params,
    )
    rows = q.rows(
        f"""
        SELECT s.id, s.organisation_id, o.name, s.name, s.locality, s.region, s.launched_on,
               s.closed_on, s.latitude, s.longitude,
               EXISTS (SELECT 1 FROM designation d WHERE d.site_id = s.id
                       AND d.awarded_on <= :today
                       AND (d.ended_on IS NULL OR d.ended_on > :today)),
               s.version
        FROM site s JOIN organisation o ON o.id = s.organisation_id
        WHERE 1 = 1 {where}
        ORDER BY s.name, s.id
        LIMIT :limit OFFSET :offset""",
        today=today,
        limit=PER_PAGE,
        offset=(page - 1) * PER_PAGE,
        **params,
    )
    ids = [row[0] for row in rows] or [0]
    bands = q.rows(q.latest_final("AND site_id IN :ids"), ids=ids)
    return [q.programme_options(), count, rows, bands]


def sites_filtered(connection: sa.Connection, facts: Facts) -> list[Any]:
    q = _Sql(connection)
    low, high = facts.band_range
    where = f"""
        AND s.region = :region
        AND s.id IN (SELECT site_id FROM ({q.latest_final()}) latest
                     WHERE total BETWEEN :low AND :high)"""
    return _site_list(q, facts, where, 1, region=facts.network.region, low=low, high=high)


def sites_last_page(connection: sa.Connection, facts: Facts) -> list[Any]:
    return _site_list(_Sql(connection), facts, "", facts.last_page)


def site_page(connection: sa.Connection, facts: Facts) -> list[Any]:
    q, today, sid = _Sql(connection), facts.today, facts.network.site_id
    latest_id = f"(SELECT id FROM ({q.latest_final('AND site_id = :sid')}) latest)"
    previous_id = """(SELECT id FROM fidelity_review WHERE site_id = :sid AND status = 'final'
                      ORDER BY reviewed_on DESC, id DESC LIMIT 1 OFFSET 1)"""
    this_month = today.replace(day=1)
    first, last = facts.period
    return [
        q.rows(
            """SELECT s.*, o.* FROM site s JOIN organisation o ON o.id = s.organisation_id
               WHERE s.id = :sid""",
            sid=sid,
        ),
        q.rows("SELECT * FROM designation WHERE site_id = :sid ORDER BY awarded_on, id", sid=sid),
        q.rows(
            """SELECT g.id, g.name, p.id, p.joined_on, p.left_on, p.site_target
               FROM participation p JOIN programme g ON g.id = p.programme_id
               WHERE p.site_id = :sid ORDER BY p.joined_on, g.name, p.id""",
            sid=sid,
        ),
        q.rows(q.latest_final("AND site_id = :sid"), sid=sid),
        q.windows("AND p.site_id = :sid", sid=sid),
        q.rows(
            f"""SELECT DISTINCT p.site_id, r.month
                {q.participating("JOIN site s ON s.id = p.site_id")}
                {q.in_late_window()} AND p.site_id = :sid""",
            due=facts.due,
            sid=sid,
        ),
        q.rows(
            f"""SELECT month, job_starts, caseload, in_work, status FROM monthly_return
               WHERE site_id = :sid AND status IN {COUNTED} AND month BETWEEN :first AND :last
               ORDER BY month""",
            sid=sid,
            first=add_months(this_month, -35),
            last=this_month,
        ),
        q.rows(
            """SELECT id, reviewed_on, kind, total FROM fidelity_review
               WHERE site_id = :sid AND status = 'final' ORDER BY reviewed_on, id""",
            sid=sid,
        ),
        q.rows(
            """SELECT id, reviewed_on, kind, status, total, lead_reviewer FROM fidelity_review
               WHERE site_id = :sid ORDER BY reviewed_on DESC, id DESC""",
            sid=sid,
        ),
        q.rows(
            f"""SELECT r.*, fs.item, fs.score, fs.note FROM fidelity_review r
                JOIN fidelity_score fs ON fs.review_id = r.id WHERE r.id = {latest_id}""",
            sid=sid,
        ),
        q.rows(f"SELECT item, score FROM fidelity_score WHERE review_id = {previous_id}", sid=sid),
        q.rows(f"SELECT * FROM action WHERE review_id = {latest_id} ORDER BY item, id", sid=sid),
        q.rows(
            """SELECT v.id, v.visited_on, v.purpose, u.name,
                      (SELECT count(a.id) FROM action a WHERE a.visit_id = v.id)
               FROM visit v LEFT JOIN user_account u ON u.id = v.trainer_id
               WHERE v.site_id = :sid ORDER BY v.visited_on DESC, v.id DESC LIMIT 5""",
            sid=sid,
        ),
        q.rows("SELECT count(id) FROM visit WHERE site_id = :sid", sid=sid),
        q.rows(
            """SELECT a.id, a.site_id, s.name, a.description, a.owner, a.due_on, a.status,
                      a.closed_on, a.version, a.visit_id, v.visited_on, a.review_id, a.item,
                      r.reviewed_on, r.kind
               FROM action a JOIN site s ON s.id = a.site_id
               LEFT JOIN visit v ON v.id = a.visit_id
               LEFT JOIN fidelity_review r ON r.id = a.review_id
               WHERE a.site_id = :sid AND a.status = 'open' ORDER BY a.due_on, a.id""",
            sid=sid,
        ),
        q.rows(
            f"""SELECT min(month) FROM monthly_return
               WHERE status IN {COUNTED} AND site_id = :sid""",
            sid=sid,
        ),
        q.outcome_totals(facts, "AND r.site_id = :sid", sid=sid),
        q.rows(
            f"""SELECT month, in_work, job_starts, caseload FROM monthly_return
               WHERE site_id = :sid AND status IN {COUNTED} AND month BETWEEN :first AND :last
               ORDER BY month""",
            sid=sid,
            first=first,
            last=last,
        ),
        q.outcome_totals(facts, ""),
    ]


def fidelity_heatmap(connection: sa.Connection, facts: Facts) -> list[Any]:
    q = _Sql(connection)
    latest = q.latest_final()
    return [
        q.programme_options(),
        q.rows(f"SELECT count(*) FROM ({latest}) latest"),
        q.rows(
            f"""SELECT fs.item, avg(fs.score), sum(CASE WHEN fs.score < 4 THEN 1 ELSE 0 END)
                FROM fidelity_score fs JOIN ({latest}) l ON l.id = fs.review_id
                GROUP BY fs.item"""
        ),
        q.rows(
            f"""SELECT l.site_id, s.name, l.reviewed_on, l.total
                FROM ({latest}) l JOIN site s ON s.id = l.site_id
                ORDER BY l.total IS NULL, l.total, s.name, s.id"""
        ),
        q.rows(
            f"""SELECT l.site_id, fs.item, fs.score
                FROM fidelity_score fs JOIN ({latest}) l ON l.id = fs.review_id
                WHERE fs.score IS NOT NULL"""
        ),
    ]


def my_sites(connection: sa.Connection, facts: Facts) -> list[Any]:
    q, today = _Sql(connection), facts.today
    assigned = """SELECT site_id FROM assignment WHERE user_id = :tid AND starts_on <= :today
                  AND (ends_on IS NULL OR ends_on >= :today)"""
    params = {"tid": facts.network.trainer_id, "today": today}
    rows = q.rows(
        f"""
        SELECT s.id, s.name, o.name, lv.last_visit_on, ac.open_actions, ac.overdue_actions,
               rv.total, rv.reviewed_on, tg.site_target, js.job_starts,
               js.awaiting
        FROM site s
        JOIN organisation o ON o.id = s.organisation_id
        LEFT JOIN (SELECT site_id, max(visited_on) AS last_visit_on FROM visit
                   WHERE site_id IN ({assigned}) GROUP BY site_id) lv ON lv.site_id = s.id
        LEFT JOIN (SELECT site_id, count(id) AS open_actions,
                          count(id) FILTER (WHERE due_on < :today) AS overdue_actions
                   FROM action WHERE site_id IN ({assigned}) AND status = 'open'
                   GROUP BY site_id) ac ON ac.site_id = s.id
        LEFT JOIN (SELECT site_id, total, reviewed_on,
                          row_number() OVER (PARTITION BY site_id
                                             ORDER BY reviewed_on DESC, id DESC) AS rank
                   FROM fidelity_review WHERE site_id IN ({assigned}) AND status = 'final'
                  ) rv ON rv.site_id = s.id AND rv.rank = 1
        LEFT JOIN (SELECT site_id, sum(site_target) AS site_target FROM participation
                   WHERE site_id IN ({assigned}) AND joined_on <= :today
                     AND (left_on IS NULL OR left_on >= :today)
                   GROUP BY site_id) tg ON tg.site_id = s.id
        LEFT JOIN (SELECT site_id, sum(job_starts) AS job_starts,
                          coalesce(sum(job_starts) FILTER (WHERE status = 'submitted'), 0)
                              AS awaiting
                   FROM monthly_return
                   WHERE site_id IN ({assigned}) AND status IN {COUNTED}
                     AND month >= :year_start AND month <= :today
                   GROUP BY site_id) js ON js.site_id = s.id
        WHERE s.id IN ({assigned})
        ORDER BY s.name, s.id""",
        year_start=facts.year_start,
        **params,
    )
    ids = [row[0] for row in rows] or [0]
    return [
        rows,
        q.rows(
            f"""SELECT * FROM (
                    SELECT id, site_id, description, owner, due_on, version,
                           row_number() OVER (PARTITION BY site_id ORDER BY due_on, id) AS rank
                    FROM action WHERE site_id IN ({assigned}) AND status = 'open') ranked
                WHERE rank = 1""",
            **params,
        ),
        q.windows("AND p.site_id IN :ids", ids=ids),
        q.submitted_counts(facts, "AND p.site_id IN :ids", ids=ids),
    ]


def late_returns(connection: sa.Connection, facts: Facts) -> list[Any]:
    q = _Sql(connection)
    return [
        q.programme_options(),
        q.windows(""),
        q.rows(
            f"""SELECT DISTINCT p.site_id, r.month
                {q.participating("JOIN site s ON s.id = p.site_id")}
                {q.in_late_window()}""",
            due=facts.due,
        ),
    ]


def export_returns(connection: sa.Connection, facts: Facts) -> list[Any]:
    """The counted returns of the months the largest programme counts, with job starts by
    sector (one column each), by site and month."""
    q = _Sql(connection)
    ms = q.month_start
    sectors = ",\n".join(
        f"sum(CASE WHEN sector = '{sector}' THEN return_sector.job_starts ELSE 0 END)"
        for sector in SECTORS
    )
    programme_sites = "SELECT site_id FROM participation WHERE programme_id = :pid"
    return [
        q.rows(
            f"""SELECT s.id, s.name, o.name, s.region, r.*, sec.*
                FROM monthly_return r
                JOIN site s ON s.id = r.site_id
                JOIN organisation o ON o.id = s.organisation_id
                LEFT JOIN (SELECT return_id, {sectors}
                           FROM return_sector JOIN monthly_return sr ON sr.id = return_id
                           WHERE sr.site_id IN ({programme_sites})
                           GROUP BY return_id) sec
                     ON sec.return_id = r.id
                WHERE r.status IN {COUNTED} AND r.site_id IN ({programme_sites}) AND EXISTS (
                    SELECT 1 FROM participation p JOIN programme g ON g.id = p.programme_id
                    WHERE p.site_id = r.site_id AND p.programme_id = :pid
                      AND r.month >= {ms("p.joined_on")}
                      AND (p.left_on IS NULL OR r.month <= p.left_on)
                      AND r.month >= {ms("g.starts_on")} AND r.month <= g.ends_on)
                ORDER BY s.name, s.id, r.month""",
            pid=facts.network.largest_programme_id,
        )
    ]


def export_progress(connection: sa.Connection, facts: Facts) -> list[Any]:
    """The largest programme's progress and its sites' job starts and targets."""
    return _progress(_Sql(connection), facts, late=False)


def export_fidelity(connection: sa.Connection, facts: Facts) -> list[Any]:
    """Every final review of the largest programme's sites with its 25 scores, one column
    each."""
    q = _Sql(connection)
    items = ",\n".join(f"max(CASE WHEN item = {n} THEN score END)" for n in range(1, 26))
    return [
        q.rows(
            f"""SELECT s.id, s.name, o.name, s.region, f.reviewed_on, f.kind, f.total, sc.*
                FROM fidelity_review f
                JOIN site s ON s.id = f.site_id
                JOIN organisation o ON o.id = s.organisation_id
                LEFT JOIN (SELECT review_id, {items} FROM fidelity_score GROUP BY review_id) sc
                     ON sc.review_id = f.id
                WHERE f.status = 'final'
                  AND f.site_id IN (SELECT site_id FROM participation WHERE programme_id = :pid)
                ORDER BY s.name, s.id, f.reviewed_on, f.id""",
            pid=facts.network.largest_programme_id,
        )
    ]


BARE: dict[str, Callable[[sa.Connection, Facts], list[Any]]] = {
    "dashboard": dashboard,
    "programme": programme_page,
    "progress_api": progress_api,
    "sites_filtered": sites_filtered,
    "sites_last_page": sites_last_page,
    "site": site_page,
    "heatmap": fidelity_heatmap,
    "my_sites": my_sites,
    "late_returns": late_returns,
    "export_returns": export_returns,
    "export_progress": export_progress,
    "export_fidelity": export_fidelity,
}

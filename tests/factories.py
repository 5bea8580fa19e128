"""Factories for tests: each makes a valid record with sensible defaults, commits it, returns it."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

from accounts.models import User
from accounts.services import create_token
from programme.models import Funder, Participation, Programme, TargetMonth
from sites.models import Designation, MonthlyReturn, Organisation, ReturnSector, Site, UserSite
from training.models import Assignment, FidelityReview, FidelityScore

PASSWORD = "correct horse battery"


class Factory:
    def __init__(self, db: Any) -> None:
        self.db = db
        self.seq = itertools.count(1)

    def _save(self, record: Any) -> Any:
        self.db.session.add(record)
        self.db.session.commit()
        return record

    def organisation(self, **fields: Any) -> Organisation:
        n = next(self.seq)
        values = {"name": f"Trust {n}", "kind": "nhs_trust", "region": "north-west"} | fields
        return self._save(Organisation(**values))

    def site(self, **fields: Any) -> Site:
        n = next(self.seq)
        if "organisation" not in fields and "organisation_id" not in fields:
            fields["organisation"] = self.organisation()
        values = {
            "name": f"IPS service {n}",
            "region": "north-west",
            "launched_on": date(2015, 4, 1),
        } | fields
        return self._save(Site(**values))

    def designation(self, site: Site, **fields: Any) -> Designation:
        values = {"awarded_on": date(2019, 1, 1)} | fields
        return self._save(Designation(site_id=site.id, **values))

    def funder(self, **fields: Any) -> Funder:
        return self._save(Funder(**({"name": f"Funder {next(self.seq)}"} | fields)))

    def programme(self, profile: dict[date, int] | None = None, **fields: Any) -> Programme:
        if "funder" not in fields and "funder_id" not in fields:
            fields["funder"] = self.funder()
        values = {
            "name": f"Programme {next(self.seq)}",
            "starts_on": date(2020, 1, 1),
            "ends_on": date(2022, 12, 31),
            "job_start_target": 120,
        } | fields
        programme = Programme(**values)
        programme.target_profile = [
            TargetMonth(month=month, cumulative=value) for month, value in (profile or {}).items()
        ]
        return self._save(programme)

    def participation(self, programme: Programme, site: Site, **fields: Any) -> Participation:
        values = {"joined_on": programme.starts_on} | fields
        return self._save(Participation(programme_id=programme.id, site_id=site.id, **values))

    def monthly_return(
        self, site: Site, month: date, sectors: dict[str, int] | None = None, **fields: Any
    ) -> MonthlyReturn:
        values = {
            "referrals": 10,
            "caseload": 40,
            "new_to_service": 8,
            "first_contact_within_4_weeks": 6,
            "job_starts": 3,
            "in_work": 15,
            "sustained_13_weeks": 2,
            "employment_specialists_fte": Decimal("2.0"),
            "discharges": 4,
            "status": "submitted",
        } | fields
        record = MonthlyReturn(site_id=site.id, month=month, **values)
        record.sectors = [ReturnSector(sector=k, job_starts=v) for k, v in (sectors or {}).items()]
        return self._save(record)

    def fidelity_review(
        self, site: Site, total: int, reviewed_on: date, status: str = "final", **fields: Any
    ) -> FidelityReview:
        """A review of `site` whose 25 item scores add up to `total` (as even as they can be)."""
        base, extra = divmod(total, 25)
        values = {
            "kind": "external_review",
            "lead_reviewer": "Reviewer",
            "total": total if status == "final" else None,
        } | fields
        review = FidelityReview(site_id=site.id, reviewed_on=reviewed_on, status=status, **values)
        review.scores = [
            FidelityScore(item=n, score=base + (1 if n <= extra else 0)) for n in range(1, 26)
        ]
        return self._save(review)

    def user(
        self, role: str, sites: list[Site] = (), funder: Funder | None = None, **fields: Any
    ) -> User:
        n = next(self.seq)
        if role == "funder" and funder is None:
            funder = self.funder()
        values = {
            "email": f"{role}{n}@example.org",
            "name": f"Test {role} {n}",
            "role": role,
            "funder_id": funder.id if funder else None,
        } | fields
        user = User(**values)
        user.set_password(PASSWORD)
        self._save(user)
        for site in sites:
            if role == "site_lead":
                self.db.session.add(UserSite(user_id=user.id, site_id=site.id))
            if role == "trainer":
                self.db.session.add(
                    Assignment(user_id=user.id, site_id=site.id, starts_on=date(2010, 1, 1))
                )
        self.db.session.commit()
        return user

    def token(self, user: User, name: str = "tests") -> str:
        _, secret = create_token(user, name)
        self.db.session.commit()
        return secret

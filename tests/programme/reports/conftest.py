"""A programme that ended years ago, beside one still running, for the exports' tests; and the
`soffice` marker of the tests that open the XLSX downloads in LibreOffice Calc."""

from __future__ import annotations

from datetime import date

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "soffice: opens files in Debian's LibreOffice Calc, headless (`make test` installs it)",
    )


@pytest.fixture
def ended(make):
    """Making IPS Work (April 2015 to March 2018, target 340, a target profile of 100 job starts
    by March 2016, 220 by March 2017 and 340 by March 2018) and Improve (from April 2025, two
    years still to run).

    Bradford (North East and Yorkshire) stayed in Making IPS Work to its end; Berkshire (South
    East) left on 30 September 2016. The job starts Making IPS Work counts:
      2015-16: Q1 Bradford 2 + 3 + 1, Berkshire 1 = 7; Q2 Bradford 4; Q3 none; Q4 Bradford 5.
      2016-17: Q1 Bradford 7. 2017-18: none. 23 in all.
    Not counted: Berkshire's 3 of October 2016 (after it left) and Bradford's 9 of May 2020 and
    4 of June 2025 (after the programme; the June 2025 return counts for Improve).
    Fidelity: Berkshire a peer review in December 2015 (88, Fair); Bradford external reviews in
    June 2016 (100, Good) and June 2020 (118, Exemplary, after Making IPS Work ended)."""
    funder = make.funder(name="Department of Health")
    making = make.programme(
        funder=funder,
        name="Making IPS Work",
        starts_on=date(2015, 4, 1),
        ends_on=date(2018, 3, 31),
        job_start_target=340,
        profile={date(2016, 3, 1): 100, date(2017, 3, 1): 220, date(2018, 3, 1): 340},
    )
    today = date.today()
    improve = make.programme(
        funder=funder,
        name="Improve",
        starts_on=date(2025, 4, 1),
        ends_on=date(today.year + 2, 3, 31),
        job_start_target=120,
    )
    trust = make.organisation(
        name="Bradford District Care NHS Foundation Trust", region="north-east-and-yorkshire"
    )
    bradford = make.site(name="Bradford IPS", organisation=trust, region="north-east-and-yorkshire")
    berkshire = make.site(name="Berkshire IPS", region="south-east")
    make.participation(making, bradford, site_target=60)
    make.participation(making, berkshire, site_target=40, left_on=date(2016, 9, 30))
    make.participation(improve, bradford)

    for month, job_starts in (
        (date(2015, 4, 1), 2),
        (date(2015, 5, 1), 3),
        (date(2015, 6, 1), 1),
        (date(2015, 7, 1), 4),
        (date(2016, 1, 1), 5),
        (date(2016, 4, 1), 7),
        (date(2020, 5, 1), 9),
        (date(2025, 6, 1), 4),
    ):
        make.monthly_return(
            bradford,
            month,
            job_starts=job_starts,
            caseload=1200 + job_starts,  # thousands: the XLSX shows 1,2xx
            in_work=500,
            sectors={"retail": job_starts},
            status="approved",  # a funder's figures and open data count them too
        )
    make.monthly_return(
        berkshire, date(2015, 4, 1), job_starts=1, caseload=30, in_work=12, status="approved"
    )
    make.monthly_return(berkshire, date(2016, 10, 1), job_starts=3, status="approved")

    make.fidelity_review(berkshire, 88, date(2015, 12, 2), kind="peer_review")
    make.fidelity_review(bradford, 100, date(2016, 6, 15))
    make.fidelity_review(bradford, 118, date(2020, 6, 10))
    return {"making": making, "improve": improve, "bradford": bradford, "berkshire": berkshire}

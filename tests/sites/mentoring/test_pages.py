"""The site page's mentoring, the admin pages that record and end one, and the query count."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from sites.models import Mentoring
from tests.dates import posted
from tests.query_counter import count_queries


def text(response) -> str:
    return response.get_data(as_text=True)


def section(page: str) -> str:
    start = page.find('id="mentoring"')
    return page[start : page.find("<h2", start + 1)]


def test_a_site_page_says_who_mentored_it_and_a_centre_whom_it_mentors(
    client, login_as, make, db, mentor
):
    centre = make.site(name="Bradford IPS")
    current, earlier = make.site(name="Calderdale IPS"), make.site(name="Kirklees IPS")
    mentor(centre, current, date(2017, 4, 1), note="Fortnightly calls")
    mentor(centre, earlier, date(2015, 4, 1), ends_on=date(2016, 3, 31))
    make.fidelity_review(current, 105, date(2018, 6, 1))
    make.monthly_return(current, date(2017, 3, 1), job_starts=7)  # before it began: not counted
    make.monthly_return(current, date(2017, 4, 1), job_starts=4)
    make.monthly_return(current, date(2017, 5, 1), job_starts=5)
    login_as("admin")

    mentee_page = section(text(client.get(f"/sites/{current.id}")))
    assert "Mentored by" in mentee_page and "Bradford IPS</a> since 1 April 2017" in mentee_page
    assert "Fortnightly calls" in mentee_page

    centre_page = section(text(client.get(f"/sites/{centre.id}")))
    rows = centre_page[centre_page.find("<tbody") :].split("</tr>")
    calderdale = next(row for row in rows if "Calderdale IPS" in row)
    assert "since 1 April 2017" in calderdale
    assert "Good (105)" in calderdale
    assert "began </span>9</td>" in calderdale  # 4 + 5, from April 2017
    kirklees = next(row for row in rows if "Kirklees IPS" in row)
    assert "1 April 2015 to 31 March 2016" in kirklees
    assert "No review" in kirklees
    assert "Record mentoring" in centre_page


def test_funders_see_no_notes_and_no_figures_of_sites_outside_their_programmes(
    client, login_as, make, db, mentor
):
    funder = make.funder()
    programme = make.programme(funder=funder)
    centre, inside, outside = (
        make.site(),
        make.site(name="Inside IPS"),
        make.site(name="Outside IPS"),
    )
    for site in (centre, inside):
        make.participation(programme, site)
    mentor(centre, inside, date(2017, 4, 1), note="Staff only remark")
    mentor(centre, outside, date(2017, 4, 1), note="Another staff remark")
    make.monthly_return(inside, date(2017, 4, 1), job_starts=4, status="approved")
    make.monthly_return(outside, date(2017, 4, 1), job_starts=6, status="approved")
    login_as("funder", funder=funder)
    page = section(text(client.get(f"/sites/{centre.id}")))
    assert "Inside IPS" in page and "Outside IPS" in page
    assert "remark" not in page
    assert "Record mentoring" not in page
    rows = page[page.find("<tbody") :].split("</tr>")
    assert "Not shown" in next(row for row in rows if "Outside IPS" in row)
    assert "Not shown" not in next(row for row in rows if "Inside IPS" in row)


def test_admin_records_a_mentoring_from_the_mentees_page_and_ends_it(client, login_as, make, db):
    centre, site = make.site(name="Enable IPS"), make.site(name="Dudley IPS")
    login_as("admin")
    form = client.get(f"/admin/mentoring/new?mentee_site_id={site.id}")
    assert form.status_code == 200
    assert f'<option value="{site.id}" selected' in text(form)
    refused = client.post(
        f"/admin/mentoring/new?mentee_site_id={site.id}",
        data=posted(
            {
                "mentor_site_id": str(site.id),
                "mentee_site_id": str(site.id),
                "starts_on": "2016-05-01",
                "ends_on": "",
            }
        ),
    )
    assert refused.status_code == 422
    assert "a site does not mentor itself" in text(refused)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Mentoring)) == 0
    saved = client.post(
        f"/admin/mentoring/new?mentee_site_id={site.id}",
        data=posted(
            {
                "mentor_site_id": str(centre.id),
                "mentee_site_id": str(site.id),
                "starts_on": "2016-05-01",
                "ends_on": "",
                "programme_id": "",
                "note": "",
            }
        ),
    )
    assert saved.status_code == 302
    assert saved.headers["Location"].endswith(f"/sites/{site.id}#mentoring")
    mentoring = db.session.scalar(sa.select(Mentoring))
    assert (mentoring.mentor_site_id, mentoring.mentee_site_id) == (centre.id, site.id)

    end_page = client.get(f"/admin/mentoring/{mentoring.id}/end")
    assert end_page.status_code == 200
    too_early = client.post(
        f"/admin/mentoring/{mentoring.id}/end",
        data=posted({"ends_on": "2016-04-30", "version": str(mentoring.version)}),
    )
    assert too_early.status_code == 422
    assert "The end date must be on or after the start date" in text(too_early)
    ended = client.post(
        f"/admin/mentoring/{mentoring.id}/end",
        data=posted({"ends_on": "2018-03-31", "version": str(mentoring.version)}),
    )
    assert ended.status_code == 302
    db.session.refresh(mentoring)
    assert mentoring.ends_on == date(2018, 3, 31)


def test_the_mentors_page_costs_the_same_queries_for_2_or_12_mentored_sites(
    client, login_as, make, db, mentor
):
    centre = make.site()
    login_as("trainer", sites=[centre])

    def grow(n):
        for number in range(n):
            site = make.site()
            mentor(centre, site, date(2016 + number % 5, 1, 1))
            make.fidelity_review(site, 90, date(2019, 1, 1))
            make.monthly_return(site, date(2020, 3, 1))
            make.db.session.add(
                Mentoring(
                    mentor_site_id=site.id,
                    mentee_site_id=make.site().id,
                    starts_on=date(2020, 1, 1),
                )
            )
        make.db.session.commit()

    grow(2)
    with count_queries(db.engine) as small:
        assert client.get(f"/sites/{centre.id}").status_code == 200
    grow(10)
    with count_queries(db.engine) as large:
        page = text(client.get(f"/sites/{centre.id}"))
    assert section(page).count("since 1 January") == 12
    assert len(large) == len(small)

"""The sites list and the site page: filters and paging in SQL, scope by role, the chart."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest

from portal.sites.queries import SiteFilters, site_detail, site_list
from sites.queries import monthly_outcomes
from tests.query_counter import count_queries

ROW = '<tr class="nhsuk-table__row">'
TAG = re.compile(r'<strong class="nhsuk-tag[^"]*"\s*>\s*Centre of Excellence\s*</strong>')


def page(client, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, response.data[:500]
    return response.get_data(as_text=True)


def site_names(html: str) -> list[str]:
    return re.findall(r'<a href="/sites/\d+">([^<]+)</a>', html)


# The list


def test_anonymous_users_are_sent_to_log_in(client, db):
    response = client.get("/sites/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_list_is_an_accessible_table(client, login_as, make):
    organisation = make.organisation(name="Blackpool Council")
    make.site(organisation=organisation, name="Blackpool IPS", locality="Blackpool")
    login_as("admin")
    html = page(client, "/sites/")
    assert "<h1>Sites</h1>" in html
    assert '<caption class="nhsuk-table__caption">Sites</caption>' in html
    assert html.count('scope="col"') == 7
    assert site_names(html) == ["Blackpool IPS"]
    assert "Blackpool Council" in html
    assert 'method="get"' in html
    assert "<script>" not in html and "style=" not in html
    assert "1 site" in html


def test_the_list_pages_fifty_at_a_time(client, login_as, make):
    organisation = make.organisation()
    for n in range(60):
        make.site(organisation=organisation, name=f"Site {n:02d}")
    login_as("admin")
    first = page(client, "/sites/")
    assert first.count(ROW) == 50
    assert site_names(first)[0] == "Site 00" and site_names(first)[-1] == "Site 49"
    assert "60 sites, page 1 of 2" in first
    assert 'class="nhsuk-pagination' in first
    assert 'href="/sites/?page=2"' in first
    second = page(client, "/sites/?page=2")
    assert second.count(ROW) == 10
    assert site_names(second)[-1] == "Site 59"
    assert 'aria-current="page"' in second
    assert page(client, "/sites/?page=abc").count(ROW) == 50  # a bad page number is page 1


def test_paging_keeps_the_filters(client, login_as, make):
    organisation = make.organisation()
    for n in range(55):
        make.site(organisation=organisation, name=f"Site {n:02d}", region="london")
    make.site(organisation=organisation, name="Elsewhere", region="wales")
    login_as("admin")
    html = page(client, "/sites/?region=london")
    assert "55 sites" in html
    assert re.search(r'href="/sites/\?region=london&(amp;)?page=2"', html)


def test_the_list_filters(client, login_as, make):
    today = date.today()
    trust = make.organisation(name="Tees Esk and Wear Valleys")
    council = make.organisation(name="Blackpool Council", kind="local_authority")
    bradford = make.site(
        organisation=trust,
        name="Bradford IPS",
        locality="Bradford",
        region="north-east-and-yorkshire",
    )
    blackpool = make.site(organisation=council, name="Employment service", locality="Fylde")
    lincoln = make.site(organisation=trust, name="Lincoln IPS", region="midlands")
    make.designation(bradford, awarded_on=today - timedelta(days=30))
    programme = make.programme(name="Making IPS Work")
    make.participation(programme, lincoln)
    make.participation(programme, blackpool)
    login_as("admin")
    assert site_names(page(client, "/sites/?region=midlands")) == ["Lincoln IPS"]
    assert site_names(page(client, f"/sites/?programme_id={programme.id}")) == [
        "Employment service",
        "Lincoln IPS",
    ]
    html = page(client, "/sites/?centre_of_excellence=y")
    assert site_names(html) == ["Bradford IPS"]
    assert TAG.search(html)
    assert site_names(page(client, "/sites/?q=blackpool")) == ["Employment service"]
    assert site_names(page(client, "/sites/?q=fylde")) == ["Employment service"]
    empty = page(client, "/sites/?q=nowhere")
    assert site_names(empty) == []
    assert "No sites match these filters" in empty
    # The form offers the programmes and keeps what was chosen.
    html = page(client, f"/sites/?programme_id={programme.id}&region=midlands")
    assert re.search(rf'<option value="{programme.id}" selected\s*>Making IPS Work</option>', html)
    assert re.search(r'<option value="midlands" selected\s*>Midlands</option>', html)


def test_a_bad_filter_value_is_reported_not_applied(client, login_as, make):
    make.site(name="Only site")
    login_as("admin")
    html = page(client, "/sites/?region=atlantis&programme_id=banana")
    assert site_names(html) == ["Only site"]
    assert "Choose a region from the list" in html
    assert "Choose a programme from the list" in html


@pytest.fixture
def network(make):
    funder = make.funder(name="Department of Health")
    programme = make.programme(name="Making IPS Work", funder=funder)
    sites = [make.site(name=f"Site {n}") for n in "ABCD"]
    make.participation(programme, sites[0])
    make.participation(programme, sites[1])
    make.participation(make.programme(name="Elsewhere"), sites[2])
    return {"funder": funder, "programme": programme, "sites": sites}


@pytest.mark.parametrize(
    ("role", "visible"),
    [("admin", "ABCD"), ("trainer", "C"), ("site_lead", "D"), ("funder", "AB")],
)
def test_each_role_sees_only_its_sites(client, login_as, network, role, visible):
    sites = network["sites"]
    scope = {
        "admin": {},
        "trainer": {"sites": [sites[2]]},
        "site_lead": {"sites": [sites[3]]},
        "funder": {"funder": network["funder"]},
    }[role]
    login_as(role, **scope)
    assert site_names(page(client, "/sites/")) == [f"Site {n}" for n in visible]
    for site in sites:
        status = 200 if site.name[-1] in visible else 403
        page(client, f"/sites/{site.id}", status)


def test_a_funder_is_offered_only_its_programmes(client, login_as, network):
    login_as("funder", funder=network["funder"])
    html = page(client, "/sites/")
    assert ">Making IPS Work</option>" in html
    assert ">Elsewhere</option>" not in html


@pytest.mark.parametrize("role", ["admin", "funder"])
def test_the_list_costs_the_same_queries_for_5_or_50_sites(client, login_as, make, db, role):
    funder = make.funder()
    programme = make.programme(funder=funder)
    organisation = make.organisation()
    user = login_as(role, **({"funder": funder} if role == "funder" else {}))

    def add_sites(n: int) -> None:
        for _ in range(n):
            site = make.site(organisation=organisation)
            make.participation(programme, site)
            make.designation(site)

    def queries_for_list() -> int:
        db.session.expire_all()
        with count_queries(db.engine) as statements:
            html = page(client, "/sites/")
        assert user.name in html
        return len(statements)

    add_sites(5)
    small = queries_for_list()
    add_sites(45)
    large = queries_for_list()
    assert page(client, "/sites/").count(ROW) == 50
    assert small == large
    assert small <= 5  # the user, the programme choices, the count, the page


# One site


def test_the_site_page_shows_programmes_awards_and_the_chart(client, login_as, make):
    organisation = make.organisation(name="Bradford District Care NHS FT")
    site = make.site(
        organisation=organisation,
        name="Bradford IPS",
        locality="Bradford",
        region="north-east-and-yorkshire",
        launched_on=date(2015, 4, 1),
    )
    make.designation(site, awarded_on=date(2019, 5, 1))
    programme = make.programme(
        name="Making IPS Work", starts_on=date(2015, 4, 1), ends_on=date(2018, 3, 31)
    )
    make.participation(programme, site, left_on=date(2018, 3, 31), site_target=60)
    this_month = date.today().replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    make.monthly_return(site, last_month, job_starts=4, caseload=38, in_work=17)
    make.monthly_return(site, this_month, job_starts=1, caseload=40, in_work=18, status="draft")
    login_as("admin")
    html = page(client, f"/sites/{site.id}")
    assert "<h1>Bradford IPS</h1>" in html
    assert "Bradford District Care NHS FT" in html
    assert "North East and Yorkshire" in html
    assert "1 April 2015" in html
    assert f'href="/programmes/{programme.id}">Making IPS Work</a>' in html
    assert "31 March 2018" in html
    assert "1 May 2019" in html  # the award
    assert TAG.search(html)
    assert "No final review yet" in html
    # outcomes (with which months await approval), programmes, awards, outcome rates and the
    # monthly rates behind their chart; between reviews, the live indicators and them by month
    assert html.count('scope="col"') == 5 + 4 + 2 + 3 + 3 + 4 + 6
    assert 'id="site-outcomes-chart"' in html
    match = re.search(
        r'<script type="application/json" id="site-outcomes-chart-data">(.*?)</script>',
        html,
        re.S,
    )
    figure = json.loads(match.group(1))
    traces = {trace["name"]: trace for trace in figure["data"]}
    assert set(traces) == {"Job starts", "Caseload", "In work"}
    assert traces["Job starts"]["x"] == [last_month.isoformat()]  # submitted returns only
    assert traces["Job starts"]["y"] == [4]
    assert traces["Caseload"]["y"] == [38]
    assert traces["In work"]["y"] == [17]
    assert "<script>" not in html and "style=" not in html


def test_a_site_without_returns_has_no_chart(client, login_as, make):
    site = make.site()
    login_as("site_lead", sites=[site])
    html = page(client, f"/sites/{site.id}")
    assert "site-outcomes-chart" not in html
    assert "No submitted and approved monthly returns" in html
    assert "has not taken part in a programme" in html


def test_names_from_the_database_are_escaped(client, login_as, make):
    organisation = make.organisation(name="<b>Org</b> & co")
    site = make.site(organisation=organisation, name="<i>Site</i>", locality="<u>Place</u>")
    make.participation(make.programme(name="<s>Programme</s>"), site)
    login_as("admin")
    for html in (page(client, f"/sites/{site.id}"), page(client, "/sites/")):
        for raw in ("<b>Org</b>", "<i>Site</i>", "<u>Place</u>", "<s>Programme</s>"):
            assert raw not in html
    assert "&lt;u&gt;Place&lt;/u&gt;" in page(client, f"/sites/{site.id}")


def test_an_unknown_site_page_is_404(client, login_as, db):
    login_as("admin")
    page(client, "/sites/999999", 404)
    page(client, "/sites/99999999999999999999", 404)


# The query functions others reuse


def test_site_list_counts_in_sql_and_pages(make, db):
    organisation = make.organisation()
    for n in range(7):
        make.site(organisation=organisation, name=f"Site {n}")
    admin = make.user("admin")
    result = site_list(admin, SiteFilters(), page=2, per_page=3)
    assert (result.total, result.pages) == (7, 3)
    assert [row.name for row in result.rows] == ["Site 3", "Site 4", "Site 5"]


def test_monthly_outcomes_keeps_the_window(make, db):
    site = make.site()
    this_month = date.today().replace(day=1)
    make.monthly_return(site, this_month, job_starts=2)
    make.monthly_return(site, date(this_month.year - 4, this_month.month, 1), job_starts=9)
    rows = monthly_outcomes(site.id)
    assert [(row.month, row.job_starts) for row in rows] == [(this_month, 2)]
    assert len(monthly_outcomes(site.id, months=60)) == 2


def test_site_detail_of_an_unknown_site_is_none(db):
    assert site_detail(123456) is None


def test_the_band_filter_and_column_use_each_sites_latest_final_review(
    client, login_as, make, db, api
):
    improving, slipping, unreviewed = (
        make.site(name=name) for name in ("Improving IPS", "Slipping IPS", "Unreviewed IPS")
    )
    make.fidelity_review(improving, 90, date(2022, 1, 1))
    make.fidelity_review(improving, 116, date(2024, 1, 1))  # latest: exemplary
    make.fidelity_review(slipping, 118, date(2021, 1, 1))
    make.fidelity_review(slipping, 98, date(2024, 6, 1))  # latest: fair
    make.fidelity_review(slipping, 120, date(2025, 1, 1), status="draft")  # drafts do not count
    login_as("admin")
    assert site_names(page(client, "/sites/?band=exemplary")) == ["Improving IPS"]
    assert site_names(page(client, "/sites/?band=fair")) == ["Slipping IPS"]
    assert site_names(page(client, "/sites/?band=good")) == []
    html = page(client, "/sites/")
    assert "Exemplary (116, 2024)" in html and "Fair (98, 2024)" in html
    assert "No review" in html
    assert "Choose a band from the list" in page(client, "/sites/?band=perfect")

    caller = api("admin")
    listed = caller.get("/api/v1/sites?band=exemplary").json
    assert [item["name"] for item in listed["items"]] == ["Improving IPS"]
    detail = caller.get(f"/api/v1/sites/{slipping.id}").json
    assert detail["latest_fidelity"] == {"reviewed_on": "2024-06-01", "total": 98, "band": "fair"}
    assert caller.get(f"/api/v1/sites/{unreviewed.id}").json["latest_fidelity"] is None


def test_the_site_page_shows_the_fidelity_trajectory_and_the_latest_item_profile(
    client, login_as, make, db
):
    funder = make.funder()
    programme = make.programme(funder=funder)
    site = make.site(name="Worcester IPS")
    make.participation(programme, site)
    make.fidelity_review(site, 104, date(2019, 5, 1))
    make.fidelity_review(site, 118, date(2023, 3, 15))

    login_as(make.user("trainer", sites=[site]))
    html = page(client, f"/sites/{site.id}")
    assert 'id="fidelity-trajectory-chart"' in html
    assert "Latest final review: 118 of 125, Exemplary, up 14 since the review before." in html
    assert "Item profile of the latest final review" in html
    assert f'href="/sites/{site.id}/fidelity-reviews/new"' in html

    login_as(make.user("funder", funder=funder))
    html = page(client, f"/sites/{site.id}")
    assert "Latest final review: 118 of 125, Exemplary" in html
    assert "Item profile" not in html, "funders see totals and bands only"
    assert "fidelity-reviews/new" not in html

    login_as(make.user("trainer", sites=[make.site()]))
    assert client.get(f"/sites/{site.id}").status_code == 403


@pytest.mark.parametrize("role", ["admin", "trainer", "site_lead", "funder"])
def test_the_site_pages_contents_list_links_to_each_of_its_sections(client, login_as, make, role):
    site = make.site()
    funder = make.funder()
    make.participation(make.programme(funder=funder), site, joined_on=date(2020, 1, 1))
    scope = {"funder": funder} if role == "funder" else {"sites": [site]} if role != "admin" else {}
    login_as(role, **scope)
    page = client.get(f"/sites/{site.id}").get_data(as_text=True)
    contents = page.split('class="nhsuk-contents-list"')[1].split("</nav>")[0]
    targets = re.findall(r'href="#([\w-]+)"', contents)
    assert {"outcomes", "fidelity", "monthly-returns", "programmes", "awards"} <= set(targets)
    for target in targets:
        assert f'id="{target}"' in page, target
    assert ("visits-and-actions" in targets) == (role != "funder")

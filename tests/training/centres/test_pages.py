"""The Centres of Excellence page: what each role sees, the flags, and a query count that does
not grow with the number of Centres and sites."""

from __future__ import annotations

import re
from datetime import date

import pytest

from core.months import add_months
from tests.query_counter import count_queries
from tests.training.centres.conftest import add_mentoring, add_regions

ROW = '<tr class="nhsuk-table__row">'


def page(client, path="/centres", status=200) -> str:
    response = client.get(path)
    assert response.status_code == status
    return response.get_data(as_text=True)


def section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    return html[start:]


def test_programme_staff_see_each_centre_and_the_sites_eligible(client, login_as, centres):
    login_as("admin")
    html = page(client)
    table = html[html.index('id="centres"') : html.index("</table>")]
    assert table.index("Bradford IPS") < table.index("Sussex IPS")
    assert "Lapsed IPS" not in table  # its award ended
    assert "Since 1 June 2012" in table
    assert "Since 1 May 2016" in table
    assert table.count("Re-review overdue") == 1
    bradford_row = table[table.index("Bradford IPS") : table.index("Sussex IPS")]
    assert "1 March 2020" in bradford_row and "Re-review overdue" in bradford_row
    due = add_months(centres["today"], 24)
    assert f"{due.day} {due:%B %Y}" in table
    assert "Tess Trainer" in table and "Covers London, South East" in table
    assert "Ivy Inactive" not in table and "Adam Admin" not in table
    assert "Hastings IPS" in table and "since 1 January 2013" in table
    assert "Brighton IPS" not in table and "Crawley IPS" not in table  # ended, not begun
    assert "weekly calls" not in html  # mentoring notes are not on this page
    assert "passed its re-review date with no review since: Bradford IPS." in html
    eligible = section(html, "eligible")
    names = re.findall(r'<a href="/sites/\d+">([^<]+)</a>', eligible)
    assert names == ["Worcester IPS", "Lapsed IPS", "Edge Good IPS"]
    assert "118 (Exemplary)" in eligible and "100 (Good)" in eligible


def test_a_trainer_sees_the_eligible_sites_linked_only_where_assigned(client, login_as, centres):
    login_as("trainer", sites=[centres["worcester"]])
    html = page(client)
    eligible = section(html, "eligible")
    assert f'<a href="/sites/{centres["worcester"].id}">Worcester IPS</a>' in eligible
    assert "Edge Good IPS" in eligible and f'href="/sites/{centres["good"].id}"' not in eligible
    assert "Tess Trainer" in html


def test_a_funder_sees_the_centres_without_trainers_names_or_the_eligible(
    client, login_as, centres
):
    login_as("funder")
    html = page(client)
    assert "Sussex IPS" in html and "Hastings IPS" in html
    assert "Tess Trainer" not in html
    assert "1 regional trainer" in html
    assert 'id="eligible"' not in html and "Worcester IPS" not in html
    assert "/sites/" not in html.split("<main", 1)[1]  # no site in its programmes: no links


def test_a_site_lead_sees_the_centres_and_links_its_own_site(client, login_as, centres):
    login_as("site_lead", sites=[centres["hastings"]])
    html = page(client)
    assert f'<a href="/sites/{centres["hastings"].id}">Hastings IPS</a>' in html
    assert f'href="/sites/{centres["sussex"].id}"' not in html
    assert 'id="eligible"' not in html


def test_no_centre_says_so(client, login_as, db):
    login_as("admin")
    html = page(client)
    assert "No site holds the Centre of Excellence award today." in html
    assert "No other site's latest final review is Good or Exemplary." in html


def test_the_network_page_links_the_centres(client, login_as, db):
    login_as("funder")
    assert 'href="/centres"' in page(client, "/network")


@pytest.mark.parametrize("role", ["admin", "funder"])
def test_the_page_costs_the_same_queries_for_2_or_12_centres(client, login_as, make, db, role):
    """Each Centre with two awards, a hosted trainer with regions and a mentee; as many
    eligible sites again."""
    user = login_as(role)

    def add_centres(n: int) -> None:
        for _ in range(n):
            organisation = make.organisation()
            centre = make.site(organisation=organisation)
            make.designation(centre, awarded_on=date(2010, 1, 1), ended_on=date(2011, 1, 1))
            make.designation(centre, awarded_on=date(2015, 1, 1))
            make.fidelity_review(centre, 110, date(2018, 1, 1))
            trainer = make.user("trainer", organisation_id=organisation.id)
            add_regions(db, trainer, "london", "wales")
            add_mentoring(db, centre, make.site(), date(2020, 1, 1))
            make.fidelity_review(make.site(), 105, date(2023, 1, 1))

    def queries_for_page() -> int:
        db.session.expire_all()
        with count_queries(db.engine) as statements:
            html = page(client)
        assert user.name in html
        return len(statements)

    add_centres(2)
    small = queries_for_page()
    add_centres(10)
    large = queries_for_page()
    table = section(page(client), "centres")
    assert table[: table.index("</table>")].count(ROW) == 1 + 12  # the header and a row each
    assert small == large
    assert small <= 8, small  # the user and session, 4 for the Centres, 2 for a list


def test_the_staff_home_flags_a_centre_past_its_re_review_date(client, login_as, centres):
    login_as("admin")
    html = page(client, "/")
    start = html.index("Centres of Excellence past their re-review date")
    flagged = html[start : html.index("</h2>", html.index("</h2>", start) + 5)]
    assert "(1)" in flagged
    assert f'<a href="/sites/{centres["bradford"].id}">Bradford IPS</a>' in flagged
    assert "re-review due 1 March 2020, last final review 1 March 2017" in flagged
    assert "Sussex IPS" not in flagged


def test_the_staff_home_says_when_no_centre_is_past_its_date(client, login_as, make):
    site = make.site(name="Fresh IPS")
    make.designation(site, awarded_on=add_months(date.today(), -35))
    login_as("admin")
    html = page(client, "/")
    assert "Centres of Excellence past their re-review date <span" in html
    assert "Every Centre of Excellence is within its re-review date." in html

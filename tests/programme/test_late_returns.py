"""The late returns query and page: which months each site owes, worked out by hand around the
England and Wales bank holidays, scoped for every role and filtered."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from programme import views as late_views
from programme.late_returns import late_return_months, late_returns
from sites.models import Site
from tests.query_counter import count_queries

# March 2026's return is due on Thursday 16 April: Good Friday (3 April) and Easter Monday
# (6 April) are not working days, so the tenth working day after 31 March is 16 April.
EASTER_DUE = date(2026, 4, 16)
AFTER_EASTER = date(2026, 4, 17)


def month(year: int, number: int) -> date:
    return date(year, number, 1)


@pytest.fixture
def network(make):
    """Two funders' programmes and five sites.

    Improve (funder A) runs October 2025 to March 2027; Making IPS Work (funder B) from
    January 2026. On 17 April 2026 the last month that can be late is March 2026.
    - Bradford: in Improve from October 2025; submitted October and December (and September,
      before it joined; January is only a draft). Owes November, January, February, March.
    - Berkshire: in Improve October to December 2025, then in Making IPS Work; submitted
      October, November and February. Owes December (Improve), January and March (Making).
    - Hastings: in Making IPS Work from January 2026, closed on 1 February 2026, no returns.
      Owes January only.
    - Lincolnshire: in Improve from 10 February 2026; submitted February. Owes March.
    - Unfunded: takes part in nothing and owes nothing.
    """
    funder_a, funder_b = make.funder(name="Funder A"), make.funder(name="Funder B")
    improve = make.programme(
        name="Improve", funder=funder_a, starts_on=date(2025, 10, 1), ends_on=date(2027, 3, 31)
    )
    making = make.programme(
        name="Making IPS Work",
        funder=funder_b,
        starts_on=date(2026, 1, 1),
        ends_on=date(2027, 12, 31),
    )
    bradford = make.site(
        name="Bradford IPS",
        region="north-east-and-yorkshire",
        organisation=make.organisation(name="Bradford District Care NHS FT"),
    )
    berkshire = make.site(
        name="Berkshire IPS",
        region="south-east",
        organisation=make.organisation(name="Berkshire Healthcare NHS FT"),
    )
    hastings = make.site(
        name="Hastings IPS",
        region="south-east",
        closed_on=date(2026, 2, 1),
        organisation=make.organisation(name="Sussex Partnership NHS FT"),
    )
    lincolnshire = make.site(
        name="Lincolnshire IPS",
        region="midlands",
        organisation=make.organisation(name="Lincolnshire Partnership NHS FT"),
    )
    unfunded = make.site(name="Unfunded IPS", region="london")

    make.participation(improve, bradford)
    make.participation(improve, berkshire, left_on=date(2025, 12, 31))
    make.participation(making, berkshire)
    make.participation(making, hastings)
    make.participation(improve, lincolnshire, joined_on=date(2026, 2, 10))

    for m in (month(2025, 9), month(2025, 10), month(2025, 12)):
        make.monthly_return(bradford, m)
    make.monthly_return(bradford, month(2026, 1), status="draft")
    for m in (month(2025, 10), month(2025, 11), month(2026, 2)):
        make.monthly_return(berkshire, m)
    make.monthly_return(lincolnshire, month(2026, 2))
    return {
        "improve": improve,
        "making": making,
        "funder_a": funder_a,
        "funder_b": funder_b,
        "bradford": bradford,
        "berkshire": berkshire,
        "hastings": hastings,
        "lincolnshire": lincolnshire,
        "unfunded": unfunded,
    }


def summary(late) -> list[tuple]:
    return [(s.name, s.months, s.programmes, s.oldest_due_on) for s in late]


# --- the query -------------------------------------------------------------------------------


def test_months_owed_after_easter(network):
    late = late_return_months(AFTER_EASTER)
    assert summary(late) == [
        (
            "Bradford IPS",
            [month(2025, 11), month(2026, 1), month(2026, 2), month(2026, 3)],
            ["Improve"],
            date(2025, 12, 12),
        ),
        (
            "Berkshire IPS",
            [month(2025, 12), month(2026, 1), month(2026, 3)],
            ["Improve", "Making IPS Work"],
            date(2026, 1, 15),  # Christmas, Boxing Day and New Year's Day push it from 14 to 15
        ),
        ("Hastings IPS", [month(2026, 1)], ["Making IPS Work"], date(2026, 2, 13)),
        ("Lincolnshire IPS", [month(2026, 3)], ["Improve"], EASTER_DUE),
    ]
    first = late[0]
    assert (first.site_id, first.organisation, first.region) == (
        network["bradford"].id,
        "Bradford District Care NHS FT",
        "north-east-and-yorkshire",
    )


def test_march_is_not_late_on_its_due_day_after_easter(network):
    late = late_return_months(EASTER_DUE)
    assert summary(late) == [
        (
            "Bradford IPS",
            [month(2025, 11), month(2026, 1), month(2026, 2)],
            ["Improve"],
            date(2025, 12, 12),
        ),
        (
            "Berkshire IPS",
            [month(2025, 12), month(2026, 1)],
            ["Improve", "Making IPS Work"],
            date(2026, 1, 15),
        ),
        ("Hastings IPS", [month(2026, 1)], ["Making IPS Work"], date(2026, 2, 13)),
    ]


def test_december_is_late_only_after_the_christmas_bank_holidays(network):
    # December 2025 is due on 15 January 2026 (14 January without the bank holidays).
    assert summary(late_return_months(date(2026, 1, 15))) == [
        ("Bradford IPS", [month(2025, 11)], ["Improve"], date(2025, 12, 12)),
    ]
    assert summary(late_return_months(date(2026, 1, 16))) == [
        ("Berkshire IPS", [month(2025, 12)], ["Improve"], date(2026, 1, 15)),
        ("Bradford IPS", [month(2025, 11)], ["Improve"], date(2025, 12, 12)),
    ]


def test_filters_by_programme_region_and_sites(network):
    making = network["making"]
    assert summary(late_return_months(AFTER_EASTER, programme_id=making.id)) == [
        ("Berkshire IPS", [month(2026, 1), month(2026, 3)], ["Making IPS Work"], date(2026, 2, 13)),
        ("Hastings IPS", [month(2026, 1)], ["Making IPS Work"], date(2026, 2, 13)),
    ]
    by_region = late_return_months(AFTER_EASTER, region="south-east")
    assert [(s.name, len(s.months)) for s in by_region] == [
        ("Berkshire IPS", 3),
        ("Hastings IPS", 1),
    ]
    assert late_return_months(AFTER_EASTER, region="london") == []
    ids = [network["lincolnshire"].id, network["unfunded"].id]
    assert [s.name for s in late_return_months(AFTER_EASTER, site_ids=ids)] == ["Lincolnshire IPS"]
    as_select = sa.select(Site.id).where(Site.region == "midlands")
    assert [s.name for s in late_return_months(AFTER_EASTER, site_ids=as_select)] == [
        "Lincolnshire IPS"
    ]
    only_improve = late_return_months(AFTER_EASTER, programme_ids=[network["improve"].id])
    assert [(s.name, s.months) for s in only_improve] == [
        ("Bradford IPS", [month(2025, 11), month(2026, 1), month(2026, 2), month(2026, 3)]),
        ("Berkshire IPS", [month(2025, 12)]),
        ("Lincolnshire IPS", [month(2026, 3)]),
    ]


@pytest.mark.parametrize("today", [date(2026, 1, 15), date(2026, 1, 16), EASTER_DUE, AFTER_EASTER])
def test_months_owed_agree_with_late_returns_counts(network, today):
    def counts(**kwargs):
        return {s.site_id: len(s.months) for s in late_return_months(today, **kwargs)}

    assert counts() == late_returns(today)
    for name in ("improve", "making"):
        programme_id = network[name].id
        assert counts(programme_id=programme_id) == late_returns(today, programme_id=programme_id)
    ids = [network["berkshire"].id, network["hastings"].id]
    assert counts(site_ids=ids) == late_returns(today, site_ids=ids)
    assert (
        sum(counts().values())
        == {
            date(2026, 1, 15): 1,
            date(2026, 1, 16): 2,
            EASTER_DUE: 6,
            AFTER_EASTER: 9,
        }[today]
    )


def grow(make, programme, n: int) -> None:
    for i in range(n):
        site = make.site(name=f"Grown {n} {i}")
        make.participation(programme, site)
        make.monthly_return(site, month(2025, 11))


def test_the_query_count_does_not_grow_with_the_sites(make, db):
    programme = make.programme(starts_on=date(2025, 10, 1), ends_on=date(2027, 3, 31))
    grow(make, programme, 3)
    with count_queries(db.engine) as few:
        assert len(late_return_months(AFTER_EASTER)) == 3
    grow(make, programme, 27)
    with count_queries(db.engine) as many:
        assert len(late_return_months(AFTER_EASTER)) == 30
    assert len(few) == len(many) == 2


# --- the page --------------------------------------------------------------------------------


@pytest.fixture
def on_day(monkeypatch):
    def set_day(day: date) -> None:
        monkeypatch.setattr(late_views, "today", lambda: day)

    set_day(AFTER_EASTER)
    return set_day


HIDDEN = re.compile(
    r'<span class="(?:nhsuk-table-responsive__heading|nhsuk-u-visually-hidden)"[^>]*>.*?</span>',
    re.S,
)


def table_rows(html: str) -> list[list[str]]:
    """The text of each cell of the table's body, without the headings for small screens."""
    body = re.search(r'<tbody class="nhsuk-table__body">(.*?)</tbody>', html, re.S)
    if body is None:
        return []
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", HIDDEN.sub("", row), re.S)
        rows.append(
            [" ".join(re.sub(r"<[^>]+>", " ", c).split()).replace(" ,", ",") for c in cells]
        )
    return rows


def figures(html: str) -> tuple[str, str]:
    sites = re.search(r"Sites with late returns</dt><dd[^>]*>([^<]*)<", html)
    months = re.search(r"Months owed</dt><dd[^>]*>([^<]*)<", html)
    return sites.group(1), months.group(1)


BRADFORD_ROW = [
    "Bradford IPS",
    "Bradford District Care NHS FT",
    "North East and Yorkshire",
    "Improve",
    "November 2025, January 2026, February 2026, March 2026",
    "12 December 2025",
]
BERKSHIRE_ROW = [
    "Berkshire IPS",
    "Berkshire Healthcare NHS FT",
    "South East",
    "Improve, Making IPS Work",
    "December 2025, January 2026, March 2026",
    "15 January 2026",
]
HASTINGS_ROW = [
    "Hastings IPS",
    "Sussex Partnership NHS FT",
    "South East",
    "Making IPS Work",
    "January 2026",
    "13 February 2026",
]
LINCOLNSHIRE_ROW = [
    "Lincolnshire IPS",
    "Lincolnshire Partnership NHS FT",
    "Midlands",
    "Improve",
    "March 2026",
    "16 April 2026",
]


def test_admin_sees_every_late_site_with_links_to_the_return_forms(
    client, login_as, network, on_day
):
    login_as("admin")
    page = client.get("/returns/late")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert (
        "A return is late when the month ended more than 10 working days ago, not counting "
        "weekends and England and Wales bank holidays" in html
    )
    assert table_rows(html) == [BRADFORD_ROW, BERKSHIRE_ROW, HASTINGS_ROW, LINCOLNSHIRE_ROW]
    assert figures(html) == ("4", "9")
    bradford = network["bradford"].id
    assert f'href="/sites/{bradford}"' in html
    for m in ("2025-11", "2026-01", "2026-02", "2026-03"):
        assert f'href="/sites/{bradford}/returns/{m}"' in html
    assert f'href="/sites/{bradford}/returns/2025-12"' not in html


def test_the_page_on_the_due_day_leaves_march_out(client, login_as, network, on_day):
    on_day(EASTER_DUE)
    login_as("admin")
    html = client.get("/returns/late").get_data(as_text=True)
    assert [row[0] for row in table_rows(html)] == ["Bradford IPS", "Berkshire IPS", "Hastings IPS"]
    assert figures(html) == ("3", "6")


def test_a_funder_sees_only_its_programmes_sites_and_months(client, login_as, network, on_day):
    login_as("funder", funder=network["funder_a"])
    html = client.get("/returns/late").get_data(as_text=True)
    assert table_rows(html) == [
        BRADFORD_ROW,
        [
            "Berkshire IPS",
            "Berkshire Healthcare NHS FT",
            "South East",
            "Improve",
            "December 2025",
            "15 January 2026",
        ],
        LINCOLNSHIRE_ROW,
    ]
    assert "Making IPS Work" not in html and "Hastings" not in html
    assert "/returns/2025-11" not in html  # funders do not send returns
    assert figures(html) == ("3", "6")


def test_the_other_funder_sees_only_its_own(client, login_as, network, on_day):
    login_as("funder", funder=network["funder_b"])
    html = client.get("/returns/late").get_data(as_text=True)
    assert table_rows(html) == [
        [
            "Berkshire IPS",
            "Berkshire Healthcare NHS FT",
            "South East",
            "Making IPS Work",
            "January 2026, March 2026",
            "13 February 2026",
        ],
        HASTINGS_ROW,
    ]
    assert "Bradford" not in html and "Improve" not in html


def test_a_site_lead_sees_only_its_own_sites_with_links(client, login_as, network, on_day):
    lincolnshire = network["lincolnshire"]
    login_as("site_lead", sites=[network["bradford"], lincolnshire])
    html = client.get("/returns/late").get_data(as_text=True)
    assert table_rows(html) == [BRADFORD_ROW, LINCOLNSHIRE_ROW]
    assert f'href="/sites/{lincolnshire.id}/returns/2026-03"' in html
    assert figures(html) == ("2", "5")


def test_a_site_lead_of_a_site_that_owes_nothing_sees_no_table(client, login_as, network, on_day):
    login_as("site_lead", sites=[network["unfunded"]])
    html = client.get("/returns/late").get_data(as_text=True)
    assert table_rows(html) == []
    assert "No site owes a return." in html
    assert figures(html) == ("0", "0")


def test_a_trainer_sees_only_assigned_sites_without_links(client, login_as, network, on_day):
    hastings = network["hastings"]
    login_as("trainer", sites=[hastings])
    html = client.get("/returns/late").get_data(as_text=True)
    assert table_rows(html) == [HASTINGS_ROW]
    assert "/returns/2026-01" not in html


def test_anonymous_users_are_sent_to_log_in(client, network):
    page = client.get("/returns/late")
    assert page.status_code == 302
    assert "/login" in page.headers["Location"]


def test_filters_by_programme_and_region(client, login_as, network, on_day):
    login_as("admin")
    making = network["making"].id
    html = client.get(f"/returns/late?programme_id={making}").get_data(as_text=True)
    assert table_rows(html) == [
        [
            "Berkshire IPS",
            "Berkshire Healthcare NHS FT",
            "South East",
            "Making IPS Work",
            "January 2026, March 2026",
            "13 February 2026",
        ],
        HASTINGS_ROW,
    ]
    assert f'<option value="{making}" selected' in html
    html = client.get("/returns/late?region=midlands").get_data(as_text=True)
    assert table_rows(html) == [LINCOLNSHIRE_ROW]
    improve = network["improve"].id
    html = client.get(f"/returns/late?programme_id={improve}&region=south-east").get_data(
        as_text=True
    )
    assert [row[0] for row in table_rows(html)] == ["Berkshire IPS"]
    html = client.get("/returns/late?region=london").get_data(as_text=True)
    assert "No site matching these filters owes a return." in html


@pytest.mark.parametrize(
    "query, field, message",
    [
        ("region=atlantis", "region", "Choose a region from the list"),
        ("programme_id=abc", "programme_id", "Choose a programme from the list"),
        ("programme_id=99999", "programme_id", "Choose a programme from the list"),
    ],
)
def test_invalid_filters_get_a_message_and_are_ignored(
    client, login_as, network, on_day, query, field, message
):
    login_as("admin")
    page = client.get(f"/returns/late?{query}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert message in html
    assert f'href="#{field}"' in html  # the error summary points at the field
    assert len(table_rows(html)) == 4


def test_a_funder_cannot_filter_by_another_funders_programme(client, login_as, network, on_day):
    login_as("funder", funder=network["funder_a"])
    making = network["making"].id
    html = client.get(f"/returns/late?programme_id={making}").get_data(as_text=True)
    assert "Choose a programme from the list" in html
    assert f'value="{making}"' not in html
    assert [row[0] for row in table_rows(html)] == [
        "Bradford IPS",
        "Berkshire IPS",
        "Lincolnshire IPS",
    ]
    assert "Making IPS Work" not in html


def test_long_lists_show_the_oldest_months_and_how_many_more(client, login_as, make, on_day):
    programme = make.programme(name="Long", starts_on=date(2025, 7, 1), ends_on=date(2027, 3, 31))
    nine = make.site(name="Nine months")
    six = make.site(name="Six months")
    make.participation(programme, nine)
    make.participation(programme, six, joined_on=date(2025, 10, 1))
    login_as("admin")
    rows = table_rows(client.get("/returns/late").get_data(as_text=True))
    assert [row[4] for row in rows] == [
        "July 2025, August 2025, September 2025 and 6 more",
        "October 2025, November 2025, December 2025, January 2026, February 2026, March 2026",
    ]


def test_the_page_uses_the_same_number_of_queries_for_3_and_30_sites(
    client, login_as, make, db, on_day
):
    programme = make.programme(starts_on=date(2025, 10, 1), ends_on=date(2027, 3, 31))
    login_as("admin")
    grow(make, programme, 3)
    with count_queries(db.engine) as few:
        assert len(table_rows(client.get("/returns/late").get_data(as_text=True))) == 3
    grow(make, programme, 27)
    with count_queries(db.engine) as many:
        assert len(table_rows(client.get("/returns/late").get_data(as_text=True))) == 30
    assert len(few) == len(many)


def test_dashboard_card_links_to_the_page(client, login_as, network):
    login_as("funder", funder=network["funder_a"])
    html = client.get("/").get_data(as_text=True)
    assert '<a class="nhsuk-card__link" href="/returns/late">Late returns</a>' in html


def test_programme_page_links_to_its_late_returns(client, login_as, network):
    improve = network["improve"]
    login_as("admin")
    html = client.get(f"/programmes/{improve.id}").get_data(as_text=True)
    assert f'href="/returns/late?programme_id={improve.id}"' in html

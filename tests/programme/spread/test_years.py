"""The spread's counting rules (programme/spread/years.py) on hand-worked networks."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from programme.spread.years import FinalReview, SiteHistory, SpreadYear, spread_by_year, year_end
from training.centres.rules import Award

TODAY = date(2026, 11, 30)


def test_no_site_no_years():
    assert spread_by_year([], TODAY) == []
    assert spread_by_year([SiteHistory(date(2027, 1, 1))], TODAY) == []  # not launched yet


def test_a_hand_worked_network():
    """Ashby: launched 2023, Good at the end of 2024 (the Fair review of 2025 takes it down).
    Bexley: launched 2024, a Centre from June 2025. Crewe: launched 2024, closed on the last
    day of 2025 (so not active at that year's end), Exemplary in 2025. Dover: launches next
    month, so counts nowhere."""
    ashby = SiteHistory(
        date(2023, 5, 1),
        reviews=(
            FinalReview(date(2024, 3, 1), 1, 104),  # Good
            FinalReview(date(2025, 2, 1), 2, 90),  # Fair
        ),
    )
    bexley = SiteHistory(
        date(2024, 1, 1),
        awards=(Award(date(2025, 6, 1)),),
        reviews=(FinalReview(date(2025, 1, 10), 3, 116),),
    )
    crewe = SiteHistory(
        date(2024, 12, 31),
        closed_on=date(2025, 12, 31),
        reviews=(FinalReview(date(2025, 3, 1), 4, 120),),
    )
    dover = SiteHistory(date(2026, 12, 1))
    assert spread_by_year([ashby, bexley, crewe, dover], TODAY) == [
        SpreadYear(2023, sites_launched=1, active_sites=1, good_or_better=0, centres=0),
        SpreadYear(2024, sites_launched=2, active_sites=3, good_or_better=1, centres=0),
        SpreadYear(2025, sites_launched=0, active_sites=2, good_or_better=1, centres=1),
        SpreadYear(2026, sites_launched=0, active_sites=2, good_or_better=1, centres=1),
    ]


def test_this_year_is_taken_today_and_the_band_by_then():
    """A review later this year (after today) does not count yet; nor an award from tomorrow."""
    site = SiteHistory(
        date(2026, 1, 1),
        awards=(Award(date(2026, 12, 1)),),
        reviews=(FinalReview(date(2026, 12, 10), 1, 118),),
    )
    assert year_end(2026, TODAY) == TODAY and year_end(2025, TODAY) == date(2025, 12, 31)
    assert spread_by_year([site], TODAY) == [SpreadYear(2026, 1, 1, 0, 0)]
    assert spread_by_year([site], date(2026, 12, 31)) == [SpreadYear(2026, 1, 1, 1, 1)]


def test_an_award_ended_on_the_years_last_day_no_longer_counts_and_ties_go_to_the_later_review():
    site = SiteHistory(
        date(2020, 1, 1),
        awards=(Award(date(2020, 2, 1), date(2020, 12, 31)), Award(date(2022, 1, 1))),
        reviews=(
            FinalReview(date(2021, 5, 1), 9, 118),
            FinalReview(date(2021, 5, 1), 7, 80),  # recorded first: the other counts
        ),
    )
    years = spread_by_year([site], TODAY)
    assert [(y.year, y.centres, y.good_or_better) for y in years[:3]] == [
        (2020, 0, 0),
        (2021, 0, 1),
        (2022, 1, 1),
    ]


def test_good_is_100_and_up():
    def band_count(total: int) -> int:
        site = SiteHistory(date(2026, 1, 1), reviews=(FinalReview(date(2026, 2, 1), 1, total),))
        return spread_by_year([site], TODAY)[0].good_or_better

    assert (band_count(99), band_count(100), band_count(125)) == (0, 1, 1)


days = st.dates(min_value=date(2000, 1, 1), max_value=date(2026, 11, 30))


@given(st.lists(st.tuples(days, st.one_of(st.none(), days)), max_size=12))
def test_the_counts_hold_together(spans):
    sites = [SiteHistory(launched, closed) for launched, closed in spans]
    years = spread_by_year(sites, TODAY)
    assert sum(year.sites_launched for year in years) == len(sites)
    for year in years:
        assert 0 <= year.centres <= year.active_sites
        assert 0 <= year.good_or_better <= year.active_sites
    if sites:
        assert [y.year for y in years] == list(range(min(s for s, _ in spans).year, 2027))

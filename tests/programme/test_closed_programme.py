"""A programme that ended years ago reads, by default, over its own run, not the last 12 months,
and its sites took part to its end, not "to now"."""

from __future__ import annotations

from datetime import date

from programme.figures import RUN_SLUG, default_period


def test_an_ended_programme_defaults_to_its_own_run(client, login_as, make):
    programme = make.programme(
        name="Making IPS Work", starts_on=date(2015, 4, 1), ends_on=date(2018, 3, 31)
    )
    site = make.site(name="Berkshire IPS")
    make.participation(programme, site, joined_on=date(2015, 4, 1))
    make.monthly_return(site, date(2016, 6, 1), caseload=50, in_work=20)
    login_as("admin")
    for url in (f"/programmes/{programme.id}", f"/programmes/{programme.id}/report"):
        page = client.get(url).get_data(as_text=True)
        assert "The programme&#39;s run, April 2015 to March 2018" in page, url
        assert "1 April 2015 to 31 March 2018" in page, url
        assert "to now" not in page, url
        assert "40.0%" in page, url  # the 2016 return's employment rate is read


def test_a_running_programme_keeps_the_last_12_months_and_offers_its_run(make):
    today = date(2026, 11, 30)
    programme = make.programme(starts_on=date(2025, 4, 1), ends_on=date(2028, 3, 31))
    period, error, choices = default_period(programme, None, today)
    assert (period.first, period.last, error) == (date(2025, 11, 1), date(2026, 10, 1), None)
    assert choices[0].slug == RUN_SLUG
    run, _, _ = default_period(programme, RUN_SLUG, today)
    assert (run.first, run.last) == (date(2025, 4, 1), date(2026, 10, 1))

"""The 4-week contact figure means one thing wherever it is shown: on the return form, the site
page and the printed programme report."""

from __future__ import annotations

from datetime import date

from markupsafe import escape

from sites.returns.rules import FIRST_CONTACT_MEANS

SHOWN = str(escape(FIRST_CONTACT_MEANS))


def test_one_definition_of_contact_within_4_weeks_everywhere(client, login_as, make):
    site = make.site()
    programme = make.programme(starts_on=date(2020, 1, 1), ends_on=date(2100, 1, 1))
    make.participation(programme, site)
    login_as("admin")
    pages = {
        "return form": f"/sites/{site.id}/returns/2024-03",
        "site page": f"/sites/{site.id}",
        "printed report": f"/programmes/{programme.id}/report",
    }
    for name, url in pages.items():
        page = client.get(url).get_data(as_text=True)
        assert SHOWN in page, name
    assert "within 4 weeks of referral" not in client.get(pages["return form"]).get_data(
        as_text=True
    )

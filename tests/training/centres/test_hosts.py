"""A trainer's host and regions: set on the admin user form, shown on their visits, the trainers'
activity page and the Centre's page."""

from __future__ import annotations

import re

import sqlalchemy as sa

from accounts.models import User
from tests.training.centres.conftest import add_regions
from tests.training.visits.test_visits import add_visit
from training.models import TrainerRegion


def text(response) -> str:
    return response.get_data(as_text=True)


def regions_of(db, user) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(TrainerRegion.region)
            .where(TrainerRegion.user_id == user.id)
            .order_by(TrainerRegion.region)
        )
    )


def new_user_data(**changes) -> dict:
    return {
        "email": "tess@example.org",
        "name": "Tess Trainer",
        "role": "trainer",
        "password": "long enough password",
        "funder_id": "",
    } | changes


def test_an_admin_adds_a_trainer_with_a_host_and_regions(client, login_as, make, db):
    host = make.organisation(name="Sussex Partnership NHS FT")
    login_as("admin")
    form = text(client.get("/admin/users/new"))
    assert "Works at (not funders)" in form and "Regions covered (trainers only)" in form
    response = client.post(
        "/admin/users/new",
        data=new_user_data(organisation_id=str(host.id), regions=["south-east", "london"]),
    )
    assert response.status_code == 302
    tess = db.session.scalar(sa.select(User).where(User.email == "tess@example.org"))
    assert tess.organisation_id == host.id
    assert regions_of(db, tess) == ["london", "south-east"]


def test_an_admin_changes_a_trainers_host_and_regions(client, login_as, make, db):
    old_host, new_host = make.organisation(), make.organisation(name="Bradford District Care")
    tess = make.user("trainer", organisation_id=old_host.id)
    add_regions(db, tess, "london", "wales")
    login_as("admin")
    form = text(client.get(f"/admin/users/{tess.id}/edit"))
    assert re.search(f'<option value="{old_host.id}" selected\\s*>', form)
    for region in ("wales", "london"):
        assert re.search(f'value="{region}"[^>]*checked', form)
    assert not re.search('value="midlands"[^>]*checked', form)
    response = client.post(
        f"/admin/users/{tess.id}/edit",
        data={
            "name": tess.name,
            "role": "trainer",
            "active": "y",
            "organisation_id": str(new_host.id),
            "regions": ["north-east-and-yorkshire", "wales"],
            "version": tess.version,
        },
    )
    assert response.status_code == 302
    db.session.refresh(tess)
    assert tess.organisation_id == new_host.id
    assert regions_of(db, tess) == ["north-east-and-yorkshire", "wales"]


def test_a_trainer_made_a_site_lead_covers_no_region(client, login_as, make, db):
    site = make.site()
    tess = make.user("trainer")
    add_regions(db, tess, "london")
    login_as("admin")
    response = client.post(
        f"/admin/users/{tess.id}/edit",
        data={
            "name": tess.name,
            "role": "site_lead",
            "active": "y",
            "site_ids": [str(site.id)],
            "regions": ["london"],
            "version": tess.version,
        },
    )
    assert response.status_code == 302
    assert regions_of(db, tess) == []


def test_a_funder_works_at_no_organisation(client, login_as, make, db):
    funder, organisation = make.funder(), make.organisation()
    login_as("admin")
    response = client.post(
        "/admin/users/new",
        data=new_user_data(
            email="fran@example.org",
            role="funder",
            funder_id=str(funder.id),
            organisation_id=str(organisation.id),
        ),
    )
    assert response.status_code == 302
    fran = db.session.scalar(sa.select(User).where(User.email == "fran@example.org"))
    assert fran.organisation_id is None


def test_an_unknown_host_or_region_is_refused_with_nothing_saved(client, login_as, make, db):
    login_as("admin")
    before = db.session.scalar(sa.select(sa.func.count(User.id)))
    response = client.post(
        "/admin/users/new", data=new_user_data(organisation_id="2147483647", regions=["mars"])
    )
    assert response.status_code == 422
    page = text(response)
    assert "Choose an organisation from the list" in page
    assert "Choose regions from the list, not mars" in page
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == before


def test_the_visit_page_shows_the_trainers_host(client, login_as, make):
    host = make.organisation(name="Sussex Partnership NHS FT")
    site = make.site()
    tess = make.user("trainer", sites=[site], organisation_id=host.id)
    visit = add_visit(site, tess)
    unhosted = add_visit(site, make.user("trainer", sites=[site]))
    login_as("admin")
    page = text(client.get(f"/visits/{visit.id}"))
    assert "Trainer&#39;s host" in page and "Sussex Partnership NHS FT" in page
    assert "None recorded" in text(client.get(f"/visits/{unhosted.id}"))


def test_the_activity_page_lists_each_trainer_with_host_and_regions(client, login_as, make, db):
    host = make.organisation(name="Bradford District Care NHS FT")
    site = make.site()
    tess = make.user("trainer", name="Tess Trainer", sites=[site], organisation_id=host.id)
    add_regions(db, tess, "north-east-and-yorkshire", "north-west")
    add_visit(site, tess)
    add_visit(site, tess)
    make.user("trainer", name="Una Unhosted")
    make.user("trainer", name="Ivy Inactive", active=False)
    login_as("admin")
    page = text(client.get("/visits/activity"))
    table = page[page.index('id="trainers"') : page.index('id="no-recent-visit"')]
    assert table.index("Tess Trainer") < table.index("Una Unhosted")
    tess_row = table[table.index("Tess Trainer") : table.index("Una Unhosted")]
    assert "Bradford District Care NHS FT" in tess_row
    assert "North East and Yorkshire, North West" in tess_row
    assert ">2</td>" in tess_row.replace("</span>2</td>", ">2</td>")
    una_row = table[table.index("Una Unhosted") :]
    assert "No host recorded" in una_row and "None recorded" in una_row
    assert "Ivy Inactive" not in table


def test_a_centres_page_lists_the_trainers_it_hosts(client, login_as, make, db):
    host = make.organisation(name="Sussex Partnership NHS FT")
    centre = make.site(organisation=host, name="Sussex IPS")
    make.designation(centre)
    tess = make.user("trainer", name="Tess Trainer", organisation_id=host.id)
    add_regions(db, tess, "south-east")
    login_as("admin")
    page = text(client.get(f"/sites/{centre.id}"))
    assert "Regional trainers hosted" in page
    assert "Tess Trainer, covering South East" in page
    login_as("funder")
    page = text(client.get(f"/sites/{centre.id}", follow_redirects=False))
    # a funder reads only its programmes' sites: this one is in none
    assert "Tess Trainer" not in page


def test_a_funder_sees_how_many_trainers_a_centre_in_its_programme_hosts(
    client, login_as, make, db
):
    host = make.organisation()
    centre = make.site(organisation=host)
    make.designation(centre)
    make.user("trainer", name="Tess Trainer", organisation_id=host.id)
    funder = make.funder()
    make.participation(make.programme(funder=funder), centre)
    login_as("funder", funder=funder)
    page = text(client.get(f"/sites/{centre.id}"))
    assert "hosts 1 regional trainer." in page and "Tess Trainer" not in page

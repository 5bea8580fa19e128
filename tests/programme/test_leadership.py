"""A programme's lead organisation and partners, and each site's role in it: the API, the admin
form and the programme page."""

from __future__ import annotations

import sqlalchemy as sa

from core.audit import AuditEvent
from programme.models import Programme, ProgrammePartner
from programme.queries import led_by
from tests.dates import posted

PROGRAMME = {
    "name": "Improve",
    "funder": "West Midlands Combined Authority",
    "starts_on": "2016-04-01",
    "ends_on": "2018-03-31",
    "job_start_target": 120,
}


def partner_ids(db, programme_id: int) -> list[int]:
    return sorted(
        db.session.scalars(
            sa.select(ProgrammePartner.organisation_id).where(
                ProgrammePartner.programme_id == programme_id
            )
        )
    )


def test_led_by_says_who_runs_the_programme() -> None:
    assert led_by(None, []) is None
    assert led_by("Enable", []) == "Led by Enable."
    assert led_by("Enable", ["IPS Grow"]) == "Led by Enable, with IPS Grow."
    assert led_by("Enable", ["A", "B", "C"]) == "Led by Enable, with A, B and C."
    assert led_by(None, ["A", "B"]) == "Run by A and B."


def test_the_api_takes_and_answers_the_lead_and_partners(api, make, db):
    enable, charity, sandwell = (
        make.organisation(name=n) for n in ("Enable", "IPS Grow", "Sandwell")
    )
    admin = api("admin")
    created = admin.post(
        "/api/v1/programmes",
        json=PROGRAMME
        | {"lead_organisation_id": enable.id, "partner_organisation_ids": [charity.id]},
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["lead_organisation_id"] == enable.id
    assert body["partner_organisation_ids"] == [charity.id]

    patched = admin.patch(
        f"/api/v1/programmes/{body['id']}",
        json={"partner_organisation_ids": [sandwell.id, charity.id], "version": body["version"]},
    )
    assert patched.status_code == 200, patched.get_json()
    assert patched.get_json()["partner_organisation_ids"] == sorted([sandwell.id, charity.id])
    assert patched.get_json()["lead_organisation_id"] == enable.id

    listed = admin.get("/api/v1/programmes").get_json()["items"]
    assert listed[0]["partner_organisation_ids"] == sorted([sandwell.id, charity.id])
    assert listed[0]["lead_organisation_id"] == enable.id

    cleared = admin.patch(
        f"/api/v1/programmes/{body['id']}",
        json={"partner_organisation_ids": [], "lead_organisation_id": None, "version": 2},
    )
    assert cleared.status_code == 200, cleared.get_json()
    assert cleared.get_json()["partner_organisation_ids"] == []
    assert cleared.get_json()["lead_organisation_id"] is None
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.table_name == "programme_partner")
    ).all()
    assert sorted(actions).count("delete") == 2  # each partner's removal is audited


def test_unknown_organisations_are_422_and_nothing_is_written(api, make, db):
    enable = make.organisation(name="Enable")
    admin = api("admin")
    unknown_lead = admin.post(
        "/api/v1/programmes", json=PROGRAMME | {"lead_organisation_id": 987654}
    )
    assert unknown_lead.status_code == 422
    assert unknown_lead.get_json()["error"]["fields"] == {
        "lead_organisation_id": ["No organisation with id 987654"]
    }
    unknown_partner = admin.post(
        "/api/v1/programmes", json=PROGRAMME | {"partner_organisation_ids": [enable.id, 987654]}
    )
    assert unknown_partner.status_code == 422
    assert unknown_partner.get_json()["error"]["fields"] == {
        "partner_organisation_ids": ["No organisation with id 987654"]
    }
    both = admin.post(
        "/api/v1/programmes",
        json=PROGRAMME
        | {"lead_organisation_id": enable.id, "partner_organisation_ids": [enable.id]},
    )
    assert both.status_code == 422
    assert "partner_organisation_ids" in both.get_json()["error"]["fields"]
    out_of_range = admin.post(
        "/api/v1/programmes", json=PROGRAMME | {"partner_organisation_ids": [0]}
    )
    assert out_of_range.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Programme)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgrammePartner)) == 0

    programme = make.programme()
    stale_lead = admin.patch(
        f"/api/v1/programmes/{programme.id}",
        json={"lead_organisation_id": 987654, "version": programme.version},
    )
    assert stale_lead.status_code == 422
    db.session.refresh(programme)
    assert programme.lead_organisation_id is None


def test_participation_roles_through_the_api(api, make, db):
    programme, site = make.programme(), make.site()
    admin = api("admin")
    url = f"/api/v1/programmes/{programme.id}/participations"
    bad = admin.post(url, json={"site_id": site.id, "joined_on": "2020-01-01", "role": "leader"})
    assert bad.status_code == 422
    assert bad.get_json()["error"]["fields"] == {
        "role": ["Choose one of: pilot, new_service, mentor"]
    }
    pilot = admin.post(url, json={"site_id": site.id, "joined_on": "2020-01-01", "role": "pilot"})
    assert pilot.status_code == 201
    assert pilot.get_json()["role"] == "pilot"
    other = admin.post(url, json={"site_id": make.site().id, "joined_on": "2020-01-01"})
    assert other.get_json()["role"] == "new_service"


def test_the_admin_form_names_lead_partners_and_roles(client, login_as, make, db):
    login_as("admin")
    enable, charity = make.organisation(name="Enable"), make.organisation(name="IPS Grow")
    funder = make.funder()
    response = client.post(
        "/admin/programmes/new",
        data=posted(
            {
                "name": "Improve 2",
                "funder_id": str(funder.id),
                "summary": "",
                "starts_on": "2018-04-01",
                "ends_on": "2020-03-31",
                "job_start_target": "100",
                "target_profile": "",
                "lead_organisation_id": str(enable.id),
                "partner_organisation_ids": [str(charity.id)],
            }
        ),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    programme = db.session.scalar(sa.select(Programme).where(Programme.name == "Improve 2"))
    assert programme.lead_organisation_id == enable.id
    assert partner_ids(db, programme.id) == [charity.id]
    edit = client.get(f"/admin/programmes/{programme.id}/edit").get_data(as_text=True)
    assert f'value="{charity.id}" checked' in edit

    site = make.site(name="Dudley IPS")
    added = client.post(
        f"/admin/programmes/{programme.id}/sites/new",
        data=posted(
            {"site_id": str(site.id), "joined_on": "2018-04-01", "left_on": "", "role": "mentor"}
        ),
    )
    assert added.status_code == 302
    refused = client.post(
        f"/admin/programmes/{programme.id}/sites/new",
        data=posted({"site_id": str(make.site().id), "joined_on": "2018-04-01", "role": "boss"}),
    )
    assert refused.status_code == 422
    assert "Choose the site&#39;s role from the list" in refused.get_data(as_text=True)

    page = client.get(f"/programmes/{programme.id}").get_data(as_text=True)
    assert "Led by Enable, with IPS Grow." in page
    assert "Mentor" in page[page.find("Dudley IPS") - 2000 : page.find("Dudley IPS") + 2000]

"""Funders see aggregates only (DESIGN.md, issue 15): no visits, no actions, no reviewers' notes or
names, no other funder's programmes, in the pages, the API and the exports.

Two funders pay for a programme each; one site takes part in both. The site has a visit with a
summary and an agreed action, and a final fidelity review with an item note, a planned action
and a named lead reviewer. Funder A must see none of those texts, nor the name of funder B's
programme, anywhere it can go; an admin (the positive control) sees them all.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import pytest

from training.models import Action, Visit

VISIT_SUMMARY = "Supervision notes: specialist Ravenscroft is struggling"
VISIT_ACTION = "Agree a Kestrel caseload plan with the team manager"
REVIEW_NOTE = "Item seven note: vocational unit meets only Quillbury fortnightly"
REVIEW_ACTION = "Weekly vocational unit meeting at Quillbury"
REVIEWER = "Rosalind Fenwick-Marsh"
OTHER_PROGRAMME = "Borealis Employment Fund"
OWN_PROGRAMME = "Aurora Into Work"
SECRETS = (VISIT_SUMMARY, VISIT_ACTION, REVIEW_NOTE, REVIEW_ACTION, REVIEWER, OTHER_PROGRAMME)


@pytest.fixture
def shared(make, db):
    funder_a = make.funder(name="Funder Alpha")
    funder_b = make.funder(name="Funder Beta")
    aurora = make.programme(funder=funder_a, name=OWN_PROGRAMME)
    borealis = make.programme(funder=funder_b, name=OTHER_PROGRAMME)
    site = make.site(name="Shared IPS service", latitude=53.8, longitude=-1.75)
    only_b = make.site(name="Beta only IPS service")
    make.participation(aurora, site)
    make.participation(borealis, site)
    make.participation(borealis, only_b)
    # Approved: a funder's figures and exports hold approved returns only.
    make.monthly_return(site, date(2020, 3, 1), status="approved")
    make.monthly_return(only_b, date(2020, 3, 1), status="approved")
    trainer = make.user("trainer", sites=[site])
    visit = Visit(
        site_id=site.id,
        trainer_id=trainer.id,
        visited_on=date(2020, 3, 10),
        purpose="supervision",
        summary=VISIT_SUMMARY,
    )
    db.session.add(visit)
    db.session.flush()
    review = make.fidelity_review(site, 101, date(2020, 2, 3), lead_reviewer=REVIEWER)
    seventh = next(score for score in review.scores if score.item == 7)
    seventh.note = REVIEW_NOTE
    seventh.action_description = REVIEW_ACTION
    action = Action(
        site_id=site.id,
        visit_id=visit.id,
        description=VISIT_ACTION,
        owner="Team manager",
        due_on=date(2020, 5, 1),
    )
    review_action = Action(
        site_id=site.id,
        review_id=review.id,
        item=7,
        description=REVIEW_ACTION,
        owner="Team manager",
        due_on=date(2020, 3, 17),
    )
    db.session.add_all([action, review_action])
    db.session.commit()
    return {
        "funder_a": funder_a,
        "aurora": aurora,
        "borealis": borealis,
        "site": site,
        "only_b": only_b,
        "visit": visit,
        "action": action,
        "review": review,
    }


def _absent(text: str, where: str) -> None:
    found = [secret for secret in SECRETS if secret in text]
    assert not found, f"{where} shows {found}"


# The API ------------------------------------------------------------------------------------------


def test_a_funder_is_refused_visits_and_actions_in_the_api(api, shared):
    caller = api("funder", funder=shared["funder_a"])
    site_id, action = shared["site"].id, shared["action"]
    visits = caller.get(f"/api/v1/sites/{site_id}/visits")
    assert visits.status_code == 403
    assert visits.get_json()["error"]["code"] == "forbidden"
    patched = caller.patch(
        f"/api/v1/actions/{action.id}", json={"status": "done", "version": action.version}
    )
    assert patched.status_code == 403
    assert patched.get_json()["error"]["code"] == "forbidden"


def test_a_funders_api_answers_hold_only_its_programmes_and_no_notes(api, shared):
    caller = api("funder", funder=shared["funder_a"])
    site_id, aurora, borealis = shared["site"].id, shared["aurora"].id, shared["borealis"].id

    site = caller.get(f"/api/v1/sites/{site_id}")
    assert site.status_code == 200
    assert [p["id"] for p in site.get_json()["programmes"]] == [aurora]
    _absent(site.get_data(as_text=True), "GET /sites/{id}")

    reviews = caller.get(f"/api/v1/sites/{site_id}/fidelity-reviews")
    assert reviews.status_code == 200
    assert [(r["total"], r["band"]) for r in reviews.get_json()] == [(101, "good")]
    _absent(reviews.get_data(as_text=True), "GET /sites/{id}/fidelity-reviews")

    listed = caller.get("/api/v1/sites")
    assert [row["id"] for row in listed.get_json()["items"]] == [site_id]
    assert caller.get(f"/api/v1/sites?programme_id={aurora}").get_json()["total"] == 1
    other = caller.get(f"/api/v1/sites?programme_id={borealis}")
    assert other.status_code == 403
    assert other.get_json()["error"]["code"] == "forbidden"
    # Any programme but its own is refused, known or not: no telling which ids exist.
    assert caller.get("/api/v1/sites?programme_id=987654").status_code == 403

    programmes = caller.get("/api/v1/programmes")
    assert [p["id"] for p in programmes.get_json()["items"]] == [aurora]
    assert caller.get(f"/api/v1/programmes/{borealis}/progress").status_code == 403
    progress = caller.get(f"/api/v1/programmes/{aurora}/progress")
    _absent(progress.get_data(as_text=True), "GET /programmes/{id}/progress")

    only_b = shared["only_b"].id
    for path in (f"/sites/{only_b}", f"/sites/{only_b}/outcomes", f"/sites/{only_b}/visits"):
        assert caller.get(f"/api/v1{path}").status_code in {403, 404}, path


def test_staff_still_read_every_programme_and_the_visits(api, shared):
    admin = api("admin")
    site_id = shared["site"].id
    names = [p["name"] for p in admin.get(f"/api/v1/sites/{site_id}").get_json()["programmes"]]
    assert sorted(names) == [OWN_PROGRAMME, OTHER_PROGRAMME]
    visits = admin.get(f"/api/v1/sites/{site_id}/visits")
    assert visits.status_code == 200
    assert VISIT_SUMMARY in visits.get_data(as_text=True)
    assert VISIT_ACTION in visits.get_data(as_text=True)
    borealis = shared["borealis"].id
    assert admin.get(f"/api/v1/sites?programme_id={borealis}").get_json()["total"] == 2


# The pages --------------------------------------------------------------------------------------


def _funder_pages(shared) -> list[str]:
    site, aurora = shared["site"].id, shared["aurora"].id
    return [
        "/",
        "/network",
        "/funded",
        "/sites/",
        f"/sites/?programme_id={shared['borealis'].id}",
        f"/sites/{site}",
        "/programmes/",
        f"/programmes/{aurora}",
        f"/programmes/{aurora}/report",
        "/returns/late",
        "/map",
        f"/fidelity-reviews/{shared['review'].id}",
    ]


def test_a_funders_pages_show_no_visits_actions_notes_or_other_programmes(client, login_as, shared):
    login_as("funder", funder=shared["funder_a"])
    for path in _funder_pages(shared):
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.get_data(as_text=True)
        _absent(page, path)
        assert "/visits/" not in page and "/actions" not in page, path
    site_page = client.get(f"/sites/{shared['site'].id}").get_data(as_text=True)
    assert OWN_PROGRAMME in site_page
    late = client.get("/returns/late").get_data(as_text=True)
    assert "Shared IPS service" in late and OWN_PROGRAMME in late  # listed, with its programmes
    assert "Visits and actions" not in site_page
    review_page = client.get(f"/fidelity-reviews/{shared['review'].id}").get_data(as_text=True)
    assert "101 of 125" in review_page


def test_a_funder_is_refused_every_visit_and_action_page(client, login_as, shared):
    login_as("funder", funder=shared["funder_a"])
    visit, action = shared["visit"].id, shared["action"].id
    for path in (
        f"/visits/{visit}",
        f"/visits/{visit}/edit",
        "/visits/new",
        "/visits/activity",
        "/actions",
        f"/actions/{action}/status",
        "/my-sites",
        "/my-sites/actions.ics",
    ):
        assert client.get(path).status_code == 403, path


def test_an_admin_sees_what_funders_do_not(client, login_as, shared):
    login_as("admin")
    site_page = client.get(f"/sites/{shared['site'].id}").get_data(as_text=True)
    assert OTHER_PROGRAMME in site_page and VISIT_ACTION in site_page
    assert f"/visits/{shared['visit'].id}" in site_page
    visit_page = client.get(f"/visits/{shared['visit'].id}").get_data(as_text=True)
    assert VISIT_SUMMARY in visit_page
    review_page = client.get(f"/fidelity-reviews/{shared['review'].id}").get_data(as_text=True)
    assert REVIEW_NOTE in review_page and REVIEWER in review_page


# The exports ------------------------------------------------------------------------------------


def _cells(response, extension: str) -> str:
    if extension == "csv":
        return str(list(csv.reader(io.StringIO(response.get_data(as_text=True)))))
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()), read_only=True)
    return str([list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets])


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_a_funders_exports_hold_neither_notes_nor_other_programmes(api, shared, extension):
    caller = api("funder", funder=shared["funder_a"])
    aurora, borealis = shared["aurora"].id, shared["borealis"].id
    for name in ("returns", "progress", "fidelity"):
        for narrow in ("", f"?programme_id={aurora}", f"?site_id={shared['site'].id}"):
            path = f"/api/v1/exports/{name}.{extension}{narrow}"
            response = caller.get(path)
            assert response.status_code == 200, path
            cells = _cells(response, extension)
            assert "Shared IPS service" in cells, path
            _absent(cells, path)
            assert "Beta only IPS service" not in cells, path
            if name == "progress":
                assert OWN_PROGRAMME in cells, path
        other = caller.get(f"/api/v1/exports/{name}.{extension}?programme_id={borealis}")
        assert other.status_code == 403
    admin = _cells(api("admin").get(f"/api/v1/exports/progress.{extension}"), extension)
    assert OTHER_PROGRAMME in admin

"""The Queries section on the return page and the return's queries page: raising a query with
the figure select and the text box, answering it (and closing it with the answer), closing and
reopening; the "Query open" flag beside a figure; and the homes of the site lead and trainer."""

from __future__ import annotations

import re

import sqlalchemy as sa

from sites.models import ReturnQuery, ReturnQueryAnswer
from tests.sites.returns.questions.conftest import MONTH, raised


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "no csrf_token on the page"
    return match.group(1)


def test_the_trainer_raises_a_query_from_the_queries_page(world, client, login_as) -> None:
    login_as(world.trainer)
    page = client.get(world.page_url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Queries on the March 2020 return" in html and "No queries on this return." in html
    assert "Raise a query" in html and "Your answer" not in html
    response = client.post(
        f"{world.page_url}/raise",
        data={
            "figure": "job_starts",
            "text": "Job starts look high against the last six months",
            "back": "queries",
        },
    )
    query = client.application.extensions["sqlalchemy"].session.scalar(sa.select(ReturnQuery))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{world.page_url}#query-{query.id}")
    html = client.get(world.page_url).get_data(as_text=True)
    assert "Job starts look high against the last six months" in html
    assert "Raised by Tess Trainer" in html and "Query open" in html
    assert "Close query" in html  # the raiser may close it


def test_an_expired_form_writes_nothing(world, client, login_as, db, monkeypatch) -> None:
    monkeypatch.setitem(client.application.config, "WTF_CSRF_ENABLED", True)
    login_as(world.trainer)
    html = client.get(world.page_url).get_data(as_text=True)
    assert _csrf(html)  # the form carries its token
    response = client.post(
        f"{world.page_url}/raise", data={"csrf_token": "x", "figure": "", "text": "High?"}
    )
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(ReturnQuery.id))) == 0


def test_a_query_needs_its_text_and_says_so(world, client, login_as, db) -> None:
    login_as(world.admin)
    response = client.post(
        f"{world.page_url}/raise", data={"figure": "jobs", "text": " ", "back": "return"}
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "There is a problem" in body and "Enter the query" in body and "Choose one of" in body
    assert db.session.scalar(sa.select(sa.func.count(ReturnQuery.id))) == 0


def test_the_lead_answers_and_closes_on_the_return_page(world, client, login_as, db) -> None:
    query = raised(world, figure="caseload", text="Caseload fell by half")
    login_as(world.lead)
    html = client.get(world.return_url).get_data(as_text=True)
    assert 'id="queries"' in html and "Caseload fell by half" in html
    assert "This answers the query: close it" in html
    assert "Raise a query" not in html and "Close query" not in html
    flags = html.split('id="caseload"')[0].rsplit("nhsuk-form-group", 1)[0]
    assert html.count("Query open") == 1 and "Query open" in flags.rsplit('name="', 1)[-1]
    prefix = f"answer-{query.id}"
    response = client.post(
        f"/queries/{query.id}/answer",
        data={
            f"{prefix}-text": "Two specialists left; the caseload moved to a partner",
            f"{prefix}-close": "y",
            f"{prefix}-version": str(query.version),
            f"{prefix}-back": "return",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{world.return_url}#query-{query.id}")
    db.session.refresh(query)
    assert query.status == "closed"
    html = client.get(world.return_url).get_data(as_text=True)
    assert "Query open" not in html and "Two specialists left" in html
    assert "From Lee Lead" in html and "Send answer" not in html


def test_an_empty_answer_is_refused_with_a_message(world, client, login_as, db) -> None:
    query = raised(world)
    login_as(world.lead)
    prefix = f"answer-{query.id}"
    response = client.post(
        f"/queries/{query.id}/answer",
        data={f"{prefix}-text": ""},
    )
    assert response.status_code == 422
    assert "Enter an answer" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(ReturnQueryAnswer.id))) == 0


def test_the_raiser_closes_and_reopens(world, client, login_as, db) -> None:
    query = raised(world)
    login_as(world.trainer)
    prefix = f"status-{query.id}"
    data = {f"{prefix}-version": str(query.version)}
    assert client.post(f"/queries/{query.id}/close", data=data).status_code == 302
    db.session.refresh(query)
    assert query.status == "closed"
    again = client.post(f"/queries/{query.id}/close", data={**data, f"{prefix}-version": ""})
    assert again.status_code == 409 and "closed already" in again.get_data(as_text=True)
    stale = client.post(f"/queries/{query.id}/reopen", data=data)  # the version read before
    assert stale.status_code == 409
    data[f"{prefix}-version"] = str(query.version)
    assert client.post(f"/queries/{query.id}/reopen", data=data).status_code == 302
    db.session.refresh(query)
    assert query.status == "open"


def test_who_may_use_the_pages(world, client, login_as, make) -> None:
    query = raised(world)
    for user, status in [
        (world.other_trainer, 403),
        (world.other_lead, 403),
        (world.funder, 403),
        (world.lead, 200),
        (world.admin, 200),
    ]:
        login_as(user)
        assert client.get(world.page_url).status_code == status, user.role
    login_as(world.lead)
    assert client.post(f"{world.page_url}/raise", data={}).status_code == 403
    assert client.post(f"/queries/{query.id}/close", data={}).status_code == 403
    login_as(world.other_lead)
    assert client.post(f"/queries/{query.id}/answer", data={}).status_code == 403
    login_as(world.trainer)
    assert client.post(f"/queries/{query.id}/answer", data={}).status_code == 403
    make.monthly_return(world.site, MONTH.replace(month=4), status="draft")
    assert client.get(f"/sites/{world.site.id}/returns/2020-04/queries").status_code == 404


def test_the_homes_list_open_queries_and_answers(world, client, login_as, db) -> None:
    from flask import current_app

    from sites.returns.questions.services import answer

    query = raised(world, figure="in_work")
    login_as(world.lead)
    html = client.get("/").get_data(as_text=True)
    assert "Open queries" in html
    assert f"{world.return_url}#query-{query.id}" in html and "In work" in html
    login_as(world.trainer)
    html = client.get("/").get_data(as_text=True)
    assert "Answers to your queries" in html and "No answers yet" in html
    with current_app.test_request_context():
        answer(world.lead, query, "Checked")
        db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert f"{world.page_url}#query-{query.id}" in html


def test_the_site_page_links_each_return_to_its_queries(world, client, login_as) -> None:
    raised(world)
    login_as(world.trainer)
    html = client.get(f"/sites/{world.site.id}").get_data(as_text=True)
    assert "Queries on returns" in html and "1 open query" in html
    assert f'href="{world.page_url}"' in html
    login_as(world.funder)
    html = client.get(f"/sites/{world.site.id}").get_data(as_text=True)
    assert "Queries on returns" not in html and world.page_url not in html

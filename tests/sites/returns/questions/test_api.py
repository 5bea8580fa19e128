"""The queries API: GET and POST /sites/{id}/returns/{YYYY-MM}/queries and POST
/queries/{id}/answer, as API.md says, with the e-mails read back from a real SMTP server."""

from __future__ import annotations

import sqlalchemy as sa

from core.audit import AuditEvent
from core.mail_server import text_part
from sites.models import ReturnQuery, ReturnQueryAnswer
from tests.sites.returns.questions.conftest import MONTH, raised


def test_the_trainer_raises_a_query_and_the_lead_answers_it(world, api, mailbox) -> None:
    trainer = api(world.trainer)
    created = trainer.post(world.queries_url, json={"field": "job_starts", "text": "Looks high"})
    assert created.status_code == 201, created.json
    body = created.json
    assert {k: body[k] for k in ("field", "text", "status", "raised_by", "answers")} == {
        "field": "job_starts",
        "text": "Looks high",
        "status": "open",
        "raised_by": "Tess Trainer",
        "answers": [],
    }
    assert body["id"] and body["version"] == 1 and body["raised_at"]

    assert len(mailbox.messages) == 1
    message = mailbox.messages[0]
    assert message["To"] == world.lead.email
    assert message["Subject"] == "A query on the March 2020 return for Bradford IPS"
    text = text_part(message)
    assert "about job starts" in text and f"{world.return_url}#queries" in text
    assert "Looks high" not in text  # no figures, no words of the query: a link

    lead = api(world.lead)
    answered = lead.post(
        f"/api/v1/queries/{body['id']}/answer", json={"text": "A new employer", "close": True}
    )
    assert answered.status_code == 200, answered.json
    assert answered.json["status"] == "closed" and answered.json["closed_at"]
    [reply] = answered.json["answers"]
    assert (reply["text"], reply["by"]) == ("A new employer", "Lee Lead") and reply["at"]

    assert len(mailbox.messages) == 2
    told = mailbox.messages[1]
    assert told["To"] == world.trainer.email
    assert "answered and closed" in told["Subject"]
    assert f"{world.page_url}#query-{body['id']}" in text_part(told)

    listed = api(world.admin).get(world.queries_url)
    assert listed.status_code == 200
    assert listed.json["total"] == 1 and listed.json["items"][0]["status"] == "closed"


def test_raising_and_answering_are_audited(world, api, db) -> None:
    created = api(world.admin).post(world.queries_url, json={"text": "Whole return?"})
    assert created.status_code == 201 and created.json["field"] is None
    api(world.lead).post(f"/api/v1/queries/{created.json['id']}/answer", json={"text": "Yes"})
    tables = db.session.scalars(
        sa.select(AuditEvent.table_name).where(
            AuditEvent.table_name.in_(["return_query", "return_query_answer"])
        )
    ).all()
    assert sorted(tables) == ["return_query", "return_query_answer"]


def test_who_may_read(world, api) -> None:
    raised(world)
    for user in (world.admin, world.trainer, world.lead):
        response = api(user).get(world.queries_url)
        assert response.status_code == 200 and response.json["total"] == 1
    for user in (world.other_trainer, world.other_lead, world.funder):
        assert api(user).get(world.queries_url).status_code == 403


def test_who_may_raise(world, api, db) -> None:
    body = {"text": "Why?"}
    for user in (world.lead, world.other_trainer, world.funder, world.other_lead):
        response = api(user).post(world.queries_url, json=body)
        assert response.status_code == 403, (user.role, response.json)
        assert response.json["error"]["code"] == "forbidden"
    assert db.session.scalar(sa.select(sa.func.count(ReturnQuery.id))) == 0


def test_who_may_answer(world, api, db) -> None:
    query = raised(world)
    url = f"/api/v1/queries/{query.id}/answer"
    for user in (world.trainer, world.other_trainer, world.other_lead, world.funder):
        assert api(user).post(url, json={"text": "Because"}).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(ReturnQueryAnswer.id))) == 0
    assert api(world.admin).post(url, json={"text": "Because"}).status_code == 200


def test_bad_input_is_422_per_field_and_nothing_is_written(world, api, db) -> None:
    admin = api(world.admin)
    cases = [
        ({}, {"text"}),
        ({"text": "Why?", "field": "job_start"}, {"field"}),
        ({"text": ""}, {"text"}),
        ({"text": "   "}, {"text"}),
        ({"text": "x" * 2001}, {"text"}),
        ({"text": "a\u0000b"}, {"text"}),
        ({"text": 5}, {"text"}),
        ({"text": "Why?", "field": 3}, {"field"}),
        ({"text": "", "field": "jobs"}, {"field", "text"}),
    ]
    for body, fields in cases:
        response = admin.post(world.queries_url, json=body)
        assert response.status_code == 422, (body, response.json)
        assert set(response.json["error"]["fields"]) == fields, (body, response.json)
    assert db.session.scalar(sa.select(sa.func.count(ReturnQuery.id))) == 0
    query = raised(world)
    url = f"/api/v1/queries/{query.id}/answer"
    bodies = ({}, {"text": " "}, {"text": "ok", "close": 0}, {"text": "ok", "close": "yes"})
    for body in (*bodies, {"text": "x" * 2001}):
        assert api(world.lead).post(url, json=body).status_code == 422, body
    assert db.session.scalar(sa.select(sa.func.count(ReturnQueryAnswer.id))) == 0


def test_not_found_and_conflicts(world, api, make) -> None:
    admin = api(world.admin)
    base = f"/api/v1/sites/{world.site.id}/returns"
    assert admin.get(f"{base}/2020-01/queries").status_code == 404  # no return that month
    assert admin.post(f"{base}/2020-01/queries", json={"text": "Why?"}).status_code == 404
    assert admin.get("/api/v1/sites/987654/returns/2020-03/queries").status_code == 404
    assert admin.get(f"{base}/2020-13/queries").status_code == 422
    assert admin.post("/api/v1/queries/987654/answer", json={"text": "x"}).status_code == 404
    assert admin.post("/api/v1/queries/2147483648/answer", json={"text": "x"}).status_code == 404

    make.monthly_return(world.site, MONTH.replace(month=4), status="draft")
    draft = admin.post(f"{base}/2020-04/queries", json={"text": "Why?"})
    assert draft.status_code == 409 and "draft" in draft.json["error"]["message"]
    assert admin.get(f"{base}/2020-04/queries").json["total"] == 0

    query = raised(world)
    url = f"/api/v1/queries/{query.id}/answer"
    stale = api(world.lead).post(url, json={"text": "x", "version": query.version + 1})
    assert stale.status_code == 409
    assert api(world.lead).post(url, json={"text": "Done", "close": True}).status_code == 200
    closed = api(world.lead).post(url, json={"text": "Again"})
    assert closed.status_code == 409 and closed.json["error"]["code"] == "conflict"


def test_anonymous_callers_get_401(world, client) -> None:
    assert client.get(world.queries_url).status_code == 401
    assert client.post(world.queries_url, json={"text": "Why?"}).status_code == 401


def test_a_return_with_an_open_query_cannot_be_approved(world, api) -> None:
    """Through both APIs: the approval (engineer A's part) refuses while our query is open."""
    admin = api(world.admin)
    created = admin.post(world.queries_url, json={"field": "caseload", "text": "Why?"})
    approve_url = world.queries_url.removesuffix("/queries") + "/approve"
    version = world.monthly_return.version
    refused = admin.post(approve_url, json={"version": version})
    assert refused.status_code == 409 and "open query" in refused.json["error"]["message"]
    closed = api(world.lead).post(
        f"/api/v1/queries/{created.json['id']}/answer", json={"text": "Checked", "close": True}
    )
    assert closed.status_code == 200
    approved = admin.post(approve_url, json={"version": version})
    assert approved.status_code == 200 and approved.json["status"] == "approved"

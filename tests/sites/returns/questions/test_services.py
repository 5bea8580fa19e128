"""The services of queries on returns: who may raise, answer, close and reopen them; a draft
cannot be queried; the figure and the text are checked; each change is audited."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from core.audit import AuditEvent
from core.errors import StaleVersion, ValidationFailed
from core.mail import EmailDelivery
from sites.models import ReturnQuery
from sites.returns.questions import services
from sites.returns.questions.queries import (
    answered_queries_raised_by,
    open_queries_of_sites,
    open_query_counts,
    return_queries,
)
from sites.returns.workflow import Refused
from tests.sites.returns.questions.conftest import MONTH, raised


@pytest.fixture
def request_context(app, db):
    with app.test_request_context():
        yield


def test_the_assigned_trainer_raises_a_query_on_a_figure(world, db, request_context) -> None:
    query = services.raise_query(world.trainer, world.monthly_return, "job_starts", "  High?  ")
    db.session.commit()
    assert (query.figure, query.text, query.status) == ("job_starts", "High?", "open")
    assert query.raised_by_id == world.trainer.id
    audit = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.table_name == "return_query")
    ).all()
    assert [event.action for event in audit] == ["create"]
    deliveries = db.session.scalars(sa.select(EmailDelivery)).all()
    assert [(d.recipient, d.purpose) for d in deliveries] == [(world.lead.email, "query_raised")]


def test_programme_staff_raise_a_query_on_the_whole_return(world, db, request_context) -> None:
    query = services.raise_query(world.admin, world.monthly_return, None, "Please check")
    assert query.figure is None and query.status == "open"


@pytest.mark.parametrize("who", ["other_trainer", "lead", "other_lead", "funder"])
def test_others_may_not_raise_a_query(world, db, request_context, who) -> None:
    with pytest.raises(Refused) as refused:
        services.raise_query(getattr(world, who), world.monthly_return, None, "Why?")
    assert refused.value.conflict is False
    assert db.session.scalar(sa.select(sa.func.count(ReturnQuery.id))) == 0


def test_a_draft_cannot_be_queried(world, db, make, request_context) -> None:
    draft = make.monthly_return(world.site, MONTH.replace(month=4), status="draft")
    with pytest.raises(Refused) as refused:
        services.raise_query(world.admin, draft, None, "Why?")
    assert refused.value.conflict is True and "draft" in refused.value.message


@pytest.mark.parametrize(
    ("figure", "text", "fields"),
    [
        ("job_start", "Why?", {"field"}),
        (None, "   ", {"text"}),
        (None, None, {"text"}),
        (None, "x" * (services.MAX_TEXT + 1), {"text"}),
        (None, "a\x00b", {"text"}),
        ("caseloads", "", {"field", "text"}),
    ],
)
def test_the_figure_and_the_text_are_checked(world, db, request_context, figure, text, fields):
    with pytest.raises(ValidationFailed) as failed:
        services.raise_query(world.admin, world.monthly_return, figure, text)
    assert set(failed.value.fields) == fields
    assert db.session.scalar(sa.select(sa.func.count(ReturnQuery.id))) == 0


def test_the_longest_text_is_accepted(world, db, request_context) -> None:
    query = services.raise_query(world.admin, world.monthly_return, None, "x" * services.MAX_TEXT)
    assert len(query.text) == services.MAX_TEXT


def test_the_site_lead_answers_and_closes(world, db, request_context) -> None:
    query = raised(world)
    services.answer(world.lead, query, "A new employer took four people", close=False)
    db.session.commit()
    assert query.status == "open" and len(query.answers) == 1
    services.answer(world.lead, query, "Closing it", close=True)
    db.session.commit()
    assert query.status == "closed" and query.closed_at is not None
    assert [a.text for a in query.answers] == ["A new employer took four people", "Closing it"]
    purposes = db.session.scalars(
        sa.select(EmailDelivery.purpose).where(EmailDelivery.recipient == world.trainer.email)
    ).all()
    assert purposes == ["query_answered", "query_answered"]


@pytest.mark.parametrize("who", ["trainer", "other_trainer", "other_lead", "funder"])
def test_others_may_not_answer(world, db, request_context, who) -> None:
    query = raised(world)
    with pytest.raises(Refused) as refused:
        services.answer(getattr(world, who), query, "Because")
    assert refused.value.conflict is False


def test_a_closed_query_takes_no_answer_until_reopened(world, db, request_context) -> None:
    query = raised(world)
    services.close_query(world.trainer, query)
    with pytest.raises(Refused) as refused:
        services.answer(world.lead, query, "Late answer")
    assert refused.value.conflict is True
    services.reopen_query(world.trainer, query)
    services.answer(world.admin, query, "Answered by staff")
    assert query.status == "open" and query.closed_at is None


def test_a_stale_version_is_refused(world, db, request_context) -> None:
    query = raised(world)
    with pytest.raises(StaleVersion):
        services.answer(world.lead, query, "Answer", close=True, version=query.version + 1)
    with pytest.raises(StaleVersion):
        services.close_query(world.trainer, query, version=query.version + 1)


def test_the_raiser_or_staff_close_and_reopen(world, db, request_context) -> None:
    query = raised(world)
    for who in (world.lead, world.other_trainer):
        with pytest.raises(Refused):
            services.close_query(who, query)
    services.close_query(world.admin, query)
    with pytest.raises(Refused) as refused:
        services.close_query(world.trainer, query)
    assert refused.value.conflict is True
    services.reopen_query(world.trainer, query)
    assert query.status == "open"


def test_the_reads_count_and_list_open_queries(world, db, make, request_context) -> None:
    first = raised(world, figure="job_starts")
    raised(world, by=world.admin, figure=None)
    closed = raised(world, figure="caseload")
    services.close_query(world.trainer, closed)
    other = make.monthly_return(world.site, MONTH.replace(month=5))
    db.session.commit()
    counts = open_query_counts([world.monthly_return.id, other.id])
    assert counts == {world.monthly_return.id: 2}
    assert open_query_counts([]) == {}
    listed = return_queries(world.monthly_return.id)
    assert [q.status for q in listed] == ["open", "open", "closed"]
    lines = open_queries_of_sites([world.site.id])
    assert [(line.query_id, line.site_name, line.month) for line in lines][0] == (
        first.id,
        "Bradford IPS",
        MONTH,
    )
    assert len(lines) == 2
    assert answered_queries_raised_by(world.trainer.id) == []
    services.answer(world.lead, first, "Because")
    db.session.commit()
    answered = answered_queries_raised_by(world.trainer.id)
    assert [(line.query_id, line.answers) for line in answered] == [(first.id, 1)]

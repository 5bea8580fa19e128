"""Who may move a return from which status to which (sites/returns/workflow.py)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sites.returns.workflow import (
    Actor,
    Move,
    Refused,
    Status,
    counted_statuses,
    save_move,
    step,
)

ADMIN = Actor("admin")
LEAD = Actor("site_lead", leads_site=True)
OTHER_LEAD = Actor("site_lead", leads_site=False)
TRAINER = Actor("trainer")
FUNDER = Actor("funder")


def test_the_whole_journey_submit_send_back_resubmit_approve_reopen():
    status = step(LEAD, Move.SAVE_DRAFT, None).to
    assert status == Status.DRAFT
    status = step(LEAD, Move.SUBMIT, status).to
    assert status == Status.SUBMITTED
    sent_back = step(ADMIN, Move.SEND_BACK, status)
    assert sent_back == sent_back.__class__(Status.RETURNED, needs_reason=True)
    assert step(LEAD, Move.SAVE_DRAFT, Status.RETURNED).to == Status.RETURNED
    status = step(LEAD, Move.SUBMIT, Status.RETURNED).to
    assert status == Status.SUBMITTED
    assert step(LEAD, Move.AMEND, status).to == Status.SUBMITTED
    status = step(ADMIN, Move.APPROVE, status).to
    assert status == Status.APPROVED
    assert step(LEAD, Move.ASK_TO_REOPEN, status).needs_reason
    assert step(ADMIN, Move.REOPEN, status) == step(ADMIN, Move.REOPEN, "approved")
    assert step(ADMIN, Move.REOPEN, status).to == Status.SUBMITTED


@pytest.mark.parametrize("move", [Move.AMEND, Move.SUBMIT, Move.SAVE_DRAFT])
@pytest.mark.parametrize("actor", [ADMIN, LEAD])
def test_an_approved_return_is_locked(actor, move):
    with pytest.raises(Refused) as refused:
        step(actor, move, Status.APPROVED)
    assert refused.value.conflict
    assert "approved and locked" in refused.value.message


@pytest.mark.parametrize("move", [Move.APPROVE, Move.SEND_BACK, Move.REOPEN])
@pytest.mark.parametrize("actor", [LEAD, OTHER_LEAD, TRAINER, FUNDER])
def test_only_programme_staff_approve_send_back_and_reopen(actor, move):
    with pytest.raises(Refused) as refused:
        step(actor, move, Status.SUBMITTED if move != Move.REOPEN else Status.APPROVED)
    assert not refused.value.conflict


@pytest.mark.parametrize("actor", [OTHER_LEAD, TRAINER, FUNDER])
def test_only_the_sites_lead_and_staff_write_figures(actor):
    for move in (Move.SAVE_DRAFT, Move.SUBMIT, Move.AMEND, Move.ASK_TO_REOPEN):
        with pytest.raises(Refused):
            step(actor, move, None)


def test_an_open_query_blocks_approval_but_not_sending_back():
    with pytest.raises(Refused, match="open query") as refused:
        step(ADMIN, Move.APPROVE, Status.SUBMITTED, open_queries=1)
    assert refused.value.conflict
    assert step(ADMIN, Move.SEND_BACK, Status.SUBMITTED, open_queries=2).to == Status.RETURNED


@pytest.mark.parametrize(
    ("move", "status", "words"),
    [
        (Move.APPROVE, Status.DRAFT, "Only a submitted return can be approved; this one is draft."),
        (Move.APPROVE, Status.APPROVED, "approved already"),
        (Move.SEND_BACK, Status.RETURNED, "Only a submitted return can be sent back"),
        (Move.REOPEN, Status.SUBMITTED, "Only an approved return can be reopened"),
        (Move.APPROVE, None, "There is no return for this month yet."),
    ],
)
def test_a_move_from_the_wrong_status_says_why(move, status, words):
    with pytest.raises(Refused, match=words) as refused:
        step(ADMIN, move, status)
    assert refused.value.conflict


def test_a_save_of_a_submitted_return_is_an_amendment_whatever_submit_says():
    assert save_move(Status.SUBMITTED, submit=False) == Move.AMEND
    assert save_move("submitted", submit=True) == Move.AMEND
    assert save_move(None, submit=True) == Move.SUBMIT
    assert save_move("returned", submit=False) == Move.SAVE_DRAFT


def test_funders_count_approved_returns_only():
    assert counted_statuses("funder") == (Status.APPROVED,)
    for role in ("admin", "trainer", "site_lead"):
        assert set(counted_statuses(role)) == {Status.SUBMITTED, Status.APPROVED}


actors = st.sampled_from([ADMIN, LEAD, OTHER_LEAD, TRAINER, FUNDER])
statuses = st.sampled_from([None, *Status])


@given(actor=actors, move=st.sampled_from(list(Move)), status=statuses, queries=st.integers(0, 3))
def test_every_move_either_steps_to_a_status_or_is_refused_with_a_sentence(
    actor, move, status, queries
):
    try:
        result = step(actor, move, status, open_queries=queries)
    except Refused as refused:
        assert refused.message.endswith(".")
        return
    assert result.to in Status
    assert actor.role == "admin" or actor.leads_site
    assert result.to != Status.APPROVED or (move == Move.APPROVE or status == Status.APPROVED)
    assert not (move == Move.APPROVE and queries)


@given(actor=actors, move=st.sampled_from(list(Move)))
def test_only_staff_reopen_approve_or_send_back(actor, move):
    for status in [None, *Status]:
        try:
            result = step(actor, move, status)
        except Refused:
            continue
        if move in {Move.APPROVE, Move.SEND_BACK, Move.REOPEN}:
            assert actor.role == "admin"
        if status == Status.APPROVED:
            assert move in {Move.REOPEN, Move.ASK_TO_REOPEN}, result


def test_funders_list_approved_returns_only_and_everyone_else_every_status():
    from sites.returns.workflow import listed_statuses

    assert listed_statuses("funder") == (Status.APPROVED,)
    assert all(listed_statuses(role) is None for role in ("admin", "trainer", "site_lead"))

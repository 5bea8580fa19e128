"""The approval forms: approve (the version read), send back, reopen and ask to reopen (a reason
and the version), the approval list's filters, and approving several returns at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wtforms import TextAreaField

from accounts.models import User
from core.limits import id_in_range
from core.web.forms import PortalForm, version_field
from sites.forms import ProgrammeRegionFilterForm
from sites.models import RETURN_STATUSES, MonthlyReturn
from sites.returns import rules as return_rules
from sites.returns import workflow
from sites.returns.approval import services
from sites.returns.approval.queries import (
    STATUS_TAGS,
    HistoryStep,
    pending_request,
    return_steps,
    sent_back_reason,
)

NO_INDIVIDUALS = "Do not name or describe any individual person."
REASON_LABELS = {
    workflow.Move.SEND_BACK: (
        "Why are you sending this return back?",
        "Say what the site lead should check or correct. They see this on the return and on "
        "their home page. " + NO_INDIVIDUALS,
    ),
    workflow.Move.REOPEN: (
        "Why are you reopening this return?",
        "Say what must change. The return is submitted again until it is approved again. "
        + NO_INDIVIDUALS,
    ),
    workflow.Move.ASK_TO_REOPEN: (
        "Why should this return be reopened?",
        "Say which figures are wrong. Programme staff see this on their approval list. "
        + NO_INDIVIDUALS,
    ),
}


class ApproveForm(PortalForm):
    version = version_field()


class ReasonForm(PortalForm):
    """A reason and the version read: send back, reopen, ask to reopen."""

    reason = TextAreaField("Reason")
    version = version_field()

    def for_move(self, move: workflow.Move) -> ReasonForm:
        label, hint = REASON_LABELS[move]
        self.reason.label.text = label
        self.reason.description = hint
        return self


class ApprovalFilterForm(ProgrammeRegionFilterForm):
    """The GET form above the approval list."""


class BulkApproveForm(PortalForm):
    """The approval list's checkboxes: each ticked box is "return id:version read"."""

    def chosen(self, values: list[str]) -> list[tuple[int, int]]:
        found: list[tuple[int, int]] = []
        for value in values[:500]:
            return_id, _, version = value.partition(":")
            digits = return_id.isdigit() and version.isdigit() and len(value) <= 24
            if digits and id_in_range(int(return_id)) and id_in_range(int(version)):
                found.append((int(return_id), int(version)))
        return found


@dataclass
class ApprovalSection:
    """What the return page shows of a return's approval to one user: its status, history, the
    reason it was sent back, a request to reopen it, its unusual figures (to programme staff),
    and the forms of the moves the user may make now."""

    status: str | None
    steps: list[HistoryStep] = field(default_factory=list)
    sent_back: HistoryStep | None = None
    request: HistoryStep | None = None
    unusual: list[dict[str, Any]] = field(default_factory=list)
    forms: dict[str, PortalForm] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return RETURN_STATUSES.get(self.status, "Not started") if self.status else "Not started"

    @property
    def colour(self) -> str:
        return STATUS_TAGS.get(self.status, "grey") if self.status else "grey"

    @property
    def locked(self) -> bool:
        return self.status == workflow.Status.APPROVED


def _allowed(actor: workflow.Actor, move: workflow.Move, status: str) -> bool:
    try:
        workflow.step(actor, move, status)
    except workflow.Refused:
        return False
    return True


def approval_section(user: User, monthly_return: MonthlyReturn | None) -> ApprovalSection:
    """The return page's approval section for `user`: one query for the history, one more to
    know whether a site lead leads the site."""
    if monthly_return is None:
        return ApprovalSection(None)
    status = monthly_return.status
    steps = return_steps(monthly_return.id)
    section = ApprovalSection(
        status,
        steps,
        sent_back=sent_back_reason(steps, status),
        request=pending_request(steps, status),
    )
    if user.role == "admin":
        section.unusual = [
            item | {"label": return_rules.FIGURES.get(str(item.get("figure")), "")}
            for item in monthly_return.unusual_figures or []
        ]
    actor = services.actor_of(user, monthly_return.site_id)
    version = monthly_return.version
    for move, form in (
        (workflow.Move.APPROVE, ApproveForm),
        (workflow.Move.SEND_BACK, ReasonForm),
        (workflow.Move.REOPEN, ReasonForm),
        (workflow.Move.ASK_TO_REOPEN, ReasonForm),
    ):
        if _allowed(actor, move, status):
            made = form(formdata=None)
            made.version.data = version
            if isinstance(made, ReasonForm):
                made.for_move(move)
            section.forms[move.value] = made
    return section

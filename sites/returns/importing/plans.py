"""What importing one valid row does to the return held for its site and month, in the words the
check page shows: "Replaces the submitted return (job starts 3 to 4)"."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sites.models import ReturnStatus
from sites.returns import rules as return_rules


class Outcome(StrEnum):
    """What importing a valid row does to the site's return for its month."""

    NEW = "new"
    REPLACES_SUBMITTED = "replaces_submitted"
    REPLACES_DRAFT = "replaces_draft"
    NO_CHANGE = "no_change"


def shown(value: Any) -> str:
    """A figure as the preview writes it: 1,204; 2.5; blank."""
    if value is None:
        return "blank"
    if isinstance(value, Decimal):
        return format(value.normalize(), ",f")
    return f"{value:,}"


@dataclass(frozen=True)
class Plan:
    """What importing a valid row does: the outcome, and the figures (and job starts by sector)
    it changes in the return held, in the return form's order and with its labels."""

    outcome: Outcome
    changes: list[return_rules.Change]
    status: str | None = None  # the status of the return held

    @property
    def headline(self) -> str:
        if self.outcome == Outcome.NEW:
            return "New return"
        if self.outcome == Outcome.NO_CHANGE:
            return "No change"
        if self.outcome == Outcome.REPLACES_DRAFT:
            return "Replaces the draft"
        if self.status == ReturnStatus.SUBMITTED:
            return "Replaces the submitted return"
        return f"Replaces the {self.status} return"  # a status added later says its own name

    @property
    def detail(self) -> str:
        """The changes, like "job starts 3 to 4, in work 15 to 16"; blank when there are none."""
        if self.outcome == Outcome.REPLACES_DRAFT and not self.changes:
            return "the same figures, now submitted"
        return ", ".join(
            f"{change.label[:1].lower()}{change.label[1:]} "
            f"{shown(change.before)} to {shown(change.after)}"
            for change in self.changes
        )

    @property
    def text(self) -> str:
        """The whole sentence: "Replaces the submitted return (job starts 3 to 4)"."""
        return f"{self.headline} ({self.detail})" if self.detail else self.headline

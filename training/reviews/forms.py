"""Forms of the review cycle: scheduling a review, its steps (report sent, action plan agreed),
linking the recorded review, cancelling, and the reviews-due list's filter. The service checks
what is chosen, so the form's own checks are only those of the date boxes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from markupsafe import escape
from wtforms import SelectChoice, SelectField
from wtforms.validators import Optional

from core.web.forms import PortalForm, day_field, version_field
from training.models import REVIEW_KINDS
from training.reviews.queries import Reviewer
from training.visits.forms import lenient_id

# The reviews-due list's windows: slug -> (label, days ahead; None: every site, 0: overdue only)
WINDOWS: dict[str, tuple[str, int | None]] = {
    "all": ("Every site", None),
    "overdue": ("Overdue only", 0),
    "90": ("Overdue or due in the next 90 days", 90),
    "365": ("Overdue or due in the next 12 months", 365),
}


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


class ScheduleForm(PortalForm):
    planned_on = day_field(
        "Date of the review",
        "the date of the review",
        hint="For example, 14 March 2027. Today or later.",
    )
    kind = SelectField("Kind of review", validate_choice=False, validators=[Optional()])
    lead_reviewer_id = SelectField(
        "Lead reviewer", coerce=lenient_id, validate_choice=False, validators=[Optional()]
    )
    second_reviewer_id = SelectField(
        "Second reviewer", coerce=lenient_id, validate_choice=False, validators=[Optional()]
    )

    def __init__(self, *args: Any, pool: Iterable[Reviewer] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = [SelectChoice("", "Choose the kind")] + [
            SelectChoice(slug, label) for slug, label in REVIEW_KINDS.items()
        ]
        people = [SelectChoice(reviewer.id, escape(reviewer.label)) for reviewer in pool]
        self.lead_reviewer_id.choices = [SelectChoice("", "Choose a reviewer"), *people]
        self.second_reviewer_id.choices = [SelectChoice("", "Choose a reviewer"), *people]


class StepForm(PortalForm):
    """The date a step was done: the report sent, or the action plan agreed."""

    on = day_field("Date", "the date", hint="For example, 2 May 2027. Not in the future.")
    version = version_field()


class LinkReviewForm(PortalForm):
    review_id = SelectField(
        "Recorded review", coerce=lenient_id, validate_choice=False, validators=[Optional()]
    )
    version = version_field()

    def set_reviews(self, reviews: Iterable[tuple[int, date, str]]) -> None:
        self.review_id.choices = [SelectChoice("", "Choose a review")] + [
            SelectChoice(review_id, f"{_long(day)} ({'final' if status == 'final' else 'draft'})")
            for review_id, day, status in reviews
        ]


class CancelForm(PortalForm):
    version = version_field()


class DueFilterForm(PortalForm):
    """The GET form above the reviews-due list."""

    class Meta:
        csrf = False

    within = SelectField(
        "Show",
        choices=[SelectChoice(slug, label) for slug, (label, _) in WINDOWS.items()],
        validators=[Optional()],
        validate_choice=False,
    )

    def days(self) -> int | None:
        """Days ahead the list reaches; None: every site. Anything not offered: every site."""
        slug = self.within.data if self.within.data in WINDOWS else "all"
        if self.within.data and self.within.data not in WINDOWS:
            self.within.errors = ["Choose what to show from the list"]
        return WINDOWS[slug][1]

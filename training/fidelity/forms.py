"""Forms for fidelity: the review form (25 items, each with a score, a note and an optional
action) and the network profile's filters.

The review form takes what was typed; training/reviews.py checks it, so the form and the API give
the same message for the same mistake. The form's own checks are only those the date boxes need
(a blank box, a date that is not a date).
"""

from __future__ import annotations

from typing import Any

from wtforms import RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from accounts.scopes import programme_site_ids
from core.web.forms import PortalForm, day_field, error_href, strip, version_field
from sites.forms import ProgrammeRegionFilterForm
from training.fidelity import scale as fidelity
from training.fidelity import scoring
from training.fidelity.queries import ProfileFilters
from training.models import REVIEW_KINDS, FidelityReview

REVIEW_DATE_HINT = "For example, 14 March 2025. Not in the future."
DUE_DATE_HINT = "Leave blank for six weeks after the review. For example, 30 April 2025."
NOTE_HINT = (
    "What the reviewers saw. Do not name or describe any individual person who uses the service."
)


def _score(text: Any) -> Any:
    """A score as typed: a whole number when it is one, None when blank, else the text (which
    the service reports)."""
    if text is None:
        return None
    text = str(text).strip()
    if not text:
        return None
    return int(text) if text.isdigit() and len(text) <= 6 else text


class ReviewForm(PortalForm):
    reviewed_on = day_field(
        "Date of the review",
        "the date of the review",
        required="Enter the date of the review",
        hint=REVIEW_DATE_HINT,
    )
    kind = RadioField(
        "Kind of review",
        choices=[SelectChoice(slug, label) for slug, label in REVIEW_KINDS.items()],
        validate_choice=False,
        validators=[Optional()],
    )
    lead_reviewer = StringField(
        "Lead reviewer",
        description="The name of the reviewer who leads the review",
        filters=[strip],
    )
    version = version_field()

    def review_data(self, status: str) -> dict[str, Any]:
        """The form's values in the shape training.reviews.save_review takes."""
        scores: dict[int, Any] = {}
        notes: dict[int, str] = {}
        actions: dict[int, dict[str, Any]] = {}
        for item in fidelity.ITEMS:
            n = item.number
            scores[n] = _score(self[f"score_{n}"].data)
            note = self[f"note_{n}"].data
            if note and note.strip():
                notes[n] = note
            plan = {
                "description": self[f"action_description_{n}"].data,
                "owner": self[f"action_owner_{n}"].data,
                "due_on": self[f"action_due_on_{n}"].data,
            }
            if any(plan.values()):
                actions[n] = plan
        return {
            "reviewed_on": self.reviewed_on.data,
            "kind": self.kind.data or None,
            "lead_reviewer": self.lead_reviewer.data,
            "status": status,
            "scores": scores,
            "notes": notes,
            "actions": actions,
        }

    def own_errors(self) -> dict[str, list[str]]:
        """The form's own messages (dates that are not dates), keyed as the service keys them."""
        errors: dict[str, list[str]] = {}
        if self.reviewed_on.errors:
            errors["reviewed_on"] = list(self.reviewed_on.errors)
        for item in fidelity.ITEMS:
            field = self[f"action_due_on_{item.number}"]
            if field.errors:
                errors[f"actions.{item.number}.due_on"] = list(field.errors)
        return errors

    def fill(self, review: FidelityReview) -> None:
        """Show a saved draft (and its version, which the next save must send)."""
        self.reviewed_on.data = review.reviewed_on
        self.kind.data = review.kind
        self.lead_reviewer.data = review.lead_reviewer
        self.version.data = review.version
        for row in review.scores:
            n = row.item
            if not 1 <= n <= len(fidelity.ITEMS):
                continue
            self[f"score_{n}"].data = "" if row.score is None else str(row.score)
            self[f"note_{n}"].data = row.note or ""
            self[f"action_description_{n}"].data = row.action_description or ""
            self[f"action_owner_{n}"].data = row.action_owner or ""
            self[f"action_due_on_{n}"].data = row.action_due_on

    def show_errors(self, errors: dict[str, list[str]]) -> list[dict[str, str]]:
        """Put each message on its field; answer the error summary (text and the id it links
        to) in the order of the form."""
        self.general_errors: list[str] = []
        for field in self:
            field.errors = []
        for key, messages in errors.items():
            field = self._field_for(key)
            if field is None:
                self.general_errors.extend(messages)
            else:
                field.errors = [*field.errors, *messages]
        summary = [{"text": m, "href": "#review-items"} for m in self.general_errors]
        for field in self:
            summary.extend({"text": m, "href": error_href(field)} for m in field.errors)
        return summary

    def _field_for(self, key: str) -> Any:
        parts = key.split(".")
        if key in ("reviewed_on", "kind", "lead_reviewer"):
            return self[key]
        if len(parts) == 2 and parts[0] == "scores" and parts[1].isdigit():
            return self._fields.get(f"score_{parts[1]}")
        if len(parts) == 2 and parts[0] == "notes" and parts[1].isdigit():
            return self._fields.get(f"note_{parts[1]}")
        if parts[0] == "actions" and len(parts) in (2, 3) and parts[1].isdigit():
            name = parts[2] if len(parts) == 3 else "description"
            return self._fields.get(f"action_{name}_{parts[1]}")
        return None

    def anchor_for(self, key: str) -> str:
        """The id (with its #) of the field a message about `key` ("scores.7", "reviewed_on")
        belongs to, for a link from another page (the check page) back to the form."""
        field = self._field_for(key)
        return "#review-items" if field is None else error_href(field)

    def running_total(self) -> dict[str, Any]:
        """What the form shows beside its buttons: items scored, their sum, the band when all
        25 are scored."""
        scores = scoring.clean_scores(
            {item.number: _score(self[f"score_{item.number}"].data) for item in fidelity.ITEMS}
        )
        total = scoring.review_total(scores)
        return {
            "scored": len(scores),
            "sum": sum(scores.values()),
            "total": total,
            "band": scoring.band_for(total) if total is not None else None,
        }


for _item in fidelity.ITEMS:
    _n = _item.number
    setattr(ReviewForm, f"score_{_n}", StringField(f"Item {_n}: {_item.name}"))
    setattr(
        ReviewForm,
        f"note_{_n}",
        TextAreaField(f"Note on item {_n} (optional)", description=NOTE_HINT),
    )
    setattr(
        ReviewForm,
        f"action_description_{_n}",
        TextAreaField(
            f"Action for item {_n}", description="What the site will do", filters=[strip]
        ),
    )
    setattr(
        ReviewForm,
        f"action_owner_{_n}",
        StringField(
            f"Owner of the action for item {_n}",
            description="A role or team, not a person's name: for example, the team leader",
            filters=[strip],
        ),
    )
    setattr(
        ReviewForm,
        f"action_due_on_{_n}",
        day_field(
            f"Due date of the action for item {_n} (optional)",
            f"the due date of the action for item {_n}",
            hint=DUE_DATE_HINT,
        ),
    )


# Finalising after the check page, and an admin's reopening of a final review


class FinaliseForm(PortalForm):
    """The check page's button: the version of the draft the page showed."""

    version = version_field()


REOPEN_HINT = (
    "Say what must change, for example a score recorded against the wrong item. Trainers of the "
    "site and programme staff see this reason on the draft, and the audit log keeps it. Do not "
    "name or describe any individual person."
)


class ReopenForm(PortalForm):
    """An admin's reason for reopening a final review (checked by services.reopen_errors)."""

    reason = TextAreaField("Why are you reopening this review?", description=REOPEN_HINT)
    version = version_field()


# The network profile's filters


ORDERS = {"scale": "In the scale's order", "weakest": "Weakest first"}


class ProfileFilterForm(ProgrammeRegionFilterForm):
    """The GET form above the network profile."""

    order = SelectField(
        "Order of the items",
        choices=[SelectChoice(slug, label) for slug, label in ORDERS.items()],
        validators=[Optional()],
        validate_choice=False,
    )

    def weakest_first(self) -> bool:
        return self.chosen(self.order, ORDERS, "Choose an order from the list") == "weakest"

    def filters(self) -> ProfileFilters:
        programme_id = self.chosen_programme_id()
        return ProfileFilters(
            site_ids=programme_site_ids(programme_id) if programme_id is not None else None,
            region=self.chosen_region(),
        )

"""Forms for trainers' work: the visit form with its rows of agreed actions (and the form that
corrects a logged visit), an action's status and note, the actions list's filters, and the
admin's assignment forms.

The visit form takes what was typed; training/visits/services.py checks it, so the form and the
API give the same message for the same mistake. The form's own checks are only those the date
boxes need (a blank box, a date that is not a date): own_errors. The action rows are plain inputs
named actions-N-description, actions-N-owner and actions-N-due_on[day|month|year] (a date input):
the server shows three (and every filled one) without JavaScript, and static/js/add-another.js
adds more. On the edit form an action already logged also posts hidden actions-N-id and
actions-N-version.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from markupsafe import escape
from wtforms import HiddenField, RadioField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import Optional, StopValidation

from accounts.models import User
from core.errors import Fields
from core.extensions import db
from core.limits import id_in_range
from core.schemas import MAX_ID
from core.web.forms import (
    DATE_PARTS,
    PortalForm,
    TypedDay,
    day_field,
    error_href,
    read_day,
    version_field,
)
from sites.forms import site_choices
from training.fidelity import scale as fidelity
from training.models import ACTION_STATUSES, VISIT_PURPOSES
from training.visits.actions import STATE_COLOURS, STATE_LABELS, ActionStatus
from training.visits.services import MAX_ACTIONS

EMPTY_ACTION_ROWS = 3
IDS = ("id", "version")
MAX_ROWS_READ = 50  # rows beyond are ignored; the service refuses more than MAX_ACTIONS anyway
VISIT_DATE_HINT = "For example, 14 March 2025. Not in the future."
SUMMARY_HINT = (
    "What you did and what you saw of the service. Do not include names or any other details "
    "of an individual person."
)
ROW_FIELD = re.compile(
    r"^actions-(\d{1,3})-(?:(description|owner|id|version)|due_on\[(day|month|year)\])$"
)
NOTE_HINT = (
    "What was done, or why it was dropped. Do not include names or any other details of an "
    "individual person. Opening the action again clears the note."
)


def lenient_id(value: Any) -> int | None:
    """A select's value as an id; None for blank or anything that is not a whole number."""
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 10:
        number = int(value.strip())
        return number if id_in_range(number) else None
    return None


@dataclass
class ActionRowInput:
    """One row of the visit form's actions, as typed, with its messages."""

    description: str = ""
    owner: str = ""
    due_on: dict[str, str] = field(default_factory=dict)  # the date's boxes: day, month, year
    errors: dict[str, list[str]] = field(default_factory=dict)
    due_parts: tuple[str, ...] = ()  # the boxes of the due date its message is about
    id: str = ""  # an action already logged (the edit form): its id and the version read
    version: str = ""

    @property
    def blank(self) -> bool:
        """Nothing typed in a new row (an action already logged is never a blank row)."""
        typed = [self.id, self.description, self.owner, *self.due_on.values()]
        return not any(text.strip() for text in typed)

    def due(self, number: int) -> TypedDay:
        return read_day(self.due_on, f"the due date of action {number}")

    def data(self, number: int) -> dict[str, Any]:
        return {
            "description": self.description,
            "owner": self.owner,
            "due_on": self.due(number).day,
        }

    @classmethod
    def of(cls, action: Any) -> ActionRowInput:
        """The row of an action already logged, as the edit form first shows it."""
        day = action.due_on
        return cls(
            description=action.description,
            owner=action.owner,
            due_on={"day": str(day.day), "month": str(day.month), "year": str(day.year)},
            id=str(action.id),
            version=str(action.version),
        )


class _VisitFields(PortalForm):
    """What the visit form and the edit form share: the date, purpose and summary, and the rows
    of actions."""

    FIELDS: tuple[str, ...] = ("visited_on", "purpose", "summary")

    visited_on = day_field("Date of the visit", "the date of the visit", hint=VISIT_DATE_HINT)
    purpose = RadioField(
        "Purpose of the visit",
        choices=[SelectChoice(slug, label) for slug, label in VISIT_PURPOSES.items()],
        validate_choice=False,
        validators=[Optional()],
    )
    summary = TextAreaField("Summary", description=SUMMARY_HINT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows: list[ActionRowInput] = []
        self.summary_errors: list[dict[str, str]] = []

    def read_rows(self, formdata: Mapping[str, Any]) -> None:
        """The filled action rows of a POST, in the order of their numbers."""
        found: dict[int, ActionRowInput] = {}
        for key in formdata:
            match = ROW_FIELD.match(key)
            if match is None:
                continue
            index = int(match.group(1))
            if index >= MAX_ROWS_READ:
                continue
            row = found.setdefault(index, ActionRowInput())
            value = str(formdata.get(key) or "")
            if match.group(2):
                setattr(row, match.group(2), value.strip() if match.group(2) in IDS else value)
            else:
                row.due_on[match.group(3)] = value
        self.rows = [found[i] for i in sorted(found) if not found[i].blank]
        for row in self.rows:
            row.due_on = {part: row.due_on.get(part, "").strip() for part in DATE_PARTS}

    def visit_data(self) -> dict[str, Any]:
        return {
            "visited_on": self.visited_on.data,
            "purpose": self.purpose.data or None,
            "summary": self.summary.data,
            "actions": [row.data(index + 1) for index, row in enumerate(self.rows)],
        }

    def fill(self, visit: Any, actions: list[Any]) -> None:
        """Show the visit as it is saved, with its actions, for the edit form."""
        self.visited_on.data = visit.visited_on
        self.purpose.data = visit.purpose
        self.summary.data = visit.summary
        self.rows = [ActionRowInput.of(action) for action in actions]

    def own_errors(self) -> Fields:
        """The date boxes' own messages (a blank box, a date that is not a date), keyed as the
        service keys its messages: they replace what the service says of the same date."""
        errors: Fields = {}
        if self.visited_on.errors:
            errors["visited_on"] = list(self.visited_on.errors)
        for index, row in enumerate(self.rows):
            due = row.due(index + 1)
            row.due_parts = due.parts
            if due.message:
                errors[f"actions.{index}.due_on"] = [due.message]
        return errors

    def shown_rows(self) -> list[ActionRowInput]:
        """The rows to show: the filled ones and at least one empty, three or more in all."""
        rows = list(self.rows)
        empty = max(EMPTY_ACTION_ROWS - len(rows), 1 if len(rows) < MAX_ACTIONS else 0)
        return rows + [ActionRowInput() for _ in range(empty)]

    def show_errors(self, errors: Fields) -> None:
        """Put the service's messages on the fields and the rows; build the error summary (each
        message with the id it links to), in the order of the form."""
        for name in self.FIELDS:
            self[name].errors = list(errors.get(name, []))
        self.form_errors.extend(errors.get("actions", []))
        for index, row in enumerate(self.rows):
            row.errors = {
                part: list(errors.get(f"actions.{index}.{part}", []))
                for part in ("description", "owner", "due_on")
            }
            row.errors = {part: messages for part, messages in row.errors.items() if messages}
            for message in errors.get(f"actions.{index}", []):
                row.errors.setdefault("description", []).append(message)
        summary = []
        for name in self.FIELDS:
            summary += [{"text": m, "href": error_href(self[name])} for m in self[name].errors]
        summary += [{"text": m, "href": "#actions"} for m in self.form_errors]
        for index, row in enumerate(self.rows):
            due_box = (row.due_parts if row.errors.get("due_on") else ()) or DATE_PARTS
            for part, href in (
                ("description", f"#actions-{index}-description"),
                ("owner", f"#actions-{index}-owner"),
                ("due_on", f"#actions-{index}-due_on-{due_box[0]}"),
            ):
                summary += [{"text": m, "href": href} for m in row.errors.get(part, [])]
        self.summary_errors = summary


class VisitForm(_VisitFields):
    """Log a visit: the site (one of `sites`), the visit, and the actions agreed."""

    FIELDS = ("site_id", *_VisitFields.FIELDS)

    site_id = SelectField("Site", coerce=lenient_id, validate_choice=False)

    def __init__(self, *args: Any, sites: list[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Escaped here: the NHS.UK select prints option labels as given.
        self.site_id.choices = [SelectChoice("", "Choose a site")] + [
            SelectChoice(row.id, escape(f"{row.name} ({row.organisation})")) for row in sites
        ]
        self.site_ids = {row.id for row in sites}


class VisitEditForm(_VisitFields):
    """Correct a logged visit (its site stays): the rows of its actions carry their ids and
    versions, and rows left empty may add actions."""

    version = version_field()

    def visit_data(self) -> dict[str, Any]:
        data = super().visit_data()
        for row, action in zip(self.rows, data["actions"], strict=True):
            action["id"] = lenient_id(row.id)
            action["version"] = lenient_id(row.version)
        return data


ACTION_CHOICES = {
    ActionStatus.DONE: "Done",
    ActionStatus.DROPPED: "Dropped: no longer needed or not going ahead",
    ActionStatus.OPEN: "Open: still to do",
}


class ActionStatusForm(PortalForm):
    """Mark an action done or dropped (closed today unless a date is given), or open again."""

    status = RadioField(
        "What is the action's status now?",
        choices=[SelectChoice(slug, label) for slug, label in ACTION_CHOICES.items()],
        validate_choice=False,
        validators=[Optional()],
    )
    closed_on = day_field(
        "Date closed (optional)",
        "the date closed",
        hint="Leave blank for today. For example, 14 March 2025.",
    )
    note = TextAreaField("Note (optional)", description=NOTE_HINT)
    version = version_field()
    next = HiddenField()

    def offer(self, statuses: tuple[str, ...]) -> None:
        """Offer only the statuses the user may choose (a site lead does not drop actions)."""
        self.status.choices = [
            SelectChoice(slug, label) for slug, label in ACTION_CHOICES.items() if slug in statuses
        ]

    def fill(self, action: Any) -> None:
        """The action as saved; an open one is offered as done, the usual change."""
        self.status.data = (
            ActionStatus.DONE if action.status == ActionStatus.OPEN else action.status
        )
        self.closed_on.data = action.closed_on
        self.note.data = action.note
        self.version.data = action.version


class ActionUndoForm(PortalForm):
    """The banner's "Undo": the version the banner showed, and the page to go back to."""

    version = version_field()
    next = HiddenField()


class ActionFilterForm(PortalForm):
    """The GET form above the actions list. Values that are not offered are left out."""

    class Meta:
        csrf = False

    site_id = SelectField("Site", validators=[Optional()], validate_choice=False)
    status = SelectField(
        "Status",
        choices=[
            SelectChoice(ActionStatus.OPEN, "Open"),
            SelectChoice(ActionStatus.DONE, "Done"),
            SelectChoice(ActionStatus.DROPPED, "Dropped"),
            SelectChoice("all", "Any status"),
        ],
        validators=[Optional()],
        validate_choice=False,
    )
    due = SelectField(
        "Due",
        choices=[
            SelectChoice("", "Any due date"),
            SelectChoice("overdue", "Overdue"),
            SelectChoice("due_soon", "Due in the next 14 days"),
        ],
        validators=[Optional()],
        validate_choice=False,
    )

    def set_sites(self, sites: list[Any]) -> None:
        self.site_id.choices = [SelectChoice("", "All your sites")] + [
            SelectChoice(str(row.id), escape(row.name)) for row in sites
        ]

    def chosen(self) -> tuple[int | None, str, str | None]:
        """(site_id, status, due) as chosen; anything not offered is reported and left out."""
        site_ids = {choice.value for choice in self.site_id.choices if choice.value}
        site_id = self.site_id.data if self.site_id.data in site_ids else None
        if self.site_id.data and site_id is None:
            self.site_id.errors = ["Choose a site from the list"]
        status = self.status.data or ActionStatus.OPEN
        if status not in {ActionStatus.OPEN, ActionStatus.DONE, ActionStatus.DROPPED, "all"}:
            self.status.errors = ["Choose a status from the list"]
            status = ActionStatus.OPEN
        due = self.due.data or None
        if due not in {None, "overdue", "due_soon"}:
            self.due.errors = ["Choose a due date from the list"]
            due = None
        if due is not None:
            status = ActionStatus.OPEN  # overdue and due soon are states of open actions
        self.status.data = status
        return (int(site_id) if site_id else None), status, due


class TrainerChoiceForm(PortalForm):
    """An admin chooses whose "My sites" to see."""

    class Meta:
        csrf = False

    trainer_id = SelectField("Trainer", validators=[Optional()], validate_choice=False)

    def set_trainers(self, trainers: list[Any]) -> None:
        self.trainer_id.choices = [SelectChoice("", "Choose a trainer")] + [
            SelectChoice(str(row.id), escape(row.name if row.active else f"{row.name} (inactive)"))
            for row in trainers
        ]


def chosen(message: str) -> Any:
    """A select's validator: something from the list must be chosen (its data is an id)."""

    def check(form: Any, field: Any) -> None:
        if field.data is None:
            raise StopValidation(message)

    return check


class AssignmentForm(PortalForm):
    user_id = SelectField(
        "Trainer",
        coerce=lenient_id,
        validate_choice=False,
        validators=[chosen("Choose the trainer")],
    )
    site_id = SelectField(
        "Site", coerce=lenient_id, validate_choice=False, validators=[chosen("Choose the site")]
    )
    starts_on = day_field(
        "Start date", "the start date", required="Enter the first day of the assignment"
    )
    ends_on = day_field(
        "End date (optional)",
        "the end date",
        hint="The last day of the assignment. Leave blank while it goes on.",
    )

    def __init__(self, *args: Any, trainers: list[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user_id.choices = [SelectChoice("", "Choose a trainer")] + [
            SelectChoice(row.id, escape(f"{row.name} ({row.email})"))
            for row in trainers
            if row.active
        ]
        self.site_id.choices = [SelectChoice("", "Choose a site")] + [
            SelectChoice(choice.value, escape(choice.label)) for choice in site_choices()
        ]


class EndAssignmentForm(PortalForm):
    ends_on = day_field(
        "Last day of the assignment",
        "the last day",
        required="Enter the last day of the assignment",
        hint="The trainer still has the site on this day. For example, 31 March 2026.",
    )
    version = version_field()


def _whole_number(text: str | None) -> int | None:
    return int(text) if text is not None and text.strip().isdigit() else None


def chosen_trainer(user: User, args: Mapping[str, str]) -> tuple[User | None, bool]:
    """The trainer whose sites to show: the user, or (for an admin) ?trainer_id= in `args`; and
    whether an admin asked for one that is not a trainer."""
    if user.role == "trainer":
        return user, False
    trainer_id = _whole_number(args.get("trainer_id"))
    if trainer_id is None:
        return None, bool(args.get("trainer_id"))
    trainer = db.session.get(User, trainer_id) if 0 < trainer_id <= MAX_ID else None
    if trainer is None or trainer.role != "trainer":
        return None, True
    return trainer, False


def display_labels() -> dict[str, Any]:
    """The words and colours the visit and action templates show for each code."""
    return {
        "purposes": VISIT_PURPOSES,
        "state_labels": STATE_LABELS,
        "state_colours": STATE_COLOURS,
        "statuses": ACTION_STATUSES,
        "bands": fidelity.BANDS,
    }

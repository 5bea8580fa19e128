"""The forms of a return's Queries section (raise a query, answer one, close or reopen one) and
the section itself: what the return page and the queries page show of a return's queries, with
the forms the user may use. services.py checks what is typed, so the form and the API give the
same message for the same mistake; the forms check only their CSRF token and unstorable text."""

from __future__ import annotations

from dataclasses import dataclass, field

from wtforms import BooleanField, HiddenField, SelectField, TextAreaField
from wtforms.validators import Optional

from accounts.models import User
from core.web.forms import PortalForm, blank, version_field
from sites.models import MonthlyReturn, ReturnQuery, ReturnStatus
from sites.returns import rules as return_rules
from sites.returns.questions import services
from sites.returns.questions.queries import return_queries

# Where a form was sent from, so that the answer goes back there: the return page (those who
# send returns) or the queries page (everyone who may read the queries).
FROM_RETURN = "return"
FROM_QUERIES = "queries"
NO_DETAILS = "Do not include names or any other details of an individual person."


class RaiseQueryForm(PortalForm):
    figure = SelectField(
        "What is the query about?",
        choices=blank("The return as a whole", return_rules.FIGURES),
        validate_choice=False,  # services.py names a figure that is not one
        validators=[Optional()],
    )
    text = TextAreaField(
        "Your query",
        description="For example: job starts look high against the last six months. " + NO_DETAILS,
    )
    back = HiddenField()


class AnswerQueryForm(PortalForm):
    text = TextAreaField("Your answer", description=NO_DETAILS)
    close = BooleanField("This answers the query: close it")
    version = version_field()
    back = HiddenField()


class QueryStatusForm(PortalForm):
    """Close an open query, or reopen a closed one: the button, the version read."""

    version = version_field()
    back = HiddenField()


def answer_prefix(query_id: int) -> str:
    """Each open query has its own forms on the page: their fields are named apart."""
    return f"answer-{query_id}"


def status_prefix(query_id: int) -> str:
    return f"status-{query_id}"


@dataclass
class QueriesSection:
    """A return's queries as the Queries section shows them to one user, with their forms."""

    monthly_return: MonthlyReturn
    queries: list[ReturnQuery]
    raise_form: RaiseQueryForm | None
    answer_forms: dict[int, AnswerQueryForm] = field(default_factory=dict)
    status_forms: dict[int, QueryStatusForm] = field(default_factory=dict)
    figures: dict[str, str] = field(default_factory=lambda: dict(return_rules.FIGURES))
    statuses: dict[str, str] = field(default_factory=lambda: dict(services.STATUSES))

    @property
    def open_figures(self) -> set[str]:
        """The figures with an open query, flagged beside them on the return page."""
        return {q.figure for q in self.queries if q.status == services.OPEN and q.figure}

    @property
    def open_count(self) -> int:
        return sum(1 for q in self.queries if q.status == services.OPEN)

    def label(self, figure: str | None) -> str:
        return services.figure_label(figure)


def queries_section(
    user: User,
    monthly_return: MonthlyReturn | None,
    back: str = FROM_RETURN,
    raise_form: RaiseQueryForm | None = None,
    answer_form: tuple[int, AnswerQueryForm] | None = None,
) -> QueriesSection | None:
    """The section for `monthly_return` (None when there is none, or it is a draft: a draft
    cannot be queried). Forms typed in and sent back with errors replace the blank ones."""
    if monthly_return is None or monthly_return.status == ReturnStatus.DRAFT:
        return None
    site_id = monthly_return.site_id
    queries = return_queries(monthly_return.id)
    if raise_form is None and services.may_raise(user, site_id):
        raise_form = RaiseQueryForm(formdata=None, back=back)
    section = QueriesSection(monthly_return, queries, raise_form)
    answerer = services.may_answer(user, site_id)
    for query in queries:
        if answerer and query.status == services.OPEN:
            section.answer_forms[query.id] = AnswerQueryForm(
                formdata=None, prefix=answer_prefix(query.id), back=back, version=query.version
            )
        if services.may_close(user, query):
            section.status_forms[query.id] = QueryStatusForm(
                formdata=None, prefix=status_prefix(query.id), back=back, version=query.version
            )
    if answer_form is not None and answer_form[0] in section.answer_forms:
        section.answer_forms[answer_form[0]] = answer_form[1]
    return section

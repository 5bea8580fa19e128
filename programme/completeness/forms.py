"""The GET form above the completeness page: a period (from and to months, as the API names
them), a programme and a region."""

from __future__ import annotations

from datetime import date
from typing import Any

from wtforms import StringField

from core.months import MONTH_EXAMPLE, month_error, month_slug, parse_month
from core.web.forms import strip
from sites.forms import ProgrammeRegionFilterForm

MONTH_HINT = f"A month as YYYY-MM, like {MONTH_EXAMPLE}"
TO_BEFORE_FROM = "The last month must be the same as or after the first month"


class CompletenessFilterForm(ProgrammeRegionFilterForm):
    """A month that cannot be read, or a last month before the first, is reported at its field
    and left out (the default period stands in for it), as the programme and region are."""

    from_month = StringField("From", name="from", description=MONTH_HINT, filters=[strip])
    to_month = StringField("To", name="to", description=MONTH_HINT, filters=[strip])

    def _month(self, field: Any) -> date | None:
        if not field.data or field.errors:
            return None
        error = month_error(field.data)
        if error:
            field.errors = [*field.errors, error]
            return None
        return parse_month(field.data)

    def chosen_months(self) -> tuple[date | None, date | None]:
        first, last = self._month(self.from_month), self._month(self.to_month)
        if first is not None and last is not None and last < first:
            self.to_month.errors = [*self.to_month.errors, TO_BEFORE_FROM]
            last = None
        return first, last

    def show_period(self, first: date, last: date) -> None:
        """Fill the blank boxes with the months read, so that the page says which they are."""
        for field, month in ((self.from_month, first), (self.to_month, last)):
            if not field.data:
                field.data = month_slug(month)

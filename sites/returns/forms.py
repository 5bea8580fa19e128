"""The monthly return form: every figure of the month with a hint that says what it counts."""

from __future__ import annotations

from typing import Any

from wtforms import (
    BooleanField,
    StringField,
)

from core.web.forms import (
    PortalForm,
    strip,
    version_field,
)
from sites.returns import rules as return_rules

RETURN_HINTS = {
    "referrals": "People referred to the service this month.",
    "caseload": "People supported at the end of the month, including those in in-work support.",
    "new_to_service": "People who joined the caseload this month.",
    "first_contact_within_4_weeks": "Of the people new to the service this month, those "
    f"{return_rules.FIRST_CONTACT_MEANS}.",
    "job_starts": "Paid jobs started this month. Give them by sector below.",
    "in_work": "People on the caseload in paid work at the end of the month. No more than the "
    "caseload.",
    "sustained_13_weeks": "People whose job started 3 months earlier and who are still in work.",
    "employment_specialists_fte": "Full-time equivalent, for example 2.5.",
    "discharges": "People who left the caseload this month.",
}


class ReturnForm(PortalForm):
    version = version_field()
    confirm_warnings = BooleanField("I have checked these figures and they are right")

    def figures(self) -> dict[str, str | None]:
        return {name: self[name].data for name in return_rules.FIGURES}

    def sectors(self) -> dict[str, str | None]:
        return {slug: self[f"sector_{slug}"].data for slug in return_rules.SECTORS}

    def fill(self, monthly_return: Any) -> None:
        """Show a saved return's figures (and its version, which the next save must send)."""
        for name in return_rules.FIGURES:
            value = getattr(monthly_return, name)
            self[name].data = "" if value is None else str(value)
        counts = monthly_return.sector_counts()
        for slug in return_rules.SECTORS:
            self[f"sector_{slug}"].data = str(counts.get(slug, 0))
        self.version.data = monthly_return.version
        self.confirm_warnings.data = False

    def show_errors(self, errors: dict[str, list[str]]) -> list[dict[str, str]]:
        """Put the rules' messages on the fields, each after its label; answer the error summary
        (text and the id it links to), in form order."""
        summary: list[dict[str, str]] = []
        self.sector_errors: list[str] = []
        for key, messages in errors.items():
            if key in return_rules.FIGURES:
                field = self[key]
                field.errors = [f"{field.label.text} {m}" for m in messages]
            elif key.startswith("sectors."):
                field = self[f"sector_{key.removeprefix('sectors.')}"]
                field.errors = [f"{field.label.text} job starts {m}" for m in messages]
            elif key == "sectors":
                self.sector_errors = [f"Job starts by sector {m}" for m in messages]
            else:
                self.form_errors.extend(messages)
        for message in self.form_errors:
            summary.append({"text": message[:1].upper() + message[1:], "href": "#figures"})
        for field in self:
            summary.extend({"text": m, "href": f"#{field.id}"} for m in field.errors)
            if field.name == "job_starts":
                summary.extend({"text": m, "href": "#sectors"} for m in self.sector_errors)
        return summary


for _name, _label in return_rules.FIGURES.items():
    setattr(
        ReturnForm,
        _name,
        StringField(_label, description=RETURN_HINTS[_name], filters=[strip]),
    )
for _slug, _label in return_rules.SECTORS.items():
    setattr(ReturnForm, f"sector_{_slug}", StringField(_label, filters=[strip]))

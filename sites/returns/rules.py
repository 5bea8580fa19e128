"""The rules of a monthly return's figures. Pure: no Flask, no SQLAlchemy.

`check_return` takes the figures as they arrive (JSON values, form or CSV strings, anything at
all) and answers the cleaned values, an error list per field and the warnings; it never raises.
The form, the API and the CSV import all check through it, so a return means the same wherever it
came from. Messages start in lower case after the field: the form puts the field's label before
them ("Job starts must be a whole number, 0 or more"), the API sends them as they are.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from core.months import add_months, month_start

# What the 4-week contact figure counts, in one wording for the form, the pages and the report
# (IPS principle 4, rapid job search: fidelity item 15).
FIRST_CONTACT_MEANS = (
    "whose first face-to-face contact with an employer, by them or their employment specialist, "
    "came within 4 weeks of joining the service"
)

# The whole-number figures of a return, in form order, with what each counts.
COUNTS: dict[str, str] = {
    "referrals": "Referrals",
    "caseload": "Caseload",
    "new_to_service": "New to the service",
    "first_contact_within_4_weeks": "First contact within 4 weeks",
    "job_starts": "Job starts",
    "in_work": "In work",
    "sustained_13_weeks": "Jobs sustained 13 weeks",
    "discharges": "Discharges",
}
FTE = "employment_specialists_fte"
FIGURES: dict[str, str] = {**COUNTS, FTE: "Employment specialists (full-time equivalent)"}

SECTORS: dict[str, str] = {
    "construction": "Construction",
    "health_and_social_care": "Health and social care",
    "education": "Education",
    "retail": "Retail",
    "hospitality": "Hospitality",
    "admin_and_finance": "Admin and finance",
    "engineering_and_trades": "Engineering and trades",
    "animal_care": "Animal care",
    "other": "Other",
}

MAX_COUNT = 100_000  # far above any one IPS service's month; keeps typos out of the sums
MAX_FTE = Decimal("999.99")
CASELOAD_PER_SPECIALIST_WARNING = 25  # IPS expects 20 or fewer

WHOLE = "must be a whole number, 0 or more"
TOO_BIG = f"must be {MAX_COUNT:,} or less"
REQUIRED = "is needed to submit: enter 0 if there were none"
FTE_NUMBER = "must be a number, 0 or more, like 2.5"
FTE_PLACES = "must have no more than 2 decimal places"
FTE_TOO_BIG = f"must be {MAX_FTE} or less"


@dataclass(frozen=True)
class CheckedReturn:
    """The figures cleaned (None where left blank), the errors per field and the warnings."""

    values: dict[str, int | Decimal | None]
    sectors: dict[str, int] | None
    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_count(value: Any) -> tuple[int | None, str | None]:
    """A whole number from 0 to MAX_COUNT, or an error message. Blank is (None, None)."""
    if _blank(value):
        return None, None
    if isinstance(value, bool):
        return None, WHOLE
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            return None, WHOLE
        number = int(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", "")
        if not text.isascii() or not text.isdigit():
            return None, WHOLE
        if len(text) > 12:
            return None, TOO_BIG
        number = int(text)
    else:
        return None, WHOLE
    if number < 0:
        return None, WHOLE
    if number > MAX_COUNT:
        return None, TOO_BIG
    return number, None


def parse_fte(value: Any) -> tuple[Decimal | None, str | None]:
    """A decimal from 0 to MAX_FTE with at most two places, or an error message."""
    if _blank(value):
        return None, None
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None, FTE_NUMBER
    if isinstance(value, str) and len(value.strip()) > 20:
        return None, FTE_NUMBER
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None, FTE_NUMBER
    if not number.is_finite() or number < 0:
        return None, FTE_NUMBER
    if number > MAX_FTE:
        return None, FTE_TOO_BIG
    if number != number.quantize(Decimal("0.01")):
        return None, FTE_PLACES
    return number.quantize(Decimal("0.01")), None


def _check_sectors(
    sectors: Any, errors: dict[str, list[str]], complete: bool
) -> dict[str, int] | None:
    """Sector counts keyed by slug (zeros dropped); None when no breakdown was given."""
    if sectors is None:
        return None
    if not isinstance(sectors, Mapping):
        errors["sectors"] = ["must be an object of sector: job starts"]
        return None
    cleaned: dict[str, int] = {}
    given = False
    for key, value in sectors.items():
        if key not in SECTORS:
            errors.setdefault("sectors", []).append(
                f"has an unknown sector {str(key)[:40]!r}: use {', '.join(SECTORS)}"
            )
            continue
        number, message = parse_count(value)
        if message:
            errors[f"sectors.{key}"] = [message]
        elif number is not None:
            given = True
            if number:
                cleaned[key] = number
    if not given and not complete:
        return None  # a draft may leave the breakdown for later
    return cleaned


def check_return(
    figures: Mapping[str, Any],
    *,
    month: date | None,
    today: date,
    sectors: Any = None,
    complete: bool = True,
    job_starts_three_months_before: int | None = None,
) -> CheckedReturn:
    """Check one return's figures.

    `complete` (a return being submitted) needs every figure; a draft may leave some blank.
    `sectors` is None when no breakdown was sent (the CSV import has none); when given, it must
    add up to the job starts. `job_starts_three_months_before` is that month's submitted job
    starts, or None when there is no such return: the 13-week sustained figure cannot exceed it.
    """
    errors: dict[str, list[str]] = {}
    warnings: list[str] = []
    if not isinstance(figures, Mapping):
        figures = {}
    values: dict[str, int | Decimal | None] = {}
    for name in COUNTS:
        values[name], message = parse_count(figures.get(name))
        if message:
            errors[name] = [message]
    values[FTE], message = parse_fte(figures.get(FTE))
    if message:
        errors[FTE] = [message]
    if complete:
        for name in FIGURES:
            if values[name] is None and name not in errors:
                errors[name] = [REQUIRED]

    if month is None:
        errors["month"] = ["must be a month, like 2024-03"]
    elif month > month_start(today):
        errors["month"] = ["must not be in the future"]

    def both(a: str, b: str) -> tuple[Any, Any] | None:
        x, y = values[a], values[b]
        return None if x is None or y is None else (x, y)

    pair = both("in_work", "caseload")
    if pair and pair[0] > pair[1]:
        errors.setdefault("in_work", []).append(f"must be no more than the caseload ({pair[1]:,})")
    pair = both("first_contact_within_4_weeks", "new_to_service")
    if pair and pair[0] > pair[1]:
        errors.setdefault("first_contact_within_4_weeks", []).append(
            f"must be no more than the number new to the service ({pair[1]:,})"
        )
    sustained = values["sustained_13_weeks"]
    if (
        sustained is not None
        and job_starts_three_months_before is not None
        and sustained > job_starts_three_months_before
        and month is not None
    ):
        earlier = add_months(month, -3)
        errors.setdefault("sustained_13_weeks", []).append(
            f"must be no more than the job starts of {earlier:%B %Y} "
            f"({job_starts_three_months_before:,})"
        )

    cleaned_sectors = _check_sectors(sectors, errors, complete)
    job_starts = values["job_starts"]
    if cleaned_sectors is not None and job_starts is not None and "sectors" not in errors:
        total = sum(cleaned_sectors.values())
        if total != job_starts and not any(key.startswith("sectors.") for key in errors):
            errors["sectors"] = [
                f"add up to {total:,}; they must add up to the job starts ({job_starts:,})"
            ]

    if not errors:
        warnings = return_warnings(values)
    return CheckedReturn(values=values, sectors=cleaned_sectors, errors=errors, warnings=warnings)


def caseload_per_specialist(caseload: int | None, fte: Decimal | None) -> float | None:
    """People on the caseload per full-time specialist; None when there is no FTE."""
    if caseload is None or fte is None or fte <= 0:
        return None
    return float(Decimal(caseload) / fte)


def return_warnings(values: Mapping[str, Any]) -> list[str]:
    """Possible but unlikely figures, which the sender confirms before the return is saved."""
    warnings: list[str] = []
    caseload, job_starts = values.get("caseload"), values.get("job_starts")
    per_specialist = caseload_per_specialist(caseload, values.get(FTE))
    if per_specialist is not None and per_specialist > CASELOAD_PER_SPECIALIST_WARNING:
        warnings.append(
            f"Caseload per specialist is {per_specialist:.1f}, above "
            f"{CASELOAD_PER_SPECIALIST_WARNING} (IPS expects 20 or fewer): check the caseload "
            "and the full-time equivalent"
        )
    if caseload is not None and job_starts is not None and job_starts > caseload:
        warnings.append(
            f"Job starts ({job_starts:,}) are more than the caseload ({caseload:,}): check "
            "that everyone who started a job is counted on the caseload"
        )
    return warnings


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: Any
    after: Any


def figures_snapshot(
    values: Mapping[str, Any], sectors: Mapping[str, int] | None
) -> dict[str, Any]:
    """A return's figures as plain JSON values, for its version history."""
    snapshot: dict[str, Any] = {}
    for name in COUNTS:
        snapshot[name] = values.get(name)
    fte = values.get(FTE)
    snapshot[FTE] = None if fte is None else str(fte)
    snapshot["sectors"] = dict(sorted((sectors or {}).items()))
    return snapshot


def changes_between(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    """What changed from one version of a return's figures to the next, in form order."""
    changes = [
        Change(name, label, before.get(name), after.get(name))
        for name, label in FIGURES.items()
        if before.get(name) != after.get(name)
    ]
    old_sectors, new_sectors = before.get("sectors") or {}, after.get("sectors") or {}
    for slug, label in SECTORS.items():
        old, new = old_sectors.get(slug, 0), new_sectors.get(slug, 0)
        if old != new:
            changes.append(Change(f"sectors.{slug}", f"Job starts in {label.lower()}", old, new))
    return changes

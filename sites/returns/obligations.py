"""Which months a site must send a return for. The rule is the programmes' (a site reports the
months it takes part in a programme: programme.late_returns.months_required), so the app on top
installs it here when it starts; the returns pages ask through `months_required`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from flask import Flask, current_app

MonthsRequired = Callable[[Sequence[int], Sequence[date]], dict[int, set[date]]]


def install(app: Flask, rule: MonthsRequired) -> None:
    app.extensions["months_required"] = rule


def months_required(site_ids: Sequence[int], months: Sequence[date]) -> dict[int, set[date]]:
    """Of `months`, those each of `site_ids` must report (a site missing from the answer: none)."""
    rule: MonthsRequired = current_app.extensions["months_required"]
    return rule(site_ids, months)

"""Unusual figures: a figure far outside its site's own usual range. Pure: no Flask, no SQLAlchemy.

The usual range of a figure is its median over the site's last 12 submitted months, give or take
3.5 robust standard deviations (1.4826 times the median absolute deviation, which estimates the
standard deviation of normally spread figures but is not pulled by one odd month, so one odd
month does not widen the range and hide the next). When half the months or more are the same
figure the median absolute deviation is 0; the mean absolute deviation (times 1.2533) stands in,
and the spread is never under one whole unit, so a site that always sends 2 job starts is not
warned about 3. No warning while the site has fewer than 6 months of that figure. A warning asks
the sender to confirm; it never blocks a return, and `unusual_figures` never raises.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

MONTHS_LOOKED_AT = 12
FEWEST_MONTHS = 6
SPREADS = 3.5
MAD_TO_SD = 1.4826
MEAN_AD_TO_SD = 1.2533
SMALLEST_SPREAD = 1.0

Number = int | float | Decimal


@dataclass(frozen=True)
class Unusual:
    figure: str
    value: float
    median: float
    low: float
    high: float

    def as_dict(self) -> dict[str, float | str]:
        return {
            "figure": self.figure,
            "value": self.value,
            "median": self.median,
            "low": self.low,
            "high": self.high,
        }


def usual_range(history: Iterable[object]) -> tuple[float, float, float] | None:
    """(median, low, high) of the figure's last 12 months, or None with fewer than 6 usable."""
    values = [v for v in (_number(x) for x in history) if v is not None][-MONTHS_LOOKED_AT:]
    if len(values) < FEWEST_MONTHS:
        return None
    median = statistics.median(values)
    deviations = [abs(v - median) for v in values]
    spread = MAD_TO_SD * statistics.median(deviations)
    if spread == 0:
        spread = MEAN_AD_TO_SD * statistics.fmean(deviations)
    spread = max(spread, SMALLEST_SPREAD)
    return median, max(0.0, median - SPREADS * spread), median + SPREADS * spread


def unusual_figures(
    history: Mapping[str, Iterable[object]], current: Mapping[str, object]
) -> list[Unusual]:
    """The figures of `current` outside their usual range. `history` holds each figure's values
    over the site's earlier submitted months, oldest first (None for a month without it)."""
    found: list[Unusual] = []
    for figure, raw in current.items():
        value = _number(raw)
        if value is None:
            continue
        usual = usual_range(history.get(figure, ()))
        if usual is None:
            continue
        median, low, high = usual
        if value < low or value > high:
            found.append(Unusual(figure, value, median, round(low, 2), round(high, 2)))
    return found


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    try:
        number = float(value)
    except (OverflowError, ValueError):
        return None
    return number if math.isfinite(number) else None

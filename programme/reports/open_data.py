"""The small-number rule for published figures (open data). Pure: standard library only.

NHS England publishes counts of people and events with small numbers hidden, and staff and funders
see exact figures; DESIGN.md asks the portal's open-data exports to do the same:

- 0 stays 0 (nothing to hide);
- 1 to 4 become "*";
- 5 and above are rounded to the nearest 5. Halves round up: a whole count never lands halfway
  (n mod 5 is 0 to 4), but a fractional value might, and then 7.5 becomes 10 and 12.5 becomes 15.
  A fractional value above 0 and below 5 (2.5, say) is a small number too: "*".

The rule applies to counts only: never to ids, dates, scores, targets or staff numbers. A total is
rounded from its exact value, not summed from rounded parts. A rate whose numerator or denominator
was suppressed is left out (None); any other published rate is worked out again from the published
(rounded) counts, so that no rate gives back a count that the rounding hid.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeGuard

SUPPRESSED = "*"
SMALLEST_SHOWN = 5
ROUND_TO = 5

Count = int | Decimal | float
Published = int | str | None


def published_count(value: Count | None) -> Published:
    """A count as open data shows it: 0, "*", or the count rounded to the nearest 5 (halves
    up). None (no figure) stays None. Negative counts, booleans and text are refused."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float):
        raise TypeError(f"a count must be a number, not {type(value).__name__}")
    exact = Decimal(value) if not isinstance(value, float) else Decimal(str(value))
    if not exact.is_finite() or exact < 0:
        raise ValueError("a count must be a finite number, 0 or more")
    if exact == 0:
        return 0
    if exact < SMALLEST_SHOWN:
        return SUPPRESSED
    fives = (exact / ROUND_TO).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(fives) * ROUND_TO


@dataclass(frozen=True)
class Rate:
    """How a rate column is worked out from two count columns of the same row: `scale` x
    numerator / denominator, rounded to `places` (scale 100 makes a percentage)."""

    numerator: str
    denominator: str
    scale: int = 1
    places: int = 4


def published_rate(numerator: object, denominator: object, rate: Rate) -> float | None:
    """The rate from published figures; None when either was suppressed or missing, or the
    denominator is 0."""
    if not (_is_number(numerator) and _is_number(denominator)) or denominator <= 0:
        return None
    return round(rate.scale * float(numerator) / float(denominator), rate.places)


def _is_number(value: object) -> TypeGuard[int | float | Decimal]:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def published_row(
    names: Sequence[str],
    values: Sequence[object],
    counts: frozenset[str],
    rates: Mapping[str, Rate],
) -> tuple[object, ...]:
    """One row of a table as open data shows it: each column named in `counts` through
    `published_count`, each column in `rates` worked out again from the published counts, and
    every other value (ids, names, dates, scores, targets) as it was."""
    row = dict(zip(names, values, strict=True))
    for name in counts:
        row[name] = published_count(row[name])  # type: ignore[arg-type]
    for name, rate in rates.items():
        row[name] = published_rate(row[rate.numerator], row[rate.denominator], rate)
    return tuple(row[name] for name in names)

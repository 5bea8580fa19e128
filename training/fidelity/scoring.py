"""Scoring a fidelity review. Pure: standard library only.

- Each item is scored with a whole number from 1 to 5. Booleans are not scores.
- A review's total is the sum of the 25 scores, 25 to 125, and exists only when every item is
  scored; an incomplete review has no total and no band.
- Bands: 115-125 Exemplary, 100-114 Good, 74-99 Fair, 25-73 Not IPS.
- Raw scores (from a form or JSON) are checked by ``score_errors``, which never raises, and turned
  into ``{item number: score}`` by ``clean_scores``. The other functions take clean scores and
  ignore anything that is not a valid score of an item of the scale.
"""

import re
from collections.abc import Mapping
from typing import Any, TypeGuard

from training.fidelity.scale import (
    BAND_RANGES,
    BANDS,
    ITEM_NUMBERS,
    ITEMS_BY_NUMBER,
    MAX_SCORE,
    MAX_TOTAL,
    MIN_SCORE,
    MIN_TOTAL,
    no_such_item_message,
    shown_value,
)


def band_for(total: int) -> str:
    """The band (a key of BANDS) of a review total; ValueError outside 25..125."""
    if isinstance(total, bool) or not isinstance(total, int):
        raise ValueError(f"A total is a whole number, not {type(total).__name__}")
    for band, (low, high) in BAND_RANGES.items():
        if low <= total <= high:
            return band
    raise ValueError(
        f"A total runs from {MIN_TOTAL} to {MAX_TOTAL}, "
        f"not {shown_value(total, 'a number that large')}"
    )


def band_of_total(total: int | None) -> str | None:
    """The band of a total, or None for no total (an incomplete review) or one off the scale."""
    try:
        return None if total is None else band_for(total)
    except ValueError:
        return None


def band_range(band: str) -> tuple[int, int]:
    """The lowest and highest totals of a band (both included); ValueError for an unknown band."""
    try:
        return BAND_RANGES[band]
    except (KeyError, TypeError):
        shown = shown_value(band, "of that kind")
        raise ValueError(f"There is no band {shown}: the bands are {', '.join(BANDS)}") from None


def _is_score(value: object) -> TypeGuard[int]:
    return (
        isinstance(value, int) and not isinstance(value, bool) and MIN_SCORE <= value <= MAX_SCORE
    )


def missing_items(scores: Mapping[int, int | None]) -> list[int]:
    """The numbers of the items without a score from 1 to 5, in order."""
    return [n for n in ITEM_NUMBERS if not _is_score(scores.get(n))]


def review_total(scores: Mapping[int, int | None]) -> int | None:
    """The sum of the 25 scores, or None while any item is unscored (no total yet)."""
    found = [s for n in ITEM_NUMBERS if _is_score(s := scores.get(n))]
    return sum(found) if len(found) == len(ITEM_NUMBERS) else None


def review_band(scores: Mapping[int, int | None]) -> str | None:
    """The band of a complete review, or None while any item is unscored."""
    total = review_total(scores)
    return None if total is None else band_for(total)


def weak_items(scores: Mapping[int, int | None], threshold: int = 4) -> list[int]:
    """The scored items below `threshold`, weakest first, then by item number.

    These are where training and the action plan should go next. Unscored items are not listed.
    """
    weak = [(s, n) for n in ITEM_NUMBERS if _is_score(s := scores.get(n)) and s < threshold]
    return [n for _, n in sorted(weak)]


def item_changes(current: Mapping[int, int], previous: Mapping[int, int]) -> dict[int, int]:
    """Current minus previous score, by item number, for the items scored in both reviews."""
    return {
        n: current[n] - previous[n]
        for n in ITEM_NUMBERS
        if _is_score(current.get(n)) and _is_score(previous.get(n))
    }


def total_change(current_total: int | None, previous_total: int | None) -> int | None:
    """Current total minus previous total, or None when either review has no total."""
    if current_total is None or previous_total is None:
        return None
    return current_total - previous_total


_DIGITS = re.compile(r"[0-9]{1,6}")


def _item_number(key: object) -> int | None:
    """The whole number a key names (7 or "7"), or None when it names no number."""
    if isinstance(key, bool):
        return None
    if isinstance(key, int):
        return key
    if isinstance(key, str):
        text = key.strip()
        if _DIGITS.fullmatch(text):
            return int(text)
    return None


def score_errors(scores: Mapping[Any, Any]) -> dict[str, list[str]]:
    """Messages about raw scores, keyed by item number as a string; empty when they are valid.

    Keys may be item numbers as ints or strings ("7" or 7). A value of None means "not scored
    yet" and is not an error (a draft may be incomplete; ``missing_items`` says what is left). A
    score is a whole number from 1 to 5: booleans, floats, strings and other numbers are errors.
    Keys that are not items of the scale are reported under "scores". Never raises.
    """
    errors: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    if not isinstance(scores, Mapping):
        add("scores", "Send the scores as an object from item number to score")
        return errors
    try:
        entries = list(scores.items())
    except Exception:
        add("scores", "Send the scores as an object from item number to score")
        return errors

    seen: set[int] = set()
    for key, value in entries:
        number = _item_number(key)
        if number is None or number not in ITEMS_BY_NUMBER:
            add("scores", no_such_item_message(key if number is None else number))
            continue
        if number in seen:
            add(str(number), f"Item {number} is given more than once")
            continue
        seen.add(number)
        if value is not None and not _is_score(value):
            add(str(number), f"Score item {number} from {MIN_SCORE} to {MAX_SCORE}")
    return errors


def clean_scores(scores: Mapping[Any, Any]) -> dict[int, int]:
    """The valid scores keyed by item number, in item order.

    Use after ``score_errors`` is empty; anything invalid or unscored is left out. Never raises.
    """
    if not isinstance(scores, Mapping):
        return {}
    found: dict[int, int] = {}
    try:
        entries = list(scores.items())
    except Exception:
        return {}
    for key, value in entries:
        number = _item_number(key)
        if number is not None and number in ITEMS_BY_NUMBER and _is_score(value):
            found.setdefault(number, value)
    return dict(sorted(found.items()))

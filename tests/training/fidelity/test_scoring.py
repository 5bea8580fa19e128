"""The IPS fidelity scale: its items, bands and scoring rules."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from training.fidelity.scale import (
    BANDS,
    ITEMS,
    MAX_SCORE,
    MAX_TOTAL,
    MIN_SCORE,
    MIN_TOTAL,
    SECTIONS,
    FidelityItem,
    item,
    items_by_section,
)
from training.fidelity.scoring import (
    band_for,
    band_range,
    clean_scores,
    item_changes,
    missing_items,
    review_band,
    review_total,
    score_errors,
    total_change,
    weak_items,
)

NUMBERS = list(range(1, 26))


def all_scored(score: int) -> dict[int, int]:
    return dict.fromkeys(NUMBERS, score)


score_lists = st.lists(st.integers(MIN_SCORE, MAX_SCORE), min_size=25, max_size=25)


# The items


def test_the_scale_has_25_items_numbered_1_to_25_once_each_in_order():
    assert len(ITEMS) == 25
    assert [i.number for i in ITEMS] == NUMBERS
    assert all(isinstance(i, FidelityItem) for i in ITEMS)


def test_sections_are_staffing_organisation_services_with_3_8_and_14_items():
    assert list(SECTIONS) == ["staffing", "organisation", "services"]
    assert list(SECTIONS.values()) == ["Staffing", "Organisation", "Services"]
    sections = items_by_section()
    assert [(s.slug, s.label) for s in sections] == list(SECTIONS.items())
    assert [len(s.items) for s in sections] == [3, 8, 14]
    assert [[i.number for i in s.items] for s in sections] == [
        [1, 2, 3],
        list(range(4, 12)),
        list(range(12, 26)),
    ]
    assert all(i.section == s.slug for s in sections for i in s.items)


def test_every_item_has_five_distinct_anchors_and_a_description():
    for i in ITEMS:
        assert sorted(i.anchors) == [1, 2, 3, 4, 5], i.number
        texts = [i.anchors[score].strip() for score in range(1, 6)]
        assert all(texts), i.number
        assert len(set(texts)) == 5, i.number
        assert i.name.strip() and i.description.strip(), i.number


def test_names_and_anchors_are_the_scales():
    assert item(1).name == "Caseload size"
    assert item(9).name == "Zero exclusion criteria"
    assert item(25).section == "services"
    assert item(11).section == "organisation"
    assert "20" in item(1).anchors[5] and "41" in item(1).anchors[1]
    assert "30 days" in item(15).anchors[5]
    # British spelling in what reviewers read.
    text = " ".join(f"{i.name} {i.description} {' '.join(i.anchors.values())}" for i in ITEMS)
    assert "Individualised job search" in text
    for american in ("organization", "individualized", "counselor", "program "):
        assert american not in text.lower()


def test_items_are_frozen():
    with pytest.raises(AttributeError):
        item(1).name = "Something else"  # type: ignore[misc]
    with pytest.raises(TypeError):
        item(1).anchors[1] = "changed"  # type: ignore[index]


@pytest.mark.parametrize("number", [0, 26, -1, True, "1", 1.0])
def test_item_refuses_numbers_that_are_not_items(number):
    with pytest.raises(KeyError):
        item(number)


# Bands


def test_constants():
    assert (MIN_SCORE, MAX_SCORE, MIN_TOTAL, MAX_TOTAL) == (1, 5, 25, 125)
    assert BANDS == {"exemplary": "Exemplary", "good": "Good", "fair": "Fair", "not_ips": "Not IPS"}


def test_band_ranges():
    assert band_range("exemplary") == (115, 125)
    assert band_range("good") == (100, 114)
    assert band_range("fair") == (74, 99)
    assert band_range("not_ips") == (25, 73)
    with pytest.raises(ValueError):
        band_range("excellent")


def test_every_total_lands_in_exactly_one_band_and_its_range():
    for total in range(MIN_TOTAL, MAX_TOTAL + 1):
        band = band_for(total)
        containing = [b for b in BANDS if band_range(b)[0] <= total <= band_range(b)[1]]
        assert containing == [band], total


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (25, "not_ips"),
        (73, "not_ips"),
        (74, "fair"),
        (99, "fair"),
        (100, "good"),
        (114, "good"),
        (115, "exemplary"),
        (118, "exemplary"),  # Worcestershire's best review
        (125, "exemplary"),
    ],
)
def test_band_boundaries(total, band):
    assert band_for(total) == band


@pytest.mark.parametrize("total", [24, 126, 0, -5, 10**100])
def test_band_for_refuses_totals_outside_25_to_125(total):
    with pytest.raises(ValueError):
        band_for(total)


# Totals


def test_a_complete_review_has_its_sum_as_total_and_a_band():
    scores = all_scored(4)
    scores[1] = 5
    scores[17] = 2
    assert missing_items(scores) == []
    assert review_total(scores) == 100 + 1 - 2
    assert review_band(scores) == "fair"
    assert review_total(all_scored(5)) == 125
    assert review_band(all_scored(5)) == "exemplary"
    assert review_total(all_scored(1)) == 25
    assert review_band(all_scored(1)) == "not_ips"


@given(score_lists)
def test_the_total_of_a_complete_review_is_the_sum_of_its_scores(values):
    scores = dict(zip(NUMBERS, values, strict=True))
    assert missing_items(scores) == []
    assert review_total(scores) == sum(values)
    assert review_band(scores) == band_for(sum(values))


@given(score_lists, st.sets(st.integers(1, 25), min_size=1), st.booleans())
def test_an_incomplete_review_has_no_total_and_no_band(values, gaps, as_none):
    scores: dict[int, int | None] = dict(zip(NUMBERS, values, strict=True))
    for number in gaps:
        if as_none:
            scores[number] = None
        else:
            del scores[number]
    assert missing_items(scores) == sorted(gaps)
    assert review_total(scores) is None
    assert review_band(scores) is None


def test_an_empty_review_misses_every_item():
    assert missing_items({}) == NUMBERS
    assert review_total({}) is None
    assert review_band({}) is None


def test_a_score_outside_1_to_5_is_not_a_score():
    scores = all_scored(3)
    scores[4] = 6
    assert missing_items(scores) == [4]
    assert review_total(scores) is None


def test_total_change():
    assert total_change(118, 112) == 6
    assert total_change(99, 104) == -5
    assert total_change(100, 100) == 0
    assert total_change(None, 100) is None
    assert total_change(100, None) is None


# Checking raw scores


def test_valid_complete_scores_as_strings_or_ints_give_no_errors():
    assert score_errors({str(n): 3 for n in NUMBERS}) == {}
    assert score_errors(all_scored(5)) == {}
    assert clean_scores({str(n): 4 for n in NUMBERS}) == all_scored(4)


def test_a_draft_may_leave_items_unscored():
    assert score_errors({"1": 5, "2": None}) == {}
    assert clean_scores({"1": 5, "2": None}) == {1: 5}


def test_score_errors_name_the_item():
    errors = score_errors({"7": 6, 8: 0, "9": "3", "10": 2.0, "11": True, "12": 4})
    assert errors == {
        "7": ["Score item 7 from 1 to 5"],
        "8": ["Score item 8 from 1 to 5"],
        "9": ["Score item 9 from 1 to 5"],
        "10": ["Score item 10 from 1 to 5"],
        "11": ["Score item 11 from 1 to 5"],
    }


def test_unknown_items_are_reported_under_scores():
    assert score_errors({"26": 3}) == {
        "scores": ["There is no item 26: the scale has items 1 to 25"]
    }
    assert score_errors({0: 3, "caseload": 4}) == {
        "scores": [
            "There is no item 0: the scale has items 1 to 25",
            "There is no item 'caseload': the scale has items 1 to 25",
        ]
    }


def test_huge_keys_and_values_are_reported_not_raised():
    huge = 10**5000
    assert score_errors({"9" * 5000: 3, huge: 3, "7": huge, "8": float("nan")}) == {
        "scores": [
            "There is no item '99999999999999999999...': the scale has items 1 to 25",
            "There is no item with that number: the scale has items 1 to 25",
        ],
        "7": ["Score item 7 from 1 to 5"],
        "8": ["Score item 8 from 1 to 5"],
    }


def test_an_item_given_twice_is_an_error():
    assert score_errors({7: 3, "7": 4}) == {"7": ["Item 7 is given more than once"]}


def test_scores_that_are_not_a_mapping_are_an_error():
    assert list(score_errors([1, 2, 3])) == ["scores"]  # type: ignore[arg-type]
    assert list(score_errors(None)) == ["scores"]  # type: ignore[arg-type]
    assert clean_scores(None) == {}  # type: ignore[arg-type]


def test_clean_scores_keeps_only_valid_scores_keyed_by_int_in_item_order():
    raw = {"3": 2, "1": 5, "2": "4", "26": 3, "4": None, "5": True, " 6 ": 1}
    assert list(clean_scores(raw).items()) == [(1, 5), (3, 2), (6, 1)]


keys = st.one_of(
    st.text(),
    st.integers(),
    st.integers(1, 25),
    st.integers(1, 25).map(str),
    st.integers(min_value=10**5000, max_value=10**5000 + 10),
    st.text(alphabet="0123456789", min_size=1, max_size=5000),
    st.floats(allow_nan=True, allow_infinity=True),
)
values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(1, 5),
    st.integers(min_value=10**5000, max_value=10**5000 + 10),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
)


@given(st.dictionaries(keys, values))
def test_score_errors_never_raises(scores):
    errors = score_errors(scores)
    assert isinstance(errors, dict)
    for key, messages in errors.items():
        assert key == "scores" or key in {str(n) for n in NUMBERS}
        assert messages and all(isinstance(m, str) and m for m in messages)
    cleaned = clean_scores(scores)
    assert all(n in NUMBERS and 1 <= s <= 5 for n, s in cleaned.items())
    if not errors:
        # Without errors, every entry is either a valid score or an unscored item.
        scored = sum(1 for v in scores.values() if v is not None)
        assert len(cleaned) == scored


@given(score_lists)
def test_valid_complete_scores_give_no_errors_and_clean_to_themselves(values):
    raw = {str(n): v for n, v in zip(NUMBERS, values, strict=True)}
    assert score_errors(raw) == {}
    cleaned = clean_scores(raw)
    assert cleaned == dict(zip(NUMBERS, values, strict=True))
    assert review_total(cleaned) == sum(values)


# Planning


def test_weak_items_are_below_the_threshold_weakest_first_then_by_number():
    scores = all_scored(5)
    scores.update({3: 3, 7: 1, 12: 3, 17: 2, 21: 4, 22: 1})
    assert weak_items(scores) == [7, 22, 17, 3, 12]
    assert weak_items(scores, threshold=5) == [7, 22, 17, 3, 12, 21]
    assert weak_items(scores, threshold=2) == [7, 22]
    assert weak_items(all_scored(4)) == []


def test_weak_items_skip_unscored_items():
    assert weak_items({1: 2, 2: None, 3: 3}) == [1, 3]


def test_item_changes_compare_items_scored_in_both_reviews():
    previous = {1: 3, 2: 4, 3: 5, 15: 2}
    current = {1: 5, 2: 4, 3: 3, 16: 4}
    assert item_changes(current, previous) == {1: 2, 2: 0, 3: -2}
    assert item_changes(current, {}) == {}


def test_item_changes_across_two_complete_reviews_add_up_to_the_total_change():
    previous = all_scored(4)
    current = all_scored(4)
    current.update({1: 5, 9: 5, 17: 3})
    changes = item_changes(current, previous)
    assert changes[1] == 1 and changes[9] == 1 and changes[17] == -1
    assert sum(changes.values()) == 1
    assert total_change(review_total(current), review_total(previous)) == 1

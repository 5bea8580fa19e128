"""Properties of the reader's parsing: the header with its optional columns, the site-name check
and the template, read back."""

from __future__ import annotations

import io
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import ValidationFailed
from sites.returns.importing import reader

# Site names as people type them into the admin form (stripped, never empty), and beyond ASCII.
names = (
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=60)
    .map(str.strip)
    .filter(bool)
)
spaces = st.text(" \t\u00a0", max_size=3)


@st.composite
def headers(draw: st.DrawFn) -> list[str]:
    """The contract's columns and any of the optional ones, in any order, as written by hand."""
    optional = draw(st.lists(st.sampled_from(reader.OPTIONAL), unique=True))
    columns = draw(st.permutations([*reader.HEADER, *optional]))
    return [
        draw(spaces) + (column.upper() if draw(st.booleans()) else column) + draw(spaces)
        for column in columns
    ]


@given(headers())
def test_a_header_of_known_columns_in_any_order_finds_each(header):
    positions = reader.column_positions(header)
    assert set(reader.HEADER) <= positions.keys() <= reader.COLUMNS
    assert {header[i].strip().lower(): i for i in positions.values()} == positions


@given(headers(), st.text(max_size=20), st.integers(min_value=0))
def test_any_other_column_is_refused(header, extra, where):
    if extra.strip().lower() in reader.COLUMNS:
        return
    header.insert(where % (len(header) + 1), extra)
    with pytest.raises(ValidationFailed) as refused:
        reader.column_positions(header)
    assert any("should not be there" in problem for problem in refused.value.fields["header"])


@given(names, st.data())
def test_a_name_in_other_letter_case_and_spacing_names_the_site(name, data):
    ascii_name = "".join(c if c.isascii() else "x" for c in name)
    written = "".join(
        data.draw(st.sampled_from([c, c.swapcase()])) + data.draw(spaces) * (c == " ")
        for c in ascii_name
    )
    assert reader.names_site(data.draw(spaces) + written + data.draw(spaces), ascii_name)


plain_names = st.text("abcABC xyz019&()-,. ", max_size=12)


@given(plain_names, plain_names)
def test_names_match_when_their_words_match_in_any_letter_case(first, second):
    def words(text: str) -> list[str]:
        return text.casefold().split()

    assert reader.names_site(first, second) == (words(first) == words(second))


@given(st.lists(st.tuples(st.integers(1, 999_999_999), names), max_size=5))
def test_the_template_reads_back_naming_each_site_with_blank_figures(sites):
    month = date(2026, 10, 1)
    rows = [reader.TemplateRow(site_id, name, month) for site_id, name in sites]
    text = reader.template_csv(rows)

    read = list(reader.records(io.BytesIO(text.encode())))
    positions = reader.column_positions(read[0][1])

    assert sorted(positions, key=positions.__getitem__) == list(reader.TEMPLATE_HEADER)
    assert len(read) == len(rows) + 1
    for (_, cells), row in zip(read[1:], rows, strict=True):
        assert reader.parse_site_id(cells[positions["site_id"]]) == (row.site_id, None)
        assert reader.names_site(cells[positions["site_name"]], row.site_name)
        assert reader.parse_month_cell(cells[positions["month"]]) == month
        assert not cells[positions["site_name"]].startswith(("=", "+", "-", "@"))
        assert all(cells[positions[name]] == "" for name in reader.TEMPLATE_HEADER[3:])

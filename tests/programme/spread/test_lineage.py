"""Who seeded whom (programme/spread/lineage.py): the tree from the mentoring rows."""

from __future__ import annotations

from datetime import date

from programme.spread.lineage import Link, mentee_tree, mentees_by_mentor, pruned, size

D = date(2020, 1, 1)


def shape(nodes):
    """Each node as its site id, or (id, its children) when it has any, or (id, "shown above")."""
    found = []
    for node in nodes:
        if node.shown_above:
            found.append((node.site_id, "shown above"))
        elif node.children:
            found.append((node.site_id, shape(node.children)))
        else:
            found.append(node.site_id)
    return found


def test_a_centre_its_mentees_and_theirs_in_turn():
    links = [Link(1, 2, D), Link(1, 3, date(2019, 1, 1)), Link(3, 4, D), Link(4, 5, D)]
    tree = mentee_tree(1, mentees_by_mentor(links))
    assert shape(tree) == [(3, [(4, [5])]), 2]  # earliest mentoring first
    assert size(tree) == 4


def test_two_mentorings_of_one_site_are_one_node_with_two_spans():
    links = [Link(1, 2, D, date(2021, 1, 1), 7), Link(1, 2, date(2024, 4, 1), None, 8)]
    (node,) = mentee_tree(1, mentees_by_mentor(links))
    assert [(s.starts_on, s.ends_on, s.programme_id) for s in node.spans] == [
        (D, date(2021, 1, 1), 7),
        (date(2024, 4, 1), None, 8),
    ]


def test_a_cycle_ends_and_a_site_reached_twice_is_opened_once():
    links = [Link(1, 2, D), Link(2, 3, D), Link(3, 1, D), Link(3, 2, D), Link(1, 3, D)]
    tree = mentee_tree(1, mentees_by_mentor(links))
    # Each site opened once; met again, it is named but not opened (the root included).
    assert shape(tree) == [
        (2, [(3, "shown above")]),
        (3, [(1, "shown above"), (2, "shown above")]),
    ]
    assert size(tree) == len(links)


def test_a_long_cycle_with_no_way_out_is_finite():
    links = [Link(n, n % 50 + 1, D) for n in range(1, 51)]
    tree = mentee_tree(1, mentees_by_mentor(links))
    assert size(tree) == 50
    assert [n for n in _walk(tree) if n.shown_above][0].site_id == 1


def test_pruning_keeps_the_path_to_a_kept_site():
    links = [Link(1, 2, D), Link(2, 3, D), Link(1, 4, D)]
    tree = pruned(mentee_tree(1, mentees_by_mentor(links)), lambda site_id: site_id == 3)
    assert shape(tree) == [(2, [3])]


def _walk(nodes):
    for node in nodes:
        yield node
        yield from _walk(node.children)

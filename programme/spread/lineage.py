"""Who seeded whom: the tree of mentoring under a site. Pure: standard library only.

The mentoring rows are read once; the tree is built here. A site met again in the same tree (a
cycle, or two paths to one site) is shown once more but not opened again, so the tree is finite
and each mentoring is followed once, whatever the data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Link:
    """One mentoring: `mentor_site_id` mentored `mentee_site_id` from `starts_on`."""

    mentor_site_id: int
    mentee_site_id: int
    starts_on: date
    ends_on: date | None = None
    programme_id: int | None = None


@dataclass(frozen=True)
class Span:
    starts_on: date
    ends_on: date | None
    programme_id: int | None


@dataclass
class Node:
    """A mentored site under its mentor: when (one span per mentoring between the two), the
    sites it went on to mentor, and whether it was already shown higher in the tree."""

    site_id: int
    spans: list[Span] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    shown_above: bool = False


Mentees = dict[int, list[Link]]  # mentor site id -> its mentorings, earliest first


def mentees_by_mentor(links: Iterable[Link]) -> Mentees:
    found: Mentees = defaultdict(list)
    for link in links:
        found[link.mentor_site_id].append(link)
    for mentorings in found.values():
        mentorings.sort(key=lambda link: (link.starts_on, link.mentee_site_id))
    return dict(found)


def mentee_tree(site_id: int, mentees: Mentees, seen: set[int] | None = None) -> list[Node]:
    """The sites `site_id` mentored, each with the sites it mentored in turn, earliest first.
    `seen` holds the sites already in the tree (the root's own included)."""
    seen = {site_id} if seen is None else seen | {site_id}
    return _children(site_id, mentees, seen)


def _children(site_id: int, mentees: Mentees, seen: set[int]) -> list[Node]:
    nodes: dict[int, Node] = {}
    for link in mentees.get(site_id, []):
        node = nodes.setdefault(link.mentee_site_id, Node(link.mentee_site_id))
        node.spans.append(Span(link.starts_on, link.ends_on, link.programme_id))
    for node in nodes.values():
        if node.site_id in seen:
            node.shown_above = True
            continue
        seen.add(node.site_id)
    for node in nodes.values():
        if not node.shown_above:
            node.children = _children(node.site_id, mentees, seen)
    return list(nodes.values())


def pruned(nodes: list[Node], keep: Callable[[int], bool]) -> list[Node]:
    """The nodes whose site `keep`s, or that lead to one that does (its path kept with it)."""
    kept = []
    for node in nodes:
        node.children = pruned(node.children, keep)
        if keep(node.site_id) or node.children:
            kept.append(node)
    return kept


def size(nodes: Iterable[Node]) -> int:
    """How many nodes the tree has."""
    return sum(1 + size(node.children) for node in nodes)

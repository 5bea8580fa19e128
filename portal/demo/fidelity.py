"""The demo sites' fidelity reviews. Worcestershire was reviewed Exemplary three times, the last
118; Blackpool Exemplary; Bradford Good before its Centre of Excellence award in 2016. Other
sites' trajectories are plausible, not recorded; item scores are drawn to add up to each review's
total.

The Centres' re-reviews fall due 36 months after their last review: Bradford's last was in 2022,
so it is past its re-review date, while Worcestershire's and Enable's latest are dated back from
the day of the load, so that Bradford stays the one Centre past its date whenever the demo is
loaded. Coventry scored 5 on caseload size (item 1) at its latest review, from which its recent
caseloads have drifted (portal/demo/network.py).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from portal.demo.network import SEED
from sites.models import Site
from training.fidelity import scale as fidelity
from training.fidelity import scoring
from training.models import FidelityReview, FidelityScore

D = date

# Site key -> its reviews, all final: (reviewed on, or days before the load; kind, total).
EXTERNAL, PEER, SELF = "external_review", "peer_review", "self_assessment"
# fmt: off
REVIEWS: dict[str, tuple[tuple[date | int, str, int], ...]] = {
    "worcestershire": ((D(2014, 11, 12), EXTERNAL, 116), (1520, EXTERNAL, 117),
                       (425, EXTERNAL, 118)),
    "sussex-centre": ((D(2011, 3, 9), EXTERNAL, 113), (D(2014, 5, 14), EXTERNAL, 115),
                      (D(2017, 6, 7), EXTERNAL, 109)),
    "blackpool": ((D(2021, 6, 9), PEER, 104), (D(2023, 9, 20), EXTERNAL, 116)),
    "bradford": ((D(2015, 11, 4), EXTERNAL, 84), (D(2016, 6, 8), EXTERNAL, 102),
                 (D(2019, 3, 13), EXTERNAL, 108), (D(2022, 10, 5), EXTERNAL, 113)),
    "berkshire": ((D(2015, 12, 2), EXTERNAL, 88), (D(2017, 6, 14), EXTERNAL, 101)),
    "lincolnshire": ((D(2016, 1, 20), EXTERNAL, 79), (D(2017, 7, 12), EXTERNAL, 93)),
    "cambridgeshire": ((D(2016, 11, 9), EXTERNAL, 72), (D(2017, 12, 6), EXTERNAL, 90)),
    "devon": ((D(2016, 11, 23), EXTERNAL, 75), (D(2018, 1, 17), EXTERNAL, 86)),
    "nottingham": ((D(2016, 12, 7), EXTERNAL, 81), (D(2018, 2, 7), EXTERNAL, 99)),
    "brighton": ((D(2012, 2, 8), PEER, 92), (D(2012, 11, 14), EXTERNAL, 105)),
    "worthing": ((D(2012, 2, 15), PEER, 88), (D(2012, 11, 21), EXTERNAL, 100)),
    "hastings": ((D(2012, 2, 22), PEER, 83), (D(2012, 11, 28), EXTERNAL, 97)),
    "crawley": ((D(2012, 2, 29), PEER, 80), (D(2012, 12, 5), EXTERNAL, 95)),
    "enable": ((D(2016, 3, 9), EXTERNAL, 112), (D(2020, 2, 12), EXTERNAL, 117),
               (610, EXTERNAL, 115)),
    "coventry": ((D(2017, 10, 4), SELF, 70), (D(2018, 9, 19), EXTERNAL, 89),
                 (D(2024, 6, 12), PEER, 102)),
    "warwickshire": ((D(2017, 10, 11), SELF, 68), (D(2018, 10, 3), EXTERNAL, 85)),
    "solihull": ((D(2017, 10, 18), SELF, 74), (D(2018, 10, 17), EXTERNAL, 94),
                 (D(2024, 7, 10), PEER, 99)),
    "birmingham-north": ((D(2017, 10, 25), SELF, 71), (D(2018, 11, 7), EXTERNAL, 88)),
    "walsall": ((D(2017, 11, 1), SELF, 76), (D(2018, 11, 14), EXTERNAL, 96),
                (D(2024, 5, 15), PEER, 103)),
    "wolverhampton": ((D(2017, 11, 8), SELF, 69), (D(2018, 11, 21), EXTERNAL, 83)),
    "dudley": ((D(2025, 4, 9), SELF, 66), (D(2026, 3, 11), PEER, 79)),
    "stoke": ((D(2025, 4, 23), SELF, 63),),
    "cntw": ((D(2020, 9, 16), PEER, 94), (D(2022, 9, 21), EXTERNAL, 106),
             (D(2025, 2, 19), EXTERNAL, 111)),
}
# fmt: on
# (Site key, review date) -> item scores fixed, the others moved to keep the total.
FIXED_SCORES = {("coventry", D(2024, 6, 12)): {1: 5}}
# The items UK services most often score low on: benefits advice, the two job-development items,
# work with other employment services and the diversity of employers.
OFTEN_WEAK = (12, 17, 18, 6, 20)
REVIEWERS = {
    EXTERNAL: "External fidelity reviewer (demo)",
    PEER: "Peer reviewer from another Centre of Excellence (demo)",
    SELF: "Team lead (demo)",
}


def _item_scores(total: int, rng: random.Random) -> dict[int, int]:
    """25 item scores from 1 to 5 that add up to `total`, lower on the often weak items."""
    numbers = [item.number for item in fidelity.ITEMS]
    base, extra = divmod(total, len(numbers))
    scores = dict.fromkeys(numbers, base)
    strong = [n for n in numbers if n not in OFTEN_WEAK]
    rng.shuffle(strong)
    for n in (strong + list(OFTEN_WEAK))[:extra]:
        scores[n] += 1
    for _ in range(12):  # move points from weak items to others, keeping the total
        low, high = rng.choice(OFTEN_WEAK), rng.choice(strong)
        if scores[low] > 1 and scores[high] < 5:
            scores[low] -= 1
            scores[high] += 1
    assert sum(scores.values()) == total
    return scores


def _fixed(scores: dict[int, int], fixed: dict[int, int]) -> dict[int, int]:
    """`scores` with the `fixed` items' scores, the difference taken from (or given to) the
    other items, highest (or lowest) first, so that the total stays the same."""
    result = scores | fixed
    excess = sum(result.values()) - sum(scores.values())
    while excess:
        step = 1 if excess > 0 else -1
        others = [n for n in result if n not in fixed and 1 <= result[n] - step <= 5]
        item = max(others, key=lambda n: (step * result[n], -n))
        result[item] -= step
        excess -= step
    return result


def fidelity_reviews(sites: dict[str, Site], today: date) -> list[FidelityReview]:
    """Each review drawn from a generator seeded for its site and day."""
    reviews = []
    for key, entries in REVIEWS.items():
        for when, kind, total in entries:
            reviewed_on = when if isinstance(when, date) else today - timedelta(days=when)
            rng = random.Random(f"{SEED}:{key}:{reviewed_on}")
            scores = _fixed(_item_scores(total, rng), FIXED_SCORES.get((key, reviewed_on), {}))
            review = FidelityReview(
                site=sites[key],
                reviewed_on=reviewed_on,
                kind=kind,
                lead_reviewer=REVIEWERS[kind],
                status="final",
                total=scoring.review_total(scores),
            )
            review.scores = [
                FidelityScore(
                    item=n,
                    score=score,
                    note="Agreed as a priority for the next year." if score <= 2 else None,
                )
                for n, score in scores.items()
            ]
            reviews.append(review)
    return reviews

"""The engine as a whole: sparse mode, determinism, edge cases."""

import pytest

from tandem.matching import Group, MatchResult, Unmatched, match
from tandem.matching.engine import bands, edges, pair_band

from .support import CYCLE, ON, crowd, person

ZONES = ["Europe/London", "America/New_York", "Asia/Kolkata", "Pacific/Auckland"]
MIXED = [
    person(
        f"p{i:03d}",
        f"d{i % 6}",
        timezone=ZONES[i % 4],
        manager_id=f"p{i // 7:03d}" if i >= 7 else None,
    )
    for i in range(301)
]


def test_sparse_mode_is_close_to_the_exact_solve() -> None:
    # Given a band of 301 people, solved exactly and with a tiny edge limit
    (band,) = bands(MIXED, [], CYCLE, ON)
    exact = pair_band(band)
    sparse = pair_band(band, edge_limit=1_000)

    # Then sparse mode pairs as many people, certifies it, and scores within 1%
    assert (exact.sparse, sparse.sparse) == (False, True)
    assert sparse.certified
    assert len(sparse.pairs) == len(exact.pairs)
    assert sparse.objective >= 0.99 * exact.objective

    # And is deterministic
    assert pair_band(band, edge_limit=1_000) == sparse


def test_sparse_pairs_are_feasible_edges_with_their_weights() -> None:
    (band,) = bands(MIXED, [], CYCLE, ON)
    weights = {
        (a, b): w
        for rows, cols, ws in edges(band)
        for a, b, w in zip(rows.tolist(), cols.tolist(), ws.tolist(), strict=True)
    }
    sparse = pair_band(band, edge_limit=1_000)
    assert sparse.pairs
    assert all(weights[(a, b)] == w for a, b, w in sparse.pairs)


def test_nobody_to_match() -> None:
    assert match([], [], CYCLE, ON) == MatchResult((), ())


def test_one_person_is_told_why() -> None:
    assert match([person("solo")], [], CYCLE, ON).unmatched == (
        Unmatched("solo", "no one else at your level in another department"),
    )


def test_ids_must_be_unique() -> None:
    with pytest.raises(ValueError, match="unique"):
        match([person("a"), person("a", "legal")], [], CYCLE, ON)


def test_a_result_becomes_the_next_history() -> None:
    result = match(crowd(3), [], CYCLE, ON)
    assert result.as_history(CYCLE) == (
        *result.groups,
        *(Group(CYCLE, (u.person_id,)) for u in result.unmatched),
    )
    assert result.unmatched


def test_groups_are_pairs_listed_in_id_order() -> None:
    result = match(crowd(6, departments=3), [], CYCLE, ON)
    assert [g.members for g in result.groups] == sorted(g.members for g in result.groups)
    assert all(list(g.members) == sorted(g.members) for g in result.groups)


def test_sparse_mode_certifies_a_band_dominated_by_one_department() -> None:
    # Given 60 people, 45 of them in one department, solved in sparse mode
    people = [person(f"p{i:02d}", "big" if i % 4 else f"d{i % 3}") for i in range(60)]
    (band,) = bands(people, [], CYCLE, ON)
    sparse = pair_band(band, edge_limit=0)

    # Then every small-department person is paired with someone from the big one, provably
    assert len(sparse.pairs) == 15
    assert sparse.certified

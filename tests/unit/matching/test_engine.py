"""The engine as a whole: split mode, determinism, edge cases."""

import pytest

from tandem.matching.engine import Group, MatchResult, Unmatched, match
from tandem.matching.engine.solve import Split, bands, edges, pair_band

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


CELLS_OF_50 = Split(exact_limit=100, cell_size=50)


def test_split_mode_is_close_to_the_exact_solve() -> None:
    # Given a band of 301 people, solved exactly and split into cells of 50
    (band,) = bands(MIXED, [], CYCLE, ON)
    exact = pair_band(band)
    split = pair_band(band, CELLS_OF_50)

    # Then split mode pairs as many people, certifies it, and scores within 1%
    assert (exact.split, split.split) == (False, True)
    assert split.certified
    assert len(split.pairs) == len(exact.pairs)
    assert split.objective >= 0.99 * exact.objective

    # And is deterministic
    assert pair_band(band, CELLS_OF_50) == split


def test_split_pairs_are_feasible_edges_with_their_weights() -> None:
    (band,) = bands(MIXED, [], CYCLE, ON)
    weights = {
        (a, b): w
        for rows, cols, ws in edges(band)
        for a, b, w in zip(rows.tolist(), cols.tolist(), ws.tolist(), strict=True)
    }
    split = pair_band(band, CELLS_OF_50)
    assert split.pairs
    assert all(weights[(a, b)] == w for a, b, w in split.pairs)


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


@pytest.mark.parametrize("repair_limit", [4, 600])
def test_split_mode_certifies_a_band_dominated_by_one_department(repair_limit: int) -> None:
    # Given 60 people, 45 of them in one department, in cells of 2: some cells pair two people
    # of small departments, so only a repair across cells pairs each with someone from the big one
    people = [person(f"p{i:02d}", "big" if i % 4 else f"d{i % 3}") for i in range(60)]
    (band,) = bands(people, [], CYCLE, ON)
    split = pair_band(band, Split(exact_limit=0, cell_size=2, repair_limit=repair_limit))

    # Then every small-department person is paired with someone from the big one, provably
    assert len(split.pairs) == 15
    assert split.certified

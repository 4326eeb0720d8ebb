"""Quarter after quarter on one population: nobody meets the same partner twice."""

from itertools import combinations

from tandem.matching.engine import Group, match

from .support import ON, person

ZONES = ["Europe/London", "Europe/Berlin", "Europe/Helsinki"]


def test_four_quarters_without_a_repeat_and_without_leaving_anyone_out() -> None:
    # Given 25 people in 5 departments and 3 nearby time zones, some reporting to others,
    # who have plenty of repeat-free matchings for a year
    people = [
        person(
            f"p{i:02d}",
            f"d{i % 5}",
            timezone=ZONES[i % 3],
            manager_id=f"p{i - 5:02d}" if i >= 5 else None,
        )
        for i in range(25)
    ]
    history: tuple[Group, ...] = ()
    met: list[frozenset[str]] = []

    # When four quarters are matched, each feeding its groups into the history
    for quarter in ("2027-Q1", "2027-Q2", "2027-Q3", "2027-Q4"):
        result = match(people, history, quarter, ON)
        history += result.as_history(quarter)
        met += [frozenset(p) for g in result.groups for p in combinations(g.members, 2)]

        # Then everyone is matched every quarter: 11 pairs and a trio
        assert result.unmatched == ()
        assert sorted(len(g.members) for g in result.groups) == [2] * 11 + [3]

    # And no two people ever met twice
    assert len(met) == len(set(met)) == 4 * 14

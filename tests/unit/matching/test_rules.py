"""Each hard rule on its own, and the reason people hear when a rule leaves them out."""

from dataclasses import replace

from tandem.matching.engine import Group, MatchingRules, MatchResult, Person, match

from .support import CYCLE, ON, met_five_quarters_ago, person

DEFAULT = MatchingRules()


def run(
    people: list[Person], history: tuple[Group, ...] = (), rules: MatchingRules = DEFAULT
) -> MatchResult:
    return match(people, history, CYCLE, ON, rules)


def paired(result: MatchResult) -> set[frozenset[str]]:
    return {frozenset(g.members) for g in result.groups}


def reasons(result: MatchResult) -> dict[str, str]:
    return {u.person_id: u.reason for u in result.unmatched}


def test_people_in_different_departments_at_the_same_level_are_paired() -> None:
    result = run([person("a", "sales"), person("b", "legal")])
    assert paired(result) == {frozenset("ab")}
    assert result.unmatched == ()


def test_a_department_written_another_way_is_the_same_department() -> None:
    """A person who joins types their department: "engineering " is the roster's Engineering."""
    result = run([person("a", "Engineering"), person("b", "engineering ")])
    assert paired(result) == set()


def test_same_department_is_never_paired() -> None:
    # Given two people in sales and one in legal
    people = [person("a", "sales"), person("b", "sales"), person("c", "legal")]

    # When matched with the sit-out policy
    result = run(people, rules=MatchingRules(odd_policy="sit_out"))

    # Then legal is paired with one of sales, and the other sits out for parity
    assert len(result.groups) == 1
    assert {"c"} < set(result.groups[0].members)
    assert list(reasons(result).values()) == [
        "odd number of people: you sit out this quarter and get priority next quarter"
    ]


def test_alone_in_a_department_level_is_told_so() -> None:
    result = run([person("a", "sales"), person("b", "sales")])
    assert reasons(result) == {
        "a": "no one else at your level in another department",
        "b": "no one else at your level in another department",
    }


def test_different_levels_are_never_paired() -> None:
    result = run([person("a", "sales", "L1"), person("b", "legal", "L2")])
    assert not result.groups
    assert set(reasons(result)) == {"a", "b"}


def test_bands_join_levels() -> None:
    people = [person("a", "sales", "L1"), person("b", "legal", "L2")]
    result = run(people, rules=MatchingRules(bands={"L1": "junior", "L2": "junior"}))
    assert paired(result) == {frozenset("ab")}


def test_manager_and_report_are_never_paired() -> None:
    # Given b reports to a, in another department
    result = run([person("a", "sales"), person("b", "legal", manager_id="a")])

    # Then they are not paired, and hear why
    assert not result.groups
    assert reasons(result)["b"] == (
        "everyone at your level in another department is in your reporting line"
    )


def test_manager_of_manager_is_never_paired() -> None:
    # Given c reports to b who reports to a; a and c are in different departments
    people = [
        person("a", "sales", "L1"),
        person("b", "ops", "L2", manager_id="a"),
        person("c", "legal", "L1", manager_id="b"),
    ]
    assert not run(people).groups


def test_three_levels_up_is_not_the_reporting_line() -> None:
    people = [
        person("a", "sales", "L1"),
        person("b", "ops", "L2", manager_id="a"),
        person("c", "ops", "L3", manager_id="b"),
        person("d", "legal", "L1", manager_id="c"),
    ]
    assert paired(run(people)) == {frozenset("ad")}


def test_a_known_skip_level_manager_counts_even_when_the_manager_is_not_matched() -> None:
    # Given c's manager x is paused this cycle, and the caller knows x reports to a
    people = [
        person("a", "sales"),
        replace(person("c", "legal", manager_id="x"), skip_level_id="a"),
    ]
    assert not run(people).groups


def test_a_manager_outside_the_population_ends_the_chain() -> None:
    # Given b's manager x is not taking part
    people = [person("a", "sales"), person("b", "legal", manager_id="x")]
    assert paired(run(people)) == {frozenset("ab")}


def test_partners_within_the_repeat_window_are_never_paired_again() -> None:
    # Given a and b were partners four quarters ago (the oldest cycle of a window of 4)
    history = (
        Group("2026-Q1", ("a", "b")),
        Group("2026-Q2", ("a", "x")),
        Group("2026-Q3", ("a", "y")),
        Group("2026-Q4", ("a", "z")),
    )
    people = [person("a", "sales"), person("b", "legal")]

    # When matched with the default window of 4
    result = run(people, history)

    # Then they are not paired, and hear why
    assert not result.groups
    assert reasons(result)["a"] == "everyone compatible was a partner in the last 4 quarters"

    # And with a window of 3 they may meet again
    assert paired(run(people, history, MatchingRules(repeat_window=3))) == {frozenset("ab")}


def test_the_window_counts_cycles_not_entries_and_ignores_later_cycles() -> None:
    # Given a and b met in 2027-Q2, after the cycle being matched
    history = (Group("2027-Q2", ("a", "b")),)
    assert run([person("a", "sales"), person("b", "legal")], history).groups


def test_an_older_repeat_is_avoided_when_a_fresh_partner_exists() -> None:
    # Given a and b met five quarters ago, just outside the window
    history = tuple(met_five_quarters_ago("a", "b"))
    people = [person("a", "d1"), person("b", "d2"), person("c", "d2"), person("d", "d1")]

    # When matched
    result = run(people, history)

    # Then the old partners are split up
    assert paired(result) == {frozenset("ac"), frozenset("bd")}


def test_everyone_compatible_already_paired() -> None:
    # Given a hub in legal everyone else could meet, and sales people who cannot meet each other
    people = [person("hub", "legal"), *(person(f"s{i}", "sales") for i in range(3))]

    # When matched with sit-outs
    result = run(people, rules=MatchingRules(odd_policy="sit_out"))

    # Then two are left, both told their compatible partners were taken
    assert len(result.groups) == 1
    assert set(reasons(result).values()) == {
        "all compatible partners were already paired this quarter"
    }

"""The soft weights: what the engine prefers when several maximum matchings exist."""

import numpy as np

from tandem.matching.engine import Group, MatchResult, Person, match
from tandem.matching.engine.objective import (
    BEST_SCORE,
    CLOSENESS,
    DIFFERENT_HOW,
    DIFFERENT_LOCATION,
    REPEAT_FLOOR,
    SAME_WHY,
    repeat_penalty,
)
from tandem.model.purpose import PurposeProfile

from .support import CYCLE, ON, met_five_quarters_ago, person

KARMA_HUMAN = PurposeProfile.parse("Individual", "Karma", "Human")
KARMA_KNOWLEDGE = PurposeProfile.parse("Society", "Karma", "Knowledge")
HARMONY_HUMAN = PurposeProfile.parse("Individual", "Harmony", "Human")
HARMONY_KNOWLEDGE = PurposeProfile.parse("Individual", "Harmony", "Knowledge")


def pairs(people: list[Person], history: tuple[Group, ...] = ()) -> set[frozenset[str]]:
    return {frozenset(g.members) for g in match(people, history, CYCLE, ON).groups}


def scores(result: MatchResult) -> dict[frozenset[str], int]:
    return {frozenset(g.members): g.score for g in result.groups}


def test_closer_time_zones_are_preferred() -> None:
    # Given two Londoners and two New Yorkers, one of each in each department
    people = [
        person("a", "d1"),
        person("b", "d2"),
        person("c", "d1", timezone="America/New_York"),
        person("d", "d2", timezone="America/New_York"),
    ]
    # Then each city pairs with itself
    assert pairs(people) == {frozenset("ab"), frozenset("cd")}


def test_a_shared_why_is_preferred() -> None:
    people = [
        person("a", "d1", purpose=KARMA_HUMAN),
        person("b", "d2", purpose=KARMA_HUMAN),
        person("c", "d1", purpose=HARMONY_HUMAN),
        person("d", "d2", purpose=HARMONY_HUMAN),
    ]
    assert pairs(people) == {frozenset("ab"), frozenset("cd")}


def test_a_different_how_is_preferred() -> None:
    people = [
        person("a", "d1", purpose=HARMONY_HUMAN),
        person("b", "d2", purpose=HARMONY_KNOWLEDGE),
        person("c", "d1", purpose=HARMONY_KNOWLEDGE),
        person("d", "d2", purpose=HARMONY_HUMAN),
    ]
    assert pairs(people) == {frozenset("ab"), frozenset("cd")}


def test_different_locations_are_preferred_when_known() -> None:
    people = [
        person("a", "d1", location="Paris"),
        person("b", "d2", location="Lyon"),
        person("c", "d1", location="Lyon"),
        person("d", "d2", location="Paris"),
    ]
    assert pairs(people) == {frozenset("ab"), frozenset("cd")}


def test_group_scores_add_up_the_named_weights() -> None:
    # Given one pair with everything in its favour and one with nothing but the same office hours
    people = [
        person("a", "d1", location="Paris", purpose=KARMA_HUMAN),
        person("b", "d2", location="Lyon", purpose=KARMA_KNOWLEDGE),
        person("c", "d1"),
        person("d", "d2", location="Lyon"),
    ]
    result = match(people, [], CYCLE, ON)
    assert scores(result) == {
        frozenset("ab"): CLOSENESS + SAME_WHY + DIFFERENT_HOW + DIFFERENT_LOCATION,
        frozenset("cd"): CLOSENESS,
    }


def test_a_trio_scores_the_sum_of_its_three_pairs() -> None:
    people = [person("a", "d1"), person("b", "d2"), person("c", "d3")]
    assert scores(match(people, [], CYCLE, ON)) == {frozenset("abc"): 3 * CLOSENESS}


def test_an_older_repeat_costs_more_than_any_pair_can_gain() -> None:
    assert REPEAT_FLOOR > BEST_SCORE
    assert repeat_penalty(np.array([1_000]), 4)[0] >= REPEAT_FLOOR


def test_the_more_recent_the_repeat_the_larger_the_penalty() -> None:
    penalties = repeat_penalty(np.arange(5, 12), 4).tolist()
    assert penalties == sorted(penalties, reverse=True)
    assert len(set(penalties)) > 1


def test_an_older_repeat_shows_in_the_score() -> None:
    # Given a and b met five quarters ago, just outside the window, and nobody else is around
    history = met_five_quarters_ago("a", "b")
    result = match([person("a", "d1"), person("b", "d2")], history, CYCLE, ON)

    # Then they meet again, with the penalty for the most recent possible repeat
    assert result.groups[0].score == CLOSENESS - int(repeat_penalty(np.array([5]), 4)[0])

from hypothesis import given
from hypothesis import strategies as st

from tandem.model import purpose
from tandem.model.purpose import How, IncompleteAnswers, PurposeProfile, Who, Why, score

ANSWERS = st.fixed_dictionaries(
    {q.id: st.sampled_from([driver.value for driver, _ in q.options]) for q in purpose.QUESTIONS}
)


def all_answers(who: str, why: str, how: str) -> dict[str, str]:
    axis_value = {Who: who, Why: why, How: how}
    return {q.id: axis_value[q.axis] for q in purpose.QUESTIONS}


def test_unanimous_answers_give_that_driver_on_each_axis() -> None:
    assert (
        score(all_answers("Society", "Harmony", "Structure")).pattern
        == "Society, Harmony, Structure"
    )


def test_majority_wins_an_axis() -> None:
    answers = all_answers("Individual", "Karma", "Human")
    answers["who1"] = "Society"  # one of three
    assert score(answers).who is Who.INDIVIDUAL


def test_a_three_way_tie_goes_to_the_first_question_of_the_axis() -> None:
    answers = all_answers("Individual", "Karma", "Human")
    answers.update(who1="Organization", who2="Society", who3="Individual")
    answers.update(how1="Knowledge", how2="Community", how3="Structure")
    profile = score(answers)
    assert (profile.who, profile.how) == (Who.ORGANIZATION, How.KNOWLEDGE)


def test_missing_or_foreign_answers_are_named() -> None:
    answers = all_answers("Individual", "Karma", "Human")
    del answers["why2"]
    answers["how3"] = "Telepathy"
    try:
        score(answers)
    except IncompleteAnswers as error:
        assert error.question_ids == ["why2", "how3"]
    else:
        raise AssertionError("incomplete answers were scored")


@given(ANSWERS)
def test_every_full_set_of_answers_yields_one_driver_per_axis(answers: dict[str, str]) -> None:
    profile = score(answers)
    for axis, driver in ((Who, profile.who), (Why, profile.why), (How, profile.how)):
        chosen = [answers[q.id] for q in purpose.QUESTIONS if q.axis is axis]
        assert driver.value in chosen
        assert chosen.count(driver.value) == max(chosen.count(value) for value in chosen)


def test_all_24_patterns_are_reachable() -> None:
    patterns = {
        score(all_answers(who, why, how)).pattern for who in Who for why in Why for how in How
    }
    assert len(patterns) == 24


def test_parse_accepts_any_case_and_names_the_axis_it_rejects() -> None:
    assert PurposeProfile.parse("society", "KARMA", " human ").pattern == "Society, Karma, Human"
    try:
        PurposeProfile.parse("Society", "Greed", "Human")
    except ValueError as error:
        assert str(error).startswith("why must be one of Karma, Harmony")
    else:
        raise AssertionError("an unknown driver was accepted")

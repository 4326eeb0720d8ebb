"""Purpose profiles: one driver on each of three axes (WHO, WHY, HOW), 3 x 2 x 4 = 24 patterns.

The questionnaire is three forced-choice statements per axis. The driver of an axis is the
option chosen most often; a tie goes to the answer of the axis's first question, which asks
the axis outright ("which matters most to you?").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar


class Who(StrEnum):
    INDIVIDUAL = "Individual"
    ORGANIZATION = "Organization"
    SOCIETY = "Society"


class Why(StrEnum):
    KARMA = "Karma"
    HARMONY = "Harmony"


class How(StrEnum):
    COMMUNITY = "Community"
    HUMAN = "Human"
    KNOWLEDGE = "Knowledge"
    STRUCTURE = "Structure"


@dataclass(frozen=True)
class PurposeProfile:
    who: Who
    why: Why
    how: How

    @property
    def pattern(self) -> str:
        """The profile as people read it: "Organization, Karma, Community"."""
        return f"{self.who}, {self.why}, {self.how}"

    @classmethod
    def parse(cls, who: str, why: str, how: str) -> PurposeProfile:
        """Raises ValueError naming the axis when a driver is not one of that axis's options."""
        return cls(_driver(Who, "who", who), _driver(Why, "why", why), _driver(How, "how", how))


E = TypeVar("E", bound=StrEnum)


def _driver(axis: type[E], name: str, value: str) -> E:
    try:
        return axis(value.strip().capitalize())
    except ValueError:
        options = ", ".join(axis)
        raise ValueError(f"{name} must be one of {options}, not {value!r}") from None


DESCRIPTIONS: dict[StrEnum, str] = {
    Who.INDIVIDUAL: "You light up when one person grows because of you.",
    Who.ORGANIZATION: "You are driven to make teams and organisations work better.",
    Who.SOCIETY: "You want your work to change things for the wider world.",
    Why.KARMA: "You act to put right what is unfair or wrong.",
    Why.HARMONY: "You act to bring balance and make things work well together.",
    How.COMMUNITY: "You bring people together around a shared goal.",
    How.HUMAN: "You work through empathy and one-to-one connection.",
    How.KNOWLEDGE: "You learn, research and find the insight first.",
    How.STRUCTURE: "You build the plan, the system, the process that lasts.",
}


@dataclass(frozen=True)
class Question:
    id: str
    axis: type[StrEnum]
    prompt: str
    options: tuple[tuple[StrEnum, str], ...]


QUESTIONS: tuple[Question, ...] = (
    Question(
        "who1",
        Who,
        "Whose progress gives you the most energy?",
        (
            (Who.INDIVIDUAL, "One person growing because I helped them"),
            (Who.ORGANIZATION, "A team or organisation working better"),
            (Who.SOCIETY, "A community or society changing for the better"),
        ),
    ),
    Question(
        "who2",
        Who,
        "Which success story would you rather tell?",
        (
            (Who.INDIVIDUAL, "Someone I coached got the role they wanted"),
            (Who.ORGANIZATION, "Our team delivered what no one thought we could"),
            (Who.SOCIETY, "Our work changed something for people outside the company"),
        ),
    ),
    Question(
        "who3",
        Who,
        "Where do you notice your impact first?",
        (
            (Who.INDIVIDUAL, "In the people I work with one-to-one"),
            (Who.ORGANIZATION, "In how well the team or company performs"),
            (Who.SOCIETY, "In the wider world our work reaches"),
        ),
    ),
    Question(
        "why1",
        Why,
        "What pulls you into a hard problem?",
        (
            (Why.KARMA, "Something is unfair or wrong and needs putting right"),
            (Why.HARMONY, "Something is out of balance and could work beautifully"),
        ),
    ),
    Question(
        "why2",
        Why,
        "Which compliment means more to you?",
        (
            (Why.KARMA, "You always do the right thing"),
            (Why.HARMONY, "You make things work together smoothly"),
        ),
    ),
    Question(
        "why3",
        Why,
        "At the end of a good day, you feel...",
        (
            (Why.KARMA, "that you stood up for what matters"),
            (Why.HARMONY, "that everything came together"),
        ),
    ),
    Question(
        "how1",
        How,
        "When you take on something new, you start by...",
        (
            (How.COMMUNITY, "bringing people together around it"),
            (How.HUMAN, "talking with the people it affects"),
            (How.KNOWLEDGE, "learning everything you can about it"),
            (How.STRUCTURE, "designing a plan or a system"),
        ),
    ),
    Question(
        "how2",
        How,
        "Colleagues come to you when they need...",
        (
            (How.COMMUNITY, "people to rally"),
            (How.HUMAN, "someone to listen"),
            (How.KNOWLEDGE, "an answer or an insight"),
            (How.STRUCTURE, "order in the chaos"),
        ),
    ),
    Question(
        "how3",
        How,
        "The work you are proudest of...",
        (
            (How.COMMUNITY, "built a network that lasts"),
            (How.HUMAN, "helped someone through a tough moment"),
            (How.KNOWLEDGE, "uncovered something new"),
            (How.STRUCTURE, "left a process that runs without me"),
        ),
    ),
)


class IncompleteAnswers(ValueError):
    """Some questions are unanswered or answered with something that is not an option."""

    def __init__(self, question_ids: list[str]) -> None:
        super().__init__(f"please answer: {', '.join(question_ids)}")
        self.question_ids = question_ids


def unanswered(answers: Mapping[str, str]) -> list[str]:
    """Ids of the questions without a valid answer."""
    return [
        q.id
        for q in QUESTIONS
        if answers.get(q.id) not in {driver.value for driver, _ in q.options}
    ]


def score(answers: Mapping[str, str]) -> PurposeProfile:
    """The profile for a full set of answers (question id -> chosen driver's value)."""
    invalid = unanswered(answers)
    if invalid:
        raise IncompleteAnswers(invalid)
    drivers = []
    for axis in (Who, Why, How):
        chosen = [answers[q.id] for q in QUESTIONS if q.axis is axis]
        counts = Counter(chosen)
        top = max(counts.values())
        # The first question asks the axis outright, so it settles a tie.
        winner = chosen[0] if counts[chosen[0]] == top else counts.most_common(1)[0][0]
        drivers.append(winner)
    return PurposeProfile.parse(*drivers)

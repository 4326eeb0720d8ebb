"""The attacker's arithmetic: which sums adding and subtracting published ones gives."""

from __future__ import annotations

from fractions import Fraction

from tandem.analytics.disclosure import Span

# Sales are all managers; Legal has one manager and five directors.
PEOPLE = {
    ("Sales", "Manager"): frozenset({"s1", "s2", "s3", "s4", "s5", "s6"}),
    ("Legal", "Manager"): frozenset({"l1"}),
    ("Legal", "Director"): frozenset({"l2", "l3", "l4", "l5", "l6"}),
}
ALL = sorted(PEOPLE)
SALES = [a for a in ALL if a[0] == "Sales"]
LEGAL = [a for a in ALL if a[0] == "Legal"]
MANAGERS = [a for a in ALL if a[1] == "Manager"]


def test_the_total_minus_the_others_gives_the_one_left() -> None:
    span = Span([("all", ALL), ("sales", SALES)])

    given = span.gives(LEGAL)

    assert given == {"all": Fraction(1), "sales": Fraction(-1)}
    assert span.gives(MANAGERS) is None


def test_a_level_minus_a_department_gives_the_few_between_them() -> None:
    span = Span([("sales", SALES), ("managers", MANAGERS)])

    found = list(span.small_sums(PEOPLE, fewer_than=5))

    # Managers minus Sales: Legal's one manager. Nothing else is about fewer than five.
    assert found == [
        (frozenset({("Legal", "Manager")}), {"managers": Fraction(1), "sales": Fraction(-1)})
    ]


def test_sums_about_enough_people_are_no_leak() -> None:
    span = Span([("all", ALL), ("sales", SALES)])

    assert list(span.small_sums(PEOPLE, fewer_than=5)) == []  # Legal: six people

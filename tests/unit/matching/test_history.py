"""Earlier cycles in their order, whatever the calendar: monthly cycles run to Q12."""

from tandem.matching.engine import Group
from tandem.matching.engine.history import cycle_order, pair, read_past


def test_cycle_ten_comes_after_cycle_nine_and_years_come_first() -> None:
    ids = ["2028-Q1", "2027-Q10", "2027-Q9", "2027-Q12", "2027-Q2"]
    assert sorted(ids, key=cycle_order) == ["2027-Q2", "2027-Q9", "2027-Q10", "2027-Q12", "2028-Q1"]


def test_a_monthly_programs_last_cycle_is_the_one_before_the_tenth() -> None:
    history = (Group("2027-Q8", ("a", "b")), Group("2027-Q9", ("c", "d", "e")))
    past = read_past(history, "2027-Q10", window=1)
    assert past.recent == {pair("c", "d"), pair("c", "e"), pair("d", "e")}
    assert past.older == {pair("a", "b"): 2}
    assert past.odd_last == {"c", "d", "e"}
    # and a later cycle in the history is not the past
    assert read_past((Group("2027-Q10", ("a", "b")),), "2027-Q9", window=4).recent == set()


def test_a_circle_last_quarter_is_no_priority_and_every_two_of_it_met() -> None:
    history = (
        Group("2027-Q1", ("a", "b", "c", "d", "e")),  # a circle
        Group("2027-Q1", ("f", "g", "h")),  # a trio
        Group("2027-Q1", ("i",)),  # sat out
    )
    past = read_past(history, "2027-Q2", window=4)
    assert past.odd_last == {"f", "g", "h", "i"}
    assert pair("a", "e") in past.recent and pair("b", "d") in past.recent

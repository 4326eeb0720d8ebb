"""The figures HR sees: definitions on hand-made programs, and, on generated companies, that no
hidden figure can be had from the visible ones, in one file or across a year's files."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from itertools import product

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.analytics.figures import SummaryRow, summaries
from tandem.analytics.tables import (
    ConversationRow,
    GroupRow,
    ParticipantRow,
    PledgeRow,
    PulseRow,
    Tables,
)
from tests.support.programs import company, year_of

Key = tuple[str, str, str]


def person(pid: str, department: str = "Sales", level: str = "Manager", why: str = "Karma"):
    return ParticipantRow(pid, department, level, "active", "Individual", why, "Human", None)


def quarter(
    cycle: str,
    people: Sequence[ParticipantRow],
    groups: Sequence[Sequence[str]],
    *,
    held: str | None = "yes",
    pledges: Sequence[PledgeRow] = (),
    pulses: Sequence[PulseRow] = (),
    helpfulness: int | None = 4,
    previously_active: frozenset[str] = frozenset(),
) -> Tables:
    """A quarter where every group held session 1 (or as `held` says) and nothing else."""
    group_rows = [GroupRow(cycle, f"g{i}", len(g), tuple(g), True, 1) for i, g in enumerate(groups)]
    conversations = [
        ConversationRow(cycle, g.group, 1, p, datetime(2027, 1, 11, 9), held, helpfulness)
        for g in group_rows
        for p in g.participants
    ]
    return Tables(
        cycle,
        (cycle,),
        people,
        group_rows,
        conversations,
        list(pledges),
        list(pulses),
        previously_active,
    )


def figures(rows: Sequence[SummaryRow]) -> dict[Key, SummaryRow]:
    return {(r.scope, r.group, r.metric): r for r in rows}


def pledge(pid: str, checkin: str | None, impact: str | None = None, theme: str = "") -> PledgeRow:
    return PledgeRow("2027-Q1", "g", 1, pid, theme, checkin, impact)


# -- definitions, on hand-made programs -------------------------------------------------------


def test_each_metric_follows_its_definition() -> None:
    people = [person(f"p{i}", "Sales" if i < 3 else "Ops") for i in range(7)]
    pledges = [
        pledge("p0", "done", "yes"),
        pledge("p1", "done", "no"),
        pledge("p2", "done", "yes"),
        pledge("p3", "partly"),
        pledge("p4", None),
    ]
    pulses = [
        PulseRow("2027-Q1", "p0", 5, "yes"),
        PulseRow("2027-Q1", "p1", 4, "yes"),
        PulseRow("2027-Q1", "p2", 3, "no"),
        PulseRow("2027-Q1", "p3", None, None),
    ]
    q1 = quarter(
        "2027-Q1",
        people,
        [("p0", "p3"), ("p1", "p4"), ("p2", "p5", "p6")],
        pledges=pledges,
        pulses=pulses,
        previously_active=frozenset({"p0", "p1", "p9", "p8"}),
    )

    rows, _ = summaries([q1], year_of([q1]), min_group=3)

    got = {r.metric: (r.value, r.n) for r in rows if r.scope == "all" and ":" not in r.metric}
    assert got == {
        "participants": ("7", 7),
        "conversations_held": ("3", 7),  # one per group and session, not per member
        "pledges_made": ("5", 5),
        "pledges_checked_in": ("4", 4),
        "completion_rate": ("0.750", 4),  # 3 done of 4 checked in
        "impact_rate": ("0.667", 3),  # 2 with impact of 3 done
        "helpfulness_mean": ("4.00", 7),
        "ongoing_intent_rate": ("0.667", 3),
        "fulfilment_mean": ("4.00", 3),
        "relationships_formed": ("5", 7),  # two pairs and a trio's three
        "retention": ("0.500", 4),  # p0 and p1 of the four in a group the quarter before
    }


def test_a_group_that_never_met_forms_no_relationship_and_holds_no_conversation() -> None:
    people = [person(f"p{i}") for i in range(6)]
    met = quarter("2027-Q1", people, [("p0", "p1"), ("p2", "p3")])
    never = quarter("2027-Q1", people, [("p4", "p5")], held="no")
    q1 = Tables(
        **{
            **met.__dict__,
            "groups": [*met.groups, GroupRow("2027-Q1", "g9", 2, ("p4", "p5"), True, 0)],
            "conversations": [
                *met.conversations,
                *(replace(c, group="g9") for c in never.conversations),
            ],
        }
    )

    rows, _ = summaries([q1], year_of([q1]), min_group=3)

    got = figures(rows)
    assert got["all", "", "participants"].value == "6"
    assert (got["all", "", "conversations_held"].value, got["all", "", "conversations_held"].n) == (
        "2",
        4,
    )
    assert got["all", "", "relationships_formed"].value == "2"


def test_a_year_sums_its_quarters_and_counts_people_once() -> None:
    people = [person(f"p{i}") for i in range(6)]
    everyone = frozenset(p.participant for p in people)
    pairs = [("p0", "p1"), ("p2", "p3"), ("p4", "p5")]
    q1 = quarter("2027-Q1", people, pairs, previously_active=everyone - {"p5"})
    q2 = quarter(
        "2027-Q2", people, [("p0", "p2"), ("p1", "p4"), ("p3", "p5")], previously_active=everyone
    )

    _, ytd = summaries([q1, q2], year_of([q1, q2]), min_group=3)

    got = figures(ytd)
    assert {r.cycle for r in ytd} == {"2027"}
    assert got["all", "", "participants"].value == "6"
    assert got["all", "", "conversations_held"].value == "6"
    assert got["all", "", "relationships_formed"].value == "6"
    # Five of Q4's people back in Q1, then all six of Q1's in Q2: (5 + 6) / (5 + 6).
    assert (got["all", "", "retention"].value, got["all", "", "retention"].n) == ("1.000", 6)


def test_min_group_below_three_is_refused() -> None:
    q1 = quarter("2027-Q1", [person("p0"), person("p1")], [("p0", "p1")])
    with pytest.raises(ValueError, match="at least 3"):
        summaries([q1], year_of([q1]), min_group=2)


def test_a_year_that_does_not_match_its_quarters_is_refused() -> None:
    q1 = quarter("2027-Q1", [person("p0"), person("p1")], [("p0", "p1")])
    q2 = quarter("2027-Q2", [person("p0"), person("p1")], [("p0", "p1")])
    with pytest.raises(ValueError, match="quarters given"):
        summaries([q1, q2], year_of([q1]), min_group=3)


# -- hiding, on hand-made programs -------------------------------------------------------------


def test_a_department_of_two_is_hidden_with_the_next_smallest() -> None:
    sizes = {"Sales": 8, "Ops": 6, "Legal": 2}
    people = [person(f"{d}{i}", d) for d, size in sizes.items() for i in range(size)]
    ids = [p.participant for p in people]
    q1 = quarter("2027-Q1", people, [ids[i : i + 2] for i in range(0, len(ids), 2)])

    rows, _ = summaries([q1], year_of([q1]), min_group=5)

    got = figures(rows)
    assert got["department", "Legal", "participants"].note == "suppressed"
    assert got["department", "Ops", "participants"].note == "suppressed"
    assert got["department", "Ops", "participants"].value == ""
    assert got["department", "Ops", "participants"].n is None
    assert got["department", "Sales", "participants"] == SummaryRow(
        "2027-Q1", "department", "Sales", "participants", "8", 8, ""
    )
    assert got["all", "", "participants"].value == "16"


def test_pledge_themes_need_ten_people() -> None:
    people = [person(f"p{i}") for i in range(14)]
    themed = [pledge(f"p{i}", "done", "yes", "Focus") for i in range(10)]
    themed += [pledge(f"p{i}", "done", "yes", "Team") for i in range(10, 14)]
    ids = [p.participant for p in people]
    q1 = quarter("2027-Q1", people, [ids[i : i + 2] for i in range(0, 14, 2)], pledges=themed)

    rows, _ = summaries([q1], year_of([q1]), min_group=3)

    got = figures(rows)
    # Team (4 people) is hidden, and with it Focus: themes add up to the pledges made.
    assert got["all", "", "pledge_theme:Team"].note == "suppressed"
    assert got["all", "", "pledge_theme:Focus"].note == "suppressed"
    assert got["all", "", "pledges_made"].value == "14"


def test_the_mean_answer_is_hidden_when_its_distribution_hides_an_answer() -> None:
    people = [person(f"p{i}") for i in range(10)]
    ids = [p.participant for p in people]
    q1 = quarter("2027-Q1", people, [ids[i : i + 2] for i in range(0, 10, 2)])
    # One person answered 1: from the mean and the other answers, their 1 could be worked out.
    lonely = [c if c.participant != "p0" else replace(c, helpfulness=1) for c in q1.conversations]
    q1 = Tables(**{**q1.__dict__, "conversations": lonely})

    rows, _ = summaries([q1], year_of([q1]), min_group=3)

    got = figures(rows)
    assert got["all", "", "helpfulness:1"].note == "suppressed"
    assert got["all", "", "helpfulness:4"].note == "suppressed"
    assert got["all", "", "helpfulness_mean"].note == "suppressed"


def test_a_purpose_mix_about_one_more_person_than_the_last_is_hidden() -> None:
    people = [person(f"p{i}", why="Karma" if i % 2 else "Harmony") for i in range(11)]
    ten = [("p0", "p1"), ("p2", "p3"), ("p4", "p5"), ("p6", "p7"), ("p8", "p9")]
    q1 = quarter("2027-Q1", people, ten)
    same = quarter("2027-Q2", people, ten)
    one_more = quarter("2027-Q2", people, [*ten[:-1], ("p8", "p9", "p10")])

    first, _ = summaries([q1], year_of([q1]), min_group=5)
    unchanged, _ = summaries([q1, same], year_of([q1, same]), min_group=5)
    grown, grown_ytd = summaries([q1, one_more], year_of([q1, one_more]), min_group=5)

    assert figures(first)["all", "", "purpose_why:Karma"].value == "5"
    assert figures(unchanged)["all", "", "purpose_why:Karma"].value == "5"
    # Else Q2's Karma minus Q1's would be p10's answer.
    for rows in (grown, grown_ytd):
        assert all(r.note for r in rows if r.metric.startswith("purpose_"))


# -- generated companies: what an attacker can do with the files -----------------------------


@st.composite
def companies(draw: st.DrawFn) -> tuple[list[Tables], int]:
    """A company of uneven departments over one to three quarters, and its minimum group."""
    sizes = draw(st.lists(st.integers(1, 9), min_size=2, max_size=5))
    quarters = company(draw(st.randoms(use_true_random=False)), sizes, draw(st.integers(1, 3)))
    return quarters, draw(st.integers(3, 6))


def published(quarters: list[Tables], min_group: int) -> list[tuple[list[SummaryRow], ...]]:
    """Every file of the year as it came out: after each quarter, its rows and the year's."""
    return [
        summaries(quarters[:k], year_of(quarters[:k]), min_group)
        for k in range(1, len(quarters) + 1)
    ]


# Who each figure is about, worked out from the rows independently of the code under test.
Contributors = Callable[[Tables, Callable[[str], bool]], set[str]]
CONTRIBUTORS: dict[str, Contributors] = {
    "participants": lambda t, inside: {p for g in t.groups for p in g.participants if inside(p)},
    "pledges_made": lambda t, inside: {p.participant for p in t.pledges if inside(p.participant)},
    "pledges_checked_in": lambda t, inside: {
        p.participant for p in t.pledges if p.checkin and inside(p.participant)
    },
    "completion_rate": lambda t, inside: {
        p.participant for p in t.pledges if p.checkin and inside(p.participant)
    },
    "fulfilment_mean": lambda t, inside: {
        p.participant for p in t.pulses if p.fulfilment and inside(p.participant)
    },
}
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(companies())
def test_no_figure_about_fewer_than_min_group_people_is_shown(company) -> None:
    quarters, min_group = company
    for files in published(quarters, min_group):
        for row in (r for rows in files for r in rows if not r.note):
            floor = 10 if row.metric.startswith("pledge_theme:") else min_group
            assert row.n is not None and row.n >= floor, row


@SETTINGS
@given(companies())
def test_total_minus_the_other_groups_gives_only_a_sum_about_enough_people(company) -> None:
    quarters, min_group = company
    year = year_of(quarters)
    quarter_rows, year_rows = summaries(quarters, year, min_group)
    for tables, rows in ((quarters[-1], quarter_rows), (year, year_rows)):
        people = {p.participant: p for p in tables.participants}
        for scope, (metric, contributors) in product(("department", "level"), CONTRIBUTORS.items()):
            hidden = [
                r.group
                for r in rows
                if (r.scope, r.metric, r.note) == (scope, metric, "suppressed")
            ]
            if not hidden:
                continue
            # The attacker subtracts the visible groups from the total: what is left is about
            # the people of every hidden group together.
            behind = contributors(
                tables,
                lambda p, people=people, scope=scope, hidden=hidden: (
                    getattr(people[p], scope) in hidden
                ),
            )
            total = figures(rows)["all", "", metric]
            assert len(hidden) >= 2 or total.note, (scope, metric, hidden)
            assert len(behind) >= min_group or total.note, (scope, metric, hidden, behind)


@SETTINGS
@given(companies())
def test_one_year_to_date_minus_the_last_recovers_no_hidden_quarter(company) -> None:
    quarters, min_group = company
    files = published(quarters, min_group)
    for k in range(1, len(files)):
        quarter_rows = figures(files[k][0])
        before, now = figures(files[k - 1][1]), figures(files[k][1])
        for key, row in now.items():
            if row.note or key not in before or before[key].note or key[2] == "participants":
                continue
            # Both visible: their difference is this quarter's figure, so it must be shown.
            assert key not in quarter_rows or not quarter_rows[key].note, key
            if key in quarter_rows and key[2] == "pledges_made":
                assert int(row.value) - int(before[key].value) == int(quarter_rows[key].value)


@SETTINGS
@given(companies())
def test_year_to_date_minus_the_quarter_files_recovers_nothing(company) -> None:
    quarters, min_group = company
    files = published(quarters, min_group)
    for k, (_, ytd) in enumerate(files):
        quarter_files = [figures(files[j][0]) for j in range(k + 1)]
        for row in ytd:
            key = (row.scope, row.group, row.metric)
            if row.note:
                continue
            for quarter_rows in quarter_files:
                assert key not in quarter_rows or not quarter_rows[key].note, key


@SETTINGS
@given(companies())
def test_figures_agree_with_the_row_tables(company) -> None:
    quarters, min_group = company
    year = year_of(quarters)
    quarter_rows, year_rows = summaries(quarters, year, min_group)
    department = {p.participant: p.department for p in year.participants}
    for tables, rows in ((quarters[-1], quarter_rows), (year, year_rows)):
        for row in rows:
            if row.note or row.scope == "level" or row.metric not in RECOMPUTE:
                continue
            group = row.group if row.scope == "department" else None
            recomputed = RECOMPUTE[row.metric](
                tables, lambda p, group=group: group is None or department[p] == group
            )
            assert row.value == recomputed, row


def _ratio(hits: int, of: int) -> str:
    return f"{hits / of:.3f}"


RECOMPUTE: dict[str, Callable[[Tables, Callable[[str], bool]], str]] = {
    "participants": lambda t, inside: str(len(CONTRIBUTORS["participants"](t, inside))),
    "pledges_made": lambda t, inside: str(sum(inside(p.participant) for p in t.pledges)),
    "completion_rate": lambda t, inside: _ratio(
        sum(p.checkin == "done" and inside(p.participant) for p in t.pledges),
        sum(p.checkin is not None and inside(p.participant) for p in t.pledges),
    ),
    "impact_rate": lambda t, inside: _ratio(
        sum(p.impact == "yes" and p.checkin == "done" and inside(p.participant) for p in t.pledges),
        sum(p.checkin == "done" and inside(p.participant) for p in t.pledges),
    ),
    "ongoing_intent_rate": lambda t, inside: _ratio(
        sum(p.ongoing == "yes" and inside(p.participant) for p in t.pulses),
        sum(p.ongoing is not None and inside(p.participant) for p in t.pulses),
    ),
    "fulfilment_mean": lambda t, inside: "{:.2f}".format(
        sum(p.fulfilment or 0 for p in t.pulses if inside(p.participant))
        / sum(p.fulfilment is not None and inside(p.participant) for p in t.pulses)
    ),
}

"""The figures HR sees: definitions on hand-made programs, and, on generated companies, that no
hidden figure can be had from the visible ones, in one file or across a year's files."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.analytics.figures import OPERATIONAL, Reason, SummaryRow, summaries
from tandem.analytics.tables import (
    ConversationRow,
    GroupRow,
    ParticipantRow,
    PledgeRow,
    PulseRow,
    Tables,
    year_to_date,
)
from tests.support.attacker import File, attack
from tests.support.programs import company

Key = tuple[str, str, str]


def person(pid: str, department: str = "Sales", level: str = "Manager", why: str = "Karma"):
    return ParticipantRow(pid, department, level, "Individual", why, "Human")


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
        ConversationRow(cycle, g.group, 1, p, held, helpfulness if held == "yes" else None)
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


def pairs_of(people: Sequence[ParticipantRow]) -> list[list[str]]:
    ids = [p.participant for p in people]
    return [ids[i : i + 2] for i in range(0, len(ids) - 1, 2)]


def first(quarters: Sequence[Tables], min_group: int) -> list[SummaryRow]:
    """The last quarter's rows, as its export published them."""
    return summaries(quarters, min_group)[-1][0]


def figures(rows: Sequence[SummaryRow]) -> dict[Key, SummaryRow]:
    return {(r.scope, r.group, r.metric): r for r in rows}


def pledge(pid: str, checkin: str | None, impact: str | None = None, theme: str = "") -> PledgeRow:
    return PledgeRow("2027-Q1", "g", 1, pid, theme, checkin, impact)


def pledging(people: Sequence[ParticipantRow]) -> list[PledgeRow]:
    return [pledge(p.participant, "done", "yes") for p in people]


# -- definitions, on hand-made programs -------------------------------------------------------


def test_each_metric_follows_its_definition() -> None:
    people = [person(f"p{i}", "Sales" if i < 3 else "Ops") for i in range(7)]
    pledges = [
        pledge("p0", "done", "yes", "Focus"),
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

    rows = first([q1], min_group=3)

    got = {r.metric: (r.value, r.n) for r in rows if r.scope == "all" and ":" not in r.metric}
    assert got == {
        "participants": ("7", 7),
        "groups": ("3", 7),
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
    q1 = replace(
        met,
        groups=[*met.groups, GroupRow("2027-Q1", "g9", 2, ("p4", "p5"), True, 0)],
        conversations=[*met.conversations, *(replace(c, group="g9") for c in never.conversations)],
    )

    got = figures(first([q1], min_group=3))

    assert got["all", "", "participants"].value == "6"
    held = got["all", "", "conversations_held"]
    assert (held.value, held.n) == ("2", 4)
    assert got["all", "", "relationships_formed"].value == "2"


def test_a_year_sums_its_quarters_and_counts_people_once() -> None:
    people = [person(f"p{i}") for i in range(6)]
    everyone = frozenset(p.participant for p in people)
    pairs = [("p0", "p1"), ("p2", "p3"), ("p4", "p5")]
    q1 = quarter("2027-Q1", people, pairs, previously_active=everyone - {"p5"})
    q2 = quarter(
        "2027-Q2", people, [("p0", "p2"), ("p1", "p4"), ("p3", "p5")], previously_active=everyone
    )

    ytd = summaries([q1, q2], min_group=3)[-1][1]

    got = figures(ytd)
    assert {r.cycle for r in ytd} == {"2027"}
    assert got["all", "", "participants"].value == "6"
    assert got["all", "", "conversations_held"].value == "6"
    assert got["all", "", "relationships_formed"].value == "6"
    # Five of Q4's people back in Q1, then all six of Q1's in Q2: (5 + 6) / (5 + 6).
    assert (got["all", "", "retention"].value, got["all", "", "retention"].n) == ("1.000", 6)


def test_a_circle_forms_a_relationship_for_each_two_members_and_has_figures_by_format() -> None:
    people = [person(f"c{i}") for i in range(5)] + [person(f"p{i}") for i in range(6)]
    pledges = [pledge(p.participant, "done", "yes") for p in people]
    q1 = quarter(
        "2027-Q1",
        people,
        [("c0", "c1", "c2", "c3", "c4"), ("p0", "p1"), ("p2", "p3"), ("p4", "p5")],
        pledges=pledges,
    )

    got = figures(first([q1], min_group=5))

    def shown(scope: str, group: str, metric: str) -> tuple[str, int | None]:
        return got[scope, group, metric].value, got[scope, group, metric].n

    assert shown("all", "", "relationships_formed") == ("13", 11)  # the circle's ten, three pairs
    assert shown("format", "circles", "relationships_formed") == ("10", 5)
    assert shown("format", "circles", "groups") == ("1", 5)
    assert shown("format", "pairs", "groups") == ("3", 6)
    assert shown("format", "circles", "pledges_made") == ("5", 5)
    assert shown("format", "pairs", "completion_rate") == ("1.000", 6)
    assert ("format", "circles", "retention") not in got  # it would count only who came back
    # A program of pairs alone has no format breakdown: it would repeat the overall figures.
    pairs_only = quarter("2027-Q1", people[5:], pairs_of(people[5:]))
    assert not [r for r in first([pairs_only], min_group=3) if r.scope == "format"]


def test_a_small_format_is_hidden_and_cannot_be_had_by_subtracting_it_from_the_total() -> None:
    people = [person(f"c{i}") for i in range(5)] + [person(f"p{i}") for i in range(4)]
    q1 = quarter(
        "2027-Q1",
        people,
        [("c0", "c1", "c2", "c3", "c4"), ("p0", "p1"), ("p2", "p3")],
        pledges=pledging(people),
    )

    got = figures(first([q1], min_group=5))

    pairs, circles, total = (
        got[scope, group, "pledges_checked_in"]
        for scope, group in (("format", "pairs"), ("format", "circles"), ("all", ""))
    )
    assert pairs.reason == Reason.FEW  # four people
    # The total less the circles' would be the pairs': the smaller of the two is hidden too
    assert circles.reason == Reason.COMPLEMENTARY
    assert (total.value, total.n) == ("9", 9)
    assert got["format", "pairs", "participants"].value == "4"  # operational: never hidden


def test_min_group_below_three_is_refused() -> None:
    q1 = quarter("2027-Q1", [person("p0"), person("p1")], [("p0", "p1")])
    with pytest.raises(ValueError, match="at least 3"):
        summaries([q1], min_group=2)


# -- hiding, on hand-made programs -------------------------------------------------------------


def test_operational_figures_are_never_hidden_and_answers_about_two_people_are() -> None:
    people = [person(f"p{i}", "Legal" if i < 2 else "Sales") for i in range(8)]
    q1 = quarter("2027-Q1", people, pairs_of(people), pledges=pledging(people))

    got = figures(first([q1], min_group=5))

    # HR counts the two of Legal from participants.csv anyway: hiding them protects no one
    assert got["department", "Legal", "participants"].value == "2"
    assert got["department", "Legal", "conversations_held"].value == "1"
    legal = got["department", "Legal", "pledges_made"]
    assert (legal.value, legal.n, legal.note, legal.reason) == ("", None, "suppressed", Reason.FEW)


def test_a_department_of_two_is_hidden_with_the_next_smallest() -> None:
    sizes = {"Sales": 8, "Ops": 6, "Legal": 2}
    people = [person(f"{d}{i}", d) for d, size in sizes.items() for i in range(size)]
    q1 = quarter("2027-Q1", people, pairs_of(people), pledges=pledging(people))

    got = figures(first([q1], min_group=5))

    assert got["department", "Legal", "pledges_made"].reason == Reason.FEW
    ops = got["department", "Ops", "pledges_made"]
    assert (ops.value, ops.n, ops.reason) == ("", None, Reason.COMPLEMENTARY)
    assert got["department", "Sales", "pledges_made"] == SummaryRow(
        "2027-Q1", "department", "Sales", "pledges_made", "8", 8, ""
    )
    assert got["all", "", "pledges_made"].value == "16"


def test_a_level_that_is_a_department_and_one_more_person_gives_nobody_away() -> None:
    # Managers: the six of Sales and one of Ops; directors: the rest of Ops. Managers minus
    # Sales would be that one person's pledges.
    people = [person(f"s{i}", "Sales", "Manager") for i in range(6)]
    people += [person("o0", "Ops", "Manager")]
    people += [person(f"o{i}", "Ops", "Director") for i in range(1, 6)]
    q1 = quarter("2027-Q1", people, pairs_of(people), pledges=pledging(people))
    rows = first([q1], min_group=5)

    got = figures(rows)
    groups = (("level", "Manager"), ("department", "Sales"), ("level", "Director"))
    assert any(got[(*group, "pledges_made")].note for group in groups)
    members = {"2027-Q1": {p.participant: (p.department, p.level) for p in people}}
    assert attack([File(("2027-Q1",), rows)], members, 5) == []


def test_a_rate_is_hidden_wherever_the_count_it_is_computed_from_is() -> None:
    # Legal's check-ins are hidden with the next smallest department's: both rates go too, or
    # with the totals the rates would give the counts back.
    sizes = {"Sales": 8, "Ops": 6, "Legal": 2}
    people = [person(f"{d}{i}", d) for d, size in sizes.items() for i in range(size)]
    pledges = [pledge(p.participant, "done" if i % 3 else "not_done") for i, p in enumerate(people)]
    q1 = quarter("2027-Q1", people, pairs_of(people), pledges=pledges)

    got = figures(first([q1], min_group=5))

    for department in ("Legal", "Ops"):
        assert got["department", department, "pledges_checked_in"].note
        assert got["department", department, "completion_rate"].note
        assert got["department", department, "impact_rate"].note
    assert got["department", "Ops", "completion_rate"].reason in (
        Reason.DERIVED,
        Reason.COMPLEMENTARY,
    )


def test_pledge_themes_need_ten_people() -> None:
    people = [person(f"p{i}") for i in range(14)]
    themed = [pledge(f"p{i}", "done", "yes", "Focus") for i in range(10)]
    themed += [pledge(f"p{i}", "done", "yes", "Team") for i in range(10, 14)]
    q1 = quarter("2027-Q1", people, pairs_of(people), pledges=themed)

    got = figures(first([q1], min_group=3))

    # Team (4 people) is hidden, and with it Focus: themes add up to the pledges made.
    assert got["all", "", "pledge_theme:Team"].reason == Reason.FEW
    assert got["all", "", "pledge_theme:Focus"].reason == Reason.COMPLEMENTARY
    assert got["all", "", "pledges_made"].value == "14"


def test_the_mean_answer_is_hidden_when_its_distribution_hides_an_answer() -> None:
    people = [person(f"p{i}") for i in range(10)]
    q1 = quarter("2027-Q1", people, pairs_of(people))
    # One person answered 1: from the mean and the other answers, their 1 could be worked out.
    lonely = [c if c.participant != "p0" else replace(c, helpfulness=1) for c in q1.conversations]
    q1 = replace(q1, conversations=lonely)

    got = figures(first([q1], min_group=3))

    assert got["all", "", "helpfulness:1"].reason == Reason.FEW
    assert got["all", "", "helpfulness_mean"].reason == Reason.DERIVED
    # Nor the mean of Sales, who are everyone
    assert got["department", "Sales", "helpfulness_mean"].reason == Reason.COMPLEMENTARY
    # The count of answers is shown nowhere: the other scores give nothing away
    assert got["all", "", "helpfulness:4"].value == "9"


def test_a_purpose_mix_about_one_more_person_than_the_last_is_hidden() -> None:
    people = [person(f"p{i}", why="Karma" if i % 2 else "Harmony") for i in range(11)]
    ten = [("p0", "p1"), ("p2", "p3"), ("p4", "p5"), ("p6", "p7"), ("p8", "p9")]
    q1 = quarter("2027-Q1", people, ten)
    same = quarter("2027-Q2", people, ten)
    one_more = quarter("2027-Q2", people, [*ten[:-1], ("p8", "p9", "p10")])

    unchanged = summaries([q1, same], min_group=5)
    grown = summaries([q1, one_more], min_group=5)

    assert figures(unchanged[0][0])["all", "", "purpose_why:Karma"].value == "5"
    assert figures(unchanged[1][0])["all", "", "purpose_why:Karma"].value == "5"
    # Else Q2's Karma minus Q1's would be p10's answer.
    for rows in grown[1]:
        purpose = [r for r in rows if r.metric.startswith("purpose_")]
        assert purpose and all(r.note for r in purpose)
        assert figures(rows)["all", "", "purpose_why:Karma"].reason == Reason.OVERLAP


def test_a_programs_first_quarter_has_no_retention_and_its_year_shows_the_rest() -> None:
    people = [person(f"p{i}") for i in range(6)]
    q1 = quarter("2027-Q1", people, pairs_of(people))
    q2 = quarter("2027-Q2", people, pairs_of(people[1:] + people[:1]))

    published = summaries([q1, q2], min_group=5)

    assert not [r for r in published[0][0] if r.metric == "retention"]
    assert not [r for r in published[0][1] if r.metric == "retention"]
    year = figures(published[1][1])
    assert (year["all", "", "retention"].value, year["all", "", "retention"].n) == ("1.000", 6)


def test_a_year_hides_what_a_quarter_hid_and_says_so() -> None:
    people = [person(f"p{i}", "Legal" if i < 2 else "Sales") for i in range(12)]
    q1 = quarter("2027-Q1", people, pairs_of(people), pledges=pledging(people))
    q2 = quarter("2027-Q2", people, pairs_of(people[2:]), pledges=pledging(people[2:]))

    q2_rows, year = summaries([q1, q2], min_group=5)[-1]

    # Sales is shown in Q2 (Legal sat it out), hidden beside Legal in Q1: the year hides it
    assert figures(q2_rows)["department", "Sales", "pledges_made"].value == "10"
    assert figures(year)["department", "Sales", "pledges_made"].reason == Reason.QUARTER
    assert figures(year)["department", "Legal", "pledges_made"].reason == Reason.FEW


# -- generated companies: what an attacker can do with the files -----------------------------


@st.composite
def companies(draw: st.DrawFn) -> tuple[list[Tables], int]:
    """A company of uneven departments over one to four quarters, some of it in circles or
    none, and its minimum group."""
    sizes = draw(st.lists(st.integers(1, 9), min_size=2, max_size=5))
    rnd, count = draw(st.randoms(use_true_random=False)), draw(st.integers(1, 4))
    quarters = company(rnd, sizes, count, draw(st.sampled_from((0, 0.3, 0.6))))
    return quarters, draw(st.integers(3, 6))


def every_file(quarters: list[Tables], min_group: int) -> list[File]:
    """Every file of the year as it came out: after each quarter, its rows and the year's."""
    return [
        file
        for k, (quarter_rows, year_rows) in enumerate(summaries(quarters, min_group), start=1)
        for file in (
            File((quarters[k - 1].scope,), quarter_rows),
            File(tuple(q.scope for q in quarters[:k]), year_rows),
        )
    ]


def members(quarters: list[Tables]) -> dict[str, dict[str, tuple[str, str, str]]]:
    """What HR knows from the operational rows: who was in a group, of which department and
    level, in a circle or not, each quarter."""
    return {
        q.scope: {
            p: (profile[p].department, profile[p].level, "circles" if p in circled else "pairs")
            for g in q.groups
            for p in g.participants
        }
        for q in quarters
        for profile in [{p.participant: p for p in q.participants}]
        for circled in [{p for g in q.groups if g.size >= 4 for p in g.participants}]
    }


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(companies())
def test_no_answer_figure_about_fewer_than_min_group_people_is_shown(company) -> None:
    quarters, min_group = company
    for file in every_file(quarters, min_group):
        for row in file.rows:
            if row.metric in OPERATIONAL:
                assert not row.note, row  # HR counts these from its rows anyway
            elif not row.note:
                floor = 10 if row.metric.startswith("pledge_theme:") else min_group
                assert row.n is not None and row.n >= floor, row


@SETTINGS
@given(companies())
def test_adding_and_subtracting_every_file_of_a_year_gives_nothing_hidden(company) -> None:
    # Totals minus the other departments, levels minus departments, one year to date minus
    # the last, the year minus its quarters, purpose mixes of overlapping files: all at once.
    quarters, min_group = company
    assert attack(every_file(quarters, min_group), members(quarters), min_group) == []


@SETTINGS
@given(companies())
def test_a_year_to_date_shows_an_answer_figure_only_where_every_quarter_did(company) -> None:
    quarters, min_group = company
    files = every_file(quarters, min_group)
    known = members(quarters)
    for k in range(len(quarters)):
        quarter_files, year = files[0 : 2 * k + 1 : 2], files[2 * k + 1]
        # Hidden in a quarter, about someone in a group then (else its rows tell it is nothing)
        hidden_in_a_quarter = {
            (r.scope, r.group, r.metric)
            for f in quarter_files
            for r in f.rows
            if r.note and not r.metric.startswith("purpose_") and about_someone(r, known)
        }
        for row in year.rows:
            assert row.note or (row.scope, row.group, row.metric) not in hidden_in_a_quarter, row


def about_someone(row: SummaryRow, known: dict[str, dict[str, tuple[str, str, str]]]) -> bool:
    place = {"all": None, "department": 0, "level": 1, "format": 2}[row.scope]
    return any(place is None or atom[place] == row.group for atom in known[row.cycle].values())


@SETTINGS
@given(companies())
def test_figures_agree_with_the_row_tables(company) -> None:
    quarters, min_group = company
    quarter_rows, year_rows = summaries(quarters, min_group)[-1]
    year = year_to_date(quarters)
    department = {p.participant: p.department for p in year.participants}
    for tables, rows in ((quarters[-1], quarter_rows), (year, year_rows)):
        circled = {p for g in tables.groups if g.size >= 4 for p in g.participants}
        for row in rows:
            if row.note or row.scope == "level" or row.metric not in RECOMPUTE:
                continue
            inside: dict[str, Callable[[str], bool]] = {
                "all": lambda p: True,
                "department": lambda p, group=row.group: department[p] == group,
                "format": lambda p, group=row.group, circled=circled: (
                    (p in circled) == (group == "circles")
                ),
            }
            assert row.value == RECOMPUTE[row.metric](tables, inside[row.scope]), row


def _ratio(hits: int, of: int) -> str:
    return f"{hits / of:.3f}"


RECOMPUTE: dict[str, Callable[[Tables, Callable[[str], bool]], str]] = {
    "participants": lambda t, inside: str(
        len({p for g in t.groups for p in g.participants if inside(p)})
    ),
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

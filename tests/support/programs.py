"""Synthetic programs as row tables: a company's quarters played with chance answers, for the
figures' tests and the report's screenshots."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace

from tandem.analytics.figures import SummaryRow, summaries
from tandem.analytics.tables import (
    ConversationRow,
    GroupRow,
    ParticipantRow,
    PledgeRow,
    PulseRow,
    Tables,
)
from tandem.conversations.feedback import THEMES

DEPARTMENTS = ("Sales", "Operations", "Legal", "Research & Development", "Finance")
LEVELS = ("Manager", "Director")


def company(
    rnd: random.Random, sizes: Sequence[int], quarters: int, in_circles: float = 0
) -> list[Tables]:
    """Departments of the given sizes over `quarters` quarters of 2027: about 85% of people
    take part each quarter, about `in_circles` of them in circles of five and the others paired,
    at random (a trio when odd)."""
    people = [
        ParticipantRow(
            f"{department[:3]}-{i}",
            department,
            rnd.choice(LEVELS),
            rnd.choice(("Individual", "Organization", "Society")),
            rnd.choice(("Karma", "Harmony")),
            rnd.choice(("Community", "Human", "Knowledge", "Structure")),
        )
        for department, size in zip(DEPARTMENTS, sizes, strict=False)
        for i in range(size)
    ]
    played: list[Tables] = []
    previously = frozenset(p.participant for p in people if rnd.random() < 0.7)
    for q in range(1, quarters + 1):
        active = [p.participant for p in people if rnd.random() < 0.85]
        rnd.shuffle(active)
        circled = round(len(active) * in_circles) // 5 * 5
        circles = [active[i : i + 5] for i in range(0, circled, 5)]
        paired = active[circled:]
        groups = [paired[i : i + 2] for i in range(0, len(paired) - 1, 2)]
        if len(paired) % 2 and groups:
            groups[-1].append(paired[-1])
        groups += circles
        played.append(_play(rnd, f"2027-Q{q}", people, groups, previously))
        previously = frozenset(p for g in groups for p in g)
    return played


def _play(
    rnd: random.Random,
    cycle: str,
    people: list[ParticipantRow],
    groups: list[list[str]],
    previously: frozenset[str],
) -> Tables:
    group_rows, conversations, pledges, pulses = [], [], [], []
    for index, members in enumerate(groups):
        gid = f"{cycle}/g{index}"
        group_rows.append(GroupRow(cycle, gid, len(members), tuple(members), True, 5))
        for session in range(1, 6):
            held = rnd.choice(("yes", "yes", "yes", "yes", "no", None))
            for p in members:
                rating = rnd.choice((None, 2, 3, 4, 4, 5, 5, 5)) if held == "yes" else None
                conversations.append(ConversationRow(cycle, gid, session, p, held, rating))
                if held == "yes":
                    checkin = rnd.choice(("done",) * 8 + ("partly", "not_done", None))
                    impact = rnd.choice(("yes",) * 9 + ("no",)) if checkin == "done" else None
                    theme = rnd.choice(("", *THEMES))
                    pledges.append(PledgeRow(cycle, gid, session, p, theme, checkin, impact))
        pulses += [
            PulseRow(cycle, p, rnd.choice((None, 3, 4, 4, 5)), rnd.choice((None, "yes", "no")))
            for p in members
        ]
    return Tables(cycle, (cycle,), people, group_rows, conversations, pledges, pulses, previously)


def a_year(department_names: dict[str, str] | None = None) -> tuple[list[Tables], list[SummaryRow]]:
    """Three quarters of a company of 66 (one department of 3), with every quarter's published
    rows and the year's (as the year's report draws them), departments renamed as given."""
    quarters = company(random.Random(7), (24, 18, 12, 9, 3), 3)
    if department_names:
        quarters = [
            replace(
                q,
                participants=[
                    replace(p, department=department_names.get(p.department, p.department))
                    for p in q.participants
                ],
            )
            for q in quarters
        ]
    published = summaries(quarters, 5)
    return quarters, [r for quarter_rows, _ in published for r in quarter_rows] + published[-1][1]

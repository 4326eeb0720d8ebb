"""The console's overview: the quarter under way, live. Its figures are the exports' own: the
quarter's summary rows as the year's exports would publish them now (tandem.analytics), hidden
where an export would hide them, never one person's answers; beside them, what HR can count from
the roster and the groups anyway (people by status, groups formed, slots picked)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tandem.analytics import figures, gather, report
from tandem.model import calendar
from tandem.model.calendar import Cycle
from tandem.model.participant import Participant, Status
from tandem.model.tenant import Tenant
from tandem.store import participants

# Where a person stands this quarter, as the overview counts them: each in one.
INVITED, ACTIVE, PAUSED, LEFT, UNREACHABLE = (
    "invited",
    "active",
    "paused this quarter",
    "left",
    "unreachable",
)
STANDINGS = (INVITED, ACTIVE, PAUSED, UNREACHABLE, LEFT)


@dataclass(frozen=True)
class Overview:
    cycle: Cycle
    people: dict[str, int]  # by standing, in the order of STANDINGS
    groups: int  # formed this quarter
    slots_picked: int  # groups that picked a time for their conversations
    figures: report.Glance
    min_group: int


def standing(person: Participant, cycle: str) -> str:
    if person.status is Status.LEFT:
        return LEFT
    if person.mail_blocked:
        return UNREACHABLE
    if person.status is Status.INVITED:
        return INVITED
    return PAUSED if cycle in person.paused_cycles else ACTIVE


def current(tenant: Tenant, now: datetime) -> Overview:
    cycle = calendar.current_cycle(tenant, now)
    quarters = gather.quarters_so_far(tenant, cycle.id, gather.pseudonyms(tenant))
    quarter_rows, _ = figures.summaries(quarters, tenant.exports.min_group_size)[-1]
    counts = dict.fromkeys(STANDINGS, 0)
    for level in tenant.levels:
        for status in Status:
            for person in participants.in_level(level, status):
                counts[standing(person, cycle.id)] += 1
    groups = quarters[-1].groups
    return Overview(
        cycle,
        counts,
        len(groups),
        sum(g.slot_picked for g in groups),
        report.glance(quarters[-1], quarter_rows),
        tenant.exports.min_group_size,
    )

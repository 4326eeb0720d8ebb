"""A person's group in a quarter, as they get to see it: the plan, and the partners still in the
group and the program."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tandem.model import calendar
from tandem.model.calendar import Cycle
from tandem.model.matches import Outcome
from tandem.model.participant import Participant, Status
from tandem.model.plan import Plan
from tandem.model.tenant import Tenant
from tandem.store import matches, participants, plans


@dataclass(frozen=True)
class Quarter:
    """A person's group this quarter, as they see it."""

    cycle: Cycle
    plan: Plan
    partners: list[Participant]  # the partners still in the group and the program

    def track(self, tenant: Tenant) -> str:
        return tenant.conversations.track_of(self.cycle.id, self.plan.track)


def quarter_of(person: Participant, cycle_id: str, tenant: Tenant) -> Quarter | None:
    """None when the person has no group that quarter, or too few left in it to carry on."""
    cycle = calendar.cycle(tenant, cycle_id)
    outcome = matches.outcome(person.id, cycle.id)
    if outcome is None or outcome.group is None:
        return None
    plan = plans.get(cycle.id, outcome.group)
    if plan is None or person.id not in plan.active or not plan.carries_on:
        return None
    partners = partners_of(outcome, plan)
    return Quarter(cycle, plan, partners) if partners else None


def partners_of(outcome: Outcome, plan: Plan | None = None) -> list[Participant]:
    """The partners to introduce: one who left (or asked to be erased) is not. With the group's
    plan, the partners still in it: one who left once its conversations were over still is, as
    leaving then changed nothing for the group (the pulse and the last answers are still due)."""
    found = participants.get_many(outcome.partners)
    return [found[p] for p in outcome.partners if p in found and _partner(found[p], plan)]


def _partner(person: Participant, plan: Plan | None) -> bool:
    if plan is not None and person.id not in plan.active:
        return False
    if person.status is Status.LEFT and plan is not None and person.left_at is not None:
        return plan.over(person.left_at)
    return person.status is Status.ACTIVE


def stranded(person: Participant, cycle_id: str) -> Plan | None:
    """The person's plan this cycle if it stopped for want of members: everyone else in their
    pair or trio stopped, or all but one other in their circle."""
    outcome = matches.outcome(person.id, cycle_id)
    plan = plans.get(cycle_id, outcome.group) if outcome and outcome.group else None
    if plan is None or person.id not in plan.active or plan.carries_on:
        return None
    return plan


def next_session(cycle: Cycle, now: datetime) -> int | None:
    """The first session of the arc whose week has not begun: where a new group starts."""
    today = now.astimezone(cycle.starts.tzinfo).date()
    weeks = cycle.conversation_weeks
    return next((n for n, week in enumerate(weeks, start=1) if week > today), None)

"""One band of one cycle: who is matched, with whom, stored once, and told.

The people already settled in the cycle (grouped or told they sit out, by an earlier or
concurrent attempt) are kept as they are; only the rest are matched. Every settled person of the
band is then (re)sent their kickoff or unmatched email, whose mail id makes it go out once.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from tandem.conversations import reminders, sessions
from tandem.conversations.quarter import next_session, stranded
from tandem.matching.engine import Group, MatchingRules, Person, match
from tandem.matching.engine.circles import match_circles
from tandem.model import calendar
from tandem.model.calendar import Cycle
from tandem.model.jobs import BandJob, RematchJob
from tandem.model.mail_request import MailKind, MailRequest
from tandem.model.matches import StoredGroup
from tandem.model.participant import Participant, Status, participant_id
from tandem.model.plan import NUDGE_AFTER, Plan, group_key
from tandem.model.tenant import Tenant
from tandem.store import matches, participants, plans, queues

REMATCH_NUDGE_AFTER = timedelta(days=2)  # a new pair has less time to pick a slot
# Cycles read beyond the repeat window, so that older repeats are still avoided when possible.
OLDER_HISTORY = 4


def match_band(tenant: Tenant, job: BandJob, now: datetime) -> dict[str, Any]:
    cycle = calendar.cycle(tenant, job.cycle)
    settled = {m for g in matches.groups(cycle.id) for m in g.members}
    settled |= {pid for pid, _, _ in matches.unmatched(cycle.id)}
    population = [
        person
        for level in tenant.bands()[job.band]
        for person in participants.in_level(level, Status.ACTIVE)
        if person.to_be_matched(cycle.id) and person.id not in settled
    ]
    chosen = tenant.format_of(job.band)
    people, history, on = _people(population), _history(tenant, cycle), cycle.starts.date()
    if chosen.format == "circles":
        result = match_circles(people, history, cycle.id, on, rules(tenant), chosen.circle_size)
    else:
        result = match(people, history, cycle.id, on, rules(tenant))
    nudge_at = cycle.starts + NUDGE_AFTER
    for group in result.groups:
        matches.save_group(cycle.id, job.band, group.members, group.score, nudge_at)
    for left_out in result.unmatched:
        matches.save_unmatched(cycle.id, job.band, left_out.person_id, left_out.reason)
    matches.mark_band_matched(cycle.id, job.band)

    groups = [g for g in matches.groups(cycle.id) if g.band == job.band]
    _stop_who_left_meanwhile(groups, cycle.id, now)
    unmatched = [pid for pid, band, _ in matches.unmatched(cycle.id) if band == job.band]
    queues.send_mail(
        [
            MailRequest.about_cycle(MailKind.KICKOFF, pid, cycle.id)
            for g in groups
            for pid in g.members
        ]
        + [MailRequest.about_cycle(MailKind.UNMATCHED, pid, cycle.id) for pid in unmatched]
    )
    return {
        "cycle": cycle.id,
        "band": job.band,
        "considered": len(population),
        "groups": len(groups),
        "trios": sum(1 for g in groups if len(g.members) == 3),
        "circles": sum(1 for g in groups if len(g.members) > 3),
        "unmatched": len(unmatched),
    }


def _stop_who_left_meanwhile(groups: list[StoredGroup], cycle: str, now: datetime) -> None:
    """Someone who left after the band was read and before their group was stored found no
    group to leave: they leave it now, so their partners are told instead of left waiting."""
    members = participants.get_many(m for g in groups for m in g.members)
    for group in groups:
        for pid in group.members:
            person = members.get(pid)  # none for an erased member
            if person is not None and person.status is Status.LEFT:
                plan = plans.get(cycle, group_key(group.members))
                if plan is not None:
                    sessions.stop(pid, plan, now)


def rematch(tenant: Tenant, job: RematchJob, now: datetime) -> dict[str, Any]:
    """Pairs the band's pool of people whose partners left, for the rest of the quarter: the
    same rules as the quarter's matching, pairs only (an odd one waits for the next to ask)."""
    cycle = calendar.cycle(tenant, job.cycle)
    first_session = next_session(cycle, now)
    waiting = participants.get_many(matches.rematch_pool(cycle.id, job.band))
    pool = [
        p
        for p in waiting.values()
        if p.status is Status.ACTIVE and stranded(p, cycle.id) is not None
    ]
    if first_session is None or len(pool) < 2:
        return {"cycle": cycle.id, "band": job.band, "pool": len(pool), "groups": 0}
    pairs_only = replace(rules(tenant), odd_policy="sit_out")
    result = match(_people(pool), _history(tenant, cycle), cycle.id, now.date(), pairs_only)
    formed = []
    for group in result.groups:
        plan = Plan(
            cycle.id,
            group_key(group.members),
            job.band,
            group.members,
            nudge_at=now + REMATCH_NUDGE_AFTER,
            first_session=first_session,
        )
        if matches.save_rematch(plan, due=reminders.next_due(plan, now)):
            formed.append(plan)
    queues.send_mail(
        MailRequest.about_plan(MailKind.REMATCHED, member, plan)
        for plan in formed
        for member in plan.members
    )
    return {"cycle": cycle.id, "band": job.band, "pool": len(pool), "groups": len(formed)}


def rules(tenant: Tenant) -> MatchingRules:
    chosen = tenant.matching
    return MatchingRules(
        repeat_window=chosen.repeat_window,
        min_overlap_hours=chosen.min_overlap_hours,
        workday=chosen.workday,
        odd_policy=chosen.odd_policy,
        bands=chosen.bands,
    )


def _people(population: list[Participant]) -> list[Person]:
    """The engine's view of each person, with the reporting line looked up in the whole
    directory: a manager who is paused or in another band still has a manager."""
    managers = participants.get_many(
        participant_id(p.manager_email) for p in population if p.manager_email
    )

    def skip_level(p: Participant) -> str | None:
        manager = managers.get(participant_id(p.manager_email)) if p.manager_email else None
        return participant_id(manager.manager_email) if manager and manager.manager_email else None

    return [
        Person(
            id=p.id,
            department=p.department,
            level=p.level,
            timezone=p.timezone,
            manager_id=participant_id(p.manager_email) if p.manager_email else None,
            location=p.location,
            purpose=p.purpose,
            skip_level_id=skip_level(p),
        )
        for p in population
    ]


def _history(tenant: Tenant, cycle: Cycle) -> list[Group]:
    """Earlier cycles' groups, and who sat out (a one-person group), as the engine reads them."""
    earlier = calendar.earlier_cycles(tenant, cycle, tenant.matching.repeat_window + OLDER_HISTORY)
    history = [Group(c, g.members) for c in earlier for g in matches.groups(c)]
    return history + [Group(c, (pid,)) for c in earlier for pid, _, _ in matches.unmatched(c)]

"""Each quarter of a year read from the store as the tables of `tandem.analytics.tables`, with
every person and group under a pseudonymous id.

Reads are queries on the cycle's partition and on the participants' level index, never scans.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace

from tandem.analytics.tables import (
    ConversationRow,
    EnrolmentRow,
    GroupRow,
    ParticipantRow,
    PledgeRow,
    PulseRow,
    Tables,
)
from tandem.model import calendar
from tandem.model.answers import ERASED_PLEDGE, Feedback
from tandem.model.participant import Participant, Status, one_spelling
from tandem.model.plan import Plan
from tandem.model.tenant import Tenant
from tandem.store import feedback_answers, participants, plans, pulse_answers, signing_keys

# Answers are read only where the form asks them: a helpfulness for a session that was held,
# an impact for a pledge done at least partly. The form refuses the others; these keep any
# stored before it did out of every figure.
DID_SOMETHING = ("done", "partly")


class Pseudonyms:
    """Keyed HMAC-SHA256 ids: stable across exports, and no one without the key can recompute
    one from an address (as anyone could from a bare hash)."""

    def __init__(self, tenant: str, signing_key: str) -> None:
        self._key = hmac.digest(
            signing_key.encode(), f"tandem/{tenant}/pseudonyms".encode(), "sha256"
        )

    def _id(self, value: str) -> str:
        return hmac.new(self._key, value.encode(), hashlib.sha256).hexdigest()[:16]

    def participant(self, pid: str) -> str:
        return self._id(f"participant/{pid}")

    def group(self, cycle: str, group: str) -> str:
        return self._id(f"group/{cycle}/{group}")


def pseudonyms(tenant: Tenant) -> Pseudonyms:
    # The oldest key still held: rotating the secret keeps the ids until that key is dropped.
    return Pseudonyms(tenant.name, signing_keys.signing_keys()[0])


def quarters_so_far(tenant: Tenant, cycle: str, ids: Pseudonyms) -> list[Tables]:
    """The tables of each quarter of `cycle`'s year, from the first through `cycle`;
    ValueError for a cycle the calendar does not have."""
    year = calendar.cycle(tenant, cycle).starts.year
    of_year = [c.id for c in calendar.cycles_of_year(tenant, year)]
    people = _people(tenant)
    return [_tables(tenant, c, people, ids) for c in of_year[: of_year.index(cycle) + 1]]


def _people(tenant: Tenant) -> list[Participant]:
    """Everyone, each department under one spelling: one typed "engineering" on the join page
    is counted in Engineering, not in a department of one that HR would see apart."""
    people = list(participants.of_levels(tenant.levels))
    spelling = one_spelling(p.department for p in people)
    return [replace(p, department=spelling[p.department]) for p in people]


def _tables(tenant: Tenant, cycle: str, people: Iterable[Participant], ids: Pseudonyms) -> Tables:
    before = calendar.earlier_cycles(tenant, calendar.cycle(tenant, cycle), 1)
    quarter_plans = sorted(plans.of_cycle(cycle), key=lambda plan: plan.group)
    by_group: dict[str, dict[tuple[int, str], Feedback]] = defaultdict(dict)
    for group, answer in feedback_answers.of_cycle(cycle):
        by_group[group][answer.session, answer.participant] = answer
    group_of = {pid: ids.group(cycle, plan.group) for plan in quarter_plans for pid in plan.members}
    texts = tenant.exports.include_text
    return Tables(
        scope=cycle,
        cycles=(cycle,),
        participants=[_participant(p, ids) for p in people],
        groups=[_group(plan, by_group[plan.group], ids) for plan in quarter_plans],
        conversations=[
            _conversation(plan, n, pid, by_group[plan.group].get((n, pid)), ids)
            for plan in quarter_plans
            for n in _numbers(plan)
            for pid in plan.members
        ],
        pledges=[
            _pledge(plan, made, by_group[plan.group].get((n + 1, pid)), ids, texts)
            for plan in quarter_plans
            for (n, pid), made in sorted(by_group[plan.group].items())
            if made.pledge
        ],
        pulses=[
            PulseRow(cycle, ids.participant(a.participant), a.fulfilment, a.ongoing)
            for a in pulse_answers.of_cycle(cycle)
        ],
        previously_active=frozenset(
            ids.participant(pid)
            for earlier in before
            for plan in plans.of_cycle(earlier)
            for pid in plan.members
        ),
        enrolments=[
            _enrolment(p, cycle, group_of.get(p.id, ""), ids, tenant.exports.include_identity)
            for p in people
        ],
    )


def _numbers(plan: Plan) -> range:
    return range(plan.first_session, calendar.SESSIONS + 1)


def _participant(p: Participant, ids: Pseudonyms) -> ParticipantRow:
    return ParticipantRow(
        participant=ids.participant(p.id),
        department=p.department,
        level=p.level,
        purpose_who=str(p.purpose.who) if p.purpose else "",
        purpose_why=str(p.purpose.why) if p.purpose else "",
        purpose_how=str(p.purpose.how) if p.purpose else "",
    )


def _enrolment(
    p: Participant, cycle: str, group: str, ids: Pseudonyms, identity: bool
) -> EnrolmentRow:
    paused = p.status is Status.ACTIVE and cycle in p.paused_cycles
    return EnrolmentRow(
        cycle=cycle,
        participant=ids.participant(p.id),
        department=p.department,
        level=p.level,
        status="paused" if paused else str(p.status),
        group=group,
        name=p.name if identity else "",
        email=p.email if identity else "",
    )


def _group(plan: Plan, answers: dict[tuple[int, str], Feedback], ids: Pseudonyms) -> GroupRow:
    # A session counts as held when any member says so.
    held = {n for (n, _), answer in answers.items() if answer.held == "yes"}
    return GroupRow(
        cycle=plan.cycle,
        group=ids.group(plan.cycle, plan.group),
        size=len(plan.members),
        participants=tuple(ids.participant(pid) for pid in plan.members),
        slot_picked=plan.slot is not None,
        sessions_held=len(held),
    )


def _conversation(
    plan: Plan, session: int, pid: str, answer: Feedback | None, ids: Pseudonyms
) -> ConversationRow:
    return ConversationRow(
        cycle=plan.cycle,
        group=ids.group(plan.cycle, plan.group),
        session=session,
        participant=ids.participant(pid),
        held=answer.held if answer else None,
        helpfulness=answer.helpfulness if answer and answer.held == "yes" else None,
    )


def _pledge(
    plan: Plan, made: Feedback, checked: Feedback | None, ids: Pseudonyms, texts: bool
) -> PledgeRow:
    # Its words only where the tenant shares them and the form told the person so.
    shared = texts and made.pledge_shared and made.pledge != ERASED_PLEDGE
    return PledgeRow(
        cycle=plan.cycle,
        group=ids.group(plan.cycle, plan.group),
        session=made.session,
        participant=ids.participant(made.participant),
        theme=made.theme,
        checkin=checked.checkin if checked else None,
        impact=checked.impact if checked and checked.checkin in DID_SOMETHING else None,
        text=str(made.pledge) if shared else "",
    )

"""A cycle's matching, stored so that a duplicate or concurrent run can never create more.

- CYCLE#<id> / RUN: when the notice went out, when matching started, which bands are matched.
- CYCLE#<id> / GROUP#<a>+<b>[+<c>]: a pair or trio, keyed by its members.
- CYCLE#<id> / UNMATCHED#<person>: who could not be matched, and why.
- PARTICIPANT#<id> / CYCLE#<id>: each person's outcome of the cycle (partners or reason).
- CYCLE#<id> / PLAN#<group>: the group's conversations (tandem.store.plans).
A group, its members' outcomes and its plan are written in one transaction, each item only if
absent, so nobody is ever in two groups of a cycle, whatever runs at the same time.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from pynamodb.attributes import (
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from tandem.model.matches import Outcome, StoredGroup
from tandem.model.plan import Plan, group_key
from tandem.store import feedback_answers, plans, pulse_answers
from tandem.store.table import TableModel, connection, failed_a_condition

RUN = "RUN"


class RunItem(TableModel):  # sk: RUN
    noticed_at = UTCDateTimeAttribute(null=True)
    matching_started_at = UTCDateTimeAttribute(null=True)
    matched_bands = UnicodeSetAttribute(null=True)


class GroupItem(TableModel):
    band = UnicodeAttribute()
    members: ListAttribute[str] = ListAttribute()
    score = NumberAttribute()


class UnmatchedItem(TableModel):
    band = UnicodeAttribute()
    reason = UnicodeAttribute()


class OutcomeItem(TableModel):
    band = UnicodeAttribute()
    group = UnicodeAttribute(null=True)
    partners: ListAttribute[str] = ListAttribute()
    reason = UnicodeAttribute(null=True)
    announced_at = UTCDateTimeAttribute(null=True)


def _cycle(cycle: str) -> str:
    return f"CYCLE#{cycle}"


def _group_key(members: Sequence[str]) -> str:
    return "GROUP#" + group_key(members)


def _person(pid: str) -> str:
    return f"PARTICIPANT#{pid}"


@dataclass(frozen=True)
class RunState:
    noticed_at: datetime | None = None
    matching_started_at: datetime | None = None
    matched_bands: frozenset[str] = frozenset()


def run_state(cycle: str) -> RunState:
    try:
        item = RunItem.get(_cycle(cycle), RUN, consistent_read=True)
    except DoesNotExist:
        return RunState()
    return RunState(item.noticed_at, item.matching_started_at, frozenset(item.matched_bands or ()))


def mark(cycle: str, step: str, now: datetime) -> None:
    """Records that a step of the cycle ("noticed_at", "matching_started_at") is done; the
    first time recorded stays. Creates the RUN item if need be, on purpose: the first step of a
    cycle has none to find, and it holds nothing about a person that an erasure could remove."""
    attribute = getattr(RunItem, step)
    RunItem(_cycle(cycle), RUN).update(actions=[attribute.set(attribute | now)])


def mark_band_matched(cycle: str, band: str) -> None:
    RunItem(_cycle(cycle), RUN).update(actions=[RunItem.matched_bands.add({band})])


def _save_once(items: Sequence[TableModel]) -> bool:
    """Writes all the items, each only if absent, in one transaction; False if any existed."""
    try:
        with TransactWrite(connection=connection()) as transaction:
            for item in items:
                transaction.save(item, condition=TableModel.pk.does_not_exist())
    except TransactWriteError as error:
        if failed_a_condition(error):
            return False
        raise
    return True


def save_group(
    cycle: str, band: str, members: Sequence[str], score: int, nudge_at: datetime
) -> bool:
    key = group_key(members)
    outcomes = [
        OutcomeItem(
            _person(pid),
            _cycle(cycle),
            band=band,
            group=key,
            partners=[m for m in members if m != pid],
        )
        for pid in members
    ]
    group = GroupItem(
        _cycle(cycle), _group_key(members), band=band, members=list(members), score=score
    )
    plan = Plan(cycle, key, band, tuple(members), nudge_at=nudge_at)
    return _save_once([group, *outcomes, plans.to_item(plan, due=nudge_at)])


def save_unmatched(cycle: str, band: str, pid: str, reason: str) -> bool:
    return _save_once(
        [
            UnmatchedItem(_cycle(cycle), f"UNMATCHED#{pid}", band=band, reason=reason),
            OutcomeItem(_person(pid), _cycle(cycle), band=band, partners=[], reason=reason),
        ]
    )


def save_sat_out(cycle: str, band: str, pid: str, reason: str) -> bool:
    """Records that a grouped person ended up alone (their partners left): the next matching
    reads it as sitting out, which gives them priority. False if already recorded."""
    return _save_once([UnmatchedItem(_cycle(cycle), f"UNMATCHED#{pid}", band=band, reason=reason)])


class RematchItem(TableModel):  # sk: REMATCH#<person>
    band = UnicodeAttribute()
    asked_at = UTCDateTimeAttribute()


def ask_rematch(cycle: str, band: str, pid: str, now: datetime) -> bool:
    """Puts the person in the band's pool of people waiting for a new partner this cycle."""
    return _save_once([RematchItem(_cycle(cycle), f"REMATCH#{pid}", band=band, asked_at=now)])


def rematch_pool(cycle: str, band: str) -> list[str]:
    query = RematchItem.query(
        _cycle(cycle),
        RematchItem.sk.startswith("REMATCH#"),
        filter_condition=RematchItem.band == band,
        consistent_read=True,
    )
    return [item.sk.removeprefix("REMATCH#") for item in query]


def save_rematch(plan: Plan, due: datetime | None) -> bool:
    """Stores a group formed from the pool: the group, its plan, its members' outcomes pointing
    to it; they leave the pool and lose the sat-out mark. All or nothing, and only while each
    member is still in the pool, so nobody is paired twice by jobs running at once."""
    members = list(plan.members)
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.save(
                GroupItem(
                    _cycle(plan.cycle),
                    _group_key(members),
                    band=plan.band,
                    members=members,
                    score=0,
                ),
                condition=GroupItem.pk.does_not_exist(),
            )
            transaction.save(plans.to_item(plan, due), condition=TableModel.pk.does_not_exist())
            for pid in members:
                transaction.delete(
                    RematchItem(_cycle(plan.cycle), f"REMATCH#{pid}"),
                    condition=RematchItem.pk.exists(),
                )
                transaction.update(
                    OutcomeItem(_person(pid), _cycle(plan.cycle)),
                    actions=[
                        OutcomeItem.partners.set([m for m in members if m != pid]),
                        OutcomeItem.group.set(plan.group),
                    ],
                    condition=OutcomeItem.pk.exists(),
                )
                transaction.delete(UnmatchedItem(_cycle(plan.cycle), f"UNMATCHED#{pid}"))
    except TransactWriteError as error:
        if failed_a_condition(error):
            return False
        raise
    return True


def groups(cycle: str) -> Iterator[StoredGroup]:
    # Strongly consistent: a band job reads back the groups it has just written.
    query = GroupItem.query(_cycle(cycle), GroupItem.sk.startswith("GROUP#"), consistent_read=True)
    for item in query:
        yield StoredGroup(cycle, item.band, tuple(item.members), int(item.score))


def unmatched(cycle: str) -> Iterator[tuple[str, str, str]]:
    """(person, band, reason) of everyone left unmatched in the cycle."""
    query = UnmatchedItem.query(
        _cycle(cycle), UnmatchedItem.sk.startswith("UNMATCHED#"), consistent_read=True
    )
    for item in query:
        yield item.sk.removeprefix("UNMATCHED#"), item.band, item.reason


def outcome(pid: str, cycle: str) -> Outcome | None:
    try:
        item = OutcomeItem.get(_person(pid), _cycle(cycle), consistent_read=True)
    except DoesNotExist:
        return None
    return Outcome(
        cycle,
        item.band,
        tuple(item.partners),
        item.reason,
        item.announced_at is not None,
        item.group,
    )


def mark_announced(pid: str, cycle: str, now: datetime) -> bool:
    """The person's kickoff or unmatched email went out: never again, however late a re-run.
    Only on an outcome that is still there: after an erasure there is nothing to note, and an
    update without the condition would create an item under the erased id. False then."""
    try:
        OutcomeItem(_person(pid), _cycle(cycle)).update(
            actions=[OutcomeItem.announced_at.set(now)], condition=OutcomeItem.pk.exists()
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def pseudonymize(pid: str, alias: str) -> int:
    """Re-keys every quarter the person took part in under `alias`: their group, their
    partners' outcomes and their own, one quarter per transaction (a retry finishes the rest).
    Returns how many quarters were re-keyed."""
    quarters = list(
        OutcomeItem.query(_person(pid), OutcomeItem.sk.startswith("CYCLE#"), consistent_read=True)
    )
    for own in quarters:
        cycle = own.sk.removeprefix("CYCLE#")
        group = next((g for g in groups(cycle) if pid in g.members), None)
        members = [alias if m == pid else m for m in group.members] if group else []
        renamed = OutcomeItem(
            _person(alias),
            own.sk,
            band=own.band,
            group=group_key(members) if group else None,
            partners=own.partners,
            reason=own.reason,
            announced_at=own.announced_at,
        )
        with TransactWrite(connection=connection()) as transaction:
            transaction.delete(own)
            transaction.save(renamed)
            if group:
                transaction.delete(GroupItem(_cycle(cycle), _group_key(group.members)))
                transaction.save(
                    GroupItem(
                        _cycle(cycle),
                        _group_key(members),
                        band=group.band,
                        members=members,
                        score=group.score,
                    )
                )
                if plan := plans.renamed(cycle, group_key(group.members), pid, alias):
                    transaction.delete(plan[0])
                    transaction.save(plan[1])
                for answer, copy in feedback_answers.renamed(
                    cycle, group_key(group.members), group_key(members), pid, alias
                ):
                    transaction.delete(answer)
                    transaction.save(copy)
                for partner in own.partners:
                    theirs = [m for m in members if m != partner]
                    transaction.update(
                        OutcomeItem(_person(partner), own.sk),
                        actions=[
                            OutcomeItem.partners.set(theirs),
                            OutcomeItem.group.set(group_key(members)),
                        ],
                    )
            for said, moved in pulse_answers.renamed(cycle, pid, alias):
                transaction.delete(said)
                transaction.save(moved)
            # Unmatched, or left alone in a group (that sat-out mark is their priority).
            if sat_out := _unmatched_item(cycle, pid):
                transaction.delete(sat_out)
                transaction.save(
                    UnmatchedItem(
                        _cycle(cycle),
                        f"UNMATCHED#{alias}",
                        band=sat_out.band,
                        reason=sat_out.reason,
                    )
                )
    return len(quarters)


def _unmatched_item(cycle: str, pid: str) -> UnmatchedItem | None:
    try:
        return UnmatchedItem.get(_cycle(cycle), f"UNMATCHED#{pid}", consistent_read=True)
    except DoesNotExist:
        return None

"""A cycle's matching, stored so that a duplicate or concurrent run can never create more.

- CYCLE#<id> / RUN: when the notice went out, when matching started, which bands are matched.
- CYCLE#<id> / GROUP#<a>+<b>[+<c>]: a pair or trio, keyed by its members.
- CYCLE#<id> / UNMATCHED#<person>: who could not be matched, and why (or sat out alone).
- CYCLE#<id> / REMATCH#<person>: who waits for a new partner for the rest of the quarter.
- PARTICIPANT#<id> / CYCLE#<id>: each person's outcome of the cycle (partners or reason).
- CYCLE#<id> / PLAN#<group>: the group's conversations (tandem.store.plans).
A group, its members' outcomes and its plan are written in one transaction, each item only if
absent, so nobody is ever in two groups of a cycle, whatever runs at the same time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
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
from tandem.store import plans
from tandem.store.table import TableModel, connection, failed_a_condition, names, rewrite

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


# What an erasure needs: the cycles a person took part in, the items of a cycle that still name
# them, and those items rewritten under another id (see tandem.people.erasure).


def cycles_of(pid: str) -> list[str]:
    """The cycles the person has an outcome of: every cycle they took part in."""
    query = OutcomeItem.query(
        _person(pid), OutcomeItem.sk.startswith("CYCLE#"), consistent_read=True
    )
    return [item.sk.removeprefix("CYCLE#") for item in query]


def _naming(cycle: str, text: str) -> Iterator[GroupItem | UnmatchedItem | RematchItem]:
    for model, prefix in (
        (GroupItem, "GROUP#"),
        (UnmatchedItem, "UNMATCHED#"),
        (RematchItem, "REMATCH#"),
    ):
        for item in model.query(_cycle(cycle), model.sk.startswith(prefix), consistent_read=True):
            if names(item, text):
                yield item


def naming(cycle: str, text: str) -> list[str]:
    """The keys of the cycle's groups, unmatched marks and rematch requests that name `text`."""
    return [f"{item.pk} / {item.sk}" for item in _naming(cycle, text)]


def rewrite_naming(cycle: str, text: str, rename: Callable[[str], str]) -> None:
    """Rewrites the cycle's groups and unmatched marks that name `text` with every id passed
    through `rename`; an item changed meanwhile is left for the next pass."""
    for item in _naming(cycle, text):
        if isinstance(item, GroupItem):
            members = [rename(m) for m in item.members]
            rewrite(
                item,
                GroupItem(
                    item.pk, _group_key(members), band=item.band, members=members, score=item.score
                ),
            )
        elif isinstance(item, UnmatchedItem):
            pid = rename(item.sk.removeprefix("UNMATCHED#"))
            new = UnmatchedItem(item.pk, f"UNMATCHED#{pid}", band=item.band, reason=item.reason)
            rewrite(item, new)


def drop_rematch_request(cycle: str, pid: str) -> None:
    RematchItem(_cycle(cycle), f"REMATCH#{pid}").delete()


def outcomes_naming(cycle: str, owners: Iterable[str], text: str) -> list[str]:
    """The keys of the owners' outcomes of the cycle that name `text`."""
    return [f"{item.pk} / {item.sk}" for item in _outcomes_naming(cycle, owners, text)]


def _outcomes_naming(cycle: str, owners: Iterable[str], text: str) -> list[OutcomeItem]:
    keys = [(_person(pid), _cycle(cycle)) for pid in set(owners)]
    found = OutcomeItem.batch_get(keys, consistent_read=True)
    return [item for item in found if names(item, text)]


def rewrite_outcomes_naming(
    cycle: str, owners: Iterable[str], text: str, rename: Callable[[str], str]
) -> None:
    """Rewrites the owners' outcomes of the cycle that name `text` with every id, the owner's
    own included (which moves the outcome), passed through `rename`."""
    for item in _outcomes_naming(cycle, owners, text):
        owner = rename(item.pk.removeprefix("PARTICIPANT#"))
        new = OutcomeItem(
            _person(owner),
            item.sk,
            band=item.band,
            group=rename(item.group) if item.group else None,
            partners=[rename(p) for p in item.partners],
            reason=item.reason,
            announced_at=item.announced_at,
        )
        rewrite(item, new)

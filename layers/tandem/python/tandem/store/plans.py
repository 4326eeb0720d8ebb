"""Plan items: CYCLE#<id> / PLAN#<group>, one per group and quarter (see tandem.plans).

Written whole, and only if the version is the one read (or, for a new plan, only if absent).
gsi1: DUE#<cycle> / <when>#<group> while something is due for the plan (the slot nudge, a
reminder), so the reminders schedule queries what is due instead of scanning; a plan with
nothing left to do leaves the index.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from pynamodb.attributes import (
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import DoesNotExist, PutError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from tandem.model.plan import Plan
from tandem.model.rhythm import SESSIONS
from tandem.model.slots import Slot
from tandem.store.table import TableModel, is_stored, names, rewrite


class Conflict(Exception):
    """The plan changed since it was read (another member, another run): read it again."""


class _Due(GlobalSecondaryIndex["PlanItem"]):
    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class PlanItem(TableModel):
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    due = _Due()

    band = UnicodeAttribute()
    members = UnicodeAttribute()  # the group key: ids joined by "+"
    nudge_at = UTCDateTimeAttribute()
    first_session = NumberAttribute()
    slot_first = UTCDateTimeAttribute(null=True)
    slot_zone = UnicodeAttribute(null=True)
    picked_by = UnicodeAttribute(null=True)
    picked_at = UTCDateTimeAttribute(null=True)
    track = UnicodeAttribute(null=True)
    moved: MapAttribute[str, Any] = MapAttribute(null=True)  # session number -> ISO start, UTC
    dropped = UnicodeSetAttribute(null=True)
    cancelled_from = NumberAttribute(null=True)
    sequence = NumberAttribute()
    version = NumberAttribute()
    reminded = UnicodeSetAttribute(null=True)


def _cycle(cycle: str) -> str:
    return f"CYCLE#{cycle}"


def _plan_key(group: str) -> str:
    return f"PLAN#{group}"


def _moment(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_item(plan: Plan, due: datetime | None) -> PlanItem:
    slot = plan.slot
    return PlanItem(
        _cycle(plan.cycle),
        _plan_key(plan.group),
        gsi1pk=f"DUE#{plan.cycle}" if due else None,
        gsi1sk=f"{_moment(due)}#{plan.group}" if due else None,
        band=plan.band,
        members=plan.group,
        nudge_at=plan.nudge_at,
        first_session=plan.first_session,
        slot_first=slot.first if slot else None,
        slot_zone=slot.timezone if slot else None,
        picked_by=plan.picked_by,
        picked_at=plan.picked_at,
        track=plan.track,
        moved={str(n): _moment(at) for n, at in plan.moved.items()} or None,
        dropped=set(plan.dropped) or None,
        cancelled_from=plan.cancelled_from,
        sequence=plan.sequence,
        version=plan.version,
        reminded=set(plan.reminded) or None,
    )


def _to_plan(item: PlanItem) -> Plan:
    first_session = int(item.first_session)
    slot = None
    if item.slot_first and item.slot_zone:
        slot = Slot(item.slot_first, item.slot_zone, SESSIONS - first_session + 1)
    moved = item.moved.as_dict() if item.moved else {}
    return Plan(
        cycle=item.pk.removeprefix("CYCLE#"),
        group=item.members,
        band=item.band,
        members=tuple(item.members.split("+")),
        nudge_at=item.nudge_at,
        first_session=first_session,
        slot=slot,
        picked_by=item.picked_by,
        picked_at=item.picked_at,
        track=item.track,
        moved={int(n): datetime.fromisoformat(at) for n, at in moved.items()},
        dropped=frozenset(item.dropped or ()),
        cancelled_from=int(item.cancelled_from) if item.cancelled_from is not None else None,
        sequence=int(item.sequence),
        version=int(item.version),
        reminded=frozenset(item.reminded or ()),
    )


def get(cycle: str, group: str) -> Plan | None:
    try:
        return _to_plan(PlanItem.get(_cycle(cycle), _plan_key(group), consistent_read=True))
    except DoesNotExist:
        return None


def save(plan: Plan, due: datetime | None) -> Plan:
    """Stores the plan as the version after the one it was read as; Conflict if another change
    got there first. Returns the plan as stored."""
    stored = replace(plan, version=plan.version + 1)
    item = to_item(stored, due)
    try:
        item.save(condition=PlanItem.version == plan.version)
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        if not is_stored(item):
            raise Conflict(plan.group) from None
    return stored


def of_cycle(cycle: str) -> Iterator[Plan]:
    """Every plan of the cycle (by query on its partition)."""
    query = PlanItem.query(_cycle(cycle), PlanItem.sk.startswith("PLAN#"), consistent_read=True)
    return (_to_plan(item) for item in query)


def due(cycle: str, now: datetime) -> Iterator[Plan]:
    """The cycle's plans with something due at or before `now`, soonest first (by index)."""
    query = PlanItem.due.query(f"DUE#{cycle}", PlanItem.gsi1sk <= f"{_moment(now)}$")
    return (_to_plan(item) for item in query)


def _naming(cycle: str, text: str) -> Iterator[PlanItem]:
    query = PlanItem.query(_cycle(cycle), PlanItem.sk.startswith("PLAN#"), consistent_read=True)
    return (item for item in query if names(item, text))


def naming(cycle: str, text: str) -> list[str]:
    """The keys of the cycle's plans that name `text` (for an erasure's check)."""
    return [f"{item.pk} / {item.sk}" for item in _naming(cycle, text)]


def rewrite_naming(cycle: str, text: str, rename: Callable[[str], str]) -> None:
    """Rewrites the cycle's plans that name `text` with every id (members, who picked, who
    stopped, the group key and so its place in the index) passed through `rename`; a plan
    changed meanwhile is left for the next pass."""
    for item in _naming(cycle, text):
        plan = _to_plan(item)
        members = tuple(rename(m) for m in plan.members)
        copy = replace(
            plan,
            group="+".join(members),
            members=members,
            picked_by=rename(plan.picked_by) if plan.picked_by else None,
            dropped=frozenset(rename(m) for m in plan.dropped),
        )
        new = to_item(copy, due=None)
        new.gsi1pk, new.gsi1sk = item.gsi1pk, item.gsi1sk and rename(item.gsi1sk)
        rewrite(item, new)

"""Pulse items: CYCLE#<id> / PULSE#<person>, one per person and quarter, written whole and only
if the version is the one the person saw (absent for the first); and the markers
CYCLE#<id> / ONGOING#<a>+<b> of two members told that both want to keep meeting."""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DoesNotExist, PutError

from tandem.model.answers import AnsweredMeanwhile, Pulse
from tandem.store.table import TableModel, save_version


class PulseItem(TableModel):
    participant = UnicodeAttribute()
    fulfilment = NumberAttribute()
    ongoing = UnicodeAttribute()
    comment = UnicodeAttribute(null=True)
    version = NumberAttribute()
    updated_at = UTCDateTimeAttribute()


class OngoingItem(TableModel):
    told_at = UTCDateTimeAttribute()


def _cycle(cycle: str) -> str:
    return f"CYCLE#{cycle}"


def _to_pulse(item: PulseItem) -> Pulse:
    return Pulse(
        participant=item.participant,
        fulfilment=int(item.fulfilment),
        ongoing=item.ongoing,
        comment=item.comment or "",
        version=int(item.version),
        updated_at=item.updated_at,
    )


def get(cycle: str, pid: str) -> Pulse | None:
    try:
        return _to_pulse(PulseItem.get(_cycle(cycle), f"PULSE#{pid}", consistent_read=True))
    except DoesNotExist:
        return None


def save(
    cycle: str, pid: str, fulfilment: int, ongoing: str, comment: str, seen: int, now: datetime
) -> Pulse:
    item = PulseItem(
        _cycle(cycle),
        f"PULSE#{pid}",
        participant=pid,
        fulfilment=fulfilment,
        ongoing=ongoing,
        comment=comment or None,
        version=seen + 1,
        updated_at=now,
    )
    if not save_version(item, PulseItem.version, seen):
        raise AnsweredMeanwhile(pid)
    return _to_pulse(item)


def of_cycle(cycle: str) -> list[Pulse]:
    """Every answer of the quarter (by query on its partition)."""
    query = PulseItem.query(_cycle(cycle), PulseItem.sk.startswith("PULSE#"), consistent_read=True)
    return [_to_pulse(item) for item in query]


def _ongoing_key(a: str, b: str) -> str:
    return "ONGOING#" + "+".join(sorted((a, b)))


def told(cycle: str, a: str, b: str) -> bool:
    """Whether the two were already told that both want to keep meeting."""
    try:
        OngoingItem.get(_cycle(cycle), _ongoing_key(a, b), consistent_read=True)
    except DoesNotExist:
        return False
    return True


def mark_told(cycle: str, a: str, b: str, now: datetime) -> None:
    """Records that the two were told; a second mark (the other's answer at the same instant)
    changes nothing."""
    item = OngoingItem(_cycle(cycle), _ongoing_key(a, b), told_at=now)
    try:
        item.save(condition=OngoingItem.pk.does_not_exist())
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise


def renamed(cycle: str, pid: str, alias: str) -> list[tuple[TableModel, TableModel]]:
    """The person's pulse answer and the "both want to keep meeting" marks that name them, and
    their copies under `alias` (for an erasure's transaction to swap); the comment is dropped."""
    pairs: list[tuple[TableModel, TableModel]] = []
    try:
        answer = PulseItem.get(_cycle(cycle), f"PULSE#{pid}", consistent_read=True)
    except DoesNotExist:
        pass
    else:
        copy = PulseItem(
            _cycle(cycle),
            f"PULSE#{alias}",
            participant=alias,
            fulfilment=answer.fulfilment,
            ongoing=answer.ongoing,
            version=answer.version,
            updated_at=answer.updated_at,
        )
        pairs.append((answer, copy))
    marks = OngoingItem.query(
        _cycle(cycle), OngoingItem.sk.startswith("ONGOING#"), consistent_read=True
    )
    for mark in marks:
        pair = mark.sk.removeprefix("ONGOING#").split("+")
        if pid in pair:
            a, b = (alias if m == pid else m for m in pair)
            pairs.append(
                (mark, OngoingItem(_cycle(cycle), _ongoing_key(a, b), told_at=mark.told_at))
            )
    return pairs

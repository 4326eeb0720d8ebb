"""Pulse items: CYCLE#<id> / PULSE#<person>, one per person and quarter, written whole and only
if the version is the one the person saw (absent for the first); and the markers
CYCLE#<id> / ONGOING#<a>+<b> of two members told that both want to keep meeting."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

from pynamodb.attributes import (
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import DoesNotExist, PutError

from tandem.model.answers import AnsweredMeanwhile, Pulse
from tandem.store.table import TableModel, names, rewrite, save_version


class PulseItem(TableModel):
    participant = UnicodeAttribute()
    fulfilment = NumberAttribute()
    ongoing = UnicodeAttribute()
    comment = UnicodeAttribute(null=True)
    keep_meeting = UnicodeSetAttribute(null=True)  # a circle member's ticks (a set is never empty)
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
        keep_meeting=tuple(sorted(item.keep_meeting or ())),
    )


def _to_item(cycle: str, answer: Pulse) -> PulseItem:
    return PulseItem(
        _cycle(cycle),
        f"PULSE#{answer.participant}",
        participant=answer.participant,
        fulfilment=answer.fulfilment,
        ongoing=answer.ongoing,
        comment=answer.comment or None,
        keep_meeting=set(answer.keep_meeting) or None,
        version=answer.version,
        updated_at=answer.updated_at,
    )


def get(cycle: str, pid: str) -> Pulse | None:
    try:
        return _to_pulse(PulseItem.get(_cycle(cycle), f"PULSE#{pid}", consistent_read=True))
    except DoesNotExist:
        return None


def save(
    cycle: str,
    pid: str,
    fulfilment: int,
    ongoing: str,
    comment: str,
    seen: int,
    now: datetime,
    keep_meeting: tuple[str, ...] = (),
) -> Pulse:
    answer = Pulse(pid, fulfilment, ongoing, comment, seen + 1, now, keep_meeting)
    item = _to_item(cycle, answer)
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


def _naming(cycle: str, text: str) -> Iterator[PulseItem | OngoingItem]:
    for model, prefix in ((PulseItem, "PULSE#"), (OngoingItem, "ONGOING#")):
        for item in model.query(_cycle(cycle), model.sk.startswith(prefix), consistent_read=True):
            if names(item, text):
                yield item


def naming(cycle: str, text: str) -> list[str]:
    """The keys of the cycle's pulse answers and "both want to keep meeting" marks that name
    `text` (for an erasure's check)."""
    return [f"{item.pk} / {item.sk}" for item in _naming(cycle, text)]


def rewrite_naming(
    cycle: str, text: str, rename: Callable[[str], str], change: Callable[[Pulse], Pulse]
) -> None:
    """Rewrites each pulse answer of the cycle that names `text` as `change` makes it (which
    may move it to another person), and each mark with its two ids passed through `rename`;
    what changed meanwhile is left for the next pass."""
    for item in _naming(cycle, text):
        if isinstance(item, PulseItem):
            new: TableModel = _to_item(cycle, change(_to_pulse(item)))
        else:
            a, b = (rename(m) for m in item.sk.removeprefix("ONGOING#").split("+"))
            new = OngoingItem(_cycle(cycle), _ongoing_key(a, b), told_at=item.told_at)
        rewrite(item, new)

"""Feedback items: CYCLE#<id> / FEEDBACK#<group>#<session>#<person>, one per person and session,
written whole and only if the version is the one the person saw (absent for the first)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import DoesNotExist

from tandem.model.answers import AnsweredMeanwhile, Feedback
from tandem.store.table import TableModel, names, rewrite, save_version


class FeedbackItem(TableModel):
    session = NumberAttribute()
    participant = UnicodeAttribute()
    held = UnicodeAttribute()
    helpfulness = NumberAttribute(null=True)
    checkin = UnicodeAttribute(null=True)
    impact = UnicodeAttribute(null=True)
    note = UnicodeAttribute(null=True)
    pledge = UnicodeAttribute(null=True)
    theme = UnicodeAttribute(null=True)
    pledge_shared = BooleanAttribute(null=True)
    version = NumberAttribute()
    updated_at = UTCDateTimeAttribute()


def _keys(cycle: str, group: str, session: int, pid: str) -> tuple[str, str]:
    return f"CYCLE#{cycle}", f"FEEDBACK#{group}#{session}#{pid}"


def _to_feedback(item: FeedbackItem) -> Feedback:
    return Feedback(
        session=int(item.session),
        participant=item.participant,
        held=item.held,
        helpfulness=int(item.helpfulness) if item.helpfulness is not None else None,
        checkin=item.checkin,
        impact=item.impact,
        note=item.note or "",
        pledge=item.pledge,
        theme=item.theme or "",
        version=int(item.version),
        updated_at=item.updated_at,
        pledge_shared=bool(item.pledge_shared),
    )


def get(cycle: str, group: str, session: int, pid: str) -> Feedback | None:
    try:
        return _to_feedback(
            FeedbackItem.get(*_keys(cycle, group, session, pid), consistent_read=True)
        )
    except DoesNotExist:
        return None


def save(
    cycle: str,
    group: str,
    session: int,
    pid: str,
    answers: dict[str, Any],
    seen: int,
    now: datetime,
) -> Feedback:
    item = FeedbackItem(*_keys(cycle, group, session, pid))
    item.session, item.participant, item.version, item.updated_at = session, pid, seen + 1, now
    for name, value in answers.items():
        setattr(item, name, value if value != "" else None)
    if not save_version(item, FeedbackItem.version, seen):
        raise AnsweredMeanwhile(pid)
    return _to_feedback(item)


def of_group(cycle: str, group: str) -> list[Feedback]:
    query = FeedbackItem.query(
        f"CYCLE#{cycle}", FeedbackItem.sk.startswith(f"FEEDBACK#{group}#"), consistent_read=True
    )
    return [_to_feedback(item) for item in query]


def of_cycle(cycle: str) -> Iterator[tuple[str, Feedback]]:
    """(group, feedback) of every answer in the cycle, by query on its partition."""
    query = FeedbackItem.query(f"CYCLE#{cycle}", FeedbackItem.sk.startswith("FEEDBACK#"))
    for item in query:
        group = item.sk.removeprefix("FEEDBACK#").split("#")[0]
        yield group, _to_feedback(item)


def _naming(cycle: str, text: str) -> Iterator[FeedbackItem]:
    query = FeedbackItem.query(
        f"CYCLE#{cycle}", FeedbackItem.sk.startswith("FEEDBACK#"), consistent_read=True
    )
    return (item for item in query if names(item, text))


def naming(cycle: str, text: str) -> list[str]:
    """The keys of the cycle's answers that name `text` (for an erasure's check)."""
    return [f"{item.pk} / {item.sk}" for item in _naming(cycle, text)]


def rewrite_naming(
    cycle: str, text: str, change: Callable[[str, Feedback], tuple[str, Feedback]]
) -> None:
    """Rewrites each answer of the cycle that names `text` as `change` makes it from its group
    and answer (which may move it to another group or person); an answer changed meanwhile is
    left for the next pass."""
    for item in _naming(cycle, text):
        group, answer = change(item.sk.removeprefix("FEEDBACK#").split("#")[0], _to_feedback(item))
        rewrite(item, _to_item(cycle, group, answer))


def _to_item(cycle: str, group: str, answer: Feedback) -> FeedbackItem:
    return FeedbackItem(
        *_keys(cycle, group, answer.session, answer.participant),
        session=answer.session,
        participant=answer.participant,
        held=answer.held,
        helpfulness=answer.helpfulness,
        checkin=answer.checkin,
        impact=answer.impact,
        note=answer.note or None,
        pledge=answer.pledge,
        theme=answer.theme or None,
        pledge_shared=answer.pledge_shared,
        version=answer.version,
        updated_at=answer.updated_at,
    )

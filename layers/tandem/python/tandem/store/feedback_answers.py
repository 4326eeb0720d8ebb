"""Feedback items: CYCLE#<id> / FEEDBACK#<group>#<session>#<person>, one per person and session,
written whole and only if the version is the one the person saw (absent for the first)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DoesNotExist

from tandem.model.answers import AnsweredMeanwhile, Feedback
from tandem.store.table import TableModel, save_version


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


ERASED = "(erased)"  # an erased person's pledge: it still counts, its words are gone


def renamed(
    cycle: str, group: str, new_group: str, pid: str, alias: str
) -> list[tuple[FeedbackItem, FeedbackItem]]:
    """Each answer of `group` and its copy under `new_group`, `pid` replaced by `alias` (for
    an erasure's transaction to swap); the person's own words are dropped, not moved."""
    pairs = []
    for item in FeedbackItem.query(
        f"CYCLE#{cycle}", FeedbackItem.sk.startswith(f"FEEDBACK#{group}#"), consistent_read=True
    ):
        own = item.participant == pid
        copy = FeedbackItem(
            *_keys(cycle, new_group, int(item.session), alias if own else item.participant),
            **{name: getattr(item, name) for name in _ANSWERS},
        )
        copy.participant = alias if own else item.participant
        if own:
            copy.pledge = ERASED if item.pledge else None
            copy.note = None
        pairs.append((item, copy))
    return pairs


# What an answer's copy carries over (the keys and the participant are the copy's own).
_ANSWERS = (
    "session",
    "held",
    "helpfulness",
    "checkin",
    "impact",
    "note",
    "pledge",
    "theme",
    "version",
    "updated_at",
)

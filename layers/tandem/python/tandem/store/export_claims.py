"""Export markers: CYCLE#<id> / EXPORT, the scheduled export of a quarter, claimed by one run.

A run claims the quarter before writing (only if unclaimed, or claimed by a run that must have
died: a Lambda lives 15 minutes at most) and marks it done after mailing, so a duplicate or
concurrent run neither writes nor mails again, and a failed one is taken over the next day.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DoesNotExist, PutError

from tandem.store.table import TableModel, is_stored

EXPORT = "EXPORT"
ABANDONED_AFTER = timedelta(minutes=20)


class ExportItem(TableModel):
    started_at = UTCDateTimeAttribute()
    # Which run holds the claim: a duplicate delivery of the same schedule run has the same
    # time, and must not take its twin's claim for its own. Cleared once done.
    run = UnicodeAttribute(null=True)
    done_at = UTCDateTimeAttribute(null=True)


def _keys(cycle: str) -> tuple[str, str]:
    return f"CYCLE#{cycle}", EXPORT


def done(cycle: str) -> bool:
    try:
        return ExportItem.get(*_keys(cycle), consistent_read=True).done_at is not None
    except DoesNotExist:
        return False


def claim(cycle: str, now: datetime) -> bool:
    """True for the one run that may export the quarter now."""
    free = ExportItem.pk.does_not_exist() | (
        ExportItem.done_at.does_not_exist() & (ExportItem.started_at < now - ABANDONED_AFTER)
    )
    item = ExportItem(*_keys(cycle), started_at=now, run=secrets.token_hex(8))
    try:
        item.save(condition=free)
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        # The SDK sends a put again when its answer was lost: the claim it then finds may be
        # this one.
        return is_stored(item)
    return True


def finish(cycle: str, now: datetime) -> None:
    ExportItem(*_keys(cycle)).update(actions=[ExportItem.done_at.set(now), ExportItem.run.remove()])

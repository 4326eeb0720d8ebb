"""Working hours across time zones, with the UTC offsets in force on the cycle's date."""

from __future__ import annotations

from datetime import date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

DAY = 24 * 60


@lru_cache(maxsize=1024)
def utc_offset(timezone: str, on: date, start: time) -> int:
    """Minutes east of UTC when the working day starts on that date (DST-correct)."""
    offset = datetime.combine(on, start, tzinfo=ZoneInfo(timezone)).utcoffset()
    assert offset is not None  # a ZoneInfo always knows its offset
    return int(offset.total_seconds()) // 60


def shared_minutes(offset_a: int, offset_b: int, workday: int) -> int:
    """Minutes two equally long local working days have in common.

    The days are arcs on the 24-hour UTC circle, so only the offset difference d (mod 24 h)
    matters: the overlap going forward plus the overlap going back across midnight UTC
    (Auckland's morning is Los Angeles's afternoon of the day before).
    """
    d = (offset_a - offset_b) % DAY
    return max(0, workday - d) + max(0, workday - (DAY - d))

"""The console's open sessions: CONSOLE-SESSION#<id> / OPEN, one item per sign-in, deleted when
the person signs out. The cookie proves who signed in and when; this item, that they have not
signed out since. Items expire with the session (the table's TTL) and hold nothing personal.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import TTLAttribute
from pynamodb.exceptions import DoesNotExist

from tandem.store.table import TableModel

_OPEN = "OPEN"


class OpenSessionItem(TableModel):
    expiration = TTLAttribute()


def _key(session_id: str) -> str:
    return f"CONSOLE-SESSION#{session_id}"


def start(session_id: str, until: datetime) -> None:
    """Opens a session (its id is random: a clash would be another sign-in's, and is refused)."""
    item = OpenSessionItem(_key(session_id), _OPEN, expiration=until)
    item.save(condition=OpenSessionItem.pk.does_not_exist())


def is_open(session_id: str) -> bool:
    try:
        OpenSessionItem.get(_key(session_id), _OPEN, consistent_read=True)
    except DoesNotExist:
        return False
    return True


def end(session_id: str) -> None:
    """Closes the session; closing one already closed changes nothing."""
    OpenSessionItem(_key(session_id), _OPEN).delete()

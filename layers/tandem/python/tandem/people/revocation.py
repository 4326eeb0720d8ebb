"""Revoking a person's links at an operator's request (a mailbox given to someone else, a link
that leaked): every link sent to them so far stops working, and their next email carries new
ones. The pages refuse an older link as expired, with the form that emails fresh links."""

from __future__ import annotations

from datetime import datetime

from tandem.model.participant import participant_id
from tandem.model.validation import email_address
from tandem.store import participants


def revoke(email: str, now: datetime) -> str | None:
    """The person's id, or None if the address is not in the program. Raises ValueError for
    something that is not an email address."""
    pid = participant_id(email_address(email))
    try:
        participants.revoke_links(pid, now)
    except participants.ConditionFailed:
        return None
    return pid

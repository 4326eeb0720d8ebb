"""A person's group in a quarter, as they get to see it: the partners still in the program."""

from __future__ import annotations

from tandem.model.participant import Participant, Status
from tandem.store import participants as participants_store
from tandem.store.matches import Outcome


def partners(outcome: Outcome) -> list[Participant]:
    """The partners to introduce: one who left (or asked to be erased) is not."""
    found = participants_store.get_many(outcome.partners)
    return [found[p] for p in outcome.partners if p in found and found[p].status is Status.ACTIVE]

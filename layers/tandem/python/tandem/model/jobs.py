"""Work one use case hands to another through a queue: the band queue's jobs."""

from __future__ import annotations

from dataclasses import dataclass

from tandem.model.validation import Strict


@dataclass(frozen=True, kw_only=True)
class BandJob(Strict):
    """Match one band of one cycle."""

    cycle: str
    band: str


@dataclass(frozen=True, kw_only=True)
class RematchJob(Strict):
    """Pair again, for the rest of the quarter, the people of one band whose partners left and
    who asked for a new one (`asked_by` is the latest to ask)."""

    cycle: str
    band: str
    asked_by: str

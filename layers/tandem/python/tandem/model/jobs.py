"""Work one use case hands to another through a queue: the band queue's jobs."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class BandJob(BaseModel):
    """Match one band of one cycle."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    cycle: str
    band: str


class RematchJob(BaseModel):
    """Pair again, for the rest of the quarter, the people of one band whose partners left and
    who asked for a new one (`asked_by` is the latest to ask)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    cycle: str
    band: str
    asked_by: str

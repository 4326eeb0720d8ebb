"""Work one use case hands to another through a queue: the band queue's jobs."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class BandJob(BaseModel):
    """Match one band of one cycle."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    cycle: str
    band: str

"""What a cycle's matching produced, as the contexts read it back: each group, and each
person's outcome (their partners, or why they have none)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    """One person's result of a cycle: their partners, or why they have none."""

    cycle: str
    band: str
    partners: tuple[str, ...]
    reason: str | None
    announced: bool = False  # the kickoff or unmatched email went out
    group: str | None = None  # the group's key (members joined by "+"), when matched


@dataclass(frozen=True)
class StoredGroup:
    cycle: str
    band: str
    members: tuple[str, ...]
    score: int

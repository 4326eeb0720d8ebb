"""The values the matching engine takes and gives back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from types import MappingProxyType
from typing import Literal

from tandem.model.purpose import PurposeProfile


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    department: str
    level: str
    timezone: str  # IANA name, validated by the caller
    manager_id: str | None = None
    location: str | None = None
    purpose: PurposeProfile | None = None
    # The manager's manager, when the caller knows it from outside the population (the manager
    # may not be matched this cycle); otherwise it is looked up among the people matched.
    skip_level_id: str | None = None


@dataclass(frozen=True, slots=True)
class Group:
    """A pair or a trio in one cycle; in history a 1-tuple records that the person sat out.

    The engine lists a pair in id order, and a trio as its pair followed by the one who joined.
    """

    cycle: str
    members: tuple[str, ...]
    score: int = 0


@dataclass(frozen=True, slots=True)
class Unmatched:
    person_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class MatchingRules:
    repeat_window: int = 4
    min_overlap_hours: float = 2.0
    workday: tuple[time, time] = (time(9), time(17))
    odd_policy: Literal["trio", "sit_out"] = "trio"
    # level -> band name; a level not in the mapping is a band of its own
    bands: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        start, end = self.workday
        if end <= start:
            raise ValueError("the working day must end after it starts")
        if self.repeat_window < 0 or self.min_overlap_hours < 0:
            raise ValueError("repeat_window and min_overlap_hours cannot be negative")
        if self.odd_policy not in ("trio", "sit_out"):
            raise ValueError(f"odd_policy must be 'trio' or 'sit_out', not {self.odd_policy!r}")

    def band_of(self, level: str) -> str:
        return self.bands.get(level, level)


@dataclass(frozen=True, slots=True)
class MatchResult:
    groups: tuple[Group, ...]
    unmatched: tuple[Unmatched, ...]

    def as_history(self, cycle: str) -> tuple[Group, ...]:
        """The groups plus a 1-tuple per unmatched person: what the next cycle reads as history.

        Recording who sat out is what gives them priority next cycle.
        """
        return self.groups + tuple(Group(cycle, (u.person_id,)) for u in self.unmatched)

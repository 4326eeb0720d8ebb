"""The curious HR: holds every file a tenant's exports published in a year and knows, from the
operational rows, who was in a group each quarter with which department and level. Reads each
figure as a sum over those people (a count, or the numerator and denominator of a rate, both
assumed known), then adds and subtracts them all at once (numpy's rank, not the exact
arithmetic under test) to see what the hidden figures and small groups hold.

    found = attack(files, members, min_group)  # [] when nothing hidden can be had
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np

from tandem.analytics.figures import BREAKDOWNS, OPERATIONAL

# person -> (department, level[, format]), for one quarter: what HR knows of them
People = Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class File:
    """One summary file as published: the quarters it sums over (one, or the year's so far)
    and its rows (SummaryRow or the CSV's dicts)."""

    quarters: tuple[str, ...]
    rows: Sequence[Any]


def _field(row: Any, name: str) -> str:
    value = row[name] if isinstance(row, dict) else getattr(row, name)
    return "" if value is None else str(value)


class _System:
    """Sums over unknowns, as rows of a matrix; which other sums their combinations give."""

    def __init__(self, unknowns: Iterable[Any]) -> None:
        self.column = {u: i for i, u in enumerate(sorted(set(unknowns), key=repr))}
        self.known: list[np.ndarray] = []

    def vector(self, over: Iterable[Any]) -> np.ndarray:
        v = np.zeros(len(self.column))
        for u in over:
            v[self.column[u]] = 1
        return v

    def add(self, over: Iterable[Any]) -> None:
        self.known.append(self.vector(over))

    def gives(self, *sums: Iterable[Any]) -> list[bool]:
        """For each sum, whether the known ones add up to it (it lies in their span)."""
        if not sums:
            return []
        targets = np.array([self.vector(over) for over in sums]).reshape(len(sums), -1)
        if not self.known:
            return [False] * len(sums)
        _, singular, rows = np.linalg.svd(np.array(self.known), full_matrices=False)
        basis = rows[singular > 1e-9]
        left = targets - targets @ basis.T @ basis
        return [
            bool(t.any()) and not np.abs(r).max() > 1e-6 for t, r in zip(targets, left, strict=True)
        ]


def _scope_sums(file: File, members: Mapping[str, People], scope: str, group: str) -> set[Any]:
    """The (quarter, department, level[, format]) atoms a figure of the file sums over."""
    return {
        (quarter, *atom)
        for quarter in file.quarters
        for atom in members[quarter].values()
        if scope == "all" or atom[BREAKDOWNS.index(scope)] == group
    }


def attack(files: Sequence[File], members: Mapping[str, People], min_group: int) -> list[str]:
    """Every hidden figure and every sum about fewer than `min_group` people (of one quarter,
    by department and level, or of a few people's purpose profiles) that the files give."""
    found: list[str] = []
    metrics = {
        _field(r, "metric") for f in files for r in f.rows if _field(r, "metric") not in OPERATIONAL
    }
    atoms = {(q, *atom) for q, people in members.items() for atom in people.values()}
    size: dict[Any, int] = {}
    for q, people in members.items():
        for atom in people.values():
            size[q, *atom] = size.get((q, *atom), 0) + 1
    small = [a for a in sorted(atoms) if size[a] < min_group]
    for metric in sorted(metrics):
        if metric.startswith("purpose_"):
            found += _purpose(files, members, metric, min_group)
            continue
        if ":" in metric:
            found += _answers(files, metric)
            continue
        system = _System(atoms)
        hidden = []
        for f in files:
            for r in f.rows:
                if _field(r, "metric") != metric:
                    continue
                over = _scope_sums(f, members, _field(r, "scope"), _field(r, "group"))
                if _field(r, "value"):
                    system.add(over)
                else:
                    hidden.append((f.quarters, _field(r, "scope"), _field(r, "group"), over))
        given = system.gives(*(h[3] for h in hidden))
        found += [f"{metric} hidden {h[:3]}" for h, g in zip(hidden, given, strict=True) if g]
        few = [
            chosen
            for n in (1, 2, 3)
            for chosen in combinations(small, n)
            if sum(size[a] for a in chosen) < min_group
        ]
        found += [f"{metric} of {c}" for c, g in zip(few, system.gives(*few), strict=True) if g]
    return found


def _answers(files: Sequence[File], metric: str) -> list[str]:
    """One answer of a question (`helpfulness:4`): its count in each quarter is an unknown,
    a year's count is the sum of its quarters', and the themes of pledges add up to the pledges
    made. A hidden count must not follow."""
    family = metric.partition(":")[0]
    answers = sorted(
        {
            _field(r, "metric")
            for f in files
            for r in f.rows
            if _field(r, "metric").startswith(f"{family}:")
        }
    )
    quarters = sorted({q for f in files for q in f.quarters})
    system = _System((q, a) for q in quarters for a in answers)
    hidden = []
    for f in files:
        for r in f.rows:
            total = family == "pledge_theme" and _field(r, "metric") == "pledges_made"
            if total and _field(r, "scope") == "all" and _field(r, "value"):
                system.add((q, a) for q in f.quarters for a in answers)
            if not _field(r, "metric").startswith(f"{family}:"):
                continue
            over = [(q, _field(r, "metric")) for q in f.quarters]
            if _field(r, "value"):
                system.add(over)
            elif _field(r, "metric") == metric:
                hidden.append((f.quarters, over))
    given = system.gives(*(over for _, over in hidden))
    return [f"{metric} hidden in {h[0]}" for h, g in zip(hidden, given, strict=True) if g]


def _purpose(
    files: Sequence[File], members: Mapping[str, People], metric: str, min_group: int
) -> list[str]:
    """A driver's count is a sum over each file's people, whose profiles do not change, and
    each person has one driver on the axis (their counts add up to 1): no hidden count, nor a
    driver of one or two people, may follow."""
    axis = metric.partition(":")[0]
    drivers = sorted(
        {_field(r, "metric") for f in files for r in f.rows if _field(r, "metric").startswith(axis)}
    )
    people_of = [frozenset(p for q in f.quarters for p in members[q]) for f in files]
    everyone = sorted(frozenset().union(*people_of))
    system = _System((p, d) for p in everyone for d in drivers)
    for p in everyone:
        system.add((p, d) for d in drivers)
    hidden = []
    for f, people in zip(files, people_of, strict=True):
        for driver in drivers:
            rows = [r for r in f.rows if _field(r, "metric") == driver]
            over = [(p, driver) for p in people]
            if not rows or _field(rows[0], "value"):
                system.add(over)  # shown, or a known zero: no row for the driver
            elif driver == metric:
                hidden.append(over)
    found = [
        f"{metric} hidden over {len(h)} people"
        for h, g in zip(hidden, system.gives(*hidden), strict=True)
        if g
    ]
    few = [[(p, metric) for p in c] for n in (1, 2) for c in combinations(everyone, n)]
    return found + [f"{metric} of {c}" for c, g in zip(few, system.gives(*few), strict=True) if g]

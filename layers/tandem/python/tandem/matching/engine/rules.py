"""The hard rules: who may never be paired, and why someone could not be.

Two people of a band may be partners only when they
- work in different departments,
- are not in each other's reporting line (manager or manager's manager),
- were not partners within the repeat window, and
- share at least the minimum overlap of their local working days.

Feasibility is computed for a block of rows against the whole band (rows x n arrays).
"""

from __future__ import annotations

import numpy as np

from tandem.matching.engine.arrays import Band, Bools, Ints


def overlap(band: Band, rows: Ints) -> Ints:
    """rows x n: minutes of working day each row person shares with everyone in the band."""
    return band.shared[band.zone[rows, None], band.zone[None, :]]


def feasible(band: Band, rows: Ints, shared: Ints) -> Bools:
    """rows x n: True where the two may be partners (never on the diagonal)."""
    ok = band.department[rows, None] != band.department[None, :]
    ok &= shared >= band.min_overlap
    for forbidden in (band.reporting, band.recent):
        row, col, _ = forbidden.in_rows(rows, band.size)
        ok[row, col] = False
    return ok


def partner_counts(band: Band) -> Ints:
    """How many possible partners each person has, without an n x n array: people counted by
    zone and department, less the forbidden pairs that every other rule would allow."""
    near = band.shared >= band.min_overlap  # zone x zone
    by_zone = np.zeros((len(near), int(band.department.max()) + 1), dtype=np.int64)
    np.add.at(by_zone, (band.zone, band.department), 1)
    reachable = near.astype(np.int64) @ by_zone  # zone x department: people within overlap
    counts = reachable.sum(axis=1)[band.zone] - reachable[band.zone, band.department]
    i = np.concatenate([band.reporting.i, band.recent.i])
    j = np.concatenate([band.reporting.j, band.recent.j])
    i, j = np.divmod(np.unique(i * band.size + j), band.size)  # a pair in both counts once
    allowed = (band.department[i] != band.department[j]) & near[band.zone[i], band.zone[j]]
    return counts - np.bincount(i[allowed], minlength=band.size)


def no_partner_reason(band: Band, person: int) -> str | None:
    """The most specific rule that leaves the person without any possible partner, or None.

    The rules are applied one after another; the reason is the rule that removed the last
    candidates.
    """
    rows = np.array([person])
    candidates = band.department != band.department[person]
    if not candidates.any():
        return "no one else at your level in another department"
    _, boss_or_report, _ = band.reporting.in_rows(rows, band.size)
    candidates[boss_or_report] = False
    if not candidates.any():
        return "everyone at your level in another department is in your reporting line"
    candidates &= overlap(band, rows)[0] >= band.min_overlap
    if not candidates.any():
        hours = band.min_overlap / 60
        unit = "hour" if hours == 1 else "hours"
        return f"no one at your level whose working hours overlap yours by {hours:g} {unit}"
    _, partners, _ = band.recent.in_rows(rows, band.size)
    candidates[partners] = False
    if not candidates.any():
        window = band.repeat_window
        quarters = "quarter" if window == 1 else f"{window} quarters"
        return f"everyone compatible was a partner in the last {quarters}"
    return None


ODD_ONE_OUT = "odd number of people: you sit out this quarter and get priority next quarter"
ALL_TAKEN = "all compatible partners were already paired this quarter"

"""The soft objective: among the maximum-cardinality matchings of a band, which one is best.

Every weight is an int (the blossom solver needs ints) and lives in this module. In order of
importance:

1. Fairness. A person who was odd last cycle (in a trio or sat out) is worth fairness_bonus()
   when matched into a pair. The bonus exceeds the largest possible difference in every other
   term summed over a whole matching, so no mix of soft weights can outweigh it: the solver
   first maximises how many of those people are paired, and only then looks at the rest.
2. Older repeats. Partners within the repeat window are forbidden by a hard rule; partners from
   before the window are allowed but cost REPEAT_FLOOR plus a recency part that halves, thirds
   ... with each cycle further back. The floor exceeds everything else a pair can score, so
   one repeat is never traded for a closer time zone or a better purpose fit: "no repeats" is
   what users ask for first.
3. Time-zone closeness: up to CLOSENESS points, in proportion to the share of the working day
   the two have in common. A pair that can meet in the middle of both days keeps meeting.
4. Purpose fit: a shared WHY (the same reason to work, Karma or Harmony) builds trust fast;
   a different HOW (Community, Human, Knowledge, Structure) brings a way of working the other
   does not have, which is what peer coaching feeds on. WHO is left neutral.
5. Location diversity: a small nudge towards partners in another office, when both are known.

Each term's largest value exceeds the next one's (16 > 4 + 3 > 2; a repeat costs at least 26).
A pair's score is 3 + 4 + 5 minus 2; Group.score reports it (a trio: the sum of its three pairs,
without the fairness bonus). The solver weight adds WEIGHT_OFFSET so that every edge weighs at
least 1: all maximum-cardinality matchings have the same number of edges, so the constant does
not change which one wins.
"""

from __future__ import annotations

import numpy as np

from tandem.matching.engine.arrays import UNKNOWN, Band, Bools, Ints

CLOSENESS = 16  # the whole working day shared; one point per half hour of an 8-hour day
SAME_WHY = 4
DIFFERENT_HOW = 3
DIFFERENT_LOCATION = 2
BEST_SCORE = CLOSENESS + SAME_WHY + DIFFERENT_HOW + DIFFERENT_LOCATION

REPEAT_FLOOR = BEST_SCORE + 1
REPEAT_RECENCY = 24  # added to the floor for the cycle just outside the window, /2, /3 ... after
WEIGHT_OFFSET = REPEAT_FLOOR + REPEAT_RECENCY + 1
HEAVIEST = BEST_SCORE + WEIGHT_OFFSET  # the largest solver weight without the fairness bonus


def fairness_bonus(band_size: int) -> int:
    """More than the soft weights of any matching can differ by: pairs * heaviest edge."""
    return (band_size // 2) * HEAVIEST + 1


def repeat_penalty(cycles_ago: Ints, window: int) -> Ints:
    return REPEAT_FLOOR + REPEAT_RECENCY // (cycles_ago - window)


def scores(band: Band, rows: Ints, shared: Ints) -> Ints:
    """rows x n pair scores, given the shared working minutes (meaningless where infeasible)."""
    score = CLOSENESS * shared // band.workday
    score += SAME_WHY * _same(band.why, rows)
    score += DIFFERENT_HOW * _different(band.how, rows)
    score += DIFFERENT_LOCATION * _different(band.location, rows)
    row, col, cycles_ago = band.older.in_rows(rows, band.size)
    score[row, col] -= repeat_penalty(cycles_ago, band.repeat_window)
    return score


def solver_weights(band: Band, a: Ints, b: Ints, score: Ints) -> Ints:
    """The solver weights of the pairs (a[k], b[k]) that score score[k]."""
    odd_last = band.priority[a].astype(np.int64) + band.priority[b]
    return score + WEIGHT_OFFSET + fairness_bonus(band.size) * odd_last


def scores_of(band: Band, a: Ints, b: Ints, weight: Ints) -> Ints:
    """The pair scores behind the solver weights of the pairs (a[k], b[k])."""
    odd_last = band.priority[a].astype(np.int64) + band.priority[b]
    return weight - WEIGHT_OFFSET - fairness_bonus(band.size) * odd_last


def _same(code: Ints, rows: Ints) -> Bools:
    mine = code[rows, None]
    return (mine == code) & (mine != UNKNOWN)


def _different(code: Ints, rows: Ints) -> Bools:
    mine = code[rows, None]
    return (mine != code) & (mine != UNKNOWN) & (code != UNKNOWN)

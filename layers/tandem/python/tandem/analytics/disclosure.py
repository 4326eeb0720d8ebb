"""What published sums give away: the attacker's arithmetic, done exactly.

A figure is a sum over atoms (the people of one department and level, the answers of one
choice): a count, or the numerator and denominator of a rate. Whoever holds several figures can
add and subtract them; `Span` works out, in fractions, which other sums that gives, and from
which of the figures.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping
from fractions import Fraction
from typing import Any

Atom = Hashable
Combination = dict[Hashable, Fraction]  # figure label -> how many times it is added


def _subtract(
    into: dict[Hashable, Fraction], other: Mapping[Hashable, Fraction], k: Fraction
) -> None:
    for key, value in other.items():
        left = into.get(key, Fraction(0)) - k * value
        if left:
            into[key] = left
        else:
            into.pop(key, None)


class Span:
    """Every sum that adding and subtracting the published ones gives. The published sums are
    kept in reduced row echelon form: each basis row has one leading atom that no other row
    has, and remembers which published sums it is made of."""

    def __init__(self, published: Iterable[tuple[Hashable, Iterable[Atom]]]) -> None:
        self._basis: list[tuple[Atom, dict[Atom, Fraction], Combination]] = []
        for label, atoms in published:
            vector, made_of = self._reduce(_ones(atoms), {label: Fraction(1)})
            if not vector:
                continue  # adds nothing the others do not give
            lead = next(iter(vector))
            scale = vector[lead]
            vector = {a: v / scale for a, v in vector.items()}
            made_of = {k: v / scale for k, v in made_of.items()}
            for _, row, row_made_of in self._basis:
                if k := row.get(lead):
                    _subtract(row, vector, k)
                    _subtract(row_made_of, made_of, k)
            self._basis.append((lead, vector, made_of))

    def _reduce(
        self, vector: dict[Atom, Fraction], made_of: Combination
    ) -> tuple[dict[Atom, Fraction], Combination]:
        """What is left of `vector` once the basis is taken out, and, in `made_of`, that left
        part as published sums: the target minus the basis rows taken out of it."""
        for lead, row, row_made_of in self._basis:
            if k := vector.get(lead):
                _subtract(vector, row, k)
                _subtract(made_of, row_made_of, k)
        return vector, made_of

    def gives(self, atoms: Iterable[Atom]) -> Combination | None:
        """The published sums that add up to the sum over `atoms`, or None if none do."""
        left, made_of = self._reduce(_ones(atoms), {})
        return None if left else {label: -k for label, k in made_of.items()}

    def small_sums(
        self, people: Mapping[Any, frozenset[str]], fewer_than: int
    ) -> Iterator[tuple[frozenset[Atom], Combination]]:
        """Each set of atoms about fewer than `fewer_than` people whose sum the published sums
        give, and how, for sets of up to `fewer_than` leading atoms. A sum over a set of atoms
        is given only as the sum of the basis rows leading at its atoms (each row is 1 at its
        own leading atom and 0 at the others'): those sums are tried, in floating point for
        speed, and each set found is confirmed exactly."""
        leads = [
            (lead, {a: float(v) for a, v in row.items()})
            for lead, row, _ in self._basis
            if len(people[lead]) < fewer_than
        ]

        def grow(
            start: int, summed: dict[Atom, float], floor: frozenset[str], depth: int
        ) -> Iterator[tuple[frozenset[Atom], Combination]]:
            for i in range(start, len(leads)):
                lead, row = leads[i]
                # A leading atom stays in the sum whatever is added: its people are a floor.
                with_lead = floor | people[lead]
                if len(with_lead) >= fewer_than:
                    continue
                vector = dict(summed)
                for atom, value in row.items():
                    vector[atom] = vector.get(atom, 0.0) + value
                over = frozenset(a for a, v in vector.items() if abs(v) > _TINY)
                if (
                    all(abs(vector[a] - 1) < _TINY for a in over)
                    and len(frozenset().union(*(people[a] for a in over))) < fewer_than
                    and (given := self.gives(over)) is not None
                ):
                    yield over, given
                if depth < fewer_than:
                    yield from grow(i + 1, vector, with_lead, depth + 1)

        return grow(0, {}, frozenset(), 1)


_TINY = 1e-9  # below this, a floating-point entry of a reduced 0/1 system is a zero


def _ones(atoms: Iterable[Atom]) -> dict[Atom, Fraction]:
    return dict.fromkeys(atoms, Fraction(1))

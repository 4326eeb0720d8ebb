"""Quarterly matching: peers at the same level, across departments, never twice, fair to the odd
one out. `match` solves a cycle; `tandem.matching.files` reads and writes its CSV files."""

from tandem.matching.engine.models import Group, MatchingRules, MatchResult, Person, Unmatched
from tandem.matching.engine.solve import match

__all__ = ["Group", "MatchResult", "MatchingRules", "Person", "Unmatched", "match"]

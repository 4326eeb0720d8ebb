"""A synthetic company for demos and benchmarks: departments, levels, reporting lines, time zones
and locations shaped like a real mid-size organisation."""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

DEPARTMENTS = ("Sales", "Engineering", "Finance", "Operations", "Marketing", "People")
# (time zone, location, weight): most people in Europe, some in the Americas and Asia-Pacific.
SITES = (
    ("Europe/Paris", "Paris", 30),
    ("Europe/Paris", "Lyon", 10),
    ("Europe/London", "London", 20),
    ("America/New_York", "New York", 15),
    ("America/Chicago", "Chicago", 8),
    ("Asia/Singapore", "Singapore", 10),
    ("Australia/Sydney", "Sydney", 7),
)
FIRST_NAMES = (
    "Amara",
    "Ben",
    "Chloé",
    "Dev",
    "Elif",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kemi",
    "Lars",
    "Maya",
    "Nikhil",
    "Olga",
    "Pablo",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
    "Uma",
    "Victor",
    "Wen",
    "Yusuf",
    "Zoe",
    "Aiko",
    "Bruno",
    "Carmen",
    "Diego",
    "Emma",
    "Femi",
    "Gita",
    "Hugo",
    "Ivy",
    "Jamal",
    "Kira",
)
LAST_NAMES = (
    "Adeyemi",
    "Bernard",
    "Chen",
    "Dubois",
    "Eriksen",
    "Fischer",
    "García",
    "Haddad",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Laurent",
    "Moreau",
    "Nakamura",
    "O'Brien",
    "Patel",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Usman",
    "Valdez",
    "Williams",
    "Xu",
    "Yilmaz",
    "Zhang",
    "Nguyen",
    "Okafor",
    "Silva",
    "Kim",
    "Dupont",
)


@dataclass(frozen=True)
class Employee:
    email: str
    name: str
    department: str
    level: str
    timezone: str
    manager_email: str
    location: str

    def roster_row(self) -> list[str]:
        return [
            self.email,
            self.name,
            self.department,
            self.level,
            self.timezone,
            self.manager_email,
            self.location,
        ]


def smallest(levels: Sequence[str]) -> int:
    """The fewest people company() makes: each level above the first has someone in every
    department (for the managers), whatever `size` asks."""
    return len(DEPARTMENTS) * (len(levels) - 1)


def company(size: int, levels: tuple[str, ...], domain: str, seed: int = 7) -> list[Employee]:
    """`size` employees over six departments; levels[0] is the most junior and most numerous.
    Each reports to someone one level up in the same department (the top level to nobody here)."""
    rng = random.Random(seed)
    # Pyramid: each level up has a third of the people below it.
    shares = [3 ** (len(levels) - 1 - i) for i in range(len(levels))]
    counts = [max(len(DEPARTMENTS), round(size * s / sum(shares))) for s in shares]
    counts[0] = size - sum(counts[1:])
    taken: set[str] = set()
    by_level: list[list[Employee]] = []
    for level_index in reversed(range(len(levels))):
        above = by_level[0] if by_level else []
        people = []
        for n in range(counts[level_index]):
            department = DEPARTMENTS[n % len(DEPARTMENTS)]
            bosses = [b for b in above if b.department == department]
            boss = rng.choice(bosses).email if bosses else ""
            zone, location, _ = rng.choices(SITES, weights=[w for *_, w in SITES])[0]
            name = _unique_name(rng, taken)
            email = _address(name, domain)
            people.append(
                Employee(email, name, department, levels[level_index], zone, boss, location)
            )
        by_level.insert(0, people)
    return [person for level in by_level for person in level]


def _unique_name(rng: random.Random, taken: set[str]) -> str:
    while True:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        if name not in taken:
            taken.add(name)
            return name


def _address(name: str, domain: str) -> str:
    """ "Chloé O'Brien" -> chloe.obrien@domain."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return plain.lower().replace(" ", ".").replace("'", "") + "@" + domain

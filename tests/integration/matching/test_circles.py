"""A band that meets in circles: matched into groups of four to six at the quarter's start, each
member told who the whole circle is, while another band of the same tenant meets in pairs."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from devtools.local_runtime.aws import Resources
from tandem.model.participant import Participant
from tandem.model.tenant import Tenant
from tandem.model.validation import parse
from tandem.store import matches, participants
from tests.integration.support import daily, deliver_mail, person, run_band_jobs, sent

START = "2027-01-11T08:00:00Z"  # 2027-Q1 starts Monday 11 January, 09:00 Paris
DEPARTMENTS = ("Engineering", "Sales", "Finance", "People", "Legal", "Marketing")


@pytest.fixture
def tenant(tenant: Tenant) -> Tenant:
    """The test tenant, with its directors in circles of five."""
    matching = {"formats": {"Director": {"format": "circles", "size": 5}}}
    return parse(Tenant, {**asdict(tenant), "matching": matching})


@pytest.fixture
def company(aws: Resources) -> list[Participant]:
    directors = [
        person(f"D{n:02}", DEPARTMENTS[n % len(DEPARTMENTS)], "Director") for n in range(11)
    ]
    managers = [person("Ada", "Engineering"), person("Bo", "Sales")]
    participants.create_many([*directors, *managers])
    return directors + managers


def test_directors_meet_in_circles_and_managers_in_pairs(
    aws: Resources, company: list[Participant]
) -> None:
    daily(START)
    run_band_jobs(aws)
    groups = list(matches.groups("2027-Q1"))
    circles = [g.members for g in groups if g.band == "Director"]
    assert sorted(len(c) for c in circles) == [5, 6]  # eleven directors, nobody left out
    assert [len(g.members) for g in groups if g.band == "Manager"] == [2]
    assert list(matches.unmatched("2027-Q1")) == []
    department = {p.id: p.department for p in company}
    for circle in circles:  # six departments: at most two of one in a circle
        assert all([department[m] for m in circle].count(d) <= 2 for d in DEPARTMENTS)
    # Each member's kickoff names the whole circle
    deliver_mail(aws)
    names = {p.id: p.name for p in company}
    by_address = {p.email: p.id for p in company}
    for email in (e for e in sent() if e.kind == "kickoff"):
        me = by_address[email.to[0]]
        circle = next((c for c in circles if me in c), None)
        if circle is None:
            continue
        assert all(names[m] in email.text for m in circle if m != me)

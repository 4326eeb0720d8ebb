"""Names listed in pages and emails read as a sentence lists them, whatever the group's size,
and are escaped in HTML like everything else a person typed."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tandem.model import guides
from tandem.model.participant import Participant, Source, Status
from tandem.model.purpose import PurposeProfile
from tandem.model.tenant import Tenant
from tandem.views import pages
from tandem.views.render import names_list


@dataclass(frozen=True)
class Named:
    known_as: str
    name: str


def listed(*names: str, attribute: str = "known_as") -> str:
    return names_list([Named(n, f"{n} Example") for n in names], attribute)


def test_names_read_as_a_sentence_lists_them() -> None:
    assert listed() == ""
    assert listed("Ada") == "Ada"
    assert listed("Ada", "Bo") == "Ada and Bo"
    assert listed("Ada", "Bo", "Cy", "Di", "Eve") == "Ada, Bo, Cy, Di and Eve"
    assert listed("Ada", "Bo", attribute="name") == "Ada Example and Bo Example"


def test_names_are_escaped_in_html(tenant: Tenant) -> None:
    html = guide_page(tenant, member("Ann"), [member("<b>Bea</b>"), member("Cid")])
    assert "focus: &lt;b&gt;Bea&lt;/b&gt; and Cid." in html and "<b>Bea" not in html


def member(name: str) -> Participant:
    return Participant(
        email=f"{name.strip('<>/b').lower()}@acme.example",
        name=f"{name} Example",
        preferred_name=name,
        department="Sales",
        level="Director",
        timezone="Europe/Paris",
        status=Status.ACTIVE,
        source=Source.ROSTER,
        purpose=PurposeProfile.parse("Society", "Karma", "Knowledge"),
    )


def guide_page(tenant: Tenant, reader: Participant, focus: list[Participant]) -> str:
    guide = guides.circle_guide(None, 1, reader, focus)
    return pages.page(
        "guide.html",
        tenant,
        title="Guide",
        participant=reader,
        partners=[],
        session=None,
        guide=guide,
        pledges=[],
    )


@pytest.mark.parametrize(
    ("reader", "focus", "says"),
    [
        ("Ann", [], "No single focus this time:</strong> take each question round the circle"),
        ("Ann", ["Ann"], "This session's focus: you.</strong>"),
        ("Ann", ["Bea"], "This session's focus: Bea.</strong> Bea brings a real challenge"),
        ("Ann", ["Ann", "Bea"], "This session's focus: Bea and you.</strong> Each of you brings"),
        ("Cid", ["Ann", "Bea"], "This session's focus: Ann and Bea.</strong> They each bring"),
    ],
)
def test_a_circles_guide_says_whose_turn_it_is(
    tenant: Tenant, reader: str, focus: list[str], says: str
) -> None:
    html = guide_page(tenant, member(reader), [member(n) for n in focus])
    assert says in html and "Take turns" not in html

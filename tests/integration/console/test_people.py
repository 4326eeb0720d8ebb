"""A program lead acts for one person from the console: each action is the person's own use case,
and each is in the audit trail (who, what, when, from which address), which a viewer cannot see."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from devtools.local_runtime.aws import Resources
from tandem.console import audit
from tandem.model.calendar import next_cycle
from tandem.model.clock import clock
from tandem.model.participant import Participant, Status
from tandem.model.tenant import Tenant
from tandem.store import participants
from tests.integration.console.support import CONSOLE, Browser, csrf, location
from tests.integration.support import person


def _find(lead: Browser, email: str) -> str:
    found = lead.post(f"{CONSOLE}/people", {"csrf": csrf(lead), "who": email})
    assert found["statusCode"] == 303
    return location(found)


def test_a_lead_finds_a_person_and_sees_their_group_never_their_answers(
    pair: list[Participant], lead: Browser
) -> None:
    flo, gus = pair
    page = lead.get(_find(lead, flo.email))
    assert page["statusCode"] == 200
    assert flo.email in page["body"] and gus.name in page["body"]
    for answer in ("Society", "Karma", "Human"):  # Flo's purpose answers
        assert answer not in page["body"]


def test_an_unknown_or_bad_address_is_said_in_words(pair: list[Participant], lead: Browser) -> None:
    token = csrf(lead)
    unknown = lead.post(f"{CONSOLE}/people", {"csrf": token, "who": "nobody@acme.example"})
    assert unknown["statusCode"] == 404 and "Nobody in the program" in unknown["body"]
    bad = lead.post(f"{CONSOLE}/people", {"csrf": token, "who": "not@an address"})
    assert bad["statusCode"] == 400 and "Enter an email address" in bad["body"]


def test_a_person_no_longer_there_is_a_page_of_no_menu_item(lead: Browser) -> None:
    """A message page is none of the menu's pages: it does not mark Overview as current."""
    gone = lead.get(f"{CONSOLE}/people/{'0' * 32}")
    assert gone["statusCode"] == 404 and "Nobody here" in gone["body"]
    assert "Overview" in gone["body"] and 'aria-current="' not in gone["body"]
    assert f'href="{CONSOLE}/people">Find someone' in gone["body"]


def test_a_persons_page_is_in_the_people_section_and_gives_the_name_they_go_by(
    pair: list[Participant], lead: Browser
) -> None:
    page = lead.get(_find(lead, pair[0].email))["body"]
    assert 'aria-current="true">People</a>' in page
    assert 'Flo Example</bdi> <span class="aka">(goes by <bdi>Flo</bdi>)' in page


def test_marking_someone_as_left_asks_first(pair: list[Participant], lead: Browser) -> None:
    """It tells their group at once and stops their mail: one tap must not do it."""
    person_page = _find(lead, pair[0].email)
    page = lead.get(person_page)["body"]
    assert f'action="{urlsplit(person_page).path}/leave"' not in page
    assert '?confirm=leave#leaving">Mark as left…</a>' in page
    asking = lead.get(f"{person_page}?confirm=leave")
    assert asking["statusCode"] == 200 and "Mark <bdi>Flo Example</bdi> as left?" in asking["body"]
    assert f'action="{urlsplit(person_page).path}/leave"' in asking["body"]
    stored = participants.get(pair[0].id)
    assert stored is not None and stored.status is Status.ACTIVE


def test_pausing_and_leaving_are_the_persons_own_use_cases_and_audited(
    pair: list[Participant], lead: Browser, viewer: Browser, tenant: Tenant
) -> None:
    flo = pair[0]
    person_page = _find(lead, flo.email)
    paused = lead.post(f"{person_page}/pause", {"csrf": csrf(lead)})
    assert paused["statusCode"] == 303 and location(paused).endswith("?done=pause")
    upcoming = next_cycle(tenant, clock.now()).id
    stored = participants.get(flo.id)
    assert stored is not None and upcoming in stored.paused_cycles
    lead.post(f"{person_page}/leave", {"csrf": csrf(lead)})
    stored = participants.get(flo.id)
    assert stored is not None and stored.status is Status.LEFT
    lines = audit.month(clock.now())
    assert [(line.action, line.about) for line in lines[:2]] == [
        ("marked as left", flo.email),
        ("paused next quarter for", flo.email),
    ]
    assert {line.source_ip for line in lines} == {"203.0.113.9"}
    page = lead.get(f"{CONSOLE}/audit")["body"]
    assert "marked as left" in page and "paused next quarter for" in page
    assert viewer.get(f"{CONSOLE}/audit")["statusCode"] == 403


def test_erasing_asks_first_and_the_audit_then_names_nobody(
    aws: Resources, pair: list[Participant], lead: Browser
) -> None:
    flo = pair[0]
    person_page = _find(lead, flo.email)
    lead.post(f"{person_page}/revoke", {"csrf": csrf(lead)})
    confirm = lead.get(f"{person_page}/erase")["body"]
    assert "cannot be undone" in confirm and "Deleted" in confirm
    erased = lead.post(f"{person_page}/erase", {"csrf": csrf(lead)})
    assert erased["statusCode"] == 200 and "is erased" in erased["body"]
    assert participants.get(flo.id) is None
    page = lead.get(f"{CONSOLE}/audit")["body"]
    assert flo.email not in page
    for action in ("revoked the links of", "erased the data of"):
        assert f"{action} <bdi>a person whose data was erased</bdi>" in page


def test_acting_for_someone_who_has_left_meanwhile_says_so_in_a_page(
    pair: list[Participant], lead: Browser
) -> None:
    flo = pair[0]
    person_page = _find(lead, flo.email)
    lead.post(f"{person_page}/leave", {"csrf": csrf(lead)})  # another lead's tab, say
    paused = lead.post(f"{person_page}/pause", {"csrf": csrf(lead)})
    assert paused["statusCode"] == 409
    assert "has left the program" in paused["body"]
    assert [line.action for line in audit.month(clock.now())][:1] == ["marked as left"]


def test_a_lead_finds_people_by_part_of_their_name(pair: list[Participant], lead: Browser) -> None:
    flo, gus = pair
    florence = replace(person("Florence", "Legal"), name="Florence Aubrée")
    robert = person("Robert", "Legal", preferred_name="Bob")
    participants.create_many([florence, robert])
    token = csrf(lead)

    def find(typed: str) -> dict[str, Any]:
        return lead.post(f"{CONSOLE}/people", {"csrf": token, "who": typed})

    one = find(" GUS ")  # whatever its case and spaces
    assert one["statusCode"] == 303 and location(one).endswith(f"/people/{gus.id}")
    by_preferred_name = find("bob")
    assert location(by_preferred_name).endswith(f"/people/{robert.id}")

    several = find("flo")
    assert several["statusCode"] == 200 and "2 people match" in several["body"]
    assert several["body"].index(flo.email) < several["body"].index(florence.email)  # by name
    assert f"/people/{flo.id}" in several["body"] and f"/people/{florence.id}" in several["body"]

    # whatever its accents, punctuation and word order, and by the address before its @
    for typed in ("aubree", "Aubrée, Florence", "florence.aubree", "florenceaubree"):
        assert location(find(typed)).endswith(f"/people/{florence.id}"), typed
    assert location(find("bob example")).endswith(f"/people/{robert.id}")
    nobody = find("Zebedee")
    assert nobody["statusCode"] == 404 and "Nobody in the program has this name" in nobody["body"]
    short = find("F")
    assert short["statusCode"] == 400 and "at least two letters" in short["body"]

"""Links end: a page renders only links of the same or a narrower purpose, none outliving the
link that opened it; and an operator can revoke every link a person holds."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urljoin

import pytest

from devtools.cli import main
from devtools.local_runtime.aws import Resources
from tandem.links.tokens import LIFETIME, Purpose
from tandem.links.urls import Links, link_tokens
from tandem.model.clock import clock
from tandem.model.participant import Participant
from tests.integration.support import (
    LINK_BASE,
    call_api,
    deliver_mail,
    kickoff,
    of_kind,
    sent,
)


def hrefs(page: str, base: str) -> dict[str, str]:
    """The page's links to other pages, by purpose, as absolute addresses."""
    found = re.findall(r'href="(\.\./[a-z]+/[^"]+)"', page)
    return {url.split("/")[1]: urljoin(base, url) for url in found}


def test_a_stale_preferences_link_renders_no_link_that_outlives_it(
    pair: list[Participant],
) -> None:
    # Flo's preferences link, from an email of more than a year ago: one day left
    now = clock.now()
    clock.set(now - LIFETIME[Purpose.PREFERENCES] + timedelta(days=1))
    preferences = Links(LINK_BASE, link_tokens()).url(Purpose.PREFERENCES, pair[0].id)
    clock.set(now)
    status, page = call_api("GET", preferences)
    assert status == 200
    links = hrefs(page, preferences)
    assert set(links) == {"profile", "leave"}  # as LEADS_TO allows, no further
    assert all(call_api("GET", link)[0] == 200 for link in links.values())
    clock.set(now + timedelta(days=1, minutes=1))  # the preferences link has expired
    for link in links.values():
        status, page = call_api("GET", link)
        assert status == 410 and "This link has expired" in page
        assert "account" not in page  # there are none: people act through their links


def test_the_schedule_page_links_only_to_moving_a_conversation_of_that_quarter(
    pair: list[Participant],
) -> None:
    schedule = kickoff("flo@acme.example").link("schedule")
    links = hrefs(call_api("GET", schedule)[1], schedule)
    assert set(links) <= {"reschedule"}


def test_revoking_a_persons_links_refuses_every_one_they_hold_and_mail_brings_new_ones(
    aws: Resources, pair: list[Participant], capsys: pytest.CaptureFixture[str]
) -> None:
    deliver_mail(aws)
    old = [kickoff("flo@acme.example").link(p) for p in ("schedule", "preferences")]
    assert all(call_api("GET", link)[0] == 200 for link in old)
    assert main(["revoke", "--table", aws.table, "--email", "Flo@acme.example"]) == 0
    assert "every link sent so far" in capsys.readouterr().out
    for link in old:
        status, page = call_api("GET", link)
        assert status == 410 and "This link has expired" in page
    assert call_api("POST", old[1], {"action": "leave"})[0] == 410  # and changes nothing
    # The refusal offers fresh links: they work
    assert call_api("POST", "/links", {"email": "flo@acme.example"})[0] == 200
    deliver_mail(aws)
    [fresh] = of_kind("links", "flo@acme.example")
    assert call_api("GET", fresh.link("preferences"))[0] == 200
    # Gus's links are his own, untouched
    assert call_api("GET", kickoff("gus@acme.example").link("schedule"))[0] == 200
    assert main(["revoke", "--table", aws.table, "--email", "nobody@acme.example"]) == 2
    assert len(sent()) > 0

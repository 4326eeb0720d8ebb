"""A pair's quarter on a phone-sized screen: pick a slot from the kickoff, answer "how did it
go?" (a bad answer, a good one, a double submit), then the end-of-quarter pulse (a bad answer, a
good one), with an accessibility check on each page."""

from __future__ import annotations

import csv
import time
import urllib.parse
import urllib.request
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.support import Served, no_serious_violations

ROSTER = (
    "email,name,department,level,timezone,manager_email\n"
    "lena@northwind.example,Lena Vogel,Sales,Manager,Europe/Berlin,\n"
    "omar@northwind.example,Omar Haddad,People,Manager,Europe/Berlin,\n"
)
ANSWERS = {
    "who1": "Society", "who2": "Society", "who3": "Individual",
    "why1": "Karma", "why2": "Karma", "why3": "Harmony",
    "how1": "Human", "how2": "Knowledge", "how3": "Knowledge",
}  # fmt: skip


def post_form(url: str, fields: dict[str, str]) -> None:
    data = urllib.parse.urlencode(fields).encode()
    with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=30) as response:
        assert response.status == 200


def sign_up(served: Served, roster: Path, text: str) -> None:
    """HR uploads the roster `text`; everyone invited signs up in the time zone it gives them."""
    rows = [line.split(",") for line in text.splitlines()[1:]]
    zones = {row[0]: row[4] for row in rows}
    roster.write_text(text)
    before = len(served.outbox())
    served.aws("s3", "cp", str(roster), f"s3://{served.bucket}/roster/{roster.name}")
    emails = served.wait_for_emails(before + len(rows))[before:]
    for invite in (e for e in emails if e["kind"] == "invite"):
        address = invite["to"][0]
        post_form(link(invite, "signup"), {"name": address.split("@")[0].title(),
                  "timezone": zones[address], "location": "", **ANSWERS})  # fmt: skip


def of_kind(emails: list[dict[str, Any]], kind: str, address: str) -> dict[str, Any]:
    return next(e for e in emails if e["kind"] == kind and e["to"] == [address])


def link(email: dict[str, Any], purpose: str) -> str:
    return next(url for url in email["links"] if f"/{purpose}/" in url)


def the_day_before(served: Served, email: dict[str, Any]) -> None:
    """Moves the clock to 23 hours before the conversation the email's calendar event starts
    (the first of a series), whichever time was picked or moved to."""
    [event] = icalendar.Calendar.from_ical(email["attachments"][0]["text"]).walk("VEVENT")
    at = (event["DTSTART"].dt - timedelta(hours=23)).astimezone(UTC).isoformat()
    assert served.post(f"/_local/clock?now={urllib.parse.quote(at)}")[0] == 200


def wait_for_kind(served: Served, kind: str, address: str) -> dict[str, Any]:
    """The first email of a kind to an address, once the mailer has sent it."""
    deadline = time.monotonic() + 60
    while (
        found := [e for e in served.outbox() if e["kind"] == kind and e["to"] == [address]]
    ) == []:
        if time.monotonic() > deadline:
            raise AssertionError(f"no {kind} email to {address}")
        time.sleep(0.2)
    return found[0]


@pytest.mark.e2e
def test_a_pair_picks_a_slot_answers_after_the_session_and_the_pulse_on_a_phone(
    served: Served, phone: Page, tmp_path: Path
) -> None:
    before = len(served.outbox())
    sign_up(served, tmp_path / "pair.csv", ROSTER)
    # The quarter starts (2027-Q1: Monday 11 January, 09:00 in Paris): matching, kickoffs
    assert served.post("/_local/clock?now=2027-01-11T09:05:00%2B01:00")[0] == 200
    served.post("/_local/schedules/matching")
    emails = served.wait_for_emails(before + 6, timeout_s=60)
    kickoff = of_kind(emails, "kickoff", "lena@northwind.example")

    phone.goto(link(kickoff, "schedule"))
    assert phone.get_by_role("heading", name="Pick a time together").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    no_serious_violations(phone)
    phone.locator('input[name="slot"]').first.check()
    phone.get_by_role("button", name="Send everyone the invitation").click()
    expect(phone.get_by_role("status")).to_be_visible()  # "Done: everyone ... gets the invitation"
    emails = served.wait_for_emails(before + 8)
    invitation = of_kind(emails, "invitation", "omar@northwind.example")
    assert "method=REQUEST" in invitation["attachments"][0]["content_type"].replace('"', "")

    # After the first session: "how did it go?"
    assert served.post("/_local/clock?now=2027-01-22T18:00:00%2B01:00")[0] == 200
    served.post("/_local/schedules/reminders")
    emails = served.wait_for_emails(before + 10, timeout_s=60)
    after = of_kind(emails, "after_session", "lena@northwind.example")
    phone.goto(link(after, "feedback"))
    no_serious_violations(phone)
    # The rating is for a conversation held: hidden until "Yes, we met" is ticked, by style alone
    assert not phone.get_by_label("4", exact=True).is_visible()
    phone.get_by_label("Yes, we met").check()
    assert phone.get_by_label("4", exact=True).is_visible()
    phone.get_by_role("button", name="Save my answers").click()  # no rating, no pledge
    expect(phone.get_by_role("alert")).to_be_visible()
    assert phone.evaluate("document.activeElement.name") == "helpfulness"  # focus on the first
    no_serious_violations(phone)
    # The same form open in a second tab: both are sent, one answer is recorded
    tabs = [phone, phone.context.new_page()]
    tabs[1].goto(link(after, "feedback"))
    for tab in tabs:
        tab.get_by_label("Yes, we met").check()
        tab.get_by_label("4", exact=True).check()
        tab.get_by_label("One action to complete before your next conversation").fill(
            "Ask two customers what they would change"
        )
    tabs[0].get_by_role("button", name="Save my answers").click()
    expect(tabs[0].get_by_text("your answers are recorded")).to_be_visible()
    tabs[1].get_by_role("button", name="Save my answers").click()
    expect(tabs[1].get_by_text("already recorded")).to_be_visible()

    # The quarter is over: a day after the last session, the pulse
    assert served.post("/_local/clock?now=2027-03-20T12:00:00%2B01:00")[0] == 200
    served.post("/_local/schedules/reminders")
    pulse = wait_for_kind(served, "pulse", "lena@northwind.example")
    phone.goto(link(pulse, "pulse"))
    assert phone.get_by_role("heading", name="Two questions about your quarter").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    no_serious_violations(phone)
    phone.get_by_label("Yes, I want to keep meeting").check()
    phone.get_by_role("button", name="Save my answers").click()  # no fulfilment
    expect(phone.get_by_role("alert")).to_be_visible()
    assert phone.evaluate("document.activeElement.name") == "fulfilment"
    no_serious_violations(phone)
    phone.get_by_label("4", exact=True).check()
    phone.get_by_label("A comment about the quarter").fill("Good questions, good partner")
    phone.get_by_role("button", name="Save my answers").click()
    expect(phone.get_by_text("your answers are recorded")).to_be_visible()
    assert phone.get_by_label("Yes, I want to keep meeting").is_checked()


CIRCLE = (
    "email,name,department,level,timezone,manager_email\n"
    "ines@northwind.example,Ines Roth,Sales,Team lead,Europe/Berlin,\n"
    "jon@northwind.example,Jon Park,People,Team lead,Europe/London,\n"
    "kofi@northwind.example,Kofi Mensah,Finance,Team lead,America/New_York,\n"
    "lia@northwind.example,Lia Costa,Legal,Team lead,Europe/Berlin,\n"
    "max@northwind.example,Max Weber,Marketing,Team lead,Europe/London,\n"
)
MEMBERS = [line.split(",")[0] for line in CIRCLE.splitlines()[1:]]


def all_of_kind(served: Served, kind: str, count: int) -> list[dict[str, Any]]:
    """The latest email of a kind to each member, once all of them are sent."""
    deadline = time.monotonic() + 60
    while True:
        latest = {e["to"][0]: e for e in served.outbox() if e["kind"] == kind}
        if all(m in latest for m in MEMBERS[:count]) or time.monotonic() > deadline:
            return [latest[m] for m in MEMBERS[:count]]
        time.sleep(0.2)


def focus_of(phone: Page, guide: str) -> str:
    phone.goto(guide)
    no_serious_violations(phone)
    return phone.locator("strong", has_text="This session's focus").inner_text()


@pytest.mark.e2e
def test_a_circle_of_five_runs_its_quarter_through_the_pages(
    served: Served, phone: Page, tmp_path: Path
) -> None:
    """The demo tenant's team leads meet in circles: five in three time zones, in 2027-Q2."""
    sign_up(served, tmp_path / "circle.csv", CIRCLE)
    # 2027-Q2 starts Monday 12 April, 09:00 in Paris
    assert served.post("/_local/clock?now=2027-04-12T09:05:00%2B02:00")[0] == 200
    served.post("/_local/schedules/matching")
    kickoffs = all_of_kind(served, "kickoff", 5)
    assert "Meet your peer coaching circle" in kickoffs[0]["subject"]

    # Kofi, in New York, picks the slot: it fits all five on every session's date
    phone.goto(link(kickoffs[2], "schedule"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    no_serious_violations(phone)
    phone.locator('input[name="slot"]').first.check()
    phone.get_by_role("button", name="Send everyone the invitation").click()
    expect(phone.get_by_role("status")).to_be_visible()
    invitations = all_of_kind(served, "invitation", 5)
    [event] = icalendar.Calendar.from_ical(invitations[0]["attachments"][0]["text"]).walk("VEVENT")
    assert sorted(str(a) for a in event["ATTENDEE"]) == sorted(f"mailto:{m}" for m in MEMBERS)

    # Lia moves the second conversation, for all five
    phone.goto(link(invitations[3], "reschedule") + "?session=2")
    no_serious_violations(phone)
    phone.locator('input[name="starts"]').first.check()
    phone.get_by_role("button", name="Move conversation 2").click()
    expect(phone.get_by_role("status")).to_be_visible()
    moved = all_of_kind(served, "session_moved", 5)
    assert len(moved) == 5

    # The day before each of the first two conversations: the guide names a different focus
    the_day_before(served, invitations[0])
    served.post("/_local/schedules/reminders")
    first = focus_of(phone, link(all_of_kind(served, "before_session", 5)[0], "guide"))
    the_day_before(served, moved[0])
    served.post("/_local/schedules/reminders")
    deadline = time.monotonic() + 60
    while all_of_kind(served, "before_session", 5)[0]["session"] != 2:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    second = focus_of(phone, link(all_of_kind(served, "before_session", 5)[0], "guide"))
    assert first.startswith("This session's focus") and first != second
    after = [e for e in served.outbox() if e["kind"] == "after_session" and e["to"] == [MEMBERS[0]]]
    phone.goto(link(after[0], "feedback"))
    phone.get_by_label("Yes, we met").check()
    phone.get_by_label("5", exact=True).check()
    phone.get_by_label("One action to complete before your next conversation").fill(
        "Ask my circle for one blind spot"
    )
    phone.get_by_role("button", name="Save my answers").click()
    expect(phone.get_by_text("your answers are recorded")).to_be_visible()

    # The quarter is over: the pulse asks whom to keep meeting
    assert served.post("/_local/clock?now=2027-06-20T12:00:00%2B02:00")[0] == 200
    served.post("/_local/schedules/reminders")
    pulse = wait_for_kind(served, "pulse", MEMBERS[0])
    phone.goto(link(pulse, "pulse"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    no_serious_violations(phone)
    phone.get_by_label("4", exact=True).check()
    phone.get_by_label("Jon").check()
    phone.get_by_label("Kofi").check()
    phone.get_by_role("button", name="Save my answers").click()
    expect(phone.get_by_text("your answers are recorded")).to_be_visible()
    assert phone.get_by_label("Jon").is_checked() and not phone.get_by_label("Max").is_checked()

    # HR's exports of the quarter: the circle is one group of five
    done = served.tandem("export", "--cycle", "2027-Q2")
    assert done.returncode == 0, done.stderr
    served.aws("s3", "cp", "--recursive", f"s3://{served.bucket}/exports/2027-Q2", str(tmp_path))
    groups = list(csv.DictReader((tmp_path / "groups.csv").open()))
    assert any(row["size"] == "5" for row in groups)
    # Figures by format: the circle that met formed a relationship for each two of its five
    summary = csv.DictReader((tmp_path / "summary.csv").open())
    figures = {(row["scope"], row["group"], row["metric"]): row["value"] for row in summary}
    assert figures["format", "circles", "relationships_formed"] == "10"
    assert figures["format", "circles", "participants"] == "5"

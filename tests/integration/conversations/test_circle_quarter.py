"""A circle's quarter under moto, through the pages and emails a pair uses: five directors in
three time zones pick one slot for all, get one invitation with all five as attendees, move a
session for all, take turns as the guides' focus, see each other's pledges, carry on while three
remain, and say in the pulse which of the others they want to keep meeting."""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import UTC, datetime

import icalendar
import pytest

from devtools.local_runtime.aws import Resources
from tandem.model import guides
from tandem.model.clock import clock
from tandem.model.participant import Participant, participant_id
from tandem.model.tenant import Tenant
from tandem.model.validation import parse
from tandem.store import matches, pulse_answers
from tests.integration.support import (
    call_api,
    deliver_mail,
    form_value,
    kicked_off,
    kickoff,
    of_kind,
    person,
    pick_first_slot,
    reminders,
    run_band_jobs,
)

ZONES = {
    "Ana": ("Engineering", "Europe/Paris"),
    "Ben": ("Sales", "Europe/Paris"),
    "Cho": ("Finance", "Europe/London"),
    "Dev": ("Legal", "Europe/London"),
    "Eli": ("People", "America/New_York"),
}
NAMES = list(ZONES)


def address(name: str) -> str:
    return f"{name.lower()}@acme.example"


def name_of(pid: str) -> str:
    return next(n for n in NAMES if participant_id(address(n)) == pid)


@pytest.fixture
def tenant(tenant: Tenant) -> Tenant:
    matching = {"formats": {"Director": {"format": "circles", "size": 5}}}
    return parse(Tenant, {**asdict(tenant), "matching": matching})


@pytest.fixture
def circle(aws: Resources) -> list[Participant]:
    """The five directors, matched into one circle as 2027-Q4 starts, their kickoffs sent."""
    return kicked_off(
        aws,
        [
            person(n, department, "Director", timezone=zone)
            for n, (department, zone) in ZONES.items()
        ],
    )


def picked(aws: Resources) -> None:
    """Eli, in New York, picks the first slot offered; everyone's invitation is delivered."""
    pick_first_slot(kickoff(address("Eli")).link("schedule"))
    deliver_mail(aws)


def stop(name: str) -> int:
    link = of_kind("invitation", address(name))[0].link("reschedule")
    _, page = call_api("GET", link + "?action=stop")  # stopping asks first
    status, _ = call_api("POST", link, {"action": "stop", "version": form_value(page, "version")})
    return status


def test_the_kickoff_names_the_whole_circle_and_how_it_works(circle: list[Participant]) -> None:
    [group] = matches.groups("2027-Q4")
    assert len(group.members) == 5
    email = kickoff(address("Ana"))
    assert "Meet your peer coaching circle: " in email.subject
    listed = re.search(r"matched with (\w+), (\w+), (\w+) and (\w+): together you form", email.text)
    assert listed and sorted(listed.groups()) == ["Ben", "Cho", "Dev", "Eli"]
    assert "one of you is the focus" in email.text and "trio" not in email.text


def test_one_slot_fits_all_five_on_every_date_and_one_invitation_names_them_all(
    aws: Resources, circle: list[Participant]
) -> None:
    # 09:00 and 10:00 in New York are 14:00-16:00 in London and 15:00-17:00 in Paris, on both
    # sides of the changes of clocks (31 October in Europe, 7 November in America)
    _, page = call_api("GET", kickoff(address("Eli")).link("schedule"))
    assert "Tuesdays at 09:00</strong>, from Tuesday 12 October 2027" in page
    assert "Tuesdays at 10:00</strong>" in page
    assert "Tuesdays at 08:00" not in page and "Tuesdays at 11:00" not in page
    _, page = call_api("GET", kickoff(address("Cho")).link("schedule"))
    assert "Tuesdays at 14:00</strong>" in page and "Tuesdays at 13:00" not in page
    status, _ = pick_first_slot(kickoff(address("Eli")).link("schedule"))
    assert status == 200
    deliver_mail(aws)
    invitations = of_kind("invitation")
    assert sorted(e.to[0] for e in invitations) == sorted(address(n) for n in NAMES)
    ana = next(e for e in invitations if e.to == [address("Ana")])
    assert "Eli picked a time" in ana.text and "Tuesday 12 October 2027, 15:00-16:00" in ana.text
    [event] = icalendar.Calendar.from_ical(ana.attachments[0].text).walk("VEVENT")
    assert sorted(str(a) for a in event["ATTENDEE"]) == sorted(
        f"mailto:{address(n)}" for n in NAMES
    )
    uids = {
        icalendar.Calendar.from_ical(e.attachments[0].text).walk("VEVENT")[0]["UID"]
        for e in invitations
    }
    assert len(uids) == 1  # one series, the same in every member's calendar


def test_moving_a_session_moves_it_for_all_five(aws: Resources, circle: list[Participant]) -> None:
    picked(aws)
    link = of_kind("invitation", address("Dev"))[0].link("reschedule")
    _, page = call_api("GET", link + "?session=2")
    form = {"session": "2", "version": form_value(page, "version")}
    status, page = call_api("POST", link, {**form, "starts": form_value(page, "starts")})
    assert status == 200 and "conversation 2 moved" in page
    deliver_mail(aws)
    moved = of_kind("session_moved")
    assert sorted(e.to[0] for e in moved) == sorted(address(n) for n in NAMES)
    [event] = icalendar.Calendar.from_ical(moved[0].attachments[0].text).walk("VEVENT")
    assert len(event["ATTENDEE"]) == 5


def test_the_guides_name_each_sessions_focus_in_turn_and_coach_by_their_drivers(
    aws: Resources, circle: list[Participant]
) -> None:
    [group] = matches.groups("2027-Q4")
    turns = guides.focus_order(group.members)
    picked(aws)
    for number, run in ((1, "2027-10-11T13:30:00Z"), (2, "2027-10-25T13:30:00Z")):
        reminders(run)
        clock.set(datetime.fromisoformat(run))
        deliver_mail(aws)
        [focus] = [name_of(pid) for pid in turns[number - 1]]
        other = next(n for n in NAMES if n != focus)
        email = of_kind("before_session", address(other))[-1]
        assert email.session == number
        assert f"This session's focus: {focus}. {focus} brings a real challenge" in email.text
        _, page = call_api("GET", email.link("guide"))
        assert f"This session's focus: {focus}." in page
        assert f"{focus} is " in page  # the angles draw on the focus's drivers
        assert "You are " in page  # and the pledge on the reader's own
        _, own = call_api("GET", of_kind("before_session", address(focus))[-1].link("guide"))
        assert "This session's focus: you." in own
    assert turns[0] != turns[1]


def test_every_members_pledge_comes_back_to_the_whole_circle(
    aws: Resources, circle: list[Participant]
) -> None:
    picked(aws)
    reminders("2027-10-12T14:05:00Z")  # after session 1
    deliver_mail(aws)
    clock.set(datetime(2027, 10, 12, 14, 30, tzinfo=UTC))
    for name in ("Ana", "Cho"):
        link = of_kind("after_session", address(name))[0].link("feedback")
        answer = {"held": "yes", "helpfulness": "5", "pledge": f"{name} delegates a report"}
        assert call_api("POST", link, {**answer, "version": "0"})[0] == 200
    reminders("2027-10-25T13:30:00Z")
    deliver_mail(aws)
    eli = of_kind("before_session", address("Eli"))[-1]
    assert 'Ana: "Ana delegates a report"' in eli.text
    assert 'Cho: "Cho delegates a report"' in eli.text
    ana = of_kind("before_session", address("Ana"))[-1]
    assert 'You: "Ana delegates a report"' in ana.text


def test_the_circle_carries_on_while_three_remain_then_the_last_two_may_be_rematched(
    aws: Resources, circle: list[Participant]
) -> None:
    picked(aws)
    clock.set(datetime(2027, 10, 20, tzinfo=UTC))  # after session 1
    assert stop("Ana") == 200 and stop("Ben") == 200
    deliver_mail(aws)
    told = of_kind("partner_left", address("Eli"))
    assert len(told) == 2 and re.search(
        "You carry on with (Cho and Dev|Dev and Cho)", told[-1].text
    )
    assert "METHOD:REQUEST" in told[-1].attachments[0].text  # the update without Ana and Ben
    assert reminders("2027-10-25T13:30:00Z")["queued"]["before_session"] == 3
    assert stop("Cho") == 200
    deliver_mail(aws)
    [last] = of_kind("partner_left", address("Eli"))[2:]
    assert "Only Dev and you remain in your circle" in last.text
    assert "METHOD:CANCEL" in last.attachments[0].text
    assert reminders("2027-11-08T13:30:00Z") == {}  # nothing more for a circle that stopped
    assert {participant_id(address(n)) for n in ("Dev", "Eli")} <= {
        pid for pid, _, _ in matches.unmatched("2027-Q4")
    }
    for name in ("Dev", "Eli"):
        link = of_kind("partner_left", address(name))[-1].link("rematch")
        status, page = call_api("GET", link)
        assert status == 200 and "Too few of your circle remain" in page
        assert call_api("POST", link, {"action": "rematch"})[0] == 200
    run_band_jobs(aws)
    deliver_mail(aws)
    assert sorted(e.to[0] for e in of_kind("rematched")) == [address("Dev"), address("Eli")]


def _pulse_links(aws: Resources) -> dict[str, str]:
    picked(aws)
    for at in ("2027-12-07T15:05:00Z", "2027-12-08T15:05:00Z"):
        reminders(at)
    clock.set(datetime.fromisoformat("2027-12-08T15:05:00+00:00"))
    deliver_mail(aws)
    return {n: of_kind("pulse", address(n))[0].link("pulse") for n in NAMES}


def test_the_pulse_asks_whom_to_keep_meeting_and_tells_each_two_who_ticked_each_other(
    aws: Resources, circle: list[Participant]
) -> None:
    links = _pulse_links(aws)
    assert "When two of you pick each other" in of_kind("pulse", address("Ana"))[0].text
    _, page = call_api("GET", links["Ana"])
    assert page.count('type="checkbox" name="keep_meeting"') == 4 and "Ben Example" in page
    ids = {n: participant_id(address(n)) for n in NAMES}

    def answer(name: str, *ticked: str) -> int:
        form = {"fulfilment": "4", "keep_meeting": [ids[t] for t in ticked], "version": "0"}
        return call_api("POST", links[name], form)[0]

    assert answer("Ana", "Ben", "Cho") == 200
    assert answer("Ben", "Ana") == 200
    assert answer("Cho", "Dev") == 200
    assert answer("Dev") == 200  # none ticked is an answer
    deliver_mail(aws)
    told = sorted(e.to[0] for e in of_kind("ongoing_match"))
    assert told == [address("Ana"), address("Ben")]  # the one two who ticked each other
    kept = {name_of(p.participant): p for p in pulse_answers.of_cycle("2027-Q4")}
    assert kept["Ana"].keep_meeting == tuple(sorted((ids["Ben"], ids["Cho"])))
    assert [kept[n].ongoing for n in ("Ana", "Ben", "Cho", "Dev")] == ["yes", "yes", "yes", "no"]
    # The page shows what was ticked
    _, page = call_api("GET", links["Ana"])
    assert f'value="{ids["Ben"]}" checked' in page and f'value="{ids["Dev"]}" checked' not in page


def test_ticking_someone_outside_the_circle_is_refused_and_stores_nothing(
    aws: Resources, circle: list[Participant]
) -> None:
    links = _pulse_links(aws)
    stranger = participant_id("zed@acme.example")
    form = {"fulfilment": "4", "keep_meeting": [stranger], "version": "0"}
    status, page = call_api("POST", links["Eli"], form)
    assert status == 400 and "Please tick only members of your circle." in page
    assert pulse_answers.of_cycle("2027-Q4") == []

"""The quarter's conversations under moto: a pair picks its slot from the kickoff's link, both
get a calendar invitation, sessions move and reminders go out by the hourly schedule; and what
happens when a partner stops."""

from __future__ import annotations

import re
from dataclasses import asdict, replace
from datetime import UTC, datetime
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from ical.calendar_stream import IcsCalendarStream

from devtools.local_runtime.aws import Resources
from tandem.model.answers import Feedback
from tandem.model.clock import clock
from tandem.model.participant import Details, Participant, participant_id
from tandem.model.plan import group_key
from tandem.model.validation import parse
from tests.integration.support import (
    after_session_link,
    call_api,
    daily,
    deliver_mail,
    form_value,
    kicked_off,
    kickoff,
    of_kind,
    person,
    pick_first_slot,
    reminders,
    run_band_jobs,
    sent,
)

PARIS, NEW_YORK = ZoneInfo("Europe/Paris"), ZoneInfo("America/New_York")


def test_the_schedule_page_offers_slots_that_fit_both_on_every_date_in_each_ones_time(
    pair: list[Participant],
) -> None:
    status, page = call_api("GET", kickoff("flo@acme.example").link("schedule"))
    assert status == 200 and "Pick a time together" in page
    assert "Gus Example" in page and "Boston" in page
    # Paris 15:00 is New York 09:00 all quarter: both sides change clocks between sessions
    assert "Tuesdays at 15:00</strong>, from Tuesday 12 October 2027" in page
    assert "Gus: Tuesday 09:00" in page
    assert "Tuesdays at 14:00" not in page  # 08:00 in New York
    status, page = call_api("GET", kickoff("gus@acme.example").link("schedule"))
    assert "Tuesdays at 09:00</strong>, from Tuesday 12 October 2027" in page  # in his own time


def test_the_schedule_page_shows_the_best_few_times_first_and_the_rest_one_step_away(
    pair: list[Participant],
) -> None:
    _, page = call_api("GET", kickoff("flo@acme.example").link("schedule"))
    shown, _, more = page.partition('<details class="more">')
    # Tuesday to Friday share the same two hours (Monday is within 24 hours): three days
    # spread over the week first, the other five times behind one tap, no script
    assert [form_value(shown, "slot", n) for n in range(3)] == [
        "2027-10-12T13:00:00+00:00",
        "2027-10-13T13:00:00+00:00",
        "2027-10-15T13:00:00+00:00",
    ]
    assert shown.count('name="slot"') == 3 and more.count('name="slot"') == 5
    assert "<summary>5 more times</summary>" in more and "<script" not in page


def test_no_slot_starting_within_24_hours_is_offered(pair: list[Participant]) -> None:
    # 09:05 in Paris on the kickoff Monday: Monday 15:00 is six hours away, too soon to plan
    clock.set(datetime(2027, 10, 11, 7, 5, tzinfo=UTC))
    _, page = call_api("GET", kickoff("flo@acme.example").link("schedule"))
    assert "Mondays at" not in page and "Tuesdays at 15:00" in page
    # 15:30 in Paris: Tuesday 15:00 is now within 24 hours, Tuesday 16:00 is not
    clock.set(datetime(2027, 10, 11, 13, 30, tzinfo=UTC))
    _, page = call_api("GET", kickoff("flo@acme.example").link("schedule"))
    assert "Tuesdays at 15:00" not in page and "Tuesdays at 16:00" in page


def test_a_stale_form_with_a_slot_now_within_24_hours_is_refused_and_changes_nothing(
    aws: Resources, pair: list[Participant]
) -> None:
    link = kickoff("flo@acme.example").link("schedule")
    _, page = call_api("GET", link)
    form = {"slot": "2027-10-12T13:00:00+00:00", "version": form_value(page, "version")}
    assert f'value="{form["slot"]}"' in page  # Tuesday 15:00 in Paris, offered at 12:00
    clock.set(datetime(2027, 10, 11, 13, 30, tzinfo=UTC))  # the page left open until 15:30
    status, page = call_api("POST", link, {**form, "track": "feedback"})
    assert status == 400 and "less than 24 hours away" in page
    assert 'name="slot"' in page  # the form again, with the times still open
    deliver_mail(aws)
    assert of_kind("invitation") == []
    assert "Pick a time together" in call_api("GET", link)[1]


def test_a_time_without_its_offset_is_refused_not_compared(
    aws: Resources, pair: list[Participant]
) -> None:
    link = kickoff("flo@acme.example").link("schedule")
    version = form_value(call_api("GET", link)[1], "version")
    naive = {"slot": "2027-10-12T13:00:00", "version": version, "track": "feedback"}
    status, page = call_api("POST", link, naive)
    assert status == 400 and "Please choose a time." in page
    pick_first_slot(link)
    deliver_mail(aws)
    link = of_kind("invitation", "flo@acme.example")[0].link("reschedule")
    _, page = call_api("GET", link + "?session=3")
    form = {"session": "3", "version": form_value(page, "version")}
    status, page = call_api("POST", link, {**form, "starts": "2027-11-10T15:00:00"})
    assert status == 400 and "Please choose a time." in page
    assert of_kind("session_moved") == []


def test_a_move_sent_without_its_conversation_says_which_to_choose(
    aws: Resources, pair: list[Participant]
) -> None:
    pick_first_slot(kickoff("flo@acme.example").link("schedule"))
    deliver_mail(aws)
    link = of_kind("invitation", "flo@acme.example")[0].link("reschedule")
    version = form_value(call_api("GET", link + "?session=3")[1], "version")
    for chosen in ({}, {"session": "9"}):  # none, or none of the quarter's
        status, page = call_api("POST", link, {"version": version, **chosen})
        assert status == 400 and 'role="alert"' in page
        assert "Choose the conversation to move." in page and "Please choose a time" not in page
    deliver_mail(aws)
    assert of_kind("session_moved") == []


def test_a_session_is_never_moved_to_within_24_hours(
    aws: Resources, pair: list[Participant]
) -> None:
    link = kickoff("flo@acme.example").link("schedule")
    version = form_value(call_api("GET", link)[1], "version")
    wednesdays = {"slot": "2027-10-13T13:00:00+00:00", "version": version, "track": "feedback"}
    assert call_api("POST", link, wednesdays)[0] == 200  # 15:00 in Paris
    deliver_mail(aws)
    link = of_kind("invitation", "flo@acme.example")[0].link("reschedule")
    # Tuesday 9 November, 15:30 in Paris: conversation 3 is tomorrow at 15:00
    clock.set(datetime(2027, 11, 9, 14, 30, tzinfo=UTC))
    _, page = call_api("GET", link + "?session=3")
    assert 'value="2027-11-09T15:00:00+00:00"' not in page  # today 16:00: too soon
    assert 'value="2027-11-10T15:00:00+00:00"' in page  # tomorrow 16:00: 24.5 hours ahead
    form = {"session": "3", "version": form_value(page, "version")}
    status, page = call_api("POST", link, {**form, "starts": "2027-11-09T15:00:00+00:00"})
    assert status == 400 and "less than 24 hours away" in page
    deliver_mail(aws)
    assert of_kind("session_moved") == []


def test_a_new_time_zone_from_the_preferences_shapes_the_slots_offered_from_then_on(
    pair: list[Participant],
) -> None:
    from tandem.links.tokens import Purpose
    from tandem.links.urls import link_tokens

    # Gus moves from Boston to Paris: Flo's working day is now all his too
    preferences = f"/preferences/{link_tokens().sign(Purpose.PREFERENCES, pair[1].id)}"
    move = {"action": "timezone", "shown_timezone": "America/New_York", "timezone": "Europe/Paris"}
    assert call_api("POST", preferences, move)[0] == 200
    status, page = call_api("GET", kickoff("gus@acme.example").link("schedule"))
    # Offered in his new time: 16:00 in Paris was "Tuesdays at 10:00" on his page before
    assert status == 200 and "Tuesdays at 16:00</strong>, from Tuesday 12 October 2027" in page


def test_picking_a_slot_sends_both_a_calendar_invitation_for_five_sessions(
    aws: Resources, pair: list[Participant]
) -> None:
    status, page = pick_first_slot(kickoff("flo@acme.example").link("schedule"), "feedback")
    assert status == 200 and "everyone in your group gets the calendar invitation" in page
    deliver_mail(aws)
    invitations = of_kind("invitation")
    assert sorted(e.to[0] for e in invitations) == ["flo@acme.example", "gus@acme.example"]
    gus = next(e for e in invitations if e.to == ["gus@acme.example"])
    assert "Flo picked a time for your conversations together." in gus.text  # not "with Flo"
    assert "Tuesday 12 October 2027, 09:00-10:00" in gus.text
    assert "Topic: Feedback." in gus.text  # the track the picker chose
    [part] = gus.attachments
    assert part.content_type.replace('"', "").startswith("text/calendar")
    assert "method=REQUEST" in part.content_type.replace('"', "")
    calendar = icalendar.Calendar.from_ical(part.text)
    assert calendar["METHOD"] == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert str(event["ORGANIZER"]) == "mailto:coaching@acme.example"
    assert sorted(str(a) for a in event["ATTENDEE"]) == [
        "mailto:flo@acme.example",
        "mailto:gus@acme.example",
    ]
    assert event["SEQUENCE"] == 0 and calendar.walk("VTIMEZONE")
    starts = [
        o["DTSTART"].dt
        for o in recurring_ical_events.of(calendar).between((2027, 1, 1), (2028, 1, 1))
    ]
    # Five, two weeks apart, at 15:00 in Paris across the change of clocks on 31 October
    assert [s.astimezone(PARIS).strftime("%d %b %H:%M") for s in starts] == [
        "12 Oct 15:00",
        "26 Oct 15:00",
        "09 Nov 15:00",
        "23 Nov 15:00",
        "07 Dec 15:00",
    ]
    assert {s.astimezone(NEW_YORK).strftime("%H:%M") for s in starts} == {"09:00"}
    # A strict parser reads it too
    assert len(IcsCalendarStream.calendar_from_ics(part.text).events) == 1


def test_partners_are_called_by_their_preferred_or_whole_name_in_subjects_and_calendars(
    aws: Resources,
) -> None:
    kicked_off(
        aws,
        [
            replace(person("Flo", "Engineering"), name="Lovelace, Ada", preferred_name="Ada"),
            replace(person("Gus", "Sales"), name="O'Connor, Marc", preferred_name=None),
        ],
    )
    assert kickoff("flo@acme.example").subject == "Meet your peer coaching partner: O'Connor, Marc"
    assert kickoff("gus@acme.example").subject == "Meet your peer coaching partner: Ada"
    assert kickoff("gus@acme.example").text.startswith("Hi O'Connor, Marc,\n")
    pick_first_slot(kickoff("flo@acme.example").link("schedule"))
    deliver_mail(aws)
    calendar = icalendar.Calendar.from_ical(of_kind("invitation")[0].attachments[0].text)
    assert str(calendar.walk("VEVENT")[0]["SUMMARY"]) == "Peer coaching: Ada & O'Connor, Marc"


def test_a_member_who_opens_the_page_after_the_pick_sees_the_slot_not_the_form(
    aws: Resources, pair: list[Participant]
) -> None:
    gus_link = kickoff("gus@acme.example").link("schedule")
    _, stale = call_api("GET", gus_link)
    pick_first_slot(kickoff("flo@acme.example").link("schedule"))
    # Gus submits the page he opened before Flo picked: nothing is overwritten
    form = {
        "slot": form_value(stale, "slot"),
        "version": form_value(stale, "version"),
        "track": "feedback",
    }
    status, page = call_api("POST", gus_link, form)
    assert status == 409 and "changed the plan meanwhile" in page
    assert "Flo picked this time" in page
    deliver_mail(aws)
    assert len(of_kind("invitation")) == 2  # only Flo's pick


def test_an_empty_post_changes_nothing(aws: Resources, pair: list[Participant]) -> None:
    link = kickoff("flo@acme.example").link("schedule")
    status, page = call_api("POST", link, {})
    assert status == 400 and 'aria-invalid="true"' in page
    deliver_mail(aws)
    assert of_kind("invitation") == []


def test_a_stale_form_with_a_track_that_is_gone_gets_the_form_back_with_its_error(
    aws: Resources, pair: list[Participant]
) -> None:
    link = kickoff("flo@acme.example").link("schedule")
    _, page = call_api("GET", link)
    quarters_topic = re.search(r'<option value="[^"]+" selected>', page)
    assert quarters_topic is not None
    form = {
        "slot": form_value(page, "slot"),
        "version": form_value(page, "version"),
        "track": "a-track-since-removed",
    }
    status, page = call_api("POST", link, form)
    assert status == 400 and 'id="track-error"' in page and "Please choose a topic" in page
    assert 'aria-describedby="track-hint track-error"' in page
    assert f'value="{form["slot"]}" checked' in page  # the time chosen is kept
    assert quarters_topic.group() in page  # and the topic shown is the quarter's, not the first
    deliver_mail(aws)
    assert of_kind("invitation") == []


def test_a_form_sent_back_for_its_time_keeps_the_topic_chosen(pair: list[Participant]) -> None:
    link = kickoff("flo@acme.example").link("schedule")
    _, page = call_api("GET", link)
    form = {"version": form_value(page, "version"), "track": "feedback"}
    status, page = call_api("POST", link, form)
    assert status == 400 and "Please choose a time" in page
    assert '<option value="feedback" selected>' in page


def test_fresh_links_bring_back_the_quarter_someone_is_in(
    aws: Resources, pair: list[Participant]
) -> None:
    # Gus lost his kickoff: fresh links let him pick the time
    assert call_api("POST", "/links", {"email": "gus@acme.example"})[0] == 200
    deliver_mail(aws)
    [before] = of_kind("links", "gus@acme.example")
    assert "Pick a time together" in before.text
    assert "Pick a time together" in call_api("GET", before.link("schedule"))[1]
    pick_first_slot(before.link("schedule"))
    deliver_mail(aws)
    # After the first conversation, a day later: the plan, the next guide, how the first went
    clock.set(datetime(2027, 10, 13, 9, tzinfo=UTC))
    call_api("POST", "/links", {"email": "gus@acme.example"})
    deliver_mail(aws)
    [after] = of_kind("links", "gus@acme.example")[1:]
    assert "Guide for conversation 2 (Tuesday 26 October 2027)" in after.text
    assert "How did conversation 1 go?" in after.text
    for purpose, shows in [
        ("schedule", "Your conversations"),
        ("guide", "conversation 2 of 5"),
        ("feedback", "Did your conversation take place?"),
    ]:
        status, page = call_api("GET", after.link(purpose))
        assert status == 200 and shows in page, purpose
    assert not any("/pulse/" in link for link in after.links)  # not open before the last


def test_after_the_last_conversation_nothing_promises_a_next_one(
    aws: Resources, pair: list[Participant]
) -> None:
    pick_first_slot(kickoff("flo@acme.example").link("schedule"))
    deliver_mail(aws)
    clock.set(datetime(2027, 12, 7, 15, 5, tzinfo=UTC))  # session 5 has just ended
    reminders("2027-12-07T15:05:00Z")
    deliver_mail(aws)
    [last] = [e for e in of_kind("after_session", "gus@acme.example") if e.session == 5]
    assert "next conversation" not in last.text + last.html
    assert last.subject == "Your last conversation with Flo: how did it go?"  # not one of 5 alike
    _, page = call_api("GET", last.link("feedback"))
    assert "next time" not in page and "next conversation" not in page
    answers = {"held": "yes", "helpfulness": "4", "version": form_value(page, "version")}
    status, page = call_api("POST", last.link("feedback"), answers)
    assert status == 200 and "answers are recorded" in page and "next conversation" not in page


def test_moving_one_session_updates_that_occurrence_only(
    aws: Resources, pair: list[Participant]
) -> None:
    pick_first_slot(kickoff("flo@acme.example").link("schedule"))
    deliver_mail(aws)
    invitation = of_kind("invitation", "flo@acme.example")[0]
    link = invitation.link("reschedule")
    status, page = call_api("GET", link + "?session=3")
    assert status == 200 and "Conversation 3" in page
    form = {
        "session": "3",
        "version": form_value(page, "version"),
        "starts": "2027-11-09T15:00:00+00:00",  # an hour later that day
    }
    status, page = call_api("POST", link, form)
    assert status == 200 and "conversation 3 moved" in page
    deliver_mail(aws)
    [update] = of_kind("session_moved", "gus@acme.example")
    assert update.session == 3
    calendar = icalendar.Calendar.from_ical(update.attachments[0].text)
    [event] = calendar.walk("VEVENT")
    original = icalendar.Calendar.from_ical(
        of_kind("invitation", "gus@acme.example")[0].attachments[0].text
    )
    assert event["UID"] == original.walk("VEVENT")[0]["UID"]
    assert event["SEQUENCE"] > original.walk("VEVENT")[0]["SEQUENCE"]
    assert event["RECURRENCE-ID"].dt.astimezone(PARIS).strftime("%d %b %H:%M") == "09 Nov 15:00"
    assert event["DTSTART"].dt.astimezone(PARIS).strftime("%d %b %H:%M") == "09 Nov 16:00"


def test_reminders_go_out_once_the_day_before_and_after_however_often_the_schedule_runs(
    aws: Resources, pair: list[Participant]
) -> None:
    pick_first_slot(kickoff("flo@acme.example").link("schedule"))
    deliver_mail(aws)
    assert reminders("2027-10-11T10:00:00Z") == {}  # nothing due yet
    # The day before the first session (Tuesday 12 Oct 13:00 UTC): twice, as a duplicate delivery
    report = reminders("2027-10-11T13:30:00Z")
    assert report["queued"] == {"before_session": 2}
    assert reminders("2027-10-11T13:30:00Z") == {}
    deliver_mail(aws)
    [before] = of_kind("before_session", "gus@acme.example")
    assert before.session == 1 and "Tuesday 12 October 2027 at 09:00" in before.text
    assert "Getting to know each other" in before.text and "-driven:" in before.text
    assert any("/guide/" in link for link in before.links)
    assert before.reply_to == ["flo@acme.example"]  # "running late" reaches the partner
    # After the session: how did it go
    assert reminders("2027-10-12T14:05:00Z")["queued"] == {"after_session": 2}
    deliver_mail(aws)
    assert len(of_kind("after_session")) == 2
    # How it went is the person's own view: a reply reaches the program leads, not the partner.
    [after] = of_kind("after_session", "gus@acme.example")
    assert after.reply_to == ["hana@acme.example"]
    assert after.subject == "Conversation 1 with Flo: how did it go?"
    assert "reach HR only in figures about at least 5 people" in after.text
    assert "a reply to this email reaches Hana Ruiz, with your name" in after.text
    # A late run, after session 2 began, never sends its day-before reminder, only the after
    report = reminders("2027-10-26T15:00:00Z")
    assert report["queued"] == {"after_session": 2}


def test_the_guide_page_is_personalised_by_the_partners_drivers(
    aws: Resources, pair: list[Participant]
) -> None:
    pick_first_slot(kickoff("flo@acme.example").link("schedule"))
    reminders("2027-10-11T13:30:00Z")
    deliver_mail(aws)
    before = of_kind("before_session", "flo@acme.example")[0]
    status, page = call_api("GET", before.link("guide"))
    assert status == 200 and "Getting to know each other" in page
    assert page.count("Gus is ") >= 3 and "Tip:" in page


def test_a_group_without_a_slot_is_nudged_once(aws: Resources, pair: list[Participant]) -> None:
    assert reminders("2027-10-15T10:00:00Z") == {}
    assert reminders("2027-10-16T08:00:00Z")["queued"] == {"slot_nudge": 2}
    assert reminders("2027-10-17T08:00:00Z") == {}
    deliver_mail(aws)
    assert len(of_kind("slot_nudge")) == 2
    [to_flo] = of_kind("slot_nudge", "flo@acme.example")
    # A pair is not told about "your group"
    assert "You and Gus have not picked a time for your conversations yet." in to_flo.text


def test_a_partner_who_stops_cancels_the_rest_and_the_other_gets_priority(
    aws: Resources, pair: list[Participant]
) -> None:
    from tandem.store import matches

    pick_first_slot(kickoff("flo@acme.example").link("schedule"))
    deliver_mail(aws)
    clock.set(datetime(2027, 10, 20, tzinfo=UTC))  # after session 1
    link = of_kind("invitation", "gus@acme.example")[0].link("reschedule")
    _, page = call_api("GET", link)
    assert 'value="stop"' not in page  # one tap does not stop: it asks first
    status, page = call_api("GET", link + "?action=stop")
    assert status == 200 and "Stop your conversations this quarter?" in page
    assert "Conversations 2 to 5 with Flo are cancelled" in page
    assert of_kind("cancellation") == []
    status, page = call_api(
        "POST", link, {"action": "stop", "version": form_value(page, "version")}
    )
    assert status == 200 and "cancelled" in page
    deliver_mail(aws)
    [cancel] = of_kind("cancellation", "gus@acme.example")
    assert "method=CANCEL" in cancel.attachments[0].content_type.replace('"', "")
    assert cancel.reply_to == ["hana@acme.example"]  # not Flo, whom Gus just stopped meeting
    [told] = of_kind("partner_left", "flo@acme.example")
    assert "priority next quarter" in told.text
    calendar = icalendar.Calendar.from_ical(told.attachments[0].text)
    assert calendar["METHOD"] == "CANCEL"
    assert len(calendar.walk("VEVENT")) == 4  # sessions 2-5
    flo = participant_id("flo@acme.example")
    assert flo in {pid for pid, _, _ in matches.unmatched("2027-Q4")}
    assert reminders("2027-10-25T13:30:00Z") == {}  # no reminders for a dissolved pair


def test_hr_preview_of_the_next_quarter_lists_groups_that_never_picked_a_slot(
    aws: Resources, pair: list[Participant]
) -> None:
    import csv
    import io

    import boto3

    daily("2028-01-03T09:00:00Z")  # a week before 2028-Q1: its notice and preview
    body = boto3.client("s3").get_object(Bucket=aws.bucket, Key="matching/preview-2028-Q1.csv")
    rows = list(csv.DictReader(io.StringIO(body["Body"].read().decode("utf-8-sig"))))
    assert {r["name"]: r["last_quarter"] for r in rows} == {
        "Flo Example": "group never picked a slot",
        "Gus Example": "group never picked a slot",
    }


def test_erasing_a_partner_left_alone_keeps_their_priority_under_the_alias(
    aws: Resources, pair: list[Participant]
) -> None:
    import json

    import boto3

    from devtools.cli import main
    from tandem.people import selfservice
    from tandem.store import matches, settings

    gus = participant_id("gus@acme.example")
    selfservice.leave(gus, settings.tenant(), clock.now())
    assert main(["erase", "--table", aws.table, "--email", "flo@acme.example"]) == 0
    flo = participant_id("flo@acme.example")
    everything = json.dumps(boto3.client("dynamodb").scan(TableName=aws.table)["Items"])
    assert everything.count(flo) == 1  # only the erasure marker
    [alias] = [pid for pid, _, _ in matches.unmatched("2027-Q4")]
    assert alias.startswith("erased-")


def test_two_people_whose_partners_left_are_paired_for_the_rest_of_the_quarter(
    aws: Resources,
) -> None:
    from tandem.people import selfservice
    from tandem.store import settings

    people = [
        person("Ada", "Engineering"),
        person("Bo", "Sales"),
        person("Cy", "Finance"),
        person("Di", "People"),
    ]
    kicked_off(aws, people)
    groups = [e for e in sent() if e.kind == "kickoff"]
    pairs = {e.to[0]: e.text for e in groups}
    # One member of each pair leaves after the first week; their partners are left alone
    clock.set(datetime(2027, 10, 19, 9, tzinfo=UTC))
    leavers = ["ada@acme.example"]
    partner_of_ada = next(
        a for a, text in pairs.items() if a != "ada@acme.example" and "Ada" in text
    )
    others = [a for a in pairs if a not in ("ada@acme.example", partner_of_ada)]
    leavers.append(others[0])
    for address in leavers:
        selfservice.leave(participant_id(address), settings.tenant(), clock.now())
    deliver_mail(aws)
    alone = of_kind("partner_left")
    assert sorted(e.to[0] for e in alone) == sorted([partner_of_ada, others[1]])
    for email in alone:
        status, page = call_api("GET", email.link("rematch"))
        assert status == 200 and "Find me a new partner" in page
        # A form sent without the button's answer says what to press, and asks for nothing
        status, page = call_api("POST", email.link("rematch"), {})
        assert status == 400 and "press “Find me a new partner”" in page
        assert "Please choose" not in page  # there is only one button to choose
        status, page = call_api("POST", email.link("rematch"), {"action": "rematch"})
        assert status == 200 and "We are looking for a new partner" in page
    run_band_jobs(aws)
    deliver_mail(aws)
    rematched = of_kind("rematched")
    assert sorted(e.to[0] for e in rematched) == sorted([partner_of_ada, others[1]])
    assert "4 conversations left" in rematched[0].text  # sessions 2-5
    assert "from the week of Monday 25 October 2027" in rematched[0].text
    status, page = call_api("GET", rematched[0].link("schedule"))
    assert status == 200 and "Pick a time together" in page
    assert "Mondays at" in page and "from Monday 25 October 2027" in page


def test_the_rematch_link_of_someone_whose_group_is_on_says_where_to_go(
    aws: Resources, pair: list[Participant]
) -> None:
    from tandem.links.tokens import Purpose
    from tandem.links.urls import link_tokens

    token = link_tokens().sign(Purpose.REMATCH, pair[0].id, "2027-Q4")
    for method in ("GET", "POST"):
        status, page = call_api(method, f"/rematch/{token}", {"action": "rematch"})
        assert status == 200 and "Your group is still on" in page
        # No time is picked yet, so there is no invitation email to point to
        assert "invitation email" not in page and "latest email about your conversations" in page


def test_after_a_session_bad_answers_get_the_form_back_and_nothing_is_stored(
    aws: Resources, pair: list[Participant]
) -> None:
    from tandem.store import feedback_answers

    link = after_session_link(aws, "flo@acme.example")
    status, page = call_api("GET", link)
    assert status == 200 and "How did it go?" in page and "Did you complete it?" not in page
    assert call_api("POST", link, {})[0] == 400  # a scanner's empty POST
    status, page = call_api(
        "POST", link, {"held": "yes", "helpfulness": "9", "pledge": "x" * 5000, "theme": "Evil"}
    )
    assert status == 400
    assert page.index("rate how helpful") < page.index("one action") < page.index("themes listed")
    assert 'aria-invalid="true"' in page and "autofocus" in page
    assert "x" * 281 not in page  # oversized input is not echoed back whole
    status, _ = call_api("POST", link, {"held": "yes", "note": "n" * 1_000_000})
    assert status == 413
    assert feedback_answers.of_group("2027-Q4", participant_id("flo@acme.example")) == []


def test_a_pledge_is_recorded_once_and_the_partner_sees_it_before_the_next_session(
    aws: Resources, pair: list[Participant]
) -> None:
    link = after_session_link(aws, "flo@acme.example")
    answer = {
        "held": "yes",
        "helpfulness": "4",
        "pledge": "Delegate the weekly report to <b>Sam</b>",
        "theme": "Delegation",
        "version": "0",
    }
    status, page = call_api("POST", link, answer)
    assert status == 200 and "your answers are recorded" in page
    status, page = call_api("POST", link, answer)  # a double tap: the same version again
    assert status == 409 and "already recorded" in page
    assert "Delegate the weekly report to &lt;b&gt;Sam&lt;/b&gt;" in page
    reminders("2027-10-25T13:30:00Z")  # the day before session 2
    deliver_mail(aws)
    [gus] = of_kind("before_session", "gus@acme.example")[-1:]
    assert gus.session == 2 and 'Flo: "Delegate the weekly report to <b>Sam</b>"' in gus.text
    assert "Flo: “Delegate the weekly report to &lt;b&gt;Sam&lt;/b&gt;”" in gus.html
    status, guide = call_api("GET", gus.link("guide"))
    assert "check in on your pledges" in guide and "Delegate the weekly report" in guide
    # From session 2, Flo's form asks about that pledge
    flo = of_kind("before_session", "flo@acme.example")[-1]
    assert "You: " in flo.text


def test_a_tab_that_loses_a_race_is_shown_the_answer_that_won(
    aws: Resources, pair: list[Participant]
) -> None:
    """Two tabs sent at once, each read the form empty: the one whose write comes second is
    told its answer was already recorded, and shown that answer, not the empty form it read."""
    from tandem.store import feedback_answers

    link = after_session_link(aws, "flo@acme.example")
    first_tab = {"held": "yes", "helpfulness": 5, "pledge": "Ask my team for feedback"}
    save = feedback_answers.save

    def first_tab_writes_meanwhile(*args: Any) -> Feedback:
        cycle, group, session, pid, answers, seen, now = args
        save(cycle, group, session, pid, {**answers, **first_tab}, seen, now)
        return save(*args)

    second_tab = {"held": "yes", "helpfulness": "2", "pledge": "Block two mornings"}
    with mock.patch.object(feedback_answers, "save", first_tab_writes_meanwhile):
        status, page = call_api("POST", link, {**second_tab, "version": "0"})
    assert status == 409 and "already recorded" in page
    assert "Ask my team for feedback" in page and form_value(page, "version") == "1"


def test_no_check_in_is_asked_of_someone_who_made_no_pledge(
    aws: Resources, pair: list[Participant]
) -> None:
    from tandem.store import feedback_answers

    first = after_session_link(aws, "flo@acme.example")
    assert call_api("POST", first, {"held": "no", "version": "0"})[0] == 200  # so no pledge
    reminders("2027-10-26T14:05:00Z")  # after session 2
    deliver_mail(aws)
    clock.set(datetime(2027, 10, 26, 14, 30, tzinfo=UTC))
    second = of_kind("after_session", "flo@acme.example")[-1].link("feedback")
    status, page = call_api("GET", second)
    assert status == 200 and "Did you complete it?" not in page
    answer = {"held": "yes", "helpfulness": "4", "pledge": "Ask for feedback", "version": "0"}
    unasked = {"checkin": "done", "impact": "yes", "note": "Went well"}  # a forged form's
    status, _ = call_api("POST", second, answer | unasked)
    assert status == 200
    [recorded] = [
        f
        for f in feedback_answers.of_group("2027-Q4", group_key([p.id for p in pair]))
        if f.session == 2
    ]
    # Nothing to check in on: the check-in and its note are not stored.
    assert (recorded.checkin, recorded.impact, recorded.note) == (None, None, "")


def test_a_group_that_did_not_meet_twice_in_a_row_is_asked_once_how_to_go_on(
    aws: Resources, pair: list[Participant]
) -> None:
    pick_first_slot(kickoff("flo@acme.example").link("schedule"))
    for at in ("2027-10-12T14:05:00Z", "2027-10-26T14:05:00Z", "2027-10-28T15:00:00Z"):
        reminders(at)
    deliver_mail(aws)
    assert sorted(e.to[0] for e in of_kind("not_meeting")) == [
        "flo@acme.example",
        "gus@acme.example",
    ]
    reminders("2027-11-11T15:00:00Z")  # after session 3: not again
    deliver_mail(aws)
    assert len(of_kind("not_meeting")) == 2


def test_the_feedback_link_works_for_the_tenants_days_after_the_session(
    aws: Resources, pair: list[Participant]
) -> None:
    link = after_session_link(aws, "flo@acme.example")  # sent as session 1 ended, 12 October
    clock.set(datetime(2027, 11, 10, 9, tzinfo=UTC))  # 29 days on (the default is 30)
    assert call_api("GET", link)[0] == 200
    clock.set(datetime(2027, 11, 12, 12, tzinfo=UTC))
    status, page = call_api("GET", link)
    assert status == 410 and "This link has expired" in page


# Stored XSS, a spreadsheet formula and a right-to-left override in everything a person writes
# that others see: their name, department, office, pledge and note.
XSS = '<script>alert(1)</script><img src=x onerror="alert(2)">'
FORMULA = '=HYPERLINK("https://evil.example","Open")'
RLO = "\u202e"


def test_hostile_names_pledges_and_notes_come_out_inert_in_pages_and_emails(
    aws: Resources,
) -> None:
    """HTML gets them escaped, the text part and every page get them without bidi controls
    (so "Flo\u202e ..." cannot reverse the sentence it is quoted in), formulas stay text."""
    flo = parse(
        Details,
        {
            "email": "flo@acme.example",
            "name": f"Flo{RLO} {XSS}",
            "department": f"{FORMULA}{RLO}",
            "level": "Manager",
            "timezone": "Europe/Paris",
            "location": f"{RLO}Lyon{XSS}",
        },
    )
    kicked_off(
        aws,
        [
            replace(person("Flo", "Engineering"), **asdict(flo)),
            person("Gus", "Sales", timezone="America/New_York"),
        ],
    )
    link = after_session_link(aws, "flo@acme.example")
    hostile = f"{RLO}{XSS} {FORMULA}"
    answer = {"held": "yes", "helpfulness": "4", "pledge": hostile, "note": hostile}
    status, page = call_api("POST", link, {**answer, "version": "0"})
    assert status == 200
    reminders("2027-10-25T13:30:00Z")  # the day before session 2: Flo's pledge goes to Gus
    deliver_mail(aws)
    to_gus = [e for e in sent() if e.to == ["gus@acme.example"]]
    assert {"kickoff", "before_session"} <= {e.kind for e in to_gus}
    schedule = call_api("GET", kickoff("gus@acme.example").link("schedule"))[1]
    guide = of_kind("before_session", "gus@acme.example")[-1].link("guide")
    shown = [schedule, page, call_api("GET", guide)[1], kickoff("gus@acme.example").html]
    for html in [*shown, *(e.html for e in to_gus)]:
        assert "<script>" not in html and "<img" not in html and RLO not in html
    for html in shown:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    for text in (e.text for e in to_gus):
        assert RLO not in text
    kickoff_text = kickoff("gus@acme.example").text
    assert f"Flo {XSS}" in kickoff_text and FORMULA in kickoff_text  # as typed, minus the control


def test_a_number_that_only_looks_like_one_gets_a_page_not_a_server_error(
    aws: Resources, pair: list[Participant]
) -> None:
    # "²" is a digit to str.isdigit() and not a number to int()
    pick_first_slot(kickoff("flo@acme.example").link("schedule"))
    deliver_mail(aws)
    reschedule = of_kind("invitation", "flo@acme.example")[0].link("reschedule")
    assert call_api("GET", reschedule + "?session=²")[0] == 200
    assert call_api("POST", reschedule, {"session": "²", "version": "²"})[0] == 400
    feedback = after_session_link(aws, "flo@acme.example")
    answer = {"held": "no", "version": "²"}
    assert call_api("POST", feedback, answer)[0] in (400, 409)


def test_answers_that_do_not_apply_after_an_earlier_one_are_not_stored(
    aws: Resources, pair: list[Participant]
) -> None:
    """A rating ticked before "not held" was chosen, an impact ticked before "not done": on a
    phone a ticked radio cannot be cleared, so the server drops what does not apply."""
    from tandem.store import feedback_answers

    group = group_key([p.id for p in pair])
    first = after_session_link(aws, "flo@acme.example")
    call_api("POST", first, {"held": "no", "helpfulness": "1", "version": "0"})
    [recorded] = feedback_answers.of_group("2027-Q4", group)
    assert (recorded.held, recorded.helpfulness) == ("no", None)
    pledge = {"held": "yes", "helpfulness": "4", "pledge": "Ask for feedback", "version": "1"}
    assert call_api("POST", first, pledge)[0] == 200
    reminders("2027-10-26T14:05:00Z")  # after session 2: the check-in on that pledge
    deliver_mail(aws)
    clock.set(datetime(2027, 10, 26, 14, 30, tzinfo=UTC))
    second = of_kind("after_session", "flo@acme.example")[-1].link("feedback")
    answer = {"held": "yes", "helpfulness": "3", "checkin": "not_done", "impact": "yes"}
    assert call_api("POST", second, {**answer, "pledge": "Try again", "version": "0"})[0] == 200
    [recorded] = [f for f in feedback_answers.of_group("2027-Q4", group) if f.session == 2]
    assert (recorded.checkin, recorded.impact) == ("not_done", None)
    not_held = {"held": "no", "helpfulness": "3", "checkin": "done", "impact": "yes"}
    assert call_api("POST", second, {**not_held, "note": "Went well", "version": "1"})[0] == 200
    [recorded] = [f for f in feedback_answers.of_group("2027-Q4", group) if f.session == 2]
    assert (recorded.helpfulness, recorded.checkin, recorded.impact, recorded.note) == (
        None,
        None,
        None,
        "",
    )

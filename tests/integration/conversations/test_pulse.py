"""The end-of-quarter pulse under moto: sent by the hourly schedule a day after a group's last
session, one reminder a week later to whoever has not answered, the page's rules, and the
mutual "let's keep meeting" notice, exactly once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any
from unittest import mock

import pytest

from devtools.local_runtime.aws import Resources
from tandem.conversations.quarter import quarter_of
from tandem.model.answers import Pulse
from tandem.model.clock import clock
from tandem.model.participant import Participant, participant_id
from tandem.store import participants, pulse_answers
from tests.integration.support import (
    call_api,
    daily,
    deliver_mail,
    form_value,
    kickoff,
    of_kind,
    person,
    pick_first_slot,
    reminders,
    run_band_jobs,
)

# The pair's sessions are on Tuesdays at 14:00 UTC; the fifth ends on 7 December at 15:00.
AFTER_LAST = "2027-12-07T15:05:00Z"
PULSE_DUE = "2027-12-08T15:05:00Z"  # a day later
REMINDER_DUE = "2027-12-15T15:05:00Z"  # a week after the pulse
FLO, GUS = "flo@acme.example", "gus@acme.example"


def quarter_over(aws: Resources, picker: str = FLO, *runs: str) -> None:
    """Picks the slot, runs the schedule past the fifth session and the day after, and
    delivers the mail then (links are signed as they are sent)."""
    pick_first_slot(kickoff(picker).link("schedule"))
    for at in runs or (AFTER_LAST, PULSE_DUE):
        reminders(at)
    clock.set(datetime.fromisoformat(PULSE_DUE))
    deliver_mail(aws)


def pulse_link(address: str) -> str:
    return of_kind("pulse", address)[0].link("pulse")


def answer(address: str, **fields: str) -> tuple[int, str]:
    return call_api("POST", pulse_link(address), {"version": "0", **fields})


def stored() -> dict[str, tuple[int, str, str]]:
    return {
        p.participant: (p.fulfilment, p.ongoing, p.comment)
        for p in pulse_answers.of_cycle("2027-Q4")
    }


def test_the_pulse_goes_out_once_a_day_after_the_last_session(
    aws: Resources, pair: list[Participant]
) -> None:
    pick_first_slot(kickoff(FLO).link("schedule"))
    assert "pulse" not in reminders(AFTER_LAST)["queued"]  # the after_session mails first
    assert reminders("2027-12-08T14:30:00Z") == {}
    assert reminders(PULSE_DUE)["queued"] == {"pulse": 2}
    assert reminders(PULSE_DUE) == {}  # a duplicate run
    clock.set(datetime.fromisoformat(PULSE_DUE))
    deliver_mail(aws)
    assert sorted(e.to[0] for e in of_kind("pulse")) == [FLO, GUS]
    email = of_kind("pulse", GUS)[0]
    assert email.cycle == "2027-Q4" and "Flo" in email.text
    # Whether to keep meeting the partner is not for the partner to read in a reply.
    assert email.reply_to == ["hana@acme.example"]
    # and the email says so: a reply is not an answer counted among others
    assert "a reply to this email reaches Hana Ruiz, with your name" in email.text
    status, page = call_api("GET", pulse_link(GUS))
    assert status == 200 and "How fulfilled do you feel at work?" in page
    assert "Do you intend an ongoing relationship with your partner?" in page


def test_a_week_later_only_who_has_not_answered_is_reminded_once(
    aws: Resources, pair: list[Participant]
) -> None:
    quarter_over(aws)
    assert answer(FLO, fulfilment="4", ongoing="no")[0] == 200
    assert reminders("2027-12-15T14:30:00Z") == {}
    assert reminders(REMINDER_DUE)["queued"] == {"pulse_reminder": 1}
    assert reminders(REMINDER_DUE) == {}
    assert reminders("2027-12-22T15:05:00Z") == {}
    deliver_mail(aws)
    [reminder] = of_kind("pulse_reminder")
    assert reminder.to == [GUS] and "/pulse/" in reminder.link("pulse")


def test_the_comment_says_who_reads_it(aws: Resources, pair: list[Participant]) -> None:
    """Nobody but its writer: it never leaves in a file or a console page (docs/analytics.md).
    Its label names no partner: a partner's name labels their keep-meeting box."""
    quarter_over(aws)
    _, page = call_api("GET", pulse_link(FLO))
    assert "for you alone, not shown to your partner or HR" in page and "program team" not in page


def test_a_get_and_an_empty_post_record_nothing(aws: Resources, pair: list[Participant]) -> None:
    quarter_over(aws)
    assert call_api("GET", pulse_link(FLO))[0] == 200
    status, page = call_api("POST", pulse_link(FLO), {})  # a link scanner's empty POST
    assert status == 400 and 'aria-invalid="true"' in page
    assert stored() == {}


def test_bad_answers_get_the_form_back_with_a_message_per_field_and_nothing_is_stored(
    aws: Resources, pair: list[Participant]
) -> None:
    quarter_over(aws)
    status, page = answer(FLO, fulfilment="9", ongoing="maybe", comment="=HYPERLINK(x)" * 100)
    assert status == 400
    messages = ("from 1 to 5", "Please say whether you want to keep meeting", "under 500")
    assert [page.index(m) for m in messages] == sorted(page.index(m) for m in messages)
    assert 'aria-describedby="fulfilment-error"' in page and "autofocus" in page
    assert "=HYPERLINK(x)" * 40 not in page  # oversized input is not echoed back whole
    status, page = answer(FLO, fulfilment="4", ongoing="yes", comment="c" * 1_000_000)
    assert status == 413
    assert stored() == {}


def test_two_tabs_record_one_answer_which_can_be_edited_while_the_link_lives(
    aws: Resources, pair: list[Participant]
) -> None:
    quarter_over(aws)
    status, page = answer(FLO, fulfilment="4", ongoing="no", comment="<b>Thanks</b>")
    assert status == 200 and "your answers are recorded" in page
    status, page = answer(FLO, fulfilment="2", ongoing="no")  # the second tab, same version
    assert status == 409 and "already recorded" in page
    assert "&lt;b&gt;Thanks&lt;/b&gt;" in page and "<b>Thanks" not in page
    status, page = call_api("GET", pulse_link(FLO))  # coming back: the answer, to edit
    assert 'value="4" checked' in page and 'name="version" value="1"' in page
    form = {"version": "1", "fulfilment": "5", "ongoing": "no"}
    assert call_api("POST", pulse_link(FLO), form)[0] == 200
    assert stored() == {participant_id(FLO): (5, "no", "")}


def test_a_tab_that_loses_a_race_is_shown_the_answer_that_won(
    aws: Resources, pair: list[Participant]
) -> None:
    """Two tabs sent at once, each read the form empty: the one whose write comes second is
    shown the answer recorded, not the empty form it read."""
    quarter_over(aws)
    save = pulse_answers.save

    def first_tab_writes_meanwhile(*args: Any, **kwargs: Any) -> Pulse:
        cycle, pid, _, _, _, seen, now = args
        save(cycle, pid, 4, "yes", "<b>First tab</b>", seen, now)
        return save(*args, **kwargs)

    with mock.patch.object(pulse_answers, "save", first_tab_writes_meanwhile):
        status, page = answer(FLO, fulfilment="2", ongoing="no")
    assert status == 409 and "already recorded" in page
    assert "&lt;b&gt;First tab&lt;/b&gt;" in page and 'name="version" value="1"' in page


def test_a_mutual_yes_tells_each_the_others_address_once(
    aws: Resources, pair: list[Participant]
) -> None:
    quarter_over(aws)
    assert answer(FLO, fulfilment="4", ongoing="yes")[0] == 200
    deliver_mail(aws)
    assert of_kind("ongoing_match") == []  # one-sided so far
    assert answer(GUS, fulfilment="3", ongoing="yes")[0] == 200
    call_api("POST", pulse_link(FLO), {"version": "1", "fulfilment": "5", "ongoing": "yes"})
    call_api("POST", pulse_link(GUS), {"version": "1", "fulfilment": "3", "ongoing": "no"})
    call_api("POST", pulse_link(GUS), {"version": "2", "fulfilment": "3", "ongoing": "yes"})
    deliver_mail(aws)
    assert sorted(e.to[0] for e in of_kind("ongoing_match")) == [FLO, GUS]
    to_flo = of_kind("ongoing_match", FLO)[0]
    assert "Gus Example" in to_flo.text and GUS in to_flo.text


def test_a_one_sided_yes_sends_nothing(aws: Resources, pair: list[Participant]) -> None:
    quarter_over(aws)
    answer(FLO, fulfilment="4", ongoing="yes")
    answer(GUS, fulfilment="4", ongoing="no")
    deliver_mail(aws)
    assert of_kind("ongoing_match") == []


def test_two_yeses_at_the_same_instant_send_one_notice_each(
    aws: Resources, pair: list[Participant]
) -> None:
    from tandem.conversations import pulse
    from tandem.store import settings

    quarter_over(aws)
    tenant, start = settings.tenant(), threading.Barrier(2)
    answers = pulse.validate({"fulfilment": "4", "ongoing": "yes"})
    failures: list[BaseException] = []

    def submit(p: Participant) -> None:
        quarter = quarter_of(p, "2027-Q4", tenant)
        assert quarter is not None
        start.wait()
        try:
            pulse.record(p.id, quarter.plan, answers, 0, clock.now())
        except BaseException as error:  # reported below: a thread's failure is not the test's
            failures.append(error)

    threads = [threading.Thread(target=submit, args=(p,)) for p in pair]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    deliver_mail(aws)
    assert sorted(e.to[0] for e in of_kind("ongoing_match")) == [FLO, GUS]


@pytest.fixture
def trio(aws: Resources) -> None:
    participants.create_many(
        [person("Ann", "Engineering"), person("Ben", "Sales"), person("Cat", "Finance")]
    )
    clock.set(datetime.fromisoformat("2027-10-11T07:00:00Z"))
    daily("2027-10-11T07:00:00Z")
    run_band_jobs(aws)
    deliver_mail(aws)
    clock.set(datetime(2027, 10, 11, 10, tzinfo=UTC))


def test_in_a_trio_any_two_who_say_yes_are_told_and_the_third_is_not(
    aws: Resources, trio: None
) -> None:
    quarter_over(aws, "ann@acme.example", "2027-12-20T00:00:00Z")  # whatever slot they have
    for name, ongoing in (("ann", "yes"), ("ben", "no"), ("cat", "yes")):
        assert answer(f"{name}@acme.example", fulfilment="4", ongoing=ongoing)[0] == 200
    deliver_mail(aws)
    assert sorted(e.to[0] for e in of_kind("ongoing_match")) == [
        "ann@acme.example",
        "cat@acme.example",
    ]
    assert "Cat Example" in of_kind("ongoing_match", "ann@acme.example")[0].text


def test_who_stopped_for_the_quarter_gets_no_pulse(aws: Resources, trio: None) -> None:
    pick_first_slot(kickoff("ann@acme.example").link("schedule"))
    deliver_mail(aws)
    link = of_kind("invitation", "cat@acme.example")[0].link("reschedule")
    _, page = call_api("GET", link + "?action=stop")
    assert (
        call_api("POST", link, {"action": "stop", "version": form_value(page, "version")})[0] == 200
    )
    reminders("2027-12-20T00:00:00Z")  # past whatever slot they have
    deliver_mail(aws)
    assert sorted(e.to[0] for e in of_kind("pulse")) == ["ann@acme.example", "ben@acme.example"]


def test_the_link_refuses_other_purposes_and_expires_with_the_feedback_links(
    aws: Resources, pair: list[Participant]
) -> None:
    quarter_over(aws)
    link = pulse_link(FLO)
    token = link.rsplit("/", 1)[1]
    assert call_api("GET", f"/schedule/{token}")[0] == 404  # a pulse token is no schedule token
    schedule_token = kickoff(FLO).link("schedule").rsplit("/", 1)[1]
    assert call_api("GET", f"/pulse/{schedule_token}")[0] == 404
    # Open until 30 days after the last session (6 January 15:00), though this link, sent a
    # day later, would live a day longer
    clock.set(datetime(2028, 1, 6, 14, tzinfo=UTC))
    assert call_api("GET", link)[0] == 200
    clock.set(datetime(2028, 1, 6, 16, tzinfo=UTC))
    status, page = call_api("GET", link)
    assert status == 410 and "This link has expired" in page
    assert answer(FLO, fulfilment="4", ongoing="yes")[0] == 410
    assert stored() == {}

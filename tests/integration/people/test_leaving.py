"""Leaving always finishes: whoever has left is taken out of their group (the partners told,
the sessions cancelled) by the click that leaves, or else by their next click or the hourly
run, whatever answer was lost or change came first; once the quarter's conversations are over,
leaving changes nothing for the group."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any
from unittest import mock

import pytest

from devtools.local_runtime.aws import Resources
from tandem.conversations import sessions
from tandem.conversations.quarter import quarter_of
from tandem.links.tokens import Purpose
from tandem.links.urls import Links, link_tokens
from tandem.model.clock import clock
from tandem.model.participant import Participant, participant_id
from tandem.model.plan import Plan
from tandem.store import matches, participants, plans, settings
from tests.integration.support import (
    LINK_BASE,
    call_api,
    deliver_mail,
    kickoff,
    of_kind,
    pick_first_slot,
    reminders,
)
from tests.support.faults import first_answer_lost

ONE_CLICK = {"List-Unsubscribe": "One-Click"}  # RFC 8058's body
FLO, GUS = participant_id("flo@acme.example"), participant_id("gus@acme.example")


@pytest.fixture
def leave(aws: Resources, pair: list[Participant]) -> str:
    """Flo and Gus have picked Tuesdays from 12 October and held their first session: Flo's
    leave link."""
    pick_first_slot(kickoff("flo@acme.example").link("schedule"))
    deliver_mail(aws)
    clock.set(datetime(2027, 10, 20, 9, tzinfo=UTC))
    return Links(LINK_BASE, link_tokens()).url(Purpose.LEAVE, FLO)


def cut_short(leave: str) -> None:
    """Flo leaves, and the function dies before her group is told."""
    dies = mock.patch.object(sessions, "stop", side_effect=TimeoutError("the function died"))
    with dies, pytest.raises(TimeoutError):
        call_api("POST", leave, {"action": "leave"})


def their_plan() -> Plan:
    outcome = matches.outcome(GUS, "2027-Q4")
    assert outcome is not None and outcome.group is not None
    plan = plans.get("2027-Q4", outcome.group)
    assert plan is not None
    return plan


def gus_told(aws: Resources) -> int:
    deliver_mail(aws)
    return len(of_kind("partner_left", "gus@acme.example"))


def test_the_leave_page_says_what_leaving_does_to_the_group(aws: Resources, leave: str) -> None:
    status, page = call_api("GET", leave)
    assert status == 200 and "Leave the program?" in page
    told = "your remaining conversations this quarter are cancelled, and the others in your group"
    assert f"{told} are told" in page


def test_a_leave_whose_answer_was_lost_still_takes_the_person_out_of_their_group(
    aws: Resources, leave: str
) -> None:
    # The write that leaves reaches DynamoDB; its answer is lost and the SDK sends it again
    with first_answer_lost("dynamodb.UpdateItem", "dynamodb.TransactWriteItems"):
        status, page = call_api("POST", leave, {"action": "leave"})
    assert status == 200 and "You have left the program" in page
    assert FLO not in their_plan().active
    assert gus_told(aws) == 1


def test_a_leave_cut_short_is_finished_by_the_next_click(aws: Resources, leave: str) -> None:
    cut_short(leave)
    assert FLO in their_plan().active  # left, and still in the group
    assert call_api("POST", leave, ONE_CLICK)[0] == 200  # the unsubscribe, clicked again
    assert FLO not in their_plan().active
    assert gus_told(aws) == 1


def test_a_leave_cut_short_is_finished_by_the_hourly_run(aws: Resources, leave: str) -> None:
    cut_short(leave)
    reminders("2027-10-20T10:00:00Z")
    assert FLO not in their_plan().active
    reminders("2027-10-20T11:00:00Z")
    assert gus_told(aws) == 1
    assert reminders("2027-10-25T13:30:00Z") == {}  # no reminder for a pair that is no more


def test_a_leave_while_the_partner_moves_a_session_keeps_both_changes(
    aws: Resources, leave: str
) -> None:
    # Gus's request read his quarter before Flo left, and stores its move as she leaves
    tenant, gus = settings.tenant(), participants.get(GUS)
    assert gus is not None
    quarter = quarter_of(gus, "2027-Q4", tenant)
    assert quarter is not None
    session = quarter.plan.session(3)
    assert session is not None
    starts = sessions.move_options(quarter, gus, session, tenant, clock.now())[0]
    save, moved = plans.save, threading.Event()

    def gus_moves_first(plan: Plan, due: Any) -> Plan:
        if not moved.is_set():
            moved.set()
            sessions.move(gus, quarter, 3, starts, quarter.plan.version, tenant, clock.now())
        return save(plan, due)

    with mock.patch.object(plans, "save", gus_moves_first):
        status, _ = call_api("POST", leave, {"action": "leave"})
    assert status == 200
    plan = their_plan()
    assert FLO not in plan.active and plan.moved == {3: starts}
    assert gus_told(aws) == 1


def test_leaving_after_the_quarters_last_session_changes_nothing_for_the_partner(
    aws: Resources, leave: str
) -> None:
    clock.set(datetime(2027, 12, 7, 16, tzinfo=UTC))  # the fifth conversation is over
    assert call_api("POST", leave, {"action": "leave"})[0] == 200
    reminders("2027-12-08T16:00:00Z")  # a day after the last session: the pulse
    deliver_mail(aws)
    to_gus = {e.kind for e in of_kind("partner_left") + of_kind("cancellation")}
    assert to_gus == set()
    assert GUS not in {pid for pid, _, _ in matches.unmatched("2027-Q4")}  # no sat-out
    [pulse] = of_kind("pulse", "gus@acme.example")
    status, page = call_api("GET", pulse.link("pulse"))
    assert status == 200 and "Flo" in page

"""Writers of the same person racing each other, each interleaving forced at its worst point:
none loses a write or brings back erased data."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any
from unittest import mock

from devtools.local_runtime.aws import Resources
from functions.roster_import import handler
from tandem.model.clock import clock
from tandem.model.participant import Status, participant_id
from tandem.people import erasure, selfservice
from tandem.store import matches, participants, plans, ses, settings
from tests.integration.support import (
    ANSWERS,
    ROSTER,
    START,
    call_api,
    context,
    daily,
    deliver_mail,
    form_value,
    kickoff,
    matched_pair,
    person,
    run_band_jobs,
    sent,
    upload,
)

ADA = participant_id("ada@acme.example")
FLO = participant_id("flo@acme.example")


def test_a_roster_import_racing_an_open_signup_keeps_the_signup(aws: Resources) -> None:
    event = upload(aws, "roster/january.csv", ROSTER)
    create_many = participants.create_many

    def ada_joins_and_signs_up_first(people: Any) -> set[str]:
        # The import has read Ada as absent; meanwhile she joins and completes her signup.
        form = {"email": "ada@acme.example", "name": "Ada Lovelace", "department": "Sales"}
        form |= {"level": "Manager", "timezone": "UTC", "manager_email": "", "location": ""}
        assert call_api("POST", "/join", form)[0] == 200
        deliver_mail(aws)
        [invitation] = [e for e in sent() if e.to == ["ada@acme.example"]]
        details = {"name": "Ada Lovelace", "timezone": "UTC", "location": ""}
        assert call_api("POST", invitation.link("signup"), {**details, **ANSWERS})[0] == 200
        return create_many(people)

    with mock.patch.object(participants, "create_many", ada_joins_and_signs_up_first):
        assert handler.handler(event, context("roster_import")) == {"batchItemFailures": []}
    ada = participants.get(ADA)
    assert ada is not None and ada.status is Status.ACTIVE and ada.purpose is not None


def test_an_erasure_while_the_kickoff_is_sent_leaves_nothing_under_the_erased_id(
    aws: Resources,
) -> None:
    matched_pair(aws)
    send = ses.send

    def erased_meanwhile(message: Any) -> str:
        if "flo@acme.example" in str(message["To"]):
            erasure.erase("flo@acme.example", clock.now())
        return send(message)

    with mock.patch.object(ses, "send", erased_meanwhile):
        deliver_mail(aws)
    assert participants.get(FLO) is None
    assert matches.outcome(FLO, "2027-Q4") is None
    assert all(FLO not in group.members for group in matches.groups("2027-Q4"))


def test_two_members_picking_a_slot_at_once_store_one_pick_and_one_invitation_each(
    aws: Resources,
) -> None:
    matched_pair(aws)
    deliver_mail(aws)
    clock.set(datetime(2027, 10, 11, 8, tzinfo=UTC))
    links = [kickoff(a).link("schedule") for a in ("flo@acme.example", "gus@acme.example")]
    forms = []
    for link in links:
        _, page = call_api("GET", link)
        forms.append(
            {
                "slot": form_value(page, "slot"),
                "version": form_value(page, "version"),
                "track": "feedback",
            }
        )
    # Both read the plan at the same version; Gus's pick lands between Flo's read and her
    # write (forced: the embedded DynamoDB checks conditions without a lock, so threads alone
    # could let both writes through where DynamoDB would not).
    save, statuses, interleaved = plans.save, [], threading.Event()

    def gus_picks_first(plan: Any, due: Any) -> Any:
        if not interleaved.is_set():
            interleaved.set()
            statuses.append(call_api("POST", links[1], forms[1])[0])
        return save(plan, due)

    with mock.patch.object(plans, "save", gus_picks_first):
        statuses.append(call_api("POST", links[0], forms[0])[0])
    assert statuses == [200, 409]
    deliver_mail(aws)
    invited = sorted(e.to[0] for e in sent() if e.kind == "invitation")
    assert invited == ["flo@acme.example", "gus@acme.example"]


def test_a_leave_while_matching_stores_the_group_tells_the_partner(aws: Resources) -> None:
    participants.create_many([person("Flo", "Engineering"), person("Gus", "Sales")])
    clock.set(datetime.fromisoformat(START))
    daily(START)
    save_group = matches.save_group

    def flo_leaves_first(*args: Any, **kwargs: Any) -> bool:
        # The band was read with Flo in it; she leaves before her group is stored.
        selfservice.leave(FLO, settings.tenant(), clock.now())
        return save_group(*args, **kwargs)

    with mock.patch.object(matches, "save_group", flo_leaves_first):
        run_band_jobs(aws)
    deliver_mail(aws)
    told = {e.kind for e in sent() if e.to == ["gus@acme.example"]}
    assert "partner_left" in told or "unmatched" in told, told

"""Conditional writes whose answer was lost (answers to "how did it go?" and the pulse, a group's
plan, a person's time zone, a roster's changes): only another writer's save is a conflict,
never the writer's own."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from devtools.local_runtime.aws import Resources
from tandem.model.answers import AnsweredMeanwhile
from tandem.model.participant import participant_id
from tandem.model.plan import Plan
from tandem.people import selfservice
from tandem.store import participants, plans, pulse_answers
from tests.integration.support import person
from tests.support.faults import first_answer_lost

NOW = datetime(2027, 12, 10, 9, tzinfo=UTC)
FLO = participant_id("flo@acme.example")


def test_an_answer_whose_put_lost_its_answer_is_saved_not_a_conflict(aws: Resources) -> None:
    with first_answer_lost("dynamodb.PutItem"):
        saved = pulse_answers.save("2027-Q4", "ada", 4, "yes", "", seen=0, now=NOW)
    assert pulse_answers.get("2027-Q4", "ada") == saved


def test_a_plan_whose_put_lost_its_answer_is_saved_not_a_conflict(aws: Resources) -> None:
    plan = Plan("2027-Q4", "ada+bob", "Manager", ("ada", "bob"), nudge_at=NOW)
    plans.to_item(plan, due=None).save()
    with first_answer_lost("dynamodb.PutItem"):
        saved = plans.save(replace(plan, picked_by="ada", picked_at=NOW), due=None)
    assert plans.get("2027-Q4", "ada+bob") == saved


def test_another_save_of_the_same_version_is_a_conflict_and_changes_nothing(
    aws: Resources,
) -> None:
    first = pulse_answers.save("2027-Q4", "ada", 4, "yes", "", seen=0, now=NOW)
    with pytest.raises(AnsweredMeanwhile):  # the same answers, from another tap
        pulse_answers.save("2027-Q4", "ada", 4, "yes", "", seen=0, now=NOW + timedelta(seconds=1))
    assert pulse_answers.get("2027-Q4", "ada") == first


def test_a_time_zone_change_whose_answer_was_lost_is_saved_not_changed_meanwhile(
    aws: Resources,
) -> None:
    participants.create_many([person("Flo", "Engineering")])
    fields = {"timezone": "Asia/Tokyo", "shown_timezone": "Europe/Paris"}
    with first_answer_lost("dynamodb.UpdateItem"):
        moved = selfservice.change_timezone(FLO, fields)
    assert moved.timezone == "Asia/Tokyo"


def test_a_roster_change_whose_answer_was_lost_reports_what_it_changed(aws: Resources) -> None:
    participants.create_many([person("Flo", "Engineering")])
    with first_answer_lost("dynamodb.UpdateItem"):
        changed = participants.update_from_roster(
            FLO, {"department": "Sales"}, upload="roster/may.csv@1", at=NOW
        )
    assert changed == ("department",)
    flo = participants.get(FLO)
    assert flo is not None and flo.department == "Sales"

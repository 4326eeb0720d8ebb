"""Items saved as versions (answers to "how did it go?" and the pulse, a group's plan): only
another writer's save is a conflict, never the writer's own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from devtools.local_runtime.aws import Resources
from tandem.model.answers import AnsweredMeanwhile
from tandem.model.plan import Plan
from tandem.store import plans, pulse_answers
from tests.support.faults import TIMEOUT, Faults, inject

NOW = datetime(2027, 12, 10, 9, tzinfo=UTC)


@contextmanager
def first_put_answer_lost() -> Iterator[None]:
    """The put reaches DynamoDB and only its answer is lost: the SDK sends it again, and its
    condition (the version read) now fails on the item the first attempt wrote."""
    lost = next(s for s in range(1000) if Faults(0.5, s).decide("dynamodb.PutItem") == TIMEOUT)
    with inject(share=0.5, seed=lost, services=frozenset({"dynamodb"})) as faults:
        yield
    assert faults.injected["dynamodb.PutItem", TIMEOUT] >= 1


def test_an_answer_whose_put_lost_its_answer_is_saved_not_a_conflict(aws: Resources) -> None:
    with first_put_answer_lost():
        saved = pulse_answers.save("2027-Q4", "ada", 4, "yes", "", seen=0, now=NOW)
    assert pulse_answers.get("2027-Q4", "ada") == saved


def test_a_plan_whose_put_lost_its_answer_is_saved_not_a_conflict(aws: Resources) -> None:
    plan = Plan("2027-Q4", "ada+bob", "Manager", ("ada", "bob"), nudge_at=NOW)
    plans.to_item(plan, due=None).save()
    with first_put_answer_lost():
        saved = plans.save(replace(plan, picked_by="ada", picked_at=NOW), due=None)
    assert plans.get("2027-Q4", "ada+bob") == saved


def test_another_save_of_the_same_version_is_a_conflict_and_changes_nothing(
    aws: Resources,
) -> None:
    first = pulse_answers.save("2027-Q4", "ada", 4, "yes", "", seen=0, now=NOW)
    with pytest.raises(AnsweredMeanwhile):  # the same answers, from another tap
        pulse_answers.save("2027-Q4", "ada", 4, "yes", "", seen=0, now=NOW + timedelta(seconds=1))
    assert pulse_answers.get("2027-Q4", "ada") == first

"""Answers saved as versions (`store.table.save_version`, behind "how did it go?" and the
pulse): only another writer's save is a conflict, never the writer's own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from infra.local.aws import Resources
from tandem.store import pulse as pulse_store
from tests.faults import TIMEOUT, Faults, inject

NOW = datetime(2027, 12, 10, 9, tzinfo=UTC)


def test_a_save_whose_answer_was_lost_is_saved_not_a_conflict(aws: Resources) -> None:
    # The put reached DynamoDB and only its answer was lost: the SDK sends it again, and its
    # condition (no answer yet) now fails on the item the first attempt wrote.
    lost = next(s for s in range(1000) if Faults(0.5, s).decide("dynamodb.PutItem") == TIMEOUT)
    with inject(share=0.5, seed=lost, services=frozenset({"dynamodb"})) as faults:
        saved = pulse_store.save("2027-Q4", "ada", 4, "yes", "", seen=0, now=NOW)
    assert faults.injected["dynamodb.PutItem", TIMEOUT] >= 1
    assert pulse_store.get("2027-Q4", "ada") == saved


def test_another_save_of_the_same_version_is_a_conflict_and_changes_nothing(
    aws: Resources,
) -> None:
    first = pulse_store.save("2027-Q4", "ada", 4, "yes", "", seen=0, now=NOW)
    with pytest.raises(pulse_store.Conflict):  # the same answers, from another tap
        pulse_store.save("2027-Q4", "ada", 4, "yes", "", seen=0, now=NOW + timedelta(seconds=1))
    assert pulse_store.get("2027-Q4", "ada") == first

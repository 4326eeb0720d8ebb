"""Shared fixtures. The environment is set before any handler or Powertools module loads."""

from __future__ import annotations

import os

os.environ.update(
    {
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "POWERTOOLS_SERVICE_NAME": "tandem-test",
        "POWERTOOLS_METRICS_NAMESPACE": "Tandem/test",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        # Handlers bind the idempotency table when they load; provisioning uses this name.
        "IDEMPOTENCY_TABLE_NAME": "tandem-test-idempotency",
    }
)
os.environ.pop("AWS_ENDPOINT_URL", None)

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tandem.model.clock import clock
from tandem.model.tenant import Tenant
from tandem.model.validation import parse
from tests.support.clock import PINNED


def pytest_configure(config: pytest.Config) -> None:
    """`make test-later` runs the tests with the wall clock years ahead (TANDEM_WALL_CLOCK_DAYS),
    before anything is signed or stored: no test may depend on the day it runs. Only the wall
    clock moves; monotonic time and sleeps stay the machine's (libfaketime moved them too, and
    its timed waits hung or failed)."""
    days = os.environ.get("TANDEM_WALL_CLOCK_DAYS")
    if days:
        time_machine.travel(datetime.now(UTC) + timedelta(days=int(days)), tick=True).start()


@pytest.fixture(autouse=True)
def pinned_clock() -> Iterator[None]:
    clock.set(PINNED)
    yield
    clock.reset()


@pytest.fixture
def tenant() -> Tenant:
    return parse(
        Tenant,
        {
            "name": "test",
            "organization": "Acme Test",
            "sender": "coaching@acme.example",
            "timezone": "Europe/Paris",
            "hr_contacts": [{"name": "Hana Ruiz", "email": "hana@acme.example"}],
            "levels": ["Manager", "Director"],
            "open_signup": {"enabled": True, "email_domains": ["acme.example"]},
        },
    )

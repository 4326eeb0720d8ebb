"""Handlers under moto: the tenant's resources provisioned as the local runtime provisions them."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from moto import mock_aws
from moto.core.botocore_stubber import BotocoreStubber

from devtools.local_runtime.aws import Resources, provision
from tandem.model.participant import Participant
from tandem.model.tenant import Tenant
from tests.integration.support import (
    LINK_BASE,
    kicked_off,
    person,
)

# DynamoDB applies each conditional write atomically; moto in the test's process does not (two
# threads can both pass the same condition). Serving one request at a time gives the tests of
# concurrent deliveries the guarantee they rely on in AWS, and still interleaves the requests.
_one_request_at_a_time = threading.Lock()
_process_request = BotocoreStubber.process_request


def _atomic_process_request(self: BotocoreStubber, request: Any) -> Any:
    with _one_request_at_a_time:
        return _process_request(self, request)


@pytest.fixture
def aws(tenant: Tenant, monkeypatch: pytest.MonkeyPatch) -> Iterator[Resources]:
    monkeypatch.setattr(BotocoreStubber, "process_request", _atomic_process_request)
    with mock_aws():
        resources = provision(tenant)
        for setting, value in resources.settings(tenant, LINK_BASE).items():
            monkeypatch.setenv(setting, value)
        yield resources


@pytest.fixture
def pair(aws: Resources) -> list[Participant]:
    """Flo in Paris (Lyon) and Gus in New York (Boston), matched as 2027-Q4 starts, on the
    morning of its first day: their kickoffs sent, no slot picked yet."""
    flo = person("Flo", "Engineering", location="Lyon")
    gus = person("Gus", "Sales", timezone="America/New_York", location="Boston")
    return kicked_off(aws, [flo, gus])

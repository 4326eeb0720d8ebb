"""Handlers under moto: the tenant's resources provisioned as the local runtime provisions them."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from moto import mock_aws
from moto.core.botocore_stubber import BotocoreStubber

from devtools.local_runtime.aws import Resources, provision
from tandem.model.tenant import Tenant
from tests.integration.support import LINK_BASE

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

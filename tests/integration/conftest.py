"""Handlers under moto: the tenant's resources provisioned as the local runtime provisions them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto import mock_aws

from infra.local.aws import Resources, provision
from tandem.clock import clock
from tandem.tenant import Tenant
from tests.integration.support import LINK_BASE


@pytest.fixture
def aws(tenant: Tenant, monkeypatch: pytest.MonkeyPatch) -> Iterator[Resources]:
    with mock_aws():
        resources = provision(tenant)
        for setting, value in resources.settings(tenant, LINK_BASE).items():
            monkeypatch.setenv(setting, value)
        yield resources
    clock.reset()

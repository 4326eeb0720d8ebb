"""The console's tests sign in as its two local users, through the same code flow as in AWS."""

from __future__ import annotations

import pytest

from devtools.local_runtime.aws import Resources
from devtools.local_runtime.idp import LocalIdp, console_users
from tandem.console.sessions import Role
from tandem.model.tenant import Tenant
from tests.integration.console.support import Browser, local_idp, sign_in


@pytest.fixture
def idp(aws: Resources, tenant: Tenant, monkeypatch: pytest.MonkeyPatch) -> LocalIdp:
    return local_idp(aws, tenant, monkeypatch)


@pytest.fixture
def lead(idp: LocalIdp, tenant: Tenant) -> Browser:
    return sign_in(idp, next(u for u in console_users(tenant) if u.role is Role.PROGRAM_LEAD))


@pytest.fixture
def viewer(idp: LocalIdp, tenant: Tenant) -> Browser:
    return sign_in(idp, next(u for u in console_users(tenant) if u.role is Role.VIEWER))

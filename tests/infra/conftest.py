"""The example tenants' stacks (infra/tenants/), synthesised once for all infra tests."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from infra.app import build
from infra.stack import TenantStack
from infra.stack.functions import BUILT_CODE, BUILT_LAYERS

TENANTS = ("demo", "globex")


@pytest.fixture(scope="session")
def stacks() -> dict[str, TenantStack]:
    needed = (BUILT_LAYERS / "deps", BUILT_LAYERS / "matching", BUILT_CODE)
    if not all(path.is_dir() for path in needed):
        pytest.fail(f"{', '.join(map(str, needed))}: `make test` builds them (or `make layer`)")
    app = cdk.App()
    built = build(app, list(TENANTS))
    app.synth()
    return {stack.stack_name.removeprefix("Tandem-"): stack for stack in built}


@pytest.fixture(params=TENANTS)
def tenant_stack(request: pytest.FixtureRequest, stacks: dict[str, TenantStack]) -> TenantStack:
    """Each example tenant's stack in turn."""
    return stacks[request.param]


@pytest.fixture
def tenant_resources(tenant_stack: TenantStack) -> dict[str, dict[str, Any]]:
    resources: dict[str, dict[str, Any]] = Template.from_stack(tenant_stack).to_json()["Resources"]
    return resources


@pytest.fixture(scope="session")
def stack(stacks: dict[str, TenantStack]) -> TenantStack:
    return stacks["demo"]


@pytest.fixture(scope="session")
def template(stack: TenantStack) -> Template:
    return Template.from_stack(stack)


@pytest.fixture(scope="session")
def resources(template: Template) -> dict[str, dict[str, Any]]:
    return template.to_json()["Resources"]

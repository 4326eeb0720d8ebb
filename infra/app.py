"""The CDK app: one stack per tenant, named Tandem-<name>.

`cdk synth -c tenant=<name>` (or `make synth TENANT=<name>`) builds one tenant; without a
tenant it builds every tenant file in infra/tenants/.
"""

from __future__ import annotations

import os
import sys

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks, ServerlessChecks

from infra import tenant_files
from infra.stack import TenantStack
from tandem.model.tenant import TenantFileError


def build(app: cdk.App, names: list[str]) -> list[TenantStack]:
    stacks = []
    for name in names:
        tenant = tenant_files.tenant(name)
        # The tenant file may pin the account and region; otherwise the CLI's profile decides.
        env = cdk.Environment(
            account=tenant.deployment.account or os.environ.get("CDK_DEFAULT_ACCOUNT"),
            region=tenant.deployment.region or os.environ.get("CDK_DEFAULT_REGION"),
        )
        stacks.append(TenantStack(app, f"Tandem-{name}", tenant, env=env))
    cdk.Aspects.of(app).add(AwsSolutionsChecks(verbose=True))
    cdk.Aspects.of(app).add(ServerlessChecks(verbose=True))
    return stacks


def main() -> int:
    app = cdk.App()
    chosen = app.node.try_get_context("tenant")
    try:
        build(app, [chosen] if chosen else tenant_files.tenant_names())
    except TenantFileError as error:
        print(f"synth failed: {error}", file=sys.stderr)
        return 1
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())

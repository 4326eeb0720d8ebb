"""What a function is told about its tenant's resources, by environment variable.

The wiring (infra/wiring.py) says which function needs which setting; the CDK stack and the
local runtime both fill them from that one declaration.
"""

from __future__ import annotations

import os
from enum import StrEnum
from functools import lru_cache

from tandem.model.tenant import Tenant, from_functions


class Setting(StrEnum):
    TABLE = "TABLE_NAME"
    IDEMPOTENCY_TABLE = "IDEMPOTENCY_TABLE_NAME"
    BUCKET = "BUCKET_NAME"
    MAIL_QUEUE = "MAIL_QUEUE_URL"
    BAND_QUEUE = "BAND_QUEUE_URL"
    SIGNING_SECRET = "SIGNING_SECRET_ARN"  # noqa: S105 (a variable name, not a secret)
    LINK_BASE = "LINK_BASE_URL"
    SES_CONFIGURATION_SET = "SES_CONFIGURATION_SET"
    TENANT = "TENANT_CONFIG"
    MAILERS = "MAILER_INSTANCES"  # how many mailers share SES's send rate
    # The console's sign-in: the user pool's OAuth domain (locally, the runtime's stand-in),
    # the console's app client, and the issuer named in the ID tokens it hands out.
    SIGN_IN_URL = "SIGN_IN_URL"
    SIGN_IN_CLIENT = "SIGN_IN_CLIENT_ID"
    SIGN_IN_ISSUER = "SIGN_IN_ISSUER"


def setting(name: Setting) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(
            f"{name.value} is not set: the wiring does not give this function {name.name}"
        )
    return value


def tenant() -> Tenant:
    return _tenant(setting(Setting.TENANT))


@lru_cache(maxsize=4)
def _tenant(configuration: str) -> Tenant:
    """Built once per configuration, not at every call (validated at synth)."""
    return from_functions(configuration)

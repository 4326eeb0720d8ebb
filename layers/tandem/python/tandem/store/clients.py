"""The AWS clients the store calls, each built on first use and kept for the process.

Plain botocore rather than boto3: boto3 adds its resource layer and s3transfer, tens of
milliseconds of a cold start that a person opening a link waits for, and no call here uses
them. The clients read the same environment as boto3's (region, credentials, AWS_ENDPOINT_URL).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import botocore.session


@cache
def client(service: str) -> Any:
    return botocore.session.get_session().create_client(service)

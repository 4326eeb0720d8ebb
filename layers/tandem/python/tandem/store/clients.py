"""The AWS clients the store calls, each built on first use and kept for the process, all from
one botocore session.

Plain botocore rather than boto3: boto3 adds its resource layer and s3transfer, tens of
milliseconds of a cold start that a person opening a link waits for, and no call here uses
them. The clients read the same environment as boto3's (region, credentials, AWS_ENDPOINT_URL).

One session, PynamoDB's clients included (store/table.py): a session parses botocore's data
files (the 1 MB endpoints file among them) on its first client, and a cold page would otherwise
pay that again for every model class it reads and for the signing key.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

import botocore.session


class _Session(botocore.session.Session):
    """Builds one client at a time: a session fills its caches unguarded on first use, and the
    local runtime serves requests from threads."""

    _building = threading.Lock()

    def create_client(self, *args: Any, **kwargs: Any) -> Any:
        with self._building:
            return super().create_client(*args, **kwargs)


@cache
def session() -> botocore.session.Session:
    return _Session()


@cache
def client(service: str) -> Any:
    return session().create_client(service)

"""The tenant bucket: roster uploads in, result files and exports out."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.exceptions import ClientError

from tandem.settings import Setting, setting


@cache
def _s3() -> Any:
    return boto3.client("s3")


class Superseded(Exception):
    """The object was overwritten since: it no longer has the ETag asked for."""


def read(key: str, etag: str | None = None) -> bytes:
    """The object's bytes; with an ETag, only while the object is still that content."""
    only_if = {"IfMatch": etag} if etag else {}
    try:
        response = _s3().get_object(Bucket=setting(Setting.BUCKET), Key=key, **only_if)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("PreconditionFailed", "412"):
            raise Superseded(key) from None
        raise
    body: bytes = response["Body"].read()
    return body


def write_csv(key: str, data: bytes) -> None:
    _s3().put_object(
        Bucket=setting(Setting.BUCKET), Key=key, Body=data, ContentType="text/csv; charset=utf-8"
    )

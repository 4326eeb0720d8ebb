"""The tenant bucket: roster uploads in, result files and exports out."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3

from tandem.settings import Setting, setting


@cache
def _s3() -> Any:
    return boto3.client("s3")


def read(key: str) -> bytes:
    body: bytes = _s3().get_object(Bucket=setting(Setting.BUCKET), Key=key)["Body"].read()
    return body


def write_csv(key: str, data: bytes) -> None:
    _s3().put_object(
        Bucket=setting(Setting.BUCKET), Key=key, Body=data, ContentType="text/csv; charset=utf-8"
    )

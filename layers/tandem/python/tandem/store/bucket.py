"""The tenant bucket: roster uploads in, result files and exports out."""

from __future__ import annotations

from functools import cache
from typing import IO, Any

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

from tandem.store.settings import Setting, setting

MB = 1024 * 1024


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


# At most two 8 MB parts in memory at once, however large the file.
_STREAMED = TransferConfig(
    multipart_threshold=8 * MB, multipart_chunksize=8 * MB, max_concurrency=2
)


def upload(key: str, data: IO[bytes], content_type: str) -> None:
    """Streams a file of any size from its start: in parts beyond 8 MB (multipart upload)."""
    data.seek(0)
    _s3().upload_fileobj(
        data,
        setting(Setting.BUCKET),
        key,
        ExtraArgs={"ContentType": content_type},
        Config=_STREAMED,
    )


def keys_under(prefix: str) -> list[str]:
    pages = (
        _s3()
        .get_paginator("list_objects_v2")
        .paginate(Bucket=setting(Setting.BUCKET), Prefix=prefix)
    )
    return [item["Key"] for page in pages for item in page.get("Contents", [])]


def delete(keys: list[str]) -> None:
    for start in range(0, len(keys), 1000):  # S3 deletes at most 1,000 keys a request
        objects = [{"Key": key} for key in keys[start : start + 1000]]
        _s3().delete_objects(Bucket=setting(Setting.BUCKET), Delete={"Objects": objects})

"""The tenant bucket: roster uploads in, result files and exports out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
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


def read_if_there(key: str) -> bytes | None:
    """The object's bytes, or None while there is no such object."""
    try:
        return read(key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            return None
        raise


@dataclass(frozen=True)
class File:
    key: str
    modified: datetime
    size: int


def files_under(prefix: str) -> list[File]:
    pages = (
        _s3()
        .get_paginator("list_objects_v2")
        .paginate(Bucket=setting(Setting.BUCKET), Prefix=prefix)
    )
    return [
        File(item["Key"], item["LastModified"], item["Size"])
        for page in pages
        for item in page.get("Contents", [])
    ]


def keys_under(prefix: str) -> list[str]:
    return [file.key for file in files_under(prefix)]


def delete(keys: list[str]) -> None:
    for start in range(0, len(keys), 1000):  # S3 deletes at most 1,000 keys a request
        objects = [{"Key": key} for key in keys[start : start + 1000]]
        _s3().delete_objects(Bucket=setting(Setting.BUCKET), Delete={"Objects": objects})


def download_link(key: str, expires: timedelta, save_as: str | None = None) -> str:
    """A presigned GET of the object, valid for `expires` (SigV4 allows 7 days at most); with
    `save_as`, the browser saves it under that name rather than showing it."""
    params = {"Bucket": setting(Setting.BUCKET), "Key": key}
    if save_as is not None:
        params["ResponseContentDisposition"] = f'attachment; filename="{save_as}"'
    url: str = _s3().generate_presigned_url(
        "get_object", Params=params, ExpiresIn=int(expires.total_seconds())
    )
    return url


@dataclass(frozen=True)
class UploadForm:
    """A presigned POST: where a browser's form sends one file, and the fields it must carry."""

    url: str
    fields: dict[str, str]


def upload_form(key: str, max_bytes: int, then: str, expires: timedelta) -> UploadForm:
    """A form that uploads one file to `key` (and nowhere else) of at most `max_bytes`, valid
    for `expires`, after which S3 sends the browser to `then`."""
    conditions = [
        {"success_action_redirect": then},
        ["content-length-range", 0, max_bytes],
    ]
    presigned = _s3().generate_presigned_post(
        setting(Setting.BUCKET),
        key,
        Fields={"success_action_redirect": then},
        Conditions=conditions,
        ExpiresIn=int(expires.total_seconds()),
    )
    return UploadForm(presigned["url"], presigned["fields"])

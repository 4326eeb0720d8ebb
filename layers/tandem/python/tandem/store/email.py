"""Sending through SES, with the tenant's configuration set (bounce/complaint tracking)."""

from __future__ import annotations

from email.message import EmailMessage
from functools import cache
from typing import Any

import boto3
from botocore.exceptions import ClientError

from tandem.settings import Setting, setting


class NotSent(Exception):
    """SES refused or failed the message. Only SES's error code is kept: its messages can name
    recipients, and this error ends up in the logs."""


@cache
def _ses() -> Any:
    return boto3.client("ses")


def send(message: EmailMessage) -> str:
    """Sends one message; returns SES's message id."""
    try:
        response = _ses().send_raw_email(
            RawMessage={"Data": message.as_bytes()},
            ConfigurationSetName=setting(Setting.SES_CONFIGURATION_SET),
        )
    except ClientError as error:
        raise NotSent(error.response.get("Error", {}).get("Code", "unknown")) from None
    return str(response["MessageId"])

"""Sending through SES, with the tenant's configuration set (bounce/complaint tracking)."""

from __future__ import annotations

from email.message import EmailMessage
from functools import cache
from typing import Any

import boto3

from tandem.settings import Setting, setting


@cache
def _ses() -> Any:
    return boto3.client("ses")


def send(message: EmailMessage) -> str:
    """Sends one message; returns SES's message id."""
    response = _ses().send_raw_email(
        RawMessage={"Data": message.as_bytes()},
        ConfigurationSetName=setting(Setting.SES_CONFIGURATION_SET),
    )
    return str(response["MessageId"])

"""The link-signing secret: {"current": key, "previous": [older keys still accepted]}."""

from __future__ import annotations

import json
import time

from tandem.store.clients import client, load_service_data
from tandem.store.settings import Setting, setting

MAX_AGE_S = 300  # a rotated key is signing everywhere within five minutes
_read: dict[str, tuple[float, list[str]]] = {}  # secret ARN -> (monotonic time read, keys)
load_service_data("secretsmanager")  # while the function starts, not in its first request


def signing_keys() -> list[str]:
    """Oldest first, newest (the one that signs) last. Read once, then again after MAX_AGE_S."""
    arn = setting(Setting.SIGNING_SECRET)
    read_at, keys = _read.get(arn, (0.0, []))
    if not keys or time.monotonic() - read_at > MAX_AGE_S:
        secret = json.loads(client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"])
        keys = [*secret.get("previous", []), secret["current"]]
        _read[arn] = (time.monotonic(), keys)
    return keys

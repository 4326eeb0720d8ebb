"""The link-signing secret: {"current": key, "previous": [older keys still accepted]}."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities import parameters

from tandem.store.settings import Setting, setting


def signing_keys() -> list[str]:
    """Oldest first, newest (the one that signs) last. Cached for five minutes."""
    secret: Any = parameters.get_secret(
        setting(Setting.SIGNING_SECRET), transform="json", max_age=300
    )
    return [*secret.get("previous", []), secret["current"]]

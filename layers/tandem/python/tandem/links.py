"""The links in emails and pages: <base>/<purpose>/<token>."""

from __future__ import annotations

from tandem import settings
from tandem.store import secrets
from tandem.tokens import LinkTokens, Purpose


def link_tokens() -> LinkTokens:
    return LinkTokens(settings.tenant().name, secrets.signing_keys())


class Links:
    def __init__(self, base_url: str, tokens: LinkTokens) -> None:
        self._base = base_url.rstrip("/")
        self._tokens = tokens

    def url(self, purpose: Purpose, participant_id: str) -> str:
        return f"{self._base}/{purpose}/{self._tokens.sign(purpose, participant_id)}"

    def for_participant(self, participant_id: str) -> dict[str, str]:
        """Every self-service link of one person, by purpose; templates pick what they need."""
        return {purpose.value: self.url(purpose, participant_id) for purpose in Purpose}

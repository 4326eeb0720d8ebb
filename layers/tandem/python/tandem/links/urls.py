"""The links in emails and pages: <base>/<purpose>/<token>."""

from __future__ import annotations

from datetime import timedelta

from tandem.links.tokens import ABOUT_SESSION, SCOPED, LinkTokens, Purpose
from tandem.store import settings, signing_keys


def link_tokens() -> LinkTokens:
    tenant = settings.tenant()
    # A feedback link is sent as its session ends: its lifetime counts from the session. The
    # pulse's lives as long (and the quarter's pulse closes as long after the last session).
    days = timedelta(days=tenant.conversations.feedback_link_days)
    lifetimes = {Purpose.FEEDBACK: days, Purpose.PULSE: days}
    return LinkTokens(tenant.name, signing_keys.signing_keys(), lifetimes)


class Links:
    def __init__(self, base_url: str, tokens: LinkTokens) -> None:
        self._base = base_url.rstrip("/")
        self._tokens = tokens

    def url(self, purpose: Purpose, participant_id: str, scope: str | None = None) -> str:
        return f"{self._base}/{purpose}/{self._tokens.sign(purpose, participant_id, scope)}"

    def for_participant(
        self, participant_id: str, cycle: str | None = None, session: int | None = None
    ) -> dict[str, str]:
        """One person's links, by purpose (templates pick what they need): the self-service
        ones, those about a quarter given its cycle, and a conversation's guide given both."""
        links = {p.value: self.url(p, participant_id) for p in Purpose if p not in SCOPED}
        if cycle is not None:
            about_cycle = SCOPED - ABOUT_SESSION
            links |= {p.value: self.url(p, participant_id, cycle) for p in about_cycle}
        if cycle is not None and session is not None:
            scope = f"{cycle}/{session}"
            links |= {p.value: self.url(p, participant_id, scope) for p in ABOUT_SESSION}
        return links

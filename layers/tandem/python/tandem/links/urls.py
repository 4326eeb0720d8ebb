"""The links in emails and pages: <base>/<purpose>/<token>.

An email carries fresh links for everything it offers. A page renders only links its own link
leads to (LEADS_TO), for the same person and quarter, each expiring when the link that opened
the page does: an old link never yields a younger or wider one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tandem.links.tokens import ABOUT_SESSION, SCOPED, Link, LinkTokens, Purpose
from tandem.store import settings, signing_keys

# What a page opened by a link of one purpose may link to: the same or a narrower purpose.
# Preferences (every email's footer) is the person's whole say in the program: their profile,
# a pause, leaving. Leaving offers a pause instead. A signup link, once used, leads to the
# profile it made. The schedule and reschedule pages are one purpose, the group's plan for the
# quarter, and link to each other. Every other page renders no link.
LEADS_TO: dict[Purpose, frozenset[Purpose]] = {
    Purpose.PREFERENCES: frozenset({Purpose.PROFILE, Purpose.PAUSE, Purpose.LEAVE}),
    Purpose.LEAVE: frozenset({Purpose.PAUSE}),
    Purpose.SIGNUP: frozenset({Purpose.PROFILE}),
    Purpose.PROFILE: frozenset({Purpose.PROFILE}),
    Purpose.SCHEDULE: frozenset({Purpose.RESCHEDULE}),
    Purpose.RESCHEDULE: frozenset({Purpose.SCHEDULE}),
}


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

    def url(
        self,
        purpose: Purpose,
        participant_id: str,
        scope: str | None = None,
        not_after: datetime | None = None,
    ) -> str:
        token = self._tokens.sign(purpose, participant_id, scope, not_after)
        return f"{self._base}/{purpose}/{token}"

    def leading_from(self, opened: Link) -> dict[str, str]:
        """The links a page opened by `opened` may render, by purpose: those its purpose leads
        to, for the same person and quarter, expiring with it."""
        return {
            p.value: self.url(p, opened.participant, opened.scope, opened.expires_at)
            for p in LEADS_TO.get(opened.purpose, ())
        }

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

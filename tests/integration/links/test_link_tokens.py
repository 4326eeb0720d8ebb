"""Every page that takes a link token refuses a token that is not exactly the one made for it:
forged, cut short, expired, made for another purpose, quarter or conversation, person or tenant.
Each gets the friendly page (HTML, 4xx, no trace) and nothing changes, whatever is posted."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest

from devtools.local_runtime.aws import Resources
from infra import wiring
from tandem.links import tokens
from tandem.links.tokens import ABOUT_SESSION, SCOPED, LinkTokens, Purpose
from tandem.links.urls import link_tokens
from tandem.model.clock import clock
from tandem.model.participant import participant_id
from tandem.store import participants
from tests.integration.support import (
    call_api,
    kicked_off,
    person,
    snapshot,
)

START = "2027-10-11T07:00:00Z"  # 2027-Q4 starts Monday 11 October
CYCLE = "2027-Q4"
FLO = participant_id("flo@acme.example")
HAL = participant_id("hal@acme.example")  # active, but in no group this quarter
# What a scanner, a curious colleague or an attacker might post along with the token.
FORM = {
    "action": "pause",
    "slot": "MO-15",
    "version": "0",
    "held": "yes",
    "helpful": "5",
    "pledge": "Take over the company",
    "name": "Mallory",
    "timezone": "UTC",
    "who1": "Society",
}

Forge = Callable[[Purpose, LinkTokens], str]


def scope(purpose: Purpose, cycle: str = CYCLE, session: int = 1) -> str | None:
    if purpose in ABOUT_SESSION:
        return f"{cycle}/{session}"
    return cycle if purpose in SCOPED else None


def valid(purpose: Purpose, signer: LinkTokens) -> str:
    return signer.sign(purpose, FLO, scope(purpose))


def forged(purpose: Purpose, signer: LinkTokens) -> str:
    """One character of the signature changed (not the last: its low bits are padding)."""
    token = valid(purpose, signer)
    swapped = "A" if token[-10] != "A" else "B"
    return token[:-10] + swapped + token[-9:]


def truncated(purpose: Purpose, signer: LinkTokens) -> str:
    return valid(purpose, signer)[:-6]


def expired(purpose: Purpose, signer: LinkTokens) -> str:
    now = clock.now()
    clock.set(now - tokens.LIFETIME[purpose] - timedelta(days=1))
    try:
        return valid(purpose, signer)
    finally:
        clock.set(now)


def another_purpose(purpose: Purpose, signer: LinkTokens) -> str:
    """Flo's real token for a sibling page: same person, same scope shape, wrong door."""
    kin = [p for p in Purpose if p is not purpose and (p in SCOPED) == (purpose in SCOPED)]
    other = next(p for p in kin if (p in ABOUT_SESSION) == (purpose in ABOUT_SESSION))
    return signer.sign(other, FLO, scope(other))


def another_quarter_or_session(purpose: Purpose, signer: LinkTokens) -> str:
    """Signed for Flo, about a quarter she was not matched in, or a conversation that does not
    exist; the self-service pages take no scope, so theirs names the quarter anyway."""
    if purpose in ABOUT_SESSION:
        return signer.sign(purpose, FLO, f"{CYCLE}/9")
    if purpose in SCOPED:
        return signer.sign(purpose, FLO, "2027-Q1")
    return str(signer._serializer(purpose).dumps([FLO, CYCLE]))


def another_participant(purpose: Purpose, signer: LinkTokens) -> str:
    """A genuine token, for someone the page has nothing for: Hal has no group this quarter,
    and nobody has the id of the self-service pages' token."""
    if purpose in SCOPED:
        return signer.sign(purpose, HAL, scope(purpose))
    return signer.sign(purpose, participant_id("nobody@acme.example"))


def another_tenant(purpose: Purpose, signer: LinkTokens) -> str:
    """Signed by another tenant's stack: its own secret, and its own name in the salt."""
    return LinkTokens("globex", ["another tenant's secret"]).sign(purpose, FLO, scope(purpose))


def another_tenant_same_key(purpose: Purpose, signer: LinkTokens) -> str:
    """Even a key shared by mistake does not carry a token across tenants: the salt names one."""
    keys = signer._keys
    return LinkTokens("globex", keys).sign(purpose, FLO, scope(purpose))


FORGERIES: dict[str, Forge] = {
    "forged": forged,
    "truncated": truncated,
    "expired": expired,
    "another purpose": another_purpose,
    "another quarter or session": another_quarter_or_session,
    "another participant": another_participant,
    "another tenant": another_tenant,
    "another tenant, same key": another_tenant_same_key,
}
TOKEN_ROUTES = [route for route in wiring.ROUTES if route.path.endswith("/{token}")]


@pytest.fixture
def quarter(aws: Resources) -> Iterator[Resources]:
    """Flo and Gus are matched for 2027-Q4; Hal joined after the matching."""
    kicked_off(
        aws, [person("Flo", "Engineering"), person("Gus", "Sales", timezone="America/New_York")]
    )
    participants.create_many([person("Hal", "Finance")])
    yield aws
    clock.reset()


def test_every_token_page_refuses_every_wrong_token_with_a_page_and_changes_nothing(
    quarter: Resources,
) -> None:
    signer = link_tokens()
    before = snapshot(quarter)
    refused = []
    for route in TOKEN_ROUTES:
        purpose = Purpose(route.path.split("/")[1])
        for name, forge in FORGERIES.items():
            path = route.path.replace("{token}", forge(purpose, signer))
            status, html = call_api(route.method, path, FORM if route.method == "POST" else None)
            refused.append((route.method, route.path, name))
            where = f"{route.method} {route.path} with a token {name}"
            assert 400 <= status < 500, f"{where}: {status}"
            assert html.lstrip().lower().startswith("<!doctype html>"), where
            assert "Traceback" not in html and '"message"' not in html, where
    assert snapshot(quarter) == before
    assert len(refused) == len(TOKEN_ROUTES) * len(FORGERIES) >= 17 * 8


def test_a_page_says_why_a_link_was_refused_without_saying_whose_it_was(
    quarter: Resources,
) -> None:
    signer = link_tokens()
    status, html = call_api("GET", f"/profile/{expired(Purpose.PROFILE, signer)}")
    assert status == 410 and "This link has expired" in html
    status, html = call_api("GET", f"/schedule/{another_tenant(Purpose.SCHEDULE, signer)}")
    assert status == 404 and "This link does not work" in html
    assert "Flo" not in html and "flo@" not in html


def test_the_signature_is_compared_in_constant_time(
    quarter: Resources, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Structurally, not by timing: every check of a signature goes through the standard
    library's constant-time comparison, for a good token and a forged one alike."""
    compared: list[tuple[bytes, bytes]] = []
    constant_time = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return constant_time(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    signer = link_tokens()
    assert signer.open(Purpose.PROFILE, valid(Purpose.PROFILE, signer)).participant == FLO
    with pytest.raises(tokens.InvalidLink):
        signer.open(Purpose.PROFILE, forged(Purpose.PROFILE, signer))
    assert len(compared) >= 2
    assert all(len(a) == len(b) == 32 for a, b in compared)  # whole SHA-256 digests

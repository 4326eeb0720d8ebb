from datetime import timedelta

import pytest

from tandem.links.tokens import LIFETIME, InvalidLink, LinkTokens, Purpose
from tandem.model.clock import clock


def test_a_token_opens_only_its_own_purpose_tenant_and_signature() -> None:
    tokens = LinkTokens("acme", ["key-1"])
    token = tokens.sign(Purpose.SIGNUP, "p1")
    assert tokens.open(Purpose.SIGNUP, token).participant == "p1"
    with pytest.raises(InvalidLink):
        tokens.open(Purpose.LEAVE, token)
    with pytest.raises(InvalidLink):
        LinkTokens("globex", ["key-1"]).open(Purpose.SIGNUP, token)
    with pytest.raises(InvalidLink):
        LinkTokens("acme", ["other-key"]).open(Purpose.SIGNUP, token)


def test_a_tampered_token_is_refused_as_invalid_not_expired() -> None:
    tokens = LinkTokens("acme", ["key-1"])
    token = tokens.sign(Purpose.PROFILE, "p1")
    forged = tokens.sign(Purpose.PROFILE, "p2").split(".")[0] + "." + token.split(".", 1)[1]
    with pytest.raises(InvalidLink) as refused:
        tokens.open(Purpose.PROFILE, forged)
    assert refused.value.expired is False


def test_tokens_expire_after_their_purposes_lifetime() -> None:
    tokens = LinkTokens("acme", ["key-1"])
    token = tokens.sign(Purpose.SIGNUP, "p1")
    clock.set(clock.now() + LIFETIME[Purpose.SIGNUP] - timedelta(minutes=1))
    assert tokens.open(Purpose.SIGNUP, token).participant == "p1"
    clock.set(clock.now() + timedelta(minutes=2))
    with pytest.raises(InvalidLink) as refused:
        tokens.open(Purpose.SIGNUP, token)
    assert refused.value.expired is True


def test_after_rotation_old_links_still_open_and_new_ones_use_the_new_key() -> None:
    before = LinkTokens("acme", ["old"]).sign(Purpose.LEAVE, "p1")
    rotated = LinkTokens("acme", ["old", "new"])
    assert rotated.open(Purpose.LEAVE, before).participant == "p1"
    after = rotated.sign(Purpose.LEAVE, "p1")
    assert LinkTokens("acme", ["new"]).open(Purpose.LEAVE, after).participant == "p1"


def test_a_scoped_token_opens_only_its_own_quarter_or_conversation() -> None:
    tokens = LinkTokens("acme", ["key-1"])
    token = tokens.sign(Purpose.GUIDE, "p1", "2027-Q1/2")
    link = tokens.open(Purpose.GUIDE, token)
    assert (link.participant, link.scope) == ("p1", "2027-Q1/2")
    with pytest.raises(InvalidLink):
        tokens.open(Purpose.SCHEDULE, token)
    # A token of a scoped purpose without its scope, or the other way round, opens nothing
    unscoped = tokens._serializer(Purpose.GUIDE).dumps("p1")
    with pytest.raises(InvalidLink):
        tokens.open(Purpose.GUIDE, unscoped)
    scoped = tokens._serializer(Purpose.PROFILE).dumps(["p1", "2027-Q1"])
    with pytest.raises(InvalidLink):
        tokens.open(Purpose.PROFILE, scoped)
    with pytest.raises(ValueError, match="needs scope"):
        tokens.sign(Purpose.SCHEDULE, "p1")


def test_a_token_signed_to_end_early_expires_then_whatever_its_purpose() -> None:
    tokens = LinkTokens("acme", ["key-1"])
    ends = clock.now() + timedelta(days=1)
    token = tokens.sign(Purpose.PROFILE, "p1", not_after=ends)
    assert tokens.open(Purpose.PROFILE, token).expires_at == ends.replace(microsecond=0)
    clock.set(ends + timedelta(seconds=1))
    with pytest.raises(InvalidLink) as refused:
        tokens.open(Purpose.PROFILE, token)
    assert refused.value.expired is True
    # An end beyond the purpose's lifetime changes nothing: the token is the usual one
    later = clock.now() + LIFETIME[Purpose.PROFILE] + timedelta(days=1)
    assert tokens.sign(Purpose.PROFILE, "p1", not_after=later) == tokens.sign(Purpose.PROFILE, "p1")


def test_a_link_signed_before_the_persons_links_were_revoked_is_revoked() -> None:
    tokens = LinkTokens("acme", ["key-1"])
    link = tokens.open(Purpose.LEAVE, tokens.sign(Purpose.LEAVE, "p1"))
    assert not link.revoked(None)
    assert not link.revoked(link.signed_at)  # signed in the second of the revocation: kept
    assert link.revoked(link.signed_at + timedelta(seconds=1))

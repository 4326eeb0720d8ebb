from datetime import timedelta

import pytest

from tandem.links.tokens import LIFETIME, InvalidLink, LinkTokens, Purpose
from tandem.model.clock import clock


def test_a_token_opens_only_its_own_purpose_tenant_and_signature() -> None:
    tokens = LinkTokens("acme", ["key-1"])
    token = tokens.sign(Purpose.SIGNUP, "p1")
    assert tokens.verify(Purpose.SIGNUP, token) == "p1"
    with pytest.raises(InvalidLink):
        tokens.verify(Purpose.LEAVE, token)
    with pytest.raises(InvalidLink):
        LinkTokens("globex", ["key-1"]).verify(Purpose.SIGNUP, token)
    with pytest.raises(InvalidLink):
        LinkTokens("acme", ["other-key"]).verify(Purpose.SIGNUP, token)


def test_a_tampered_token_is_refused_as_invalid_not_expired() -> None:
    tokens = LinkTokens("acme", ["key-1"])
    token = tokens.sign(Purpose.PROFILE, "p1")
    forged = tokens.sign(Purpose.PROFILE, "p2").split(".")[0] + "." + token.split(".", 1)[1]
    with pytest.raises(InvalidLink) as refused:
        tokens.verify(Purpose.PROFILE, forged)
    assert refused.value.expired is False


def test_tokens_expire_after_their_purposes_lifetime() -> None:
    tokens = LinkTokens("acme", ["key-1"])
    token = tokens.sign(Purpose.SIGNUP, "p1")
    clock.set(clock.now() + LIFETIME[Purpose.SIGNUP] - timedelta(minutes=1))
    assert tokens.verify(Purpose.SIGNUP, token) == "p1"
    clock.set(clock.now() + timedelta(minutes=2))
    with pytest.raises(InvalidLink) as refused:
        tokens.verify(Purpose.SIGNUP, token)
    assert refused.value.expired is True


def test_after_rotation_old_links_still_open_and_new_ones_use_the_new_key() -> None:
    before = LinkTokens("acme", ["old"]).sign(Purpose.LEAVE, "p1")
    rotated = LinkTokens("acme", ["old", "new"])
    assert rotated.verify(Purpose.LEAVE, before) == "p1"
    after = rotated.sign(Purpose.LEAVE, "p1")
    assert LinkTokens("acme", ["new"]).verify(Purpose.LEAVE, after) == "p1"


def test_a_scoped_token_opens_only_its_own_quarter_or_conversation() -> None:
    tokens = LinkTokens("acme", ["key-1"])
    token = tokens.sign(Purpose.GUIDE, "p1", "2027-Q1/2")
    assert tokens.verify_scoped(Purpose.GUIDE, token) == ("p1", "2027-Q1/2")
    with pytest.raises(InvalidLink):  # a scoped token is not a bare participant token
        tokens.verify(Purpose.GUIDE, token)
    with pytest.raises(InvalidLink):
        tokens.verify_scoped(Purpose.SCHEDULE, token)
    with pytest.raises(InvalidLink):  # nor the other way round
        tokens.verify_scoped(Purpose.PROFILE, tokens.sign(Purpose.PROFILE, "p1"))
    with pytest.raises(ValueError, match="needs scope"):
        tokens.sign(Purpose.SCHEDULE, "p1")

"""The links a page renders: only purposes its own link leads to, none outliving it."""

from datetime import timedelta

from tandem.links.tokens import ABOUT_SESSION, LIFETIME, SCOPED, LinkTokens, Purpose
from tandem.links.urls import LEADS_TO, Links
from tandem.model.clock import clock


def test_a_page_leads_only_to_purposes_about_the_same_thing() -> None:
    for opened, leads_to in LEADS_TO.items():
        for purpose in leads_to:
            assert (purpose in SCOPED) == (opened in SCOPED), (opened, purpose)
            assert purpose not in ABOUT_SESSION and purpose is not Purpose.SIGNUP


def test_a_pages_links_expire_with_the_link_that_opened_it() -> None:
    tokens = LinkTokens("acme", ["key-1"])
    now = clock.now()
    clock.set(now - LIFETIME[Purpose.PREFERENCES] + timedelta(days=1))
    old = tokens.sign(Purpose.PREFERENCES, "p1")
    clock.set(now)
    opened = tokens.open(Purpose.PREFERENCES, old)
    rendered = Links("https://links.example", tokens).leading_from(opened)
    assert set(rendered) == {"profile", "pause", "leave"}
    for purpose, url in rendered.items():
        link = tokens.open(Purpose(purpose), url.rsplit("/", 1)[1])
        assert link.participant == "p1" and link.expires_at <= opened.expires_at


def test_a_page_about_a_quarter_leads_to_the_same_quarter_and_a_guide_nowhere() -> None:
    tokens = LinkTokens("acme", ["key-1"])
    links = Links("https://links.example", tokens)
    schedule = tokens.open(Purpose.SCHEDULE, tokens.sign(Purpose.SCHEDULE, "p1", "2027-Q1"))
    [(purpose, url)] = links.leading_from(schedule).items()
    assert tokens.open(Purpose(purpose), url.rsplit("/", 1)[1]).scope == "2027-Q1"
    guide = tokens.open(Purpose.GUIDE, tokens.sign(Purpose.GUIDE, "p1", "2027-Q1/2"))
    assert links.leading_from(guide) == {}

"""The pages behind emailed links, called as API Gateway calls the function."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from devtools.local_runtime.aws import Resources
from functions.participant_pages import handler
from tandem.links.tokens import LIFETIME, Purpose
from tandem.model.clock import clock
from tandem.model.participant import Participant, Source, Status, participant_id
from tandem.people import erasure
from tandem.store import participants
from tests.integration.support import (
    ANSWERS,
    aws_calls,
    call_api,
    context,
    deliver_mail,
    invite_ada,
    load_event,
    queued,
    sent,
)

DETAILS = {"name": "Ada Lovelace", "timezone": "Europe/London", "location": "London"}
ADA = participant_id("ada@acme.example")


@pytest.fixture
def invite(aws: Resources) -> str:
    """Ada is on the roster and has her invitation: returns its signup link."""
    invite_ada()
    deliver_mail(aws)
    return sent()[-1].link("signup")


def sign_up(invite: str, aws: Resources) -> None:
    status, _ = call_api("POST", invite, {**DETAILS, **ANSWERS})
    assert status == 200
    deliver_mail(aws)


def stored() -> Participant:
    person = participants.get(ADA)
    assert person is not None
    return person


def test_opening_the_invite_shows_the_prefilled_form_and_changes_nothing(
    invite: str, aws: Resources
) -> None:
    status, html = call_api("GET", invite)
    assert status == 200
    assert "Welcome, Ada" in html and 'value="Ada L."' in html
    assert stored().status is Status.INVITED
    assert queued(aws, "mail") == []


def test_signing_up_stores_the_profile_shows_it_and_sends_one_welcome(
    invite: str, aws: Resources
) -> None:
    status, html = call_api("POST", invite, {**DETAILS, **ANSWERS})
    assert status == 200
    assert "Society, Karma, Human" in html
    person = stored()
    assert person.status is Status.ACTIVE
    assert (person.name, person.timezone, person.location) == (
        "Ada Lovelace",
        "Europe/London",
        "London",
    )
    assert person.purpose is not None and person.purpose.pattern == "Society, Karma, Human"
    # A double submit changes nothing more and sends no second welcome
    assert call_api("POST", invite, {**DETAILS, **ANSWERS})[0] == 200
    deliver_mail(aws)
    welcomes = [e for e in sent() if e.subject.startswith("You're signed up")]
    assert len(welcomes) == 1
    assert {"profile", "pause", "leave"} <= {link.split("/")[3] for link in welcomes[0].links}


def test_an_incomplete_form_comes_back_with_the_problems_and_saves_nothing(invite: str) -> None:
    answers = {k: v for k, v in ANSWERS.items() if k != "why2"}
    status, html = call_api(
        "POST", invite, {**DETAILS, "name": " ", "timezone": "Mars/Base", **answers}
    )
    assert status == 400
    assert "Please enter your name" in html
    assert "Please choose your time zone" in html
    assert "1 question still needs an answer" in html
    assert 'value="Society" checked' in html  # what was answered is kept
    assert stored().status is Status.INVITED


def test_the_fresh_links_form_says_what_to_enter_without_quoting_it_back(aws: Resources) -> None:
    for entered, problem in (
        ("", "Please enter your work email address."),
        ("ada@", "Please enter your work email address, like name@acme.example."),
    ):
        status, html = call_api("POST", "/links", {"email": entered})
        assert status == 400 and "not a valid email address" not in html
        # next to the field, which points to it, as on every other form
        assert f'<p class="error" id="email-error">{problem}</p>' in html
        assert 'aria-invalid="true" aria-describedby="email-error"' in html


def test_the_invite_link_after_signup_shows_the_profile(invite: str, aws: Resources) -> None:
    sign_up(invite, aws)
    status, html = call_api("GET", invite)
    assert status == 200 and "Your profile is saved" in html and "Society, Karma, Human" in html


def test_the_profile_link_updates_what_the_person_owns(invite: str, aws: Resources) -> None:
    sign_up(invite, aws)
    profile = sent()[-1].link("profile")
    assert "Your profile" in call_api("GET", profile)[1]
    changed = {
        **DETAILS,
        **ANSWERS,
        "timezone": "Asia/Tokyo",
        "how1": "Knowledge",
        "how2": "Knowledge",
    }
    status, html = call_api("POST", profile, changed)
    assert status == 200 and "Society, Karma, Knowledge" in html
    assert stored().timezone == "Asia/Tokyo"


@pytest.mark.parametrize(
    "mangle",
    [
        lambda link: link[:-6],  # cut short when copied
        lambda link: link.replace("/signup/", "/profile/"),  # a token used for another purpose
    ],
)
def test_a_broken_link_gets_a_friendly_page_to_ask_for_fresh_links(
    invite: str, mangle: Callable[[str], str]
) -> None:
    status, html = call_api("GET", mangle(invite))
    assert status == 404 and "This link does not work" in html
    assert 'action="../links"' in html


def test_an_expired_link_says_so(invite: str) -> None:
    clock.set(clock.now() + LIFETIME[Purpose.SIGNUP] + timedelta(days=1))
    status, html = call_api("GET", invite)
    assert status == 410 and "This link has expired" in html


def test_pause_and_resume_next_quarter(invite: str, aws: Resources) -> None:
    sign_up(invite, aws)
    clock.set(datetime(2026, 12, 1, 9, tzinfo=UTC))
    pause = sent()[-1].link("pause")
    status, html = call_api("GET", pause)
    assert status == 200 and "Pause next quarter?" in html
    assert "starts on Monday 11 January 2027" in html
    assert stored().paused_cycles == frozenset()
    assert call_api("POST", pause, {"action": "pause"})[0] == 200
    assert stored().paused_cycles == {"2027-Q1"}
    assert "You are paused for next quarter" in call_api("GET", pause)[1]
    assert call_api("POST", pause, {"action": "resume"})[0] == 200
    assert stored().paused_cycles == frozenset()
    assert call_api("POST", pause, {"action": "explode"})[0] == 400


def test_leaving_from_the_link_or_the_one_click_unsubscribe(invite: str, aws: Resources) -> None:
    leave = sent()[-1].link("leave")
    status, html = call_api("GET", leave)
    assert status == 200 and "Leave the program?" in html
    assert stored().status is Status.INVITED  # GET changed nothing
    # The mail client's one-click unsubscribe (RFC 8058)
    status, html = call_api("POST", leave, {"List-Unsubscribe": "One-Click"})
    assert status == 200 and "You have left the program" in html
    assert stored().status is Status.LEFT
    # leaving twice is leaving once
    assert call_api("POST", leave, {"List-Unsubscribe": "One-Click"})[0] == 200
    status, html = call_api("GET", invite)
    assert status == 410 and "no longer in the program" in html


def test_only_the_leave_pages_button_or_the_one_click_body_leaves(
    invite: str, aws: Resources
) -> None:
    sign_up(invite, aws)
    leave = sent()[-1].link("leave")
    # A link scanner's empty POST, or any other body, is not a person leaving
    for body in ({}, {"List-Unsubscribe": "yes"}, {"action": "explode"}):
        status, html = call_api("POST", leave, body)
        assert status == 400 and "Leave the program?" in html
        assert stored().status is Status.ACTIVE
    # The page is the confirmation: its button says what it does
    _, html = call_api("GET", leave)
    assert 'name="action" value="leave"' in html
    assert call_api("POST", leave, {"action": "leave"})[0] == 200
    assert stored().status is Status.LEFT


def test_whoever_left_can_rejoin_from_the_same_link(invite: str, aws: Resources) -> None:
    sign_up(invite, aws)
    leave = sent()[-1].link("leave")
    call_api("POST", leave, {"action": "leave"})
    status, html = call_api("GET", leave)
    assert status == 200 and "Rejoin the program" in html and stored().status is Status.LEFT
    status, html = call_api("POST", leave, {"action": "rejoin"})
    assert status == 200 and "matched again from the next quarter" in html
    person = stored()
    assert person.status is Status.ACTIVE and person.left_at is None
    assert [p.id for p in participants.in_level("Manager", Status.ACTIVE)] == [ADA]


def test_the_profile_sets_the_name_a_person_goes_by_and_refuses_an_invisible_name(
    invite: str, aws: Resources
) -> None:
    status, html = call_api("POST", invite, {**DETAILS, **ANSWERS, "name": "\u200b"})
    assert status == 400 and 'id="name-error"' in html and stored().status is Status.INVITED
    form = {**DETAILS, **ANSWERS, "name": "Lovelace, Augusta Ada", "preferred_name": "Ada"}
    status, html = call_api("POST", invite, form)
    assert status == 200 and "re in, Ada!</h1>" in html
    assert (stored().name, stored().preferred_name) == ("Lovelace, Augusta Ada", "Ada")
    deliver_mail(aws)
    profile = sent()[-1].link("profile")
    assert 'name="preferred_name" value="Ada"' in call_api("GET", profile)[1]
    # Cleared, the greeting is the name as written: never cut at a comma or space
    call_api("POST", profile, {**form, "preferred_name": ""})
    assert stored().preferred_name is None and stored().known_as == "Lovelace, Augusta Ada"


def test_opening_the_profile_link_changes_nothing(invite: str, aws: Resources) -> None:
    sign_up(invite, aws)
    before = stored()
    status, html = call_api("GET", sent()[-1].link("profile"))
    assert status == 200 and "Your profile" in html
    assert stored() == before


def test_open_signup_sends_the_invite_to_the_address_given(aws: Resources) -> None:
    form = {
        "email": "Lin@Acme.example",
        "name": "Lin Wei",
        "department": "Finance",
        "level": "Director",
        "timezone": "Asia/Singapore",
        "manager_email": "",
        "location": "",
    }
    assert call_api("GET", "/join")[0] == 200
    status, html = call_api("POST", "/join", form)
    assert status == 200 and "Check your inbox" in html
    deliver_mail(aws)
    [invitation] = sent()
    assert invitation.to == ["lin@acme.example"] and any(
        "/signup/" in link for link in invitation.links
    )
    person = participants.get(participant_id("lin@acme.example"))
    assert (
        person is not None
        and person.source is Source.OPEN_SIGNUP
        and person.status is Status.INVITED
    )


@pytest.mark.parametrize("state", ["invited", "signed up", "left", "erased"])
def test_open_signup_does_the_same_work_for_a_known_and_a_new_address(
    state: str, invite: str, aws: Resources
) -> None:
    """What the page does shows in how long it takes: the same calls, whoever is asking."""
    if state == "signed up":
        sign_up(invite, aws)
    elif state == "left":
        participants.leave(ADA, clock.now())
    elif state == "erased":
        erasure.erase("ada@acme.example", clock.now())
    form = {"name": "X Y", "department": "Finance", "level": "Director", "timezone": "UTC"}

    def join(email: str) -> tuple[int, str]:
        status, html = call_api("POST", "/join", {**form, "email": email})
        return status, html.replace(email, "<address>")

    join("warm-up@acme.example")  # the clients the page uses exist from here on
    deliver_mail(aws)
    before = len(sent())
    with aws_calls() as known_calls:
        known = join("ada@acme.example")
    with aws_calls() as new_calls:
        new = join("lin@acme.example")
    assert known_calls == new_calls
    # One create, which checks the erasure marker in the same transaction, and one message
    assert known_calls["dynamodb.TransactWriteItems"] == known_calls["sqs.SendMessageBatch"] == 1
    assert known == new and known[0] == 200
    # and the mail the addresses get is still what each may have
    deliver_mail(aws)
    got = sorted((e.to[0], e.subject) for e in sent()[before:])
    expected = [("lin@acme.example", sent()[0].subject)]  # an invitation, like Ada's
    if state not in ("left", "erased"):
        expected.insert(0, ("ada@acme.example", "Your peer coaching links"))
    assert got == expected


@pytest.mark.parametrize("state", ["invited", "left"])
def test_fresh_links_do_the_same_work_for_a_known_and_an_unknown_address(
    state: str, invite: str, aws: Resources
) -> None:
    """Like the open signup: the calls the door makes, and so its time, never tell who is in."""
    if state == "left":
        participants.leave(ADA, clock.now())
    call_api("POST", "/links", {"email": "warm-up@acme.example"})
    with aws_calls() as known:
        call_api("POST", "/links", {"email": "ada@acme.example"})
    with aws_calls() as unknown:
        call_api("POST", "/links", {"email": "mallory@acme.example"})
    assert known == unknown and known["sqs.SendMessageBatch"] == 1


def test_open_signup_refuses_other_domains_and_unknown_levels(aws: Resources) -> None:
    form = {
        "email": "lin@gmail.com",
        "name": "Lin",
        "department": "Finance",
        "level": "Director",
        "timezone": "UTC",
    }
    status, html = call_api("POST", "/join", form)
    assert status == 400 and "Please enter your work email address (@acme.example)" in html
    status, html = call_api("POST", "/join", {**form, "email": "lin@acme.example", "level": "CEO"})
    assert status == 400 and "Please choose your level from the list" in html
    assert queued(aws, "mail") == []


def test_open_signup_errors_are_words_next_to_each_field_in_form_order(aws: Resources) -> None:
    form = {
        "email": "lin@gmail.com",
        "name": " ",
        "department": "",
        "level": "CEO",
        "timezone": "Mars/Base",
        "manager_email": "not an address",
        "location": "x" * 300,
    }
    status, html = call_api("POST", "/join", form)
    assert status == 400 and queued(aws, "mail") == []
    assert "must not be empty" not in html and "name:" not in html  # words, not field keys
    fields = [*form]
    messages = [html.index(f'<p class="error" id="{field}-error">') for field in fields]
    assert messages == sorted(messages)  # in form order
    for field in fields:  # each next to its field, which points to it
        described = html.index(f'aria-describedby="{field}-error')
        assert messages[fields.index(field)] < described
    assert html.count("autofocus") == 1  # on the first field to fix
    assert html.index('id="email"') < html.index("autofocus") < html.index('id="name"')
    assert "Please enter your name (one line, up to 200 characters)." in html
    assert "x" * 201 not in html  # what was typed is not echoed back whole


def test_fresh_links_never_reveal_who_is_in_the_program(invite: str, aws: Resources) -> None:
    known = call_api("POST", "/links", {"email": "ADA@acme.example"})
    unknown = call_api("POST", "/links", {"email": "mallory@acme.example"})
    assert known[0] == unknown[0] == 200
    assert known[1].replace("ada@acme.example", "X") == unknown[1].replace(
        "mallory@acme.example", "X"
    )
    deliver_mail(aws)
    assert [e.subject for e in sent()[1:]] == ["Your peer coaching links"]
    assert call_api("POST", "/links", {"email": "not an address"})[0] == 400


def test_pages_send_strict_security_headers(invite: str) -> None:
    event = load_event("api_signup_get.json")
    event["path"] = "/signup/" + invite.rsplit("/", 1)[1]
    event["pathParameters"] = {"token": invite.rsplit("/", 1)[1]}
    headers = handler.handler(event, context("participant_pages"))["multiValueHeaders"]
    assert headers["Referrer-Policy"] == ["no-referrer"]  # the URL holds the token
    assert headers["Cache-Control"] == ["no-store"]
    assert headers["Content-Security-Policy"][0].startswith("default-src 'none'")
    # Once a browser has seen the pages over HTTPS, it never sends a token over plain HTTP
    assert headers["Strict-Transport-Security"] == ["max-age=31536000; includeSubDomains"]


@pytest.mark.parametrize("missing", ["name", "timezone", "location"])
def test_a_form_without_a_field_gets_the_form_back_in_words(
    invite: str, aws: Resources, missing: str
) -> None:
    fields = {k: v for k, v in {**DETAILS, **ANSWERS}.items() if k != missing}
    status, html = call_api("POST", invite, fields)
    if missing == "location":  # optional: the signup goes through
        assert status == 200
        return
    assert status == 400 and stored().status is Status.INVITED
    assert f"{missing}:" not in html  # people read words, not field keys
    assert {"name": "Please enter your name", "timezone": "Please choose your time zone"}[
        missing
    ] in html


def test_a_form_that_leaves_out_the_location_keeps_the_rosters(aws: Resources) -> None:
    """A browser sends every field, an emptied one to clear it; a form sent without the field
    (a script's) keeps what the roster says."""
    invite_ada(location="Lisbon")
    deliver_mail(aws)
    link = sent()[-1].link("signup")
    fields = {k: v for k, v in {**DETAILS, **ANSWERS}.items() if k != "location"}
    assert call_api("POST", link, fields)[0] == 200
    assert stored().location == "Lisbon"
    deliver_mail(aws)
    profile = [e for e in sent() if e.subject.startswith("You're signed up")][-1].link("profile")
    assert call_api("POST", profile, {**DETAILS, "location": "", **ANSWERS})[0] == 200
    assert stored().location is None


def test_the_signup_link_after_signup_changes_nothing_and_leads_to_the_profile(
    invite: str, aws: Resources
) -> None:
    sign_up(invite, aws)
    status, html = call_api("POST", invite, {**DETAILS, "name": "Someone Else", **ANSWERS})
    assert status == 200 and stored().name == "Ada Lovelace"
    assert "/profile/" in html


def test_an_invited_person_posting_to_pause_is_refused_not_told_ok(invite: str) -> None:
    from tandem.links.urls import link_tokens

    token = link_tokens().sign(Purpose.PAUSE, ADA)
    assert call_api("GET", f"/pause/{token}")[0] == 200  # the page explains
    status, html = call_api("POST", f"/pause/{token}", {"action": "pause"})
    assert status == 400 and "You have not signed up yet" in html
    assert stored().paused_cycles == frozenset()


def test_answers_the_domain_refuses_get_a_400_page_not_a_500(
    invite: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tandem.model import purpose
    from tandem.people import selfservice

    def refuse(*_: object) -> None:  # the domain's check is stricter than the page's
        raise purpose.IncompleteAnswers(["why2"])

    monkeypatch.setattr(selfservice, "save_profile", refuse)
    status, html = call_api("POST", invite, {**DETAILS, **ANSWERS})
    assert status == 400 and "Some questions still need an answer" in html
    assert stored().status is Status.INVITED


def preferences_link(invite: str, aws: Resources) -> str:
    sign_up(invite, aws)
    clock.set(datetime(2026, 12, 1, 9, tzinfo=UTC))
    return sent()[-1].link("preferences")  # in the footer of every email


def test_preferences_pause_and_resume_next_quarter_in_one_place(
    invite: str, aws: Resources
) -> None:
    link = preferences_link(invite, aws)
    status, html = call_api("GET", link)
    assert status == 200 and "Your preferences" in html
    assert '<option value="Europe/London" selected>' in html  # the current zone is chosen
    assert "starts on Monday 11 January 2027" in html
    assert stored().paused_cycles == frozenset()  # GET changed nothing
    status, html = call_api("POST", link, {"action": "pause"})
    assert status == 200 and "You are paused for next quarter" in html
    assert stored().paused_cycles == {"2027-Q1"}
    assert call_api("POST", link, {"action": "resume"})[0] == 200
    assert stored().paused_cycles == frozenset()


def test_preferences_change_the_time_zone_only_from_the_zone_the_page_showed(
    invite: str, aws: Resources
) -> None:
    link = preferences_link(invite, aws)
    change = {"action": "timezone", "shown_timezone": "Europe/London", "timezone": "Asia/Tokyo"}
    status, html = call_api("POST", link, change)
    assert status == 200 and '<option value="Asia/Tokyo" selected>' in html
    assert stored().timezone == "Asia/Tokyo"
    # Another tab still showing London sends its own choice: it is told, and changes nothing
    status, html = call_api("POST", link, {**change, "timezone": "Europe/Paris"})
    assert status == 409 and "changed meanwhile" in html
    assert '<option value="Asia/Tokyo" selected>' in html and stored().timezone == "Asia/Tokyo"


@pytest.mark.parametrize(
    "form",
    [
        {},  # a link scanner's empty POST
        {"action": "explode"},
        {"action": "timezone", "shown_timezone": "Europe/London", "timezone": "Mars/Base"},
        {"action": "timezone", "shown_timezone": "Europe/London"},
    ],
)
def test_preferences_refuse_bad_input_in_words_and_change_nothing(
    invite: str, aws: Resources, form: dict[str, str]
) -> None:
    link = preferences_link(invite, aws)
    before = stored()
    status, html = call_api("POST", link, form)
    assert status == 400 and stored() == before
    if form.get("action") == "timezone":
        assert '<p class="error" id="timezone-error">Please choose your time zone' in html
        assert 'aria-describedby="timezone-error timezone-hint" aria-invalid="true"' in html
    else:
        assert "Nothing was changed: please use one of the buttons below." in html


def test_leaving_from_the_preferences_and_rejoining(invite: str, aws: Resources) -> None:
    link = preferences_link(invite, aws)
    # The page leads to the leave page, which asks first; its own POST cannot leave
    _, html = call_api("GET", link)
    assert 'value="leave"' not in html
    status, _ = call_api("POST", link, {"action": "leave"})
    assert status == 400 and stored().status is Status.ACTIVE
    leave = "/leave/" + html.split('href="../leave/', 1)[1].split('"', 1)[0]
    assert "Leave the program?" in call_api("GET", leave)[1]
    status, html = call_api("POST", leave, {"action": "leave"})
    assert status == 200 and "You have left the program" in html
    assert stored().status is Status.LEFT
    status, html = call_api("GET", link)  # the page now offers to rejoin
    assert status == 200 and "Rejoin the program" in html
    assert call_api("POST", link, {"action": "rejoin"})[0] == 200
    assert stored().status is Status.ACTIVE


def test_preferences_of_an_invited_person_offer_only_to_leave(invite: str) -> None:
    from tandem.links.urls import link_tokens

    link = f"/preferences/{link_tokens().sign(Purpose.PREFERENCES, ADA)}"
    status, html = call_api("GET", link)
    assert status == 200 and "Leave the program" in html and 'name="timezone"' not in html
    for action in ("pause", "timezone"):
        form = {"action": action, "shown_timezone": "UTC", "timezone": "Asia/Tokyo"}
        status, html = call_api("POST", link, form)
        assert status == 400 and "You have not signed up yet" in html
    assert stored().paused_cycles == frozenset() and stored().timezone == "UTC"

import email
import re
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import getaddresses
from types import SimpleNamespace

from tandem.mail.compose import compose
from tandem.model.mail_request import MailKind, MailRequest, applies_to
from tandem.model.participant import MailBlock, Participant, Source, Status
from tandem.model.purpose import PurposeProfile
from tandem.model.tenant import BandFormat, Tenant

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
LINKS = {
    p: f"https://links.example/{p}/tok"
    for p in ("signup", "profile", "pause", "leave", "preferences")
}


def person(status: Status = Status.INVITED, name: str = "Ada Lovelace") -> Participant:
    return Participant(
        email="ada@acme.example",
        name=name,
        department="Eng",
        level="Manager",
        timezone="UTC",
        status=status,
        source=Source.ROSTER,
        purpose=PurposeProfile.parse("Society", "Karma", "Human")
        if status is Status.ACTIVE
        else None,
    )


def test_an_invite_has_both_parts_the_signup_link_and_one_click_unsubscribe(tenant: Tenant) -> None:
    message = compose(MailRequest.invite("p1"), person(), tenant, LINKS, NOW)
    assert message["To"] == "Ada Lovelace <ada@acme.example>"
    assert message["From"] == "Tandem <coaching@acme.example>"
    assert message["Reply-To"] == "Hana Ruiz <hana@acme.example>"
    assert message["Subject"] == "You're invited: peer coaching at Acme Test"
    assert message["List-Unsubscribe"] == f"<{LINKS['leave']}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert LINKS["signup"] in text and LINKS["signup"] in html
    assert "Hi Ada Lovelace," in text  # no preferred name: the name as written


def test_the_welcome_carries_the_profile_the_next_quarter_and_every_self_service_link(
    tenant: Tenant,
) -> None:
    message = compose(MailRequest.welcome("p1"), person(Status.ACTIVE), tenant, LINKS, NOW)
    text = message.get_body(("plain",)).get_content()
    assert message["Subject"] == "You're signed up: Society, Karma, Human"
    assert "Monday 11 January 2027" in text
    for purpose in ("profile", "pause", "leave"):
        assert LINKS[purpose] in text


def test_the_welcome_offers_leaving_once_in_its_html(tenant: Tenant) -> None:
    """Its actions say what to do next; leaving is in the footer, as in every email."""
    message = compose(MailRequest.welcome("p1"), person(Status.ACTIVE), tenant, LINKS, NOW)
    html = message.get_body(("html",)).get_content()
    assert html.count(f'href="{LINKS["leave"]}"') == 1
    assert html.count("Leave the program") == 1


def test_a_band_meeting_in_circles_is_promised_a_circle_not_a_partner(tenant: Tenant) -> None:
    """Welcome and notice promise what the band gets: a circle may hold two of one department
    where the band's departments cannot all differ, so it is not promised "another department"."""
    formats = {"Manager": BandFormat(format="circles", size=4)}
    in_circles = replace(tenant, matching=replace(tenant.matching, formats=formats))
    notice = MailRequest.about_cycle(MailKind.NOTICE, "p1", "2027-Q1")
    for request in (MailRequest.invite("p1"), MailRequest.welcome("p1"), notice):
        extra = {"cycle": SimpleNamespace(starts=NOW)} if request is notice else {}
        told = {
            band: compose(request, person(Status.ACTIVE), t, LINKS, NOW, **extra)
            for band, t in (("pairs", tenant), ("circles", in_circles))
        }
        for band, message in told.items():
            plain = message.get_body(("plain",)).get_content()
            paragraph = {"welcome": "\n2. ", "notice": "\n\nOver the", "invite": ".\n\nSign up"}
            assert paragraph[request.kind] in plain
            for kind in ("plain", "html"):
                body = " ".join(message.get_body((kind,)).get_content().split())
                assert ("circle of about 4" in body or "about 4 people" in body) is (
                    band == "circles"
                )
                pairs_promise = ("from another department", "from another part of")
                assert any(p in body for p in pairs_promise) is (band == "pairs")


def test_every_email_ends_with_the_preferences_link_beside_leaving(tenant: Tenant) -> None:
    for request, status in (
        (MailRequest.invite("p1"), Status.INVITED),
        (MailRequest.welcome("p1"), Status.ACTIVE),
    ):
        message = compose(request, person(status), tenant, LINKS, NOW)
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert text.rstrip().endswith(f"(pause, time zone, leave): {LINKS['preferences']}")
        footer = html[html.rindex("Questions?") :]
        assert f'href="{LINKS["preferences"]}"' in footer and f'href="{LINKS["leave"]}"' in footer


def test_names_are_escaped_in_html_and_plain_in_text(tenant: Tenant) -> None:
    message = compose(
        MailRequest.invite("p1"), person(name="<b>Eve</b> Hacker"), tenant, LINKS, NOW
    )
    html = message.get_body(("html",)).get_content()
    assert "<b>Eve</b>" not in html and "&lt;b&gt;Eve&lt;/b&gt;" in html
    assert "Hi <b>Eve</b> Hacker," in message.get_body(("plain",)).get_content()


def test_the_html_part_is_titled_with_the_subject(tenant: Tenant) -> None:
    # A screen reader announces the title first; without one it reads out the file's name.
    message = compose(MailRequest.invite("p1"), person(), tenant, LINKS, NOW)
    html = message.get_body(("html",)).get_content()
    assert "<title>You&#39;re invited: peer coaching at Acme Test</title>" in html


def test_a_name_cannot_add_an_address_to_the_headers(tenant: Tenant) -> None:
    """An accent makes the name an encoded word; the rest of it must not leak out as another
    address that SES would send to (or reply to), as formataddr lets it."""
    name = "Zoë <script>x</script>, <mallory@evil.example>"
    partner = replace(person(Status.ACTIVE, name), email="zoe@acme.example")
    message = compose(
        MailRequest.invite("p1"), person(name=name), tenant, LINKS, NOW, partners=[partner]
    )
    parsed = email.message_from_bytes(message.as_bytes())  # as SES reads the raw message
    assert [address for _, address in getaddresses([parsed["To"]])] == ["ada@acme.example"]
    assert [address for _, address in getaddresses([parsed["Reply-To"]])] == ["zoe@acme.example"]


def test_who_each_kind_of_mail_is_for() -> None:
    assert applies_to(MailKind.INVITE, person(Status.INVITED))
    assert not applies_to(MailKind.INVITE, person(Status.ACTIVE))
    assert applies_to(MailKind.WELCOME, person(Status.ACTIVE))
    assert not any(applies_to(kind, person(Status.LEFT)) for kind in MailKind)


def test_mail_ids_name_the_intent_so_repeats_collapse() -> None:
    assert MailRequest.invite("p1").mail_id == MailRequest.invite("p1").mail_id == "invite/p1"
    later_that_day = NOW.replace(hour=18)
    assert (
        MailRequest.fresh_links("p1", NOW).mail_id
        == MailRequest.fresh_links("p1", later_that_day).mail_id
    )


def test_one_click_unsubscribe_goes_out_as_a_plain_url_however_long_the_link(
    tenant: Tenant,
) -> None:
    # Real link tokens are long: a header word over the line limit must not be RFC 2047-encoded
    long_links = {**LINKS, "leave": "https://links.example/leave/" + "t" * 160}
    raw = compose(MailRequest.invite("p1"), person(), tenant, long_links, NOW).as_bytes()
    assert f"List-Unsubscribe: <{long_links['leave']}>".encode() in raw
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in raw
    assert b"=?utf-8?" not in raw.split(b"\n\n")[0].lower()


def test_bodies_go_out_7_bit_safe_even_with_accents_and_quotes(tenant: Tenant) -> None:
    raw = compose(MailRequest.invite("p1"), person(name="Chloé “Ada” Lovelace"), tenant, LINKS, NOW)
    assert all(byte < 128 for byte in raw.as_bytes())


def test_a_person_whose_address_is_blocked_gets_only_the_mail_they_asked_for() -> None:
    blocked = replace(person(Status.ACTIVE), mail_blocked=MailBlock.BOUNCED, mail_blocked_at=NOW)
    tried = {kind for kind in MailKind if applies_to(kind, blocked)}
    assert tried == {MailKind.WELCOME, MailKind.LINKS}


def test_the_footer_says_who_a_reply_reaches(tenant: Tenant) -> None:
    partner = replace(person(Status.ACTIVE, "Zoe Ng"), email="zoe@acme.example")
    about_meeting = compose(
        MailRequest.invite("p1"), person(), tenant, LINKS, NOW, partners=[partner]
    )
    to_leads = compose(MailRequest.invite("p1"), person(), tenant, LINKS, NOW)
    for body in ("plain", "html"):
        raw = about_meeting.get_body((body,)).get_content()
        assert "hana@acme.example" in raw
        partners_reply = re.sub(r"<[^>]+>", "", raw) if body == "html" else raw  # the words
        assert "A reply reaches Zoe Ng." in partners_reply
        assert "Questions about the program: Hana Ruiz" in partners_reply
        assert "Reply to this email" not in partners_reply
        assert "Questions? Reply to this email." in to_leads.get_body((body,)).get_content()


def test_verbs_agree_with_how_many_partners_are_named(tenant: Tenant) -> None:
    links = {
        **LINKS,
        "feedback": "https://links.example/feedback/tok",
        "reschedule": "https://links.example/reschedule/tok",
    }

    def told(*partners: str, kind: MailKind = MailKind.AFTER_SESSION) -> str:
        message = compose(
            MailRequest(mail_id="m", kind=kind, participant_id="p1", session=2),
            person(Status.ACTIVE),
            tenant,
            links,
            NOW,
            partners=[person(Status.ACTIVE, name) for name in partners],
            session=SimpleNamespace(number=2),
        )
        return " ".join(message.get_body(("plain",)).get_content().split())

    assert "Raj sees your pledge before your next conversation." in told("Raj")
    assert "李伟 and Ana see your pledge before your next conversation." in told("李伟", "Ana")
    assert "Raj is told" in told("Raj", kind=MailKind.NOT_MEETING)
    assert "李伟 and Ana are told" in told("李伟", "Ana", kind=MailKind.NOT_MEETING)

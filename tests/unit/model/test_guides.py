"""The guide library: every track holds the arc, the content is validated when loaded, and the
follow-ups are personalised by the partners' purpose drivers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import pytest

from tandem.model import guides
from tandem.model.participant import Participant, Source, Status
from tandem.model.purpose import PurposeProfile
from tandem.model.tenant import Tenant
from tandem.model.validation import Invalid, parse


def partner(name: str, how: str, who: str = "Society") -> Participant:
    return Participant(
        email=f"{name.lower()}@acme.example",
        name=f"{name} Example",
        preferred_name=name,
        department="Sales",
        level="Manager",
        timezone="Europe/Paris",
        status=Status.ACTIVE,
        source=Source.ROSTER,
        purpose=PurposeProfile.parse(who, "Karma", how),
    )


@pytest.mark.parametrize("library", [guides.tracks, guides.circle_tracks])
def test_every_track_has_five_sessions_of_four_questions_each_with_follow_up_and_tip(
    library: Callable[[], dict[str, guides.Track]],
) -> None:
    tracks = library()
    assert {"manager-essentials", "stress-and-burnout", "feedback", "career-growth"} <= set(tracks)
    for track in tracks.values():
        assert [s.number for s in track.sessions] == [1, 2, 3, 4, 5]
        for session in track.sessions:
            assert len(session.questions) == 4
            assert all(q.ask and q.follow_up and q.tip for q in session.questions)
            # The last question of sessions 1-4 is the pledge; session 5 looks back instead
            assert [q.pledge for q in session.questions] == [False] * 3 + [session.number < 5]


def test_every_content_file_holds_what_its_model_allows() -> None:
    """Pages load the library without validating it (guides._load); here every field of every
    file is checked, lengths and counts included, and loads as the pages see it."""
    for folder, library in (("tracks", guides.tracks()), ("circles", guides.circle_tracks())):
        for track_id, track in library.items():
            assert parse(guides.Track, guides.read(f"{folder}/{track_id}.toml")) == track
    for name, driver in guides.drivers().items():
        assert parse(guides.Driver, guides.read("drivers.toml")[name]) == driver


def test_a_track_that_breaks_the_arc_is_refused_when_loaded() -> None:
    session: dict[str, Any] = {
        "number": 1,
        "theme": "Getting started",
        "intro": "An introduction of some length.",
        "questions": [
            {
                "ask": "A question to ask?",
                "follow_up": "And a follow-up?",
                "tip": "A useful tip.",
                "lens": "who",
                "pledge": False,
            }
        ]
        * 3,
    }
    with pytest.raises(Invalid, match="at least 4"):
        parse(
            guides.Track,
            {
                "id": "broken",
                "title": "Broken",
                "summary": "A broken track.",
                "sessions": [session] * 5,
            },
        )


def test_a_knowledge_and_a_community_driven_partner_get_different_prompts() -> None:
    with_knowledge = guides.guide(None, 2, [partner("Kim", "Knowledge")])
    with_community = guides.guide(None, 2, [partner("Cal", "Community")])
    how = next(i for i, q in enumerate(with_knowledge.questions) if q.question.lens == "how")
    [knowledge] = with_knowledge.questions[how].angles
    [community] = with_community.questions[how].angles
    assert (knowledge.partner, knowledge.driver) == ("Kim", "Knowledge")
    assert (community.partner, community.driver) == ("Cal", "Community")
    assert knowledge.text != community.text
    # The pledge question draws on the driver's pledge angle
    pledge = guides.guide(None, 2, [partner("Kim", "Knowledge")]).questions[3]
    assert pledge.question.pledge and pledge.angles[0].text == guides.drivers()["Knowledge"].pledge


def test_the_tenant_file_names_a_track_the_library_has(tenant: Tenant) -> None:
    assert tenant.conversations.track_of("2027-Q1") == guides.DEFAULT_TRACK
    with pytest.raises(Invalid, match="unknown track 'yoga'"):
        parse(Tenant, {**asdict(tenant), "conversations": {"track": "yoga"}})


def test_the_circles_hold_the_same_tracks_as_the_pairs_in_words_of_their_own() -> None:
    pairs, circles = guides.tracks(), guides.circle_tracks()
    assert set(circles) == set(pairs)
    for track_id, track in circles.items():
        asked = {q.ask for s in track.sessions for q in s.questions}
        assert not asked & {q.ask for s in pairs[track_id].sessions for q in s.questions}


@pytest.mark.parametrize(("size", "first_session"), [(4, ()), (5, ("m1",)), (6, ("m1", "m2"))])
def test_each_member_of_a_circle_is_the_focus_once_a_quarter(
    size: int, first_session: tuple[str, ...]
) -> None:
    members = [f"m{n}" for n in range(size, 0, -1)]  # in any order
    turns = guides.focus_order(members)
    assert len(turns) == 5 and turns[0] == first_session
    assert sorted(m for turn in turns for m in turn) == sorted(members)
    assert all(len(turn) == 1 for turn in turns[1:])


def test_the_turn_of_a_member_who_left_goes_round_the_circle() -> None:
    members = ["m1", "m2", "m3", "m4"]  # m1 is the focus of session 2
    assert guides.focus(members, members, 2) == ("m1",)
    assert guides.focus(members, ["m2", "m3", "m4"], 2) == ()  # everyone else has a turn
    assert guides.focus(members, ["m2", "m3", "m4"], 3) == ("m2",)
    assert guides.focus(members, members, 1) == ()  # a circle of four opens with a round


def test_a_circle_guide_coaches_by_the_focus_drivers_and_pledges_by_the_readers_own() -> None:
    kim, cal = partner("Kim", "Knowledge", who="Individual"), partner("Cal", "Community")
    coach = guides.circle_guide(None, 2, reader=cal, focus=[kim])
    who = next(q for q in coach.questions if q.question.lens == "who")
    assert [(a.partner, a.driver) for a in who.angles] == [("Kim", "Individual")]
    pledge = coach.questions[3]
    assert pledge.question.pledge
    assert [(a.partner, a.text) for a in pledge.angles] == [
        ("Cal", guides.drivers()["Community"].pledge)
    ]
    # The focus answers the coaching questions: no angles on themselves
    focused = guides.circle_guide(None, 2, reader=kim, focus=[kim])
    assert all(q.angles == () for q in focused.questions[:3])
    assert coach.session.theme == guides.circle_tracks()[guides.DEFAULT_TRACK].session(2).theme


def test_a_groups_guide_is_a_pairs_or_turns_round_a_circle_by_how_many_it_formed_with() -> None:
    from datetime import UTC, datetime

    from tandem.model.plan import Plan

    people = [partner(name, "Human") for name in ("Ann", "Bea", "Cid", "Dan")]
    ids = tuple(p.id for p in people)
    at = datetime(2027, 10, 11, tzinfo=UTC)
    trio = Plan("2027-Q4", "+".join(ids[:3]), "Manager", ids[:3], nudge_at=at)
    assert guides.group_guide(None, trio, 2, people[0], people[1:3]).focus is None
    circle = Plan("2027-Q4", "+".join(ids), "Manager", ids, nudge_at=at)
    assert guides.group_guide(None, circle, 1, people[0], people[1:]).focus == ()  # a round
    [focus] = guides.focus(ids, ids, 2)
    shown = guides.group_guide(None, circle, 2, people[0], people[1:]).focus
    assert shown is not None and [p.id for p in shown] == [focus]

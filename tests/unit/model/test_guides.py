"""The guide library: every track holds the arc, the content is validated when loaded, and the
follow-ups are personalised by the partners' purpose drivers."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from tandem.model import guides
from tandem.model.participant import Participant, Source, Status
from tandem.model.purpose import PurposeProfile
from tandem.model.tenant import Tenant


def partner(name: str, how: str) -> Participant:
    return Participant(
        email=f"{name.lower()}@acme.example",
        name=f"{name} Example",
        department="Sales",
        level="Manager",
        timezone="Europe/Paris",
        status=Status.ACTIVE,
        source=Source.ROSTER,
        purpose=PurposeProfile.parse("Society", "Karma", how),
    )


def test_every_track_has_five_sessions_of_four_questions_each_with_follow_up_and_tip() -> None:
    tracks = guides.tracks()
    assert {"manager-essentials", "stress-and-burnout", "feedback", "career-growth"} <= set(tracks)
    for track in tracks.values():
        assert [s.number for s in track.sessions] == [1, 2, 3, 4, 5]
        for session in track.sessions:
            assert len(session.questions) == 4
            assert all(q.ask and q.follow_up and q.tip for q in session.questions)
            # The last question of sessions 1-4 is the pledge; session 5 looks back instead
            assert [q.pledge for q in session.questions] == [False] * 3 + [session.number < 5]


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
    with pytest.raises(ValidationError, match="at least 4"):
        guides.Track.model_validate(
            {
                "id": "broken",
                "title": "Broken",
                "summary": "A broken track.",
                "sessions": [session] * 5,
            }
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
    with pytest.raises(ValidationError, match="unknown track 'yoga'"):
        Tenant.model_validate({**tenant.model_dump(), "conversations": {"track": "yoga"}})

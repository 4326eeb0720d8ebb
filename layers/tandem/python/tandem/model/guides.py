"""The guides: what a group talks about in each of its five conversations.

The content library is data, one reviewed file per topic track in content/tracks/ (for pairs and
trios) and content/circles/ (for circles of four to six, the same tracks), and the purpose
drivers' angles in content/drivers.toml: every track has five sessions of four questions, each
with a follow-up and a tip, the last of sessions 1-4 being the pledge. The files ship with the
code and every field of them is validated by the tests; a function loads them as they are,
without validation's cost (about 100 ms of the cold start of a page that shows a guide), the
library's own checks (the arc of a track, the drivers each on its axis) still made.

A pair's guide is personalised for the person reading it: each follow-up draws on their
partners' purpose drivers, so a Knowledge-driven and a Community-driven partner get different
prompts. In a circle one member is the focus of each session (they bring a challenge, the others
coach them with the questions), in turn, so that each is the focus once a quarter: the coaching
questions draw on the focus's drivers, and the pledge, which everyone makes, on the reader's own.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Annotated, Any, Literal

from tandem.model.participant import Participant
from tandem.model.plan import Plan
from tandem.model.purpose import How, Who, Why
from tandem.model.rhythm import SESSIONS
from tandem.model.validation import Rules, Strict, trusted

DEFAULT_TRACK = "manager-essentials"
Axis = Literal["who", "why", "how"]
Line = Annotated[str, Rules(min_length=10, max_length=300)]
Name = Annotated[str, Rules(min_length=3, max_length=60)]


@dataclass(frozen=True, kw_only=True)
class Question(Strict):
    ask: Line
    follow_up: Line
    tip: Line
    lens: Axis  # the purpose axis the personalised follow-up draws on
    pledge: bool


@dataclass(frozen=True, kw_only=True)
class SessionGuide(Strict):
    number: Annotated[int, Rules(ge=1, le=SESSIONS)]
    theme: Name
    intro: Line
    questions: Annotated[tuple[Question, ...], Rules(min_length=4, max_length=4)]


@dataclass(frozen=True, kw_only=True)
class Track(Strict):
    id: Annotated[str, Rules(pattern=r"^[a-z][a-z-]+$")]
    title: Name
    summary: Annotated[str, Rules(min_length=10, max_length=160)]
    sessions: Annotated[tuple[SessionGuide, ...], Rules(min_length=SESSIONS, max_length=SESSIONS)]

    def __post_init__(self) -> None:
        if [s.number for s in self.sessions] != list(range(1, SESSIONS + 1)):
            raise ValueError("sessions must be numbered 1 to 5, in order")
        for session in self.sessions:
            pledges = [q.pledge for q in session.questions]
            # Sessions 1-4 end with the pledge; the last looks back instead.
            if pledges != [False, False, False, session.number < SESSIONS]:
                raise ValueError(f"session {session.number}: only question 4 of 1-4 is a pledge")

    def session(self, number: int) -> SessionGuide:
        return self.sessions[number - 1]


@dataclass(frozen=True, kw_only=True)
class Driver(Strict):
    axis: Axis
    sessions: Annotated[tuple[Line, ...], Rules(min_length=SESSIONS, max_length=SESSIONS)]
    pledge: Line | None = None


class ContentError(ValueError):
    """A content file that does not hold a usable guide; the message names the file."""


_CONTENT = resources.files("tandem").joinpath("content")
_DRIVERS = {
    driver.value: axis
    for axis, enum in (("who", Who), ("why", Why), ("how", How))
    for driver in enum
}


def read(name: str) -> dict[str, Any]:
    """A content file (a path under content/), as its TOML holds it."""
    return tomllib.loads(_CONTENT.joinpath(name).read_text(encoding="utf-8"))


def _library(folder: str) -> dict[str, Track]:
    found = {}
    for entry in sorted(_CONTENT.joinpath(folder).iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        try:
            track = trusted(Track, read(f"{folder}/{entry.name}"))
        except (TypeError, ValueError) as error:  # a field missing or unknown, a check failed
            raise ContentError(f"content/{folder}/{entry.name}: {error}") from None
        if f"{track.id}.toml" != entry.name:
            raise ContentError(f"content/{folder}/{entry.name}: id must be the file's own name")
        found[track.id] = track
    if DEFAULT_TRACK not in found:
        raise ContentError(f"content/{folder}/: the default track {DEFAULT_TRACK} is missing")
    return found


@cache
def track_ids() -> tuple[str, ...]:
    """The library's track ids (each file's own name, as tracks() checks), without reading the
    files: a tenant's configuration names tracks on every cold start, and a guide is shown on
    few of them."""
    entries = _CONTENT.joinpath("tracks").iterdir()
    return tuple(sorted(e.name.removesuffix(".toml") for e in entries if e.name.endswith(".toml")))


@cache
def tracks() -> dict[str, Track]:
    """Every track of the library, by id, as pairs and trios hold them; ContentError if a file
    is not a valid track."""
    return _library("tracks")


@cache
def circle_tracks() -> dict[str, Track]:
    """The same tracks as circles hold them; ContentError if a file is not a valid track or the
    two libraries do not offer the same tracks (a group chooses a track before it knows its
    format would matter)."""
    found = _library("circles")
    if set(found) != set(tracks()):
        raise ContentError("content/circles/: needs exactly the tracks of content/tracks/")
    return found


@cache
def drivers() -> dict[str, Driver]:
    try:
        loaded = {name: trusted(Driver, raw) for name, raw in read("drivers.toml").items()}
    except (TypeError, ValueError) as error:
        raise ContentError(f"content/drivers.toml: {error}") from None
    if set(loaded) != set(_DRIVERS) or any(d.axis != _DRIVERS[n] for n, d in loaded.items()):
        raise ContentError("content/drivers.toml: needs each of the 9 drivers, on its own axis")
    if any((d.pledge is None) == (d.axis == "how") for d in loaded.values()):
        raise ContentError("content/drivers.toml: the four HOW drivers, and only they, need pledge")
    return loaded


@dataclass(frozen=True)
class Angle:
    """How to take a follow-up further with one partner, from their purpose driver."""

    partner: str  # first name
    driver: str
    text: str


@dataclass(frozen=True)
class GuideQuestion:
    question: Question
    angles: tuple[Angle, ...]


@dataclass(frozen=True)
class Guide:
    track: Track
    session: SessionGuide
    questions: tuple[GuideQuestion, ...]
    # A circle's session: who is its focus, none when the questions go round everyone; a
    # pair's or trio's guide has no focus at all (None).
    focus: tuple[Participant, ...] | None = None


def group_guide(
    track_id: str | None, plan: Plan, number: int, reader: Participant, partners: list[Participant]
) -> Guide:
    """Session `number` as `reader` sees it with `partners`, the others still in their group: a
    pair's or trio's guide, or a circle's around the session's focus."""
    if not plan.circle:
        return guide(track_id, number, partners)
    turn = focus(plan.members, plan.active, number)
    return circle_guide(track_id, number, reader, [p for p in (reader, *partners) if p.id in turn])


def guide(track_id: str | None, number: int, partners: list[Participant]) -> Guide:
    """Session `number` of the track (the default when unknown), personalised for someone whose
    partners are `partners`."""
    track = tracks().get(track_id or DEFAULT_TRACK) or tracks()[DEFAULT_TRACK]
    session = track.session(number)
    questions = tuple(
        GuideQuestion(question, tuple(_angles(question, number, partners)))
        for question in session.questions
    )
    return Guide(track, session, questions)


def circle_guide(
    track_id: str | None, number: int, reader: Participant, focus: list[Participant]
) -> Guide:
    """Session `number` of the track for a circle, as `reader` sees it: the coaching questions
    draw on the drivers of the session's focus (none for the focus themselves, who answers
    them), the pledge on the reader's own."""
    library = circle_tracks()
    track = library.get(track_id or DEFAULT_TRACK) or library[DEFAULT_TRACK]
    session = track.session(number)
    coached = [p for p in focus if p.id != reader.id]
    questions = tuple(
        GuideQuestion(
            question,
            tuple(_angles(question, number, [reader] if question.pledge else coached)),
        )
        for question in session.questions
    )
    return Guide(track, session, questions, tuple(focus))


def focus_order(members: Sequence[str]) -> tuple[tuple[str, ...], ...]:
    """Who is the focus of each of the five sessions of a circle, by member id: each member once,
    in id order. A circle of four opens with a round instead of a focus; in a circle of six two
    members share the first session's focus."""
    ordered = sorted(members)
    if len(ordered) < SESSIONS:
        ordered = ["", *ordered]  # no focus at the first session
    spare = len(ordered) - SESSIONS
    turns = [tuple(ordered[: spare + 1])] + [(m,) for m in ordered[spare + 1 :]]
    return tuple(tuple(m for m in turn if m) for turn in turns)


def focus(members: Sequence[str], active: Sequence[str], session: int) -> tuple[str, ...]:
    """The focus of `session` among the circle's `members` (as formed) still `active`: a member
    who left hands their turn to the first active member not yet given one, else the circle
    takes the questions round everyone."""
    turns = focus_order(members)
    mine = tuple(m for m in turns[session - 1] if m in active)
    if mine or not turns[session - 1]:
        return mine
    had_turn = {m for turn in turns for m in turn if m in active}
    spare = sorted(m for m in active if m not in had_turn)
    return (spare[0],) if spare else ()


def _angles(question: Question, number: int, people: list[Participant]) -> list[Angle]:
    angles = []
    for person in people:
        if person.purpose is None:
            continue
        name = str(getattr(person.purpose, question.lens))
        driver = drivers()[name]
        text = driver.pledge if question.pledge and driver.pledge else driver.sessions[number - 1]
        angles.append(Angle(person.known_as, name, text))
    return angles

"""After a conversation: was it held, how helpful was it, the pledge for the next two weeks,
and the check-in on the last one; from the `after_session` email's link, on a phone.

Answers are validated as a whole (every problem reported at once, in the order of the form)
and stored conditionally on the version the person saw, so two tabs or a double tap record one
answer and an edit never loses another. They can be edited until the next session starts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Annotated, Literal

from tandem.model import validation
from tandem.model.answers import Feedback
from tandem.model.participant import Participant
from tandem.model.plan import Plan
from tandem.model.rhythm import SESSIONS
from tandem.model.validation import Check, InvalidForm, Rules, without_bidi_controls
from tandem.store import feedback_answers

Invalid = InvalidForm

THEMES = ("Delegation", "Feedback", "Focus", "Team", "Wellbeing", "Growth", "Relationships")
FIELDS = ("held", "helpfulness", "checkin", "impact", "note", "pledge", "theme")
CHECK_IN = ("checkin", "impact", "note")  # asked only of someone with a pledge to check in on
# Answers that apply only after a given earlier answer: a conversation not held has no rating
# and no check-in, an action not done no impact. The page hides them until they apply, and
# the server drops them otherwise (on a phone a ticked radio cannot be cleared).
APPLIES_AFTER = {
    "helpfulness": ("held", ("yes",)),
    "checkin": ("held", ("yes",)),
    "impact": ("checkin", ("done", "partly")),
    "note": ("held", ("yes",)),
}

Pledge = Annotated[
    str,
    Rules(strip_whitespace=True, min_length=3, max_length=280),
    Check(without_bidi_controls),
]
Note = Annotated[
    str,
    Rules(strip_whitespace=True, max_length=500),
    Check(without_bidi_controls),
]


@dataclass(frozen=True, kw_only=True)
class Answers(validation.Lenient):
    """The form's answers, with the values the wire and the exports use."""

    held: Literal["yes", "no"]
    helpfulness: Annotated[int, Rules(ge=1, le=5)] | None = None
    checkin: Literal["done", "partly", "not_done"] | None = None
    impact: Literal["yes", "no"] | None = None
    note: Note = ""
    pledge: Pledge | None = None
    theme: str = ""


class Closed(Exception):
    """The next session has started: this one's answers can no longer change."""


@dataclass(frozen=True)
class Context:
    plan: Plan
    session: int
    asks_checkin: bool  # the check-in on the person's pledge from the session before
    last: bool  # session 5: none follows, so its pledge is optional ("what you will keep doing")


def context(plan: Plan, session: int, pid: str) -> Context:
    """The form `pid` answers about `session`: the check-in is asked only of someone who
    pledged at the session before (a session not held has no pledge to check in on)."""
    before = feedback_answers.get(plan.cycle, plan.group, session - 1, pid) if session > 1 else None
    pledged = before is not None and bool(before.pledge)
    return Context(plan, session, pledged, session == SESSIONS)


_MESSAGES = {
    "held": "Please say whether your conversation took place.",
    "helpfulness": "Please rate how helpful it was, from 1 to 5.",
    "checkin": "Please say how your last pledge went.",
    "impact": "Please say whether your action had an impact.",
    "note": "Please keep the note under 500 characters.",
    "pledge": "Please write one action, between 3 and 280 characters.",
    "theme": "Please choose one of the themes listed.",
}


def validate(fields: dict[str, str], ctx: Context, themes: tuple[str, ...]) -> Answers:
    """The answers, or Invalid with a message per field. A form without real answers (a link
    scanner's empty POST) is invalid, so it records nothing."""
    asked = FIELDS if ctx.asks_checkin else tuple(f for f in FIELDS if f not in CHECK_IN)
    raw = {k: v.strip() for k, v in fields.items() if k in asked and v.strip()}
    for field, (earlier, answers_given) in APPLIES_AFTER.items():  # in the order they depend
        if raw.get(earlier) not in answers_given:
            raw.pop(field, None)
    problems: dict[str, str] = {}
    answers = None
    try:
        answers = validation.parse(Answers, raw)
    except validation.Invalid as error:
        problems = {field: _MESSAGES[field] for field in error.fields()}
    held, checkin = raw.get("held"), raw.get("checkin")
    if held == "yes" and "helpfulness" not in raw:
        problems["helpfulness"] = _MESSAGES["helpfulness"]
    if ctx.asks_checkin and held == "yes" and "checkin" not in raw:
        problems["checkin"] = _MESSAGES["checkin"]
    if checkin in ("done", "partly") and "impact" not in raw:
        problems["impact"] = _MESSAGES["impact"]
    if held == "yes" and not ctx.last and "pledge" not in raw:
        problems["pledge"] = _MESSAGES["pledge"]
    if raw.get("theme", "") not in ("", *themes):
        problems["theme"] = _MESSAGES["theme"]
    if problems or answers is None:
        raise Invalid({f: problems[f] for f in FIELDS if f in problems})
    return answers


def record(
    pid: str, ctx: Context, answers: Answers, seen: int, now: datetime, *, shares_pledges: bool
) -> Feedback:
    """Stores the answers as the next version after `seen`; AnsweredMeanwhile if another tab
    recorded first, Closed once the next session has begun. `shares_pledges`: the form said HR
    may read a pledge's words, unsigned (the tenant's exports.include_text)."""
    following = ctx.plan.session(ctx.session + 1)
    if following is not None and following.starts <= now:
        raise Closed(ctx.session)
    stored = asdict(answers) | {"pledge_shared": shares_pledges and bool(answers.pledge)}
    return feedback_answers.save(
        ctx.plan.cycle, ctx.plan.group, ctx.session, pid, stored, seen, now
    )


def pledges_before(plan: Plan, session: int) -> list[Feedback]:
    """Each member's pledge from the session before `session`, for the check-in."""
    if session <= plan.first_session:
        return []
    return [
        f
        for f in feedback_answers.of_group(plan.cycle, plan.group)
        if f.session == session - 1 and f.pledge
    ]


def held(plan: Plan, session: int) -> bool:
    """Whether any member marked the session as held."""
    return any(
        f.held == "yes"
        for f in feedback_answers.of_group(plan.cycle, plan.group)
        if f.session == session
    )


def recorded(plan: Plan, session: int, pid: str) -> Feedback | None:
    return feedback_answers.get(plan.cycle, plan.group, session, pid)


@dataclass(frozen=True)
class PledgeToCheck:
    name: str  # whose pledge: "You" or the partner's first name
    text: str


def to_check_in(
    plan: Plan, session: int, reader: Participant, partners: list[Participant]
) -> list[PledgeToCheck]:
    """The pledges made at the session before, for the group to check in on, as `reader` sees
    them: their own first, then each partner's (the partner sees the pledge: that is the point)."""
    names = {reader.id: "You", **{p.id: p.known_as for p in partners}}
    pledges = sorted(pledges_before(plan, session), key=lambda f: f.participant != reader.id)
    return [
        PledgeToCheck(names[f.participant], str(f.pledge))
        for f in pledges
        if f.participant in names
    ]

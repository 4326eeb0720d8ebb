"""The end-of-quarter pulse: how fulfilled each person feels at work (1-5), whether they intend
to keep meeting their partners, and an optional comment; from the `pulse` email's link, sent a
day after the group's last session.

Keep meeting: in a pair or trio one yes or no about the partners (in a trio, about both); in a
circle each member ticks the members they want to keep meeting (none is an answer too), and
counts as intending an ongoing relationship when they ticked at least one: the figures HR sees
stay one share of people, and never say who ticked whom.

Answers are stored like feedback (tandem.feedback): validated as a whole, conditionally on the
version the person saw. Two members who both want to keep meeting each other (both said yes,
or ticked each other) are each sent the other's address, once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Literal

from tandem.model import validation
from tandem.model.answers import Pulse
from tandem.model.mail_request import MailRequest
from tandem.model.plan import Plan, Session
from tandem.model.validation import Rules
from tandem.store import pulse_answers, queues

FIELDS = ("fulfilment", "ongoing", "keep_meeting", "comment")


@dataclass(frozen=True, kw_only=True)
class Answers(validation.Lenient):
    """The form's answers, with the values the wire and the exports use."""

    fulfilment: Annotated[int, Rules(ge=1, le=5)]
    ongoing: Literal["yes", "no"]
    keep_meeting: tuple[str, ...] = ()  # in a circle: the members ticked
    comment: Annotated[str, Rules(strip_whitespace=True, max_length=500)] = ""


_MESSAGES = {
    "fulfilment": "Please say how fulfilled you feel at work, from 1 to 5.",
    "ongoing": "Please say whether you want to keep meeting.",
    "keep_meeting": "Please tick only members of your circle.",
    "comment": "Please keep the comment under 500 characters.",
}


class Invalid(ValueError):
    """Every problem with the answers, by field, in the order of the form."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def last_session(plan: Plan) -> Session | None:
    """The group's last session held as planned: the fifth, or the last before the rest was
    cancelled; None without a slot."""
    held = [s for s in plan.sessions if not s.cancelled]
    return max(held, key=lambda s: s.ends, default=None)


def is_open(plan: Plan, link_days: int, now: datetime) -> bool:
    """Whether the pulse takes answers: from the last session until as long after it as a
    feedback link lives, whichever of its emails the link came from."""
    last = last_session(plan)
    return last is not None and last.ends <= now < last.ends + timedelta(days=link_days)


def validate(
    fields: dict[str, str], ticked: Sequence[str] = (), circle: Sequence[str] | None = None
) -> Answers:
    """The answers, or Invalid with a message per field. In a circle (`circle`: the other
    members, who can be ticked) the members `ticked` are the answer about keeping meeting. A
    form without real answers (a link scanner's empty POST) is invalid, so it records nothing."""
    raw: dict[str, object] = {
        k: v.strip() for k, v in fields.items() if k in ("fulfilment", "comment") and v.strip()
    }
    found = set()
    if circle is None:
        raw["ongoing"] = fields.get("ongoing", "").strip() or None
    else:
        raw["keep_meeting"] = tuple(sorted(set(ticked)))
        raw["ongoing"] = "yes" if ticked else "no"
        if not set(ticked) <= set(circle):
            found.add("keep_meeting")
    try:
        answers = validation.parse(Answers, raw)
    except validation.Invalid as error:
        found |= error.fields()
    if found:
        raise Invalid({f: _MESSAGES[f] for f in FIELDS if f in found})
    return answers


def recorded(cycle: str, pid: str) -> Pulse | None:
    return pulse_answers.get(cycle, pid)


def record(pid: str, plan: Plan, answers: Answers, seen: int, now: datetime) -> Pulse:
    """Stores the answers as the next version after `seen` (AnsweredMeanwhile if another tab
    recorded first), then tells each partner the person wants to keep meeting who wants the
    same of them, and the person, once per two of them."""
    saved = pulse_answers.save(
        plan.cycle,
        pid,
        answers.fulfilment,
        answers.ongoing,
        answers.comment,
        seen,
        now,
        keep_meeting=answers.keep_meeting,
    )
    for partner in plan.active:
        if partner != pid and saved.keeps_meeting(partner):
            _tell_if_mutual(plan, pid, partner, now)
    return saved


def _tell_if_mutual(plan: Plan, pid: str, partner: str, now: datetime) -> None:
    theirs = pulse_answers.get(plan.cycle, partner)
    if theirs is None or not theirs.keeps_meeting(pid):
        return
    if pulse_answers.told(plan.cycle, pid, partner):
        return
    # Queued before the mark, so a failure in between retells rather than never tells: if
    # both answer at the same instant, both queue the same two mail ids, which send once.
    queues.send_mail(
        [
            MailRequest.ongoing_match(pid, plan, partner),
            MailRequest.ongoing_match(partner, plan, pid),
        ]
    )
    pulse_answers.mark_told(plan.cycle, pid, partner, now)


def unanswered(plan: Plan) -> list[str]:
    """The group's members still in it who have not answered the pulse."""
    return [m for m in plan.active if pulse_answers.get(plan.cycle, m) is None]

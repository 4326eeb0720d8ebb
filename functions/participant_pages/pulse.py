"""The end-of-quarter pulse: how fulfilled at work, keep meeting the partners (in a circle, which
of them), a comment."""

from collections.abc import Mapping

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter as Router

from tandem.conversations import pulse
from tandem.conversations.quarter import Quarter, quarter_of
from tandem.links.tokens import InvalidLink, Purpose
from tandem.model.answers import AnsweredMeanwhile, Pulse
from tandem.model.clock import clock
from tandem.model.participant import Participant
from tandem.store import settings
from tandem.views import pages

from . import web

router = Router()


def _quarter(token: str) -> tuple[Participant, Quarter | None]:
    """The person and their group's quarter; an expired link once the pulse has closed."""
    link, person = web.opened_by_member(Purpose.PULSE, token)
    tenant = settings.tenant()
    quarter = quarter_of(person, str(link.scope), tenant)
    days = tenant.conversations.feedback_link_days
    if quarter is not None and not pulse.is_open(quarter.plan, days, clock.now()):
        raise InvalidLink(Purpose.PULSE, expired=True)
    return person, quarter


def _no_group() -> Response[str]:
    # 404, as the other pages of a quarter: the link names one this person had no group in.
    return web.message(
        "No partner this quarter",
        "You were not in a group at the end of this quarter, so there is nothing to "
        "answer. We email you when the next one starts.",
        status=404,
    )


@router.get("/pulse/<token>")
def pulse_page(token: str) -> Response[str]:
    person, quarter = _quarter(token)
    if quarter is None:
        return _no_group()
    recorded = pulse.recorded(quarter.cycle.id, person.id)
    return _page(person, quarter, _as_form(recorded), recorded, {})


def _circle(quarter: Quarter) -> list[str] | None:
    """The members a circle member can tick to keep meeting; None in a pair or trio."""
    return [p.id for p in quarter.partners] if quarter.plan.circle else None


@router.post("/pulse/<token>")
def record_pulse(token: str) -> Response[str]:
    if len(router.current_event.body or "") > web.MAX_BODY:
        return web.message(
            "That is too long to send",
            "Please shorten your comment and send the form again.",
            status=413,
        )
    person, quarter = _quarter(token)
    if quarter is None:
        return _no_group()
    fields = web.form(router.current_event)
    ticked = web.form_lists(router.current_event).get("keep_meeting", [])
    recorded = pulse.recorded(quarter.cycle.id, person.id)
    try:
        answers = pulse.validate(fields, ticked, _circle(quarter))
        seen = web.whole_number(fields.get("version", "0"))
        if seen is None:  # matches no stored version: shown as answered meanwhile
            seen = -1
        saved = pulse.record(person.id, quarter.plan, answers, seen, clock.now())
    except pulse.Invalid as invalid:
        form = {**fields, "keep_meeting": tuple(ticked)}
        return _page(person, quarter, form, recorded, invalid.problems, status=400)
    except AnsweredMeanwhile:
        # Read again: what won was written after the read above, by another tab or tap.
        recorded = pulse.recorded(quarter.cycle.id, person.id)
        notice = "Your answer was already recorded (from another tab or a second tap): here it is."
        return _page(person, quarter, _as_form(recorded), recorded, {}, notice, 409)
    notice = "Thank you: your answers are recorded. You can change them while this link works."
    return _page(person, quarter, _as_form(saved), saved, {}, notice)


def _as_form(recorded: Pulse | None) -> dict[str, object]:
    if recorded is None:
        return {}
    return {name: getattr(recorded, name) for name in pulse.FIELDS}


def _page(
    person: Participant,
    quarter: Quarter,
    form: Mapping[str, object],
    recorded: Pulse | None,
    problems: dict[str, str],
    notice: str = "",
    status: int = 200,
) -> Response[str]:
    body = pages.page(
        "pulse.html",
        settings.tenant(),
        title="Your quarter",
        participant=person,
        quarter=quarter,
        form=form,
        version=recorded.version if recorded else 0,
        problems=problems,
        notice=notice,
    )
    return web.html(body, status)

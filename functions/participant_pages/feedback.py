"""After a conversation: was it held, how helpful, the check-in and the next pledge."""

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter as Router

from tandem.conversations import feedback
from tandem.conversations.quarter import Quarter
from tandem.links.tokens import Purpose
from tandem.model.answers import AnsweredMeanwhile, Feedback
from tandem.model.clock import clock
from tandem.model.participant import Participant
from tandem.store import settings
from tandem.views import pages

from . import web

router = Router()


@router.get("/feedback/<token>")
def feedback_page(token: str) -> Response[str]:
    person, quarter, number = web.session_of(Purpose.FEEDBACK, token)
    if quarter is None or quarter.plan.session(number) is None:
        return web.no_group()
    ctx = feedback.context(quarter.plan, number, person.id)
    recorded = feedback.recorded(quarter.plan, number, person.id)
    return _feedback(person, quarter, ctx, _as_form(recorded), recorded, {})


@router.post("/feedback/<token>")
def record_feedback(token: str) -> Response[str]:
    body = router.current_event.body or ""
    if len(body) > web.MAX_BODY:
        return web.message(
            "That is too long to send",
            "Please shorten your note or pledge and send the form again.",
            status=413,
        )
    person, quarter, number = web.session_of(Purpose.FEEDBACK, token)
    if quarter is None or quarter.plan.session(number) is None:
        return web.no_group()
    ctx = feedback.context(quarter.plan, number, person.id)
    fields = web.form(router.current_event)
    recorded = feedback.recorded(quarter.plan, number, person.id)
    try:
        answers = feedback.validate(fields, ctx, feedback.THEMES)
        seen = web.whole_number(fields.get("version", "0"))
        if seen is None:  # matches no stored version: shown as answered meanwhile
            seen = -1
        shares = settings.tenant().exports.include_text
        saved = feedback.record(person.id, ctx, answers, seen, clock.now(), shares_pledges=shares)
    except feedback.Invalid as invalid:
        return _feedback(person, quarter, ctx, fields, recorded, invalid.problems, status=400)
    except AnsweredMeanwhile:
        # Read again: what won was written after the read above, by another tab or tap.
        recorded = feedback.recorded(quarter.plan, number, person.id)
        notice = "Your answer was already recorded (from another tab or a second tap): here it is."
        return _feedback(person, quarter, ctx, _as_form(recorded), recorded, {}, notice, 409)
    except feedback.Closed:
        return web.message(
            "This conversation is closed",
            "Your next conversation has started, so these answers can no longer change.",
            status=409,
        )
    notice = "Thank you: your answers are recorded."
    if not ctx.last:
        notice += " You can change them until your next conversation."
    return _feedback(person, quarter, ctx, _as_form(saved), saved, {}, notice)


def _as_form(recorded: Feedback | None) -> dict[str, str]:
    if recorded is None:
        return {}
    values = {name: getattr(recorded, name) for name in feedback.FIELDS}
    return {k: str(v) for k, v in values.items() if v is not None} | {
        "version": str(recorded.version)
    }


def _feedback(
    person: Participant,
    quarter: Quarter,
    ctx: feedback.Context,
    form: dict[str, str],
    recorded: Feedback | None,
    problems: dict[str, str],
    notice: str = "",
    status: int = 200,
) -> Response[str]:
    mine = [
        p for p in feedback.pledges_before(quarter.plan, ctx.session) if p.participant == person.id
    ]
    body = pages.page(
        "feedback.html",
        settings.tenant(),
        title="How did it go?",
        participant=person,
        quarter=quarter,
        ctx=ctx,
        form=form,
        version=recorded.version if recorded else 0,
        last_pledge=mine[0].pledge if mine else None,
        themes=feedback.THEMES,
        problems=problems,
        notice=notice,
    )
    return web.html(body, status)

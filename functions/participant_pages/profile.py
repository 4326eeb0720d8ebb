"""Signup and profile: the same form, first to sign up, then to update."""

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter as Router
from aws_lambda_powertools.metrics import MetricUnit

from tandem.lambdas.observability import metrics
from tandem.links.tokens import Link, Purpose
from tandem.model import calendar, purpose
from tandem.model.clock import clock
from tandem.model.participant import PERSONAL_FIELDS, Participant, PersonalDetails, Status
from tandem.model.validation import Invalid, parse
from tandem.people import selfservice
from tandem.store import settings
from tandem.views import pages

from . import web

router = Router()


@router.get("/signup/<token>")
def signup_page(token: str) -> Response[str]:
    return _profile_page(Purpose.SIGNUP, token)


@router.post("/signup/<token>")
def signup(token: str) -> Response[str]:
    return _save_profile(Purpose.SIGNUP, token)


@router.get("/profile/<token>")
def profile_page(token: str) -> Response[str]:
    return _profile_page(Purpose.PROFILE, token)


@router.post("/profile/<token>")
def update_profile(token: str) -> Response[str]:
    return _save_profile(Purpose.PROFILE, token)


def _profile_page(purpose_: Purpose, token: str) -> Response[str]:
    link, person = web.opened_by_member(purpose_, token)
    if purpose_ is Purpose.SIGNUP and person.status is Status.ACTIVE:
        return _saved(link, person, just_joined=False)
    form = {
        "name": person.name,
        "preferred_name": person.preferred_name,
        "location": person.location,
        "answers": person.answers,
    }
    return _profile_form(person, form, person.timezone, problems={}, missing=[])


def _profile_form(
    person: Participant,
    form: dict[str, Any],
    zone: str,
    problems: dict[str, str],
    missing: list[str],
) -> Response[str]:
    body = pages.page(
        "profile_form.html",
        settings.tenant(),
        title="Sign up" if person.status is Status.INVITED else "Your profile",
        signing_up=person.status is Status.INVITED,
        participant=person,
        form=form,
        selected_zone=zone,
        questions=purpose.QUESTIONS,
        problems=problems,
        missing=missing,
    )
    return web.html(body, 400 if problems else 200)


def _save_profile(purpose_: Purpose, token: str) -> Response[str]:
    link, person = web.opened_by_member(purpose_, token)
    if purpose_ is Purpose.SIGNUP and person.status is Status.ACTIVE:
        return _saved(link, person, just_joined=False)  # signed up already: it edits nothing
    fields = web.form(router.current_event)
    answers = {q.id: fields.get(q.id, "") for q in purpose.QUESTIONS}
    problems, missing = {}, purpose.unanswered(answers)
    # An optional field the form did not send keeps its value: a browser sends every field (an
    # emptied one clears it), a script may leave out what it does not change.
    kept = {f: getattr(person, f) or "" for f in ("location", "preferred_name")}
    try:
        personal = parse(PersonalDetails, {**kept, **fields})
    except Invalid as error:
        wrong = error.fields()
        problems = {f: selfservice.PROBLEMS[f] for f in PERSONAL_FIELDS if f in wrong}
    if missing:
        problems["answers"] = (
            "1 question still needs an answer"
            if len(missing) == 1
            else f"{len(missing)} questions still need an answer"
        )
    if problems:
        form = {"name": "", "preferred_name": "", "location": "", **fields, "answers": answers}
        return _profile_form(person, form, fields.get("timezone", ""), problems, missing)
    person, just_joined = selfservice.save_profile(person.id, personal, answers, clock.now())
    if just_joined:
        metrics.add_metric(name="SignedUp", unit=MetricUnit.Count, value=1)
    return _saved(link, person, just_joined)


def _saved(link: Link, person: Participant, just_joined: bool) -> Response[str]:
    tenant = settings.tenant()
    body = pages.page(
        "profile_saved.html",
        tenant,
        title="Your purpose profile",
        participant=person,
        just_joined=just_joined,
        descriptions=purpose.DESCRIPTIONS,
        next_cycle=calendar.next_cycle(tenant, clock.now()),
        links=web.links(link),
    )
    return web.html(body)

"""Participant pages: the pages behind emailed links. GET shows and never changes anything
(mail scanners open links); the change is the POST of the page's form."""

from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from tandem import guides, pages, program, purpose, scheduling, selfservice, settings
from tandem.clock import clock
from tandem.links import Links, link_tokens
from tandem.observability import logger, metrics, tracer
from tandem.participants import Details, Participant, PersonalDetails, Status
from tandem.tokens import InvalidLink, Purpose
from tandem.validation import describe_errors, email_address

app = APIGatewayRestResolver()


def _html(body: str, status: int = 200) -> Response[str]:
    return Response(status, "text/html; charset=utf-8", body, headers=pages.HEADERS)


def _form() -> dict[str, str]:
    try:
        fields = parse_qs(
            app.current_event.decoded_body or "", keep_blank_values=True, max_num_fields=40
        )
    except ValueError:
        fields = {}
    return {name: values[0] for name, values in fields.items()}


def _participant(purpose_: Purpose, token: str) -> str:
    return link_tokens().verify(purpose_, token)


def _links(pid: str) -> dict[str, str]:
    # Relative to /<purpose>/<token>, so links work under any stage or custom domain.
    return Links("..", link_tokens()).for_participant(pid)


def _message(title: str, *paragraphs: str, status: int = 200) -> Response[str]:
    return _html(pages.message(settings.tenant(), title, *paragraphs), status)


# --- signup and profile: the same form, first as signup, then to update ---------------------


@app.get("/signup/<token>")
def signup_page(token: str) -> Response[str]:
    return _profile_page(Purpose.SIGNUP, token)


@app.post("/signup/<token>")
def signup(token: str) -> Response[str]:
    return _save_profile(Purpose.SIGNUP, token)


@app.get("/profile/<token>")
def profile_page(token: str) -> Response[str]:
    return _profile_page(Purpose.PROFILE, token)


@app.post("/profile/<token>")
def update_profile(token: str) -> Response[str]:
    return _save_profile(Purpose.PROFILE, token)


def _profile_page(purpose_: Purpose, token: str) -> Response[str]:
    person = selfservice.active(_participant(purpose_, token))
    if purpose_ is Purpose.SIGNUP and person.status is Status.ACTIVE:
        return _saved(person, just_joined=False)
    form = {"name": person.name, "location": person.location, "answers": person.answers}
    return _profile_form(person, form, person.timezone, errors=[], missing=[])


def _profile_form(
    person: Participant, form: dict[str, Any], zone: str, errors: list[str], missing: list[str]
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
        errors=errors,
        missing=missing,
    )
    return _html(body, 400 if errors else 200)


def _save_profile(purpose_: Purpose, token: str) -> Response[str]:
    pid = _participant(purpose_, token)
    person = selfservice.active(pid)
    fields = _form()
    answers = {q.id: fields.get(q.id, "") for q in purpose.QUESTIONS}
    errors, missing = [], purpose.unanswered(answers)
    try:
        personal = PersonalDetails.model_validate(fields)
    except ValidationError as error:
        errors = describe_errors(error)
    if missing:
        errors.append(f"{len(missing)} question(s) still need an answer")
    if errors:
        form = {**fields, "answers": answers}
        return _profile_form(person, form, fields.get("timezone", ""), errors, missing)
    person, just_joined = selfservice.save_profile(pid, personal, answers, clock.now())
    if just_joined:
        metrics.add_metric(name="SignedUp", unit=MetricUnit.Count, value=1)
    return _saved(person, just_joined)


def _saved(person: Participant, just_joined: bool) -> Response[str]:
    tenant = settings.tenant()
    body = pages.page(
        "profile_saved.html",
        tenant,
        title="Your purpose profile",
        participant=person,
        just_joined=just_joined,
        descriptions=purpose.DESCRIPTIONS,
        next_cycle=program.next_cycle(tenant, clock.now()),
        links=_links(person.id),
    )
    return _html(body)


# --- pause and leave -------------------------------------------------------------------------


@app.get("/pause/<token>")
def pause_page(token: str) -> Response[str]:
    person = selfservice.active(_participant(Purpose.PAUSE, token))
    return _pause(person)


@app.post("/pause/<token>")
def pause(token: str) -> Response[str]:
    person = selfservice.active(_participant(Purpose.PAUSE, token))
    action = _form().get("action")
    if person.status is not Status.ACTIVE or action not in ("pause", "resume"):
        return _pause(person, status=400)
    person, _ = selfservice.set_paused(person.id, settings.tenant(), clock.now(), action == "pause")
    return _pause(person)


def _pause(person: Participant, status: int = 200) -> Response[str]:
    tenant = settings.tenant()
    if person.status is Status.INVITED:
        return _message(
            "You have not signed up yet",
            "Pausing is for people in the program. Use the signup link in your invitation "
            "email, or ask for fresh links below the next time a link does not work.",
        )
    body = pages.page(
        "pause.html",
        tenant,
        title="Pause a quarter",
        participant=person,
        next_cycle=program.next_cycle(tenant, clock.now()),
    )
    return _html(body, status)


@app.get("/leave/<token>")
def leave_page(token: str) -> Response[str]:
    person = selfservice.current(_participant(Purpose.LEAVE, token))
    if person.status is Status.LEFT:
        return _left()
    body = pages.page(
        "leave.html",
        settings.tenant(),
        title="Leave the program",
        participant=person,
        links=_links(person.id),
    )
    return _html(body)


@app.post("/leave/<token>")
def leave(token: str) -> Response[str]:
    """Also the one-click unsubscribe target of every email (RFC 8058); the page it shows
    offers to rejoin, which the same link's token allows."""
    pid = _participant(Purpose.LEAVE, token)
    if _form().get("action") == "rejoin":
        person = selfservice.rejoin(pid)
        if person.status is Status.INVITED:
            return _message("Welcome back", "Use the link in your invitation email to sign up.")
        return _message("Welcome back", "You will be matched again from the next quarter.")
    if selfservice.leave(pid, settings.tenant(), clock.now()):
        metrics.add_metric(name="Left", unit=MetricUnit.Count, value=1)
    return _left()


def _left() -> Response[str]:
    return _html(pages.page("left.html", settings.tenant(), title="You have left the program"))


# --- the quarter's conversations: pick a slot, move one, stop, read the guide ---------------


def _quarter(purpose_: Purpose, token: str) -> tuple[Participant, scheduling.Quarter | None]:
    pid, cycle = link_tokens().verify_scoped(purpose_, token)
    person = selfservice.active(pid)
    return person, scheduling.quarter(person, cycle, settings.tenant())


def _no_group() -> Response[str]:
    return _message(
        "No partner this quarter",
        "You are not in a pair or trio this quarter. We email you when the next one starts.",
    )


@app.get("/schedule/<token>")
def schedule_page(token: str) -> Response[str]:
    person, quarter = _quarter(Purpose.SCHEDULE, token)
    if quarter is None:
        return _no_group()
    return _schedule(person, quarter, token, form={})


@app.post("/schedule/<token>")
def pick_slot(token: str) -> Response[str]:
    person, quarter = _quarter(Purpose.SCHEDULE, token)
    if quarter is None:
        return _no_group()
    tenant, fields = settings.tenant(), _form()
    track = fields.get("track", quarter.track(tenant))
    try:
        first = datetime.fromisoformat(fields.get("slot", ""))
        seen = int(fields.get("version", ""))
        scheduling.pick(person, quarter, first, track, seen, tenant, clock.now())
    except ValueError:  # nothing chosen, or not a time the page offered
        return _schedule(person, quarter, token, fields, invalid={"slot"}, status=400)
    except scheduling.Changed:
        notice = "Someone in your group changed the plan meanwhile: here it is now."
        return _schedule(person, _again(person, quarter), token, {}, notice=notice, status=409)
    except scheduling.TooLate:
        notice = "Your first conversation has started: the time can no longer change."
        return _schedule(person, _again(person, quarter), token, {}, notice=notice, status=409)
    notice = "Done: everyone in your group gets the calendar invitation by email."
    return _schedule(person, _again(person, quarter), token, {}, notice=notice)


def _again(person: Participant, quarter: scheduling.Quarter) -> scheduling.Quarter:
    return scheduling.quarter(person, quarter.cycle.id, settings.tenant()) or quarter


def _schedule(
    person: Participant,
    quarter: scheduling.Quarter,
    token: str,
    form: dict[str, str],
    invalid: frozenset[str] | set[str] = frozenset(),
    notice: str = "",
    status: int = 200,
) -> Response[str]:
    tenant, now = settings.tenant(), clock.now()
    can_pick = scheduling.can_pick(quarter.plan, now)
    picked_by = {p.id: p for p in [person, *quarter.partners]}.get(quarter.plan.picked_by or "")
    body = pages.page(
        "schedule.html",
        tenant,
        title="Your conversations" if quarter.plan.slot else "Pick a time together",
        participant=person,
        quarter=quarter,
        picked_by=picked_by,
        track=guides.tracks()[quarter.track(tenant)],
        tracks=guides.tracks(),
        can_pick=can_pick,
        options=scheduling.slot_options(quarter, person, tenant, now) if can_pick else [],
        form={"track": quarter.track(tenant), "slot": _chosen(quarter), **form},
        errors=["Please choose a time."] if invalid else [],
        invalid=invalid,
        notice=notice,
        links=_quarter_links(person, quarter),
    )
    return _html(body, status)


def _chosen(quarter: scheduling.Quarter) -> str:
    slot = quarter.plan.slot
    return slot.first.isoformat() if slot else ""


def _quarter_links(person: Participant, quarter: scheduling.Quarter) -> dict[str, str]:
    return Links("..", link_tokens()).for_participant(person.id, quarter.cycle.id)


@app.get("/reschedule/<token>")
def reschedule_page(token: str) -> Response[str]:
    person, quarter = _quarter(Purpose.RESCHEDULE, token)
    if quarter is None:
        return _no_group()
    number = app.current_event.get_query_string_value("session", "")
    return _reschedule(person, quarter, int(number) if number.isdigit() else None)


@app.post("/reschedule/<token>")
def reschedule(token: str) -> Response[str]:
    person, quarter = _quarter(Purpose.RESCHEDULE, token)
    if quarter is None:
        return _no_group()
    fields, tenant, now = _form(), settings.tenant(), clock.now()
    number = int(fields["session"]) if fields.get("session", "").isdigit() else None
    try:
        seen = int(fields.get("version", ""))
        if fields.get("action") == "stop":
            scheduling.stop(person.id, quarter.plan, now, seen)
            return _message(
                "Your conversations this quarter are cancelled",
                "Your group is told, and the cancellation reaches your calendar by email. "
                "You stay in the program and are matched again next quarter.",
            )
        if number is None:
            raise ValueError("no session")
        starts = datetime.fromisoformat(fields.get("starts", ""))
        scheduling.move(person, quarter, number, starts, seen, tenant, now)
    except ValueError:
        return _reschedule(person, quarter, number, invalid={"starts"}, status=400)
    except (scheduling.Changed, scheduling.TooLate):
        notice = "This conversation changed meanwhile, or has started: here is the plan now."
        return _reschedule(person, _again(person, quarter), None, notice=notice, status=409)
    notice = f"Done: conversation {number} moved, and everyone gets the calendar update."
    return _reschedule(person, _again(person, quarter), None, notice=notice)


def _reschedule(
    person: Participant,
    quarter: scheduling.Quarter,
    number: int | None,
    invalid: frozenset[str] | set[str] = frozenset(),
    notice: str = "",
    status: int = 200,
) -> Response[str]:
    tenant, now = settings.tenant(), clock.now()
    upcoming = quarter.plan.upcoming(now)
    session = next((s for s in upcoming if s.number == number), None)
    options = scheduling.move_options(quarter, person, session, tenant, now) if session else []
    body = pages.page(
        "reschedule.html",
        tenant,
        title="Move a conversation",
        participant=person,
        quarter=quarter,
        upcoming=upcoming,
        session=session,
        options=options,
        errors=["Please choose a time."] if invalid else [],
        invalid=invalid,
        notice=notice,
        links=_quarter_links(person, quarter),
    )
    return _html(body, status)


@app.get("/rematch/<token>")
def rematch_page(token: str) -> Response[str]:
    person, cycle = _alone(token)
    if scheduling.alone(person, cycle.id) is None:
        return _schedule_message()
    body = pages.page(
        "rematch.html", settings.tenant(), title="A new partner?", participant=person, errors=[]
    )
    return _html(body)


@app.post("/rematch/<token>")
def rematch(token: str) -> Response[str]:
    person, cycle = _alone(token)
    if _form().get("action") != "rematch":
        return _rematch_page_again(person)
    try:
        scheduling.ask_rematch(person, cycle, clock.now())
    except scheduling.NotOffered:
        return _schedule_message()
    except scheduling.TooLate:
        return _message(
            "Too late this quarter",
            "There are no conversations left this quarter to hold with a new partner. "
            "You have priority next quarter.",
        )
    return _message(
        "We are looking for a new partner",
        "As soon as someone at your level whose partner also left asks too, we introduce you "
        "by email. If nobody does this quarter, you are matched first next quarter.",
    )


def _alone(token: str) -> tuple[Participant, program.Cycle]:
    pid, cycle_id = link_tokens().verify_scoped(Purpose.REMATCH, token)
    return selfservice.active(pid), program.cycle(settings.tenant(), cycle_id)


def _rematch_page_again(person: Participant) -> Response[str]:
    body = pages.page(
        "rematch.html",
        settings.tenant(),
        title="A new partner?",
        participant=person,
        errors=["Please choose: a new partner now, or priority next quarter."],
    )
    return _html(body, 400)


def _schedule_message() -> Response[str]:
    return _message(
        "You have a group this quarter",
        "This page is for people whose partners have all stopped. Your group is still on: "
        "use the links in your invitation email.",
    )


@app.get("/guide/<token>")
def guide_page(token: str) -> Response[str]:
    pid, scope = link_tokens().verify_scoped(Purpose.GUIDE, token)
    person = selfservice.active(pid)
    cycle, _, number = scope.partition("/")
    tenant = settings.tenant()
    quarter = scheduling.quarter(person, cycle, tenant)
    if quarter is None or not number.isdigit():
        return _no_group()
    session = quarter.plan.session(int(number))
    guide = guides.guide(quarter.track(tenant), int(number), quarter.partners)
    body = pages.page(
        "guide.html",
        tenant,
        title=guide.session.theme,
        participant=person,
        partners=quarter.partners,
        session=session,
        guide=guide,
    )
    return _html(body)


# --- doors for people without a working link -------------------------------------------------


@app.get("/join")
def join_page() -> Response[str]:
    tenant = settings.tenant()
    if not tenant.open_signup.enabled:
        return _not_found()
    return _join_form({}, tenant.timezone, errors=[])


@app.post("/join")
def join() -> Response[str]:
    tenant = settings.tenant()
    if not tenant.open_signup.enabled:
        return _not_found()
    fields = _form()
    try:
        selfservice.join(Details.model_validate(fields), tenant, clock.now())
    except ValidationError as error:
        return _join_form(fields, fields.get("timezone", ""), describe_errors(error))
    except selfservice.JoinRefused as refused:
        return _join_form(fields, fields.get("timezone", ""), [str(refused)])
    return _message(
        "Check your inbox",
        f"We sent a link to {fields['email'].strip()}. Open it on any device to finish signing up.",
    )


def _join_form(form: dict[str, str], zone: str, errors: list[str]) -> Response[str]:
    body = pages.page(
        "join.html",
        settings.tenant(),
        title="Join peer coaching",
        form=form,
        selected_zone=zone,
        errors=errors,
    )
    return _html(body, 400 if errors else 200)


@app.get("/links")
def links_page() -> Response[str]:
    return _links_form("Get fresh links", "Lost an email, or a link stopped working?", action="")


@app.post("/links")
def send_links() -> Response[str]:
    entered = _form().get("email", "")
    try:
        email = email_address(entered)
    except ValueError as error:
        return _links_form(
            "Get fresh links", "", "", email=entered, errors=[str(error)], status=400
        )
    selfservice.request_links(email, clock.now())
    return _message(
        "Check your inbox",
        f"If {email} is in the program, fresh links are on their way. "
        "They can take a few minutes; check your spam folder too.",
    )


def _links_form(
    title: str,
    intro: str,
    action: str,
    email: str = "",
    errors: list[str] | None = None,
    status: int = 200,
) -> Response[str]:
    """`action` is where the form posts: "" from /links itself, "../links" from a link page."""
    body = pages.page(
        "links_request.html",
        settings.tenant(),
        title=title,
        intro=intro,
        email=email,
        errors=errors or [],
        action=action,
    )
    return _html(body, status)


# --- what goes wrong -------------------------------------------------------------------------


@app.exception_handler(InvalidLink)
def invalid_link(error: InvalidLink) -> Response[str]:
    logger.info("link refused", extra={"purpose": error.purpose, "expired": error.expired})
    if error.expired:
        return _links_form(
            "This link has expired",
            "Links in our emails stop working after a while, to keep your account safe.",
            "../links",
            status=410,
        )
    return _links_form(
        "This link does not work",
        "It may have been cut short when it was copied.",
        "../links",
        status=404,
    )


@app.exception_handler(selfservice.Gone)
def gone(_: selfservice.Gone) -> Response[str]:
    return _message(
        "This link no longer works",
        'You are no longer in the program. To come back, open the "Leave the program" link at '
        "the foot of any of our emails and choose to rejoin.",
        status=410,
    )


@app.not_found
def not_found(_: Exception) -> Response[str]:
    return _not_found()


def _not_found() -> Response[str]:
    return _message("Page not found", "Please use the links in your emails from us.", status=404)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)

"""People: find a participant by name or address, see where they stand (never their answers),
and act for them through their own use cases: fresh links, a pause, leaving, revoked links,
erasure. What a lead types travels in a form, never in a page's address."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter as Router

from tandem.console import people
from tandem.console.audit import Action
from tandem.model.clock import clock
from tandem.model.participant import Participant
from tandem.model.tenant import Tenant
from tandem.people import revocation, selfservice
from tandem.store import participants, settings

from . import web

router = Router()
PARTICIPANT_ID = re.compile(r"^[0-9a-f]{20}$")
SHOWN = 20  # people listed for a name at most: more, and more of the name is needed
# What a lead may do for a person, by the route's last word: the audit's name for it, what the
# person's page then says, and the person's own use case that does it.
ACTIONS: dict[str, tuple[Action, str, Callable[[Participant, Tenant], object]]] = {
    "links": (
        Action.SENT_LINKS,
        "Fresh links are on their way to them (one email a day at most).",
        lambda p, _: selfservice.request_links(p.email, clock.now()),
    ),
    "pause": (
        Action.PAUSED,
        "They are paused for next quarter; matching resumes by itself after it.",
        lambda p, t: selfservice.set_paused(p.id, t, clock.now(), True),
    ),
    "resume": (
        Action.RESUMED,
        "They will be matched next quarter.",
        lambda p, t: selfservice.set_paused(p.id, t, clock.now(), False),
    ),
    "leave": (
        Action.MARKED_LEFT,
        "They have left the program: no more matching or mail.",
        lambda p, t: selfservice.leave(p.id, t, clock.now()),
    ),
    "revoke": (
        Action.REVOKED_LINKS,
        "Every link sent to them so far no longer works; their next email has new ones.",
        lambda p, _: revocation.revoke(p.email, clock.now()),
    ),
}


def _search(
    who: str = "", problem: str = "", status: int = 200, found: Sequence[Participant] = ()
) -> Response[str]:
    return web.page(
        router,
        "people.html",
        "People",
        who=who,
        problem=problem,
        found=found,
        shown=SHOWN,
        status=status,
    )


@router.get("/console/people")
def search_page() -> Response[str]:
    return _search()


@router.post("/console/people")
def search() -> Response[str]:
    who = web.form(router).get("who", "").strip()
    try:
        found = people.find(who, settings.tenant())
    except people.Unclear as unclear:
        return _search(who, str(unclear), 400)
    if not found:
        return _search(who, "Nobody in the program has this name or address.", 404)
    if len(found) == 1:
        return web.redirect(f"{web.address()}/people/{found[0].id}")
    return _search(who, found=found)


def _person(pid: str) -> Participant | None:
    return participants.get(pid) if PARTICIPANT_ID.match(pid) else None


def _nobody() -> Response[str]:
    return web.message(
        "Nobody here",
        "This is no participant's page: the link may have been cut short, or the person's data "
        "was erased.",
        status=404,
        link=(f"{web.address()}/people", "Find someone"),
        session=web.current(router),
    )


@router.get("/console/people/<pid>")
def person_page(pid: str) -> Response[str]:
    standing = people.standing(pid, settings.tenant(), clock.now()) if _person(pid) else None
    if standing is None:
        return _nobody()
    query = router.current_event.get_query_string_value
    done = ACTIONS.get(query("done") or "")
    return web.page(
        router,
        "person.html",
        standing.person.name,
        standing=standing,
        done=done[1] if done else None,
        confirming_leave=query("confirm") == "leave",  # leaving asks first, on this page
    )


def _act(pid: str, name: str) -> Response[str]:
    action, _, use_case = ACTIONS[name]
    person = _person(pid)
    if person is None:
        return _nobody()
    try:
        use_case(person, settings.tenant())
    except selfservice.Gone:  # left (or erased) since the page was shown, from another tab
        return web.message(
            "Nothing done",
            f"{person.name} has left the program since this page was shown: nothing was changed.",
            status=409,
            session=web.current(router),
        )
    web.record(router, action, person.id)
    return web.redirect(f"{web.address()}/people/{person.id}?done={name}")


@router.post("/console/people/<pid>/links")
def send_links(pid: str) -> Response[str]:
    return _act(pid, "links")


@router.post("/console/people/<pid>/pause")
def pause(pid: str) -> Response[str]:
    return _act(pid, "pause")


@router.post("/console/people/<pid>/resume")
def resume(pid: str) -> Response[str]:
    return _act(pid, "resume")


@router.post("/console/people/<pid>/leave")
def leave(pid: str) -> Response[str]:
    return _act(pid, "leave")


@router.post("/console/people/<pid>/revoke")
def revoke(pid: str) -> Response[str]:
    return _act(pid, "revoke")


@router.get("/console/people/<pid>/erase")
def erase_page(pid: str) -> Response[str]:
    person = _person(pid)
    if person is None:
        return _nobody()
    return web.page(router, "erase.html", f"Erase {person.name}", person=person)


@router.post("/console/people/<pid>/erase")
def erase(pid: str) -> Response[str]:
    person = _person(pid)
    if person is None:
        return _nobody()
    done, files = people.erase(person, clock.now())
    web.record(router, Action.ERASED, done.alias)
    return web.page(
        router, "erased.html", "Data erased", email=person.email, erasure=done, files=files
    )

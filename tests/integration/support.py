"""Helpers for driving handlers under moto with events shaped as AWS sends them (events/*.json)."""

from __future__ import annotations

import copy
import csv
import gc
import io
import json
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import boto3
from botocore.awsrequest import AWSResponse
from botocore.client import BaseClient
from botocore.model import OperationModel

from devtools.local_runtime import events, outbox
from devtools.local_runtime.aws import Resources
from devtools.local_runtime.outbox import SentEmail
from devtools.local_runtime.runtime import LambdaContext
from devtools.local_runtime.server import route_for
from tandem.model.clock import clock
from tandem.model.mail_request import MailRequest
from tandem.model.participant import Participant, Source, Status, participant_id
from tandem.model.purpose import PurposeProfile
from tandem.store import participants, queues

EVENTS = Path(__file__).parents[2] / "events"
LINK_BASE = "https://links.acme.example"
# A small roster: three good rows and one bad address.
ROSTER = """email,name,department,level,timezone,manager_email,location
ada@acme.example,Ada Lovelace,Engineering,Manager,Europe/London,grace@acme.example,London
grace@acme.example,Grace Hopper,Engineering,Director,America/New_York,,New York
linus@acme.example,Linus Pauling,Sales,Manager,Europe/Paris,,
bad@@acme,Nobody,Sales,Manager,Europe/Paris,,
"""


def load_event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())


def context(name: str) -> LambdaContext:
    return LambdaContext(name, memory_limit_in_mb=512, timeout_s=30)


def queued(resources: Resources, queue: str) -> list[dict[str, Any]]:
    """Takes every message waiting on a queue (they stay in flight, as a consumer would)."""
    sqs = boto3.client("sqs")
    messages: list[dict[str, Any]] = []
    while batch := sqs.receive_message(
        QueueUrl=resources.queue_urls[queue], MaxNumberOfMessages=10, AttributeNames=["All"]
    ).get("Messages", []):
        messages += batch
    return messages


def deliver_mail(resources: Resources) -> dict[str, Any]:
    """Runs the mailer on everything on the mail queue, as the event source mapping would."""
    from functions.mailer import handler

    messages = queued(resources, "mail")
    if not messages:
        return {"batchItemFailures": []}
    event = events.sqs_event("arn:aws:sqs:eu-west-1:123456789012:tandem-test-mail", messages)
    result: dict[str, Any] = handler.handler(event, context("mailer"))
    return result


def sent() -> list[outbox.SentEmail]:
    return outbox.sent_emails()


Form = dict[str, str] | dict[str, str | list[str]]


def api_event(
    method: str, url_or_path: str, form: Form | None = None, cookie: str | None = None
) -> tuple[str, dict[str, Any]]:
    """The function a path is routed to, and API Gateway's event for the request (a form posted
    as url-encoded fields, a list as one field per value, as checkboxes are; the browser's cookie
    header, if any)."""
    url = urlsplit(url_or_path)
    path, query = url.path, dict(parse_qsl(url.query))
    found = route_for(method, path)
    assert found, f"no route for {method} {path}"
    route, parameters = found
    event = copy.deepcopy(load_event("api_signup_get.json"))
    event.update(
        httpMethod=method,
        resource=route.path,
        path=path,
        pathParameters=parameters or None,
        queryStringParameters=query or None,
        multiValueQueryStringParameters={k: [v] for k, v in query.items()} or None,
        body=urlencode(form, doseq=True) if form is not None else None,
    )
    if cookie is not None:
        event["headers"] = {**event["headers"], "Cookie": cookie}
    event["requestContext"].update(httpMethod=method, resourcePath=route.path, path=f"/prod{path}")
    return route.function, event


def call_api(method: str, url_or_path: str, form: Form | None = None) -> tuple[int, str]:
    """Calls the pages function with an API Gateway event for a path (or a link from an email)."""
    from functions.participant_pages import handler as pages

    _, event = api_event(method, url_or_path, form)
    response = pages.handler(event, context("participant_pages"))
    return response["statusCode"], response["body"]


def upload(
    resources: Resources, key: str, body: str, event_time: str = "2026-12-01T08:00:00.123Z"
) -> dict[str, Any]:
    """HR's upload, and the S3 notification the queue delivers for it (as S3 fills it in)."""
    data = body.encode()
    put = boto3.client("s3").put_object(Bucket=resources.bucket, Key=key, Body=data)
    event = copy.deepcopy(load_event("roster_upload.json"))
    notification = json.loads(event["Records"][0]["body"])
    notification["Records"][0]["eventTime"] = event_time
    notification["Records"][0]["s3"]["object"].update(
        key=key.replace(" ", "+"),
        eTag=put["ETag"].strip('"'),
        size=len(data),
    )
    event["Records"][0]["body"] = json.dumps(notification)
    return event


def results(resources: Resources, name: str) -> list[dict[str, str]]:
    key = f"roster/results/{name}"
    body = boto3.client("s3").get_object(Bucket=resources.bucket, Key=key)["Body"].read()
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def snapshot(resources: Resources) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The whole table and how many messages each queue holds (waiting or in flight): what a
    refused request must leave as it found it."""
    items = boto3.client("dynamodb").scan(TableName=resources.table, ConsistentRead=True)["Items"]
    sqs = boto3.client("sqs")
    held = {}
    for name, url in resources.queue_urls.items():
        counts = sqs.get_queue_attributes(
            QueueUrl=url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        held[name] = sum(int(count) for count in counts.values())
    return sorted(items, key=repr), held


def person(name: str, department: str, level: str = "Manager", **changes: Any) -> Participant:
    fields: dict[str, Any] = {
        "email": f"{name.lower()}@acme.example",
        "name": f"{name} Example",
        "preferred_name": name,
        "department": department,
        "level": level,
        "timezone": "Europe/Paris",
        "status": Status.ACTIVE,
        "source": Source.ROSTER,
        "purpose": PurposeProfile.parse("Society", "Karma", "Human"),
    }
    return Participant(**{**fields, **changes})


def daily(at: str) -> dict[str, Any]:
    from functions.matching import handler as matching

    event = load_event("scheduled_matching.json")
    event["time"] = at
    result: dict[str, Any] = matching.handler(event, context("matching"))
    return result


def run_band_jobs(aws: Resources) -> list[dict[str, Any]]:
    """Runs the matcher on every queued band job, as the event source mapping would."""
    from functions.match_band import handler as match_band

    reports = []
    for message in queued(aws, "bands"):
        match_band.handler(
            events.sqs_event("arn:aws:sqs:eu-west-1:1:bands", [message]), context("match_band")
        )
        reports.append(json.loads(message["Body"]))
    return reports


def live_clients() -> list[BaseClient]:
    """Every botocore client in this process, boto3's and PynamoDB's alike. A handler's import
    freezes what exists then (tandem/lambdas/cold_start.py), and the collector does not list
    frozen objects: they are thawed first."""
    gc.unfreeze()
    return [o for o in gc.get_objects() if isinstance(o, BaseClient)]


@contextmanager
def aws_calls() -> Iterator[Counter[str]]:
    """Counts the AWS calls made in the block, as "service.Operation", with a botocore hook on
    every client alive when it starts (boto3's and PynamoDB's alike): run what you measure once
    before, so that the clients it uses exist."""
    counted: Counter[str] = Counter()

    def count(model: OperationModel, **_: Any) -> None:
        counted[f"{model.service_model.service_name}.{model.name}"] += 1

    clients = live_clients()
    for client in clients:
        client.meta.events.register("before-call", count, unique_id="test-aws-calls")
    try:
        yield counted
    finally:
        for client in clients:
            client.meta.events.unregister("before-call", unique_id="test-aws-calls")


class ResponseBody:
    """A canned HTTP body, as botocore reads a response's."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data


def ses_error(request: Any, code: str, message: str, status: int = 400) -> AWSResponse:
    """SES's error response to `request`, for a botocore `before-send` hook (registered first) to
    return instead of sending, so the SDK parses it and runs its own retries as for the real
    thing. moto's in-process stub also sees every before-send, and would still deliver the
    message: the request is pointed at an address it does not serve."""
    url, request.url = request.url, "https://refused.invalid/"
    body = (
        '<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error>'
        f"<Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
        "<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
    )
    return AWSResponse(url, status, {"Content-Type": "text/xml"}, ResponseBody(body.encode()))


def invite_ada(location: str | None = None) -> None:
    """Ada, on the roster and not signed up yet, with her invitation queued."""
    ada = Participant(
        email="ada@acme.example",
        name="Ada L.",
        department="Engineering",
        level="Manager",
        timezone="UTC",
        status=Status.INVITED,
        source=Source.ROSTER,
        location=location,
    )
    participants.create_many([ada])
    queues.send_mail([MailRequest.invite(participant_id(ada.email))])


START = "2027-10-11T07:00:00Z"  # 2027-Q4 starts Monday 11 October, 09:00 in Paris


def kickoff(address: str) -> SentEmail:
    return next(e for e in sent() if e.to == [address] and e.kind == "kickoff")


def of_kind(kind: str, address: str | None = None) -> list[SentEmail]:
    return [e for e in sent() if e.kind == kind and (address is None or e.to == [address])]


def form_value(page: str, name: str, nth: int = 0) -> str:
    marker = f'name="{name}" value="'
    at = -1
    for _ in range(nth + 1):
        at = page.index(marker, at + 1)
    start = at + len(marker)
    return page[start : page.index('"', start)]


def pick_first_slot(link: str, track: str = "manager-essentials") -> tuple[int, str]:
    """Picks the soonest slot the schedule page offers, in whatever order the page shows them."""
    _, page = call_api("GET", link)
    offered = re.findall(r'name="slot" value="([^"]+)"', page)
    form = {
        "slot": min(offered, key=datetime.fromisoformat),
        "version": form_value(page, "version"),
        "track": track,
    }
    return call_api("POST", link, form)


def reminders(at: str) -> dict[str, Any]:
    from functions.reminders import handler

    event = {**load_event("scheduled_matching.json"), "time": at}
    result: dict[str, Any] = handler.handler(event, context("reminders"))
    return result


def after_session_link(aws: Resources, address: str) -> str:
    """Picks the first slot, runs the reminders past session 1, returns `address`'s feedback
    link from the after_session email."""
    pick_first_slot(kickoff("flo@acme.example").link("schedule"))
    reminders("2027-10-12T14:05:00Z")
    deliver_mail(aws)
    clock.set(datetime(2027, 10, 12, 14, 30, tzinfo=UTC))
    return of_kind("after_session", address)[0].link("feedback")


def notification(sample: str, address: str, **changes: Any) -> dict[str, Any]:
    """A sample event (events/ses_*.json) about `address`, with changes to the SES event."""
    event = copy.deepcopy(load_event(sample))
    envelope = json.loads(event["Records"][0]["body"].replace("ada@acme.example", address))
    for part, values in changes.items():
        envelope["detail"][part].update(values)
    event["Records"][0]["body"] = json.dumps(envelope)
    return event


def matched(aws: Resources, people: list[Participant]) -> None:
    """`people` join and are matched as 2027-Q4 starts (START); no mail delivered yet."""
    participants.create_many(people)
    clock.set(datetime.fromisoformat(START))
    daily(START)
    run_band_jobs(aws)


def matched_pair(aws: Resources) -> None:
    matched(aws, [person("Flo", "Engineering"), person("Gus", "Sales")])


def kicked_off(aws: Resources, people: list[Participant]) -> list[Participant]:
    """`people` matched as 2027-Q4 starts, their kickoffs delivered; the clock on the morning
    of its first day (10:00 UTC), before anyone picks a time."""
    matched(aws, people)
    deliver_mail(aws)
    clock.set(datetime.fromisoformat("2027-10-11T10:00:00+00:00"))
    return people


ANSWERS = {
    "who1": "Society",
    "who2": "Society",
    "who3": "Individual",
    "why1": "Karma",
    "why2": "Karma",
    "why3": "Harmony",
    "how1": "Human",
    "how2": "Human",
    "how3": "Structure",
}

"""The local HTTP server: the tenant's API, routed by the wiring as API Gateway would, plus the
developer endpoints under /_local/ (info, OpenAPI document, outbox, clock, schedules, SES
events, revoking a person's links, and the stand-in for the console's sign-in pages)."""

from __future__ import annotations

import importlib
import json
import logging
import re
import threading
from datetime import datetime
from typing import Any

import boto3
from jinja2 import Environment, FileSystemLoader, select_autoescape
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from devtools.local_runtime import events, outbox
from devtools.local_runtime.runtime import LocalRuntime
from infra import wiring
from tandem.model.clock import clock
from tandem.views import pages

log = logging.getLogger("tandem.local")
_pages = Environment(
    loader=FileSystemLoader(__file__.rsplit("/", 1)[0] + "/templates"),
    autoescape=select_autoescape(),
)
_SES_EVENTS = {"Bounce", "Complaint"}
# The OpenAPI documents of the functions behind the API, by their /_local/ name.
_DOCUMENTS = {"openapi.json": wiring.PARTICIPANT_PAGES, "console-openapi.json": wiring.CONSOLE}
_BOUNCE_TYPES = {"Permanent", "Transient", "Undetermined"}
# API Gateway (REST) hands a path with a trailing slash to the resource without it: /console/
# opens the console, as Powertools' resolver then matches it.
_ROUTES = [
    (route, re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", route.path) + "/*$"))
    for route in wiring.ROUTES
]


def route_for(method: str, path: str) -> tuple[wiring.Route, dict[str, str]] | None:
    """The wired route that answers a request, with its path parameters, as API Gateway picks it."""
    for route, pattern in _ROUTES:
        match = pattern.match(path)
        if match and route.method == method:
            return route, match.groupdict()
    return None


def _json(value: Any, status: int = 200) -> Response:
    return Response(json.dumps(value, indent=2, default=str), status, mimetype="application/json")


class LocalApi:
    def __init__(self, runtime: LocalRuntime) -> None:
        self.runtime = runtime

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        if request.path.startswith("/_local/"):
            response = self._local(request)
        else:
            response = self._api(request)
        return response(environ, start_response)

    def _api(self, request: Request) -> Response:
        found = route_for(request.method, request.path)
        if found is None:  # as the stack's gateway response answers it
            body = pages.not_found(self.runtime.tenant)
            return Response(body, 404, headers={**pages.HEADERS, "Content-Type": "text/html"})
        route, parameters = found
        event = events.api_gateway_event(
            method=request.method,
            resource=route.path,
            path=request.path,
            path_parameters=parameters,
            headers=dict(request.headers),
            query=request.args.to_dict(flat=False),
            body=request.get_data(as_text=True) or None,
            source_ip=request.remote_addr or "127.0.0.1",
            now=clock.now(),
        )
        result = self.runtime.invoke(route.function, event)
        request.environ["tandem.route"] = f"{route.method} {route.path}"
        # A header of many values is sent as many headers, as API Gateway does (each cookie
        # its own Set-Cookie).
        headers = list(result.get("headers", {}).items())
        for name, values in (result.get("multiValueHeaders") or {}).items():
            headers += [(name, value) for value in values]
        return Response(result.get("body", ""), result["statusCode"], headers=headers)

    def _local(self, request: Request) -> Response:
        name = request.path.removeprefix("/_local/")
        if name == "info" and request.method == "GET":
            return _json(self.info())
        if name == "outbox" and request.method == "GET":
            emails = [e.as_dict() for e in reversed(outbox.sent_emails())]
            html = _pages.get_template("outbox.html").render(
                emails=emails, tenant=self.runtime.tenant.name
            )
            return Response(html, mimetype="text/html")
        if name in _DOCUMENTS and request.method == "GET":
            # Loaded on demand: the handler reads its settings when it loads.
            function = importlib.import_module(f"functions.{_DOCUMENTS[name].name}.handler")
            return _json(function.openapi())
        if name == "outbox.json" and request.method == "GET":
            return _json([e.as_dict() for e in outbox.sent_emails()])
        if name == "clock":
            return self._clock(request)
        if name.startswith("schedules/") and request.method == "POST":
            schedule = name.removeprefix("schedules/")
            try:
                return _json(self.runtime.run_schedule(schedule))
            except KeyError:
                known = ", ".join(s.name for s in wiring.SCHEDULES) or "none yet"
                return _json({"error": f"no schedule named {schedule!r} (schedules: {known})"}, 404)
        if name.startswith("exports/") and request.method == "POST":
            cycle = name.removeprefix("exports/")
            result = self.runtime.invoke("exports", {"cycle": cycle})
            return _json(result, 400 if "error" in result else 200)
        if name == "ses-events" and request.method == "POST":
            return self._ses_event(request)
        if name == "revoke" and request.method == "POST":
            return self._revoke(request)
        if name.startswith("idp/") and self.runtime.idp is not None:
            return self.runtime.idp(request, name.removeprefix("idp/"))
        return _json({"error": f"no such local endpoint: {request.method} {request.path}"}, 404)

    def _ses_event(self, request: Request) -> Response:
        """moto's SES publishes no events: this puts on the queue what EventBridge's rule would
        deliver for a bounce or complaint of the tenant's configuration set."""
        try:
            given = json.loads(request.get_data(as_text=True) or "{}")
            kind, address = given["type"], given["email"]
            bounce_type = given.get("bounce_type", "Permanent")
            if kind not in _SES_EVENTS or bounce_type not in _BOUNCE_TYPES or "@" not in address:
                raise ValueError
        except (ValueError, KeyError, TypeError, AttributeError):
            example = '{"type": "Bounce", "email": "kai@northwind.example"}'
            return _json(
                {
                    "error": "a JSON body with type (Bounce or Complaint), email and, for a "
                    f"bounce, optionally bounce_type (Permanent, Transient), like {example}"
                },
                400,
            )
        resources = self.runtime.resources
        assert resources is not None
        [queue] = [q for q in wiring.QUEUES if kind.lower() in q.ses_events]
        body = events.ses_notification(
            kind,
            address,
            clock.now(),
            resources.configuration_set,
            self.runtime.tenant.sender,
            bounce_type,
        )
        boto3.client("sqs").send_message(
            QueueUrl=resources.queue_urls[queue.name], MessageBody=body
        )
        return _json({"queued": queue.name}, 202)

    def _revoke(self, request: Request) -> Response:
        """Revokes every link a person holds, at the runtime's clock (`tandem revoke --local`)."""
        from tandem.people import revocation  # loaded on demand, as the handlers are

        try:
            pid = revocation.revoke(
                json.loads(request.get_data(as_text=True) or "{}")["email"], clock.now()
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            example = '{"email": "kai@northwind.example"}'
            return _json({"error": f"a JSON body with the person's address, like {example}"}, 400)
        if pid is None:
            return _json({"error": "no participant has that address"}, 404)
        return _json({"revoked": pid, "links_from": clock.now().isoformat()})

    def _clock(self, request: Request) -> Response:
        if request.method == "POST":
            value = request.args.get("now", "")
            try:
                clock.set(datetime.fromisoformat(value))
            except ValueError as error:
                example = "2027-01-11T09:00:00+01:00"
                return _json(
                    {"error": f"now: an ISO-8601 time with offset, like {example} ({error})"}, 400
                )
        return _json({"now": clock.now().isoformat()})

    def info(self) -> dict[str, Any]:
        resources = self.runtime.resources
        assert resources is not None
        return {
            "tenant": self.runtime.tenant.name,
            "api_url": self.runtime.api_url,
            "aws_endpoint": self.runtime.aws.endpoint,
            "bucket": resources.bucket,
            "table": resources.table,
            "schedules": [s.name for s in wiring.SCHEDULES],
            "queues": self.runtime.queue_depths(),
            "aws_requests": self.runtime.usage.by_service(),
            "invocations": dict(self.runtime.usage.invocations),
            "now": clock.now().isoformat(),
            "console": {
                "url": self.runtime.console_url,
                "users": [
                    {"email": user.email, "password": user.password, "role": user.role.value}
                    for user in self.runtime.console_users
                ],
                "user_pool": resources.user_pool,
                "client_id": resources.console_client,
            },
        }


class _RouteLoggingHandler(WSGIRequestHandler):
    """Logs the route template, never the path: paths carry link tokens."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        path = self.path.split("?")[0]
        route = self.environ.get("tandem.route") or (
            path if path.startswith("/_local/") else "(no route)"
        )
        log.info("%s %s", route, code)


def serve_in_background(runtime: LocalRuntime, port: int) -> BaseWSGIServer:
    server = make_server(
        "127.0.0.1", port, LocalApi(runtime), threaded=True, request_handler=_RouteLoggingHandler
    )
    threading.Thread(target=server.serve_forever, name="local-api", daemon=True).start()
    return server

"""The OpenAPI document of a function that answers with HTML pages: what Powertools generates
from its routes, completed with what the routes read by hand (a form body for each POST) and
the statuses each method's pages may answer, all as HTML. The local runtime serves it; the
fuzz tests generate their requests from it."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver


def html_pages(
    app: APIGatewayRestResolver, title: str, statuses: Mapping[str, tuple[int, ...]]
) -> dict[str, Any]:
    document = app.get_openapi_schema(title=title, version="1").model_dump(
        mode="json", by_alias=True, exclude_none=True
    )
    html = {"text/html": {"schema": {"type": "string"}}}
    form = {"type": "object", "additionalProperties": {"type": "string"}}
    for operations in document["paths"].values():
        for method, operation in operations.items():
            operation["responses"] = {
                str(status): {"description": HTTPStatus(status).phrase, "content": html}
                for status in statuses[method]
            }
            if method == "post":
                operation["requestBody"] = {
                    "content": {"application/x-www-form-urlencoded": {"schema": form}}
                }
    return document

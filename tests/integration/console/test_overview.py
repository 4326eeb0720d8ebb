"""The overview shows the quarter's figures as its export would publish them: the same code, so
the same values and the same figures hidden, and never one person's answers."""

from __future__ import annotations

import base64
import csv
import io
from xml.etree import ElementTree

import boto3

from devtools.local_runtime.aws import Resources
from tandem.analytics import exports
from tandem.console import overview
from tandem.model.clock import clock
from tandem.model.participant import Participant
from tandem.model.tenant import Tenant
from tests.integration.console.support import CONSOLE, Browser


def test_the_overview_agrees_with_the_quarters_summary_csv(
    aws: Resources, tenant: Tenant, pair: list[Participant], viewer: Browser
) -> None:
    exports.export(tenant, "2027-Q4")
    summary = boto3.client("s3").get_object(Bucket=aws.bucket, Key="exports/2027-Q4/summary.csv")
    rows = {
        row["metric"]: row
        for row in csv.DictReader(io.StringIO(summary["Body"].read().decode("utf-8-sig")))
        if row["scope"] == "all"
    }
    now = overview.current(tenant, clock.now())
    compared = 0
    for tile in now.figures.tiles:
        row = rows.get(tile.metric)
        if row is None:
            assert not tile.cell.text or tile.cell.text == "None yet"  # nothing to measure
            continue
        assert tile.cell.hidden == (row["value"] == ""), tile
        if row["value"]:
            assert float(tile.cell.text.rstrip("%").replace(",", "")) == round(
                float(row["value"]) * (100 if tile.cell.text.endswith("%") else 1), 1
            )
        compared += 1
    assert compared >= 3
    assert rows["participants"]["value"] == "2"
    assert now.people["active"] == 2 and now.groups == 1 and now.slots_picked == 0

    page = viewer.get(CONSOLE)
    assert page["statusCode"] == 200
    images = page["body"].split('src="data:image/svg+xml;base64,')[1:]
    assert len(images) == 1  # two people: the helpfulness answers are all hidden
    assert "not drawn, every answer in it is hidden" in page["body"]
    for image in images:  # each an SVG document of its own
        data = base64.b64decode(image.partition('"')[0])
        svg = ElementTree.fromstring(data)  # noqa: S314 (our own chart)
        assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert 'id="definition-completion_rate"' in page["body"]
    for answer in ("Society", "Karma", "Human"):  # the pair's purpose answers
        assert answer not in page["body"]

"""Exports bench: writing one quarter's files (five CSV files, the report and the workbook) to
the embedded bucket (moto, in process), with peak memory growth measured by tracemalloc;
prints a markdown table.

    python tests/bench/exports.py [--pledges 100000]

The tables are made in memory (pairs with five sessions each: as many conversation rows as
pledge rows), as gathering would hold them; the row tables themselves are measured apart, as
what the function holds whole. The writing must not grow with the rows: every file goes to a
temporary file (spilled to disk past 4 MB) and is streamed to S3 in parts. The target (issue
11): under 100 MB of peak growth for 100,000 pledge rows. It is measured twice: the files made
but not sent (Tandem's own code), then made and uploaded to moto's S3, whose peak also holds
moto's own copies of each request body and part, which AWS keeps out of the function.
"""

from __future__ import annotations

import argparse
import os
import time
import tracemalloc
from unittest import mock

from moto import mock_aws

from devtools.local_runtime.aws import REGION, provision
from infra import tenant_files
from tandem.analytics import exports
from tandem.analytics.tables import (
    ConversationRow,
    EnrolmentRow,
    GroupRow,
    ParticipantRow,
    PledgeRow,
    Tables,
)
from tandem.model.tenant import Tenant

CYCLE = "2027-Q1"
# Every pledge shared: the largest pledges.csv a quarter can have
TEXT = "Ask each of my reports what one thing I could stop doing, and stop it"
LINK_BASE = "https://links.bench.example"
MB = 1024 * 1024


def tables(pledges: int) -> Tables:
    people = [f"{n:016x}" for n in range(pledges // 5)]
    groups = [(f"g{n:015x}", people[n : n + 2]) for n in range(0, len(people) - 1, 2)]
    group_of = {p: g for g, members in groups for p in members}
    return Tables(
        scope=CYCLE,
        cycles=(CYCLE,),
        participants=[
            ParticipantRow(p, f"Dept {n % 12}", "Manager", "Society", "Karma", "Human")
            for n, p in enumerate(people)
        ],
        groups=[GroupRow(CYCLE, g, 2, tuple(m), True, 5) for g, m in groups],
        conversations=[
            ConversationRow(CYCLE, g, s, p, "yes", 4)
            for g, members in groups
            for s in range(1, 6)
            for p in members
        ],
        pledges=[
            PledgeRow(CYCLE, g, s, p, "Delegation", "done" if s < 5 else None, "yes", TEXT)
            for g, members in groups
            for s in range(1, 6)
            for p in members
        ],
        pulses=[],
        enrolments=[
            EnrolmentRow(CYCLE, p, f"Dept {n % 12}", "Manager", "active", group_of.get(p, ""))
            for n, p in enumerate(people)
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pledges", type=int, default=100_000)
    args = parser.parse_args()
    tenant = tenant_files.tenant("demo")
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        os.environ.pop(name, None)
    os.environ.update({"AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION})
    with mock_aws():
        resources = provision(tenant)
        os.environ.update({str(k): v for k, v in resources.settings(tenant, LINK_BASE).items()})
        tracemalloc.start()
        made = tables(args.pledges)
        held = tracemalloc.get_traced_memory()[0]
        # The files made but not sent: what Tandem's own code holds while writing.
        with mock.patch.object(exports.bucket, "upload"):
            _, writing = _peak_growth(tenant, made, held)
        seconds, uploading = _peak_growth(tenant, made, held)
        tracemalloc.stop()
        written = len(exports.bucket.keys_under(f"exports/{CYCLE}/"))

    print(f"## Exports: one quarter of {len(made.pledges):,} pledge rows")
    print()
    columns = "pledge rows | conversation rows | files | seconds | tables held MB"
    print(f"| {columns} | peak growth writing MB | with uploads to moto MB | target |")
    print("|---|---|---|---|---|---|---|---|")
    print(
        f"| {len(made.pledges):,} | {len(made.conversations):,} | {written} | {seconds:.1f} "
        f"| {held / MB:.0f} | {writing / MB:.1f} | {uploading / MB:.1f} "
        f"| {'under' if uploading < 100 * MB else 'OVER'} 100 MB |"
    )


def _peak_growth(tenant: Tenant, made: Tables, held: int) -> tuple[float, int]:
    """Seconds and peak traced memory beyond `held` of writing the quarter's files."""
    tracemalloc.reset_peak()
    started = time.monotonic()
    exports._write(tenant, made, [], [])
    return time.monotonic() - started, tracemalloc.get_traced_memory()[1] - held


if __name__ == "__main__":
    main()

"""Cold start bench: what a person waits for when a link opens a cold Lambda, before the handler
runs: importing each function's handler in a fresh interpreter. Prints a markdown table.

    python -m tests.bench.cold_start [--runs 5]

Each run is a new `python -X importtime -c "import functions.<name>.handler"`; the table gives
the median import time over the runs (the interpreter's own start-up imports, measured alone,
subtracted), and the packages whose own modules took longest to import in the median run.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
from collections import Counter
from pathlib import Path

from infra import wiring

ROOT = Path(__file__).parents[2]
TARGET_MS = 300  # for the pages function, on this machine
# What the pages function cannot start without, whatever our own code does: the floor under it.
PAGES_LIBRARIES = (
    "boto3",  # Powertools' parameters (the signing key) and the mail queue
    "pynamodb.models",
    "pydantic",
    "jinja2",
    "aws_lambda_powertools.event_handler",
    "aws_lambda_powertools.utilities.parameters",
)
ENVIRONMENT = {
    **os.environ,
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "POWERTOOLS_SERVICE_NAME": "bench",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "IDEMPOTENCY_TABLE_NAME": "bench-idempotency",
}
# "import time: self [us] | cumulative | imported package"
_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def import_ms(statement: str) -> tuple[float, Counter[str]]:
    """Milliseconds a fresh interpreter spends importing for the statement (-X importtime's
    figures, summed), and how many of them each top-level package's own modules took."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", statement],
        cwd=ROOT,
        env=ENVIRONMENT,
        capture_output=True,
        text=True,
        check=True,
    )
    packages: Counter[str] = Counter()  # microseconds spent in each distribution's own modules
    for match in _LINE.finditer(done.stderr):
        own, _, _, name = match.groups()
        packages[name.split(".")[0]] += int(own)
    total_ms = sum(packages.values()) / 1000
    return total_ms, Counter({name: us // 1000 for name, us in packages.items()})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    baseline = statistics.median(import_ms("pass")[0] for _ in range(args.runs))
    print("\n**Cold start: importing each function's handler in a fresh interpreter**\n")
    print("| function | import ms (median) | slowest packages, ms |")
    print("|---|---|---|")
    for function in wiring.FUNCTIONS:
        runs = sorted(
            (import_ms(f"import functions.{function.name}.handler") for _ in range(args.runs)),
            key=lambda run: run[0],
        )
        total, packages = runs[len(runs) // 2]
        slowest = ", ".join(f"{name} {ms}" for name, ms in packages.most_common(6))
        target = f" (target {TARGET_MS})" if function is wiring.PARTICIPANT_PAGES else ""
        print(f"| {function.name} | {total - baseline:.0f}{target} | {slowest} |")
    floor = statistics.median(
        import_ms("import " + ", ".join(PAGES_LIBRARIES))[0] for _ in range(args.runs)
    )
    print(f"| (the pages function's libraries alone) | {floor - baseline:.0f} | |")


if __name__ == "__main__":
    main()

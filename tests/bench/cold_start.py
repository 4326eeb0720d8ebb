"""Cold start bench: what a person waits for when a link opens a cold Lambda. Prints a markdown
table, one row per function.

    python -m tests.bench.cold_start [--runs 5]

Each run is a fresh interpreter. For the pages function it is a cold page: the process imports
the handler and serves its first request, a GET of a profile page, which checks the link's
signature (reading the signing secret) and reads the person from the table, then serves the
same GET again, as a warm instance would. The tenant lives in the embedded AWS (moto's server)
that this process runs and seeds; the fresh process reaches it over HTTP with an endpoint URL,
as it would reach AWS, so moto's own import is not in its time.
Every other function is timed on its import: a schedule or a queue starts it, nobody waits.

The table gives medians over the runs: wall time, and CPU time (less disturbed by other work on
the machine), and beside them the floor: a fresh interpreter importing only the libraries the
function's own modules import, which no change to our code can go under.

For the pages function it also projects the cold page in Lambda from the CPU times: an
on-demand function's init (the import) runs on a full vCPU, its requests on the share of one its
memory buys (one at 1,769 MB), so work done in the first request costs a person more there.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import socket
import statistics
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from devtools.local_runtime import events
from devtools.local_runtime.aws import EmbeddedAws, client_environment, provision
from devtools.local_runtime.usage import Usage
from infra import tenant_files, wiring
from tandem.links.tokens import Purpose
from tandem.links.urls import link_tokens
from tandem.store import participants
from tests.integration.support import person

ROOT = Path(__file__).parents[2]
TARGET_MS = 300  # a cold page, on this machine (issue 20)
WARM_TARGET_MS = 30  # the same page on a warm instance
FULL_VCPU_MB = 1769  # Lambda's memory at which a function has one full vCPU
POWERTOOLS = {
    "POWERTOOLS_SERVICE_NAME": "bench",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "bench",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
}
Event = dict[str, Any]
_NO_BYTECODE = "PYTHONDONTWRITEBYTECODE"
_FIRST_FOR = ("tandem", "functions")  # our own packages; the rest are libraries
# "import time: self [us] | cumulative | imported package"
_LINE = re.compile(r"import time:\s+\d+ \|\s+\d+ \|( *)(\S+)")

# Run in the fresh interpreter: an import statement, then (given a handler's module and an event)
# the handler's first request.
_PROBE = """
import json, sys, time
def ms(wall, cpu): return (time.perf_counter() - wall) * 1e3, (time.process_time() - cpu) * 1e3
wall, cpu = time.perf_counter(), time.process_time()
exec(sys.argv[1])
times = dict(zip(("import_ms", "import_cpu_ms"), ms(wall, cpu)))
if len(sys.argv) > 2:
    from types import SimpleNamespace
    handler = sys.modules[sys.argv[2]].handler
    context = SimpleNamespace(
        function_name="bench", memory_limit_in_mb=256, aws_request_id="cold",
        invoked_function_arn="arn:aws:lambda:eu-west-1:123456789012:function:bench",
    )
    wall, cpu = time.perf_counter(), time.process_time()
    times["status"] = handler(json.loads(sys.argv[3]), context)["statusCode"]
    times.update(zip(("request_ms", "request_cpu_ms"), ms(wall, cpu)))
    wall, cpu = time.perf_counter(), time.process_time()
    handler(json.loads(sys.argv[3]), context)  # the same GET again, on the now warm instance
    times.update(zip(("warm_ms", "warm_cpu_ms"), ms(wall, cpu)))
print(json.dumps(times))
"""


@dataclass(frozen=True)
class Run:
    import_ms: float
    import_cpu_ms: float
    request_ms: float = 0.0
    request_cpu_ms: float = 0.0
    warm_ms: float = 0.0
    warm_cpu_ms: float = 0.0

    @property
    def cold_ms(self) -> float:
        return self.import_ms + self.request_ms

    @property
    def cold_cpu_ms(self) -> float:
        return self.import_cpu_ms + self.request_cpu_ms


def cold_start(
    statement: str,
    environment: Mapping[str, str],
    module: str = "",
    event: Event | None = None,
    root: Path = ROOT,
) -> Run:
    """One fresh interpreter running the import `statement` (and serving `event` with the
    handler of `module`, if given), in the checkout at `root`."""
    arguments = [statement] if event is None else [statement, module, json.dumps(event)]
    # Bytecode written, whatever this machine's environment says: the run not counted writes
    # what a checkout lacks (a worktree of another commit, a module just edited), as Lambda has
    # it shipped, rather than every run timing its compilation.
    writing = {name: value for name, value in environment.items() if name != _NO_BYTECODE}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *arguments],
        cwd=root,
        env=writing,
        capture_output=True,
        text=True,
        check=True,
    )
    times = json.loads(done.stdout.splitlines()[-1])
    if times.pop("status", 200) != 200:
        raise RuntimeError(f"{module} did not answer its first request with a page")
    return Run(**times)


def libraries(module: str, environment: Mapping[str, str]) -> list[str]:
    """The library modules our own modules import directly while `module` is imported."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        cwd=ROOT,
        env=dict(environment),
        capture_output=True,
        text=True,
        check=True,
    )
    # -X importtime lists a module after everything it imported, indented one step deeper:
    # read backwards, the innermost open module at the depth above is the importer.
    found, importers = set(), {}
    for match in reversed(list(_LINE.finditer(done.stderr))):
        depth, name = len(match.group(1)), match.group(2)
        importers[depth] = name
        importer = importers.get(depth - 2, "")
        top = name.split(".")[0]
        if (
            importer.split(".")[0] in _FIRST_FOR
            and top not in _FIRST_FOR
            and top not in sys.stdlib_module_names
        ):
            found.add(name)
    return sorted(found)


def median_run(runs: list[Run]) -> Run:
    """Each figure's median over the runs."""
    return Run(
        *(
            statistics.median(getattr(run, name) for run in runs)
            for name in Run.__dataclass_fields__
        )
    )


def seeded_tenant() -> tuple[dict[str, str], Event]:
    """The demo tenant in the embedded AWS, with one person: the environment a fresh process
    needs to reach it, and the API Gateway event of a GET of that person's profile page."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request served
    aws = EmbeddedAws(port=_free_port(), usage=Usage())
    aws.start()
    tenant = tenant_files.tenant("demo")
    settings = provision(tenant).settings(tenant, link_base="http://127.0.0.1/")
    os.environ.update(settings)
    participants.create_if_absent(ada := person("Ada", "Finance"))
    token = link_tokens().sign(Purpose.PROFILE, ada.id)
    path = f"/profile/{token}"
    event = events.api_gateway_event(
        method="GET",
        resource="/profile/{token}",
        path=path,
        path_parameters={"token": token},
        headers={"Host": "127.0.0.1", "User-Agent": "bench"},
        query={},
        body=None,
        source_ip="127.0.0.1",
        now=datetime.now(UTC),
    )
    environment = {**os.environ, **client_environment(aws.endpoint), **settings, **POWERTOOLS}
    return environment, event


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def projected_ms(run: Run, memory_mb: int) -> float:
    """The cold page in Lambda: the import on a full vCPU, the request on its memory's share."""
    return run.import_cpu_ms + run.request_cpu_ms * FULL_VCPU_MB / memory_mb


def side_by_side(other: Path, runs: int, environment: Mapping[str, str], page: Event) -> None:
    """The pages function's cold page in this checkout and in `other` (a worktree of the commit
    to compare), their runs taken in turn so that both see the same machine. Each runs its own
    domain code (its layer first on the path, before the installed one)."""
    module = "functions.participant_pages.handler"
    memory = wiring.PARTICIPANT_PAGES.memory_mb
    trees = {"this checkout": ROOT, str(other): other}
    taken: dict[str, list[Run]] = {name: [] for name in trees}
    for _ in range(runs + 1):  # the first of each not counted, as in the table
        for name, root in trees.items():
            own = {**environment, "PYTHONPATH": str(root / "layers/tandem/python")}
            taken[name].append(cold_start(f"import {module}", own, module, page, root))
    print(f"\n**The pages function's cold page side by side, median of {runs}, CPU ms**\n")
    print("| checkout | cold | import | first request | in Lambda, projected |")
    print("|---|---|---|---|---|")
    for name, found in taken.items():
        run = median_run(found[1:])
        cold = statistics.median(r.cold_cpu_ms for r in found[1:])
        print(
            f"| {name} | {cold:.0f} | {run.import_cpu_ms:.0f} | {run.request_cpu_ms:.0f}"
            f" | {projected_ms(run, memory):.0f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--against",
        type=Path,
        help="a worktree of another commit: its cold page beside this one's, runs taken in turn",
    )
    args = parser.parse_args()
    environment, page = seeded_tenant()
    if args.against:
        side_by_side(args.against.resolve(), args.runs, environment, page)
        return
    print(f"\n**Cold start: a fresh interpreter per run, median of {args.runs}, ms**\n")
    print(
        "| function | cold: import + first request (CPU) | import (CPU) | first request (CPU)"
        " | warm request (CPU) | floor: its libraries alone (CPU) | in Lambda, projected |"
    )
    print("|---|---|---|---|---|---|---|")
    for function in wiring.FUNCTIONS:
        module = f"functions.{function.name}.handler"
        is_pages = function is wiring.PARTICIPANT_PAGES
        event = page if is_pages else None
        # One run first, not counted: it fills the disk cache and writes any bytecode missing,
        # which Lambda has shipped (the first row read about 10% high without it).
        runs = [
            cold_start(f"import {module}", environment, module, event) for _ in range(args.runs + 1)
        ][1:]
        floor_statement = "import " + ", ".join(libraries(module, environment))
        floor = median_run([cold_start(floor_statement, environment) for _ in range(args.runs)])
        run = median_run(runs)
        cold = statistics.median(r.cold_ms for r in runs)
        cold_cpu = statistics.median(r.cold_cpu_ms for r in runs)
        request, warm, target, projected = "-", "-", "", "-"
        if is_pages:
            request = f"{run.request_ms:.0f} ({run.request_cpu_ms:.0f})"
            warm = f"{run.warm_ms:.0f} ({run.warm_cpu_ms:.0f}, target {WARM_TARGET_MS})"
            target = f", target {TARGET_MS}"
            projected = f"{projected_ms(run, function.memory_mb):.0f} at {function.memory_mb} MB"
        print(
            f"| {function.name} | {cold:.0f} ({cold_cpu:.0f}{target})"
            f" | {run.import_ms:.0f} ({run.import_cpu_ms:.0f}) | {request} | {warm}"
            f" | {floor.import_ms:.0f} ({floor.import_cpu_ms:.0f}) | {projected} |"
        )


if __name__ == "__main__":
    main()

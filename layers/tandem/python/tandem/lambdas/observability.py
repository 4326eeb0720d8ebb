"""One logger, tracer and metrics per function, configured by Powertools environment variables
(service name, metrics namespace, log level) that the stack sets per function.

Figures go in the structured log lines, where the tenant's dashboard queries them: each EMF
metric is a custom metric, billed for every hour it has data. An ERROR line rings the tenant's
failures alarm (infra/stack/monitoring.py): log at ERROR only what an operator must act on."""

from functools import cache
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger, Metrics

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer

logger = Logger()
metrics = Metrics()


@cache
def _tracer() -> "Tracer":
    # Powertools' Tracer imports the X-Ray SDK even when tracing is off, the largest single
    # import of a cold start: built only by the functions that trace.
    from aws_lambda_powertools import Tracer

    return Tracer()


def __getattr__(name: str) -> "Tracer":
    if name == "tracer":
        return _tracer()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

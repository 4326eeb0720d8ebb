"""One logger, tracer and metrics per function, configured by Powertools environment variables
(service name, metrics namespace, log level) that the stack sets per function."""

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
tracer = Tracer()
metrics = Metrics()

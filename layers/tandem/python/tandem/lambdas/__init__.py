"""What every Lambda function is built with around the domain: one logger, tracer and metrics, and
the queue consumer's entry point.
"""

"""OpenTelemetry spans, when the `tracing` extra is installed and `PLUGINHUB_TRACING` asks for them.

`otlp` exports over OTLP/HTTP to where the standard `OTEL_EXPORTER_OTLP_*`
variables say (default http://localhost:4318); `console` prints each span
as JSON on stdout, to see what would be sent. The ASGI instrumentation
opens a server span per request, continuing the caller's trace from its
`traceparent` header (W3C trace context, or what `OTEL_PROPAGATORS` names);
strawberry's extension adds the operation, parse, validate and resolver
spans beneath it. Resolver arguments are left out of spans: some are
secrets (a binding's `debugToken`).
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from starlette.middleware import Middleware

EXTRA = "pip install 'pluginhub[tracing]'"
UNTRACED = "healthz,readyz,metrics"  # probes and scrapes would drown the traces


@cache
def provider(mode: str) -> Any:
    """One tracer provider per process (`mode` is `otlp` or `console`); flushed at exit."""
    try:
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor
    except ImportError:
        raise RuntimeError(f"PLUGINHUB_TRACING={mode} needs OpenTelemetry: {EXTRA}") from None
    attributes = {} if os.environ.get("OTEL_SERVICE_NAME") else {"service.name": "pluginhub"}
    tracer_provider = TracerProvider(resource=Resource.create(attributes))
    if mode == "otlp":
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        except ImportError:
            raise RuntimeError(f"PLUGINHUB_TRACING=otlp needs the OTLP exporter: {EXTRA}") from None
        tracer_provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    else:
        tracer_provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
    return tracer_provider


def middleware(mode: str) -> list[Middleware]:
    if mode == "off":
        return []
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    return [Middleware(OpenTelemetryMiddleware, tracer_provider=provider(mode), excluded_urls=UNTRACED)]


def extensions(mode: str) -> list[Any]:
    if mode == "off":
        return []
    from strawberry.extensions.tracing import OpenTelemetryExtension

    tracer_provider = provider(mode)

    def without_arguments(args: dict[str, Any], info: Any) -> dict[str, Any]:
        return {}

    class Spans(OpenTelemetryExtension):
        def __init__(self) -> None:
            super().__init__(arg_filter=without_arguments, tracer_provider=tracer_provider)

    return [Spans]

"""OpenTelemetry tracing, switched on by OTEL_EXPORTER_OTLP_ENDPOINT.

Off (the default), nothing of OpenTelemetry is imported: `configure()` returns at once
and the task helpers below are no-ops. On, each deployable exports spans over OTLP/HTTP
(the standard OTEL_* variables apply: endpoint, headers, sampler) for:

- requests on both APIs (Django instrumentation: WSGI for v1, ASGI for v2),
- SQL (psycopg), Redis (redis-py) and outgoing HTTP (httpx),
- tasks: the request (or task) that enqueues one stores its trace context in the task's
  metadata (`TaskMeta.traceparent`), and the run of the task is a span in that trace,
  on whichever worker and however much later it runs; retries keep the original
  parent.

The packages come from the `otel` extra, which the images install.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

_provider: Any = None


def enabled() -> bool:
    return _provider is not None


def configure(service: str) -> bool:
    """Set up tracing for this process when OTEL_EXPORTER_OTLP_ENDPOINT is set. Call it
    once per process, before the application (and its middleware) is loaded."""
    global _provider
    if _provider is not None or not os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        return enabled()
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    resource = Resource.create(
        {
            "service.name": os.environ.get("OTEL_SERVICE_NAME", f"fashionistar-{service}"),
            "service.namespace": "fashionistar",
        }
    )
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    if service in ("sync", "async"):
        DjangoInstrumentor().instrument(is_sql_commentor_enabled=False)
    PsycopgInstrumentor().instrument(skip_dep_check=True)
    RedisInstrumentor().instrument()
    HTTPXClientInstrumentor().instrument()
    _provider = provider
    return True


def use_provider(provider: Any) -> None:
    """Trace tasks with `provider` (None switches tracing off again), without the
    OTLP exporter and the library instrumentation: for tests."""
    global _provider
    _provider = provider


def current_traceparent() -> str | None:
    """The W3C traceparent of the current span, to carry into a task; None when
    tracing is off or no span is active."""
    if _provider is None:
        return None
    from opentelemetry.propagate import inject

    carrier: dict[str, str] = {}
    inject(carrier)
    return carrier.get("traceparent")


@contextlib.contextmanager
def task_span(
    name: str, *, queue: str, task_id: str, attempt: int, traceparent: str | None
) -> Iterator[None]:
    """The span of one task run, a child of the span that enqueued the task."""
    if _provider is None:
        yield
        return
    from opentelemetry.propagate import extract
    from opentelemetry.trace import SpanKind

    parent = extract({"traceparent": traceparent}) if traceparent else None
    tracer = _provider.get_tracer("fashionistar.tasks")
    with tracer.start_as_current_span(
        f"task {name}",
        context=parent,
        kind=SpanKind.CONSUMER,
        attributes={
            "messaging.system": "django.tasks",
            "messaging.destination.name": queue,
            "messaging.message.id": task_id,
            "fashionistar.task.attempt": attempt,
        },
    ):
        yield

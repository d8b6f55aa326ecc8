"""OpenTelemetry: off by default with nothing imported; on, a task's run is a span in
the trace of the request that enqueued it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from shared_domain.common import tracing
from tests import tasks

pytestmark = pytest.mark.django_db(transaction=True)

# What tracing would load. (redis-py 8 imports OpenTelemetry's metrics API by itself
# whenever the SDK is installed, tracing or not: not ours to count.)
_TRACING_MODULES = (
    "opentelemetry.sdk.trace",
    "opentelemetry.exporter",
    "opentelemetry.instrumentation",
    "opentelemetry.propagate",
)
_PROBE = f"""
import json, sys
import sync_service.wsgi, async_service.asgi
from django.conf import settings
from shared_domain.common import tracing
print(json.dumps({{
    "loaded": sorted(m for m in sys.modules if m.startswith({_TRACING_MODULES!r})),
    "enabled": tracing.enabled(),
    "middleware": [m for m in settings.MIDDLEWARE if "opentelemetry" in m],
}}))
"""


def _probe(**env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    out = subprocess.run(
        [sys.executable, "-c", _PROBE],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_tracing_is_off_and_not_even_imported_without_an_endpoint():
    result = _probe()
    assert result == {"loaded": [], "enabled": False, "middleware": []}


def test_an_endpoint_switches_tracing_on_with_the_request_middleware():
    # Nothing listens there: the batch exporter drops spans in the background.
    result = _probe(OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:9")
    assert result["enabled"] is True
    assert result["middleware"]
    assert "opentelemetry.instrumentation.psycopg" in result["loaded"]


@pytest.fixture
def spans():
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.use_provider(provider)
    yield exporter
    tracing.use_provider(None)


def test_a_task_runs_in_the_trace_of_the_request_that_enqueued_it(spans, run_tasks):
    tracer = tracing._provider.get_tracer("test")
    with tracer.start_as_current_span("POST /api/v1/checkout") as request_span:
        tasks.urgent.enqueue("traced")
    run_tasks()

    task_spans = [s for s in spans.get_finished_spans() if s.name == "task tests.tasks.urgent"]
    assert len(task_spans) == 1
    task_span = task_spans[0]
    assert task_span.context.trace_id == request_span.get_span_context().trace_id
    assert task_span.parent is not None
    assert task_span.parent.span_id == request_span.get_span_context().span_id
    assert task_span.attributes["messaging.destination.name"] == "critical"


def test_without_tracing_tasks_carry_no_trace_context(run_tasks):
    result = tasks.urgent.enqueue("untraced")
    run_tasks()
    assert result.id
    assert tracing.current_traceparent() is None

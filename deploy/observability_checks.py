"""Checks of the Grafana dashboard and the Prometheus alert rules (deploy/observability/):
every PromQL expression parses (promql-parser, the Rust parser used by GreptimeDB), and
every metric and label it names is one the code exports, so a renamed metric cannot
leave a blank panel or an alert that never fires."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
OBSERVABILITY = Path(__file__).resolve().parent / "observability"
DASHBOARD = OBSERVABILITY / "grafana-dashboard.json"
ALERTS = OBSERVABILITY / "alerts.yaml"
SOURCES = ("shared_domain", "worker_service", "sync_service", "async_service")
# Grafana's variables, replaced by a value of the right type before parsing.
_GRAFANA_VARIABLES = {
    "$__rate_interval": "5m",
    "$__interval": "1m",
    "$__range": "1h",
}
_SEVERITIES = {"critical", "warning", "info"}


def exported_metrics() -> dict[str, set[str] | None]:
    """Metric name -> its label names (None: not known statically), for every series the
    code exports: prometheus_client metrics with their suffixes, and the gauges the
    workers compute at scrape time."""
    from prometheus_client import REGISTRY

    import shared_domain.common.events
    import shared_domain.common.metrics
    import shared_domain.common.outbox
    import shared_domain.web.throttling  # noqa: F401

    metrics: dict[str, set[str] | None] = {}
    for name, collector in REGISTRY._names_to_collectors.items():
        if not name.startswith("fashionistar_"):
            continue
        labels = set(getattr(collector, "_labelnames", ()))
        if name.endswith("_bucket"):
            labels.add("le")
        metrics[name] = labels
    for package in SOURCES:
        for path in (ROOT / package).rglob("*.py"):
            for family in re.findall(
                r"GaugeMetricFamily\(\s*\"(fashionistar_\w+)\"", path.read_text()
            ):
                metrics.setdefault(family, None)
    metrics["up"] = None
    return metrics


def _selectors(expr: Any) -> Iterator[tuple[str, list[str]]]:
    import promql_parser

    found: list[tuple[str, list[str]]] = []

    def visit(node: Any) -> bool:
        if isinstance(node, promql_parser.VectorSelector):
            found.append((node.name or "", [m.name for m in node.matchers.matchers]))
        if isinstance(node, promql_parser.AggregateExpr) and node.modifier is not None:
            found.append(("", list(node.modifier.labels)))
        return True

    promql_parser.walk(expr, visit)
    yield from found


def check_promql(expr: str, where: str, metrics: dict[str, set[str] | None]) -> list[str]:
    import promql_parser

    for variable, value in _GRAFANA_VARIABLES.items():
        expr = expr.replace(variable, value)
    expr = re.sub(r"\$\{?\w+\}?", "x", expr)  # dashboard variables: label values
    try:
        parsed = promql_parser.parse(expr)
    except ValueError as exc:
        return [f"{where}: does not parse: {exc}"]
    problems: list[str] = []
    names = set()
    for name, labels in _selectors(parsed):
        if not name:
            continue
        names.add(name)
        if name not in metrics:
            problems.append(f"{where}: metric {name} is not exported by the code")
            continue
        known = metrics[name]
        if known is not None:
            problems.extend(
                f"{where}: {name} has no label {label}"
                for label in labels
                if label not in known and label != "__name__"
            )
    # Grouping labels must exist on at least one metric of the expression.
    for name, labels in _selectors(parsed):
        if name:
            continue
        known_sets = [metrics.get(n) for n in names]
        if any(k is None for k in known_sets):
            continue
        every = set().union(*[k for k in known_sets if k is not None])
        problems.extend(
            f"{where}: groups by {label}, which none of its metrics has"
            for label in labels
            if label not in every
        )
    return problems


def check_dashboard(dashboard: dict[str, Any], metrics: dict[str, set[str] | None]) -> list[str]:
    problems = [
        f"dashboard has no {key}"
        for key in ("uid", "title", "panels", "schemaVersion", "templating")
        if key not in dashboard
    ]
    ids = [p.get("id") for p in dashboard.get("panels", [])]
    if len(ids) != len(set(ids)):
        problems.append("dashboard panel ids are not unique")
    variables = {v["name"] for v in dashboard.get("templating", {}).get("list", [])}
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") == "query":
            query = variable.get("definition", "")
            inner = re.fullmatch(r"label_values\((.+),\s*(\w+)\)", query)
            if inner is None:
                problems.append(f"variable {variable['name']}: expected label_values(...)")
                continue
            problems += check_promql(inner.group(1), f"variable {variable['name']}", metrics)
    covered = set()
    for panel in dashboard.get("panels", []):
        if panel.get("type") == "row":
            continue
        where = f"panel {panel.get('title')!r}"
        if "gridPos" not in panel:
            problems.append(f"{where} has no gridPos")
        if panel.get("datasource", {}).get("uid") != "${datasource}":
            problems.append(f"{where} must use the ${{datasource}} variable")
        if not panel.get("targets"):
            problems.append(f"{where} has no query")
        for target in panel.get("targets", []):
            expr = target.get("expr", "")
            problems += check_promql(expr, where, metrics)
            covered |= set(re.findall(r"fashionistar_\w+", expr))
            problems.extend(
                f"{where} uses the undefined variable ${name}"
                for name in re.findall(r"\$\{?(\w+)", expr)
                if not name.startswith("__") and name not in variables
            )
    for needed in (
        "fashionistar_http_requests_total",
        "fashionistar_http_request_duration_seconds_bucket",
        "fashionistar_task_queue_depth",
        "fashionistar_tasks_succeeded_total",
        "fashionistar_tasks_failed_total",
        "fashionistar_outbox_oldest_pending_age_seconds",
        "fashionistar_db_pool_connections",
    ):
        if needed not in covered:
            problems.append(f"dashboard shows nothing of {needed}")
    return problems


def check_alerts(rules: dict[str, Any], metrics: dict[str, set[str] | None]) -> list[str]:
    import promql_parser

    problems: list[str] = []
    seen: set[str] = set()
    groups = rules.get("groups") or []
    if not groups:
        return ["the alert file has no groups"]
    for group in groups:
        for rule in group.get("rules", []):
            name = rule.get("alert")
            if name is None:
                problems.append(f"group {group.get('name')}: a rule without `alert`")
                continue
            if name in seen:
                problems.append(f"alert {name} is defined twice")
            seen.add(name)
            problems += check_promql(rule.get("expr", ""), f"alert {name}", metrics)
            if "for" in rule:
                try:
                    promql_parser.parse_duration(str(rule["for"]))
                except ValueError:
                    problems.append(f"alert {name}: `for` {rule['for']!r} is not a duration")
            if rule.get("labels", {}).get("severity") not in _SEVERITIES:
                problems.append(f"alert {name}: severity must be one of {sorted(_SEVERITIES)}")
            annotations = rule.get("annotations", {})
            problems.extend(
                f"alert {name}: no {key} annotation"
                for key in ("summary", "description", "runbook_url")
                if key not in annotations
            )
            runbook = annotations.get("runbook_url")
            if runbook and not (ROOT / runbook).is_file():
                problems.append(f"alert {name}: runbook {runbook} does not exist")
    return problems


def check_observability() -> list[str]:
    metrics = exported_metrics()
    return check_dashboard(json.loads(DASHBOARD.read_text()), metrics) + check_alerts(
        yaml.safe_load(ALERTS.read_text()), metrics
    )

"""The dashboard and the alert rules only name metrics and labels the code exports, and
their PromQL parses."""

import copy
import json

import pytest
import yaml

from deploy import observability_checks as checks


@pytest.fixture(scope="module")
def metrics():
    return checks.exported_metrics()


@pytest.fixture(scope="module")
def dashboard():
    return json.loads(checks.DASHBOARD.read_text())


@pytest.fixture(scope="module")
def alerts():
    return yaml.safe_load(checks.ALERTS.read_text())


def test_exported_metrics_include_scrape_time_gauges_and_histogram_series(metrics):
    assert metrics["fashionistar_http_requests_total"] == {"service", "method", "route", "status"}
    assert "le" in metrics["fashionistar_http_request_duration_seconds_bucket"]
    assert "fashionistar_task_queue_depth" in metrics
    assert "fashionistar_outbox_oldest_pending_age_seconds" in metrics
    assert metrics["fashionistar_db_pool_connections"] == {"service", "state"}


def test_the_real_dashboard_and_alerts_pass(dashboard, alerts, metrics):
    assert checks.check_dashboard(dashboard, metrics) == []
    assert checks.check_alerts(alerts, metrics) == []


def test_a_renamed_metric_or_label_is_caught(metrics):
    where = "q"
    assert checks.check_promql("rate(fashionistar_http_request_total[5m])", where, metrics) == [
        "q: metric fashionistar_http_request_total is not exported by the code"
    ]
    assert checks.check_promql(
        'sum(rate(fashionistar_http_requests_total{path="/x"}[5m]))', where, metrics
    ) == ["q: fashionistar_http_requests_total has no label path"]
    assert checks.check_promql(
        "sum by (pod_name) (rate(fashionistar_tasks_failed_total[5m]))", where, metrics
    ) == ["q: groups by pod_name, which none of its metrics has"]
    assert checks.check_promql("sum(rate(fashionistar_tasks_failed_total[5m])", where, metrics)[
        0
    ].startswith("q: does not parse")


def test_dashboard_panels_need_the_datasource_variable_and_known_variables(dashboard, metrics):
    broken = copy.deepcopy(dashboard)
    panel = next(p for p in broken["panels"] if p["type"] != "row")
    panel["datasource"] = {"type": "prometheus", "uid": "prod-prometheus"}
    panel["targets"][0]["expr"] = 'sum(fashionistar_task_queue_depth{queue=~"$tenant"})'
    problems = checks.check_dashboard(broken, metrics)
    assert f"panel {panel['title']!r} must use the ${{datasource}} variable" in problems
    assert f"panel {panel['title']!r} uses the undefined variable $tenant" in problems


def test_alerts_need_severity_annotations_and_a_real_runbook(alerts, metrics):
    broken = copy.deepcopy(alerts)
    rule = broken["groups"][0]["rules"][0]
    rule["labels"]["severity"] = "page"
    rule["annotations"]["runbook_url"] = "docs/runbooks/nope.md"
    rule["for"] = "five minutes"
    del rule["annotations"]["summary"]
    name = rule["alert"]
    problems = checks.check_alerts(broken, metrics)
    assert f"alert {name}: severity must be one of ['critical', 'info', 'warning']" in problems
    assert f"alert {name}: runbook docs/runbooks/nope.md does not exist" in problems
    assert f"alert {name}: `for` 'five minutes' is not a duration" in problems
    assert f"alert {name}: no summary annotation" in problems

"""The offline checks of the deployment assets pass on the real files and catch breakage."""

import copy

import pytest
import yaml

from deploy import validate


@pytest.fixture(scope="module")
def k8s_docs():
    return validate.load_k8s(sorted(validate.K8S.glob("*.yaml")))


@pytest.fixture(scope="module")
def pgbouncer_ini():
    return (validate.DEPLOY / "pgbouncer" / "pgbouncer.ini").read_text()


def _find(docs, kind, name):
    return next(d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name)


def test_real_manifests_pass(k8s_docs, pgbouncer_ini):
    assert validate.check_k8s_references(k8s_docs, pgbouncer_ini) == []


def test_every_deployable_has_a_deployment_service_and_hpa(k8s_docs):
    kinds = {(d["kind"], d["metadata"]["name"]) for d in k8s_docs}
    for name in validate.DEPLOYABLES:
        assert ("Deployment", name) in kinds
        assert ("HorizontalPodAutoscaler", name) in kinds


def test_hpa_pointing_nowhere_is_caught(k8s_docs):
    docs = copy.deepcopy(k8s_docs)
    _find(docs, "HorizontalPodAutoscaler", "fashionistar-async")["spec"]["scaleTargetRef"][
        "name"
    ] = "gone"
    problems = validate.check_k8s_references(docs)
    assert "HPA fashionistar-async targets missing Deployment gone" in problems
    assert "Deployment fashionistar-async needs exactly one autoscaling/v2 HPA" in problems


def test_ingress_must_route_both_prefixes_by_prefix(k8s_docs):
    docs = copy.deepcopy(k8s_docs)
    paths = _find(docs, "Ingress", "fashionistar")["spec"]["rules"][0]["http"]["paths"]
    paths[1]["pathType"] = "Exact"
    paths[0]["backend"]["service"]["name"] = "async"
    problems = validate.check_k8s_references(docs)
    assert "Ingress /api/v2 must use pathType Prefix" in problems
    assert "Ingress /api/v1 must reach fashionistar-sync" in problems


def test_wrong_probe_path_and_missing_secret_are_caught(k8s_docs):
    docs = copy.deepcopy(k8s_docs)
    container = _find(docs, "Deployment", "fashionistar-sync")["spec"]["template"]["spec"][
        "containers"
    ][0]
    container["readinessProbe"]["httpGet"]["path"] = "/ready"
    container["envFrom"][1]["secretRef"]["name"] = "nope"
    problems = validate.check_k8s_references(docs)
    assert any("readinessProbe path is '/ready'" in p for p in problems)
    assert "fashionistar-sync uses missing Secret nope" in problems


def test_worker_hpa_must_scale_on_queue_depth(k8s_docs):
    docs = copy.deepcopy(k8s_docs)
    hpa = _find(docs, "HorizontalPodAutoscaler", "fashionistar-worker")
    hpa["spec"]["metrics"] = [m for m in hpa["spec"]["metrics"] if m["type"] != "External"]
    assert (
        "worker HPA must scale on fashionistar_task_queue_depth"
        in validate.check_k8s_references(docs)
    )


def test_pgbouncer_copy_must_match(k8s_docs, pgbouncer_ini):
    assert validate.check_k8s_references(k8s_docs, pgbouncer_ini + "\nfoo = 1\n")[-1].startswith(
        "k8s/pgbouncer.yaml pgbouncer.ini differs"
    )


def test_compose_checks():
    dockerfile = (validate.DEPLOY / "Dockerfile").read_text()
    compose = yaml.safe_load((validate.DEPLOY / "compose.yaml").read_text())
    assert validate.check_compose(compose, dockerfile) == []
    broken = copy.deepcopy(compose)
    broken["services"]["worker"]["depends_on"] = {"rabbitmq": {"condition": "service_started"}}
    broken["services"]["async"]["build"]["target"] = "nope"
    del broken["services"]["redis"]
    problems = validate.check_compose(broken, dockerfile)
    assert "compose service worker depends on missing rabbitmq" in problems
    assert "compose service async builds unknown target 'nope'" in problems
    assert "compose service redis is missing" in problems


def test_dockerfile_has_the_three_targets():
    assert validate.check_dockerfile_targets((validate.DEPLOY / "Dockerfile").read_text()) == []
    assert validate.check_dockerfile_targets("FROM python AS sync\n") == [
        "Dockerfile target async is missing",
        "Dockerfile target worker is missing",
    ]

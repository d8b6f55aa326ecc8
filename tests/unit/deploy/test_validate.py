"""The offline checks of the deployment assets pass on the real files and catch breakage."""

import copy

import pytest
import yaml

from deploy import k8s_checks, validate


@pytest.fixture(scope="module")
def prod():
    return validate.render("prod")


@pytest.fixture(scope="module")
def pgbouncer_ini():
    return (validate.DEPLOY / "pgbouncer" / "pgbouncer.ini").read_text()


def _find(docs, kind, name):
    return next(d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name)


def _container(docs, name):
    return _find(docs, "Deployment", name)["spec"]["template"]["spec"]["containers"][0]


@pytest.mark.parametrize("overlay", validate.OVERLAYS)
def test_both_overlays_render_and_pass(overlay, pgbouncer_ini):
    docs = validate.render(overlay)
    assert k8s_checks.check_references(docs, pgbouncer_ini) == []
    assert k8s_checks.check_keda(docs) == []
    assert k8s_checks.check_release(docs) == []


def test_each_release_names_its_own_migration_job(prod):
    tag = _container(prod, "fashionistar-sync")["image"].rsplit(":", 1)[1]
    assert _find(prod, "Job", f"fashionistar-migrate-{tag}")
    docs = copy.deepcopy(prod)
    _container(docs, "fashionistar-async")["image"] = "ghcr.io/fashionistar/fashionistar-async:2"
    assert k8s_checks.check_release(docs)[0].startswith("the app images must share one release")


def test_apis_scale_on_cpu_only(prod):
    docs = copy.deepcopy(prod)
    hpa = _find(docs, "HorizontalPodAutoscaler", "fashionistar-async")
    hpa["spec"]["metrics"].append(
        {
            "type": "Resource",
            "resource": {
                "name": "memory",
                "target": {"type": "Utilization", "averageUtilization": 80},
            },
        }
    )
    _find(docs, "HorizontalPodAutoscaler", "fashionistar-sync")["spec"]["scaleTargetRef"][
        "name"
    ] = "gone"
    problems = k8s_checks.check_references(docs)
    assert "HPA of fashionistar-async must scale on CPU, not memory" in problems
    assert "HPA fashionistar-sync targets missing Deployment gone" in problems
    assert "Deployment fashionistar-sync needs exactly one autoscaling/v2 HPA" in problems


def test_worker_pools_scale_on_their_own_backlog(prod):
    docs = copy.deepcopy(prod)
    critical = _find(docs, "ScaledObject", "fashionistar-worker-critical")
    critical["spec"]["minReplicaCount"] = 1
    batch = _find(docs, "ScaledObject", "fashionistar-worker-batch")
    batch["spec"]["triggers"][0]["metadata"]["query"] = "SELECT 1"
    env = _container(docs, "fashionistar-worker-default")["env"]
    next(e for e in env if e["name"] == "WORKER_QUEUES")["value"] = "default,ai"
    problems = k8s_checks.check_references(docs)
    assert "fashionistar-worker-critical may scale below 2 (minReplicaCount)" in problems
    assert any(
        p.startswith("ScaledObject of fashionistar-worker-batch must count") for p in problems
    )
    assert (
        "fashionistar-worker-default consumes ['default', 'ai'], expected ['default']" in problems
    )
    assert any(p.startswith("worker pools consume") for p in problems)


def test_keda_objects_are_checked_against_the_crd_schema(prod):
    docs = copy.deepcopy(prod)
    spec = _find(docs, "ScaledObject", "fashionistar-worker-default")["spec"]
    spec["minReplicas"] = 3  # an HPA field: KEDA would silently drop it
    spec["maxReplicaCount"] = "ten"
    problems = k8s_checks.check_keda(docs)
    assert "ScaledObject fashionistar-worker-default: unknown field .spec.minReplicas" in problems
    assert any("spec.maxReplicaCount: 'ten' is not of type 'integer'" in p for p in problems)


def test_network_policies_let_only_the_ingress_reach_the_apis(prod):
    docs = copy.deepcopy(prod)
    policy = _find(docs, "NetworkPolicy", "apis-from-ingress")
    policy["spec"]["ingress"][0]["from"] = [{"ipBlock": {"cidr": "0.0.0.0/0"}}]
    _find(docs, "NetworkPolicy", "pgbouncer-from-apps")["spec"]["ingress"][0]["from"][0][
        "podSelector"
    ]["matchExpressions"][0]["values"] = ["fashionistar-sync"]
    problems = k8s_checks.check_references(docs)
    assert "fashionistar-sync accepts connections from anywhere" in problems
    assert "fashionistar-async is not reachable from the ingress controller" in problems
    assert any(p.startswith("PgBouncer is not reachable from") for p in problems)
    docs = [d for d in copy.deepcopy(prod) if d["metadata"]["name"] != "default-deny"]
    assert "no default-deny NetworkPolicy for ingress" in k8s_checks.check_references(docs)


def test_pods_need_budgets_limits_and_the_migration_gate(prod):
    docs = [
        d
        for d in copy.deepcopy(prod)
        if not (d["kind"] == "PodDisruptionBudget" and d["metadata"]["name"] == "pgbouncer")
    ]
    pod = _find(docs, "Deployment", "fashionistar-async")["spec"]["template"]["spec"]
    pod["initContainers"] = []
    del pod["containers"][0]["resources"]["limits"]
    problems = k8s_checks.check_references(docs)
    assert "Deployment pgbouncer has no PodDisruptionBudget" in problems
    assert "fashionistar-async must wait for its release's migrations (init container)" in problems
    assert "fashionistar-async/async needs cpu+memory requests and a memory limit" in problems


def test_ingress_must_route_both_prefixes_by_prefix(prod):
    docs = copy.deepcopy(prod)
    paths = _find(docs, "Ingress", "fashionistar")["spec"]["rules"][0]["http"]["paths"]
    paths[1]["pathType"] = "Exact"
    paths[0]["backend"]["service"]["name"] = "async"
    problems = k8s_checks.check_references(docs)
    assert "Ingress /api/v2 must use pathType Prefix" in problems
    assert "Ingress /api/v1 must reach fashionistar-sync" in problems


def test_wrong_probe_path_and_missing_secret_are_caught(prod):
    docs = copy.deepcopy(prod)
    container = _container(docs, "fashionistar-sync")
    container["readinessProbe"]["httpGet"]["path"] = "/ready"
    container["envFrom"][1]["secretRef"]["name"] = "nope"
    problems = k8s_checks.check_references(docs)
    assert any("readinessProbe path is '/ready'" in p for p in problems)
    assert "fashionistar-sync uses missing Secret nope" in problems


def test_pgbouncer_copy_must_match(prod, pgbouncer_ini):
    assert k8s_checks.check_references(prod, pgbouncer_ini + "\nfoo = 1\n")[-1].startswith(
        "k8s/base/pgbouncer.yaml pgbouncer.ini differs"
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


def test_images_are_built_deps_first_slim_and_non_root():
    dockerfile = (validate.DEPLOY / "Dockerfile").read_text()
    assert validate.check_dockerfile_images(dockerfile) == []
    code_first = dockerfile.replace(
        "COPY pyproject.toml requirements/constraints.txt requirements/models.txt ./",
        "COPY shared_domain shared_domain\n"
        "COPY pyproject.toml requirements/constraints.txt requirements/models.txt ./",
    )
    floating = dockerfile.replace("python:3.12.12-slim-bookworm", "python:3.12-slim")
    root_worker = dockerfile.replace(
        "WORKER_HEALTH_PORT=8003\nUSER 10001:10001", "WORKER_HEALTH_PORT=8003\nUSER root"
    )
    tools_in_async = dockerfile.replace(
        "FROM runtime AS async\n", "FROM runtime AS async\nRUN apt-get install -y gcc\n"
    )
    assert validate.check_dockerfile_images(code_first) == [
        "the build stage must install dependencies before copying the code"
    ]
    assert validate.check_dockerfile_images(floating) == [
        "ARG PYTHON_IMAGE must pin an exact python:X.Y.Z-slim-<debian> base"
    ]
    assert validate.check_dockerfile_images(root_worker) == [
        "image worker must run as a non-root USER"
    ]
    assert validate.check_dockerfile_images(tools_in_async) == [
        "image async installs build tools (keep them in the build stage)"
    ]

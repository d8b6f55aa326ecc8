"""Rules for the rendered Kubernetes manifests (an overlay after `kubectl kustomize`)
that no schema can express: what references what, how each deployable scales, which
pods may talk to which, and that each release migrates once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = Path(__file__).resolve().parent / "schemas"

APIS = {
    "fashionistar-sync": {"live": "/api/v1/healthz", "ready": "/api/v1/readyz"},
    "fashionistar-async": {"live": "/api/v2/healthz", "ready": "/api/v2/readyz"},
}
WORKER_PROBES = {"live": "/healthz", "ready": "/readyz"}
# Worker pools: Deployment -> (its queues, the fewest replicas it may run).
WORKER_POOLS = {
    "fashionistar-worker-critical": (["critical", "emails"], 2),
    "fashionistar-worker-default": (["default"], 1),
    "fashionistar-worker-batch": (["analytics", "ai"], 0),
}
INGRESS_ROUTES = {"/api/v1": "fashionistar-sync", "/api/v2": "fashionistar-async"}
APP_IMAGES = ("fashionistar-sync", "fashionistar-async", "fashionistar-worker")
# Created out of band (README "Deployment"): referenced, never rendered in prod.
EXTERNAL_SECRETS = {"fashionistar-secrets", "fashionistar-pgbouncer-users", "fashionistar-tls"}
KEDA_SCHEMAS = {
    "ScaledObject": SCHEMAS / "keda" / "scaledobject.json",
    "TriggerAuthentication": SCHEMAS / "keda" / "triggerauthentication.json",
}


def by_kind(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in docs if d.get("kind") == kind}


def _pod(deployment: dict[str, Any]) -> dict[str, Any]:
    return dict(deployment["spec"]["template"]["spec"])


def _labels(deployment: dict[str, Any]) -> dict[str, str]:
    return dict(deployment["spec"]["template"]["metadata"].get("labels", {}))


def _env(container: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value") for e in container.get("env", [])}


def _selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """A LabelSelector (matchLabels + matchExpressions In/NotIn/Exists) against labels."""
    if not selector.get("matchLabels", {}).items() <= labels.items():
        return False
    for expr in selector.get("matchExpressions", []):
        value = labels.get(expr["key"])
        operator = expr["operator"]
        if operator == "In" and value not in expr["values"]:
            return False
        if operator == "NotIn" and value in expr["values"]:
            return False
        if operator == "Exists" and value is None:
            return False
        if operator == "DoesNotExist" and value is not None:
            return False
    return True


# ---------------------------------------------------------------------- KEDA schemas
def unknown_fields(schema: dict[str, Any], doc: Any, path: str = "") -> Iterator[str]:
    """Fields the schema does not declare (the API server would prune them silently:
    a typo such as `minReplicas` on a ScaledObject would just be ignored)."""
    if isinstance(doc, dict) and "properties" in schema:
        for key, value in doc.items():
            if key in schema["properties"]:
                yield from unknown_fields(schema["properties"][key], value, f"{path}.{key}")
            elif not schema.get("additionalProperties") and not schema.get(
                "x-kubernetes-preserve-unknown-fields"
            ):
                yield f"{path}.{key}"
    elif isinstance(doc, list) and "items" in schema:
        for index, item in enumerate(doc):
            yield from unknown_fields(schema["items"], item, f"{path}[{index}]")


def check_keda(docs: list[dict[str, Any]]) -> list[str]:
    """ScaledObjects and TriggerAuthentications against KEDA's own CRD schemas (vendored
    from its release), strictly: schema errors and undeclared fields."""
    import jsonschema

    problems: list[str] = []
    for kind, path in KEDA_SCHEMAS.items():
        schema = json.loads(path.read_text())
        validator = jsonschema.Draft7Validator(schema)
        for name, doc in by_kind(docs, kind).items():
            if doc.get("apiVersion") != "keda.sh/v1alpha1":
                problems.append(f"{kind} {name}: apiVersion must be keda.sh/v1alpha1")
            problems.extend(
                f"{kind} {name}: {'.'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
                for e in validator.iter_errors(doc)
            )
            problems.extend(
                f"{kind} {name}: unknown field {field}" for field in unknown_fields(schema, doc)
            )
    return problems


# ---------------------------------------------------------------------- references
def check_references(docs: list[dict[str, Any]], pgbouncer_ini: str | None = None) -> list[str]:
    problems: list[str] = []
    deployments = by_kind(docs, "Deployment")
    configmaps = by_kind(docs, "ConfigMap")
    secrets = set(by_kind(docs, "Secret")) | EXTERNAL_SECRETS

    problems += _check_apis(docs, deployments)
    problems += _check_workers(docs, deployments)
    problems += _check_services_and_ingress(docs, deployments)
    problems += _check_pods(docs, deployments, configmaps, secrets)
    problems += _check_network(docs, deployments)

    if pgbouncer_ini is not None:
        copy = configmaps.get("pgbouncer-config", {}).get("data", {}).get("pgbouncer.ini")
        if copy is None or copy.strip() != pgbouncer_ini.strip():
            problems.append(
                "k8s/base/pgbouncer.yaml pgbouncer.ini differs from deploy/pgbouncer/pgbouncer.ini"
            )
    return problems


def _check_apis(docs: list[dict[str, Any]], deployments: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    hpas = by_kind(docs, "HorizontalPodAutoscaler")
    for name in APIS:
        targeting = [
            h
            for h in hpas.values()
            if h["spec"]["scaleTargetRef"]
            == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
        ]
        if len(targeting) != 1 or targeting[0]["apiVersion"] != "autoscaling/v2":
            problems.append(f"Deployment {name} needs exactly one autoscaling/v2 HPA")
            continue
        resources = {m.get("resource", {}).get("name") for m in targeting[0]["spec"]["metrics"]}
        if "cpu" not in resources or "memory" in resources:
            problems.append(f"HPA of {name} must scale on CPU, not memory")
    for name, hpa in hpas.items():
        target = hpa["spec"]["scaleTargetRef"]["name"]
        if target not in deployments:
            problems.append(f"HPA {name} targets missing Deployment {target}")
        elif target not in APIS:
            problems.append(f"HPA {name} targets {target}: only the APIs scale by HPA")
    return problems


def _check_workers(docs: list[dict[str, Any]], deployments: dict[str, Any]) -> list[str]:
    from shared_domain.common.queues import backlog_sql

    problems: list[str] = []
    scaled = by_kind(docs, "ScaledObject")
    auths = by_kind(docs, "TriggerAuthentication")
    workers = {
        n
        for n, d in deployments.items()
        if _labels(d).get("app.kubernetes.io/component") == "worker"
    }
    if workers != set(WORKER_POOLS):
        problems.append(
            f"worker Deployments are {sorted(workers)}, expected {sorted(WORKER_POOLS)}"
        )
    consumed: list[str] = []
    for name, (queues, floor) in WORKER_POOLS.items():
        deployment = deployments.get(name)
        if deployment is None:
            continue
        container = _pod(deployment)["containers"][0]
        configured = [q for q in (_env(container).get("WORKER_QUEUES") or "").split(",") if q]
        if configured != queues:
            problems.append(f"{name} consumes {configured}, expected {queues}")
        consumed += configured
        targeting = [s for s in scaled.values() if s["spec"]["scaleTargetRef"]["name"] == name]
        if len(targeting) != 1:
            problems.append(f"Deployment {name} needs exactly one ScaledObject")
            continue
        spec = targeting[0]["spec"]
        if spec.get("minReplicaCount", 0) < floor:
            problems.append(f"{name} may scale below {floor} (minReplicaCount)")
        triggers = spec.get("triggers", [])
        if [t["type"] for t in triggers] != ["postgresql"]:
            problems.append(f"ScaledObject of {name} must scale on one postgresql trigger")
            continue
        trigger = triggers[0]
        if " ".join(trigger["metadata"].get("query", "").split()) != backlog_sql(configured):
            problems.append(
                f"ScaledObject of {name} must count its queues' backlog: "
                f"query is not backlog_sql({configured})"
            )
        auth = trigger.get("authenticationRef", {}).get("name")
        if auth not in auths:
            problems.append(f"ScaledObject of {name} uses missing TriggerAuthentication {auth}")
    for name, so in scaled.items():
        if so["spec"]["scaleTargetRef"]["name"] not in deployments:
            problems.append(f"ScaledObject {name} targets a missing Deployment")
    from django.conf import settings

    if sorted(consumed) != sorted(settings.TASK_QUEUES):
        problems.append(
            f"worker pools consume {sorted(consumed)}: every queue exactly once expected "
            f"({sorted(settings.TASK_QUEUES)})"
        )
    schedulers = [
        n
        for n in WORKER_POOLS
        if n in deployments
        and _env(_pod(deployments[n])["containers"][0]).get("WORKER_SCHEDULER") == "true"
    ]
    if schedulers != ["fashionistar-worker-critical"]:
        problems.append(f"the scheduler must run in the critical pool only, runs in {schedulers}")
    return problems


def _check_services_and_ingress(
    docs: list[dict[str, Any]], deployments: dict[str, Any]
) -> list[str]:
    problems: list[str] = []
    services = by_kind(docs, "Service")
    for name, service in services.items():
        selector = service["spec"].get("selector", {})
        matching = [
            d for d in deployments.values() if selector and selector.items() <= _labels(d).items()
        ]
        if not matching:
            problems.append(f"Service {name} selects no Deployment's pods")
            continue
        port_names = {
            p.get("name") for c in _pod(matching[0])["containers"] for p in c.get("ports", [])
        }
        for port in service["spec"]["ports"]:
            target = port.get("targetPort")
            if isinstance(target, str) and target not in port_names:
                problems.append(f"Service {name} targets unknown container port {target!r}")

    ingresses = list(by_kind(docs, "Ingress").values())
    if len(ingresses) != 1:
        return [*problems, "exactly one Ingress is expected"]
    routes = {
        path["path"]: path
        for rule in ingresses[0]["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    if set(routes) != set(INGRESS_ROUTES):
        problems.append(f"Ingress routes {sorted(routes)}, expected {sorted(INGRESS_ROUTES)}")
    for prefix, deployment_name in INGRESS_ROUTES.items():
        route = routes.get(prefix)
        if route is None:
            continue
        if route["pathType"] != "Prefix":
            problems.append(f"Ingress {prefix} must use pathType Prefix")
        backend = route["backend"]["service"]
        target = services.get(backend["name"])
        if target is None:
            problems.append(f"Ingress {prefix} routes to missing Service {backend['name']}")
            continue
        labels = _labels(deployments[deployment_name]) if deployment_name in deployments else {}
        if not target["spec"]["selector"].items() <= labels.items():
            problems.append(f"Ingress {prefix} must reach {deployment_name}")
        port = backend["port"]
        known = {p.get("name") for p in target["spec"]["ports"]} | {
            p["port"] for p in target["spec"]["ports"]
        }
        if (port.get("name") or port.get("number")) not in known:
            problems.append(
                f"Ingress {prefix} uses unknown port {port} of Service {backend['name']}"
            )
    return problems


def _check_pods(
    docs: list[dict[str, Any]],
    deployments: dict[str, Any],
    configmaps: dict[str, Any],
    secrets: set[str],
) -> list[str]:
    problems: list[str] = []
    pdbs = by_kind(docs, "PodDisruptionBudget")
    for name, deployment in deployments.items():
        pod = _pod(deployment)
        if not any(_selects(p["spec"]["selector"], _labels(deployment)) for p in pdbs.values()):
            problems.append(f"Deployment {name} has no PodDisruptionBudget")
        if "terminationGracePeriodSeconds" not in pod:
            problems.append(f"Deployment {name} sets no terminationGracePeriodSeconds")
        for container in pod.get("initContainers", []) + pod["containers"]:
            resources = container.get("resources", {})
            if not {"cpu", "memory"} <= resources.get("requests", {}).keys() or (
                "memory" not in resources.get("limits", {})
            ):
                problems.append(
                    f"{name}/{container['name']} needs cpu+memory requests and a memory limit"
                )
            for source in container.get("envFrom", []):
                if "configMapRef" in source and source["configMapRef"]["name"] not in configmaps:
                    problems.append(
                        f"{name} uses missing ConfigMap {source['configMapRef']['name']}"
                    )
                if "secretRef" in source and source["secretRef"]["name"] not in secrets:
                    problems.append(f"{name} uses missing Secret {source['secretRef']['name']}")
        probes = APIS.get(name) or (WORKER_PROBES if name in WORKER_POOLS else None)
        if probes is None:
            continue
        container = pod["containers"][0]
        for probe, path in (
            ("livenessProbe", probes["live"]),
            ("readinessProbe", probes["ready"]),
        ):
            got = container.get(probe, {}).get("httpGet", {}).get("path")
            if got != path:
                problems.append(f"{name} {probe} path is {got!r}, expected {path!r}")
        waits = [
            c
            for c in pod.get("initContainers", [])
            if "wait_for_migrations" in c.get("command", [])
        ]
        if not waits:
            problems.append(f"{name} must wait for its release's migrations (init container)")
        elif waits[0]["image"] != container["image"]:
            problems.append(f"{name} waits for migrations with another image than it runs")
    return problems


def _check_network(docs: list[dict[str, Any]], deployments: dict[str, Any]) -> list[str]:
    """Ingress rules: default deny; the APIs from the ingress controller; PgBouncer from
    the apps; metrics from Prometheus; nothing else."""
    problems: list[str] = []
    policies = by_kind(docs, "NetworkPolicy")
    deny = [
        p
        for p in policies.values()
        if p["spec"]["podSelector"] == {}
        and "Ingress" in p["spec"].get("policyTypes", [])
        and not p["spec"].get("ingress")
    ]
    if not deny:
        problems.append("no default-deny NetworkPolicy for ingress")
    for name, deployment in deployments.items():
        labels = _labels(deployment)
        sources = [
            peer
            for p in policies.values()
            if "Ingress" in p["spec"].get("policyTypes", [])
            and _selects(p["spec"]["podSelector"], labels)
            for rule in p["spec"].get("ingress", [])
            for peer in rule.get("from", [{"everyone": True}])
        ]
        namespaces = {
            peer.get("namespaceSelector", {})
            .get("matchLabels", {})
            .get("kubernetes.io/metadata.name")
            for peer in sources
            if "namespaceSelector" in peer
        }
        if any("everyone" in peer or peer.get("ipBlock") for peer in sources):
            problems.append(f"{name} accepts connections from anywhere")
        if name in APIS and not namespaces - {"monitoring"}:
            problems.append(f"{name} is not reachable from the ingress controller")
        if name not in APIS and namespaces - {"monitoring"}:
            problems.append(f"{name} accepts connections from namespaces {sorted(namespaces)}")
        if name == "pgbouncer":
            apps = set(APIS) | set(WORKER_POOLS)
            reach = {
                app
                for app in apps
                if app in deployments
                and any(
                    _selects(peer["podSelector"], _labels(deployments[app]))
                    for peer in sources
                    if "podSelector" in peer
                )
            }
            if reach != {a for a in apps if a in deployments}:
                problems.append(f"PgBouncer is not reachable from {sorted(apps - reach)}")
    return problems


# ---------------------------------------------------------------------- release
def check_release(docs: list[dict[str, Any]]) -> list[str]:
    """One tag for the three images of a release; the migration Job is named after it."""
    images = {
        c["image"]
        for d in docs
        if d.get("kind") in ("Deployment", "Job")
        for c in d["spec"]["template"]["spec"].get("initContainers", [])
        + d["spec"]["template"]["spec"]["containers"]
        if c["image"].rsplit("/", 1)[-1].split(":")[0] in APP_IMAGES
    }
    tags = {
        image.rsplit(":", 1)[-1] if ":" in image.rsplit("/", 1)[-1] else "" for image in images
    }
    if len(tags) != 1 or "" in tags:
        return [f"the app images must share one release tag, found {sorted(images)}"]
    tag = tags.pop()
    jobs = [n for n in by_kind(docs, "Job") if n.startswith("fashionistar-migrate")]
    if jobs != [f"fashionistar-migrate-{tag}"]:
        return [f"the migration Job must be named fashionistar-migrate-{tag}, found {jobs}"]
    if len(jobs[0]) > 63:
        # Its pods carry the name in a label, and label values stop at 63 characters.
        return [f"the migration Job name {jobs[0]} is longer than 63 characters"]
    return []

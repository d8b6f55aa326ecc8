"""Offline validation of the deployment assets (`make manifests`, part of `make test`).

- k8s/*.yaml against the Kubernetes OpenAPI schemas (kubernetes-validate --strict), then
  cross-references: three Deployments each with an autoscaling/v2 HPA, Services that
  select real pods and ports, an Ingress routing /api/v1 and /api/v2 by Prefix to them,
  probes on the real health routes, referenced ConfigMaps/Secrets, the PgBouncer copy.
- deploy/Dockerfile with hadolint, and its three targets.
- deploy/compose.yaml structure (services, dependencies, build targets).
- deploy/ingress/Caddyfile with `caddy validate` and `caddy fmt`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
K8S = ROOT / "k8s"
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent

DEPLOYABLES = {
    "fashionistar-sync": {"live": "/api/v1/healthz", "ready": "/api/v1/readyz"},
    "fashionistar-async": {"live": "/api/v2/healthz", "ready": "/api/v2/readyz"},
    "fashionistar-worker": {"live": "/healthz", "ready": "/readyz"},
}
INGRESS_ROUTES = {"/api/v1": "fashionistar-sync", "/api/v2": "fashionistar-async"}
QUEUE_DEPTH_METRIC = "fashionistar_task_queue_depth"
DOCKER_TARGETS = ("sync", "async", "worker")


def load_k8s(paths: Iterable[Path]) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in paths:
        docs.extend(doc for doc in yaml.safe_load_all(path.read_text()) if doc)
    return docs


def _by_kind(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in docs if d.get("kind") == kind}


def check_k8s_references(
    docs: list[dict[str, Any]], pgbouncer_ini: str | None = None
) -> list[str]:
    """Cross-resource rules a schema cannot express. Returns the problems found."""
    problems: list[str] = []
    deployments = _by_kind(docs, "Deployment")
    services = _by_kind(docs, "Service")
    hpas = _by_kind(docs, "HorizontalPodAutoscaler")
    configmaps = _by_kind(docs, "ConfigMap")
    secrets = _by_kind(docs, "Secret")

    for name, probes in DEPLOYABLES.items():
        deployment = deployments.get(name)
        if deployment is None:
            problems.append(f"Deployment {name} is missing")
            continue
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        for probe, path in (
            ("livenessProbe", probes["live"]),
            ("readinessProbe", probes["ready"]),
        ):
            got = container.get(probe, {}).get("httpGet", {}).get("path")
            if got != path:
                problems.append(f"{name} {probe} path is {got!r}, expected {path!r}")
        targeting = [
            h
            for h in hpas.values()
            if h["spec"]["scaleTargetRef"]
            == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
        ]
        if len(targeting) != 1 or targeting[0]["apiVersion"] != "autoscaling/v2":
            problems.append(f"Deployment {name} needs exactly one autoscaling/v2 HPA")
        elif name == "fashionistar-worker":
            metrics = [
                m.get("external", {}).get("metric", {}).get("name")
                for m in targeting[0]["spec"]["metrics"]
            ]
            if QUEUE_DEPTH_METRIC not in metrics:
                problems.append(f"worker HPA must scale on {QUEUE_DEPTH_METRIC}")
        for source in container.get("envFrom", []):
            if "configMapRef" in source and source["configMapRef"]["name"] not in configmaps:
                problems.append(f"{name} uses missing ConfigMap {source['configMapRef']['name']}")
            if "secretRef" in source and source["secretRef"]["name"] not in secrets:
                problems.append(f"{name} uses missing Secret {source['secretRef']['name']}")

    for name, hpa in hpas.items():
        target = hpa["spec"]["scaleTargetRef"]["name"]
        if target not in deployments:
            problems.append(f"HPA {name} targets missing Deployment {target}")

    for name, service in services.items():
        selector = service["spec"].get("selector", {})
        matching = [
            d
            for d in deployments.values()
            if selector and selector.items() <= d["spec"]["template"]["metadata"]["labels"].items()
        ]
        if not matching:
            problems.append(f"Service {name} selects no Deployment's pods")
            continue
        port_names = {
            p.get("name")
            for c in matching[0]["spec"]["template"]["spec"]["containers"]
            for p in c.get("ports", [])
        }
        for port in service["spec"]["ports"]:
            target = port.get("targetPort")
            if isinstance(target, str) and target not in port_names:
                problems.append(f"Service {name} targets unknown container port {target!r}")

    ingresses = list(_by_kind(docs, "Ingress").values())
    if len(ingresses) != 1:
        problems.append("exactly one Ingress is expected")
    else:
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
            selector = target["spec"]["selector"]
            labels = (
                deployments.get(deployment_name, {})
                .get("spec", {})
                .get("template", {})
                .get("metadata", {})
                .get("labels", {})
            )
            if not selector.items() <= labels.items():
                problems.append(f"Ingress {prefix} must reach {deployment_name}")
            port = backend["port"]
            known = {p.get("name") for p in target["spec"]["ports"]} | {
                p["port"] for p in target["spec"]["ports"]
            }
            if (port.get("name") or port.get("number")) not in known:
                problems.append(
                    f"Ingress {prefix} uses unknown port {port} of Service {backend['name']}"
                )

    if pgbouncer_ini is not None:
        copy = configmaps.get("pgbouncer-config", {}).get("data", {}).get("pgbouncer.ini")
        if copy is None or copy.strip() != pgbouncer_ini.strip():
            problems.append(
                "k8s/pgbouncer.yaml pgbouncer.ini differs from deploy/pgbouncer/pgbouncer.ini"
            )
    return problems


def check_compose(compose: dict[str, Any], dockerfile: str) -> list[str]:
    problems: list[str] = []
    services = compose.get("services", {})
    targets = set(
        re.findall(r"^FROM\s+\S+\s+AS\s+(\S+)", dockerfile, flags=re.MULTILINE | re.IGNORECASE)
    )
    required = ("postgres", "redis", "pgbouncer", "migrate", "sync", "async", "worker", "ingress")
    problems.extend(
        f"compose service {name} is missing" for name in required if name not in services
    )
    for name, service in services.items():
        if "image" not in service and "build" not in service:
            problems.append(f"compose service {name} has neither image nor build")
        build = service.get("build")
        if isinstance(build, dict) and build.get("target") not in targets:
            problems.append(
                f"compose service {name} builds unknown target {build.get('target')!r}"
            )
        depends = service.get("depends_on", {})
        problems.extend(
            f"compose service {name} depends on missing {dependency}"
            for dependency in (depends if isinstance(depends, list) else depends.keys())
            if dependency not in services
        )
        for volume in service.get("volumes", []):
            source = str(volume).split(":", 1)[0]
            if not source.startswith((".", "/")) and source not in compose.get("volumes", {}):
                problems.append(f"compose service {name} mounts undeclared volume {source}")
            if source.startswith(".") and not (DEPLOY / source).resolve().exists():
                problems.append(f"compose service {name} mounts missing path {source}")
    return problems


def check_dockerfile_targets(dockerfile: str) -> list[str]:
    found = re.findall(r"^FROM\s+\S+\s+AS\s+(\S+)", dockerfile, flags=re.MULTILINE | re.IGNORECASE)
    return [f"Dockerfile target {t} is missing" for t in DOCKER_TARGETS if t not in found]


def _run(argv: list[str], env: dict[str, str] | None = None) -> list[str]:
    result = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        return [f"{' '.join(argv[:2])} failed:\n{result.stdout}{result.stderr}"]
    return []


def main() -> int:
    k8s_files = sorted(K8S.glob("*.yaml"))
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    caddy = str(BIN / "caddy")
    caddy_env = {
        **os.environ,
        "INGRESS_HOST": "127.0.0.1",
        "INGRESS_PORT": "8000",
        "V1_UPSTREAM": "127.0.0.1:8001",
        "V2_UPSTREAM": "127.0.0.1:8002",
    }
    sections = {
        "kubernetes schemas": _run(
            [str(BIN / "kubernetes-validate"), "--strict", "--quiet", *map(str, k8s_files)]
        ),
        "kubernetes references": check_k8s_references(
            load_k8s(k8s_files), (DEPLOY / "pgbouncer" / "pgbouncer.ini").read_text()
        ),
        "Dockerfile (hadolint)": _run(
            [
                str(BIN / "hadolint"),
                "--no-color",
                "-c",
                str(DEPLOY / ".hadolint.yaml"),
                str(DEPLOY / "Dockerfile"),
            ]
        )
        + check_dockerfile_targets(dockerfile),
        "compose": check_compose(
            yaml.safe_load((DEPLOY / "compose.yaml").read_text()), dockerfile
        ),
        "Caddyfile": _run(
            [
                caddy,
                "validate",
                "--config",
                str(DEPLOY / "ingress" / "Caddyfile"),
                "--adapter",
                "caddyfile",
            ],
            env=caddy_env,
        )
        + _run([caddy, "fmt", "--diff", str(DEPLOY / "ingress" / "Caddyfile")]),
    }
    failed = False
    for name, problems in sections.items():
        print(f"{'FAIL' if problems else 'ok  '} {name}")
        for problem in problems:
            print(f"     - {problem}")
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

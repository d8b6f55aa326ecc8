"""Offline validation of the deployment assets (`make manifests`, part of `make test`).

- k8s/overlays/{dev,prod} rendered by `kubectl kustomize` (the kubectl wheel of the dev
  extra), then: the Kubernetes objects against the Kubernetes OpenAPI schemas
  (kubernetes-validate --strict), KEDA's objects against its vendored CRD schemas, the
  cross-references of deploy/k8s_checks.py, and one release tag per overlay.
- deploy/Dockerfile with hadolint, and its three targets.
- deploy/compose.yaml against the Compose specification and its structure.
- deploy/ingress/Caddyfile with `caddy validate` and `caddy fmt`.
- .github/workflows/ci.yml against the GitHub workflow schema (vendored from
  SchemaStore through check-jsonschema) and the rules of deploy/ci_checks.py.
- deploy/observability/ (Grafana dashboard, Prometheus alert rules): PromQL parsed, metric
  and label names checked against the code (deploy/observability_checks.py).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from deploy.ci_checks import SCHEMA as WORKFLOW_SCHEMA
from deploy.ci_checks import WORKFLOW, check_workflow, load_workflow
from deploy.k8s_checks import check_keda, check_references, check_release
from deploy.observability_checks import check_observability

ROOT = Path(__file__).resolve().parent.parent
K8S = ROOT / "k8s"
OVERLAYS = ("dev", "prod")
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent
DOCKER_TARGETS = ("sync", "async", "worker")


def kubectl() -> str:
    beside_python = BIN / "kubectl"
    return str(beside_python) if beside_python.exists() else shutil.which("kubectl") or "kubectl"


def kustomize(overlay: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """Render an overlay; returns its objects, or the error."""
    result = subprocess.run(
        [kubectl(), "kustomize", str(overlay)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        return [], [f"kubectl kustomize {overlay.relative_to(ROOT)} failed:\n{result.stderr}"]
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc], []


def render(overlay: str) -> list[dict[str, Any]]:
    docs, problems = kustomize(K8S / "overlays" / overlay)
    if problems:
        raise RuntimeError(problems[0])
    return docs


def check_overlay(overlay: str) -> list[str]:
    docs, problems = kustomize(K8S / "overlays" / overlay)
    if problems:
        return problems
    core = [d for d in docs if not d["apiVersion"].startswith("keda.sh/")]
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as rendered:
        yaml.safe_dump_all(core, rendered)
    try:
        problems += _run([str(BIN / "kubernetes-validate"), "--strict", "--quiet", rendered.name])
    finally:
        os.unlink(rendered.name)
    problems += check_keda(docs)
    problems += check_references(docs, (DEPLOY / "pgbouncer" / "pgbouncer.ini").read_text())
    problems += check_release(docs)
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


def dockerfile_stages(dockerfile: str) -> dict[str, tuple[str, list[str]]]:
    """stage name -> (what it is FROM, its instructions with continuation lines joined)."""
    text = re.sub(r"\\\n\s*", " ", dockerfile)
    stages: dict[str, tuple[str, list[str]]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = re.match(r"FROM\s+(\S+)\s+AS\s+(\S+)", line, flags=re.IGNORECASE)
        if match:
            current = []
            stages[match.group(2)] = (match.group(1), current)
        elif current is not None:
            current.append(line)
    return stages


def _inherited(stages: dict[str, tuple[str, list[str]]], name: str) -> list[str]:
    parent, lines = stages[name]
    return (_inherited(stages, parent) if parent in stages else []) + lines


def check_dockerfile_images(dockerfile: str) -> list[str]:
    """What hadolint does not check: the base is an exact Python release; dependencies
    are installed before any code is copied; compilers stay in the build stage; each
    deployable's image runs as non-root, with a HEALTHCHECK and OCI labels."""
    problems: list[str] = []
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)", dockerfile, flags=re.MULTILINE)
    if base is None or not re.fullmatch(
        r"python:\d+\.\d+\.\d+-slim-\w+(@sha256:[0-9a-f]{64})?", base.group(1)
    ):
        problems.append("ARG PYTHON_IMAGE must pin an exact python:X.Y.Z-slim-<debian> base")
    stages = dockerfile_stages(dockerfile)
    build = stages.get("build", ("", []))[1]
    installs = [i for i, line in enumerate(build) if "pip install -r" in line]
    code = [
        i
        for i, line in enumerate(build)
        if line.startswith("COPY") and re.search(r"\b(shared_domain|\w+_service)\b", line)
    ]
    if not installs or not code or installs[0] > code[0]:
        problems.append("the build stage must install dependencies before copying the code")
    for target in DOCKER_TARGETS:
        if target not in stages:
            continue
        lines = _inherited(stages, target)
        users = [line.split()[1] for line in lines if line.startswith("USER ")]
        if not users or users[-1].split(":")[0] in ("0", "root"):
            problems.append(f"image {target} must run as a non-root USER")
        if not any(line.startswith("HEALTHCHECK ") for line in lines):
            problems.append(f"image {target} has no HEALTHCHECK")
        labels = " ".join(line for line in lines if line.startswith("LABEL "))
        problems.extend(
            f"image {target} lacks the OCI label org.opencontainers.image.{key}"
            for key in ("title", "source", "version", "revision", "created")
            if f"org.opencontainers.image.{key}=" not in labels
        )
        if any(re.search(r"apt-get install|build-essential|gcc", line) for line in lines):
            problems.append(f"image {target} installs build tools (keep them in the build stage)")
        if not any(line.startswith("COPY --from=build /opt/venv") for line in lines):
            problems.append(f"image {target} must copy the virtualenv from the build stage")
    return problems


def _run(argv: list[str], env: dict[str, str] | None = None) -> list[str]:
    result = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        return [f"{' '.join(argv[:2])} failed:\n{result.stdout}{result.stderr}"]
    return []


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "worker_service.settings")
    import django

    django.setup()
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
        **{f"kubernetes overlay {name}": check_overlay(name) for name in OVERLAYS},
        "Dockerfile (hadolint)": _run(
            [
                str(BIN / "hadolint"),
                "--no-color",
                "-c",
                str(DEPLOY / ".hadolint.yaml"),
                str(DEPLOY / "Dockerfile"),
            ]
        )
        + check_dockerfile_targets(dockerfile)
        + check_dockerfile_images(dockerfile),
        "compose": _run(
            [
                str(BIN / "check-jsonschema"),
                "--builtin-schema",
                "vendor.compose-spec",
                str(DEPLOY / "compose.yaml"),
            ]
        )
        + check_compose(yaml.safe_load((DEPLOY / "compose.yaml").read_text()), dockerfile),
        "GitHub workflow": _run(
            [
                str(BIN / "check-jsonschema"),
                "--schemafile",
                str(WORKFLOW_SCHEMA),
                str(WORKFLOW),
            ]
        )
        + check_workflow(load_workflow(), (ROOT / "Makefile").read_text(), DOCKER_TARGETS),
        "Grafana dashboard and alert rules": check_observability(),
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

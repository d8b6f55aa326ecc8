"""Rules for .github/workflows/ci.yml beyond its JSON schema (which check-jsonschema
applies with the vendored deploy/schemas/github/github-workflows.json): what the
pipeline must do, so that an edit cannot quietly drop a part of it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"
SCHEMA = Path(__file__).resolve().parent / "schemas" / "github" / "github-workflows.json"


def load_workflow(path: Path = WORKFLOW) -> dict[str, Any]:
    # YAML 1.1 reads the key `on` as True; GitHub reads it as "on".
    doc = yaml.safe_load(path.read_text())
    if True in doc:
        doc["on"] = doc.pop(True)
    return dict(doc)


def _runs(job: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for step in job.get("steps", []))


def _uses(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in job.get("steps", []) if s.get("uses", "").split("@")[0] == action]


def check_workflow(workflow: dict[str, Any], makefile: str, targets: tuple[str, ...]) -> list[str]:
    problems: list[str] = []
    jobs = workflow.get("jobs", {})
    make_targets = set(re.findall(r"^([a-zA-Z_-]+):", makefile, flags=re.MULTILINE))

    triggers = workflow.get("on", {})
    if "pull_request" not in triggers or "main" not in triggers.get("push", {}).get(
        "branches", []
    ):
        problems.append("CI must run on pull requests and on pushes to main")

    for name, job in jobs.items():
        for step in job.get("steps", []):
            uses = step.get("uses")
            if uses and not re.search(r"@(v\d+(\.\d+)*|[0-9a-f]{40})$", uses):
                problems.append(f"job {name}: {uses} is not pinned to a version")
        for target in re.findall(r"\bmake[ \t]+([a-zA-Z_-]+(?:[ \t]+[a-zA-Z_-]+)*)", _runs(job)):
            problems.extend(
                f"job {name} runs unknown make target {t}"
                for t in target.split()
                if t not in make_targets
            )

    lint = "\n".join(_runs(j) for j in jobs.values())
    problems.extend(
        f"no job runs make {target}"
        for target in ("lint", "typecheck", "manifests", "pytest", "pytest-rq", "pytest-pgbouncer")
        if not re.search(rf"\bmake[ \t]+{target}(?![\w-])", lint)
    )

    tests = [j for j in jobs.values() if re.search(r"\bmake[ \t]+pytest(?![\w-])", _runs(j))]
    if not tests:
        problems.append("no job runs the tests")
    for job in tests:
        services = job.get("services", {})
        images = [str(s.get("image", "")) for s in services.values()]
        if not any(i.startswith("pgvector/pgvector:") for i in images):
            problems.append("the test job needs a PostgreSQL service with pgvector")
        if not any(i.startswith(("redis:", "valkey/valkey:")) for i in images):
            problems.append("the test job needs a Redis service")
        env = job.get("env", {})
        if "DATABASE_URL" not in env or "REDIS_URL" not in env:
            problems.append("the test job must point DATABASE_URL and REDIS_URL at its services")

    builders = [
        (name, job) for name, job in jobs.items() if _uses(job, "docker/build-push-action")
    ]
    if len(builders) != 1:
        return [*problems, "exactly one job must build the images"]
    name, job = builders[0]
    matrix = job.get("strategy", {}).get("matrix", {}).get("target")
    if sorted(matrix or []) != sorted(targets):
        problems.append(f"job {name} must build the targets {list(targets)} in a matrix")
    if not {"lint", "test"} <= set(job.get("needs", [])):
        problems.append(f"job {name} must wait for lint and test")
    if not _uses(job, "docker/setup-buildx-action"):
        problems.append(f"job {name} must set up buildx")
    build = _uses(job, "docker/build-push-action")[0].get("with", {})
    if build.get("file") != "deploy/Dockerfile" or build.get("target") != "${{ matrix.target }}":
        problems.append(f"job {name} must build deploy/Dockerfile at the matrix target")
    if "type=gha" not in str(build.get("cache-from")) or "type=gha" not in str(
        build.get("cache-to")
    ):
        problems.append(f"job {name} must read and write the buildx cache (type=gha)")
    push = str(build.get("push", ""))
    push_env = str(job.get("env", {}).get("PUSH", ""))
    if "refs/heads/main" not in push + push_env or push in ("true", "True"):
        problems.append(f"job {name} must push from main only")
    problems.extend(
        f"job {name} does not pass the build argument {arg}"
        for arg in ("PYTHON_IMAGE", "VERSION", "REVISION", "CREATED", "SOURCE")
        if f"{arg}=" not in str(build.get("build-args", ""))
    )
    return problems

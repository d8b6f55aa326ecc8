"""The CI workflow is checked offline: the real one passes, and dropping a part of the
pipeline is caught."""

import copy
import subprocess
import sys
from pathlib import Path

import pytest

from deploy import ci_checks, validate

MAKEFILE = (validate.ROOT / "Makefile").read_text()


@pytest.fixture(scope="module")
def workflow():
    return ci_checks.load_workflow()


def _check(workflow):
    return ci_checks.check_workflow(workflow, MAKEFILE, validate.DOCKER_TARGETS)


def test_the_real_workflow_passes_its_schema_and_rules(workflow):
    assert _check(workflow) == []
    schema = subprocess.run(
        [
            str(Path(sys.executable).parent / "check-jsonschema"),
            "--schemafile",
            str(ci_checks.SCHEMA),
            str(ci_checks.WORKFLOW),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert schema.returncode == 0, schema.stdout + schema.stderr


def test_tests_need_postgres_with_pgvector_and_redis(workflow):
    broken = copy.deepcopy(workflow)
    services = broken["jobs"]["test"]["services"]
    services["postgres"]["image"] = "postgres:17"
    del services["redis"]
    problems = _check(broken)
    assert "the test job needs a PostgreSQL service with pgvector" in problems
    assert "the test job needs a Redis service" in problems


def test_images_are_a_cached_matrix_pushed_from_main_only(workflow):
    broken = copy.deepcopy(workflow)
    job = broken["jobs"]["images"]
    job["strategy"]["matrix"]["target"] = ["sync", "async"]
    build = next(s for s in job["steps"] if s.get("uses", "").startswith("docker/build-push"))
    build["with"]["push"] = True
    del build["with"]["cache-to"]
    problems = _check(broken)
    assert "job images must build the targets ['sync', 'async', 'worker'] in a matrix" in problems
    assert "job images must push from main only" in problems
    assert "job images must read and write the buildx cache (type=gha)" in problems


def test_unpinned_actions_and_unknown_make_targets_are_caught(workflow):
    broken = copy.deepcopy(workflow)
    steps = broken["jobs"]["lint"]["steps"]
    steps[0]["uses"] = "actions/checkout@main"
    steps.append({"run": "make lnt"})
    problems = _check(broken)
    assert "job lint: actions/checkout@main is not pinned to a version" in problems
    assert "job lint runs unknown make target lnt" in problems

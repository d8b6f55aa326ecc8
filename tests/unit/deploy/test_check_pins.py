"""The pin check passes on the real lock file and fails on a gap or a drift."""

from pathlib import Path

from deploy import check_pins

ROOT = check_pins.ROOT


def _constraints(tmp_path: Path, drop: str = "", change: tuple[str, str] | None = None) -> Path:
    lines = (ROOT / "requirements" / "constraints.txt").read_text().splitlines()
    out = []
    for line in lines:
        name = line.split("==")[0].lower()
        if name == drop.lower():
            continue
        if change and name == change[0].lower():
            line = f"{line.split('==')[0]}=={change[1]}"
        out.append(line)
    path = tmp_path / "constraints.txt"
    path.write_text("\n".join(out) + "\n")
    return path


def test_the_real_lock_pins_the_whole_closure():
    assert check_pins.check(ROOT / "pyproject.toml", ROOT / "requirements/constraints.txt") == []


def test_a_transitive_dependency_without_a_pin_fails(tmp_path):
    # argon2-cffi-bindings is needed only through argon2-cffi, never declared directly.
    problems = check_pins.check(
        ROOT / "pyproject.toml", _constraints(tmp_path, drop="argon2-cffi-bindings")
    )
    assert [p.package for p in problems] == ["argon2-cffi-bindings"]
    assert "not pinned" in problems[0].message


def test_a_pin_that_differs_from_what_is_installed_fails(tmp_path):
    problems = check_pins.check(
        ROOT / "pyproject.toml", _constraints(tmp_path, change=("PyJWT", "1.0.0"))
    )
    assert [(p.package, p.message.split(" but")[0]) for p in problems] == [
        ("pyjwt", "pinned 1.0.0")
    ]


def test_extras_of_a_requirement_are_followed(tmp_path):
    # uvicorn[standard] pulls in httptools only through its extra.
    problems = check_pins.check(ROOT / "pyproject.toml", _constraints(tmp_path, drop="httptools"))
    assert [p.package for p in problems] == ["httptools"]


def test_the_installer_itself_needs_no_pin():
    # pip-audit requires pip; `make venv` upgrades pip and `make lock` leaves it out.
    needed, _ = check_pins.closure(check_pins.declared_requirements(ROOT / "pyproject.toml"))
    assert "pip" in needed
    assert "pip" not in check_pins.read_pins(ROOT / "requirements/constraints.txt")
    assert check_pins.check(ROOT / "pyproject.toml", ROOT / "requirements/constraints.txt") == []

"""requirements/ agrees with pyproject.toml, and this environment is what it pins: a dependency
changed in one but not the other fails here, naming `make lock`."""

import subprocess
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _pins(lock: str) -> dict[str, str]:
    """The release pinned for each package that applies on this machine."""
    pins = {}
    for line in (ROOT / "requirements" / lock).read_text().splitlines():
        if line and not line.startswith((" ", "#")):
            requirement = Requirement(line.rstrip(" \\"))
            if requirement.marker is None or requirement.marker.evaluate():
                (pinned,) = requirement.specifier
                pins[canonicalize_name(requirement.name)] = pinned.version
    return pins


def _unmet(requirements: list[str], pins: dict[str, str], extras: tuple[str, ...]) -> list[str]:
    unmet = []
    for line in requirements:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        environments = [default_environment() | {"extra": extra} for extra in extras]
        if name == "byline" or (requirement.marker and not any(map(requirement.marker.evaluate, environments))):
            continue
        if name not in pins or not requirement.specifier.contains(pins[name], prereleases=True):
            unmet.append(f"{line} (locked: {pins.get(name)})")
    return unmet


def test_the_runtime_lock_meets_every_dependency() -> None:
    assert _unmet(PROJECT["dependencies"], _pins("runtime.txt"), ("",)) == [], "run `make lock`"


def test_the_development_lock_meets_every_dependency_and_extra() -> None:
    extras = PROJECT["optional-dependencies"]
    wanted = PROJECT["dependencies"] + extras["dev"] + extras["semantic"]
    assert _unmet(wanted, _pins("dev.txt"), ("dev", "semantic")) == [], "run `make lock`"


def test_every_lock_pins_the_same_releases() -> None:
    dev = _pins("dev.txt")
    for lock in ("runtime.txt", "uv.txt"):
        pins = _pins(lock)
        assert {name: dev.get(name) for name in pins} == pins, f"run `make lock`: {lock} differs"


def _installed(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def test_this_environment_is_installed_from_the_lock() -> None:
    pins = _pins("dev.txt")
    assert {name: _installed(name) for name in pins} == pins, "run `make dev`"
    uv = Path(sys.executable).with_name("uv")
    check = subprocess.run([uv, "pip", "check", "--python", sys.executable], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout

"""pytest-asyncio installed next to pytest-asyncio-ng, in each order, in a fresh virtualenv: the
run stops with the install check's message; uninstalling pytest-asyncio alone (what people
try first) leaves the package broken, and the check says so; following the message's commands
gives a working install that runs our plugin.

Needs pytest-asyncio's wheel and pytest's from PyPI the first time (kept in pytest's cache
directory afterwards): ``-m "not network"`` skips these tests. Our wheel is built once per run,
for all the tests of the run (also across xdist workers).
"""

from __future__ import annotations

import fcntl
import os
import shlex
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from pytest_asyncio_ng_guard import _report

# One Python is enough: what it checks is the files pip leaves, the same on every version.
pytestmark = [pytest.mark.network, pytest.mark.python_independent, pytest.mark.timeout(600)]

REFERENCE = "pytest-asyncio==1.5.0"
ROOT = Path(__file__).parents[2]
#: Each command's own limit (the slowest, creating a virtualenv, takes a few seconds).
COMMAND_TIMEOUT = 180

SUITE = """
import importlib.metadata

import pytest
import pytest_asyncio


@pytest.mark.asyncio
async def test_on_pytest_asyncio_ng():
    assert callable(pytest_asyncio.getfixturevalue)  # ours alone
    assert pytest_asyncio.__version__ == importlib.metadata.version("pytest-asyncio-ng")
"""


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """One xdist worker at a time in *directory* (the others wait, then reuse its work)."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _shared(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A directory of this run, shared by its xdist workers."""
    base = tmp_path_factory.getbasetemp()
    return (base.parent if "PYTEST_XDIST_WORKER" in os.environ else base) / name


def _run(*command: str | Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        env=env,
        check=False,
    )
    assert result.returncode == 0, f"{command}: {result.stdout}{result.stderr}"
    return result.stdout


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Our wheel, built from a copy of the sources (an in-tree build would reuse build/)."""
    directory = _shared(tmp_path_factory, "ng-wheel")
    with _locked(directory):
        built = list(directory.glob("*.whl"))
        if not built:
            source = directory / "source"
            shutil.copytree(
                ROOT,
                source,
                ignore=shutil.ignore_patterns(".*", "__pycache__", "*.egg-info", "build", "dist"),
            )
            pip = (sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps")
            _run(*pip, "--wheel-dir", directory, source)
            built = list(directory.glob("*.whl"))
    (path,) = built
    return path


@pytest.fixture(scope="session")
def downloads(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pytest-asyncio's wheel and pytest's (this pytest), with their dependencies."""
    key = f"py{sys.version_info[0]}{sys.version_info[1]}-pytest{pytest.__version__}"
    cache = getattr(request.config, "cache", None)
    if cache is not None:
        directory = Path(cache.mkdir(f"packaging-downloads-{key}"))
    else:
        directory = _shared(tmp_path_factory, f"downloads-{key}")
    with _locked(directory):
        if not (directory / "complete").exists():
            requirements = (REFERENCE, f"pytest=={pytest.__version__}")
            _run(sys.executable, "-m", "pip", "download", "--quiet", "-d", directory, *requirements)
            (directory / "complete").touch()
    return directory


@pytest.fixture
def venv(tmp_path: Path, downloads: Path) -> Path:
    """The interpreter of a fresh virtualenv with pip and pytest, and no plugin."""
    path = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", path)
    python = path / "bin" / "python"
    _run(
        python,
        "-m",
        "pip",
        "install",
        "--quiet",
        f"pytest=={pytest.__version__}",
        env=_env(downloads),
    )
    return python


def _env(downloads: Path) -> dict[str, str]:
    """pip offline, on the downloads (the commands given by the message stay as they are),
    and pytest as on a user's machine."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PIP_", "PYTEST_", "PYTHON", "COV_CORE_")) and key != "CI"
    }
    env.update(
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(downloads),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def _pytest(python: Path, project: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(python), "-m", "pytest", "-p", "no:cacheprovider", str(project)],
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        env=env,
        cwd=project,
        check=False,
    )


def _follow(message: str, python: Path, env: dict[str, str]) -> None:
    """Runs the commands the message gives (its indented lines), as a user would paste them."""
    commands = [line.strip() for line in message.splitlines() if line.startswith("    ")]
    assert len(commands) == 2, message
    for command in commands:
        argv = shlex.split(command)
        assert argv[0] == str(python), command
        _run(*argv, env=env)


def _stopped_with(result: subprocess.CompletedProcess[str], cause: str) -> str:
    assert result.returncode == pytest.ExitCode.USAGE_ERROR, result.stdout + result.stderr
    assert result.stderr.startswith(f"ERROR: {cause}\n"), result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr


@pytest.mark.parametrize("first", ["pytest-asyncio-ng", "pytest-asyncio"])
def test_installed_next_to_pytest_asyncio_in_either_order(
    venv: Path, wheel: Path, downloads: Path, tmp_path: Path, first: str
) -> None:
    env = _env(downloads)
    ours, theirs = str(wheel), REFERENCE
    for requirement in (ours, theirs) if first == "pytest-asyncio-ng" else (theirs, ours):
        _run(venv, "-m", "pip", "install", "--quiet", requirement, env=env)
    project = tmp_path / "project"
    project.mkdir()
    (project / "test_suite.py").write_text(SUITE, encoding="utf-8")
    site = Path(_run(venv, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").strip())
    repair = _report.repair(str(venv), [ours])

    both = _report.BOTH_INSTALLED.format(version="1.5.0", location=site)
    message = _stopped_with(_pytest(venv, project, env), both)
    assert f"{both}\n{repair}" in message

    # What people try first: it deletes the files the two share, and the check says so.
    _run(venv, "-m", "pip", "uninstall", "--quiet", "-y", "pytest-asyncio", env=env)
    deleted = ", ".join(
        _report.DELETED.format(name=name) for name in ("__init__.py", "plugin.py", "py.typed")
    )
    package = site / "pytest_asyncio"
    changed = _report.FILES_CHANGED.format(location=package, files=deleted)
    message = _stopped_with(_pytest(venv, project, env), changed)
    assert f"{changed}\n{repair}" in message

    _follow(message, venv, env)
    result = _pytest(venv, project, env)
    assert result.returncode == pytest.ExitCode.OK, result.stdout + result.stderr
    assert "1 passed" in result.stdout
    assert "plugins: asyncio-ng-" in result.stdout


def test_the_wheel_carries_the_version_of_the_sources(wheel: Path) -> None:
    from pytest_asyncio._version import __version__

    assert wheel.name == f"pytest_asyncio_ng-{__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(f"pytest_asyncio_ng-{__version__}.dist-info/METADATA").decode()
    assert f"\nVersion: {__version__}\n" in metadata

"""The test matrix: the whole test suite on every supported Python and on the lowest and the
newest supported pytest.

    .venv/bin/nox -s tests-3.10      # one Python, newest pytest 9.x (also 3.11, 3.12, 3.13)
    .venv/bin/nox -s tests-lowest    # pytest 8.4.x (make test-lowest)
    .venv/bin/nox -s tests-newest    # the newest pytest 9.x (make test-newest)
    .venv/bin/nox -s tests-lowest -- tests/config -q   # arguments after -- go to pytest

Each session builds a virtualenv of its own under .nox/, installs the project with its dev
extra and the pinned pytest in one resolve, and runs the suite as ``make unit`` does. The
``tests-3.X`` sessions run on ``python3.X``; the pytest sessions on the interpreter nox runs on.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import nox

nox.options.default_venv_backend = "venv"

#: The Pythons the project supports (``requires-python = ">=3.10"``), each tested here.
PYTHONS = ("3.10", "3.11", "3.12", "3.13")

nox.options.sessions = [*(f"tests-{python}" for python in PYTHONS), "tests-lowest", "tests-newest"]

#: The pytest each session runs on: the lowest supported release line and the newest major.
PYTEST_LOWEST = "pytest==8.4.*"
PYTEST_NEWEST = "pytest>=9,<10"

#: pytest's arguments when none are given after ``--``: the whole suite, as ``make unit``.
DEFAULT_ARGS = ("-n", "2")
#: The per-Python sessions leave out the tests whose outcome no Python changes (mypy's verdict
#: on our types, the reports' way through pytest-xdist, installing the wheel next to
#: pytest-asyncio): ``make unit`` runs them.
PER_PYTHON_ARGS = (*DEFAULT_ARGS, "-m", "not python_independent")
#: The lowest pytest leaves out the install test, which builds virtual environments of its own
#: with the newest pytest whatever the session's is (``make unit`` runs it).
LOWEST_ARGS = (*DEFAULT_ARGS, "-m", "not network")


def _pyenv_versions() -> None:
    """Under pyenv, ``python3.X`` runs only when version 3.X is selected: select the newest
    installed release of each supported Python after the current one (so ``python3`` stays
    what it was). Nothing changes without pyenv, or when PYENV_VERSION is already set."""
    pyenv = shutil.which("pyenv")
    if pyenv is None or "PYENV_VERSION" in os.environ:
        return

    def ask(*args: str) -> str:
        done = subprocess.run([pyenv, *args], capture_output=True, text=True, check=False)
        return done.stdout.strip() if done.returncode == 0 else ""

    current = ask("version-name")
    found = [ask("latest", python) for python in PYTHONS]
    selected = [version for version in dict.fromkeys([current, *found]) if version]
    if current and len(selected) > 1:
        os.environ["PYENV_VERSION"] = ":".join(selected)


_pyenv_versions()


def _run_suite(
    session: nox.Session, pytest_requirement: str, args: tuple[str, ...] = DEFAULT_ARGS
) -> None:
    session.install("--upgrade", ".[dev]", pytest_requirement)
    session.run("python", "-m", "pytest", "--version")
    session.run("python", "-m", "pytest", *(session.posargs or args))


@nox.session(python=list(PYTHONS), venv_backend="venv")
def tests(session: nox.Session) -> None:
    """The test suite on one supported Python, with the newest pytest 9.x."""
    _run_suite(session, PYTEST_NEWEST, PER_PYTHON_ARGS)


@nox.session(name="tests-lowest", python=PYTHONS[0], venv_backend="venv")
def tests_lowest(session: nox.Session) -> None:
    """The test suite on the lowest supported pytest (8.4.x) and Python (3.10)."""
    _run_suite(session, PYTEST_LOWEST, LOWEST_ARGS)


@nox.session(name="tests-newest", venv_backend="venv")
def tests_newest(session: nox.Session) -> None:
    """The test suite on the newest pytest 9.x."""
    _run_suite(session, PYTEST_NEWEST)

"""The pytest version matrix: the whole test suite on the lowest and the newest supported pytest.

    .venv/bin/nox -s tests-lowest    # pytest 8.4.x (make test-lowest)
    .venv/bin/nox -s tests-newest    # the newest pytest 9.x (make test-newest)
    .venv/bin/nox -s tests-lowest -- tests/config -q   # arguments after -- go to pytest

Each session builds a virtualenv of its own under .nox/ with the interpreter nox runs on (no
python= here: CI machines have only ``python3``), installs the project with its dev extra and
the pinned pytest in one resolve, and runs the suite as ``make unit`` does.
"""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["tests-lowest", "tests-newest"]

#: The pytest each session runs on: the lowest supported release line and the newest major.
PYTEST_LOWEST = "pytest==8.4.*"
PYTEST_NEWEST = "pytest>=9,<10"

#: pytest's arguments when none are given after ``--``: the whole suite, as ``make unit``.
DEFAULT_ARGS = ("-n", "2")


def _run_suite(session: nox.Session, pytest_requirement: str) -> None:
    session.install("--upgrade", ".[dev]", pytest_requirement)
    session.run("python", "-m", "pytest", "--version")
    session.run("python", "-m", "pytest", *(session.posargs or DEFAULT_ARGS))


@nox.session(name="tests-lowest", venv_backend="venv")
def tests_lowest(session: nox.Session) -> None:
    """The test suite on the lowest supported pytest (8.4.x)."""
    _run_suite(session, PYTEST_LOWEST)


@nox.session(name="tests-newest", venv_backend="venv")
def tests_newest(session: nox.Session) -> None:
    """The test suite on the newest pytest 9.x."""
    _run_suite(session, PYTEST_NEWEST)

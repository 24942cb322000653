"""Shared helpers for the black-box tests: every test drives an inner pytest run via pytester."""

from __future__ import annotations

import os
from collections.abc import Callable

# pytester's in-process runs drop the modules each run imports; plugins that import heavy
# packages lazily (hypothesis does, in its terminal summary) would import them again in every
# inner run. Importing them once here keeps them.
import hypothesis
import hypothesis.statistics  # noqa: F401
import pytest

pytest_plugins = ["pytester"]

IniWriter = Callable[..., None]


@pytest.fixture
def ini(pytester: pytest.Pytester) -> IniWriter:
    """Write the inner run's pytest.ini once: ``ini(asyncio_mode="auto", ...)``."""

    def write(**options: str) -> None:
        lines = ["[pytest]", *(f"{key} = {value}" for key, value in options.items())]
        pytester.makeini("\n".join(lines) + "\n")

    return write


@pytest.fixture(params=["strict", "auto"])
def mode(request: pytest.FixtureRequest, ini: IniWriter) -> str:
    """Run the test once per mode, with the inner run's ini set to that mode."""
    value: str = request.param
    ini(asyncio_mode=value)
    return value


@pytest.fixture(autouse=True)
def _terminal_as_on_a_desk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Inner runs print as on a developer's terminal, also in CI: with CI or BUILD_NUMBER set,
    pytest stops truncating the short summary lines that tests and docs quote."""
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("BUILD_NUMBER", raising=False)


@pytest.fixture(autouse=True)
def _no_looptime_unless_asked(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inner runs load looptime's plugin (a dev tool) only for the tests about it (those with
    "looptime" in their id): elsewhere it would patch every loop and show its frames in the
    tracebacks that tests match."""
    if "pytester" in request.fixturenames and "looptime" not in request.node.nodeid:
        request.getfixturevalue("pytester")  # first: setting it up clears PYTEST_ADDOPTS
        addopts = os.environ.get("PYTEST_ADDOPTS", "")
        monkeypatch.setenv("PYTEST_ADDOPTS", f"{addopts} -p no:looptime_plugin".strip())


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "python_independent: the outcome does not depend on the Python that runs the test (a "
        "type checker's verdict, pytest-xdist's transport, pip's files); the per-Python nox "
        "sessions (tests-3.X) leave it to the main run",
    )

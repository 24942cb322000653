"""Shared helpers for the black-box tests: every test drives an inner pytest run via pytester."""

from __future__ import annotations

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

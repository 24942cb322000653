"""``asyncio_mode = legacy``: pytest-asyncio's default before 0.19, still found in old configs.

It is accepted with one deprecation warning saying what to write instead, and works as it did:
tests run only if marked (as in strict mode), and every async fixture runs, also those declared
with ``@pytest.fixture`` (as in auto mode).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pytest_asyncio import _messages

IniWriter = Callable[..., None]  # the type of tests/conftest.py's `ini` fixture

LEGACY_SUITE = """
import asyncio

import pytest

RAN = []


@pytest.fixture
async def coroutine_fixture():
    return asyncio.get_running_loop()


@pytest.fixture
async def generator_fixture():
    yield asyncio.get_running_loop()
    RAN.append("teardown")


@pytest.mark.asyncio
async def test_marked(coroutine_fixture, generator_fixture):
    assert coroutine_fixture is generator_fixture is asyncio.get_running_loop()
    RAN.append("marked")


def test_sync(coroutine_fixture, generator_fixture):
    assert coroutine_fixture is generator_fixture
    assert not coroutine_fixture.is_running()


async def test_unmarked():
    RAN.append("unmarked")


def test_zz_ran():
    assert RAN == ["marked", "teardown", "teardown"]
"""


@pytest.mark.parametrize("configured", ["ini", "cli"])
def test_legacy_mode_runs_marked_tests_and_every_async_fixture(
    pytester: pytest.Pytester, ini: IniWriter, configured: str
) -> None:
    if configured == "ini":
        ini(asyncio_mode="legacy")
        origin = _messages.ORIGIN_INI.format(path=pytester.path / "tox.ini")
        args = []
    else:
        ini(asyncio_mode="auto")  # the command line wins
        origin = _messages.ORIGIN_CLI.format(flag="--asyncio-mode")
        args = ["--asyncio-mode=legacy"]
    pytester.makepyfile(test_legacy=LEGACY_SUITE)
    result = pytester.runpytest(*args)
    result.assert_outcomes(passed=3, failed=1, warnings=1)
    result.stdout.fnmatch_lines(["FAILED test_legacy.py::test_unmarked*"])
    warning = _messages.LEGACY_MODE_DEPRECATED.format(origin=origin)
    assert f"PytestAsyncioDeprecationWarning: {warning}" in result.stdout.str()
    assert any(line.startswith("asyncio: mode=legacy, ") for line in result.outlines)


def test_legacy_mode_warning_text(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_mode = legacy\n")
    pytester.makepyfile("def test_sync():\n    pass\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, warnings=1)
    ini_file = pytester.path / "tox.ini"
    assert (
        f"PytestAsyncioDeprecationWarning: asyncio_mode = legacy (from the configuration file "
        f"{ini_file}) is deprecated. It still works as it did: tests run only if marked "
        "@pytest.mark.asyncio, and every async fixture runs, also those declared with "
        "@pytest.fixture. Write asyncio_mode = auto to run every async test and fixture; or "
        "asyncio_mode = strict, and declare async fixtures with @pytest_asyncio.fixture."
    ) in result.stdout.str()


@pytest.mark.parametrize("action", ["ignore", "error"])
def test_legacy_mode_warning_follows_filterwarnings(
    pytester: pytest.Pytester, ini: IniWriter, action: str
) -> None:
    ini(
        asyncio_mode="legacy",
        filterwarnings=f"{action}::pytest_asyncio.PytestAsyncioDeprecationWarning",
    )
    pytester.makepyfile("def test_sync():\n    pass\n")
    result = pytester.runpytest()
    if action == "ignore":
        result.assert_outcomes(passed=1, warnings=0)
        return
    # An error stops the run with the message alone: no internal error, no traceback.
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    origin = _messages.ORIGIN_INI.format(path=pytester.path / "tox.ini")
    message = _messages.LEGACY_MODE_DEPRECATED.format(origin=origin)
    assert f"ERROR: {message}" in result.stderr.lines
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    assert "Traceback" not in result.stdout.str() + result.stderr.str()

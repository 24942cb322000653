"""SPEC "Configuration": ``asyncio_debug`` / ``--asyncio-debug``, and ``PYTHONASYNCIODEBUG``
when neither is set."""

from __future__ import annotations

from collections.abc import Callable

import pytest

IniWriter = Callable[..., None]  # the type of tests/conftest.py's `ini` fixture

DEBUG_SUITE = """
import asyncio

import pytest
import pytest_asyncio


@pytest_asyncio.fixture
async def fixture_debug():
    return asyncio.get_running_loop().get_debug()


@pytest.mark.asyncio
async def test_debug(fixture_debug):
    assert asyncio.get_running_loop().get_debug() is EXPECTED
    assert fixture_debug is EXPECTED
"""


@pytest.mark.parametrize(
    ("args", "ini_debug", "env", "expected"),
    [
        pytest.param(["--asyncio-debug"], None, None, True, id="cli"),
        pytest.param([], "true", None, True, id="ini-true"),
        pytest.param([], "false", None, False, id="ini-false"),
        pytest.param(["--asyncio-debug"], "false", None, True, id="cli-over-ini-false"),
        pytest.param([], None, "1", True, id="env-only"),
        pytest.param([], None, None, False, id="nothing-set"),
        pytest.param([], "false", "1", False, id="ini-false-over-env"),
    ],
)
def test_debug_setting(
    pytester: pytest.Pytester,
    ini: IniWriter,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    ini_debug: str | None,
    env: str | None,
    expected: bool,
) -> None:
    if env is None:
        monkeypatch.delenv("PYTHONASYNCIODEBUG", raising=False)
    else:
        monkeypatch.setenv("PYTHONASYNCIODEBUG", env)
    if ini_debug is not None:
        ini(asyncio_debug=ini_debug)
    pytester.makepyfile(DEBUG_SUITE.replace("EXPECTED", str(expected)))
    result = pytester.runpytest(*args)
    result.assert_outcomes(passed=1)
    assert any(
        line.startswith(f"asyncio: mode=strict, debug={expected},") for line in result.outlines
    )

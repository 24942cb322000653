"""The recipe most pre-1.0 tutorials teach: a session ``event_loop`` override in conftest.py
and a session async fixture that requests it. The fixture and every test that uses it run on
the override's loop, whatever the loop scope settings say, with one deprecation warning that
shows the migration."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pytest_asyncio import _messages

IniWriter = Callable[..., None]

RECIPE_CONFTEST = """
import asyncio

import pytest
import pytest_asyncio


@pytest.fixture(scope="session")
def event_loop():
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest_asyncio.fixture(scope="session")
async def resource(event_loop):
    assert asyncio.get_running_loop() is event_loop
    queue = asyncio.Queue()  # bound to the loop it is first used on
    await queue.put("ready")
    yield queue
    assert asyncio.get_running_loop() is event_loop
"""

RECIPE_TESTS = """
import asyncio

import pytest


@pytest.mark.asyncio
async def test_{name}_uses_the_resource(resource):
    assert await resource.get() == "ready"
    await resource.put("ready")


@pytest.mark.asyncio(loop_scope="function")
async def test_{name}_with_an_explicit_loop_scope(resource, event_loop):
    assert asyncio.get_running_loop() is event_loop
    assert await resource.get() == "ready"
    await resource.put("ready")
"""


@pytest.mark.parametrize("mode", ["strict", "auto"])
@pytest.mark.parametrize(
    "settings",
    [
        pytest.param({}, id="no-setting"),
        pytest.param({"asyncio_default_fixture_loop_scope": "function"}, id="fixture-setting"),
    ],
)
def test_tutorial_recipe_runs_on_the_override(
    pytester: pytest.Pytester, ini: IniWriter, mode: str, settings: dict[str, str]
) -> None:
    ini(asyncio_mode=mode, **settings)
    pytester.makeconftest(RECIPE_CONFTEST)
    pytester.makepyfile(
        test_first=RECIPE_TESTS.format(name="first"),
        test_second=RECIPE_TESTS.format(name="second"),
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4, warnings=1)
    lines = (pytester.path / "conftest.py").read_text().splitlines()
    lineno = lines.index('@pytest.fixture(scope="session")') + 1
    message = _messages.EVENT_LOOP_FIXTURE_OVERRIDDEN.format(
        location=f"conftest.py:{lineno}", scope="session"
    )
    output = result.stdout.str()
    assert output.count(f"PytestAsyncioDeprecationWarning: {message}") == 1, output
    assert (
        f"The event_loop fixture is overridden in conftest.py:{lineno}; the async tests and "
        "fixtures that request it, or that set no loop scope, still run on its loop, but "
        "overriding it is deprecated. To run them on one session-scoped loop without it, write "
        '@pytest.mark.asyncio(loop_scope="session") on the tests (or set '
        "asyncio_default_test_loop_scope = session) and "
        '@pytest_asyncio.fixture(loop_scope="session") on the async fixtures (or set '
        "asyncio_default_fixture_loop_scope = session), use asyncio.get_running_loop() where "
        "they take event_loop, then delete the fixture. For a custom loop, implement the "
        "pytest_asyncio_loop_factories hook."
    ) in output

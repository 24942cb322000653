"""Which async tests and fixtures run on the loop of a user's ``event_loop`` override.

In order: one that requests ``event_loop`` (directly or through its fixtures) runs on it; else
an explicit loop scope (the marker's or the fixture's ``loop_scope``) decides, as in 1.x; else,
in a suite that sets neither ``asyncio_default_test_loop_scope`` nor
``asyncio_default_fixture_loop_scope``, the override's loop is used, and in a suite that sets
either, the setting decides. An override that nothing uses gets one warning saying it can be
deleted; sync fixtures wider than a function find their scope's loop current.
"""

from __future__ import annotations

import pytest

from pytest_asyncio import _messages

# A leftover from a migration to 1.x: a session event_loop in conftest.py that nothing
# requests, and a sync session fixture that binds to the current loop (as
# asyncpg.create_pool() does with asyncio.get_event_loop()).
LEFTOVER_CONFTEST = """
import asyncio

import pytest
import pytest_asyncio


@pytest.fixture(scope="session")
def event_loop():
    loop = asyncio.new_event_loop()
    loop.made_by_the_user = True
    yield loop
    loop.close()


class Pool:
    def __init__(self):
        self.loop = asyncio.get_event_loop()


@pytest.fixture(scope="session")
def pool():
    return Pool()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def connection(pool):
    assert asyncio.get_running_loop() is pool.loop
    return pool
"""

LEFTOVER_TESTS = """
import asyncio

import pytest


def on_users_loop():
    return hasattr(asyncio.get_running_loop(), "made_by_the_user")


@pytest.mark.asyncio(loop_scope="session")
async def test_session_loop(connection):
    assert not on_users_loop()
    assert asyncio.get_running_loop() is connection.loop


@pytest.mark.asyncio(loop_scope="session")
async def test_session_loop_again(pool):
    assert asyncio.get_running_loop() is pool.loop


@pytest.mark.asyncio
async def test_function_loop(pool):
    assert not on_users_loop()
    assert asyncio.get_running_loop() is not pool.loop
"""


def test_leftover_override_does_not_move_a_1x_suite(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        "[pytest]\nasyncio_mode = strict\nasyncio_default_fixture_loop_scope = function\n"
    )
    pytester.makeconftest(LEFTOVER_CONFTEST)
    pytester.makepyfile(test_leftover=LEFTOVER_TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, warnings=1)
    lines = (pytester.path / "conftest.py").read_text().splitlines()
    lineno = lines.index('@pytest.fixture(scope="session")') + 1
    message = _messages.EVENT_LOOP_FIXTURE_UNUSED.format(location=f"conftest.py:{lineno}")
    output = result.stdout.str()
    assert output.count(f"PytestAsyncioWarning: {message}") == 1, output
    assert (
        f"The event_loop fixture overridden in conftest.py:{lineno} was not used: no test or "
        "fixture requests it, and the loop scopes this suite sets (loop_scope=, "
        "asyncio_default_test_loop_scope, asyncio_default_fixture_loop_scope) decide where its "
        "async tests run. Delete the fixture."
    ) in output


def test_unused_warning_can_be_filtered(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        "[pytest]\nasyncio_mode = strict\nasyncio_default_fixture_loop_scope = function\n"
        "filterwarnings =\n    error\n    ignore:The event_loop fixture overridden in\n"
    )
    pytester.makeconftest(LEFTOVER_CONFTEST)
    pytester.makepyfile(test_leftover=LEFTOVER_TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)
    assert "was not used" not in result.stdout.str()


RULES_CONFTEST = """
import asyncio

import pytest
import pytest_asyncio


@pytest.fixture(scope="session")
def event_loop():
    loop = asyncio.new_event_loop()
    loop.made_by_the_user = True
    yield loop
    loop.close()


@pytest_asyncio.fixture
async def through_a_fixture(event_loop):
    return asyncio.get_running_loop()


@pytest_asyncio.fixture
async def implicit_fixture():
    return asyncio.get_running_loop()


@pytest_asyncio.fixture(loop_scope="function")
async def explicit_fixture():
    return asyncio.get_running_loop()
"""

RULES_TESTS = """
import asyncio

import pytest

IMPLICIT_ON_OVERRIDE = {implicit}


def on_users_loop(loop):
    return hasattr(loop, "made_by_the_user")


@pytest.mark.asyncio(loop_scope="function")
async def test_requests_it(event_loop):
    assert asyncio.get_running_loop() is event_loop


@pytest.mark.asyncio(loop_scope="function")
async def test_requests_it_through_a_fixture(through_a_fixture):
    assert on_users_loop(asyncio.get_running_loop())
    assert through_a_fixture is asyncio.get_running_loop()


@pytest.mark.asyncio(loop_scope="function")
async def test_explicit_loop_scope(explicit_fixture):
    assert not on_users_loop(asyncio.get_running_loop())
    assert not on_users_loop(explicit_fixture)


@pytest.mark.asyncio
async def test_implicit_loop_scope(implicit_fixture):
    assert on_users_loop(asyncio.get_running_loop()) is IMPLICIT_ON_OVERRIDE
    assert on_users_loop(implicit_fixture) is IMPLICIT_ON_OVERRIDE
"""


@pytest.mark.parametrize(
    ("setting", "implicit"),
    [
        pytest.param("", True, id="no-setting"),
        pytest.param("asyncio_default_fixture_loop_scope = function", False, id="fixture-setting"),
        pytest.param("asyncio_default_test_loop_scope = function", False, id="test-setting"),
    ],
)
def test_rules_in_order(pytester: pytest.Pytester, setting: str, implicit: bool) -> None:
    pytester.makeini(f"[pytest]\nasyncio_mode = strict\n{setting}\n")
    pytester.makeconftest(RULES_CONFTEST)
    pytester.makepyfile(test_rules=RULES_TESTS.format(implicit=implicit))
    result = pytester.runpytest("-p", "no:cacheprovider")
    # The override is used: its deprecation warning, not the "unused" one.
    result.assert_outcomes(passed=4, warnings=1)
    result.stdout.fnmatch_lines(["*PytestAsyncioDeprecationWarning: The event_loop fixture is*"])


def test_unused_warning_under_filterwarnings_error_fails_the_run(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini(
        "[pytest]\nasyncio_mode = strict\nasyncio_default_fixture_loop_scope = function\n"
        "filterwarnings =\n    error\n"
    )
    pytester.makeconftest(LEFTOVER_CONFTEST)
    pytester.makepyfile(test_leftover=LEFTOVER_TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    lines = (pytester.path / "conftest.py").read_text().splitlines()
    lineno = lines.index('@pytest.fixture(scope="session")') + 1
    message = _messages.EVENT_LOOP_FIXTURE_UNUSED.format(location=f"conftest.py:{lineno}")
    result.stdout.fnmatch_lines([f"ERROR: PytestAsyncioWarning: {message}"])
    assert "Traceback" not in result.stdout.str() + result.stderr.str()


@pytest.mark.parametrize(
    ("requested", "warning"), [(False, "was not used"), (True, "is overridden")]
)
@pytest.mark.python_independent  # through pytest-xdist's workers: one Python runs it
def test_unused_warning_once_under_xdist(
    pytester: pytest.Pytester, requested: bool, warning: str
) -> None:
    """Each worker reports what it used; the controller warns once, if no worker used it."""
    pytester.makeini(
        "[pytest]\nasyncio_mode = strict\nasyncio_default_fixture_loop_scope = function\n"
    )
    pytester.makeconftest(LEFTOVER_CONFTEST)
    tests = LEFTOVER_TESTS
    if requested:
        tests += (
            "\n\ndef test_sync_requests_it(event_loop):\n    assert event_loop.made_by_the_user\n"
        )
    pytester.makepyfile(test_leftover=tests)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2", timeout=120)
    result.assert_outcomes(passed=4 if requested else 3, warnings=1)
    assert result.stdout.str().count(warning) == 1, result.stdout.str()

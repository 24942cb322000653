"""The ``event_loop`` fixture of pytest-asyncio before 1.0, still provided for old suites.

An async test (or a fixture of it) that requests it gets the loop the test runs on, whatever
the test's loop scope; a sync test gets a fresh loop it may ``run_until_complete`` on, closed
after the test. Requesting it is deprecated: one warning per session, naming the first test
that requests it.
"""

from __future__ import annotations

import pytest

from pytest_asyncio import _messages

# The async tests check identity with the running loop; the fixture, requested by a sync
# fixture and an async fixture of the test, must be that loop too.
ASYNC_TESTS = """
import asyncio

import pytest
import pytest_asyncio

LOOPS = []


@pytest.fixture
def sync_fixture_loop(event_loop):
    return event_loop


@pytest_asyncio.fixture(loop_scope={scope!r})
async def async_fixture_loop(event_loop):
    assert event_loop is asyncio.get_running_loop()
    return event_loop


@pytest.mark.asyncio(loop_scope={scope!r})
async def test_requests_it(event_loop, sync_fixture_loop, async_fixture_loop):
    assert event_loop is asyncio.get_running_loop()
    assert sync_fixture_loop is event_loop
    assert async_fixture_loop is event_loop
    assert not event_loop.is_closed()
    LOOPS.append(event_loop)


@pytest.mark.asyncio(loop_scope={scope!r})
async def test_requests_it_again(event_loop):
    assert event_loop is asyncio.get_running_loop()
    LOOPS.append(event_loop)


def test_loops_follow_the_loop_scope():
    first, second = LOOPS
    assert (first is second) == ({scope!r} == "module")
"""


@pytest.mark.parametrize("scope", ["function", "module"])
def test_async_test_gets_its_own_loop(pytester: pytest.Pytester, mode: str, scope: str) -> None:
    pytester.makepyfile(test_async=ASYNC_TESTS.format(scope=scope))
    result = pytester.runpytest()
    result.assert_outcomes(passed=3, warnings=1)
    message = _messages.EVENT_LOOP_FIXTURE_REQUESTED.format(
        nodeid="test_async.py::test_requests_it"
    )
    assert f"PytestAsyncioDeprecationWarning: {message}" in result.stdout.str()


def test_sync_test_gets_a_loop_closed_after_it(pytester: pytest.Pytester, mode: str) -> None:
    pytester.makepyfile(
        test_sync="""
        import asyncio

        import pytest_asyncio

        LOOPS = []


        async def answer():
            await asyncio.sleep(0)
            return asyncio.get_running_loop()


        @pytest_asyncio.fixture
        async def fixture_loop():
            return asyncio.get_running_loop()


        def test_runs_until_complete(fixture_loop, event_loop):
            assert not event_loop.is_running()
            assert event_loop.run_until_complete(answer()) is event_loop
            assert fixture_loop is event_loop
            LOOPS.append(event_loop)


        def test_next_sync_test_gets_a_new_loop(event_loop):
            (previous,) = LOOPS
            assert previous.is_closed()
            assert event_loop is not previous
            assert event_loop.run_until_complete(answer()) is event_loop
            LOOPS.append(event_loop)


        def test_closed_after_the_test():
            assert all(loop.is_closed() for loop in LOOPS)
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=3, warnings=1)


def test_one_warning_per_session_naming_the_first_requester(
    pytester: pytest.Pytester, mode: str
) -> None:
    test_file = """
        import asyncio

        import pytest


        @pytest.mark.asyncio
        async def test_async_1(event_loop):
            assert event_loop is asyncio.get_running_loop()


        @pytest.mark.asyncio
        async def test_async_2(event_loop):
            assert event_loop is asyncio.get_running_loop()


        def test_sync(event_loop):
            assert event_loop.run_until_complete(asyncio.sleep(0, "done")) == "done"
        """
    pytester.makepyfile(test_a=test_file, test_b=test_file)
    result = pytester.runpytest("-W", "always::pytest_asyncio.PytestAsyncioDeprecationWarning")
    result.assert_outcomes(passed=6, warnings=1)
    output = result.stdout.str()
    first = _messages.EVENT_LOOP_FIXTURE_REQUESTED.format(nodeid="test_a.py::test_async_1")
    assert output.count(first) == 1, output
    assert output.count("The event_loop fixture is deprecated") == 1, output
    assert output.count("PytestAsyncioDeprecationWarning") == 1, output

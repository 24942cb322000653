"""SPEC "Other behaviour users rely on", with pytest-timeout (signal method, the default on
Linux): an async test that awaits too long and one that blocks the loop in sync code each fail,
the teardown of their async generator fixture runs, and the run goes on: the next async test of
the module passes, on a function loop as on the module loop the timed-out tests used.

pytest-timeout's limit of an async test is enforced by pytest-asyncio-ng (see
tests/timeouts/test_timeouts_pytest_timeout.py): the failure is ours, naming the hung line."""

from __future__ import annotations

import re

import pytest

# Small but well above the time the tests need to reach their sleep.
TIMEOUT = 0.25

TIMED_OUT_MODULE = f"""
import asyncio

import pytest
import pytest_asyncio

pytestmark = pytest.mark.asyncio(loop_scope=LOOP_SCOPE)

LOOPS = []
TORN_DOWN = []


@pytest_asyncio.fixture(loop_scope=LOOP_SCOPE)
async def resource(request):
    loop = asyncio.get_running_loop()
    LOOPS.append(loop)
    try:
        yield loop
    finally:
        # Runs on the fixture's loop, in the same task as the test, after the timeout.
        assert asyncio.get_running_loop() is loop
        await asyncio.sleep(0)
        TORN_DOWN.append(request.node.name)


@pytest.mark.timeout({TIMEOUT})
async def test_awaits_too_long(resource):
    assert asyncio.get_running_loop() is resource
    await asyncio.sleep(10)


async def test_next_test_runs(resource):
    assert TORN_DOWN == ["test_awaits_too_long"]
    assert not resource.is_closed()
    assert (LOOPS[0] is resource) == (LOOP_SCOPE == "module")
    assert await asyncio.sleep(0, result="done") == "done"
    task = asyncio.current_task()
    assert task is not None and not task.cancelled()
"""


@pytest.mark.parametrize(
    ("loop_scope", "method"),
    [
        pytest.param("function", [], id="function-loop-default-method"),
        pytest.param("module", ["--timeout-method=signal"], id="module-loop-signal-method"),
    ],
)
def test_timed_out_async_tests_fail_and_the_run_goes_on(
    pytester: pytest.Pytester, loop_scope: str, method: list[str]
) -> None:
    pytester.makepyfile(TIMED_OUT_MODULE.replace("LOOP_SCOPE", repr(loop_scope)))
    result = pytester.runpytest("-p", "timeout", *method, "--tb=short")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*_ test_awaits_too_long _*",
            "test test_timed_out_async_tests_fail_and_the_run_goes_on.py::test_awaits_too_long "
            f"ran longer than {TIMEOUT} s (the limit set by @pytest.mark.timeout({TIMEOUT})) "
            "and was cancelled. It was waiting here, outermost call first:",
            "*in test_awaits_too_long",
            "      await asyncio.sleep(10)",
            "FAILED *::test_awaits_too_long*",
        ]
    )
    # The timeout fired once, well before the test's 10 s sleep would have ended.
    assert result.duration < 5


BLOCKING_MODULE = f"""
import asyncio
import time

import pytest

pytestmark = pytest.mark.asyncio


@pytest.mark.timeout({TIMEOUT})
async def test_blocks_the_loop():
    time.sleep(30)


async def test_next_test_runs():
    assert await asyncio.sleep(0, result="done") == "done"
"""


def test_blocked_loop_fails_and_the_run_goes_on(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(BLOCKING_MODULE)
    result = pytester.runpytest_subprocess("-p", "timeout", "--tb=short", timeout=60)
    result.assert_outcomes(passed=1, failed=1)
    # The blocked test is stopped in its own code.
    result.stdout.fnmatch_lines(
        [
            "*_ test_blocks_the_loop _*",
            "*while sync code blocked its event loop*so that code was interrupted*",
            "*time.sleep(30)*",
        ]
    )
    # Interrupted, not waited out: the session's own time (without the interpreter's start)
    # is far under the 30 s sleep, with room for a loaded machine.
    session = re.search(r" in ([0-9.]+)s", result.stdout.lines[-1])
    assert session is not None
    assert float(session.group(1)) < 20

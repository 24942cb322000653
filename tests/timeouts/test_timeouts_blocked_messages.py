"""Timeouts: the words a user reads about sync code that blocked the loop past a limit, where
the other tests do not reach them: in the exception that interrupts that code, and in the
report of code that returned just as it was to be interrupted."""

from __future__ import annotations

import signal
import textwrap

import pytest

from pytest_asyncio import _deadlines, _messages, _timeouts
from pytest_asyncio._runner import LoopRunner, Owner


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="no pthread_kill")
def test_the_interrupting_exception_says_why(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_interrupted=textwrap.dedent(
            """
            import time
            import pytest


            @pytest.mark.asyncio(timeout=0.3)
            async def test_blocks():
                try:
                    time.sleep(30)
                except BaseException as error:
                    print(f"caught: {type(error).__name__}: {error}")
                    raise
            """
        )
    )
    result = pytester.runpytest_subprocess("-s", "-p", "no:randomly", timeout=60)
    result.assert_outcomes(failed=1)
    message = _messages.BLOCKED_INTERRUPTION.format(
        what="test test_interrupted.py::test_blocks", seconds=0.3
    )
    literal = (
        "caught: LoopBlocked: test test_interrupted.py::test_blocks blocked its event loop "
        "past its limit of 0.3 s: interrupted by pytest-asyncio-ng, which fails it with the "
        "stack of this code"
    )
    assert literal == f"caught: LoopBlocked: {message}"
    result.stdout.fnmatch_lines([f"*{literal}"])


def test_code_that_returned_before_the_interruption() -> None:
    runner = LoopRunner(lambda: pytest.fail("no loop is needed"), debug=False)
    limit = _timeouts.Limit(0.5, "--asyncio-timeout=0.5")
    deadline = _deadlines.Deadline(runner, Owner("call", "test_x.py::test_x"), limit)
    deadline.blocked = "  test_x.py:3 in test_x\n      time.sleep(1)"
    deadline.expired_at, deadline.resumed_at = 10.0, 10.75
    failure = deadline.outcome()
    expected = _messages.LOOP_BLOCKED_NOT_INTERRUPTED.format(
        what="test test_x.py::test_x",
        seconds=0.5,
        source="--asyncio-timeout=0.5",
        reason=_messages.BLOCKED_RETURNED,
        blocked=0.75,
        stack=deadline.blocked,
    )
    assert str(failure) == expected
    assert str(failure).startswith(
        "test test_x.py::test_x ran longer than 0.5 s (the limit set by --asyncio-timeout=0.5) "
        "while sync code blocked its event loop. That code could not be interrupted (it "
        "returned just as the interruption was sent), and held the loop until 0.75 s after "
        "the limit. At the limit it was running here, outermost call first:\n"
        "  test_x.py:3 in test_x\n      time.sleep(1)\n"
    )

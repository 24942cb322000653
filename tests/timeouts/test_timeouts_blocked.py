"""Timeouts: sync code that blocks the event loop past a limit (``time.sleep()``, a busy loop)
is reported with its stack and interrupted; the teardowns run and the run goes on."""

from __future__ import annotations

import contextlib
import re
import signal
import sys
import threading
from types import FrameType

import pytest

from pytest_asyncio import _blocked, _messages

BLOCKING = """
import asyncio
import time
import pytest
import pytest_asyncio


def wait_for_disk():
    {block}


@pytest_asyncio.fixture
async def resource():
    yield
    print("teardown of resource ran")


@pytest.mark.asyncio(timeout=0.3)
async def test_blocks(resource):
    try:
        wait_for_disk()
    except Exception:
        print("except Exception caught it")


@pytest.mark.asyncio
async def test_after():
    await asyncio.sleep(0)
"""

BLOCKS = {"time.sleep": "time.sleep(30)", "busy loop": "while True: pass"}


def _pattern(text: str) -> str:
    """*text*, formatted with blocked=0, as a regex matching any number of seconds there."""
    return re.escape(text).replace(re.escape("0.00 s after"), r"\d+\.\d\d s after")


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="no pthread_kill")
@pytest.mark.parametrize("kind", list(BLOCKS))
def test_blocking_code_is_interrupted_and_the_run_goes_on(
    pytester: pytest.Pytester, kind: str
) -> None:
    pytester.makepyfile(test_block=BLOCKING.format(block=BLOCKS[kind]))
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-s", timeout=60)
    result.assert_outcomes(failed=1, passed=1)
    output = result.stdout.str()
    line = BLOCKS[kind].split(":")[0]
    result.stdout.re_match_lines(
        [
            re.escape(
                "test test_block.py::test_blocks ran longer than 0.3 s (the limit set by "
                "@pytest.mark.asyncio(timeout=0.3)) while sync code blocked its event loop: "
            )
            + r"0\.\d\d"
            + re.escape(
                " s after the limit the loop had still not run, so that code was "
                "interrupted. It was running here, outermost call first:"
            ),
            re.escape("  test_block.py:20 in test_blocks"),
            re.escape("      wait_for_disk()"),
            re.escape("  test_block.py:8 in wait_for_disk"),
            re.escape(f"      {line}") + ".*",
            re.escape(
                "Sync code in async code holds up every task on the loop: use await "
                "asyncio.sleep() instead of time.sleep(), and run a blocking call in a thread "
                "with await asyncio.to_thread(func, *args) or await "
                "loop.run_in_executor(None, func, *args)."
            ),
        ],
        consecutive=True,
    )
    stack = (
        "  test_block.py:20 in test_blocks\n"
        "      wait_for_disk()\n"
        "  test_block.py:8 in wait_for_disk\n"
        f"      {BLOCKS[kind]}"
    )
    expected = _messages.LOOP_BLOCKED.format(
        what="test test_block.py::test_blocks",
        seconds=0.3,
        source="@pytest.mark.asyncio(timeout=0.3)",
        blocked=0,
        stack=stack,
    )
    if kind == "time.sleep":  # a busy loop may be caught on either of its lines
        assert re.search(_pattern(expected), output)
    assert "teardown of resource ran" in output
    assert "except Exception caught it" not in output
    # Neither asyncio's frames nor ours: the stack ends where the test begins.
    assert "asyncio/" not in output
    assert "pytest_asyncio/" not in output


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="no pthread_kill")
def test_blocking_fixture_setup_and_background_task(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_block="""
        import asyncio
        import time
        import pytest
        import pytest_asyncio


        @pytest_asyncio.fixture
        async def slow_setup():
            time.sleep(30)
            yield


        @pytest.mark.asyncio(timeout=0.3)
        async def test_fixture_blocks(slow_setup):
            pass


        def crunch():
            while True:
                pass


        async def background():
            crunch()


        @pytest.mark.asyncio(timeout=0.3)
        async def test_task_blocks():
            task = asyncio.create_task(background())
            await asyncio.Event().wait()


        @pytest.mark.asyncio
        async def test_after():
            await asyncio.sleep(0)
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", timeout=60)
    result.assert_outcomes(errors=1, failed=1, passed=1)
    result.stdout.re_match_lines(
        [
            re.escape("the setup of async fixture 'slow_setup' ran longer than 0.3 s (the ")
            + ".* so that code was interrupted. It was running here, outermost call first:",
            re.escape("  test_block.py:9 in slow_setup"),
            re.escape("      time.sleep(30)"),
        ],
        consecutive=True,
    )
    result.stdout.re_match_lines(
        [
            re.escape("test test_block.py::test_task_blocks ran longer than 0.3 s")
            + ".* so that code was interrupted. It was running here, outermost call first:",
            re.escape("  test_block.py:24 in background"),
            re.escape("      crunch()"),
            re.escape("  test_block.py:19 in crunch"),
        ],
        consecutive=True,
    )


SCRIPT = """
import sys
import threading

import pytest

codes = []
thread = threading.Thread(target=lambda: codes.append(pytest.main(sys.argv[1:])))
thread.start()
thread.join()
sys.exit(codes[0])
"""


def test_loop_outside_the_main_thread_is_reported_not_interrupted(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_block="""
        import asyncio
        import time
        import pytest


        @pytest.mark.asyncio(timeout=0.3)
        async def test_blocks():
            time.sleep(1.5)
            print("the sleep ran to its end")
            await asyncio.sleep(0)


        @pytest.mark.asyncio
        async def test_after():
            await asyncio.sleep(0)
        """
    )
    script = pytester.makepyfile(run_in_thread=SCRIPT)
    result = pytester.run(
        sys.executable, str(script), "-p", "no:randomly", "-s", "test_block.py", timeout=60
    )
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.re_match_lines(
        [
            re.escape(
                "test test_block.py::test_blocks ran longer than 0.3 s (the limit set by "
                "@pytest.mark.asyncio(timeout=0.3)) while sync code blocked its event loop. "
                "That code could not be interrupted (its loop runs in a thread other than the "
                "main thread, and only the main thread can be interrupted by a signal), and "
                "held the loop until "
            )
            + r"1\.\d\d"
            + re.escape(
                " s after the limit. At the limit it was running here, outermost call first:"
            ),
            re.escape("  test_block.py:8 in test_blocks"),
            re.escape("      time.sleep(1.5)"),
        ],
        consecutive=True,
    )
    expected = _messages.LOOP_BLOCKED_NOT_INTERRUPTED.format(
        what="test test_block.py::test_blocks",
        seconds=0.3,
        source="@pytest.mark.asyncio(timeout=0.3)",
        reason=_messages.BLOCKED_NOT_MAIN_THREAD,
        blocked=0,
        stack="  test_block.py:8 in test_blocks\n      time.sleep(1.5)",
    )
    assert re.search(_pattern(expected), result.stdout.str())
    assert "the sleep ran to its end" in result.stdout.str()


def _finished_frame() -> FrameType:
    return sys._getframe()


@pytest.mark.skipif(
    _blocked.SIGNAL is None or threading.current_thread() is not threading.main_thread(),
    reason="needs signals in the main thread",
)
@pytest.mark.parametrize("returned", [False, True])
def test_signal_raises_only_while_the_blocking_code_runs(returned: bool) -> None:
    """The race: code that returned just before the signal arrives gets no exception."""
    assert _blocked.install()
    raised: list[bool] = []
    try:
        marker = _finished_frame() if returned else sys._getframe()
        sample = _blocked.Sample([marker])
        with contextlib.nullcontext() if returned else pytest.raises(_blocked.LoopBlocked):
            _blocked.interrupt(
                threading.get_ident(), sample, "blocked", lambda: raised.append(True), token=1
            )
            for _ in range(1000):  # the handler runs between these bytecodes
                pass
    finally:
        _blocked.restore()
    assert raised == ([] if returned else [True])

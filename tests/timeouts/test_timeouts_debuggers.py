"""Timeouts and debuggers: limits wait while pytest's debugger is active (its enter/leave
hooks), and a job traced by a known debugger is not cancelled under it; another trace
function (coverage's, say) does not stop a limit.

Each inner run is a subprocess: the limits' watchdog thread is one per process, and
pytest-timeout, when loaded, stops its own timeouts for good once pytest enters its debugger.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from typing import IO

import pytest

pytestmark = pytest.mark.timeout(60)

# Stands in for a user at pytest's debugger prompt for 1 s, while the loop goes on.
DEBUGGING_CONFTEST = """
import asyncio

import pytest


@pytest.fixture
def debugging(request):
    config = request.config

    async def session(seconds):
        config.hook.pytest_enter_pdb(config=config, pdb=None)
        try:
            await asyncio.sleep(seconds)
        finally:
            config.hook.pytest_leave_pdb(config=config, pdb=None)

    return session
"""

DEBUGGED = """
import asyncio

import pytest


@pytest.fixture
async def debugged_setup(debugging):
    await debugging(1.0)
    yield


@pytest.mark.asyncio(timeout=0.4)
async def test_debugged_body(debugging):
    await debugging(1.0)
    await asyncio.sleep(0.1)


@pytest.mark.asyncio(timeout=0.4)
async def test_debugged_fixture(debugged_setup):
    pass


@pytest.mark.asyncio(timeout=0.4)
async def test_not_debugged():
    await asyncio.sleep(1.0)
"""


def test_limits_wait_while_pytests_debugger_is_active(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_mode = auto\n")
    pytester.makeconftest(DEBUGGING_CONFTEST)
    pytester.makepyfile(test_debugged=DEBUGGED)
    result = pytester.runpytest_subprocess("-p", "no:randomly", timeout=60)
    result.assert_outcomes(passed=2, failed=1)
    # The limit still holds once the debugger is left.
    result.stdout.fnmatch_lines(
        [
            "*_ test_not_debugged _*",
            "test test_debugged.py::test_not_debugged ran longer than 0.4 s (the limit set by "
            "@pytest.mark.asyncio(timeout=0.4)) and was cancelled. It was waiting here, "
            "outermost call first:",
        ]
    )


TRACED = """
import asyncio
import bdb
import sys

import pytest


class Debugger(bdb.Bdb):
    def user_line(self, frame):
        pass  # a debugger that never stops


def coverage_like(frame, event, arg):
    return None


TRACERS = {"debugger": lambda: Debugger().trace_dispatch, "other": lambda: coverage_like}


@pytest.mark.asyncio(timeout=0.5)
async def test_traced():
    trace = TRACERS[KIND]()
    if isinstance(getattr(trace, "__self__", None), bdb.Bdb):
        trace.__self__.reset()
    sys.settrace(trace)
    try:
        await asyncio.sleep(1.2)
    finally:
        sys.settrace(None)
"""


@pytest.mark.parametrize(("tracer", "passes"), [("debugger", True), ("other", False)])
def test_a_debuggers_trace_function_holds_the_limit(
    pytester: pytest.Pytester, tracer: str, passes: bool
) -> None:
    pytester.makepyfile(test_traced=TRACED.replace("KIND", repr(tracer)))
    result = pytester.runpytest_subprocess("-p", "no:randomly", timeout=60)
    if passes:
        result.assert_outcomes(passed=1)
    else:
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines(
            ["test test_traced.py::test_traced ran longer than 0.5 s (the limit set by *"]
        )


AT_THE_PROMPT = """
import asyncio

import pytest


@pytest.mark.asyncio(timeout=0.5)
async def test_debugged():
    pytest.set_trace()
    await asyncio.sleep(0.1)  # the loop runs again after the prompt
"""


def _read_until(stream: IO[bytes], marker: bytes | None, seconds: float) -> bytes:
    """What *stream* gives until *marker* (a prompt ends no line), its end (marker None), or
    until *seconds* pass."""
    seen = b""
    end = time.monotonic() + seconds
    while (marker is None or marker not in seen) and time.monotonic() < end:
        ready, _, _ = select.select([stream], [], [], 0.1)
        if ready:
            chunk = os.read(stream.fileno(), 4096)
            if not chunk:
                break
            seen += chunk
    return seen


def test_time_at_pdbs_prompt_does_not_count(pytester: pytest.Pytester) -> None:
    """A user who sits at the prompt longer than the limit, then continues: the test passes."""
    pytester.makepyfile(test_prompt=AT_THE_PROMPT)
    command = [sys.executable, "-m", "pytest", "-p", "no:randomly", "-p", "no:cacheprovider"]
    process = pytester.popen(command, stdin=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert process.stdin is not None
        assert process.stdout is not None
        before = _read_until(process.stdout, b"(Pdb)", 30)
        assert b"(Pdb)" in before, before.decode(errors="replace")
        time.sleep(1.0)  # at the prompt, twice the limit
        process.stdin.write(b"c\n")
        process.stdin.close()
        after = _read_until(process.stdout, None, 30)
        assert process.wait(30) == 0, (before + after).decode(errors="replace")
    finally:
        process.kill()
        process.wait()
    assert b"1 passed" in after

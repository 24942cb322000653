"""SPEC "Other behaviour users rely on": subprocesses via asyncio. Async tests and async
fixtures on function and module loops start children with ``asyncio.create_subprocess_exec``,
talk to them through pipes and collect their exit status; no file descriptor is left open
once the loops are closed."""

from __future__ import annotations

import os

import pytest

# Count the open file descriptors before and after the async tests (gc off in between, so
# only what was closed explicitly counts as closed).
FD_CHECKS = {
    "test_aa_before": """
import gc
import os

COUNT = {}


def test_before():
    gc.collect()
    gc.disable()
    COUNT["before"] = len(os.listdir("/proc/self/fd"))
""",
    "test_zz_after": """
import gc
import os

from test_aa_before import COUNT


def test_after():
    try:
        # Every pipe and pidfd of the children, and the loops, are closed.
        assert len(os.listdir("/proc/self/fd")) == COUNT["before"]
    finally:
        gc.enable()
""",
}

SUBPROCESS_MODULE = """
import asyncio
import sys

import pytest
import pytest_asyncio

pytestmark = pytest.mark.asyncio(loop_scope=LOOP_SCOPE)

ECHO = "import sys; sys.stdout.write(sys.stdin.read().upper()); sys.exit(3)"


async def run_echo(text):
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", ECHO,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await process.communicate(text.encode())
    return out.decode(), process.returncode


@pytest_asyncio.fixture(loop_scope=LOOP_SCOPE)
async def server():
    # A child that lives for the test: started in setup, stopped in teardown.
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "import sys; print(sys.stdin.readline().strip()[::-1])",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    yield process
    if process.returncode is None:
        process.kill()
    await process.wait()


async def test_communicate():
    assert await run_echo("hello") == ("HELLO", 3)


async def test_concurrent_children():
    results = await asyncio.gather(*(run_echo(str(n)) for n in range(3)))
    assert results == [("0", 3), ("1", 3), ("2", 3)]


async def test_fixture_child(server):
    server.stdin.write(b"abc\\n")
    await server.stdin.drain()
    line = await asyncio.wait_for(server.stdout.readline(), 10)
    assert line.strip() == b"cba"
    assert await server.wait() == 0


async def test_shell():
    process = await asyncio.create_subprocess_shell(
        "exit 7", stdout=asyncio.subprocess.DEVNULL
    )
    assert await process.wait() == 7
"""


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts fds in /proc/self/fd")
@pytest.mark.parametrize("loop_scope", ["function", "module"])
def test_asyncio_subprocesses(pytester: pytest.Pytester, loop_scope: str) -> None:
    pytester.makepyfile(
        test_children=SUBPROCESS_MODULE.replace("LOOP_SCOPE", repr(loop_scope)), **FD_CHECKS
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=6, warnings=0)

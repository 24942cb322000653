"""DESIGN invariant 3, "lifetimes nest", and SPEC "Loops and scopes": an async fixture's teardown
runs before its loop closes; at the end of a loop's scope leftover tasks are cancelled, async
generators finalized, the default executor shut down and the loop closed; a loop closed by the
user gives a warning, not an error; no file descriptor outlives its loop."""

from __future__ import annotations

import gc
import json
import os
from collections.abc import Callable

import pytest

from pytest_asyncio import PytestAsyncioWarning, _messages

IniWriter = Callable[..., None]  # the type of tests/conftest.py's `ini` fixture

SCOPES = ["function", "class", "module", "package", "session"]

# Records what happens to each loop, in order; the conftest writes it out at session finish,
# when even the session loop has closed.
LIFETIME_PROBE = """
import asyncio

LOOPS = []
EVENTS = []
TASKS = []
AGENS = []
THREADS = {}


def record(loop, event):
    EVENTS.append([LOOPS.index(loop), event])


def watch(loop):
    # Wrap the loop's close() to see what state the plugin leaves it in before closing it.
    if loop in LOOPS:
        return
    LOOPS.append(loop)
    close = loop.close

    def closing():
        alive = [t for t in THREADS.get(LOOPS.index(loop), []) if t.is_alive()]
        record(loop, "executor threads alive at close" if alive else "close")
        close()

    loop.close = closing


async def leftover():
    try:
        await asyncio.Event().wait()
    except asyncio.CancelledError:
        record(asyncio.get_running_loop(), "leftover task cancelled")
        raise


async def numbers():
    try:
        yield 1
        yield 2
    finally:
        record(asyncio.get_running_loop(), "async generator finalized")
"""

LIFETIME_CONFTEST = """
import json

import probe


def pytest_sessionfinish(session):
    with open("lifetime.json", "w") as out:
        json.dump(
            {
                "events": probe.EVENTS,
                "closed": [loop.is_closed() for loop in probe.LOOPS],
                "threads_alive": [
                    t.is_alive() for threads in probe.THREADS.values() for t in threads
                ],
            },
            out,
        )
"""

LIFETIME_TESTS = """
import asyncio
import threading

import pytest

import probe

SCOPE = {scope!r}

pytestmark = pytest.mark.asyncio(loop_scope=SCOPE)


class TestLifetimes:
    async def test_leaves_things_behind(self, tracked):
        assert asyncio.get_running_loop() is tracked
        probe.TASKS.append(asyncio.create_task(probe.leftover()))
        agen = probe.numbers()
        assert await agen.__anext__() == 1
        probe.AGENS.append(agen)
        thread = await tracked.run_in_executor(None, threading.current_thread)
        assert thread is not threading.current_thread()
        probe.THREADS.setdefault(probe.LOOPS.index(tracked), []).append(thread)

    async def test_same_scope_instance(self, tracked):
        task = probe.TASKS[0]
        if SCOPE == "function":
            assert tracked is not probe.LOOPS[0]
            assert probe.LOOPS[0].is_closed()
            assert task.cancelled()
        else:
            assert tracked is probe.LOOPS[0]
            assert not task.done()
            await asyncio.sleep(0)
            assert not task.done()
"""

# In the package's conftest, so that a package-scoped fixture belongs to that package (defined
# in a test module, pytest caches it for the whole session).
LIFETIME_FIXTURE = """
import asyncio

import pytest_asyncio

import probe

SCOPE = {scope!r}


@pytest_asyncio.fixture(scope=SCOPE, loop_scope=SCOPE)
async def tracked():
    loop = asyncio.get_running_loop()
    probe.watch(loop)
    probe.record(loop, "fixture setup")
    yield loop
    await asyncio.sleep(0)
    probe.record(loop, "fixture teardown")
"""

LIFETIME_LATER = """
import probe

SCOPE = {scope!r}


def test_loops_closed_once_their_scope_ended():
    for loop in probe.LOOPS:
        assert loop.is_closed() == (SCOPE != "session")
    assert probe.TASKS[0].done() == (SCOPE != "session")
"""


@pytest.mark.parametrize("scope", SCOPES)
def test_end_of_scope_cleans_up_then_closes_loop(
    pytester: pytest.Pytester, ini: IniWriter, scope: str
) -> None:
    ini(asyncio_mode="strict")
    pytester.syspathinsert()
    pytester.makepyfile(probe=LIFETIME_PROBE)
    pytester.makeconftest(LIFETIME_CONFTEST)
    # Two packages, so that package and module scopes end before the later test.
    pytester.mkpydir("pkg_a")
    pytester.mkpydir("pkg_b")
    for package, name, text in [
        ("pkg_a", "conftest", LIFETIME_FIXTURE),
        ("pkg_a", "test_lifetimes", LIFETIME_TESTS),
        ("pkg_b", "test_later", LIFETIME_LATER),
    ]:
        (pytester.path / package / f"{name}.py").write_text(text.format(scope=scope))
    result = pytester.runpytest()
    result.assert_outcomes(passed=3)

    report = json.loads((pytester.path / "lifetime.json").read_text())
    first_loop = [
        [0, "fixture setup"],
        [0, "fixture teardown"],
        [0, "leftover task cancelled"],
        [0, "async generator finalized"],
        [0, "close"],
    ]
    second_loop = [[1, "fixture setup"], [1, "fixture teardown"], [1, "close"]]
    assert report["events"] == first_loop + (second_loop if scope == "function" else [])
    assert all(report["closed"])
    assert report["threads_alive"] == [False]


# Every asyncio log record of the session, so that the last test can check that nothing of
# the closed loop (e.g. its pending driver task) is reported as an error when collected.
CLOSES_LOOP_CONFTEST = """
import logging

RECORDS = []


class Keep(logging.Handler):
    def emit(self, record):
        RECORDS.append(record.getMessage())


KEEP = Keep()
logging.getLogger("asyncio").addHandler(KEEP)


def pytest_unconfigure(config):
    logging.getLogger("asyncio").removeHandler(KEEP)
"""

CLOSES_LOOP = """
import asyncio

import pytest
import pytest_asyncio

LOOPS = []


@pytest_asyncio.fixture(scope={scope!r}, loop_scope={scope!r})
def closes_its_loop():
    yield
    # Only sync code can close the loop; this teardown runs with it as the current loop.
    loop = asyncio.get_event_loop()
    assert loop is LOOPS[0]
    loop.close()


@pytest.mark.asyncio(loop_scope={scope!r})
async def test_uses_closer(closes_its_loop):
    LOOPS.append(asyncio.get_running_loop())
"""

CLOSES_LOOP_LATER = """
import asyncio
import gc

import pytest

from conftest import RECORDS
from test_closes import LOOPS


@pytest.mark.asyncio(loop_scope="function")
async def test_later_loop_works():
    assert LOOPS[0].is_closed()
    assert asyncio.get_running_loop() is not LOOPS[0]
    await asyncio.sleep(0)


def test_nothing_of_the_closed_loop_logged():
    gc.collect()
    assert RECORDS == []
"""


@pytest.mark.parametrize(
    ("scope", "label"),
    [
        ("function", "function-scoped event loop of test_closes.py::test_uses_closer"),
        ("module", "module-scoped event loop of test_closes.py"),
    ],
)
def test_loop_closed_by_user_warns(
    pytester: pytest.Pytester, ini: IniWriter, scope: str, label: str
) -> None:
    ini(asyncio_mode="strict")
    pytester.syspathinsert()
    pytester.makeconftest(CLOSES_LOOP_CONFTEST)
    pytester.makepyfile(test_closes=CLOSES_LOOP.format(scope=scope), test_later=CLOSES_LOOP_LATER)
    result = pytester.runpytest()
    result.assert_outcomes(passed=3, warnings=1)
    output = result.stdout.str()
    assert PytestAsyncioWarning.__name__ in output
    assert _messages.LOOP_CLOSED_EARLY.format(loop=label) in output


# The first test counts file descriptors with the garbage collector off, so an unclosed loop
# cannot be rescued by collection; the last counts again after 50 function-loop tests.
FD_TESTS = """
import asyncio
import gc
import os

import pytest

COUNT = {}


def open_fds():
    return len(os.listdir("/proc/self/fd"))


def test_before():
    gc.collect()
    gc.disable()
    COUNT["before"] = open_fds()


@pytest.mark.asyncio(loop_scope="function")
@pytest.mark.parametrize("n", range(50))
async def test_function_loop(n):
    async def serve(reader, writer):
        writer.write(await reader.read(10))
        await writer.drain()
        writer.close()
        await writer.wait_closed()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    async with server:
        port = server.sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"ping")
        await writer.drain()
        assert await reader.read(10) == b"ping"
        writer.close()
        await writer.wait_closed()
    await asyncio.get_running_loop().run_in_executor(None, int)


def test_after():
    try:
        assert open_fds() - COUNT["before"] <= 3
    finally:
        gc.enable()
"""


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts fds in /proc/self/fd")
def test_no_file_descriptor_outlives_its_loop(pytester: pytest.Pytester, ini: IniWriter) -> None:
    ini(asyncio_mode="strict")
    pytester.makepyfile(FD_TESTS)
    try:
        result = pytester.runpytest()
    finally:
        gc.enable()  # in case the inner run stopped between its first and last test
    result.assert_outcomes(passed=52)


def test_a_test_run_again_gets_a_new_loop_for_its_fixture_and_body(
    pytester: pytest.Pytester,
) -> None:
    """A plugin that runs a test again (as pytest-rerunfailures does) runs the same item after
    its loop has closed: its async fixture and its body get a new loop, shared by both."""
    pytester.makepyfile(
        test_again="""
        import asyncio
        from _pytest.runner import runtestprotocol

        SOURCE = '''
        import asyncio
        import pytest
        import pytest_asyncio

        LOOPS = []

        @pytest_asyncio.fixture
        async def loop_of_fixture():
            loop = asyncio.get_running_loop()
            yield loop
            assert asyncio.get_running_loop() is loop

        @pytest.mark.asyncio
        async def test_twice(loop_of_fixture):
            assert asyncio.get_running_loop() is loop_of_fixture
            LOOPS.append(loop_of_fixture)
        '''

        def test_run_twice(pytester):
            [item] = pytester.getitems(SOURCE)
            outcomes = []
            for _ in range(2):
                reports = runtestprotocol(item, log=False)
                outcomes.append([report.outcome for report in reports])
            assert outcomes == [["passed"] * 3, ["passed"] * 3]
            first, second = item.module.LOOPS
            assert first is not second
            assert first.is_closed() and second.is_closed()
        """
    )
    result = pytester.runpytest_subprocess("-p", "pytester", timeout=120)
    result.assert_outcomes(passed=1)

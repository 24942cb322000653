"""The driver task ends, with its done-callbacks run, before its loop closes, as the main task
of ``asyncio.run()`` does. Libraries take the outermost task for their root: anyio stops the
worker threads of ``anyio.to_thread.run_sync()`` (used by FastAPI for sync endpoints and by
many clients) from a done-callback of that task, and the process cannot exit until they
stop."""

from __future__ import annotations

from collections.abc import Callable

import pytest

IniWriter = Callable[..., None]  # the type of tests/conftest.py's `ini` fixture

# A test and an async fixture each start an anyio worker thread; the process exits only once
# both threads are told to stop.
TO_THREAD = """
import threading

import anyio.to_thread
import pytest
import pytest_asyncio

pytestmark = pytest.mark.asyncio(loop_scope={scope!r})


@pytest_asyncio.fixture(loop_scope={scope!r})
async def in_thread():
    yield await anyio.to_thread.run_sync(threading.get_ident)


async def test_to_thread(in_thread):
    assert in_thread != threading.get_ident()
    assert await anyio.to_thread.run_sync(threading.get_ident) != threading.get_ident()
"""

# Under a user's event_loop fixture the runner borrows the loop and leaves no task in it
# between jobs: the task of each job ends, its callbacks run, before the user closes the loop.
TO_THREAD_LEGACY = """
import asyncio
import threading

import anyio.to_thread
import pytest


@pytest.fixture
def event_loop():
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.mark.asyncio
async def test_to_thread(event_loop):
    assert await anyio.to_thread.run_sync(threading.get_ident) != threading.get_ident()
"""


@pytest.mark.parametrize(
    "suite",
    [
        TO_THREAD.format(scope="function"),
        TO_THREAD.format(scope="module"),
        TO_THREAD.format(scope="session"),
        TO_THREAD_LEGACY,
    ],
    ids=["function", "module", "session", "event_loop fixture"],
)
def test_process_exits_after_anyio_worker_threads(
    pytester: pytest.Pytester, ini: IniWriter, suite: str
) -> None:
    ini(asyncio_mode="strict")
    pytester.makepyfile(test_threads=suite)
    # Without the driver's done-callbacks the run prints its summary and never exits.
    result = pytester.runpytest_subprocess("-W", "ignore::DeprecationWarning", timeout=60)
    result.assert_outcomes(passed=1)
    assert result.ret == 0


# Every done-callback records the task's state and its loop's; the conftest prints the
# records when the session ends, after every loop has closed.
CALLBACKS_CONFTEST = """
DONE = []


def pytest_unconfigure(config):
    print("done callbacks:", sorted(DONE))
"""

CALLBACKS = """
import asyncio

import pytest
import pytest_asyncio

from conftest import DONE

pytestmark = pytest.mark.asyncio(loop_scope={scope!r})


def on_done(name):
    def record(task):
        loop = task.get_loop()
        state = "done" if task.done() and not task.cancelled() else "not done"
        DONE.append(f"{{name}}: {{state}}, loop {{'closed' if loop.is_closed() else 'open'}}")

    return record


@pytest_asyncio.fixture(loop_scope={scope!r})
async def fixture_adds_one():
    asyncio.current_task().add_done_callback(on_done("fixture"))
    yield


async def test_adds_one(fixture_adds_one):
    asyncio.current_task().add_done_callback(on_done("test"))
"""


@pytest.mark.parametrize("scope", ["function", "module"])
def test_done_callbacks_of_the_current_task_run_before_the_loop_closes(
    pytester: pytest.Pytester, ini: IniWriter, scope: str
) -> None:
    ini(asyncio_mode="strict")
    pytester.makeconftest(CALLBACKS_CONFTEST)
    pytester.makepyfile(test_callbacks=CALLBACKS.format(scope=scope))
    result = pytester.runpytest("-s")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        ["done callbacks: ['fixture: done, loop open', 'test: done, loop open']"]
    )


# Each run of the loop and each close, per test: a loop of its own is run once per job, the
# driver task ending with the last job, its done-callbacks run before the loop closes. (A
# looked-up fixture's setup takes two runs: the test's job stops the loop to look it up.)
COUNTING_CONFTEST = """
import asyncio

EVENTS = []


class CountingLoop(asyncio.SelectorEventLoop):
    def run_forever(self):
        EVENTS.append("run")
        super().run_forever()

    def close(self):
        EVENTS.append("close")
        super().close()


def pytest_asyncio_loop_factories(config, item):
    return {"counting": CountingLoop}


def pytest_runtest_logfinish(nodeid):
    print(f"{nodeid.split('::')[-1]}: {' '.join(EVENTS)}")
    EVENTS.clear()
"""

COUNTED = """
import asyncio

import pytest
import pytest_asyncio

from conftest import EVENTS


def record_end(task):
    EVENTS.append("driver done")


@pytest_asyncio.fixture
async def outer():
    yield
    EVENTS.append("outer teardown")


@pytest_asyncio.fixture
async def inner(outer):
    yield
    EVENTS.append("inner teardown")


@pytest.mark.asyncio
async def test_alone():
    asyncio.current_task().add_done_callback(record_end)


@pytest.mark.asyncio
async def test_with_fixtures(inner):
    asyncio.current_task().add_done_callback(record_end)


@pytest.mark.asyncio
async def test_looks_one_up(request):
    asyncio.current_task().add_done_callback(record_end)
    await pytest_asyncio.getfixturevalue(request, "outer")
"""


def test_a_loop_of_its_own_runs_once_per_job(pytester: pytest.Pytester, ini: IniWriter) -> None:
    """The close of a function-scoped loop runs it no more: the last job ended the driver
    task, whose done-callbacks ran in that job's run, before the close."""
    ini()
    pytester.makeconftest(COUNTING_CONFTEST)
    pytester.makepyfile(test_counted=COUNTED)
    result = pytester.runpytest("-s", "-p", "no:randomly")
    result.assert_outcomes(passed=3)
    # (The last test's teardown also closes the session's loop, made for the hook's fixture.)
    result.stdout.fnmatch_lines(
        [
            "*test_alone: run driver done close",
            "*test_with_fixtures: run run run run inner teardown run outer teardown"
            " driver done close",
            # The test's task runs the fixture it looks up, and stays for its teardown.
            "*test_looks_one_up: run run run run outer teardown driver done close*",
        ]
    )

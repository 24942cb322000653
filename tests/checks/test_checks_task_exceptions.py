"""The task-exceptions check: an exception that a task, a future or a callback raised and that
nobody saw fails the test during which it happened, once, with the task's name, where it was
created, the traceback of the user's code, and the fix."""

from __future__ import annotations

# Imported before any inner run, as the other test modules do: pytester's in-process runs drop
# the modules they import, and on Python 3.13 an asyncio imported again by a later run misses
# tasks (all_tasks()), so its loops close without cancelling them.
import asyncio  # noqa: F401
import re
import sys
from pathlib import Path

import pytest

from pytest_asyncio import _messages

# A broken check must not hang the suite: pytest-timeout ends each test after 60 s.
pytestmark = pytest.mark.timeout(60)

CHECK = "task-exceptions"


def finding(first: str, *details: str, fix: str) -> str:
    """The text of one finding, as the report prints it."""
    return _messages.CHECK_FINDING.format(check=CHECK, text="\n".join([first, *details, fix]))


def header(nodeid: str, phase: str, count: int = 1) -> str:
    problems = "problem" if count == 1 else "problems"
    return _messages.CHECKS_FAILED.format(
        nodeid=nodeid, count=count, problems=problems, phase=phase
    )


def line_of(pytester: pytest.Pytester, filename: str, text: str) -> int:
    """The number of the line of *filename* that holds *text*."""
    lines = pytester.path.joinpath(filename).read_text().splitlines()
    (number,) = [index for index, line in enumerate(lines, 1) if text in line]
    return number


def created(pytester: pytest.Pytester, filename: str, function: str, text: str) -> list[str]:
    location = f"{filename}:{line_of(pytester, filename, text)} in {function}"
    return [_messages.CHECK_EXCEPTIONS_CREATED.format(location=location), f"      {text}"]


def traceback(
    pytester: pytest.Pytester, filename: str, function: str, text: str, error: str
) -> list[str]:
    return [
        _messages.CHECK_EXCEPTIONS_TRACEBACK,
        f"    {filename}:{line_of(pytester, filename, text)} in {function}",
        f"        {text}",
        f"  {error}",
    ]


FIRE_AND_FORGET = """
import asyncio
import pytest


async def connect():
    await asyncio.sleep(0)
    raise ConnectionError("refused")


@pytest.mark.asyncio
async def test_starts_a_task():
    asyncio.create_task(connect(), name="connector")
    await asyncio.sleep(0.01)
"""


def test_a_task_that_raised_fails_the_test_in_the_words_a_user_reads(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_app=FIRE_AND_FORGET)
    result = pytester.runpytest("--asyncio-checks=task-exceptions")
    result.assert_outcomes(failed=1)
    assert (
        "asyncio checks found 1 problem during the body of test "
        "test_app.py::test_starts_a_task.\n"
        "\n"
        "[task-exceptions] task 'connector' (connect) raised ConnectionError, and nothing "
        "awaited it or retrieved its exception.\n"
        "  created at test_app.py:12 in test_starts_a_task\n"
        '      asyncio.create_task(connect(), name="connector")\n'
        "  traceback, most recent call last:\n"
        "    test_app.py:7 in connect\n"
        '        raise ConnectionError("refused")\n'
        "  ConnectionError: refused\n"
        "Await the task (or gather it, or start it in a TaskGroup) so that its failure reaches "
        "your code; if the failure is expected, retrieve it with task.exception().\n"
    ) in result.stdout.str()


def test_each_exception_is_reported_once_and_not_logged_after_the_summary(
    pytester: pytest.Pytester,
) -> None:
    # The task lives until the session ends, where asyncio would report it.
    pytester.makeconftest(
        """
        KEPT = []


        def pytest_unconfigure(config):
            KEPT.clear()
        """
    )
    pytester.makepyfile(
        test_app="""
        import asyncio
        import pytest

        from conftest import KEPT


        async def connect():
            raise ConnectionError("refused")


        @pytest.mark.asyncio(loop_scope="module")
        async def test_keeps_a_task():
            KEPT.append(asyncio.create_task(connect(), name="connector"))
            await asyncio.sleep(0.01)


        @pytest.mark.asyncio(loop_scope="module")
        async def test_after():
            await asyncio.sleep(0)
        """
    )
    result = pytester.runpytest_subprocess("--asyncio-checks=task-exceptions", timeout=60)
    result.assert_outcomes(passed=2, errors=1)
    output = result.stdout.str() + result.stderr.str()
    assert output.count("[task-exceptions]") == 1
    assert header("test_app.py::test_keeps_a_task", "teardown") in output
    assert "never retrieved" not in output
    # Without the check, asyncio reports it when the task is freed, after the summary.
    result = pytester.runpytest_subprocess(timeout=60)
    result.assert_outcomes(passed=2)
    assert "Task exception was never retrieved" in result.stdout.str() + result.stderr.str()


EVERY_MESSAGE = """
import asyncio

import pytest
import pytest_asyncio


def on_ready():
    raise KeyError("ready")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def server():
    asyncio.get_running_loop().call_soon(on_ready)
    future = asyncio.get_running_loop().create_future()
    future.set_exception(KeyError("unread"))
    del future
    await asyncio.sleep(0.01)
    yield


@pytest.mark.asyncio(loop_scope="module")
async def test_setup(server):
    pass


async def connect():
    await asyncio.sleep(0.05)
    try:
        raise OSError("refused")
    except OSError as error:
        raise ConnectionError("lost") from error


@pytest.mark.asyncio(loop_scope="module")
async def test_starts_it():
    asyncio.create_task(connect(), name="connector")


@pytest.mark.asyncio(loop_scope="module")
async def test_during_which_it_fails():
    await asyncio.sleep(0.2)


async def serve():
    try:
        await asyncio.sleep(3600)
    finally:
        raise KeyError("closing")


@pytest.mark.asyncio
async def test_at_close():
    asyncio.create_task(serve(), name="server")
    await asyncio.sleep(0)
    try:
        raise KeyError("ready")
    except KeyError as error:
        report = {"message": "a library's report", "exception": error}
        asyncio.get_running_loop().call_exception_handler(report)
"""


def test_every_kind_in_the_words_a_user_reads(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_app=EVERY_MESSAGE)
    result = pytester.runpytest("--asyncio-checks=task-exceptions", "-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=2, errors=2)
    output = result.stdout.str()
    # A callback and a future of a module-scoped fixture's setup: errors of the first test.
    assert (
        "asyncio checks found 2 problems during the setup of test test_app.py::test_setup.\n"
        "\n"
        "[task-exceptions] a future was given the exception KeyError during the setup of "
        "module-scoped fixture 'server', and nothing awaited it or retrieved it.\n"
        "  created at a place not known: run with --asyncio-debug to record it\n"
        "  traceback, most recent call last:\n"
        "    (no frame of your code)\n"
        "  KeyError: 'unread'\n"
        "Await the future, or retrieve its exception with future.exception().\n"
        "\n"
        "[task-exceptions] callback on_ready() of module-scoped fixture 'server' raised "
        "KeyError.\n"
        "  traceback, most recent call last:\n"
        "    test_app.py:8 in on_ready\n"
        '        raise KeyError("ready")\n'
        "  KeyError: 'ready'\n"
        "Catch the exception in the callback: asyncio only logs what a callback raises, and "
        "your code never sees it.\n"
    ) in output
    # A task of an earlier test that fails later, raised from another exception.
    assert (
        "asyncio checks found 1 problem during the body of test "
        "test_app.py::test_during_which_it_fails.\n"
        "\n"
        "[task-exceptions] task 'connector' (connect) raised ConnectionError, and nothing "
        "awaited it or retrieved its exception.\n"
        "  created by test test_app.py::test_starts_it at test_app.py:36 in test_starts_it\n"
        '      asyncio.create_task(connect(), name="connector")\n'
        "  traceback, most recent call last:\n"
        "    test_app.py:29 in connect\n"
        '        raise OSError("refused")\n'
        "  OSError: refused\n"
        "  which was the direct cause of:\n"
        "  traceback, most recent call last:\n"
        "    test_app.py:31 in connect\n"
        '        raise ConnectionError("lost") from error\n'
        "  ConnectionError: lost\n"
        "Await the task (or gather it, or start it in a TaskGroup) so that its failure "
        "reaches your code; if the failure is expected, retrieve it with task.exception().\n"
    ) in output
    # An exception given to the loop's exception handler by the test's own code.
    assert (
        "asyncio checks found 1 problem during the body of test "
        "test_app.py::test_at_close.\n"
        "\n"
        "[task-exceptions] the event loop's exception handler was given KeyError: a "
        "library's report\n"
        "  traceback, most recent call last:\n"
        "    test_app.py:56 in test_at_close\n"
        '        raise KeyError("ready")\n'
        "  KeyError: 'ready'\n"
        "Handle the exception where it is raised: asyncio only logs it, and your code never "
        "sees it.\n"
    ) in output
    # A task still running when the loop closed, that raised when it was cancelled.
    assert (
        "asyncio checks found 1 problem during the teardown of test "
        "test_app.py::test_at_close.\n"
        "\n"
        "[task-exceptions] task 'server' (serve) was still running when its event loop "
        "closed, and raised KeyError when it was cancelled.\n"
        "  created at test_app.py:53 in test_at_close\n"
        '      asyncio.create_task(serve(), name="server")\n'
        "  traceback, most recent call last:\n"
        "    test_app.py:46 in serve\n"
        "        await asyncio.sleep(3600)\n"
        "  asyncio.exceptions.CancelledError\n"
        "  during whose handling this was raised:\n"
        "  traceback, most recent call last:\n"
        "    test_app.py:48 in serve\n"
        '        raise KeyError("closing")\n'
        "  KeyError: 'closing'\n"
        "Cancel and await the task before the test or fixture that started it ends, and make "
        "the code that runs on its cancellation not raise.\n"
    ) in output
    # In debug mode, where the callback was scheduled.
    result = pytester.runpytest(
        "--asyncio-checks=task-exceptions", "--asyncio-debug", "-p", "no:randomly"
    )
    assert (
        "[task-exceptions] callback on_ready() of module-scoped fixture 'server' raised "
        "KeyError.\n"
        "  scheduled at test_app.py:13 in server\n"
        "      asyncio.get_running_loop().call_soon(on_ready)\n"
    ) in result.stdout.str()


KINDS = {
    # A callback raised: the test's body fails.
    "callback": (
        """
        import asyncio
        import pytest


        def on_ready():
            raise KeyError("ready")


        @pytest.mark.asyncio
        async def test_it():
            asyncio.get_running_loop().call_soon(on_ready)
            await asyncio.sleep(0.01)
        """,
        "body",
        "failed",
    ),
    # A future freed with an exception nobody retrieved.
    "future": (
        """
        import asyncio
        import pytest


        @pytest.mark.asyncio
        async def test_it():
            future = asyncio.get_running_loop().create_future()
            future.set_exception(KeyError("ready"))
            del future
            await asyncio.sleep(0)
        """,
        "body",
        "failed",
    ),
    # Code that reports an exception to the loop's handler itself, as libraries do.
    "reported": (
        """
        import asyncio
        import pytest


        @pytest.mark.asyncio
        async def test_it():
            try:
                raise KeyError("ready")
            except KeyError as error:
                report = {"message": "a library's report", "exception": error}
                asyncio.get_running_loop().call_exception_handler(report)
        """,
        "body",
        "failed",
    ),
    # A function-scoped fixture keeps the task and never retrieves it: found when the test
    # has ended, an error of its teardown.
    "kept": (
        """
        import asyncio
        import pytest
        import pytest_asyncio


        async def connect():
            raise KeyError("ready")


        @pytest_asyncio.fixture
        async def connection():
            task = asyncio.create_task(connect(), name="connector")
            yield task


        @pytest.mark.asyncio
        async def test_it(connection):
            await asyncio.sleep(0.01)
        """,
        "teardown",
        "error",
    ),
    # The task was still running when its loop closed, and raised when it was cancelled.
    "at close": (
        """
        import asyncio
        import pytest


        async def serve():
            try:
                await asyncio.sleep(3600)
            finally:
                raise KeyError("ready")


        @pytest.mark.asyncio
        async def test_it():
            asyncio.create_task(serve(), name="server")
            await asyncio.sleep(0)
        """,
        "teardown",
        "error",
    ),
    # A task of a module-scoped fixture fails during a test: that test fails.
    "wide task": (
        """
        import asyncio
        import pytest
        import pytest_asyncio


        async def connect():
            await asyncio.sleep(0.05)
            raise KeyError("ready")


        @pytest_asyncio.fixture(scope="module", loop_scope="module")
        async def connection():
            tasks = [asyncio.create_task(connect(), name="connector")]
            yield tasks


        @pytest.mark.asyncio(loop_scope="module")
        async def test_it(connection):
            await asyncio.sleep(0.2)
            connection.clear()
        """,
        "body",
        "failed",
    ),
}


def _expected(pytester: pytest.Pytester, kind: str, debug: bool) -> str:
    """The finding each case of KINDS reports."""
    file = "test_kind.py"
    error = "KeyError: 'ready'"
    if kind == "callback":
        first = _messages.CHECK_EXCEPTIONS_CALLBACK.format(
            callback="on_ready()", owner="", error="KeyError"
        )
        scheduled = []
        if debug:
            text = "asyncio.get_running_loop().call_soon(on_ready)"
            location = f"{file}:{line_of(pytester, file, text)} in test_it"
            scheduled = [_messages.CHECK_EXCEPTIONS_SCHEDULED.format(location=location)]
            scheduled.append(f"      {text}")
        tb = traceback(pytester, file, "on_ready", 'raise KeyError("ready")', error)
        return finding(first, *scheduled, *tb, fix=_messages.CHECK_EXCEPTIONS_CALLBACK_FIX)
    if kind == "future":
        first = _messages.CHECK_EXCEPTIONS_FUTURE.format(owner="", error="KeyError")
        if debug:
            site = created(pytester, file, "test_it", "future = asyncio.get_running_loop()")
            site = [site[0], "      future = asyncio.get_running_loop().create_future()"]
        else:
            site = [_messages.CHECK_EXCEPTIONS_CREATED_UNKNOWN]
        tb = [
            _messages.CHECK_EXCEPTIONS_TRACEBACK,
            _messages.CHECK_EXCEPTIONS_NO_FRAMES,
            f"  {error}",
        ]
        return finding(first, *site, *tb, fix=_messages.CHECK_EXCEPTIONS_FUTURE_FIX)
    if kind == "reported":
        first = _messages.CHECK_EXCEPTIONS_OTHER.format(
            error="KeyError", owner="", message="a library's report"
        )
        tb = traceback(pytester, file, "test_it", 'raise KeyError("ready")', error)
        return finding(first, *tb, fix=_messages.CHECK_EXCEPTIONS_OTHER_FIX)
    if kind == "kept":
        first = _messages.CHECK_EXCEPTIONS_TASK.format(
            name="connector",
            coroutine=_messages.CHECK_EXCEPTIONS_COROUTINE.format(function="connect"),
            owner="",
            error="KeyError",
        )
        site = created(
            pytester, file, "connection", 'task = asyncio.create_task(connect(), name="connector")'
        )
        tb = traceback(pytester, file, "connect", 'raise KeyError("ready")', error)
        return finding(first, *site, *tb, fix=_messages.CHECK_EXCEPTIONS_TASK_FIX)
    if kind == "at close":
        first = _messages.CHECK_EXCEPTIONS_AT_CLOSE.format(
            name="server",
            coroutine=_messages.CHECK_EXCEPTIONS_COROUTINE.format(function="serve"),
            owner="",
            error="KeyError",
        )
        site = created(pytester, file, "test_it", 'asyncio.create_task(serve(), name="server")')
        cancelled = traceback(
            pytester,
            file,
            "serve",
            "await asyncio.sleep(3600)",
            "asyncio.exceptions.CancelledError",
        )
        tb = traceback(pytester, file, "serve", 'raise KeyError("ready")', error)
        return finding(
            first,
            *site,
            *cancelled,
            _messages.CHECK_EXCEPTIONS_CONTEXT,
            *tb,
            fix=_messages.CHECK_EXCEPTIONS_AT_CLOSE_FIX,
        )
    assert kind == "wide task"
    owner = _messages.CHECK_EXCEPTIONS_OF.format(
        owner=_messages.CHECK_WIDE_FIXTURE.format(scope="module", name="connection")
    )
    first = _messages.CHECK_EXCEPTIONS_TASK.format(
        name="connector",
        coroutine=_messages.CHECK_EXCEPTIONS_COROUTINE.format(function="connect"),
        owner=owner,
        error="KeyError",
    )
    if debug:
        site = created(
            pytester,
            file,
            "connection",
            'tasks = [asyncio.create_task(connect(), name="connector")]',
        )
    else:
        site = [_messages.CHECK_EXCEPTIONS_CREATED_UNKNOWN]
    tb = traceback(pytester, file, "connect", 'raise KeyError("ready")', error)
    return finding(first, *site, *tb, fix=_messages.CHECK_EXCEPTIONS_TASK_FIX)


@pytest.mark.parametrize("debug", [False, True], ids=["", "debug"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_each_kind_is_caught_in_the_phase_it_happened(
    pytester: pytest.Pytester, kind: str, debug: bool
) -> None:
    source, phase, outcome = KINDS[kind]
    pytester.makepyfile(test_kind=source)
    args = ["--asyncio-checks=task-exceptions", "-p", "no:randomly"]
    result = pytester.runpytest(*args, *(["--asyncio-debug"] if debug else []))
    if outcome == "failed":
        result.assert_outcomes(failed=1)
    else:
        result.assert_outcomes(passed=1, errors=1)
    output = result.stdout.str()
    nodeid = "test_kind.py::test_it"
    assert f"{header(nodeid, phase)}\n\n{_expected(pytester, kind, debug)}\n" in output
    assert output.count("[task-exceptions]") == 1


TWO_TESTS = """
import asyncio
import pytest


async def connect():
    raise ConnectionError("refused")


@pytest.mark.asyncio(loop_scope="{scope}"{checks})
async def test_starts_a_task():
    asyncio.create_task(connect(), name="connector")
    await asyncio.sleep(0.01)


@pytest.mark.asyncio(loop_scope="{scope}")
async def test_clean():
    await asyncio.sleep(0.01)
"""


@pytest.mark.parametrize("scope", ["function", "module"])
def test_the_test_that_caused_it_fails_and_the_next_one_passes(
    pytester: pytest.Pytester, scope: str
) -> None:
    pytester.makepyfile(test_app=TWO_TESTS.format(scope=scope, checks=""))
    result = pytester.runpytest("--asyncio-checks=task-exceptions", "-p", "no:randomly", "-v")
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(
        ["*::test_starts_a_task FAILED*", "*::test_clean PASSED*"], consecutive=False
    )
    assert header("test_app.py::test_starts_a_task", "body") in result.stdout.str()


@pytest.mark.parametrize(
    ("session", "checks"),
    [
        pytest.param("", "", id="session-off"),
        pytest.param("task-exceptions", ', checks="none"', id="marker-none"),
        pytest.param("all", ', checks="task-leaks"', id="marker-other-check"),
    ],
)
def test_not_caught_when_off(pytester: pytest.Pytester, session: str, checks: str) -> None:
    pytester.makepyfile(test_app=TWO_TESTS.format(scope="function", checks=checks))
    result = pytester.runpytest(f"--asyncio-checks={session or 'none'}")
    result.assert_outcomes(passed=2)
    assert "[task-exceptions]" not in result.stdout.str()


def test_a_marker_turns_it_on_when_the_session_has_none(pytester: pytest.Pytester) -> None:
    source = TWO_TESTS.format(scope="function", checks=', checks="task-exceptions"')
    pytester.makepyfile(test_app=source)
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(failed=1, passed=1)
    assert header("test_app.py::test_starts_a_task", "body") in result.stdout.str()


@pytest.mark.parametrize("phase", ["setup", "teardown"])
def test_a_callback_of_a_module_fixture_is_an_error_naming_the_fixture(
    pytester: pytest.Pytester, phase: str
) -> None:
    setup, teardown = ("await fail()", "") if phase == "setup" else ("", "await fail()")
    pytester.makepyfile(
        test_app=f"""
        import asyncio
        import pytest
        import pytest_asyncio


        def on_ready():
            raise KeyError("ready")


        async def fail():
            asyncio.get_running_loop().call_soon(on_ready)
            await asyncio.sleep(0.01)


        @pytest_asyncio.fixture(scope="module", loop_scope="module")
        async def server():
            {setup}
            yield
            {teardown}


        @pytest.mark.asyncio(loop_scope="module")
        async def test_first(server):
            pass


        @pytest.mark.asyncio(loop_scope="module")
        async def test_second(server):
            pass
        """
    )
    result = pytester.runpytest("--asyncio-checks=task-exceptions", "-p", "no:randomly")
    result.assert_outcomes(passed=2 if phase == "teardown" else 1, errors=1)
    owner = _messages.CHECK_EXCEPTIONS_OF.format(
        owner=_messages.CHECK_WIDE_FIXTURE.format(scope="module", name="server")
    )
    first = _messages.CHECK_EXCEPTIONS_CALLBACK.format(
        callback="on_ready()", owner=owner, error="KeyError"
    )
    # The callback raised while the fixture was set up for the first test, or torn down
    # after the last one.
    test = "test_first" if phase == "setup" else "test_second"
    output = result.stdout.str()
    assert f"ERROR at {phase} of {test}" in output
    assert f"{header(f'test_app.py::{test}', phase)}\n\n[task-exceptions] {first}\n" in output
    assert "[task-exceptions] callback on_ready() of module-scoped fixture 'server' raised " in (
        output
    )


RETRIEVALS = {
    "await": "with pytest.raises(KeyError): await task",
    "exception": "assert isinstance(task.exception(), KeyError)",
    "result": "with pytest.raises(KeyError): task.result()",
    "gather": "await asyncio.gather(task, return_exceptions=True)",
    "wait_for": "with pytest.raises(KeyError): await asyncio.wait_for(task, 1)",
}


@pytest.mark.parametrize("retrieve", list(RETRIEVALS))
def test_a_task_retrieved_by_a_fixture_teardown_is_not_reported(
    pytester: pytest.Pytester, retrieve: str
) -> None:
    pytester.makepyfile(
        test_app=f"""
        import asyncio
        import pytest
        import pytest_asyncio


        async def connect():
            raise KeyError("ready")


        @pytest_asyncio.fixture
        async def connection():
            task = asyncio.create_task(connect())
            yield
            {RETRIEVALS[retrieve]}


        @pytest.mark.asyncio
        async def test_it(connection):
            await asyncio.sleep(0.01)
        """
    )
    result = pytester.runpytest("--asyncio-checks=task-exceptions")
    result.assert_outcomes(passed=1)
    assert "[task-exceptions]" not in result.stdout.str()


@pytest.mark.skipif(sys.version_info < (3, 11), reason="asyncio.TaskGroup: 3.11+")
def test_a_task_group_a_fixture_holds_open_retrieves_its_tasks(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_app="""
        import asyncio
        import pytest
        import pytest_asyncio


        @pytest_asyncio.fixture
        async def workers():
            stop = asyncio.Event()

            async def work():
                await stop.wait()
                raise KeyError("ready")

            with pytest.raises(ExceptionGroup):
                async with asyncio.TaskGroup() as group:
                    group.create_task(work())
                    yield
                    stop.set()


        @pytest.mark.asyncio
        async def test_it(workers):
            await asyncio.sleep(0.01)
        """
    )
    result = pytester.runpytest("--asyncio-checks=task-exceptions")
    result.assert_outcomes(passed=1)
    assert "[task-exceptions]" not in result.stdout.str()


CLEAN_SUITE = """
import asyncio
import re
import sys
from pathlib import Path

import pytest
import pytest_asyncio


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def server():
    async def echo(reader, writer):
        writer.write(await reader.readline())
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()


@pytest_asyncio.fixture(loop_scope="module")
async def client(server):
    reader, writer = await asyncio.open_connection("127.0.0.1", server)
    yield reader, writer
    writer.close()
    await writer.wait_closed()


@pytest.mark.asyncio(loop_scope="module")
async def test_echo(client):
    reader, writer = client
    writer.write(b"hello\\n")
    await writer.drain()
    assert await reader.readline() == b"hello\\n"


@pytest.mark.asyncio(loop_scope="module")
async def test_a_client_that_resets_its_connection(server):
    reader, writer = await asyncio.open_connection("127.0.0.1", server)
    writer.transport.abort()
    await asyncio.sleep(0.01)


async def fail():
    await asyncio.sleep(0)
    raise ValueError("expected")


@pytest.mark.skipif(sys.version_info < (3, 11), reason="TaskGroup and timeout: 3.11+")
@pytest.mark.asyncio
async def test_task_group_and_timeout():
    with pytest.raises(ExceptionGroup):
        async with asyncio.TaskGroup() as group:
            group.create_task(fail())
            group.create_task(asyncio.sleep(1))
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.01):
            await asyncio.sleep(1)


@pytest.mark.asyncio
async def test_gather_and_wait_for():
    with pytest.raises(ValueError):
        await asyncio.gather(fail(), fail(), asyncio.sleep(0.01))
    await asyncio.sleep(0.02)
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(asyncio.sleep(1), 0.01)
    with pytest.raises(ValueError):
        await asyncio.wait_for(fail(), 1)


@pytest.mark.asyncio
async def test_cancelled_tasks():
    task = asyncio.create_task(asyncio.sleep(1))
    await asyncio.sleep(0)
    task.cancel()
    await asyncio.sleep(0)
    asyncio.create_task(asyncio.sleep(3600))


@pytest.mark.asyncio
async def test_executor_jobs():
    loop = asyncio.get_running_loop()
    assert await loop.run_in_executor(None, sum, [1, 2]) == 3
    with pytest.raises(ZeroDivisionError):
        await loop.run_in_executor(None, divmod, 1, 0)
    assert await asyncio.to_thread(sum, [1]) == 1


@pytest.mark.asyncio
async def test_a_done_callback_that_retrieves():
    task = asyncio.create_task(fail())
    task.add_done_callback(lambda task: task.exception())
    await asyncio.sleep(0.01)


@pytest.mark.asyncio
async def test_a_failing_test_is_only_its_own_failure():
    with pytest.raises(AssertionError):
        assert False


def test_sync():
    pass
"""


def test_no_finding_in_a_clean_realistic_suite(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_suite=CLEAN_SUITE)
    result = pytester.runpytest_subprocess("--asyncio-checks=task-exceptions", timeout=60)
    passed = 9 if sys.version_info >= (3, 11) else 8
    result.assert_outcomes(passed=passed, skipped=9 - passed)
    output = result.stdout.str() + result.stderr.str()
    assert "[task-exceptions]" not in output
    assert "never retrieved" not in output


def test_a_handler_call_without_an_exception_goes_to_the_previous_handler(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_app="""
        import asyncio
        import pytest


        @pytest.mark.asyncio
        async def test_it(caplog):
            loop = asyncio.get_running_loop()
            loop.call_exception_handler({"message": "a report without an exception"})
            assert "a report without an exception" in caplog.text
        """
    )
    result = pytester.runpytest("--asyncio-checks=task-exceptions")
    result.assert_outcomes(passed=1)


def test_an_earlier_test_s_task_that_fails_later_names_that_test(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_app="""
        import asyncio
        import pytest


        async def connect():
            await asyncio.sleep(0.05)
            raise KeyError("ready")


        @pytest.mark.asyncio(loop_scope="module")
        async def test_starts_it():
            asyncio.create_task(connect(), name="connector")


        @pytest.mark.asyncio(loop_scope="module")
        async def test_during_which_it_fails():
            await asyncio.sleep(0.2)
        """
    )
    result = pytester.runpytest("--asyncio-checks=task-exceptions", "-p", "no:randomly", "-v")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ["*::test_starts_it PASSED*", "*::test_during_which_it_fails FAILED*"]
    )
    text = 'asyncio.create_task(connect(), name="connector")'
    where = f"test_app.py:{line_of(pytester, 'test_app.py', text)} in test_starts_it"
    assert (
        _messages.CHECK_EXCEPTIONS_CREATED_BY.format(
            nodeid="test_app.py::test_starts_it", location=where
        )
        + f"\n      {text}\n"
    ) in result.stdout.str()


def test_warnings_as_errors_change_nothing(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_app=TWO_TESTS.format(scope="function", checks=""))
    result = pytester.runpytest("--asyncio-checks=task-exceptions", "-W", "error")
    result.assert_outcomes(failed=1, passed=1)
    assert header("test_app.py::test_starts_a_task", "body") in result.stdout.str()


@pytest.mark.python_independent  # through pytest-xdist's workers: one Python runs it
def test_the_report_reaches_the_xdist_controller(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_app=TWO_TESTS.format(scope="function", checks=""))
    result = pytester.runpytest_subprocess(
        "-p", "xdist", "-n", "2", "--asyncio-checks=task-exceptions", timeout=60
    )
    result.assert_outcomes(failed=1, passed=1)
    output = result.stdout.str()
    assert header("test_app.py::test_starts_a_task", "body") in output
    assert "[task-exceptions] task 'connector' (connect) raised ConnectionError" in output


def test_the_documented_report_is_what_the_example_prints(pytester: pytest.Pytester) -> None:
    """docs/checks.md, section task-exceptions: the example module prints the report shown
    under it (line for line: the report's brackets are no fnmatch pattern)."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "checks.md").read_text()
    start = text.index("\n## task-exceptions\n")
    section = text[start : text.index("\n## ", start + 1)]
    (module,) = re.findall(r"```py\n(.*?)```", section, re.S)
    (report,) = re.findall(r"```text\n(.*?)```", section, re.S)
    pytester.makepyfile(test_notify=module)
    result = pytester.runpytest("-p", "no:cacheprovider", "--asyncio-checks=task-exceptions")
    result.assert_outcomes(failed=1)
    expected = report.splitlines()
    lines = result.stdout.lines
    assert any(lines[index : index + len(expected)] == expected for index in range(len(lines))), (
        result.stdout.str()
    )


@pytest.mark.skipif(sys.version_info < (3, 12), reason="asyncio.eager_task_factory: 3.12+")
def test_an_eager_task_that_raised_at_once_is_caught(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_app="""
        import asyncio
        import pytest
        import pytest_asyncio


        @pytest_asyncio.fixture
        async def eager():
            asyncio.get_running_loop().set_task_factory(asyncio.eager_task_factory)
            yield


        async def connect():
            raise KeyError("ready")


        @pytest.mark.asyncio
        async def test_it(eager):
            asyncio.create_task(connect(), name="connector")
            await asyncio.sleep(0)
        """
    )
    result = pytester.runpytest("--asyncio-checks=task-exceptions")
    output = result.stdout.str()
    # The task ended inside create_task(): it no longer knows its coroutine.
    first = _messages.CHECK_EXCEPTIONS_TASK.format(
        name="connector", coroutine="", owner="", error="KeyError"
    )
    site = created(
        pytester, "test_app.py", "test_it", 'asyncio.create_task(connect(), name="connector")'
    )
    assert "\n".join([f"[task-exceptions] {first}", *site]) in output
    assert output.count("[task-exceptions]") == 1

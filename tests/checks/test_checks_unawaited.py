"""The unawaited check: a coroutine a test created and never awaited fails that test, naming
the coroutine and the user's line that created it."""

from __future__ import annotations

import re
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

from pytest_asyncio import _aio, _messages

IniWriter = Callable[..., None]  # the type of tests/conftest.py's `ini` fixture

# A broken check must not hang the suite: pytest-timeout ends each test after 60 s.
pytestmark = pytest.mark.timeout(60)

FIX = "Await it, or wrap it in asyncio.create_task(...) to run it in the background."


def found(nodeid: str, phase: str, *texts: str) -> str:
    """The failure text of *texts*, the findings of one phase."""
    count = len(texts)
    header = _messages.CHECKS_FAILED.format(
        nodeid=nodeid, count=count, problems="problem" if count == 1 else "problems", phase=phase
    )
    blocks = [_messages.CHECK_FINDING.format(check="unawaited", text=text) for text in texts]
    return "\n\n".join([header, *blocks])


def unawaited(name: str, site: str, owner: str = "", times: str = "") -> str:
    return _messages.CHECK_UNAWAITED.format(name=name, site=site, owner=owner, times=times)


def test_the_report_names_the_coroutine_and_the_line_that_created_it(
    pytester: pytest.Pytester, ini: IniWriter
) -> None:
    ini(asyncio_mode="auto", asyncio_checks="unawaited")
    pytester.makepyfile(
        test_forgot="""
        import asyncio


        async def save(record):
            await asyncio.sleep(0)


        async def test_saves():
            save({"id": 1})
            await asyncio.sleep(0)
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    # The literal text a user sees.
    result.stdout.fnmatch_lines(
        [
            "*_ test_saves _*",
            "asyncio checks found 1 problem during the body of test test_forgot.py::test_saves.",
            "",
            "[unawaited] coroutine 'save' was created and never awaited; it was created here:",
            "  test_forgot.py:9 in test_saves",
            '      save({"id": 1})',
            "Await it, or wrap it in asyncio.create_task(...) to run it in the background.",
            "*= short test summary info =*",
        ],
        consecutive=True,
    )
    output = result.stdout.str()
    assert "RuntimeWarning" not in output
    assert "pytest_asyncio" not in output
    assert "asyncio/" not in output


CAUGHT = """
import asyncio
import pytest

on_loop = pytest.mark.asyncio(loop_scope="{scope}")


async def fetch(n):
    return n


@pytest.fixture
async def resource():
    fetch(1)
    yield


@on_loop
async def test_in_fixture(resource):
    pass


@on_loop
async def test_in_body():
    for n in range(3):
        fetch(n)


@on_loop
async def test_in_task():
    async def child():
        fetch(2)

    await asyncio.create_task(child())


def test_in_sync_code():
    fetch(3)
"""


@pytest.mark.parametrize("scope", ["function", "module"])
def test_caught_in_fixtures_bodies_and_tasks(
    pytester: pytest.Pytester, ini: IniWriter, scope: str
) -> None:
    ini(asyncio_mode="auto", asyncio_checks="unawaited")
    pytester.makepyfile(test_caught=CAUGHT.format(scope=scope))
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(failed=3, errors=1)
    output = result.stdout.str()
    expected = [
        found(
            "test_caught.py::test_in_fixture",
            "setup",
            unawaited("fetch", "  test_caught.py:13 in resource\n      fetch(1)"),
        ),
        found(
            "test_caught.py::test_in_body",
            "body",
            unawaited(
                "fetch",
                "  test_caught.py:25 in test_in_body\n      fetch(n)",
                times=_messages.CHECK_UNAWAITED_TIMES.format(count=3),
            ),
        ),
        found(
            "test_caught.py::test_in_task",
            "body",
            unawaited("fetch", "  test_caught.py:31 in child\n      fetch(2)"),
        ),
        found(
            "test_caught.py::test_in_sync_code",
            "body",
            unawaited("fetch", "  test_caught.py:37 in test_in_sync_code\n      fetch(3)"),
        ),
    ]
    for text in expected:
        assert text in output
    assert "RuntimeWarning" not in output


NOT_FINDINGS = """
import asyncio
import sys
import pytest
from unittest import mock


async def fetch(n):
    await asyncio.sleep(0)
    return n


@pytest.fixture
async def pending():
    return fetch(1)  # awaited later, by the test


async def test_awaited_later(pending):
    later = fetch(2)
    await asyncio.sleep(0)
    assert await later == 2
    assert await pending == 1


async def test_closed_explicitly():
    coro = fetch(3)
    coro.close()


async def test_handed_to_asyncio():
    if sys.version_info >= (3, 11):
        async with asyncio.TaskGroup() as group:
            group.create_task(fetch(4))
        async with asyncio.timeout(5):
            await asyncio.shield(fetch(8))
    await asyncio.gather(fetch(5), fetch(6))
    await asyncio.wait_for(fetch(7), timeout=5)
    await asyncio.get_running_loop().run_in_executor(None, sum, [1, 2])
    await asyncio.to_thread(sum, [1, 2])
    task = asyncio.create_task(fetch(9))
    task.cancel()  # cancelled before it ever ran
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_async_mock_awaited():
    client = mock.AsyncMock(return_value=1)
    assert await client() == 1


async def echo(reader, writer):
    writer.write(await reader.readline())
    await writer.drain()
    writer.close()
    await writer.wait_closed()


@pytest.fixture
async def server():
    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    async with server:
        yield server.sockets[0].getsockname()[:2]


@pytest.fixture
async def client(server):
    reader, writer = await asyncio.open_connection(*server)
    yield reader, writer
    writer.close()
    await writer.wait_closed()


async def test_server_and_client(client):
    reader, writer = client
    writer.write(b"ping\\n")
    await writer.drain()
    assert await reader.readline() == b"ping\\n"
"""


@pytest.mark.parametrize("debug", [False, True], ids=["", "asyncio-debug"])
def test_awaited_closed_or_handed_to_asyncio_is_not_a_finding(
    pytester: pytest.Pytester, ini: IniWriter, debug: bool
) -> None:
    ini(asyncio_mode="auto", asyncio_checks="unawaited", asyncio_debug=str(debug).lower())
    pytester.makepyfile(test_clean=NOT_FINDINGS)
    result = pytester.runpytest("-W", "error::RuntimeWarning")
    result.assert_outcomes(passed=5)


def test_python_warns_as_before_when_the_check_is_off(
    pytester: pytest.Pytester, ini: IniWriter
) -> None:
    ini(asyncio_mode="auto", asyncio_checks="task-leaks")
    pytester.makepyfile(
        test_off="""
        async def fetch():
            pass


        async def test_forgets():
            fetch()
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "*test_off.py:6: RuntimeWarning: coroutine 'fetch' was never awaited",
            "    fetch()",
        ]
    )
    assert "[unawaited]" not in result.stdout.str()


MARKED = """
import pytest


async def fetch():
    pass


@pytest.mark.asyncio(checks="{marker}")
async def test_marked():
    fetch()


async def test_unmarked():
    fetch()
"""


@pytest.mark.parametrize(
    ("session", "marker", "failed"),
    [
        ("none", "unawaited", "test_marked"),
        ("unawaited", "none", "test_unmarked"),
        ("unawaited", "task-leaks blocking", "test_unmarked"),
    ],
)
def test_the_marker_turns_the_check_on_or_off_per_test(
    pytester: pytest.Pytester, ini: IniWriter, session: str, marker: str, failed: str
) -> None:
    ini(asyncio_mode="auto", asyncio_checks=session)
    pytester.makepyfile(test_marks=MARKED.format(marker=marker))
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines([f"FAILED test_marks.py::{failed} - asyncio checks found*"])
    # The test that is not checked gets Python's warning, at its own line.
    result.stdout.fnmatch_lines(["*test_marks.py:*: RuntimeWarning: coroutine 'fetch' was never*"])


@pytest.mark.parametrize("scope", ["function", "module"])
def test_not_blamed_on_the_wrong_test(
    pytester: pytest.Pytester, ini: IniWriter, scope: str
) -> None:
    ini(asyncio_mode="auto", asyncio_checks="unawaited")
    pytester.makepyfile(
        test_order=f"""
        import asyncio
        import pytest

        pytestmark = pytest.mark.asyncio(loop_scope="{scope}")


        async def fetch():
            pass


        async def test_first():
            fetch()


        async def test_second():
            await fetch()
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(["FAILED test_order.py::test_first - asyncio checks found*"])


def test_a_task_left_by_an_earlier_test_is_not_blamed_on_the_next(
    pytester: pytest.Pytester, ini: IniWriter
) -> None:
    ini(asyncio_mode="auto", asyncio_checks="unawaited")
    pytester.makepyfile(
        test_leftover="""
        import asyncio
        import pytest

        pytestmark = pytest.mark.asyncio(loop_scope="module")
        STARTED = asyncio.Event()
        TASKS = []


        async def fetch():
            pass


        async def wait_then_forget():
            await STARTED.wait()
            fetch()


        async def test_first():
            TASKS.append(asyncio.create_task(wait_then_forget()))


        async def test_second():
            STARTED.set()
            await asyncio.sleep(0.01)
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2)
    # Not this test's coroutine: Python's warning, as without the check, at the line that
    # dropped it (not at a line of the check).
    result.stdout.fnmatch_lines(
        [
            "test_leftover.py::test_second",
            "  */test_leftover.py:15: RuntimeWarning: coroutine 'fetch' was never awaited",
            "  Coroutine created at (most recent call last)*",
        ]
    )


def test_a_module_fixture_is_named_in_its_setup_and_teardown_errors(
    pytester: pytest.Pytester, ini: IniWriter
) -> None:
    ini(asyncio_mode="auto", asyncio_checks="unawaited")
    pytester.makepyfile(
        test_wide="""
        import pytest
        import pytest_asyncio


        async def connect():
            pass


        @pytest_asyncio.fixture(scope="module", loop_scope="module")
        async def database():
            connect()
            yield
            connect()


        @pytest.mark.asyncio(loop_scope="module")
        async def test_first(database):
            pass


        @pytest.mark.asyncio(loop_scope="module")
        async def test_last(database):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=1, errors=2)  # test_first never ran: its setup failed
    owner = _messages.CHECK_UNAWAITED_OWNER.format(
        owner=_messages.CHECK_WIDE_FIXTURE.format(scope="module", name="database")
    )
    output = result.stdout.str()
    setup = unawaited("connect", "  test_wide.py:11 in database\n      connect()", owner)
    teardown = unawaited("connect", "  test_wide.py:13 in database\n      connect()", owner)
    assert found("test_wide.py::test_first", "setup", setup) in output
    assert found("test_wide.py::test_last", "teardown", teardown) in output
    result.stdout.fnmatch_lines(
        [
            "[unawaited] coroutine 'connect' was created and never awaited in module-scoped "
            "fixture 'database'; it was created here:"
        ]
    )


def test_an_async_function_given_to_asyncio_as_a_callback(
    pytester: pytest.Pytester, ini: IniWriter
) -> None:
    ini(asyncio_mode="auto", asyncio_checks="unawaited")
    pytester.makepyfile(
        test_callback="""
        import asyncio


        async def refresh():
            pass


        async def test_schedules():
            asyncio.get_running_loop().call_soon(refresh)
            await asyncio.sleep(0.01)
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    text = _messages.CHECK_UNAWAITED_BY_ASYNCIO.format(
        name="refresh", owner="", times="", defined="test_callback.py:4"
    )
    assert found("test_callback.py::test_schedules", "body", text) in result.stdout.str()


def test_a_coroutine_made_deep_in_a_library_is_shown_where_it_was_dropped(
    pytester: pytest.Pytester, ini: IniWriter
) -> None:
    ini(asyncio_mode="auto", asyncio_checks="unawaited")
    pytester.makepyfile(
        test_mocked="""
        from unittest import mock


        async def test_calls_the_client():
            client = mock.AsyncMock(return_value=1)
            client()
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    text = _messages.CHECK_UNAWAITED_DROPPED.format(
        name="AsyncMockMixin._execute_mock_call",
        owner="",
        times="",
        site="  test_mocked.py:6 in test_calls_the_client\n      client()",
    )
    assert found("test_mocked.py::test_calls_the_client", "body", text) in result.stdout.str()


def test_w_error_changes_nothing(pytester: pytest.Pytester, ini: IniWriter) -> None:
    ini(asyncio_mode="auto", asyncio_checks="unawaited")
    pytester.makepyfile(test_strict=CAUGHT.format(scope="function"))
    result = pytester.runpytest("-p", "no:randomly", "-W", "error")
    result.assert_outcomes(failed=3, errors=1)
    output = result.stdout.str()
    assert output.count("[unawaited]") == 4
    assert "Unraisable" not in output
    assert "RuntimeWarning" not in output


@pytest.mark.python_independent  # through pytest-xdist's workers: one Python runs it
def test_runs_under_xdist(pytester: pytest.Pytester, ini: IniWriter) -> None:
    ini(asyncio_mode="auto", asyncio_checks="unawaited")
    pytester.makepyfile(test_workers=CAUGHT.format(scope="function"))
    result = pytester.runpytest_subprocess("-p", "xdist", "-n", "2", timeout=60)
    result.assert_outcomes(failed=3, errors=1)
    result.stdout.fnmatch_lines(
        [
            "[unawaited] coroutine 'fetch' was created and never awaited (3 times); it was "
            "created here:",
            "  test_workers.py:25 in test_in_body",
            "      fetch(n)",
            FIX,
        ]
    )


def test_python_is_left_as_it_was_after_the_run(pytester: pytest.Pytester, ini: IniWriter) -> None:
    ini(asyncio_mode="auto", asyncio_checks="unawaited")
    pytester.makepyfile(test_restores=CAUGHT.format(scope="module"))
    depth = sys.get_coroutine_origin_tracking_depth()
    hook = _aio.unawaited_hook()
    pytester.runpytest().assert_outcomes(failed=3, errors=1)
    assert sys.get_coroutine_origin_tracking_depth() == depth
    assert _aio.unawaited_hook() is hook
    assert hook is warnings._warn_unawaited_coroutine  # type: ignore[attr-defined]


def test_the_documented_report_is_what_the_example_prints(pytester: pytest.Pytester) -> None:
    """docs/checks.md, section unawaited: its ``py`` example prints its ``text`` report."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "checks.md").read_text()
    section = text[text.index("## unawaited") : text.index("## blocking")]
    (module,) = re.findall(r"```py\n(.*?)```", section, re.S)
    (report,) = re.findall(r"```text\n(.*?)```", section, re.S)
    pytester.makepyfile(test_orders=module)
    result = pytester.runpytest("-p", "no:cacheprovider", "--asyncio-checks=unawaited")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(report.splitlines(), consecutive=True)


def test_a_coroutine_made_and_dropped_by_pytest_is_not_a_finding(
    pytester: pytest.Pytester, ini: IniWriter
) -> None:
    ini(asyncio_mode="auto", asyncio_checks="unawaited")
    pytester.makepyfile(
        test_finalizer="""
        async def cleanup():
            pass


        def test_registers(request):
            request.addfinalizer(cleanup)
        """
    )
    result = pytester.runpytest()
    # pytest calls the finalizer and drops what it returns: Python's warning, as without
    # the check, not a finding that points into pytest.
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*RuntimeWarning: coroutine 'cleanup' was never awaited"])
    assert "[unawaited]" not in result.stdout.str()

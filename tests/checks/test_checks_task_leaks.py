"""The task-leaks check: a task a test (or its function-scoped fixtures) started and left
pending fails that test at its teardown, naming the task, where it waits and where it was
created; the task is then cancelled, so it cannot run into the next test. Tasks of wider
fixtures are never blamed on a test."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from pytest_asyncio import _messages
from pytest_asyncio._checks import _leaks

IniWriter = Callable[..., None]  # the type of tests/conftest.py's `ini` fixture

pytestmark = pytest.mark.timeout(60)

DOC = Path(__file__).resolve().parents[2] / "docs" / "checks.md"

SCOPES = ["function", "module", "session"]

# One test leaks a task that would, 0.2 s later, mark the module as hit; the next test, on
# the same loop when the loop is wider than a function, waits past that and checks.
LEAKY = """
import asyncio
import pytest

pytestmark = pytest.mark.asyncio(loop_scope="{scope}")
HIT = []


async def background():
    try:
        await asyncio.sleep(0.2)
        HIT.append("the leaked task ran on")
    finally:
        print("background: finally ran")


async def test_leaks():
    asyncio.create_task(background(), name="background")


async def test_next():
    await asyncio.sleep(0.4)
    assert not HIT
"""

CHAIN = "  test_leaky.py:10 in background\n      await asyncio.sleep(0.2)"


def _finding(name: str, created: str, chain: str, outcome: str) -> str:
    return _messages.CHECK_FINDING.format(
        check="task-leaks",
        text=_messages.CHECK_TASK_LEAKS.format(
            name=name,
            created=_messages.CHECK_TASK_LEAKS_CREATED.format(location=created),
            chain=chain,
            outcome=outcome,
        ),
    )


def _header(nodeid: str, count: int = 1) -> str:
    return _messages.CHECKS_FAILED.format(
        nodeid=nodeid,
        count=count,
        problems="problem" if count == 1 else "problems",
        phase="teardown",
    )


@pytest.mark.parametrize("scope", SCOPES)
def test_a_leaked_task_fails_its_test_and_is_cancelled(
    pytester: pytest.Pytester, ini: IniWriter, scope: str
) -> None:
    ini(asyncio_checks="task-leaks")
    pytester.makepyfile(test_leaky=LEAKY.format(scope=scope))
    result = pytester.runpytest("-p", "no:randomly", "-s")
    result.assert_outcomes(passed=2, errors=1)
    output = result.stdout.str()
    finding = _finding(
        "background",
        "test_leaky.py:17 in test_leaks",
        CHAIN,
        _messages.CHECK_TASK_LEAKS_CANCELLED,
    )
    assert f"{_header('test_leaky.py::test_leaks')}\n\n{finding}\n" in output
    assert "ERROR at teardown of test_leaks" in output
    # Cancelled: its cleanup ran, and it never ran on into the next test.
    assert output.count("background: finally ran") == 1


def test_the_report_in_the_words_a_user_reads(pytester: pytest.Pytester, ini: IniWriter) -> None:
    ini(asyncio_checks="task-leaks")
    pytester.makepyfile(
        test_leak="""
        import asyncio
        import pytest


        async def poll(queue):
            while True:
                await queue.get()


        @pytest.mark.asyncio
        async def test_starts_a_poller():
            queue = asyncio.Queue()
            asyncio.create_task(poll(queue), name="poller")
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*_ ERROR at teardown of test_starts_a_poller _*",
            "asyncio checks found 1 problem during the teardown of test "
            "test_leak.py::test_starts_a_poller.",
            "",
            "[task-leaks] task 'poller' (created at test_leak.py:13 in test_starts_a_poller) "
            "was still pending when the test and its function-scoped fixtures were done. It "
            "was waiting here, outermost call first:",
            "  test_leak.py:7 in poll",
            "      await queue.get()",
            "It was cancelled, so that it cannot run into the tests after this one. Await "
            "every task the test starts before it ends (asyncio.TaskGroup does), or cancel and "
            "await it in the teardown of the fixture that starts it; a task that must outlive "
            "the test belongs to a fixture of wider scope.",
        ],
        consecutive=True,
    )


@pytest.mark.parametrize("scope", ["function", "module"])
def test_a_function_fixture_that_leaks_a_task_fails_the_test(
    pytester: pytest.Pytester, ini: IniWriter, scope: str
) -> None:
    ini(asyncio_checks="task-leaks")
    pytester.makeconftest(
        f"""
        import asyncio
        import pytest_asyncio


        async def beat():
            while True:
                await asyncio.sleep(0.01)


        @pytest_asyncio.fixture(loop_scope="{scope}")
        async def heartbeat():
            asyncio.create_task(beat(), name="heartbeat")
            yield
        """
    )
    pytester.makepyfile(
        test_beats=f"""
        import pytest

        pytestmark = pytest.mark.asyncio(loop_scope="{scope}")


        async def test_uses_it(heartbeat):
            pass


        async def test_without_it():
            pass
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2, errors=1)
    finding = _finding(
        "heartbeat",
        "conftest.py:12 in heartbeat",
        "  conftest.py:7 in beat\n      await asyncio.sleep(0.01)",
        _messages.CHECK_TASK_LEAKS_CANCELLED,
    )
    assert f"{_header('test_beats.py::test_uses_it')}\n\n{finding}\n" in result.stdout.str()


@pytest.mark.parametrize(
    ("session", "marker", "caught"),
    [
        pytest.param(None, "", False, id="off"),
        pytest.param("all", 'checks="none"', False, id="marker-turns-off"),
        pytest.param("task-exceptions", 'checks="task-exceptions"', False, id="others-on"),
        pytest.param(None, 'checks="task-leaks"', True, id="marker-turns-on"),
        pytest.param("none", 'checks=["unawaited", "task-leaks"]', True, id="marker-list"),
    ],
)
def test_on_and_off(
    pytester: pytest.Pytester,
    ini: IniWriter,
    session: str | None,
    marker: str,
    caught: bool,
) -> None:
    if session is None:
        ini()
    else:
        ini(asyncio_checks=session)
    pytester.makepyfile(
        test_leak=f"""
        import asyncio
        import pytest


        @pytest.mark.asyncio({marker})
        async def test_leaks():
            asyncio.create_task(asyncio.sleep(3600))


        @pytest.mark.asyncio
        async def test_other():
            asyncio.create_task(asyncio.sleep(3600))
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    # The second test follows the session's setting: off in every case here but "all".
    other = 1 if session == "all" else 0
    result.assert_outcomes(passed=2, errors=int(caught) + other)
    assert ("ERROR at teardown of test_leaks" in result.stdout.str()) is caught


@pytest.mark.parametrize("scope", ["function", "module"])
def test_tasks_that_end_in_time_are_no_leaks(
    pytester: pytest.Pytester, ini: IniWriter, scope: str
) -> None:
    """Awaited, done, cancelled by a fixture's teardown (awaited or not), run in a task group,
    under asyncio.timeout, gathered, in an executor: nothing to report."""
    ini(asyncio_checks="task-leaks")
    pytester.makepyfile(
        test_clean=f"""
        import asyncio
        import sys
        import pytest
        import pytest_asyncio

        pytestmark = pytest.mark.asyncio(loop_scope="{scope}")


        @pytest_asyncio.fixture(loop_scope="{scope}")
        async def cancelled_not_awaited():
            task = asyncio.create_task(asyncio.sleep(3600))
            yield task
            task.cancel()


        @pytest_asyncio.fixture(loop_scope="{scope}")
        async def cancelled_and_awaited():
            task = asyncio.create_task(asyncio.sleep(3600))
            yield task
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass


        async def slow_cleanup():
            try:
                await asyncio.sleep(3600)
            finally:
                await asyncio.sleep(0.05)


        @pytest_asyncio.fixture(loop_scope="{scope}")
        async def slow_to_cancel():
            task = asyncio.create_task(slow_cleanup())
            await asyncio.sleep(0)
            yield
            task.cancel()


        async def test_fixtures(cancelled_not_awaited, cancelled_and_awaited, slow_to_cancel):
            assert not cancelled_not_awaited.done()


        # 3.10 keeps no trace of a cancellation once the task has seen it.
        @pytest.mark.skipif(sys.version_info < (3, 11), reason="Task.cancelling(): 3.11+")
        async def test_cancelled_by_the_test():
            task = asyncio.create_task(slow_cleanup())
            await asyncio.sleep(0)
            task.cancel()
            await asyncio.sleep(0)  # now in its cleanup


        async def test_done_and_awaited():
            done = asyncio.create_task(asyncio.sleep(0))
            await asyncio.sleep(0.01)
            assert done.done()
            await asyncio.gather(asyncio.sleep(0), asyncio.sleep(0.01))
            await asyncio.wait_for(asyncio.sleep(0), 1)
            await asyncio.get_running_loop().run_in_executor(None, sum, [1, 2])
            await asyncio.to_thread(sum, [1, 2])


        @pytest.mark.skipif(sys.version_info < (3, 11), reason="TaskGroup, timeout: 3.11+")
        async def test_task_group_and_timeout():
            async with asyncio.TaskGroup() as group:
                group.create_task(asyncio.sleep(0.01))
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(0.01):
                    await asyncio.sleep(3600)
        """
    )
    result = pytester.runpytest("-p", "no:randomly", "-W", "error")
    skipped = 0 if sys.version_info >= (3, 11) else 2
    result.assert_outcomes(passed=4 - skipped, skipped=skipped)


def test_tasks_of_wider_fixtures_are_never_blamed(
    pytester: pytest.Pytester, ini: IniWriter
) -> None:
    """A module fixture runs a server (its own task, and a task per connection, each of which
    starts one more); the tests connect and leave the handlers running. The blocking check's
    threshold is far above a loaded machine's pauses: this test is about tasks."""
    ini(asyncio_checks="all", asyncio_blocking_threshold="5")
    pytester.makepyfile(
        test_server="""
        import asyncio
        import pytest
        import pytest_asyncio

        pytestmark = pytest.mark.asyncio(loop_scope="module")


        async def handle(reader, writer):
            asyncio.create_task(asyncio.sleep(3600))
            writer.write(await reader.readline())
            await writer.drain()
            await reader.read()  # until the client goes: after the test
            writer.close()


        @pytest_asyncio.fixture(scope="module", loop_scope="module")
        async def server():
            server = await asyncio.start_server(handle, "127.0.0.1", 0)
            serving = asyncio.create_task(server.serve_forever())
            ticker = asyncio.create_task(asyncio.sleep(3600))
            yield server.sockets[0].getsockname()[1]
            ticker.cancel()
            serving.cancel()
            server.close()


        @pytest_asyncio.fixture(scope="module", loop_scope="module")
        async def clients():
            writers = []
            yield writers
            for writer in writers:
                writer.close()
                await writer.wait_closed()


        @pytest.mark.parametrize("n", range(3))
        async def test_echo(server, clients, n):
            reader, writer = await asyncio.open_connection("127.0.0.1", server)
            clients.append(writer)
            writer.write(b"ping\\n")
            assert await reader.readline() == b"ping\\n"
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=3)


def test_a_task_that_refuses_to_end_is_closed_by_force(
    pytester: pytest.Pytester, ini: IniWriter
) -> None:
    ini(asyncio_checks="task-leaks")
    pytester.makepyfile(
        test_stubborn="""
        import asyncio
        import pytest

        pytestmark = pytest.mark.asyncio(loop_scope="module")


        async def stubborn():
            try:
                while True:
                    try:
                        await asyncio.sleep(0.1)
                    except asyncio.CancelledError:
                        print("stubborn: caught the cancellation")
            finally:
                print("stubborn: finally ran")


        async def test_leaks():
            asyncio.create_task(stubborn(), name="stubborn")


        async def test_next():
            await asyncio.sleep(0.3)
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-s", timeout=60)
    result.assert_outcomes(passed=2, errors=1)
    output = result.stdout.str()
    finding = _finding(
        "stubborn",
        "test_stubborn.py:19 in test_leaks",
        "  test_stubborn.py:11 in stubborn\n      await asyncio.sleep(0.1)",
        _messages.CHECK_TASK_LEAKS_REFUSED.format(grace=_leaks.GRACE),
    )
    assert f"{_header('test_stubborn.py::test_leaks')}\n\n{finding}\n" in output
    # Closed by force: its finally ran once, and it caught no cancellation after that.
    assert output.count("stubborn: finally ran") == 1
    after = output.split("stubborn: finally ran")[1]
    assert "stubborn: caught the cancellation" not in after
    assert "Task exception was never retrieved" not in output


@pytest.mark.python_independent  # through pytest-xdist's workers: one Python runs it
def test_under_xdist(pytester: pytest.Pytester, ini: IniWriter) -> None:
    ini(asyncio_checks="task-leaks")
    pytester.makepyfile(test_leaky=LEAKY.format(scope="module"))
    result = pytester.runpytest_subprocess("-p", "xdist", "-n", "2", timeout=60)
    result.assert_outcomes(passed=2, errors=1)
    header = _header("test_leaky.py::test_leaks")
    result.stdout.fnmatch_lines([f"*{header}", "", "[[]task-leaks[]] task 'background' *"])


def test_warnings_as_errors_change_nothing(pytester: pytest.Pytester, ini: IniWriter) -> None:
    ini(asyncio_checks="task-leaks")
    pytester.makepyfile(test_leaky=LEAKY.format(scope="module"))
    result = pytester.runpytest("-p", "no:randomly", "-W", "error")
    result.assert_outcomes(passed=2, errors=1)
    assert _header("test_leaky.py::test_leaks") in result.stdout.str()


def test_the_documented_report_is_what_the_example_prints(
    pytester: pytest.Pytester, ini: IniWriter
) -> None:
    """docs/checks.md, task-leaks: the ``py`` example prints the ``text`` report under it."""
    text = DOC.read_text()
    section = text[text.index("## task-leaks") : text.index("## unawaited")]
    (module,) = re.findall(r"```py\n(.*?)```", section, re.S)
    (report,) = re.findall(r"```text\n(.*?)```", section, re.S)
    ini(asyncio_checks="task-leaks")
    pytester.makepyfile(test_notify=module)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(report.splitlines(), consecutive=True)


def test_a_task_that_ignores_being_closed_gives_up_its_loop(
    pytester: pytest.Pytester, ini: IniWriter
) -> None:
    """It catches GeneratorExit too: nothing ends it, so nothing more runs on its loop (else
    it would run on into the next tests, and closing the loop would wait for it forever)."""
    ini(asyncio_checks="task-leaks")
    pytester.makepyfile(
        test_hostile="""
        import asyncio
        import pytest

        pytestmark = pytest.mark.asyncio(loop_scope="module")


        async def hostile():
            while True:
                try:
                    await asyncio.sleep(0.1)
                except BaseException:
                    pass


        async def test_leaks():
            asyncio.create_task(hostile(), name="hostile")


        async def test_after():
            pass
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", timeout=60)
    result.assert_outcomes(passed=1, failed=1, errors=1)
    loop = "module-scoped event loop of test_hostile.py"
    finding = _finding(
        "hostile",
        "test_hostile.py:16 in test_leaks",
        "  test_hostile.py:10 in hostile\n      await asyncio.sleep(0.1)",
        _messages.CHECK_TASK_LEAKS_KEPT.format(grace=_leaks.GRACE, loop=loop),
    )
    output = result.stdout.str()
    assert f"{_header('test_hostile.py::test_leaks')}\n\n{finding}\n" in output
    culprit = _messages.CHECK_TASK_LEAKS_CULPRIT.format(
        name="hostile", nodeid="test_hostile.py::test_leaks"
    )
    broken = _messages.LOOP_BROKEN.format(
        what="test test_hostile.py::test_after", loop=loop, culprit=culprit
    )
    assert broken in output


def test_a_task_that_a_leak_starts_as_it_ends_is_a_leak_too(
    pytester: pytest.Pytester, ini: IniWriter
) -> None:
    ini(asyncio_checks="task-leaks")
    pytester.makepyfile(
        test_spawn="""
        import asyncio
        import pytest

        pytestmark = pytest.mark.asyncio(loop_scope="module")
        HIT = []


        async def later():
            await asyncio.sleep(0.2)
            HIT.append("the spawned task ran on")


        async def spawner():
            try:
                await asyncio.sleep(3600)
            finally:
                asyncio.create_task(later(), name="spawned")


        async def test_leaks():
            asyncio.create_task(spawner(), name="spawner")


        async def test_next():
            await asyncio.sleep(0.4)
            assert not HIT
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2, errors=1)
    spawned = _finding(
        "spawned",
        "test_spawn.py:17 in spawner",
        "  test_spawn.py:9 in later\n      await asyncio.sleep(0.2)",
        _messages.CHECK_TASK_LEAKS_CANCELLED,
    )
    assert _header("test_spawn.py::test_leaks", count=2) in result.stdout.str()
    assert f"\n\n{spawned}\n" in result.stdout.str()
